"""n-ary nodes: one node however many operands.

`a + b + c + d` builds three binary nodes; `sum([a, b, c, d])` builds one.
A neuron's pre-activation w·x is one `dot` node instead of 2n binary ones: fewer Python objects,
a shorter backward pass, and a drawing a learner can read.
"""

from __future__ import annotations

import builtins
from collections.abc import Iterable, Sequence
from typing import cast

from . import value as _value
from .value import Constant, Operand, Value, _nan_result, _next_stamp, _node, _to_float

__all__ = ["DotNode", "dot", "dot_node", "sum"]


def _as_values(items: Iterable[Operand], where: str, argument: str) -> tuple[Value, ...]:
    """Return items as a tuple of Values, wrapping plain numbers as Constants."""
    if isinstance(items, (str, bytes, Value)):
        raise TypeError(f"{where}: {argument} must be a sequence of Values or numbers, got {type(items).__name__}")
    try:
        values = tuple(items)
    except TypeError:
        raise TypeError(
            f"{where}: {argument} must be a sequence of Values or numbers, got {type(items).__name__}"
        ) from None
    for v in values:
        if not isinstance(v, Value):
            break
    else:
        return cast(tuple[Value, ...], values)  # the common case: nothing to wrap
    return tuple(
        v if isinstance(v, Value) else Constant(_to_float(v, where, f"{argument}[{i}]"))
        for i, v in enumerate(values)
    )


def sum(values: Iterable[Operand]) -> Value:  # noqa: A001 - engine.sum is the public name
    """Return the sum of values as one node; d/dv_i = 1 for every operand.

    >>> from engine import Value, sum
    >>> xs = [Value(1.0), Value(2.0), Value(3.5)]
    >>> total = sum(xs)
    >>> total.backward()
    >>> total.data, [x.grad for x in xs], len(total.children)
    (6.5, [1.0, 1.0, 1.0], 3)
    """
    operands = _as_values(values, "sum", "values")
    if not operands:
        raise ValueError("sum: values must not be empty")
    return _node(builtins.sum([v.data for v in operands]), operands, "sum", _sum_backward)


def _sum_backward(out: Value, g: float) -> None:
    for v in out.children:
        v.grad += g


def dot(a: Sequence[Operand], b: Sequence[Operand]) -> Value:
    """Return Σ a_i·b_i as one node; d/da_i = b_i, d/db_i = a_i.

    >>> from engine import Value, dot
    >>> w = [Value(0.5), Value(-1.0)]
    >>> out = dot(w, [2.0, 3.0])
    >>> out.backward()
    >>> out.data, [wi.grad for wi in w]
    (-2.0, [2.0, 3.0])
    """
    left = _as_values(a, "dot", "a")
    right = _as_values(b, "dot", "b")
    if len(left) != len(right):
        raise ValueError(f"dot: a and b must have the same length, got {len(left)} and {len(right)}")
    if not left:
        raise ValueError("dot: a and b must not be empty")
    total = 0.0
    for x, y in zip(left, right):
        total += x.data * y.data
    return dot_node(left, right, total)


class DotNode(Value):
    """The node of a dot product a·b, which keeps its operand tuples a and b as they were given.

    Its `children` are still (a_1, ..., a_n, b_1, ..., b_n), put together when asked. Keeping the
    two tuples apart is what makes a neuron cheap: a neuron's a is its own (bias, weights) tuple
    and its b the (1.0, x) tuple that every neuron of its layer shares, so a forward pass makes no
    new tuple per neuron to allocate and free, and Python's cycle collector, which follows every
    reference of every new object, follows 2 instead of 2n. On micrograd's moons MLP that made a
    training step about a sixth faster (measured).
    """

    __slots__ = ("a", "b")

    a: tuple[Value, ...]
    b: tuple[Value, ...]

    @property
    def children(self) -> tuple[Value, ...]:  # type: ignore[override]  # read-only: the operands are a and b
        """The operands a_1, ..., a_n, b_1, ..., b_n."""
        return self.a + self.b


def dot_node(a: tuple[Value, ...], b: tuple[Value, ...], total: float) -> DotNode:
    """Return the node of `dot` for two equally long, non-empty tuples of Values whose dot product,
    ``total``, the caller has computed, without checking anything.

    For library code that built both tuples itself and read their numbers faster than `dot` can:
    nn's neurons call it on every forward pass with numbers read once per layer and once per batch.
    Anything else calls `dot`.
    """
    if total != total:
        raise _nan_result("dot", a + b)
    out = DotNode.__new__(DotNode)  # the fields engine.value._node sets, with a and b for children
    out.data = total
    out.grad = 0.0
    out.label = ""
    out.op = "dot"
    out._stamp = _next_stamp()
    out._pass = None
    if _value._grad_enabled:
        out.a, out.b, out._backward = a, b, _dot_backward  # type: ignore[assignment]  # a rule for DotNodes only
    else:
        out.a, out.b, out._backward = (), (), None
    return out


def _dot_backward(out: DotNode, g: float) -> None:
    for x, y in zip(out.a, out.b):
        x.grad += y.data * g
        y.grad += x.data * g
