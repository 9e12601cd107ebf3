"""Optimizers: update parameters from their gradients, with PyTorch's update rules.

An optimizer holds a list of parameters (leaf Values). After ``loss.backward()`` has filled in
each parameter's ``grad``, ``step()`` moves the parameters, and ``zero_grad()`` sets the gradients
back to 0 before the next backward pass (gradients accumulate, as in PyTorch).

A step never leaves a parameter (or the optimizer's running state) NaN or infinite: a step that
would (a learning rate far too large, a gradient near the float limit) raises OverflowError
naming the parameter, and leaves every parameter and the state as they were, so training can
go on from there with a smaller ``lr``. Hyperparameters are checked when set, by name: NaN, ±inf
and numbers beyond the float range (``lr=10**400``) are refused, and ``eps`` must be > 0.

>>> from engine import Value
>>> w = Value(3.0, label="w")
>>> optimizer = SGD([w], lr=0.1)
>>> for _ in range(3):
...     optimizer.zero_grad()
...     loss = (w - 1.0) ** 2
...     loss.backward()
...     optimizer.step()
>>> round(w.data, 6)
2.024
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable, Mapping, Sequence, Set

from engine import Value
from engine.value import check_real

from .module import Module

__all__ = ["SGD", "Adam", "Optimizer"]


def _check_number(
    where: str,
    argument: str,
    value: object,
    expected: str,
    low: float,
    high: float = math.inf,
    *,
    above_low: bool = False,
) -> float:
    """Return value as a float, or raise naming the argument unless low <= value < high.

    ``above_low`` makes low itself refused too (low < value). Not a number: TypeError; NaN, ±inf
    or out of range: ValueError; beyond the float range (``10**400``): OverflowError.
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{where}: {argument} must be {expected}, got {type(value).__name__}: {value!r:.80}")
    try:
        number = check_real(value, where, argument)
    except ValueError:  # NaN or ±inf: say what is expected instead
        number = math.nan
    if not ((low < number) if above_low else (low <= number)) or not number < high:
        raise ValueError(f"{where}: {argument} must be {expected}, got {float(value)!r}")
    return number


def _step_error(where: str, params: Sequence[Value], new: Sequence[float], what: str, lr: float) -> OverflowError:
    """Return the error for a step whose new numbers (`what` of the parameters) are not finite."""
    i = next((i for i, number in enumerate(new) if not math.isfinite(number)), 0)
    p = params[i]
    name = f" ({p.label})" if p.label else ""
    return OverflowError(
        f"{where}: the step would make {what}params[{i}]{name} non-finite (value {p.data!r}, "
        f"gradient {p.grad!r}, lr {lr!r}); no parameter was moved"
    )


class Optimizer:
    """Base class: holds the parameters and the learning rate, zeroes gradients; subclasses define ``step()``.

    ``params`` is an iterable of leaf Values (for example ``model.parameters()``) or a Module.
    """

    __slots__ = ("_lr", "params")

    params: list[Value]

    def __init__(self, params: Iterable[Value] | Module, lr: float) -> None:
        where = type(self).__name__
        # A lone Value or None is the usual slip (SGD(w) for SGD([w])); a dict or a set has no
        # order the optimizer's state could follow from run to run.
        if isinstance(params, (Value, str, bytes, Mapping, Set)) or not isinstance(params, (Iterable, Module)):
            raise TypeError(
                f"{where}: params must be a list of Values (model.parameters()) or a Module, "
                f"got {type(params).__name__}: {params!r:.80}"
            )
        params = list(params.parameters() if isinstance(params, Module) else params)
        if not params:
            raise ValueError(f"{where}: params must contain at least one Value, got an empty list")
        seen: set[int] = set()
        for i, p in enumerate(params):
            if not isinstance(p, Value):
                raise TypeError(f"{where}: params[{i}] must be a Value, got {type(p).__name__}: {p!r:.80}")
            if id(p) in seen:
                raise ValueError(f"{where}: params[{i}] appears twice in params ({p!r})")
            seen.add(id(p))
        self.params = params
        self.lr = lr

    @property
    def lr(self) -> float:
        """The learning rate (a positive number); a schedule may change it between steps."""
        return self._lr

    @lr.setter
    def lr(self, value: float) -> None:
        where = type(self).__name__
        self._lr = _check_number(where, "lr", value, "a positive number", 0.0, above_low=True)

    def zero_grad(self) -> None:
        """Set every parameter's gradient to 0 (gradients accumulate across backward passes)."""
        for p in self.params:
            p.grad = 0.0

    def step(self) -> None:
        """Update every parameter from its gradient."""
        raise NotImplementedError


class SGD(Optimizer):
    """Stochastic gradient descent, with optional momentum and weight decay, as ``torch.optim.SGD``.

    Each step, for each parameter p (with velocity b when ``momentum`` m > 0):

        g ← grad + weight_decay · p
        b ← m · b + g        (b ← g on the first step)
        p ← p - lr · b       (p ← p - lr · g without momentum)

    ``weight_decay`` adds ``weight_decay · p`` to the gradient, which is an L2 penalty of
    ``weight_decay / 2 · p²`` in the loss.

    >>> from engine import Value
    >>> w = Value(1.0)
    >>> optimizer = SGD([w], lr=0.5, momentum=0.9)
    >>> for _ in range(2):
    ...     w.grad = 1.0  # a constant gradient
    ...     optimizer.step()
    >>> round(w.data, 6)  # 1 - 0.5·1 - 0.5·(0.9·1 + 1)
    -0.45
    """

    __slots__ = ("_velocity", "momentum", "weight_decay")

    momentum: float
    weight_decay: float

    def __init__(
        self, params: Iterable[Value] | Module, lr: float = 1e-3, momentum: float = 0.0, weight_decay: float = 0.0
    ) -> None:
        super().__init__(params, lr)  # lr defaults to PyTorch's 1e-3, so SGD(w) fails on params, by name
        self.momentum = _check_number("SGD", "momentum", momentum, "a number in [0, 1)", 0.0, 1.0)
        self.weight_decay = _check_number("SGD", "weight_decay", weight_decay, "a number >= 0", 0.0)
        self._velocity: list[float] | None = None

    def step(self) -> None:
        """Move every parameter against its gradient (see the class docstring for the rule).

        Raises OverflowError, moving nothing, if a parameter would become NaN or infinite.
        """
        lr, momentum, weight_decay = self._lr, self.momentum, self.weight_decay
        params = self.params
        velocity = None
        if momentum == 0.0:
            if weight_decay == 0.0:  # the hot loop of plain SGD: nothing but the update
                updated = [p.data - lr * p.grad for p in params]
            else:
                updated = [p.data - lr * (p.grad + weight_decay * p.data) for p in params]
        else:
            gradients = [p.grad + weight_decay * p.data for p in params]
            previous = self._velocity
            # The first step's velocity is the gradient itself (PyTorch).
            velocity = gradients if previous is None else [momentum * b + g for b, g in zip(previous, gradients)]
            updated = [p.data - lr * b for p, b in zip(params, velocity)]
        # The new numbers are made first and kept only if all are finite: a refused step moves
        # nothing. One pass in C over them.
        if not all(map(math.isfinite, updated)):
            raise _step_error("SGD", params, updated, "", lr)
        for p, value in zip(params, updated):
            p.data = value
        if velocity is not None:
            self._velocity = velocity

    def __repr__(self) -> str:
        extras = "".join(
            f", {name}={value:g}"
            for name, value in (("momentum", self.momentum), ("weight_decay", self.weight_decay))
            if value
        )
        return f"SGD({len(self.params)} parameters, lr={self._lr:g}{extras})"


class Adam(Optimizer):
    """Adam, as ``torch.optim.Adam`` (Kingma & Ba, 2015, https://arxiv.org/abs/1412.6980).

    Each parameter keeps running means of its gradient (m) and squared gradient (v); at step t:

        g ← grad + weight_decay · p
        m ← β1 · m + (1 - β1) · g
        v ← β2 · v + (1 - β2) · g²
        p ← p - lr / (1 - β1^t) · m / (√v / √(1 - β2^t) + eps)

    The two ``1 - β^t`` factors undo the bias of m and v towards their zero start, so the first
    steps are about ``lr`` in size whatever the scale of the gradient.

    >>> from engine import Value
    >>> w = Value(1.0)
    >>> optimizer = Adam([w], lr=0.1)
    >>> w.grad = 0.001  # a small gradient still makes a full-size first step
    >>> optimizer.step()
    >>> round(w.data, 4)
    0.9
    """

    __slots__ = ("_m", "_t", "_v", "betas", "eps", "weight_decay")

    betas: tuple[float, float]
    eps: float
    weight_decay: float

    def __init__(
        self,
        params: Iterable[Value] | Module,
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
    ) -> None:
        super().__init__(params, lr)
        try:
            beta1, beta2 = betas
        except (TypeError, ValueError):
            raise ValueError(f"Adam: betas must be a pair (beta1, beta2), got {betas!r}") from None
        self.betas = (
            _check_number("Adam", "betas[0]", beta1, "a number in [0, 1)", 0.0, 1.0),
            _check_number("Adam", "betas[1]", beta2, "a number in [0, 1)", 0.0, 1.0),
        )
        # eps keeps the step finite where v is 0 (a parameter whose gradient has always been 0).
        self.eps = _check_number("Adam", "eps", eps, "a number > 0", 0.0, above_low=True)
        self.weight_decay = _check_number("Adam", "weight_decay", weight_decay, "a number >= 0", 0.0)
        self._m = [0.0] * len(self.params)
        self._v = [0.0] * len(self.params)
        self._t = 0

    def step(self) -> None:
        """Move every parameter by its bias-corrected Adam step (see the class docstring).

        Raises OverflowError, moving nothing, if a parameter or its running mean m or v would
        become NaN or infinite (a gradient beyond about 1e154 has a square beyond the float range).
        """
        t = self._t + 1
        beta1, beta2 = self.betas
        eps, weight_decay = self.eps, self.weight_decay
        # The same operations in the same order as PyTorch's Adam, so trajectories agree to the last bits.
        step_size = self._lr / (1.0 - beta1**t)
        bias_correction2_sqrt = (1.0 - beta2**t) ** 0.5
        params = self.params
        m, v = list(self._m), list(self._v)
        updated = [p.data for p in params]
        for i, p in enumerate(params):
            g = p.grad + weight_decay * p.data if weight_decay else p.grad
            m[i] = m_i = m[i] + (1.0 - beta1) * (g - m[i])
            v[i] = v_i = v[i] * beta2 + (1.0 - beta2) * g * g
            updated[i] -= step_size * (m_i / (math.sqrt(v_i) / bias_correction2_sqrt + eps))
        # Kept only if all are finite, one pass in C over each: a refused step moves nothing.
        for state, what in ((m, "the mean gradient m of "), (v, "the mean squared gradient v of "), (updated, "")):
            if not all(map(math.isfinite, state)):
                raise _step_error("Adam", params, state, what, self._lr)
        for p, value in zip(params, updated):
            p.data = value
        self._m, self._v, self._t = m, v, t

    def __repr__(self) -> str:
        decay = f", weight_decay={self.weight_decay:g}" if self.weight_decay else ""
        return (
            f"Adam({len(self.params)} parameters, lr={self._lr:g}, "
            f"betas=({self.betas[0]:g}, {self.betas[1]:g}), eps={self.eps:g}{decay})"
        )
