"""The `Value` class: a number that remembers how it was computed, so it can backpropagate.

Every primitive has the same short shape, as in micrograd:

    1. wrap a plain-number operand as a Constant,
    2. compute the output number,
    3. return ``_node(output, operands, name, derivatives)``,

and right below it come its local derivatives, ``_<name>_derivatives(out)``: the tuple
d out / d operand, one number per operand in `out.children`, read from the operands' data (and,
where that is cheaper, from `out.data`). That is the whole of an operation's calculus.

`backward()` is the chain rule, one node at a time: walk the graph from the root, order the nodes
so that every node comes after all its parents, and at each node add ``local derivative × the
node's gradient`` into each operand (`Value._chain_rule`; the dot node, the most common node of a
network, makes the same additions without first listing its 2n local derivatives). A primitive
whose local derivatives are all zero at its inputs (a relu of a negative number, a clip outside its
bounds) says so by taking the rule `_no_gradient`, and the walk does not go below it: in a ReLU
network, most of a late training step sits behind such units.

micrograd builds a new closure for every node, and the closure captures the node itself. That is a
reference cycle per node (node -> closure -> node), so no graph is ever freed by reference
counting, and Python's cycle collector ends up taking most of micrograd's time. lossgrad's rules
are shared by every node of an operation and receive the node as an argument: a graph holds no
cycles and is freed the moment its root is dropped.

Numbers are finite floats throughout: a result or a gradient that would be NaN or infinite raises
an error naming the operation and its operands instead of surfacing three calls later. A result is
checked where it is made; a gradient where it lands (at each node, and at the leaves after the
pass), and only then is the pass run again, checking every addition, to say which one it was.
"""

from __future__ import annotations

import builtins
import functools
import gc
import itertools
import math
import numbers
import operator
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import NamedTuple, SupportsFloat, Union, cast

__all__ = [
    "OPERATIONS",
    "BackwardStep",
    "Constant",
    "Number",
    "Operand",
    "Rows",
    "Value",
    "check_real",
    "dot",
    "dots",
    "is_grad_enabled",
    "no_grad",
    "sum",
]

Number = int | float
Operand = Union["Value", Number]
Derivatives = Callable[["Value"], Sequence[float]]

# The names of every operation a node can record, for tools that check a graph was built of them.
OPERATIONS = frozenset(
    [
        "+",
        "-",
        "*",
        "/",
        "**",
        "neg",
        "abs",
        "exp",
        "log",
        "sqrt",
        "tanh",
        "sigmoid",
        "relu",
        "leaky_relu",
        "softplus",
        "clip",
        "sum",
        "dot",
    ]
)


# ---------------------------------------------------------------------------- recording on or off


class _GradMode(threading.local):
    """Whether this thread records the graph: each thread has its own, as in PyTorch."""

    enabled = True


_grad_mode = _GradMode()
# How many threads are inside no_grad right now. Making a node reads this module global first,
# so the thread-local flag is looked up only while some thread has switched recording off.
_threads_in_no_grad = 0
_no_grad_lock = threading.Lock()


@contextmanager
def no_grad() -> Iterator[None]:
    """Return a context in which this thread's operations compute values without recording the graph.

    >>> from engine import Value, no_grad
    >>> x = Value(3.0)
    >>> with no_grad():
    ...     y = x * x
    >>> y.data, y.children
    (9.0, ())
    """
    global _threads_in_no_grad
    previous = _grad_mode.enabled
    with _no_grad_lock:
        _threads_in_no_grad += 1
    _grad_mode.enabled = False
    try:
        yield
    finally:
        _grad_mode.enabled = previous
        with _no_grad_lock:
            _threads_in_no_grad -= 1


def is_grad_enabled() -> bool:
    """Return True when this thread's operations record the graph (outside `no_grad`)."""
    return _grad_mode.enabled


# ---------------------------------------------------------------------------- numbers in


def check_real(x: object, where: str, argument: str = "data") -> float:
    """Return x as a finite Python float, or raise an error naming `where` and `argument`.

    Accepts int, float, bool, fractions, numpy real scalars and 0-d real arrays; refuses NaN and
    ±inf (ValueError), numbers beyond the float range (OverflowError) and anything else (TypeError).

    >>> check_real(2, "demo")
    2.0
    >>> check_real(float("inf"), "demo", "x")
    Traceback (most recent call last):
      ...
    ValueError: demo: x must be finite, got inf
    """
    if type(x) is float:  # the common case, checked first
        value = x
    else:
        if isinstance(x, numbers.Real) or (
            getattr(x, "shape", None) == () and getattr(getattr(x, "dtype", None), "kind", "?") in "biuf"
        ):
            try:
                value = float(cast(SupportsFloat, x))
            except OverflowError:
                raise OverflowError(f"{where}: {argument} is beyond the float range, got {_shown(x)}") from None
        else:
            shape = getattr(x, "shape", None)
            what = type(x).__name__ if shape is None else f"{type(x).__name__} of shape {shape}"
            raise TypeError(f"{where}: {argument} must be a real number, got {what}: {_shown(x)}")
    if value - value != 0.0:  # NaN or ±inf
        if value != value:
            raise ValueError(f"{where}: {argument} must not be NaN")
        raise ValueError(f"{where}: {argument} must be finite, got {value}")
    return value


def _shown(x: object) -> str:
    """Return repr(x) cut to about 80 characters (a huge int's repr is refused by Python itself)."""
    try:
        return _shorten(repr(x))
    except ValueError:  # an int past sys.get_int_max_str_digits()
        return f"an int of {x.bit_length()} bits" if isinstance(x, int) else type(x).__name__


def _shorten(text: str, limit: int = 80) -> str:
    """Return text cut to about `limit` characters, for showing a bad value in a message."""
    return text if len(text) <= limit else f"{text[: limit - 14]}... ({len(text)} chars)"


def _show(x: float) -> str:
    """Return a short text for a number in an error message."""
    return repr(x)


# ---------------------------------------------------------------------------- the Value


class Value:
    """A scalar that records the operations producing it, so `backward()` can fill in gradients.

    ``data`` is the number, ``grad`` d(root)/d(this value) after ``root.backward()``, ``children``
    the operands it was computed from (in order), ``op`` the operation's name (``""`` for a leaf)
    and ``args`` the operation's number parameters (clip's bounds, leaky_relu's slope; ``()`` for
    the others).

    >>> a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    >>> c = a * b + a
    >>> c.backward()
    >>> c.data, a.grad, b.grad
    (-4.0, -2.0, 2.0)

    ``Value(v)`` of another Value is a new leaf holding v's number (as ``torch.tensor(t)`` copies),
    so ``Value(logit(0.01))`` starts a fresh graph at that logit.

    Comparisons: ``<``, ``<=``, ``>``, ``>=`` compare the numbers (so ``max(values)`` and sorting
    work), but ``==`` and ``hash`` are by identity, as for any Python object: two different nodes
    that hold the same number are still two nodes, and Values can be kept in sets and dicts (the
    graph walk does). So ``Value(0.5) == 0.5`` is False while ``Value(0.5) >= 0.5`` is True; compare
    ``v.data`` (or ``float(v)``) to compare numbers. ``float(v)``, ``round(v, 4)`` and f-strings
    such as ``f"{v:.4f}"`` give plain numbers.
    """

    # Slots keep a node small (no per-object dict); one more field costs 8 bytes on every node.
    __slots__ = ("_derivatives", "_mark", "_stamp", "args", "children", "data", "grad", "label", "op")

    data: float
    grad: float
    label: str
    op: str
    args: tuple[float, ...]
    children: tuple[Value, ...]
    _derivatives: Derivatives | None  # None for a leaf
    _stamp: int  # the order of creation, which is a topological order (see _reached_nodes)
    _mark: object  # the token of the last graph walk that found this node

    def __init__(self, data: object, label: str = "") -> None:
        if type(label) is not str:
            raise TypeError(f"Value: label must be a str, got {type(label).__name__}")
        # A finite float (the common case) is stored as it is; anything else is checked.
        if type(data) is not float or data - data != 0.0:
            if isinstance(data, Value):  # Value(v): a new leaf holding v's number; v's graph is not copied
                data = data.data
            data = check_real(data, "Value")
        self.data = data
        self.grad = 0.0
        self.label = label
        self.op = ""
        self.args = ()
        self.children = ()
        self._derivatives = None
        self._stamp = _next_stamp()
        self._mark = None

    # ------------------------------------------------------------------ plumbing

    def __repr__(self) -> str:
        parts = [f"data={self.data:.6g}", f"grad={self.grad:.6g}"]
        if self.label:
            parts.insert(0, f"label={self.label!r}")
        if self.op:
            parts.append(f"op={self.op!r}")
        # A dot node (DotNode) is a Value that stores its operands differently: it prints as one.
        return f"{'Constant' if isinstance(self, Constant) else 'Value'}({', '.join(parts)})"

    def __float__(self) -> float:
        return self.data

    def __round__(self, ndigits: int | None = None) -> float:
        # A float, not a Value: round() is for printing numbers, not for graphs.
        return float(round(self.data, ndigits))

    def rint(self) -> float:
        """Return the number rounded to the nearest integer, as a float (what ``np.round`` calls).

        >>> import numpy as np
        >>> print(np.round([Value(0.55854), Value(0.12463)], 4))
        [0.5585 0.1246]
        """
        return float(round(self.data))

    def __format__(self, spec: str) -> str:
        # Lets the post's f-strings, such as f"{loss:.4f}", print a Value like a float.
        return format(self.data, spec) if spec else repr(self)

    def __lt__(self, other: Operand) -> bool:
        return self.data < _data(other, "<")

    def __le__(self, other: Operand) -> bool:
        return self.data <= _data(other, "<=")

    def __gt__(self, other: Operand) -> bool:
        return self.data > _data(other, ">")

    def __ge__(self, other: Operand) -> bool:
        return self.data >= _data(other, ">=")

    def local_derivatives(self) -> tuple[float, ...]:
        """Return d(self)/d(operand) for each operand in `children`, in order (``()`` for a leaf).

        >>> a, b = Value(2.0), Value(-3.0)
        >>> (a * b).local_derivatives()
        (-3.0, 2.0)
        """
        if self._derivatives is None or not self.children:
            return ()
        return tuple(self._derivatives(self))

    def _chain_rule(self, g: float) -> None:
        """Add ``local derivative × g`` into the grad of each operand, in the order of `children`.

        backward() calls it on each node with the node's own gradient g: the chain rule, one node.
        """
        for child, d in zip(self.children, self._derivatives(self)):  # type: ignore[misc]  # not a leaf
            child.grad += d * g

    # ------------------------------------------------------------------ primitives

    def __add__(self, other: Operand) -> Value:
        """a + b; d/da = 1, d/db = 1."""
        other = _as_value(other, "+")
        return _node(self.data + other.data, (self, other), "+", Value._add_derivatives)

    @staticmethod
    def _add_derivatives(out: Value) -> tuple[float, float]:
        return 1.0, 1.0

    def __sub__(self, other: Operand) -> Value:
        """a - b; d/da = 1, d/db = -1."""
        other = _as_value(other, "-")
        return _node(self.data - other.data, (self, other), "-", Value._sub_derivatives)

    @staticmethod
    def _sub_derivatives(out: Value) -> tuple[float, float]:
        return 1.0, -1.0

    def __mul__(self, other: Operand) -> Value:
        """a * b; d/da = b, d/db = a."""
        other = _as_value(other, "*")
        return _node(self.data * other.data, (self, other), "*", Value._mul_derivatives)

    @staticmethod
    def _mul_derivatives(out: Value) -> tuple[float, float]:
        a, b = out.children
        return b.data, a.data

    def __truediv__(self, other: Operand) -> Value:
        """a / b; d/da = 1/b, d/db = -a/b²."""
        other = _as_value(other, "/")
        if other.data == 0.0:
            raise ZeroDivisionError(f"/: division by zero ({_show(self.data)} / 0.0)")
        return _node(self.data / other.data, (self, other), "/", Value._div_derivatives)

    @staticmethod
    def _div_derivatives(out: Value) -> tuple[float, float]:
        _, b = out.children
        return 1.0 / b.data, -out.data / b.data  # -a/b² = -(a/b)/b, which overflows only if it must

    def __pow__(self, exponent: Operand) -> Value:
        """a ** b; d/da = b·a^(b-1), d/db = a^b·ln a (a number b becomes a Constant operand)."""
        if isinstance(exponent, Value):
            if self.data <= 0.0:
                raise ValueError(
                    f"**: a Value exponent needs a positive base, got base {_show(self.data)} "
                    "(use a number exponent for a non-positive base)"
                )
        else:
            exponent = Constant(check_real(exponent, "**", "exponent"))
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
        return _node(out, (self, exponent), "**", Value._pow_derivatives)

    @staticmethod
    def _pow_derivatives(out: Value) -> tuple[float, float]:
        a, b = out.children
        x, n = a.data, b.data
        if n == 0.0:  # a ** 0 is the constant 1
            d_base = 0.0
        elif x == 0.0:  # n·0^(n-1): 0 for n > 1, n for n = 1, infinite for n < 1
            d_base = 0.0 if n > 1.0 else (n if n == 1.0 else math.inf)
        else:
            # n·x^(n-1) = n·out/x, from the output already computed: no second power to overflow,
            # and ordered so that a finite derivative stays finite.
            d_base = (n * out.data) / x if abs(n) <= 1.0 else n * (out.data / x)
        d_exponent = out.data * math.log(x) if x > 0.0 else 0.0  # a base <= 0 has a Constant exponent
        return d_base, d_exponent

    def __neg__(self) -> Value:
        """-a; d/da = -1."""
        return _node(-self.data, (self,), "neg", Value._neg_derivatives)

    @staticmethod
    def _neg_derivatives(out: Value) -> tuple[float]:
        return (-1.0,)

    def __abs__(self) -> Value:
        """|a|; d/da = sign(a), and 0 at a = 0 (as PyTorch)."""
        x = self.data
        if x == 0.0:
            return _node(0.0, (self,), "abs", _no_gradient)
        return _node(abs(x), (self,), "abs", Value._abs_derivatives)

    @staticmethod
    def _abs_derivatives(out: Value) -> tuple[float]:
        (a,) = out.children
        return (1.0 if a.data > 0.0 else -1.0,)

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
        return _node(e, (self,), "exp", Value._exp_derivatives)

    @staticmethod
    def _exp_derivatives(out: Value) -> tuple[float]:
        return (out.data,)

    def log(self) -> Value:
        """ln a for a > 0; d/da = 1/a."""
        if self.data <= 0.0:
            raise ValueError(f"log: operand must be > 0, got {_show(self.data)}")
        return _node(math.log(self.data), (self,), "log", Value._log_derivatives)

    @staticmethod
    def _log_derivatives(out: Value) -> tuple[float]:
        (a,) = out.children
        return (1.0 / a.data,)  # inf for a subnormal a: backward then names log

    def sqrt(self) -> Value:
        """√a for a ≥ 0; d/da = 1/(2√a)."""
        if self.data < 0.0:
            raise ValueError(f"sqrt: operand must be >= 0, got {_show(self.data)}")
        return _node(math.sqrt(self.data), (self,), "sqrt", Value._sqrt_derivatives)

    @staticmethod
    def _sqrt_derivatives(out: Value) -> tuple[float]:
        return (0.5 / out.data if out.data else math.inf,)  # infinite at 0: backward names sqrt

    def tanh(self) -> Value:
        """tanh a; d/da = 1 - tanh²a."""
        return _node(math.tanh(self.data), (self,), "tanh", Value._tanh_derivatives)

    @staticmethod
    def _tanh_derivatives(out: Value) -> tuple[float]:
        return (1.0 - out.data * out.data,)

    def sigmoid(self) -> Value:
        """σ(a) = 1/(1 + e^-a); d/da = σ(a)(1 - σ(a))."""
        return _node(_stable_sigmoid(self.data), (self,), "sigmoid", Value._sigmoid_derivatives)

    @staticmethod
    def _sigmoid_derivatives(out: Value) -> tuple[float]:
        return (out.data * (1.0 - out.data),)

    def relu(self) -> Value:
        """max(0, a); d/da = 1 for a > 0, else 0."""
        if self.data > 0.0:
            return _node(self.data, (self,), "relu", Value._relu_derivatives)
        return _node(0.0, (self,), "relu", _no_gradient)  # a dead unit: nothing passes below it

    @staticmethod
    def _relu_derivatives(out: Value) -> tuple[float]:
        return (1.0,)

    def leaky_relu(self, slope: Number = 0.01) -> Value:
        """a for a > 0, slope·a otherwise; d/da = 1 for a > 0, else slope (as PyTorch's at 0)."""
        slope = check_real(slope, "leaky_relu", "slope")
        x = self.data
        return _node(x if x > 0.0 else slope * x, (self,), "leaky_relu", Value._leaky_relu_derivatives, (slope,))

    @staticmethod
    def _leaky_relu_derivatives(out: Value) -> tuple[float]:
        (a,) = out.children
        (slope,) = out.args
        return (1.0 if a.data > 0.0 else slope,)

    def softplus(self) -> Value:
        """ln(1 + e^a); d/da = σ(a)."""
        x = self.data
        # ln(1 + e^x) = max(x, 0) + ln(1 + e^-|x|): the exp never sees a positive argument.
        out = (x if x > 0.0 else 0.0) + math.log1p(math.exp(-abs(x)))
        return _node(out, (self,), "softplus", Value._softplus_derivatives)

    @staticmethod
    def _softplus_derivatives(out: Value) -> tuple[float]:
        (a,) = out.children
        return (_stable_sigmoid(a.data),)

    def clip(self, lo: Number, hi: Number) -> Value:
        """min(max(a, lo), hi); d/da = 1 inside [lo, hi], 0 outside (as numpy's clip in the post's BCE)."""
        lo = check_real(lo, "clip", "lo")
        hi = check_real(hi, "clip", "hi")
        if lo > hi:
            raise ValueError(f"clip: lo must be <= hi, got lo={_show(lo)}, hi={_show(hi)}")
        x = self.data
        if lo <= x <= hi:
            return _node(x, (self,), "clip", Value._clip_derivatives, (lo, hi))
        return _node(lo if x < lo else hi, (self,), "clip", _no_gradient, (lo, hi))

    @staticmethod
    def _clip_derivatives(out: Value) -> tuple[float]:
        return (1.0,)  # inside the bounds, bounds included: a passes through unchanged

    # ------------------------------------------------------------------ derived operations

    def __radd__(self, other: Number) -> Value:  # other + self
        return _as_value(other, "+") + self

    def __rsub__(self, other: Number) -> Value:  # other - self
        return _as_value(other, "-") - self

    def __rmul__(self, other: Number) -> Value:  # other * self
        return _as_value(other, "*") * self

    def __rtruediv__(self, other: Number) -> Value:  # other / self
        return _as_value(other, "/") / self

    def __rpow__(self, base: Number) -> Value:  # base ** self
        return _as_value(base, "**") ** self

    # ------------------------------------------------------------------ backpropagation

    def backward(self) -> None:
        """Fill in d(self)/d(node) for every node below self that the gradient reaches.

        The chain rule, node by node: each node, after all the nodes that use it, adds
        ``local derivative × its own gradient`` into each operand's grad. Leaves accumulate (two
        calls give each leaf twice the gradient of one, as in PyTorch); every other node reached
        is reset first, so it holds this pass's gradient. A node that only a unit passing no
        gradient leads to (a dead relu, a clip outside its bounds) is not reached and keeps the
        gradient it had: 0 for a fresh graph. Before backpropagating a second loss through nodes
        an earlier backward() reached, ``zero_grad()`` clears them.

        Raises OverflowError (naming the operation and the operand) if a gradient would be
        infinite or NaN.
        """
        _backpropagate(self, None)

    def backward_steps(self) -> list[BackwardStep]:
        """Run `backward()` and return what it did: one BackwardStep per node, in the order it ran.

        The gradients left behind are exactly those of `backward()`. Each step gives the node, the
        gradient it arrived with, its local derivatives, and whether its contributions
        (``local derivative × grad``, one per operand) were added into the operands' grads; adding
        them in this order, from the gradients before the pass, gives exactly the final gradients.

        >>> from engine import Value
        >>> x = Value(3.0, label="x")
        >>> y = x * x + x
        >>> for step in y.backward_steps():
        ...     print(step.node.op, step.grad, step.local_derivatives, step.contributions)
        + 1.0 (1.0, 1.0) (1.0, 1.0)
        * 1.0 (3.0, 3.0) (3.0, 3.0)
        >>> x.grad
        7.0
        """
        steps: list[BackwardStep] = []
        # Two new tuples per node, all kept: the cyclic collector would scan them again and again
        # while finding nothing (steps and graphs hold no cycles), so it waits until the end.
        collecting = gc.isenabled()
        gc.disable()
        try:
            _backpropagate(self, steps)
        finally:
            if collecting:
                gc.enable()
        return steps

    def zero_grad(self) -> None:
        """Set the gradient of every node of the graph below self (self included) to 0."""
        for node in _all_nodes(self):
            node.grad = 0.0


class Constant(Value):
    """A plain number that an operator wrapped as a Value (the 2 in ``x * 2``).

    It behaves like a Value; the class lets drawings tell constants from inputs, and a gradient
    that overflows on a Constant is dropped rather than raised, since nobody asks for it.
    """

    __slots__ = ()


# ---------------------------------------------------------------------------- the backward pass


class BackwardStep(NamedTuple):
    """One node of a backward pass (see `Value.backward_steps`)."""

    node: Value
    grad: float  # d(root)/d(node): the gradient this node arrived with
    local_derivatives: tuple[float, ...]  # d node / d operand, one per operand in node.children
    added: bool  # whether the contributions went into the operands (not for a zero grad or a dead unit)

    @property
    def contributions(self) -> tuple[float, ...]:
        """Return ``local derivative × grad`` for each operand: what the chain rule adds into it."""
        return tuple(d * self.grad for d in self.local_derivatives)

    @property
    def passes_gradient(self) -> bool:
        """Return False at a unit whose local derivatives are all 0 here (a dead relu, a clip outside)."""
        return any(self.local_derivatives) or not self.local_derivatives


# BackwardStep(...) goes through a Python-level __new__; tuple.__new__ builds the same object in C,
# which keeps recording steps cheap next to the backward pass it records.
_new_step = functools.partial(tuple.__new__, BackwardStep)


def _backpropagate(root: Value, steps: list[BackwardStep] | None) -> None:
    """Do root.backward(), appending each node's BackwardStep to `steps` unless it is None."""
    if root._derivatives is None:  # a leaf: d(root)/d(root) = 1, accumulated like any leaf
        root.grad += 1.0
        return
    order, leaves = _reached_nodes(root)
    leaf_grads = [leaf.grad for leaf in leaves]  # what the leaves held, should the pass need a rerun
    for node in order:
        node.grad = 0.0
    root.grad = 1.0
    for node in reversed(order):  # latest-made first: each node after all its parents
        g = node.grad
        if g - g != 0.0:  # NaN or ±inf arrived here: rerun the pass to say from where
            _rerun_checking_each_gradient(root, order, leaves, leaf_grads, steps)
            return
        if g and node._derivatives is not _no_gradient:  # else it would only add zeros
            node._chain_rule(g)
            if steps is not None:
                steps.append(_new_step((node, g, node.local_derivatives(), True)))
        elif steps is not None:
            steps.append(_new_step((node, g, node.local_derivatives(), False)))
    if not all(map(math.isfinite, map(_grad_of, leaves))):
        _rerun_checking_each_gradient(root, order, leaves, leaf_grads, steps)


def _rerun_checking_each_gradient(
    root: Value,
    order: list[Value],
    leaves: list[Value],
    leaf_grads: list[float],
    steps: list[BackwardStep] | None,
) -> None:
    """Run the pass again from its start, checking every gradient added: the error path.

    The fast loop above checks a gradient only where it ends up, at each node before its rule
    runs and at the leaves after the pass, which is enough to know that something overflowed but
    not where. This rerun adds the same numbers in the same order and stops at the first
    contribution that is not finite, naming the operation and the operand; one into a Constant,
    whose gradient nobody asks for, is dropped instead, and the pass goes on.
    """
    for leaf, grad in zip(leaves, leaf_grads):
        leaf.grad = grad
    for node in order:
        node.grad = 0.0
    root.grad = 1.0
    if steps is not None:
        steps.clear()
    for node in reversed(order):
        g = node.grad
        if g and node._derivatives is not _no_gradient:
            derivatives = node._derivatives(node)  # type: ignore[misc]
            for child, d in zip(node.children, derivatives):
                grad = child.grad + d * g
                if grad - grad != 0.0:  # NaN or ±inf
                    grad = _non_finite_gradient(node, child, d, g)
                child.grad = grad
            if steps is not None:
                steps.append(_new_step((node, g, tuple(derivatives), True)))
        elif steps is not None:
            steps.append(_new_step((node, g, node.local_derivatives(), False)))


_grad_of = operator.attrgetter("grad")


# ---------------------------------------------------------------------------- n-ary nodes


def sum(values: Iterable[Operand]) -> Value:
    """Return the sum of values as one node; d/dv_i = 1 for every operand.

    ``a + b + c + d`` builds three binary nodes; ``sum([a, b, c, d])`` builds one.

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
    try:
        total = math.fsum([v.data for v in operands])  # exact rounding, and no overflow on the way
    except OverflowError:
        total = math.inf
    return _node(total, operands, "sum", _sum_derivatives)


def _sum_derivatives(out: Value) -> tuple[float, ...]:
    return (1.0,) * len(out.children)


def dot(a: Sequence[Operand], b: Sequence[Operand]) -> Value:
    """Return Σ a_i·b_i as one node; d/da_i = b_i, d/db_i = a_i.

    A neuron's pre-activation ``b + w·x`` is one dot node, ``[b, w_1, ..., w_n]·[1, x_1, ..., x_n]``,
    instead of 2n binary nodes: fewer Python objects, a shorter backward pass, and a drawing a
    learner can read. Its children are a_1, ..., a_n, b_1, ..., b_n.

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
    return _dot_node(left, right, builtins.sum(map(operator.mul, _numbers(left), _numbers(right))))


def dots(rows: Sequence[Sequence[Operand]], vectors: Iterable[Sequence[Operand]]) -> list[list[Value]]:
    """Return ``[[dot(row, v) for row in rows] for v in vectors]``: a layer's pre-activations for many inputs.

    The same nodes as those calls, made with each number read once: each row's numbers once for
    all the vectors, each vector's once for all the rows. This is the fast path of nn's layers
    (a row is a neuron's (bias, weights), a vector an input with a leading 1); rows and vectors
    that are tuples of Values are kept as they are, not copied, by every node that uses them.
    Rows given as `Rows` were checked when they were made and are not checked again.

    >>> from engine import Value, dots
    >>> rows = [(Value(1.0), Value(2.0)), (Value(-1.0), Value(0.5))]
    >>> [[z.data for z in zs] for zs in dots(rows, [(1.0, 3.0), (1.0, -1.0)])]
    [[7.0, 0.5], [-1.0, -1.5]]
    """
    checked_rows = rows if type(rows) is Rows else _checked_rows(rows, "dots")
    width = len(checked_rows[0])
    row_numbers = [_numbers(row) for row in checked_rows]
    if isinstance(vectors, (str, bytes, Value)):
        raise TypeError(f"dots: vectors must be an iterable of sequences, got {type(vectors).__name__}")
    out = []
    for j, vector in enumerate(vectors):
        checked = _as_values(vector, "dots", "vectors", j)
        if len(checked) != width:
            raise ValueError(f"dots: vectors[{j}] must have {width} entries (the rows' length), got {len(checked)}")
        numbers = _numbers(checked)
        out.append(
            [
                _dot_node(row, checked, builtins.sum(map(operator.mul, row_number, numbers)))
                for row, row_number in zip(checked_rows, row_numbers)
            ]
        )
    return out


class Rows(tuple[tuple["Value", ...], ...]):
    """Rows for `dots`: a non-empty tuple of tuples of Values, all of one length, checked once.

    Plain numbers in a row become Constants. A layer makes one from its neurons' (bias, weights)
    tuples when it is built and hands it to `dots` on every forward pass, which then skips the
    checks it makes of any other rows; the tuples are immutable, so the check stays true. The
    row tuples are kept as they are: every dot node made from a row shares it.

    >>> from engine import Rows, Value
    >>> rows = Rows([(Value(1.0), 2.0), (Value(-1.0), Value(0.5))])
    >>> len(rows), rows.width, rows[0][1]
    (2, 2, Constant(data=2, grad=0))
    >>> Rows([(Value(1.0),), (Value(1.0), Value(2.0))])
    Traceback (most recent call last):
      ...
    ValueError: Rows: every row must have the same non-zero length, rows[1] has 2
    """

    __slots__ = ()

    def __new__(cls, rows: Iterable[Sequence[Operand]]) -> Rows:
        return super().__new__(cls, _checked_rows(rows, "Rows"))

    @property
    def width(self) -> int:
        """The length of every row."""
        return len(self[0])


class DotNode(Value):
    """The node of a dot product a·b, which keeps its operand tuples a and b as they were given.

    Its `children` are still (a_1, ..., a_n, b_1, ..., b_n), put together when asked. Keeping the
    two tuples apart is what makes a neuron cheap: a neuron's a is its own (bias, weights) tuple
    and its b the (1, x) tuple that every neuron of its layer shares, so a forward pass makes no
    new tuple per neuron for Python to allocate, scan for cycles and free
    (``python -m benchmarks`` measures the training step this is for).
    """

    __slots__ = ("a", "b")

    a: tuple[Value, ...]
    b: tuple[Value, ...]

    @property
    def children(self) -> tuple[Value, ...]:  # type: ignore[override]  # read-only: the operands are a and b
        """The operands a_1, ..., a_n, b_1, ..., b_n."""
        return self.a + self.b

    def _chain_rule(self, g: float) -> None:
        """Value's chain rule for a dot node: the same additions in the same order (every a_i, then
        every b_i), reading each operand where it is instead of first building `children` and the
        2n local derivatives. Most of a network's backward pass is here (``python -m benchmarks``)."""
        a, b = self.a, self.b
        for x, y in zip(a, b):
            x.grad += y.data * g
        for x, y in zip(a, b):
            y.grad += x.data * g


def _dot_derivatives(out: DotNode) -> list[float]:
    return [y.data for y in out.b] + [x.data for x in out.a]


# ---------------------------------------------------------------------------- making nodes


_next_stamp = itertools.count().__next__


def _node(
    data: float, children: tuple[Value, ...], op: str, derivatives: Derivatives, args: tuple[float, ...] = ()
) -> Value:
    """Return the Value of an operation's result: the one place an operation's node is made.

    It records the operands and their local derivatives unless this thread is in no_grad, and
    refuses a NaN or infinite result, naming the operation.
    """
    if data - data != 0.0:  # NaN or ±inf
        raise _non_finite_result(op, children, data)
    out = Value.__new__(Value)
    out.data = data
    out.grad = 0.0
    out.label = ""
    out.op = op
    out.args = args
    out._stamp = _next_stamp()
    out._mark = None
    if _threads_in_no_grad and not _grad_mode.enabled:
        out.children, out._derivatives = (), None
    else:
        out.children, out._derivatives = children, derivatives
    return out


def _dot_node(a: tuple[Value, ...], b: tuple[Value, ...], total: float) -> Value:
    """Return `_node`'s node for a dot product, with the operands kept as the tuples a and b.

    The fields are `_node`'s, set in the same order; only where the operands go differs (see
    DotNode). It is a copy rather than a call of `_node` because the dot node is the one made
    most often (one per neuron and input): going through `_node` with a class argument and a
    setter for the pair doubled the time to make one (measure with ``python -m benchmarks``).
    """
    if total - total != 0.0:
        raise _non_finite_result("dot", a + b, total)
    out = DotNode.__new__(DotNode)
    out.data = total
    out.grad = 0.0
    out.label = ""
    out.op = "dot"
    out.args = ()
    out._stamp = _next_stamp()
    out._mark = None
    if _threads_in_no_grad and not _grad_mode.enabled:
        out.a, out.b, out._derivatives = (), (), None
    else:
        out.a, out.b, out._derivatives = a, b, _dot_derivatives  # type: ignore[assignment]
    return out


def _no_gradient(out: Value) -> tuple[float, ...]:
    """The local derivatives of a node that passes no gradient here: all 0.

    A primitive takes this rule when every local derivative is 0 at its inputs (a relu of a
    negative number, a clip outside its bounds); backward() then does not walk below the node.
    """
    return (0.0,) * len(out.children)


def _as_value(x: Operand, where: str) -> Value:
    """Return x if it is a Value, else x wrapped as a Constant (an error names the operation)."""
    if isinstance(x, Value):
        return x
    return Constant(check_real(x, where, "operand"))


def _as_values(items: Iterable[Operand], where: str, argument: str, index: int | None = None) -> tuple[Value, ...]:
    """Return items as a tuple of Values, wrapping plain numbers as Constants.

    `index` names one of several sequences in messages (``rows[3]``); it is formatted only when
    something is wrong, since nn's layers pass every row through here on every forward pass.
    """
    if type(items) is tuple and all(map(isinstance, items, itertools.repeat(Value))):
        return cast(tuple[Value, ...], items)  # the common case: nothing to wrap, a tuple kept as it is
    name = argument if index is None else f"{argument}[{index}]"
    if isinstance(items, (str, bytes, bytearray, memoryview, Value, dict)) or not isinstance(items, Iterable):
        raise TypeError(f"{where}: {name} must be a sequence of Values or numbers, got {type(items).__name__}")
    values = tuple(items)
    return tuple(
        v if isinstance(v, Value) else Constant(check_real(v, where, f"{name}[{i}]")) for i, v in enumerate(values)
    )


def _checked_rows(rows: Iterable[Sequence[Operand]], where: str) -> Sequence[tuple[Value, ...]]:
    """Return rows as equal-length, non-empty tuples of Values, or raise naming `where` and the row."""
    if not (type(rows) is list or type(rows) is tuple):  # checked first: the ABC checks are slow
        if isinstance(rows, (str, bytes, bytearray, Value, dict)) or not isinstance(rows, Iterable):
            raise TypeError(f"{where}: rows must be an iterable of sequences, got {_shorten(repr(rows))}")
        rows = list(rows)
    if not rows:
        raise ValueError(f"{where}: rows must not be empty")
    if _are_tuples_of_values(rows):  # the common case (a layer's parameters), checked in C
        checked = cast(Sequence[tuple[Value, ...]], rows)
    else:
        checked = [_as_values(row, where, "rows", i) for i, row in enumerate(rows)]
    width = len(checked[0])
    if not width or len(set(map(len, checked))) != 1:
        lengths = [len(row) for row in checked]
        i = next(i for i, n in enumerate(lengths) if n != width or not n)
        raise ValueError(f"{where}: every row must have the same non-zero length, rows[{i}] has {lengths[i]}")
    return checked


def _are_tuples_of_values(rows: Sequence[object]) -> bool:
    """Return True if every row is a tuple whose entries are all Values (of the engine's classes).

    The same answer as checking each row with isinstance, in two passes that stay in C: nn's
    layers call `dots` with the same rows on every forward pass of micrograd's loop.
    """
    return set(map(type, rows)) == {tuple} and _VALUE_CLASSES.issuperset(map(type, itertools.chain.from_iterable(rows)))  # type: ignore[arg-type]


def _numbers(values: tuple[Value, ...]) -> list[float]:
    return [v.data for v in values]  # faster than map(attrgetter("data"), ...) on slotted objects


_VALUE_CLASSES = frozenset({Value, Constant, DotNode})


def _data(other: Operand, where: str) -> float:
    return other.data if isinstance(other, Value) else check_real(other, where, "operand")


def _stable_sigmoid(x: float) -> float:
    """Return 1/(1 + e^-x), exponentiating only non-positive numbers so nothing overflows."""
    if x >= 0.0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)


# ---------------------------------------------------------------------------- errors


def _operands_text(operands: Sequence[Value]) -> str:
    shown = ", ".join(_show(c.data) for c in list(operands[:6]))
    return shown + (f", ... ({len(operands)} operands)" if len(operands) > 6 else "")


def _non_finite_result(op: str, operands: Sequence[Value], data: float) -> ArithmeticError | ValueError:
    """Return the error for an operation whose result came out NaN or infinite."""
    if data != data:
        return ValueError(f"{op}: the result is NaN (undefined) for operand(s) {_operands_text(operands)}")
    return OverflowError(f"{op}: the result overflows a float (got {data}) for operand(s) {_operands_text(operands)}")


def _non_finite_gradient(node: Value, child: Value, derivative: float, g: float) -> float:
    """Return the gradient to keep for child, or raise: its contribution from node is not finite.

    A Constant's gradient is never asked for, so an overflow there is dropped, not raised.
    """
    if isinstance(child, Constant):
        return child.grad
    position = next(i for i, c in enumerate(node.children) if c is child)
    raise OverflowError(
        f"{node.op}: the gradient of operand {position + 1} ({_show(child.data)}) is not finite: "
        f"local derivative {_show(derivative)} × gradient {_show(g)}, added to {_show(child.grad)}; "
        f"operands {_operands_text(node.children)}"
    )


# ---------------------------------------------------------------------------- graph walks


def _reached_nodes(root: Value) -> tuple[list[Value], list[Value]]:
    """Return the nodes root's gradient can reach, each after its operands, and the leaves it reaches.

    A plain walk (a stack, no recursion, so any depth works) finds the nodes; sorting them by
    creation stamp orders them, since every node was made after its operands. A node whose rule
    is `_no_gradient` passes nothing down, so the walk does not go below it. The leaves (the
    nodes without derivatives: inputs, parameters, Constants) have no gradient to reset; they are
    returned apart, for backward() to check that what they received is finite.

    The walk marks each node it finds with a token of its own, which costs no memory beyond the
    node's slot (a set of the nodes found would); the mark means nothing once the walk is over.
    """
    found = object()
    root._mark = found
    nodes = [root]
    leaves: list[Value] = []
    stack = [root]
    while stack:
        node = stack.pop()
        if node._derivatives is _no_gradient:
            continue
        for child in node.children:
            if child._mark is not found:
                child._mark = found
                if child._derivatives is None:
                    leaves.append(child)
                else:
                    stack.append(child)
                    nodes.append(child)
    nodes.sort(key=_stamp_of)
    return nodes, leaves


_stamp_of = operator.attrgetter("_stamp")


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
