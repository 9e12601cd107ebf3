"""How hard does a loss push? Gradients with respect to the logit, taken by backprop.

The post's central table compares ∂L/∂z for squared error and cross-entropy through a sigmoid. Here
those numbers are not derived by hand: each binary loss is a function of the logit z, and
`grad_wrt_logit` builds its graph from a fresh leaf z, calls `backward()`, and reads z.grad.

Calling convention for a binary loss on the logit: ``loss_fn(z: Value, y: float) -> Value``, with y
the label in {0, 1} (or a soft label in [0, 1] where the loss allows it). `BINARY_LOSSES_ON_LOGIT`
names the ones the demos compare.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import cast

from engine import Value

from ._inputs import Scalar, check_real
from .classification import (
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    focal_loss,
    hinge_loss,
    sigmoid,
)
from .regression import mse_loss

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


def _one(result: Value | list[Value]) -> Value:
    """Return the Value a loss gives for one scalar example (its type says 'or a list' for batches)."""
    return cast(Value, result)


def mse_through_sigmoid(z: Value, y: float) -> Value:
    """Return (σ(z) - y)²: the post's squared error on the sigmoid's probability.

    Backprop gives ∂L/∂z = 2(p - y)·p(1 - p): the sigmoid's derivative stays in, and the push fades
    when the model is confidently wrong.
    """
    return _one(mse_loss(_one(sigmoid(z)), y))


def bce_through_sigmoid(z: Value, y: float) -> Value:
    """Return BCE(σ(z), y), computed on the probability as the post does (p clipped to [1e-15, 1 - 1e-15]).

    Backprop gives ∂L/∂z = p - y wherever the clip is inactive (|z| below about 34): the log's
    derivative cancels the sigmoid's.
    """
    return _one(binary_cross_entropy(_one(sigmoid(z)), y))


def bce_on_logit(z: Value, y: float) -> Value:
    """Return BCE from the logit, softplus(z) - y·z (`binary_cross_entropy_with_logits`); ∂L/∂z = σ(z) - y for every z."""
    return _one(binary_cross_entropy_with_logits(z, y))


def focal_on_logit(z: Value, y: float) -> Value:
    """Return the sigmoid focal loss with torchvision's defaults α = 0.25, γ = 2 (`focal_loss`)."""
    return _one(focal_loss(z, y))


def hinge_on_logit(z: Value, y: float) -> Value:
    """Return the hinge loss max(0, 1 - ỹ·z) with the label mapped to ỹ = 2y - 1 in {-1, 1} (`hinge_loss`)."""
    return _one(hinge_loss(z, 2 * y - 1))


BINARY_LOSSES_ON_LOGIT: dict[str, BinaryLossOnLogit] = {
    "mse_sigmoid": mse_through_sigmoid,
    "bce_sigmoid": bce_through_sigmoid,
    "bce_with_logits": bce_on_logit,
    "focal": focal_on_logit,
    "hinge": hinge_on_logit,
}
"""The binary losses the demos compare, by name, each called as ``loss_fn(z, y)``."""


def _at_logit(loss_fn: BinaryLossOnLogit, z: Scalar, y: float, fn: str) -> tuple[float, float]:
    """Return (L, ∂L/∂z) from a fresh leaf z, raising errors that name `fn`."""
    if not callable(loss_fn):
        raise TypeError(f"{fn}: loss_fn must be callable, got {type(loss_fn).__name__}")
    leaf = Value(z.data if isinstance(z, Value) else check_real(z, fn, "z"), label="z")
    y = check_real(y, fn, "y")
    loss = loss_fn(leaf, y)
    if not isinstance(loss, Value):
        raise TypeError(f"{fn}: loss_fn must return a Value, got {type(loss).__name__}")
    loss.backward()
    return loss.data, leaf.grad


def loss_and_grad_wrt_logit(loss_fn: BinaryLossOnLogit, z: Scalar, y: float) -> tuple[float, float]:
    """Return (L, ∂L/∂z) for a binary loss at the logit z and label y, the derivative taken by backprop.

    z may be a number or a Value (only its number is used: the graph is built from a fresh leaf, so
    no other graph's gradients are touched).

    >>> loss, grad = loss_and_grad_wrt_logit(bce_on_logit, -4.5, 1)
    >>> print(f"{loss:.4f} {grad:.4f}")
    4.5110 -0.9890
    """
    return _at_logit(loss_fn, z, y, "loss_and_grad_wrt_logit")


def grad_wrt_logit(loss_fn: BinaryLossOnLogit, z: Scalar, y: float) -> float:
    """Return ∂L/∂z for a binary loss ``loss_fn(z, y)`` at the logit z and label y, by backprop.

    The post's example, p = σ(-4.5) = 0.010987 and y = 1: squared error barely pushes, cross-entropy
    pushes with almost full strength (the post rounds p to 0.011, where BCE's gradient is -0.9890 too).

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
    """
    return _at_logit(loss_fn, z, y, "grad_wrt_logit")[1]


def grad_wrt_logits(
    loss_fn: Callable[[list[Value], object], Value], logits: Sequence[Scalar], target: object
) -> list[float]:
    """Return ∂L/∂z_k for every logit of a multi-class loss ``loss_fn(z, target)``, by backprop.

    >>> from losses import softmax_cross_entropy
    >>> [f"{g:+.4f}" for g in grad_wrt_logits(softmax_cross_entropy, [2.0, 1.0, 0.5, -1.0, 0.1], 2)]
    ['+0.5585', '+0.2055', '-0.8754', '+0.0278', '+0.0835']
    """
    if not callable(loss_fn):
        raise TypeError(f"grad_wrt_logits: loss_fn must be callable, got {type(loss_fn).__name__}")
    if isinstance(logits, (str, bytes)) or not hasattr(logits, "__len__"):
        raise TypeError(f"grad_wrt_logits: logits must be a sequence of numbers, got {type(logits).__name__}")
    leaves = [
        Value(z.data if isinstance(z, Value) else check_real(z, "grad_wrt_logits", f"logits[{k}]"), label=f"z{k}")
        for k, z in enumerate(logits)
    ]
    loss = loss_fn(leaves, target)
    if not isinstance(loss, Value):
        raise TypeError(f"grad_wrt_logits: loss_fn must return a Value, got {type(loss).__name__}")
    loss.backward()
    return [leaf.grad for leaf in leaves]
