"""Argument checking and conversion shared by every loss (private to `losses`).

A loss accepts what a learner has at hand: a `Value`, a plain number, a list or tuple of either,
or a numpy array. This module turns those into Values (plain numbers become `Constant`s, so a
drawing tells them from inputs), checks them, and raises errors that name the loss, the argument
and the offending value, e.g. ``ValueError: binary_cross_entropy: p[2] must be in [0, 1], got 1.5``.

Shapes, in the words of the losses' docstrings:
- a *scalar* is one number or Value;
- a *vector* is a 1-D sequence of scalars (one example's logits, or a batch of scalar examples);
- a *batch of vectors* is a sequence of equally long vectors, or a 2-D array (one row per example).
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Sequence
from typing import Literal

import numpy as np

from engine import Constant, Value
from engine.value import check_real

__all__ = [
    "Batch",
    "MeanOrSum",
    "Reduction",
    "Row",
    "Scalar",
    "ScalarOrVector",
    "Vector",
    "check_class_weights",
    "check_distribution",
    "check_eps",
    "check_ignore_index",
    "check_in_range",
    "check_parameter",
    "check_reduction",
    "element_name",
    "is_scalar",
    "is_sequence",
    "paired",
    "paired_distributions",
    "paired_vectors",
    "show",
    "to_class_indices",
    "to_operand",
    "to_operands",
    "to_value",
    "to_values",
    "to_vectors",
]

Scalar = Value | float | int
"""One number: a Value or a real number (numpy scalars and 0-d arrays are accepted too)."""

Vector = Sequence[Scalar] | np.ndarray
"""A 1-D sequence of scalars, or a numpy array (which the type annotations take for a vector)."""

Row = Sequence[Scalar]
"""One example of a multi-class loss: a list or tuple of K scalars (arrays are typed as Batch)."""

Batch = Sequence[Row] | np.ndarray
"""A sequence of equally long vectors, or a numpy array (which the annotations take for a batch)."""

ScalarOrVector = Scalar | Vector
"""One example's number, or a vector of them (one per example)."""

Reduction = Literal["mean", "sum", "none"]
"""'mean' (average over examples), 'sum', or 'none' (one loss per example), as in PyTorch."""

MeanOrSum = Literal["mean", "sum"]
"""The reductions that give one Value for a batch."""

REDUCTIONS = ("mean", "sum", "none")
DISTRIBUTION_TOLERANCE = 1e-6
# The smallest clipping margin: 1/eps, the slope of log at the floor, must be a float too.
SMALLEST_EPS = 1e-308
# Text and binary data are sequences to Python, but never numbers to a loss.
NOT_NUMBERS = (str, bytes, bytearray, memoryview)


def show(x: object) -> str:
    """Return a short text for a value in an error message (a row of Values as their numbers)."""
    if isinstance(x, Value):
        return repr(x.data)
    if isinstance(x, list) and all(isinstance(v, Value) for v in x):
        text = "[" + ", ".join(repr(v.data) for v in x) + "]"
    else:
        text = repr(x)
    return text if len(text) <= 80 else text[:77] + "..."


def _type_name(x: object) -> str:
    shape = getattr(x, "shape", None)
    return type(x).__name__ if shape is None else f"{type(x).__name__} of shape {shape}"


def check_reduction(reduction: object, fn: str) -> None:
    """Raise ValueError unless reduction is 'mean', 'sum' or 'none'."""
    if not isinstance(reduction, str) or reduction not in REDUCTIONS:
        raise ValueError(f"{fn}: reduction must be 'mean', 'sum' or 'none', got {show(reduction)}")


def is_scalar(x: object) -> bool:
    """Return True for a Value, a real number, or a 0-d numpy array."""
    if isinstance(x, (Value, numbers.Real)):
        return True
    return isinstance(x, np.ndarray) and x.ndim == 0


def is_sequence(x: object) -> bool:
    """Return True for a list, a tuple, a 1-D or larger array: not for text, bytes or a dict."""
    if isinstance(x, np.ndarray):
        return x.ndim >= 1
    return isinstance(x, Sequence) and not isinstance(x, NOT_NUMBERS)


def _real(x: object, fn: str, arg: str) -> float:
    """Return a plain real number (not a Value) as a finite float, or raise naming fn and arg."""
    try:
        return check_real(x, fn, arg)
    except TypeError:
        raise TypeError(f"{fn}: {arg} must be a Value or a real number, got {_type_name(x)}: {show(x)}") from None


def check_parameter(x: object, fn: str, arg: str) -> float:
    """Return a loss's number parameter (eps, delta, gamma, ...) as a finite float, or raise."""
    if isinstance(x, Value):
        raise TypeError(f"{fn}: {arg} must be a plain number, got a Value ({show(x)})")
    return _real(x, fn, arg)


def check_eps(eps: object, fn: str, hi: float, lo: float = SMALLEST_EPS) -> float:
    """Return a clipping margin eps as a float, or raise unless lo <= eps < hi.

    lo is 1e-308 unless given: below it, the log's slope at the floor, 1/eps, is not a float.
    """
    value = check_parameter(eps, fn, "eps")
    if not lo <= value < hi:
        raise ValueError(f"{fn}: eps must be in [{lo:g}, {hi:g}), got {value!r}")
    return value


def element_name(arg: str, i: int, single: bool) -> str:
    """Return how a message names element i of an argument: `arg` if single, else `arg[i]`."""
    return arg if single else f"{arg}[{i}]"


def to_value(x: object, fn: str, arg: str) -> Value:
    """Return x as a Value: a Value as it is (so it gets its gradient), a number as a Constant."""
    if isinstance(x, Value):
        # The engine makes only finite Values, but data is writable (a diverged optimizer step).
        if not math.isfinite(x.data):
            raise ValueError(f"{fn}: {arg} must be finite, got {show(x)}")
        return x
    return Constant(_real(x, fn, arg))


def to_operand(x: object, fn: str, arg: str) -> Value | float:
    """Return x as a Value if it is one, else as a float, for targets that are often plain labels.

    Keeping a plain label a float lets Python fold ``1 - y`` into one constant instead of a node.
    """
    if isinstance(x, Value):
        return to_value(x, fn, arg)
    return _real(x, fn, arg)


def _items(xs: object, fn: str, arg: str) -> tuple[list[object], bool]:
    """Return the elements of a scalar-or-vector argument and whether it was a single scalar."""
    if is_scalar(xs):
        return [xs], True
    if isinstance(xs, np.ndarray) and xs.ndim != 1:
        raise ValueError(f"{fn}: {arg} must be a scalar or 1-D, got an array of shape {xs.shape}")
    if not is_sequence(xs):
        raise TypeError(
            f"{fn}: {arg} must be a Value, a real number or a sequence of them, got {_type_name(xs)}: {show(xs)}"
        )
    items = list(xs)  # type: ignore[call-overload]
    if not items:
        raise ValueError(f"{fn}: {arg} must not be empty")
    return items, False


def to_values(xs: object, fn: str, arg: str) -> tuple[list[Value], bool]:
    """Return a scalar or a vector as a list of Values, and whether it was a single scalar."""
    items, single = _items(xs, fn, arg)
    return [to_value(x, fn, element_name(arg, i, single)) for i, x in enumerate(items)], single


def to_operands(xs: object, fn: str, arg: str) -> tuple[list[Value | float], bool]:
    """Return a scalar or a vector as Values-or-floats (see `to_operand`), and whether a scalar."""
    items, single = _items(xs, fn, arg)
    return [to_operand(x, fn, element_name(arg, i, single)) for i, x in enumerate(items)], single


def paired(
    inputs: object, targets: object, fn: str, input_name: str, target_name: str = "targets"
) -> tuple[list[Value], list[Value | float], bool]:
    """Return (inputs as Values, targets as operands, single) after checking their lengths match."""
    xs, x_single = to_values(inputs, fn, input_name)
    ys, y_single = to_operands(targets, fn, target_name)
    if x_single != y_single or len(xs) != len(ys):

        def describe(n: int, single: bool) -> str:
            return "a single value" if single else f"{n} value{'s' if n != 1 else ''}"

        raise ValueError(
            f"{fn}: {input_name} and {target_name} must have the same length, "
            f"got {describe(len(xs), x_single)} and {describe(len(ys), y_single)}"
        )
    return xs, ys, x_single


def to_vectors(x: object, fn: str, arg: str) -> tuple[list[list[Value]], bool]:
    """Return one vector or a batch of vectors as lists of Values, and whether it was one vector.

    A sequence whose first element is itself a sequence (or a 2-D array) is a batch, one row per
    example.
    """
    if is_scalar(x):
        raise ValueError(f"{fn}: {arg} must be a vector (one example) or a batch of vectors, got a scalar {show(x)}")
    if isinstance(x, np.ndarray) and x.ndim > 2:
        raise ValueError(f"{fn}: {arg} must be 1-D (one example) or 2-D (a batch), got an array of shape {x.shape}")
    if not is_sequence(x):
        raise TypeError(f"{fn}: {arg} must be a sequence or a numpy array, got {_type_name(x)}: {show(x)}")
    rows = list(x)  # type: ignore[call-overload]
    if not rows:
        raise ValueError(f"{fn}: {arg} must not be empty")
    if not is_sequence(rows[0]):
        return [to_values(x, fn, arg)[0]], True
    batch: list[list[Value]] = []
    for i, row in enumerate(rows):
        if not is_sequence(row):
            raise TypeError(f"{fn}: {arg}[{i}] must be a sequence like {arg}[0], got {_type_name(row)}: {show(row)}")
        values, _ = to_values(row, fn, f"{arg}[{i}]")
        if batch and len(values) != len(batch[0]):
            raise ValueError(
                f"{fn}: every row of {arg} must have the same length, got {len(batch[0])} and {len(values)} (row {i})"
            )
        batch.append(values)
    return batch, False


def paired_vectors(
    a: object, b: object, fn: str, a_name: str, b_name: str
) -> tuple[list[list[Value]], list[list[Value]], bool]:
    """Return two vectors (or two batches) of one shape, and whether they are one vector each."""
    rows_a, single_a = to_vectors(a, fn, a_name)
    rows_b, single_b = to_vectors(b, fn, b_name)

    def shape(rows: list[list[Value]], single: bool) -> str:
        if single:
            return f"a vector of {len(rows[0])}"
        return f"a batch of {len(rows)} vectors of {len(rows[0])}"

    if single_a != single_b or len(rows_a) != len(rows_b) or len(rows_a[0]) != len(rows_b[0]):
        raise ValueError(
            f"{fn}: {a_name} and {b_name} must have the same shape, "
            f"got {shape(rows_a, single_a)} and {shape(rows_b, single_b)}"
        )
    return rows_a, rows_b, single_a


def check_in_range(x: Value | float, lo: float, hi: float, fn: str, arg: str, exclusive_lo: bool = False) -> None:
    """Raise ValueError unless lo <= x <= hi (lo < x when exclusive_lo)."""
    data = x.data if isinstance(x, Value) else x
    below = data <= lo if exclusive_lo else data < lo
    if below or data > hi:
        if math.isinf(hi):
            interval = f"> {lo:g}" if exclusive_lo else f">= {lo:g}"
        else:
            interval = f"in ({lo:g}, {hi:g}]" if exclusive_lo else f"in [{lo:g}, {hi:g}]"
        raise ValueError(f"{fn}: {arg} must be {interval}, got {show(data)}")


def check_distribution(probs: Sequence[Value | float], fn: str, arg: str) -> None:
    """Raise ValueError unless every entry is in [0, 1] and the entries sum to 1 within 1e-6."""
    for i, p in enumerate(probs):
        check_in_range(p, 0.0, 1.0, fn, f"{arg}[{i}]")
    total = math.fsum(p.data if isinstance(p, Value) else p for p in probs)
    if abs(total - 1.0) > DISTRIBUTION_TOLERANCE:
        raise ValueError(f"{fn}: {arg} must sum to 1 (within {DISTRIBUTION_TOLERANCE:g}), got {total!r}")


def paired_distributions(
    a: object, b: object, fn: str, a_name: str, b_name: str
) -> tuple[list[list[Value]], list[list[Value]], bool]:
    """Return two distributions (or two batches of them) of the same shape, and whether single.

    Each row of a and b must be a distribution (see `check_distribution`); rows are checked in
    order, a's row before b's.
    """
    rows_a, rows_b, single = paired_vectors(a, b, fn, a_name, b_name)
    for i, (row_a, row_b) in enumerate(zip(rows_a, rows_b)):
        check_distribution(row_a, fn, element_name(a_name, i, single))
        check_distribution(row_b, fn, element_name(b_name, i, single))
    return rows_a, rows_b, single


def _one_each(x: object, n: int, fn: str, arg: str, what: str, each: str) -> list[object]:
    """Return the n items of a sequence argument that must hold one `each`, or raise naming it."""
    if not is_sequence(x):
        raise TypeError(f"{fn}: {arg} must be a sequence of {what}, got {_type_name(x)}: {show(x)}")
    items: list[object] = list(x)  # type: ignore[call-overload]
    if len(items) != n:
        raise ValueError(f"{fn}: {arg} must have one {each} ({n}), got {len(items)}")
    return items


def check_class_weights(weight: object, num_classes: int, fn: str) -> list[float] | None:
    """Return PyTorch's class weights `weight` as num_classes floats >= 0, or None for none."""
    if weight is None:
        return None
    what = f"a vector of {num_classes} class weights (one weight per class)"
    if isinstance(weight, np.ndarray) and weight.ndim > 1:
        raise ValueError(f"{fn}: weight must be {what}, got an array of shape {weight.shape}")
    if is_sequence(weight):
        entries: list[object] = list(weight)  # type: ignore[call-overload]
        for k, item in enumerate(entries):
            if is_sequence(item):
                raise ValueError(f"{fn}: weight must be {what}, got a nested sequence (weight[{k}] is {show(item)})")
    items = _one_each(weight, num_classes, fn, "weight", f"{num_classes} class weights", "weight per class")
    weights = [check_parameter(item, fn, f"weight[{k}]") for k, item in enumerate(items)]
    for k, w in enumerate(weights):
        if w < 0.0:
            raise ValueError(f"{fn}: weight[{k}] must be >= 0, got {w!r}")
    return weights


def check_ignore_index(ignore_index: object, fn: str) -> int | None:
    """Return the class index whose examples a loss leaves out (`ignore_index`), or None."""
    if ignore_index is None:
        return None
    if isinstance(ignore_index, np.ndarray) and ignore_index.ndim == 0:
        ignore_index = ignore_index.item()
    if isinstance(ignore_index, bool) or not isinstance(ignore_index, numbers.Integral):
        raise TypeError(
            f"{fn}: ignore_index must be an int or None, got {_type_name(ignore_index)}: {show(ignore_index)}"
        )
    return int(ignore_index)


def to_class_indices(
    targets: object,
    batch_size: int,
    single: bool,
    num_classes: int,
    fn: str,
    arg: str,
    ignore_index: int | None = None,
) -> list[int]:
    """Return the class index of each example, checking type (int) and range [0, num_classes).

    A target equal to ``ignore_index`` is returned as it is, whatever its value (PyTorch's -100).
    """
    if single:
        items = [targets]
    else:
        what = "class indices for a batch"
        items = _one_each(targets, batch_size, fn, arg, what, "class index per example")
    indices = []
    for i, item in enumerate(items):
        name = element_name(arg, i, single)
        if isinstance(item, np.ndarray) and item.ndim == 0:
            item = item.item()
        if isinstance(item, bool) or not isinstance(item, numbers.Integral):
            raise TypeError(f"{fn}: {name} must be an int class index, got {_type_name(item)}: {show(item)}")
        index = int(item)
        if index != ignore_index and not 0 <= index < num_classes:
            raise ValueError(f"{fn}: {name} must be a class index in [0, {num_classes}), got {index}")
        indices.append(index)
    return indices
