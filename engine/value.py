"""The `Value` class: a number that remembers how it was computed, so it can backpropagate.

Every primitive has the same short shape, as in micrograd:

    1. wrap a plain-number operand as a Constant,
    2. compute the output number,
    3. define `_backward(g, a=self, b=other)`, which adds ``local derivative * g`` into each
       operand's grad,
    4. return `_node(...)`, which attaches the operands and the closure to a new Value.

`backward()` then walks the graph from the root in reverse topological order and calls each
node's `_backward` with that node's gradient: the chain rule, one node at a time.

Unlike micrograd, a closure holds its operands but never its own output node, so a graph has no
reference cycles and is freed by reference counting the moment its root is dropped. The closure
receives the output's gradient `g` as an argument instead of reading it off the output node.
"""

from __future__ import annotations

import itertools
import math
import numbers
import operator
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Union

__all__ = ["Value", "Constant", "no_grad", "is_grad_enabled", "Number", "Operand"]

Number = Union[int, float]
Operand = Union["Value", Number]
Backward = Callable[[float], None]

# Read on every operation: a module global is the cheapest thing to look up.
_grad_enabled = True

# Every Value gets the next stamp when it is made. A node is always made after its operands, so
# ordering nodes by stamp puts every child before its parents: a topological order for free.
_next_stamp = itertools.count().__next__
_stamp_of = operator.attrgetter("_stamp")


@contextmanager
def no_grad() -> Iterator[None]:
    """Return a context in which operations compute values without recording the graph.

    >>> from engine import Value, no_grad
    >>> x = Value(3.0)
    >>> with no_grad():
    ...     y = x * x
    >>> y.data, y.children
    (9.0, ())
    """
    global _grad_enabled
    previous = _grad_enabled
    _grad_enabled = False
    try:
        yield
    finally:
        _grad_enabled = previous


def is_grad_enabled() -> bool:
    """Return True when operations record the graph (outside `no_grad`)."""
    return _grad_enabled


def _to_float(x: object, where: str, argument: str = "data") -> float:
    """Return x as a Python float, or raise TypeError/ValueError naming `where` and `argument`."""
    if type(x) is float:  # the common case, checked first
        value = x
    elif isinstance(x, numbers.Real):  # int, bool, fractions, numpy real scalars
        value = float(x)
    elif getattr(x, "shape", None) == () and getattr(getattr(x, "dtype", None), "kind", "?") in "biuf":
        value = float(x)  # a 0-d numpy array (the dtype check leaves out complex and object arrays)
    else:
        shape = getattr(x, "shape", None)
        what = type(x).__name__ if shape is None else f"{type(x).__name__} of shape {shape}"
        raise TypeError(f"{where}: {argument} must be a real number, got {what}: {x!r}"[:300])
    if value != value:
        raise ValueError(f"{where}: {argument} must not be NaN")
    return value


def _show(x: float) -> str:
    """Return a short text for a number in an error message."""
    return repr(x)


class Value:
    """A scalar that records the operations producing it, so `backward()` can fill in gradients.

    >>> a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    >>> c = a * b + a
    >>> c.backward()
    >>> c.data, a.grad, b.grad
    (-4.0, -2.0, 2.0)
    """

    __slots__ = ("data", "grad", "label", "op", "children", "_backward", "_stamp", "__weakref__")

    data: float
    grad: float
    label: str
    op: str
    children: tuple[Value, ...]
    _backward: Backward | None
    _stamp: int

    def __init__(self, data: object, label: str = "") -> None:
        # A float that is not NaN (the common case) is stored as it is; anything else is checked.
        self.data = data if type(data) is float and data == data else _to_float(data, "Value")
        if type(label) is not str:
            raise TypeError(f"Value: label must be a str, got {type(label).__name__}")
        self.grad = 0.0
        self.label = label
        self.op = ""
        self.children = ()
        self._backward = None
        self._stamp = _next_stamp()

    # ------------------------------------------------------------------ plumbing

    def __repr__(self) -> str:
        parts = [f"data={self.data:.6g}", f"grad={self.grad:.6g}"]
        if self.label:
            parts.insert(0, f"label={self.label!r}")
        if self.op:
            parts.append(f"op={self.op!r}")
        return f"{type(self).__name__}({', '.join(parts)})"

    def __float__(self) -> float:
        return self.data

    def __format__(self, spec: str) -> str:
        # Lets the post's f-strings, such as f"{loss:.4f}", print a Value like a float.
        return format(self.data, spec) if spec else repr(self)

    # Comparisons look at the data only; == and hash stay by identity, so Values work in sets and dicts.
    def __lt__(self, other: Operand) -> bool:
        return self.data < _data(other, "<")

    def __le__(self, other: Operand) -> bool:
        return self.data <= _data(other, "<=")

    def __gt__(self, other: Operand) -> bool:
        return self.data > _data(other, ">")

    def __ge__(self, other: Operand) -> bool:
        return self.data >= _data(other, ">=")

    # ------------------------------------------------------------------ primitives
    # Each closure takes its operands as default arguments (a=self, b=other) rather than closing
    # over them: that binds them once, without the cell objects a closure needs, which leaves
    # Python's garbage collector a third fewer objects to scan and makes building a graph about
    # twice as fast. The output node is never among them, so no reference cycle forms.

    def __add__(self, other: Operand) -> Value:
        """a + b; d/da = 1, d/db = 1."""
        other = other if isinstance(other, Value) else Constant(other)

        def _backward(g: float, a: Value = self, b: Value = other) -> None:
            a.grad += g
            b.grad += g

        return _node(self.data + other.data, (self, other), "+", _backward)

    def __sub__(self, other: Operand) -> Value:
        """a - b; d/da = 1, d/db = -1."""
        other = other if isinstance(other, Value) else Constant(other)

        def _backward(g: float, a: Value = self, b: Value = other) -> None:
            a.grad += g
            b.grad -= g

        return _node(self.data - other.data, (self, other), "-", _backward)

    def __mul__(self, other: Operand) -> Value:
        """a * b; d/da = b, d/db = a."""
        other = other if isinstance(other, Value) else Constant(other)

        def _backward(g: float, a: Value = self, b: Value = other) -> None:
            a.grad += b.data * g
            b.grad += a.data * g

        return _node(self.data * other.data, (self, other), "*", _backward)

    def __truediv__(self, other: Operand) -> Value:
        """a / b; d/da = 1/b, d/db = -a/b²."""
        other = other if isinstance(other, Value) else Constant(other)
        if other.data == 0.0:
            raise ZeroDivisionError(f"/: division by zero ({_show(self.data)} / 0.0)")

        def _backward(g: float, a: Value = self, b: Value = other) -> None:
            a.grad += g / b.data
            b.grad -= g * a.data / (b.data * b.data)

        return _node(self.data / other.data, (self, other), "/", _backward)

    def __pow__(self, exponent: Operand) -> Value:
        """a ** n for a number n: d/da = n·a^(n-1). (A Value exponent: see `_pow_value`.)"""
        if isinstance(exponent, Value):
            return _pow_value(self, exponent)
        n = _to_float(exponent, "**", "exponent")
        x = self.data
        if x == 0.0 and n < 0:
            raise ZeroDivisionError(f"**: 0.0 cannot be raised to a negative power ({_show(n)})")
        if x < 0 and not n.is_integer():
            raise ValueError(
                f"**: a negative base ({_show(x)}) to a fractional power ({_show(n)}) is not a real number"
            )
        try:
            out = x**n
        except OverflowError:
            raise OverflowError(f"**: {_show(x)} ** {_show(n)} overflows a float") from None

        def _backward(g: float, a: Value = self, x: float = x, n: float = n) -> None:
            if n == 0.0:
                return  # a ** 0 is the constant 1
            if x == 0.0 and n < 1.0:
                raise ZeroDivisionError(
                    f"**: the derivative {_show(n)}·x^{_show(n - 1)} is infinite at x = 0.0"
                )
            a.grad += n * x ** (n - 1.0) * g

        return _node(out, (self,), f"**{n:g}", _backward)

    def __neg__(self) -> Value:
        """-a; d/da = -1."""

        def _backward(g: float, a: Value = self) -> None:
            a.grad -= g

        return _node(-self.data, (self,), "neg", _backward)

    def __abs__(self) -> Value:
        """|a|; d/da = sign(a), and 0 at a = 0 (as PyTorch)."""
        x = self.data

        def _backward(g: float, a: Value = self, x: float = x) -> None:
            if x > 0:
                a.grad += g
            elif x < 0:
                a.grad -= g

        return _node(abs(x), (self,), "abs", _backward)

    def exp(self) -> Value:
        """e^a; d/da = e^a."""
        try:
            e = math.exp(self.data)
        except OverflowError:
            raise OverflowError(
                f"exp: exp({_show(self.data)}) overflows a float (largest argument is about 709.78); "
                "compute in log space instead: losses.log_softmax or "
                "losses.binary_cross_entropy_with_logits never take exp of a large number"
            ) from None

        def _backward(g: float, a: Value = self, e: float = e) -> None:
            a.grad += e * g

        return _node(e, (self,), "exp", _backward)

    def log(self) -> Value:
        """ln a for a > 0; d/da = 1/a."""
        x = self.data
        if x <= 0.0:
            raise ValueError(f"log: operand must be > 0, got {_show(x)}")

        def _backward(g: float, a: Value = self, x: float = x) -> None:
            a.grad += g / x

        return _node(math.log(x), (self,), "log", _backward)

    def sqrt(self) -> Value:
        """√a for a ≥ 0; d/da = 1/(2√a)."""
        x = self.data
        if x < 0.0:
            raise ValueError(f"sqrt: operand must be >= 0, got {_show(x)}")
        s = math.sqrt(x)

        def _backward(g: float, a: Value = self, s: float = s) -> None:
            if s == 0.0:
                raise ZeroDivisionError("sqrt: the derivative 1/(2·sqrt(x)) is infinite at x = 0.0")
            a.grad += 0.5 * g / s

        return _node(s, (self,), "sqrt", _backward)

    def tanh(self) -> Value:
        """tanh a; d/da = 1 - tanh²a."""
        t = math.tanh(self.data)

        def _backward(g: float, a: Value = self, t: float = t) -> None:
            a.grad += (1.0 - t * t) * g

        return _node(t, (self,), "tanh", _backward)

    def sigmoid(self) -> Value:
        """σ(a) = 1/(1 + e^-a); d/da = σ(a)(1 - σ(a))."""
        s = _stable_sigmoid(self.data)

        def _backward(g: float, a: Value = self, s: float = s) -> None:
            a.grad += s * (1.0 - s) * g

        return _node(s, (self,), "sigmoid", _backward)

    def relu(self) -> Value:
        """max(0, a); d/da = 1 for a > 0, else 0."""
        x = self.data

        def _backward(g: float, a: Value = self, x: float = x) -> None:
            if x > 0.0:
                a.grad += g

        return _node(x if x > 0.0 else 0.0, (self,), "relu", _backward)

    def softplus(self) -> Value:
        """ln(1 + e^a); d/da = σ(a)."""
        x = self.data
        # ln(1 + e^x) = max(x, 0) + ln(1 + e^-|x|): the exp never sees a positive argument.
        out = (x if x > 0.0 else 0.0) + math.log1p(math.exp(-abs(x)))

        def _backward(g: float, a: Value = self, s: float = _stable_sigmoid(x)) -> None:
            a.grad += s * g

        return _node(out, (self,), "softplus", _backward)

    def clip(self, lo: Number, hi: Number) -> Value:
        """min(max(a, lo), hi); d/da = 1 inside [lo, hi], 0 outside (as numpy's clip in the post's BCE)."""
        lo = _to_float(lo, "clip", "lo")
        hi = _to_float(hi, "clip", "hi")
        if lo > hi:
            raise ValueError(f"clip: lo must be <= hi, got lo={_show(lo)}, hi={_show(hi)}")
        x = self.data

        def _backward(g: float, a: Value = self, inside: bool = lo <= x <= hi) -> None:
            if inside:
                a.grad += g

        return _node(min(max(x, lo), hi), (self,), "clip", _backward)

    # ------------------------------------------------------------------ derived operations

    def __radd__(self, other: Number) -> Value:  # other + self
        return Constant(other) + self

    def __rsub__(self, other: Number) -> Value:  # other - self
        return Constant(other) - self

    def __rmul__(self, other: Number) -> Value:  # other * self
        return Constant(other) * self

    def __rtruediv__(self, other: Number) -> Value:  # other / self
        return Constant(other) / self

    def __rpow__(self, base: Number) -> Value:  # base ** self
        return _pow_value(Constant(base), self)

    # ------------------------------------------------------------------ backpropagation

    def backward(self) -> None:
        """Fill in d(self)/d(node) for every node below self, accumulating into the leaves.

        Non-leaf gradients are reset first, so calling backward twice gives each leaf exactly twice
        the gradient of one call, as in PyTorch.
        """
        order = _topological_order(self)
        for node in order:
            if node._backward is not None:
                node.grad = 0.0
        self.grad += 1.0
        for node in reversed(order):
            backward = node._backward
            if backward is not None:
                backward(node.grad)

    def zero_grad(self) -> None:
        """Set the gradient of every node of the graph below self (self included) to 0."""
        for node in _topological_order(self):
            node.grad = 0.0


class Constant(Value):
    """A plain number that an operator wrapped as a Value (the 2 in ``x * 2``).

    It behaves exactly like a Value; the class only lets drawings tell constants from inputs.
    """

    __slots__ = ()


def _data(other: Operand, where: str) -> float:
    return other.data if isinstance(other, Value) else _to_float(other, where, "operand")


def _node(data: float, children: tuple[Value, ...], op: str, backward: Backward) -> Value:
    """Return the Value for an operation's result, recording operands and closure unless in no_grad."""
    if data != data:
        operands = ", ".join(_show(c.data) for c in children)
        raise ValueError(f"{op}: the result is NaN (undefined) for operand(s) {operands}")
    out = Value.__new__(Value)
    out.data = data
    out.grad = 0.0
    out.label = ""
    out.op = op
    out._stamp = _next_stamp()
    if _grad_enabled:
        out.children = children
        out._backward = backward
    else:
        out.children = ()
        out._backward = None
    return out


def _pow_value(base: Value, exponent: Value) -> Value:
    """a ** b with both Values, a > 0; d/da = b·a^(b-1), d/db = a^b·ln a."""
    x, n = base.data, exponent.data
    if x <= 0.0:
        raise ValueError(
            f"**: a Value exponent needs a positive base, got base {_show(x)} "
            "(use a number exponent for a non-positive base)"
        )
    try:
        out = x**n
    except OverflowError:
        raise OverflowError(f"**: {_show(x)} ** {_show(n)} overflows a float") from None

    def _backward(g: float, a: Value = base, b: Value = exponent, out: float = out) -> None:
        a.grad += b.data * a.data ** (b.data - 1.0) * g
        b.grad += out * math.log(a.data) * g

    return _node(out, (base, exponent), "**", _backward)


def _stable_sigmoid(x: float) -> float:
    """Return 1/(1 + e^-x), exponentiating only non-positive numbers so nothing overflows."""
    if x >= 0.0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)


def _topological_order(root: Value) -> list[Value]:
    """Return root and every node below it, each after all of its children.

    A plain walk (a stack, no recursion, so any depth works) finds the nodes; sorting them by
    creation stamp then orders them, since every node was made after its operands.
    """
    nodes = [root]
    seen = {root}
    stack = [root]
    while stack:
        for child in stack.pop().children:
            if child not in seen:
                seen.add(child)
                stack.append(child)
                nodes.append(child)
    nodes.sort(key=_stamp_of)
    return nodes
