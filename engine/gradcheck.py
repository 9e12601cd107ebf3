"""gradcheck: compare backprop's gradients with central differences.

This is how a learner checks a composition of their own: if backprop and the finite difference
agree at a few points, the graph computes the derivative it claims to.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from .value import Value, check_real, no_grad

__all__ = ["GradcheckError", "gradcheck"]


class GradcheckError(AssertionError):
    """Raised by `gradcheck` when an analytic gradient disagrees with the central difference."""


def _scalar_output(fn: Callable[..., object], values: Sequence[Value]) -> Value:
    out = fn(*values)
    if not isinstance(out, Value):
        raise TypeError(f"gradcheck: fn must return a Value, got {type(out).__name__}")
    return out


def gradcheck(
    fn: Callable[..., Value],
    inputs: Sequence[object],
    eps: float = 1e-6,
    atol: float = 1e-6,
    rtol: float = 1e-5,
) -> bool:
    """Return True if fn's backprop gradient matches a central difference for every input.

    fn is called as ``fn(*values)`` with one Value per entry of `inputs` (numbers or Values; a
    Value's data is used) and must return a Value. Input i passes when
    ``|analytic - numeric| <= atol + rtol * |numeric|``, where
    ``numeric = (fn(x + eps·e_i) - fn(x - eps·e_i)) / (2·eps)``.

    Raises GradcheckError with a table (input, analytic, numeric, error) when any input fails.

    >>> from engine import gradcheck
    >>> gradcheck(lambda x, y: (x * y).tanh() + x.exp(), [0.3, -1.2])
    True
    """
    if not callable(fn):
        raise TypeError(f"gradcheck: fn must be callable, got {type(fn).__name__}")
    if isinstance(inputs, (Value, str, bytes)) or not isinstance(inputs, Sequence):
        raise TypeError(f"gradcheck: inputs must be a sequence of numbers, got {type(inputs).__name__}")
    if not inputs:
        raise ValueError("gradcheck: inputs must not be empty")
    if not eps > 0:  # written as "not >" so that NaN is refused too
        raise ValueError(f"gradcheck: eps must be > 0, got {eps!r}")
    for name, tolerance in (("atol", atol), ("rtol", rtol)):
        if not tolerance >= 0:
            raise ValueError(f"gradcheck: {name} must be >= 0, got {tolerance!r}")
    points = [
        x.data if isinstance(x, Value) else check_real(x, "gradcheck", f"inputs[{i}]") for i, x in enumerate(inputs)
    ]

    values = [Value(x, label=f"x{i}") for i, x in enumerate(points)]
    _scalar_output(fn, values).backward()
    analytic = [v.grad for v in values]

    numeric = []
    with no_grad():
        for i in range(len(points)):
            up, down = list(points), list(points)
            up[i] += eps
            down[i] -= eps
            f_up = _scalar_output(fn, [Value(x) for x in up]).data
            f_down = _scalar_output(fn, [Value(x) for x in down]).data
            numeric.append((f_up - f_down) / (2 * eps))

    rows = []
    failed = False
    for i, (a, n) in enumerate(zip(analytic, numeric)):
        error = abs(a - n)
        ok = error <= atol + rtol * abs(n)
        failed |= not ok
        rows.append(f"{i:>5}  {points[i]:>14.6g}  {a:>14.8g}  {n:>14.8g}  {error:>10.3g}  {'ok' if ok else 'FAIL'}")
    if failed:
        header = f"{'input':>5}  {'at':>14}  {'analytic':>14}  {'numeric':>14}  {'error':>10}"
        raise GradcheckError(
            f"gradcheck: backprop disagrees with central differences (eps={eps}, atol={atol}, rtol={rtol})\n"
            + "\n".join([header, *rows])
        )
    return True
