"""Regression losses: how far predicted numbers are from target numbers.

Each loss computes one Value per example from engine operations and reduces them (`reduction`:
'mean', 'sum' or 'none', as in PyTorch). No loss here writes a gradient: `loss.backward()` gets it
from the operations, which is how the post's hand-derived ``(2/n)(ŷ - y)`` can be checked.

An error that cannot be a float (a squared error beyond 1.8e308) is raised naming the loss and
the example; the mean of losses that are floats is computed even where their sum is not one.
"""

from __future__ import annotations

import math
from typing import Literal, overload

from engine import Value

from ._finite import Column, reduced_loss
from ._inputs import (
    MeanOrSum,
    Reduction,
    Scalar,
    ScalarOrVector,
    Vector,
    check_parameter,
    check_reduction,
    paired,
)
from .kinds import takes

__all__ = ["huber_loss", "l1_loss", "mse_loss", "smooth_l1_loss"]


@overload
def mse_loss(predictions: Scalar, targets: ScalarOrVector, *, reduction: Reduction = ...) -> Value: ...
@overload
def mse_loss(predictions: Vector, targets: ScalarOrVector, *, reduction: MeanOrSum = ...) -> Value: ...
@overload
def mse_loss(predictions: Vector, targets: ScalarOrVector, *, reduction: Literal["none"]) -> list[Value]: ...
@takes("predictions")
def mse_loss(
    predictions: ScalarOrVector, targets: ScalarOrVector, *, reduction: Reduction = "mean"
) -> Value | list[Value]:
    """Return the mean squared error, (1/n) Σ (ŷ_i - y_i)².

    The post's first loss, and micrograd's training loss. Squaring makes every error positive,
    punishes large errors more than small ones, and is smooth, so the gradient
    ∂MSE/∂ŷ_i = (2/n)(ŷ_i - y_i) is proportional to the error.

    Args:
      predictions: a scalar or a vector of n predictions (Values, numbers, or a numpy array).
      targets: the same shape as predictions.
      reduction: 'mean' (the post's), 'sum', or 'none' (the n squared errors).

    >>> import numpy as np
    >>> predictions = np.array([2.5, 0.0, 2.1, 7.8])
    >>> targets = np.array([3.0, -0.5, 2.0, 7.5])
    >>> print(f"MSE: {mse_loss(predictions, targets):.4f}")
    MSE: 0.1500

    The gradient comes from backprop, not from a formula (the post's ``mse_gradient(2.5, 3.0, 4)``):

    >>> from engine import Value
    >>> y_hat = [Value(x) for x in predictions]
    >>> mse_loss(y_hat, targets).backward()
    >>> print(f"Gradient: {y_hat[0].grad:.4f}")
    Gradient: -0.2500

    Reference: torch.nn.functional.mse_loss.
    """
    fn = "mse_loss"
    check_reduction(reduction, fn)
    xs, ys, single = paired(predictions, targets, fn, "predictions")
    columns: list[Column] = [("predictions", xs), ("targets", ys)]
    return reduced_loss(fn, "the squared error", _squared_error, columns, single, reduction)


def _squared_error(x: Value, y: Value | float) -> Value:
    return (x - y) ** 2


@overload
def l1_loss(predictions: Scalar, targets: ScalarOrVector, *, reduction: Reduction = ...) -> Value: ...
@overload
def l1_loss(predictions: Vector, targets: ScalarOrVector, *, reduction: MeanOrSum = ...) -> Value: ...
@overload
def l1_loss(predictions: Vector, targets: ScalarOrVector, *, reduction: Literal["none"]) -> list[Value]: ...
@takes("predictions")
def l1_loss(
    predictions: ScalarOrVector, targets: ScalarOrVector, *, reduction: Reduction = "mean"
) -> Value | list[Value]:
    """Return the mean absolute error, (1/n) Σ |ŷ_i - y_i|.

    Its gradient is ±1/n whatever the size of the error (0 at an exact hit, as in PyTorch), so one
    outlier cannot dominate the update as it does under squared error.

    Args:
      predictions: a scalar or a vector of n predictions.
      targets: the same shape as predictions.
      reduction: 'mean', 'sum', or 'none'.

    >>> print(f"{l1_loss([2.5, 0.0, 2.1, 7.8], [3.0, -0.5, 2.0, 7.5]):.4f}")
    0.3500

    Reference: torch.nn.functional.l1_loss.
    """
    fn = "l1_loss"
    check_reduction(reduction, fn)
    xs, ys, single = paired(predictions, targets, fn, "predictions")
    columns: list[Column] = [("predictions", xs), ("targets", ys)]
    return reduced_loss(fn, "the absolute error", _absolute_error, columns, single, reduction)


def _absolute_error(x: Value, y: Value | float) -> Value:
    return abs(x - y)


def _huber(residual: Value, delta: float) -> Value:
    """Return ½r² for |r| < δ, else δ(|r| - ½δ): one example's Huber loss."""
    if abs(residual.data) < delta:
        return 0.5 * residual**2
    return delta * (abs(residual) - 0.5 * delta)


def _smooth_l1(residual: Value, beta: float) -> Value:
    """Return ½r²/β for |r| < β, else |r| - ½β: one example's smooth L1 loss."""
    if abs(residual.data) < beta:  # never for β = 0, so nothing divides by zero
        # As ½(r/√β)² rather than ½r²/β: for a tiny β, r² underflows to 0 and d(r²/β)/d(r²) =
        # 1/β overflows, while r/√β < √β stays a float and so does each local derivative.
        return 0.5 * (residual / math.sqrt(beta)) ** 2
    return abs(residual) - 0.5 * beta


@overload
def huber_loss(
    predictions: Scalar,
    targets: ScalarOrVector,
    *,
    delta: float = ...,
    reduction: Reduction = ...,
) -> Value: ...
@overload
def huber_loss(
    predictions: Vector,
    targets: ScalarOrVector,
    *,
    delta: float = ...,
    reduction: MeanOrSum = ...,
) -> Value: ...
@overload
def huber_loss(
    predictions: Vector,
    targets: ScalarOrVector,
    *,
    delta: float = ...,
    reduction: Literal["none"],
) -> list[Value]: ...
@takes("predictions")
def huber_loss(
    predictions: ScalarOrVector,
    targets: ScalarOrVector,
    *,
    delta: float = 1.0,
    reduction: Reduction = "mean",
) -> Value | list[Value]:
    """Return the Huber loss: ½r² where |r| < δ, δ(|r| - ½δ) beyond, for the residual r = ŷ - y.

    Squared error for small residuals (smooth near the target), absolute error for large ones (an
    outlier pulls with a gradient of at most δ). The two pieces meet with equal value and slope at
    |r| = δ. Which piece applies is decided per example on the number; backprop then runs through
    the operations of that piece only, as through a relu.

    Args:
      predictions: a scalar or a vector of predictions.
      targets: the same shape as predictions.
      delta: δ > 0, where the loss turns from quadratic to linear.
      reduction: 'mean', 'sum', or 'none'.

    >>> [f"{v:.3f}" for v in huber_loss([0.5, 3.0], [0.0, 0.0], reduction="none")]
    ['0.125', '2.500']

    Reference: Huber, "Robust Estimation of a Location Parameter" (1964);
    torch.nn.functional.huber_loss.
    """
    fn = "huber_loss"
    check_reduction(reduction, fn)
    delta = check_parameter(delta, fn, "delta")
    if delta <= 0:
        raise ValueError(f"{fn}: delta must be > 0, got {delta!r}")
    xs, ys, single = paired(predictions, targets, fn, "predictions")
    columns: list[Column] = [("predictions", xs), ("targets", ys)]
    return reduced_loss(
        fn,
        "the Huber loss",
        lambda x, y: _huber(x - y, delta),
        columns,
        single,
        reduction,
        [("delta", delta)],
    )


@overload
def smooth_l1_loss(
    predictions: Scalar,
    targets: ScalarOrVector,
    *,
    beta: float = ...,
    reduction: Reduction = ...,
) -> Value: ...
@overload
def smooth_l1_loss(
    predictions: Vector,
    targets: ScalarOrVector,
    *,
    beta: float = ...,
    reduction: MeanOrSum = ...,
) -> Value: ...
@overload
def smooth_l1_loss(
    predictions: Vector,
    targets: ScalarOrVector,
    *,
    beta: float = ...,
    reduction: Literal["none"],
) -> list[Value]: ...
@takes("predictions")
def smooth_l1_loss(
    predictions: ScalarOrVector,
    targets: ScalarOrVector,
    *,
    beta: float = 1.0,
    reduction: Reduction = "mean",
) -> Value | list[Value]:
    """Return the smooth L1 loss: ½r²/β where |r| < β, |r| - ½β beyond, for r = ŷ - y.

    Huber loss divided by β: the linear part always has slope ±1, like L1, and β only sets how wide
    the rounded bottom is. With β = 0 it is exactly the L1 loss (the quadratic piece never applies,
    so nothing divides by zero). Used for box regression in Fast R-CNN.

    Args:
      predictions: a scalar or a vector of predictions.
      targets: the same shape as predictions.
      beta: β >= 0, the width of the quadratic part.
      reduction: 'mean', 'sum', or 'none'.

    >>> [f"{v:.3f}" for v in smooth_l1_loss([1.0, 3.0], [0.0, 0.0], beta=2.0, reduction="none")]
    ['0.250', '2.000']

    Reference: Girshick, "Fast R-CNN" (2015); torch.nn.functional.smooth_l1_loss.
    """
    fn = "smooth_l1_loss"
    check_reduction(reduction, fn)
    beta = check_parameter(beta, fn, "beta")
    if beta < 0:
        raise ValueError(f"{fn}: beta must be >= 0, got {beta!r}")
    xs, ys, single = paired(predictions, targets, fn, "predictions")
    columns: list[Column] = [("predictions", xs), ("targets", ys)]
    return reduced_loss(
        fn,
        "the smooth L1 loss",
        lambda x, y: _smooth_l1(x - y, beta),
        columns,
        single,
        reduction,
        [("beta", beta)],
    )
