"""The `Value` class: a number that remembers how it was computed, so it can backpropagate.

Every primitive has the same short shape:

    1. wrap a plain-number operand as a Constant,
    2. compute the output number,
    3. return `_node(output, operands, name, backward rule)`,

and right below it comes its backward rule, `_<name>_backward(out, g)`, which adds
``local derivative * g`` into the grad of each operand in `out.children` (reading the output
value, where the derivative needs it, from `out.data`).

`backward()` walks the graph from the root, orders the nodes it found latest-made first (which
puts every node after all its parents), and calls each node's rule with that node's gradient: the
chain rule, one node at a time. A relu that output 0 passes nothing down, so the walk does not go
below it: in a ReLU network, most of the graph is often behind dead units and met margins.

micrograd builds a new closure for every node, and the closure captures the node itself. That is a
reference cycle per node (node -> closure -> node), so no graph is ever freed by reference
counting, and Python's cycle collector ends up taking most of micrograd's time. lossgrad's rules
are shared by every node of an operation and receive the node as an argument: a graph holds no
cycles and is freed the moment its root is dropped, and a node costs a Value and a tuple of
operands, about half the memory and build time of a closure per node.
"""

from __future__ import annotations

import itertools
import math
import numbers
import operator
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import SupportsFloat, Union, cast

__all__ = ["Value", "Constant", "no_grad", "is_grad_enabled", "Number", "Operand"]

Number = Union[int, float]
Operand = Union["Value", Number]
Backward = Callable[["Value", float], None]

# Read on every operation: a module global is the cheapest thing to look up.
_grad_enabled = True

# Every Value gets the next stamp when it is made. A node is always made after its operands, so
# ordering nodes by stamp puts every child before its parents: a topological order for free.
_next_stamp = itertools.count().__next__
_stamp_of = operator.attrgetter("_stamp")


class _Pass:
    """The mark one backward() call leaves on each node it visits (the node's `_pass`)."""

    __slots__ = ("__weakref__",)


# The passes some of whose nodes are still alive, holding the gradients those passes gave them.
# A pass disappears from the set when the last node it marked is freed.
_passes_alive: weakref.WeakSet[_Pass] = weakref.WeakSet()


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
        value = float(cast(SupportsFloat, x))  # a 0-d numpy array (the dtype check leaves out complex and object)
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

    __slots__ = ("data", "grad", "label", "op", "children", "_backward", "_stamp", "_pass", "__weakref__")

    data: float
    grad: float
    label: str
    op: str
    children: tuple[Value, ...]
    _backward: Backward | None
    _stamp: int
    _pass: _Pass | None  # the last backward() that visited this node

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
        self._pass = None

    # ------------------------------------------------------------------ plumbing

    def __repr__(self) -> str:
        parts = [f"data={self.data:.6g}", f"grad={self.grad:.6g}"]
        if self.label:
            parts.insert(0, f"label={self.label!r}")
        if self.op:
            parts.append(f"op={self.op!r}")
        # A dot node (engine.nary.DotNode) is a Value that stores its operands differently: it prints as one.
        return f"{'Constant' if isinstance(self, Constant) else 'Value'}({', '.join(parts)})"

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
    # Each primitive computes its output and names its backward rule; the rule, defined right
    # below it, adds local derivative × g into each operand's grad, reading the operands from
    # `out.children` and anything else it needs from `out.data`.

    def __add__(self, other: Operand) -> Value:
        """a + b; d/da = 1, d/db = 1."""
        other = other if isinstance(other, Value) else Constant(other)
        return _node(self.data + other.data, (self, other), "+", Value._add_backward)

    @staticmethod
    def _add_backward(out: Value, g: float) -> None:
        a, b = out.children
        a.grad += g
        b.grad += g

    def __sub__(self, other: Operand) -> Value:
        """a - b; d/da = 1, d/db = -1."""
        other = other if isinstance(other, Value) else Constant(other)
        return _node(self.data - other.data, (self, other), "-", Value._sub_backward)

    @staticmethod
    def _sub_backward(out: Value, g: float) -> None:
        a, b = out.children
        a.grad += g
        b.grad -= g

    def __mul__(self, other: Operand) -> Value:
        """a * b; d/da = b, d/db = a."""
        other = other if isinstance(other, Value) else Constant(other)
        return _node(self.data * other.data, (self, other), "*", Value._mul_backward)

    @staticmethod
    def _mul_backward(out: Value, g: float) -> None:
        a, b = out.children
        a.grad += b.data * g
        b.grad += a.data * g

    def __truediv__(self, other: Operand) -> Value:
        """a / b; d/da = 1/b, d/db = -a/b²."""
        other = other if isinstance(other, Value) else Constant(other)
        if other.data == 0.0:
            raise ZeroDivisionError(f"/: division by zero ({_show(self.data)} / 0.0)")
        return _node(self.data / other.data, (self, other), "/", Value._div_backward)

    @staticmethod
    def _div_backward(out: Value, g: float) -> None:
        a, b = out.children
        a.grad += g / b.data
        b.grad -= g * out.data / b.data  # -a/b² = -(a/b)/b

    def __pow__(self, exponent: Operand) -> Value:
        """a ** b; d/da = b·a^(b-1), d/db = a^b·ln a (a number b becomes a Constant operand)."""
        if isinstance(exponent, Value):
            if self.data <= 0.0:
                raise ValueError(
                    f"**: a Value exponent needs a positive base, got base {_show(self.data)} "
                    "(use a number exponent for a non-positive base)"
                )
        else:
            exponent = Constant(_to_float(exponent, "**", "exponent"))
        x, n = self.data, exponent.data
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
        return _node(out, (self, exponent), "**", Value._pow_backward)

    @staticmethod
    def _pow_backward(out: Value, g: float) -> None:
        a, b = out.children
        x, n = a.data, b.data
        if n != 0.0:  # a ** 0 is the constant 1
            if x == 0.0 and n < 1.0:
                raise ZeroDivisionError(f"**: the derivative {_show(n)}·x^{_show(n - 1)} is infinite at x = 0.0")
            a.grad += n * x ** (n - 1.0) * g
        if x > 0.0:  # ln a exists; a base <= 0 only ever has a Constant exponent
            b.grad += out.data * math.log(x) * g

    def __neg__(self) -> Value:
        """-a; d/da = -1."""
        return _node(-self.data, (self,), "neg", Value._neg_backward)

    @staticmethod
    def _neg_backward(out: Value, g: float) -> None:
        (a,) = out.children
        a.grad -= g

    def __abs__(self) -> Value:
        """|a|; d/da = sign(a), and 0 at a = 0 (as PyTorch)."""
        return _node(abs(self.data), (self,), "abs", Value._abs_backward)

    @staticmethod
    def _abs_backward(out: Value, g: float) -> None:
        (a,) = out.children
        if a.data > 0.0:
            a.grad += g
        elif a.data < 0.0:
            a.grad -= g

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
        return _node(e, (self,), "exp", Value._exp_backward)

    @staticmethod
    def _exp_backward(out: Value, g: float) -> None:
        (a,) = out.children
        a.grad += out.data * g

    def log(self) -> Value:
        """ln a for a > 0; d/da = 1/a."""
        if self.data <= 0.0:
            raise ValueError(f"log: operand must be > 0, got {_show(self.data)}")
        return _node(math.log(self.data), (self,), "log", Value._log_backward)

    @staticmethod
    def _log_backward(out: Value, g: float) -> None:
        (a,) = out.children
        a.grad += g / a.data

    def sqrt(self) -> Value:
        """√a for a ≥ 0; d/da = 1/(2√a)."""
        if self.data < 0.0:
            raise ValueError(f"sqrt: operand must be >= 0, got {_show(self.data)}")
        return _node(math.sqrt(self.data), (self,), "sqrt", Value._sqrt_backward)

    @staticmethod
    def _sqrt_backward(out: Value, g: float) -> None:
        (a,) = out.children
        if out.data == 0.0:
            raise ZeroDivisionError("sqrt: the derivative 1/(2·sqrt(x)) is infinite at x = 0.0")
        a.grad += 0.5 * g / out.data

    def tanh(self) -> Value:
        """tanh a; d/da = 1 - tanh²a."""
        return _node(math.tanh(self.data), (self,), "tanh", Value._tanh_backward)

    @staticmethod
    def _tanh_backward(out: Value, g: float) -> None:
        (a,) = out.children
        a.grad += (1.0 - out.data * out.data) * g

    def sigmoid(self) -> Value:
        """σ(a) = 1/(1 + e^-a); d/da = σ(a)(1 - σ(a))."""
        return _node(_stable_sigmoid(self.data), (self,), "sigmoid", Value._sigmoid_backward)

    @staticmethod
    def _sigmoid_backward(out: Value, g: float) -> None:
        (a,) = out.children
        a.grad += out.data * (1.0 - out.data) * g

    def relu(self) -> Value:
        """max(0, a); d/da = 1 for a > 0, else 0."""
        x = self.data
        return _node(x if x > 0.0 else 0.0, (self,), "relu", Value._relu_backward)

    @staticmethod
    def _relu_backward(out: Value, g: float) -> None:
        (a,) = out.children
        if a.data > 0.0:
            a.grad += g

    def softplus(self) -> Value:
        """ln(1 + e^a); d/da = σ(a)."""
        x = self.data
        # ln(1 + e^x) = max(x, 0) + ln(1 + e^-|x|): the exp never sees a positive argument.
        out = (x if x > 0.0 else 0.0) + math.log1p(math.exp(-abs(x)))
        return _node(out, (self,), "softplus", Value._softplus_backward)

    @staticmethod
    def _softplus_backward(out: Value, g: float) -> None:
        (a,) = out.children
        a.grad += _stable_sigmoid(a.data) * g

    def clip(self, lo: Number, hi: Number) -> Value:
        """min(max(a, lo), hi); d/da = 1 inside [lo, hi], 0 outside (as numpy's clip in the post's BCE)."""
        lo = _to_float(lo, "clip", "lo")
        hi = _to_float(hi, "clip", "hi")
        if lo > hi:
            raise ValueError(f"clip: lo must be <= hi, got lo={_show(lo)}, hi={_show(hi)}")
        return _node(min(max(self.data, lo), hi), (self,), "clip", Value._clip_backward)

    @staticmethod
    def _clip_backward(out: Value, g: float) -> None:
        (a,) = out.children
        if out.data == a.data:  # inside [lo, hi] (bounds included), clipping left a unchanged
            a.grad += g

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
        return Constant(base) ** self

    # ------------------------------------------------------------------ backpropagation

    def backward(self) -> None:
        """Fill in d(self)/d(node) for every node below self that the gradient reaches, accumulating into the leaves.

        Every node reached has its gradient reset to 0 first, so calling backward twice gives each
        leaf exactly twice the gradient of one call (as in PyTorch) and every other node the same
        gradient again. Nodes only a dead relu leads to are not reached (see `_reached_nodes`).
        """
        if self._backward is None:  # a leaf: d(self)/d(self) = 1, accumulated like any leaf
            self.grad += 1.0
            return
        order = _reached_nodes(self)
        for node in order:
            node.grad = 0.0
        self.grad = 1.0
        for node in reversed(order):  # latest-made first: each node after all its parents
            if node.grad:  # a zero gradient adds nothing to the operands (a met margin, a dead unit)
                node._backward(node, node.grad)  # type: ignore[misc]  # the walk keeps only nodes with a rule

    def zero_grad(self) -> None:
        """Set the gradient of every node of the graph below self (self included) to 0."""
        for node in _all_nodes(self):
            node.grad = 0.0


class Constant(Value):
    """A plain number that an operator wrapped as a Value (the 2 in ``x * 2``).

    It behaves exactly like a Value; the class only lets drawings tell constants from inputs.
    """

    __slots__ = ()


def _data(other: Operand, where: str) -> float:
    return other.data if isinstance(other, Value) else _to_float(other, where, "operand")


def _node(data: float, children: tuple[Value, ...], op: str, backward: Backward) -> Value:
    """Return the Value for an operation's result, recording its operands and backward rule unless in no_grad."""
    if data != data:
        raise _nan_result(op, children)
    out = Value.__new__(Value)
    out.data = data
    out.grad = 0.0
    out.label = ""
    out.op = op
    out._stamp = _next_stamp()
    out._pass = None
    if _grad_enabled:
        out.children = children
        out._backward = backward
    else:
        out.children = ()
        out._backward = None
    return out


def _nan_result(op: str, operands: tuple[Value, ...]) -> ValueError:
    """Return the error for an operation whose result came out NaN, showing its first operands."""
    shown = ", ".join(_show(c.data) for c in operands[:6])
    more = f", ... ({len(operands)} operands)" if len(operands) > 6 else ""
    return ValueError(f"{op}: the result is NaN (undefined) for operand(s) {shown}{more}")


def _stable_sigmoid(x: float) -> float:
    """Return 1/(1 + e^-x), exponentiating only non-positive numbers so nothing overflows."""
    if x >= 0.0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)


def _reached_nodes(root: Value) -> list[Value]:
    """Return root and the operation nodes below it that its gradient can reach, each after its operands.

    A plain walk (a stack, no recursion, so any depth works) finds the nodes; sorting them by
    creation stamp then orders them, since every node was made after its operands. Leaves have no
    backward rule and no gradient to reset, so the walk passes over them.

    A relu that output 0 passes no gradient to its operand whatever gradient reaches it, so the
    walk does not go below one: the nodes only it leads to keep the gradient they have, the 0 they
    were made with (unless set by hand). The exception is a node that an earlier backward() gave a
    gradient and that is still alive: while any such node exists (`_passes_alive`), the walk goes
    below dead relus too, and every node it finds is reset. Each node found is marked with this
    walk's `_Pass`, which tells the walk it has been there and keeps the pass in `_passes_alive`
    for as long as the node lives.
    """
    this_pass = _Pass()
    skip_dead_relus = not _passes_alive  # no old gradient can be sitting below a dead relu
    root._pass = this_pass
    nodes = [root]
    stack = [root]
    while stack:
        node = stack.pop()
        if skip_dead_relus and node.data == 0.0 and node._backward is Value._relu_backward:
            continue
        for child in node.children:
            if child._backward is not None and child._pass is not this_pass:
                child._pass = this_pass
                stack.append(child)
                nodes.append(child)
    nodes.sort(key=_stamp_of)
    _passes_alive.add(this_pass)
    return nodes


def _all_nodes(root: Value) -> list[Value]:
    """Return root and every node below it, leaves included, each once (in no particular order)."""
    nodes = [root]
    seen = {root}
    for node in nodes:  # the list grows as the walk finds new nodes
        for child in node.children:
            if child not in seen:
                seen.add(child)
                nodes.append(child)
    return nodes
