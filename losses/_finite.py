"""Finite losses with finite gradients, or an error that names the loss (private to `losses`).

The engine refuses a result or a gradient that is not a finite float, and names its own
operation: ``*: the result overflows a float``. From inside a loss that says little; the user
called `mse_loss`, not ``*``. So a loss computes its examples through `per_example`, which re-raises
an engine error as the loss's own, naming the example:

    mse_loss: predictions[0] = 1e+200, targets[0] = 0.0: the squared error overflows a float

`reduce` sums or averages them (averaging without overflow wherever the mean is a float), and
`check_gradients` makes the same promise for the gradient before `backward()` is ever called:
where a gradient would overflow, the loss refuses at the call, by name, instead of leaving an
engine error for `backward()` to raise later.

The gradient check runs the loss's part of the backward pass on numbers alone, from each
example's loss down to the loss's inputs, with the gradient the reduction will send it. It only
runs when some number of the call is extreme: with every input, target and option 0 or between
1e-30 and 1e30 in magnitude, no product of the few local derivatives of a loss's graph (1/p,
1/sqrt(beta), gamma, a pos_weight, ...) comes near the float range, so ordinary calls pay for one
pass over their numbers and nothing more.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from engine import Constant, Value, dot, is_grad_enabled
from engine import sum as value_sum

from ._inputs import Reduction, element_name, show

__all__ = [
    "Column",
    "Parameters",
    "check_gradients",
    "finite_log",
    "mean_of",
    "per_example",
    "reduce",
    "reduced_loss",
    "sum_of",
]

T = TypeVar("T")

Column = tuple[str, Sequence[object]]
"""An argument's name and its item for each example: a Value, a number, or a row of them."""

Parameters = Sequence[tuple[str, float | Sequence[float]]]
"""A loss's number options by name (delta, gamma, class weights, ...), for its error messages."""

# Magnitudes between these (or 0) are too mild for any loss's backward pass to overflow.
TAME_LO = 1e-30
TAME_HI = 1e30


def finite_log(p: Value) -> Value:
    """Return ln p for p > 0, in a form whose local derivatives are floats even for a tiny p.

    The log's derivative 1/p overflows for p below about 5.6e-309, though the gradient that
    reaches p (as in p·ln p, or (1 - p_t)^γ) often does not: below the smallest normal float,
    ln p is taken as ln(p·2^64) - 64·ln 2, which is the same number (p·2^64 is exact).
    """
    if p.data >= sys.float_info.min:
        return p.log()
    return (p * 2.0**64).log() - 64 * math.log(2)


def describe(columns: Sequence[Column], i: int, single: bool, parameters: Parameters) -> str:
    """Return example i as an error shows it, e.g. ``logits[0] = 50.0, targets[0] = 1.0``."""
    text = ", ".join(f"{element_name(name, i, single)} = {show(items[i])}" for name, items in columns)
    if parameters:
        text += " (" + ", ".join(f"{name} = {show(value)}" for name, value in parameters) + ")"
    return text


def per_example(
    fn: str,
    what: str,
    loss_of: Callable[..., T],
    columns: Sequence[Column],
    single: bool,
    parameters: Parameters = (),
) -> list[T]:
    """Return loss_of(*example) for each example (the i-th item of every column), in order.

    An engine error on the way (an overflow, mostly) is raised again naming fn, the example and
    `what` ("the squared error"), with the engine's own error as its cause.
    """
    out = []
    for i, example in enumerate(zip(*(items for _, items in columns))):
        try:
            out.append(loss_of(*example))
        except (ArithmeticError, ValueError) as error:
            where = f"{fn}: {describe(columns, i, single, parameters)}: {what}"
            if isinstance(error, OverflowError):
                raise OverflowError(f"{where} overflows a float") from error
            raise type(error)(f"{where} is not defined here ({error})") from error
    return out


def sum_of(losses: list[Value], fn: str) -> Value:
    """Return the sum of the losses as one node, or an OverflowError naming fn."""
    try:
        return value_sum(losses)
    except OverflowError:
        largest = max(loss.data for loss in losses)
        raise OverflowError(
            f"{fn}: the sum of the {len(losses)} losses overflows a float (the largest is "
            f"{largest!r}); reduction='mean' or 'none' does not"
        ) from None


def mean_of(losses: list[Value], denominator: float, fn: str) -> Value:
    """Return Σ losses / denominator, computed without overflow wherever the result is a float."""
    try:
        return (value_sum(losses) if len(losses) > 1 else losses[0]) / denominator
    except OverflowError:
        pass
    # The sum of finite losses can overflow where their mean does not: weigh each by
    # 1/denominator first (one node, whose d/d loss_i is 1/denominator, as the division's).
    scale = 1.0 / denominator
    try:
        if math.isfinite(scale):
            return dot(losses, [scale] * len(losses))
    except OverflowError:
        pass
    raise OverflowError(
        f"{fn}: the mean of the {len(losses)} losses overflows a float (their sum divided by {denominator!r})"
    )


def reduce(losses: list[Value], reduction: Reduction, single: bool, fn: str) -> Value | list[Value]:
    """Return the per-example losses averaged, summed, or as they are.

    A single example (a scalar input, or one vector for a multi-class loss) gives a Value whatever
    the reduction, as a 0-d tensor does in PyTorch; a one-example batch is not divided by 1 either,
    so its graph stays as small as the formula.
    """
    if reduction == "none":
        return losses[0] if single else losses
    if len(losses) == 1:
        return losses[0]
    if reduction == "sum":
        return sum_of(losses, fn)
    return mean_of(losses, len(losses), fn)


def reduced_loss(
    fn: str,
    what: str,
    loss_of: Callable[..., Value],
    columns: Sequence[Column],
    single: bool,
    reduction: Reduction,
    parameters: Parameters = (),
) -> Value | list[Value]:
    """Return the examples' losses (see `per_example`), reduced, with their gradients checked."""
    losses = per_example(fn, what, loss_of, columns, single, parameters)
    out = reduce(losses, reduction, single, fn)
    averaged = reduction == "mean" and len(losses) > 1
    check_gradients(fn, what, losses, 1.0 / len(losses) if averaged else 1.0, columns, single, parameters)
    return out


def check_gradients(
    fn: str,
    what: str,
    losses: Sequence[Value | list[Value]],
    seed: float,
    columns: Sequence[Column],
    single: bool,
    parameters: Parameters = (),
) -> None:
    """Raise OverflowError, naming fn and the example, if backpropagating a loss would overflow.

    Each example's loss (or each of its outputs, for a list) is backpropagated on numbers alone
    with the gradient `seed` (1, or 1/n for a mean), down to the Values among its inputs,
    exactly as `backward()` would multiply and add; no Value's grad is touched. Skipped when
    nothing records a graph, or when every number of the call is tame (see the module docstring).
    """
    if not is_grad_enabled() or _all_tame(columns, parameters):
        return
    for i, loss in enumerate(losses):
        inputs = {
            id(value): name
            for column_name, items in columns
            for name, value in _named_items(element_name(column_name, i, single), items[i])
            if not isinstance(value, Constant)
        }
        for k, output in enumerate(loss if isinstance(loss, list) else [loss]):
            problem = _backward_overflow(output, seed, inputs) if inputs else None
            if problem is not None:
                which = f"{what}[{k}]" if isinstance(loss, list) else what
                raise OverflowError(
                    f"{fn}: {describe(columns, i, single, parameters)}: {which} is finite "
                    f"({output.data:.6g}) but {problem}"
                )


def _named_items(name: str, item: object) -> list[tuple[str, Value]]:
    """Return the Values of one example's argument with their names (a row's entries indexed)."""
    if isinstance(item, Value):
        return [(name, item)]
    if isinstance(item, list):
        return [(f"{name}[{k}]", v) for k, v in enumerate(item) if isinstance(v, Value)]
    return []


def _numbers(items: Sequence[Any]) -> list[float]:
    """Return the numbers of a column: each Value's data and each number, a row's entries too."""
    if items and isinstance(items[0], list):
        return [v.data if isinstance(v, Value) else v for row in items for v in row]
    # A column of class indices holds ints; they enter no product, and are tame anyway.
    return [item.data if isinstance(item, Value) else item for item in items]


def _all_tame(columns: Sequence[Column], parameters: Parameters) -> bool:
    """Return True if every number of the call is 0 or has a magnitude in [TAME_LO, TAME_HI]."""
    groups = [_numbers(items) for _, items in columns]
    groups.extend(list(value) if isinstance(value, Sequence) else [value] for _, value in parameters)
    for numbers in groups:
        magnitudes = list(map(abs, numbers))
        if max(magnitudes, default=0.0) > TAME_HI:
            return False
        if min(filter(None, magnitudes), default=TAME_LO) < TAME_LO:  # zeros are tame
            return False
    return True


def _backward_overflow(root: Value, seed: float, inputs: dict[int, str]) -> str | None:
    """Return what overflows when root's gradient `seed` is backpropagated down to the inputs.

    The same products and sums as `backward()`: each node, after every node that uses it, adds
    ``local derivative × its gradient`` into each operand (a Constant's gradient is not kept, as
    in the engine). Returns None if every gradient stays finite.
    """
    grads = {id(root): seed}
    for node in _down_to(root, inputs):
        g = grads.get(id(node), 0.0)
        if not g or id(node) in inputs:
            continue
        for child, d in zip(node.children, node.local_derivatives()):
            if isinstance(child, Constant):
                continue
            total = grads.get(id(child), 0.0) + d * g
            if not math.isfinite(total):
                if id(child) in inputs:
                    return f"its gradient with respect to {inputs[id(child)]} overflows a float"
                return f"backpropagating it overflows a float (at the engine's {node.op!r})"
            grads[id(child)] = total
    return None


def _down_to(root: Value, inputs: dict[int, str]) -> list[Value]:
    """Return root and the nodes below it, not below the inputs, each before its operands."""
    order: list[Value] = []
    seen = {id(root)}
    stack = [(root, iter(root.children))]
    while stack:  # depth first, without recursion; a node is listed once all its operands are
        node, children = stack[-1]
        for child in children:
            if id(child) not in seen:
                seen.add(id(child))
                below = () if id(child) in inputs else child.children
                stack.append((child, iter(below)))
                break
        else:
            stack.pop()
            order.append(node)
    order.reverse()
    return order
