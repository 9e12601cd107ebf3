"""How hard does a loss push? Gradients with respect to the logit, taken by backprop.

The post's central table compares ∂L/∂z for squared error and cross-entropy through a sigmoid.
Here those numbers are not derived by hand: each binary loss is a function of the logit z, and
`grad_wrt_logit` builds its graph from a fresh leaf z, calls `backward()`, and reads z.grad.

Calling convention for a binary loss on the logit: ``loss_fn(z: Value, y: float) -> Value``, with
y the label in {0, 1} (or a soft label in [0, 1] where the loss allows it). `BINARY_LOSSES_ON_LOGIT`
names the ones the demos compare.

A loss that declares another input (see `losses.kinds`: `mse_loss` takes predictions,
`binary_cross_entropy` probabilities) is refused rather than differentiated at the raw logit,
which would be the gradient of a different function from the one the post tabulates.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from typing import TypeVar

from engine import Value

from ._inputs import Scalar, check_parameter, is_sequence
from .classification import (
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    focal_loss,
    hinge_loss,
    sigmoid,
)
from .kinds import input_kind, takes
from .regression import mse_loss
from .softmax import categorical_cross_entropy, nll_loss

__all__ = [
    "BINARY_LOSSES_ON_LOGIT",
    "BinaryLossOnLogit",
    "bce_on_logit",
    "bce_through_sigmoid",
    "focal_on_logit",
    "grad_wrt_logit",
    "grad_wrt_logits",
    "hinge_on_logit",
    "loss_and_grad_wrt_logit",
    "mse_through_sigmoid",
]

BinaryLossOnLogit = Callable[[Value, float], Value]
"""A binary loss as a function of the logit z (a Value) and the label y in {0, 1}."""

T = TypeVar("T")  # the targets of a multi-class loss, as its loss_fn takes them


@takes("logits")
def mse_through_sigmoid(z: Value, y: float) -> Value:
    """Return (σ(z) - y)²: the post's squared error on the sigmoid's probability.

    Backprop gives ∂L/∂z = 2(p - y)·p(1 - p): the sigmoid's derivative stays in, and the push
    fades when the model is confidently wrong.
    """
    return mse_loss(sigmoid(z), y)


@takes("logits")
def bce_through_sigmoid(z: Value, y: float) -> Value:
    """Return BCE(σ(z), y) on the probability, as the post computes it (p clipped to 1e-15).

    Backprop gives ∂L/∂z = p - y wherever the clip is inactive (|z| below about 34): the log's
    derivative cancels the sigmoid's.
    """
    return binary_cross_entropy(sigmoid(z), y)


@takes("logits")
def bce_on_logit(z: Value, y: float) -> Value:
    """Return BCE from the logit, softplus(z) - y·z; ∂L/∂z = σ(z) - y for every z.

    The same loss as `bce_through_sigmoid`, as `binary_cross_entropy_with_logits` computes it.
    """
    return binary_cross_entropy_with_logits(z, y)


@takes("logits")
def focal_on_logit(z: Value, y: float) -> Value:
    """Return the sigmoid focal loss with torchvision's defaults α = 0.25, γ = 2 (`focal_loss`)."""
    return focal_loss(z, y)


@takes("logits")
def hinge_on_logit(z: Value, y: float) -> Value:
    """Return the hinge loss max(0, 1 - ỹ·z) for the label y mapped to ỹ = 2y - 1 in {-1, 1}."""
    return hinge_loss(z, 2 * y - 1)


BINARY_LOSSES_ON_LOGIT: dict[str, BinaryLossOnLogit] = {
    "mse_sigmoid": mse_through_sigmoid,
    "bce_sigmoid": bce_through_sigmoid,
    "bce_with_logits": bce_on_logit,
    "focal": focal_on_logit,
    "hinge": hinge_on_logit,
}
"""The binary losses the demos compare, by name, each called as ``loss_fn(z, y)``."""

# What to use instead of a loss that takes something other than logits, where there is a version
# on the logits.
_INSTEAD_AT_A_LOGIT: dict[object, str] = {
    mse_loss: "for squared error on σ(z) use mse_through_sigmoid",
    binary_cross_entropy: (
        "for binary cross-entropy on σ(z) use bce_through_sigmoid, or bce_on_logit "
        "(the same loss computed from the logit)"
    ),
}
_INSTEAD_AT_LOGITS: dict[object, str] = {
    nll_loss: "use softmax_cross_entropy, which is nll_loss(log_softmax(z), c)",
    categorical_cross_entropy: (
        "use softmax_cross_entropy, which is categorical_cross_entropy(t, softmax(z)) without the clip"
    ),
}


def _check_loss_fn(loss_fn: object, fn: str, what: str, instead: dict[object, str], otherwise: str) -> None:
    """Raise unless loss_fn is callable and declares no input other than logits.

    The ValueError for a loss of something else says what to use: instead[loss_fn], or otherwise.
    """
    if not callable(loss_fn):
        raise TypeError(f"{fn}: loss_fn must be callable, got {type(loss_fn).__name__}")
    kind = input_kind(loss_fn)
    if kind is None or kind == "logits":  # an undeclared function is taken as one of the logit
        return
    while isinstance(loss_fn, functools.partial):
        loss_fn = loss_fn.func
    name = getattr(loss_fn, "__name__", repr(loss_fn))  # for the message only
    advice = instead.get(loss_fn, otherwise)
    raise ValueError(f"{fn}: {name} takes {kind}, not {what}; {advice}")


def _at_logit(loss_fn: BinaryLossOnLogit, z: Scalar, y: float, fn: str) -> tuple[float, float]:
    """Return (L, ∂L/∂z) from a fresh leaf z, raising errors that name `fn`."""
    otherwise = "pass a function of the logit z instead"
    _check_loss_fn(loss_fn, fn, "a logit", _INSTEAD_AT_A_LOGIT, otherwise)
    leaf = Value(z.data if isinstance(z, Value) else check_parameter(z, fn, "z"), label="z")
    y = check_parameter(y, fn, "y")
    loss = loss_fn(leaf, y)
    if not isinstance(loss, Value):
        raise TypeError(f"{fn}: loss_fn must return a Value, got {type(loss).__name__}")
    loss.backward()
    return loss.data, leaf.grad


def loss_and_grad_wrt_logit(loss_fn: BinaryLossOnLogit, z: Scalar, y: float) -> tuple[float, float]:
    """Return (L, ∂L/∂z) for a binary loss at the logit z and label y, ∂L/∂z taken by backprop.

    z may be a number or a Value (only its number is used: the graph is built from a fresh leaf,
    so no other graph's gradients are touched). loss_fn is called as ``loss_fn(z, y)``; one that
    declares it takes probabilities or predictions (`mse_loss`, `binary_cross_entropy`) raises
    ValueError, as in `grad_wrt_logit`.

    >>> loss, grad = loss_and_grad_wrt_logit(bce_on_logit, -4.5, 1)
    >>> print(f"{loss:.4f} {grad:.4f}")
    4.5110 -0.9890
    """
    return _at_logit(loss_fn, z, y, "loss_and_grad_wrt_logit")


def grad_wrt_logit(loss_fn: BinaryLossOnLogit, z: Scalar, y: float) -> float:
    """Return ∂L/∂z for a binary loss ``loss_fn(z, y)`` at the logit z and label y, by backprop.

    loss_fn is a function of the logit: one of `BINARY_LOSSES_ON_LOGIT`, a loss that declares it
    takes logits, or any undeclared callable (a lambda). A loss declared to take probabilities or
    predictions is refused with a ValueError that names the function to use, since its gradient
    at the raw logit is not the post's: for squared error on σ(z), use `mse_through_sigmoid`.

    The post's example, p = σ(-4.5) = 0.010987 and y = 1: squared error barely pushes,
    cross-entropy pushes with almost full strength (the post rounds p to 0.011, where BCE's
    gradient is -0.9890 too).

    >>> print(f"MSE gradient: {grad_wrt_logit(mse_through_sigmoid, -4.5, 1):.6f}")
    MSE gradient: -0.021494
    >>> print(f"BCE gradient: {grad_wrt_logit(bce_through_sigmoid, -4.5, 1):.4f}")
    BCE gradient: -0.9890
    >>> for name, loss_fn in BINARY_LOSSES_ON_LOGIT.items():
    ...     print(f"{name:>15}: {grad_wrt_logit(loss_fn, -4.5, 1):+.4f}")
        mse_sigmoid: -0.0215
        bce_sigmoid: -0.9890
    bce_with_logits: -0.9890
              focal: -0.2661
              hinge: -1.0000
    >>> grad_wrt_logit(mse_loss, -4.5, 1)  # doctest: +NORMALIZE_WHITESPACE
    Traceback (most recent call last):
      ...
    ValueError: grad_wrt_logit: mse_loss takes predictions, not a logit;
    for squared error on σ(z) use mse_through_sigmoid
    """
    return _at_logit(loss_fn, z, y, "grad_wrt_logit")[1]


def grad_wrt_logits(loss_fn: Callable[[list[Value], T], Value], logits: Sequence[Scalar], targets: T) -> list[float]:
    """Return ∂L/∂z_k for every logit of a multi-class loss ``loss_fn(z, targets)``, by backprop.

    As in `grad_wrt_logit`, a loss declared to take something other than logits (`nll_loss`,
    `categorical_cross_entropy`) is refused.

    >>> from losses import softmax_cross_entropy
    >>> z = [2.0, 1.0, 0.5, -1.0, 0.1]
    >>> [f"{g:+.4f}" for g in grad_wrt_logits(softmax_cross_entropy, z, 2)]
    ['+0.5585', '+0.2055', '-0.8754', '+0.0278', '+0.0835']
    """
    fn = "grad_wrt_logits"
    otherwise = "pass a function of the logits z instead"
    _check_loss_fn(loss_fn, fn, "logits", _INSTEAD_AT_LOGITS, otherwise)
    if not is_sequence(logits):
        raise TypeError(f"{fn}: logits must be a sequence of numbers, got {type(logits).__name__}")
    leaves = [
        Value(z.data if isinstance(z, Value) else check_parameter(z, fn, f"logits[{k}]"), f"z{k}")
        for k, z in enumerate(logits)
    ]
    loss = loss_fn(leaves, targets)
    if not isinstance(loss, Value):
        raise TypeError(f"{fn}: loss_fn must return a Value, got {type(loss).__name__}")
    loss.backward()
    return [leaf.grad for leaf in leaves]
