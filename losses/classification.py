"""Binary classification: the sigmoid, binary cross-entropy, and the losses the post left out.

The post's argument in one line: through a sigmoid, squared error's gradient carries the factor
σ'(z) = p(1 - p) and vanishes when the model is confidently wrong, while cross-entropy's log
cancels it, leaving ∂L/∂z = p - y. Every loss here is a composition of engine operations, so that
cancellation is not written down anywhere: it comes out of `backward()`.

Inputs are a scalar (one example) or a vector (a batch of examples); `reduction` is 'mean', 'sum'
or 'none' as in PyTorch.

The losses of a logit are sums of non-negative terms chosen by the sign of z, so they keep their
relative precision at any logit and any soft label; a loss or gradient that cannot be a float is
refused naming the loss and the example.
"""

from __future__ import annotations

import math
import sys
from typing import Literal, overload

from engine import Value

from ._finite import Column, check_gradients, finite_log, per_example, reduced_loss
from ._inputs import (
    MeanOrSum,
    Reduction,
    Scalar,
    ScalarOrVector,
    Vector,
    check_eps,
    check_in_range,
    check_parameter,
    check_reduction,
    element_name,
    is_scalar,
    paired,
    to_operand,
    to_operands,
    to_values,
)
from .kinds import takes

__all__ = [
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "focal_loss",
    "hinge_loss",
    "logit",
    "sigmoid",
]


@overload
def sigmoid(z: Scalar) -> Value: ...
@overload
def sigmoid(z: Vector) -> list[Value]: ...
def sigmoid(z: ScalarOrVector) -> Value | list[Value]:
    """Return σ(z) = 1 / (1 + e^-z): a Value for a scalar, a list of Values for a vector.

    Squashes a logit (any real number) into a probability in (0, 1). The engine's sigmoid never
    exponentiates a positive number, so it does not overflow for any z; its derivative is p(1 - p).

    Args:
      z: a logit (any real number), or a vector of them.

    >>> z = -4.5  # the model's raw score; the true label is 1
    >>> p = sigmoid(z)
    >>> print(f"Prediction: {p:.6f}")
    Prediction: 0.010987

    Reference: the post, "When Squared Error Meets Classification".
    """
    values, single = to_values(z, "sigmoid", "z")
    out = [v.sigmoid() for v in values]
    return out[0] if single else out


@overload
def logit(p: Scalar) -> Value: ...
@overload
def logit(p: Vector) -> list[Value]: ...
def logit(p: ScalarOrVector) -> Value | list[Value]:
    """Return log(p / (1 - p)), the inverse of the sigmoid: the logit z with σ(z) = p.

    Handy for the post's gradient tables, which are written in terms of p: the gradient with respect
    to the logit at p = 0.01 is taken at z = logit(0.01).

    Args:
      p: a probability strictly between 0 and 1, or a vector of them.

    >>> print(f"{logit(0.5):.4f} {sigmoid(logit(0.01)):.4f}")
    0.0000 0.0100
    """
    fn = "logit"
    values, single = to_values(p, fn, "p")
    for i, v in enumerate(values):
        if not 0.0 < v.data < 1.0:
            name = element_name("p", i, single)
            raise ValueError(f"{fn}: {name} must be in (0, 1), got {v.data!r}")
    columns: list[Column] = [("p", values)]
    out = per_example(fn, "the logit", _logit, columns, single)
    check_gradients(fn, "the logit", out, 1.0, columns, single)
    return out[0] if single else out


def _logit(p: Value) -> Value:
    return p.log() - (1 - p).log()


@overload
def binary_cross_entropy(p: Scalar, y: ScalarOrVector, *, eps: float = ..., reduction: Reduction = ...) -> Value: ...
@overload
def binary_cross_entropy(p: Vector, y: ScalarOrVector, *, eps: float = ..., reduction: MeanOrSum = ...) -> Value: ...
@overload
def binary_cross_entropy(
    p: Vector, y: ScalarOrVector, *, eps: float = ..., reduction: Literal["none"]
) -> list[Value]: ...
@takes("probabilities")
def binary_cross_entropy(
    p: ScalarOrVector, y: ScalarOrVector, *, eps: float = 1e-15, reduction: Reduction = "mean"
) -> Value | list[Value]:
    """Return the binary cross-entropy -[y·log p + (1 - y)·log(1 - p)], p clipped to [eps, 1 - eps].

    The negative log-likelihood of the label y under a predicted probability p: it grows without
    bound as the probability of the true label goes to 0. Written exactly as the post writes it,
    clip included (so log never sees 0). Through a sigmoid, backprop gives ∂L/∂z = p - y: the
    log's derivative cancels the sigmoid's. Where the clip is active its gradient is 0, as numpy's
    is; from a logit, prefer `binary_cross_entropy_with_logits`, which needs no clip.

    Args:
      p: predicted probabilities in [0, 1]: a scalar or a vector.
      y: labels in [0, 1] (0/1, or soft labels), the same shape as p.
      eps: the clipping margin, 2^-53 (1.1e-16) <= eps < 0.5.
      reduction: 'mean', 'sum', or 'none'.

    The post's example (it rounds the prediction sigmoid(-4.5) = 0.010987 to 0.011 first; at the
    unrounded p the loss is 4.5110):

    >>> print(f"BCE loss: {binary_cross_entropy(0.011, 1):.4f}")
    BCE loss: 4.5099
    >>> print(f"{binary_cross_entropy(sigmoid(-4.5), 1):.4f}")
    4.5110

    For y = 1 it is -log(p), the post's table:

    >>> for q in [0.99, 0.9, 0.5, 0.1, 0.01]:
    ...     print(f"  p={q:.2f} → loss = {binary_cross_entropy(q, 1):.4f}")
      p=0.99 → loss = 0.0101
      p=0.90 → loss = 0.1054
      p=0.50 → loss = 0.6931
      p=0.10 → loss = 2.3026
      p=0.01 → loss = 4.6052

    Reference: the post, "Cross-Entropy: The Logarithmic Fix";
    torch.nn.functional.binary_cross_entropy (which clamps the log at -100 instead of clipping p).
    """
    fn = "binary_cross_entropy"
    check_reduction(reduction, fn)
    # The upper clip 1 - eps must be below 1 (so that log(1 - p) never sees 0): eps >= 2^-53.
    eps = check_eps(eps, fn, 0.5, lo=2.0**-53)
    ps, ys, single = paired(p, y, fn, "p", "y")
    for i, (p_i, y_i) in enumerate(zip(ps, ys)):
        check_in_range(p_i, 0.0, 1.0, fn, element_name("p", i, single))
        check_in_range(y_i, 0.0, 1.0, fn, element_name("y", i, single))

    def loss_of(p_i: Value, y_i: Value | float) -> Value:
        p_i = p_i.clip(eps, 1 - eps)  # numerical safety: avoid log(0)
        return -(y_i * p_i.log() + (1 - y_i) * (1 - p_i).log())

    columns: list[Column] = [("p", ps), ("y", ys)]
    return reduced_loss(fn, "the cross-entropy", loss_of, columns, single, reduction, [("eps", eps)])


def _per_example_weights(weight: object, n: int, single: bool, fn: str, arg: str) -> list[Value | float]:
    """Return a non-negative weight per example from one number/Value or one per example."""
    if is_scalar(weight):
        w = to_operand(weight, fn, arg)
        check_in_range(w, 0.0, float("inf"), fn, arg)
        return [w] * n
    weights, _ = to_operands(weight, fn, arg)
    if single:
        raise ValueError(f"{fn}: {arg} must be one number for a single example, got a sequence of {len(weights)}")
    if len(weights) != n:
        raise ValueError(f"{fn}: {arg} must be one number or one per example ({n}), got {len(weights)}")
    for i, w in enumerate(weights):
        check_in_range(w, 0.0, float("inf"), fn, f"{arg}[{i}]")
    return weights


@overload
def binary_cross_entropy_with_logits(
    logits: Scalar,
    targets: ScalarOrVector,
    *,
    pos_weight: ScalarOrVector | None = ...,
    reduction: Reduction = ...,
) -> Value: ...
@overload
def binary_cross_entropy_with_logits(
    logits: Vector,
    targets: ScalarOrVector,
    *,
    pos_weight: ScalarOrVector | None = ...,
    reduction: MeanOrSum = ...,
) -> Value: ...
@overload
def binary_cross_entropy_with_logits(
    logits: Vector,
    targets: ScalarOrVector,
    *,
    pos_weight: ScalarOrVector | None = ...,
    reduction: Literal["none"],
) -> list[Value]: ...
@takes("logits")
def binary_cross_entropy_with_logits(
    logits: ScalarOrVector,
    targets: ScalarOrVector,
    *,
    pos_weight: ScalarOrVector | None = None,
    reduction: Reduction = "mean",
) -> Value | list[Value]:
    """Return binary cross-entropy from the logit z, BCE(σ(z), y) = softplus(z) - y·z.

    The same loss as ``binary_cross_entropy(sigmoid(z), y)``, written so nothing can overflow or
    round to log(0): log σ(z) = -softplus(-z) and log(1 - σ(z)) = -softplus(z), so the loss is
    y·softplus(-z) + (1 - y)·softplus(z), and the engine's softplus is exact for any z. The
    familiar softplus(z) - y·z is the same number, but for a large z and a label near 1 it
    subtracts two numbers close to z (at z = 1e4 and y = 1 - 1e-12 it keeps 2 digits). So the
    form is chosen by the sign of z, with every term >= 0 and nothing to cancel:

        z <= 0:  softplus(z) - y·z
        z > 0:   (1 - y)·z + softplus(-z)      (softplus(z) = z + softplus(-z))

    Backprop adds two terms into z's gradient: σ(z) - y for z <= 0 (exactly 0.5 - y at z = 0),
    and the same number as (1 - y) - σ(-z) for z > 0, free of the rounding of σ(z) near 1. No clip
    cuts it off: ±1000 gives a loss of 1000 or 0 and a gradient of ±1 or 0.

    With pos_weight w (PyTorch's meaning, weighting the positive term) the loss is
    -[w·y·log σ(z) + (1 - y)·log(1 - σ(z))] = w·y·softplus(-z) + (1 - y)·softplus(z), written
    the same way with c = 1 - y + w·y: c·softplus(z) - w·y·z for z <= 0, and
    (1 - y)·z + c·softplus(-z) for z > 0. A loss beyond the float range (w·y·|z| > 1.8e308) is
    refused naming the example.

    Args:
      logits: raw scores z (any real number): a scalar or a vector.
      targets: labels y in [0, 1], the same shape.
      pos_weight: None, or w >= 0: one number, or one per example.
      reduction: 'mean', 'sum', or 'none'.

    >>> print(f"{binary_cross_entropy_with_logits(-4.5, 1):.4f}")  # the post's example, unrounded
    4.5110
    >>> from engine import Value
    >>> z = Value(-4.5)
    >>> binary_cross_entropy_with_logits(z, 1).backward()
    >>> print(f"{z.grad:.4f} = {sigmoid(-4.5):.4f} - 1")
    -0.9890 = 0.0110 - 1
    >>> [f"{binary_cross_entropy_with_logits(z, 1):.1f}" for z in (-1000.0, 1000.0)]
    ['1000.0', '0.0']
    >>> print(f"{binary_cross_entropy_with_logits(50.0, 1, pos_weight=1e307):.6g}")
    1.92875e+285

    Reference: torch.nn.functional.binary_cross_entropy_with_logits;
    optax.sigmoid_binary_cross_entropy.
    """
    fn = "binary_cross_entropy_with_logits"
    check_reduction(reduction, fn)
    zs, ys, single = paired(logits, targets, fn, "logits")
    for i, y_i in enumerate(ys):
        check_in_range(y_i, 0.0, 1.0, fn, element_name("targets", i, single))
    columns: list[Column] = [("logits", zs), ("targets", ys)]
    if pos_weight is not None:
        weights = _per_example_weights(pos_weight, len(zs), single, fn, "pos_weight")
        columns.append(("pos_weight", weights))
    return reduced_loss(fn, "the cross-entropy", _cross_entropy_of_logit, columns, single, reduction)


def _cross_entropy_of_logit(z: Value, y: Value | float, pos_weight: Value | float | None = None) -> Value:
    """Return w·y·softplus(-z) + (1 - y)·softplus(z) in terms >= 0, by the sign of z (None: w = 1).

    See `binary_cross_entropy_with_logits` for the two forms.
    """
    positive = y if pos_weight is None else pos_weight * y  # the weight w·y of log σ(z)
    if z.data > 0.0:
        softplus = (-z).softplus()
        if pos_weight is not None:
            softplus = ((1 - y) + positive) * softplus
        return (1 - y) * z + softplus
    softplus = z.softplus()
    if pos_weight is not None:
        softplus = ((1 - y) + positive) * softplus
    return softplus - positive * z


@overload
def focal_loss(
    logits: Scalar,
    targets: ScalarOrVector,
    *,
    alpha: float | None = ...,
    gamma: float = ...,
    reduction: Reduction = ...,
) -> Value: ...
@overload
def focal_loss(
    logits: Vector,
    targets: ScalarOrVector,
    *,
    alpha: float | None = ...,
    gamma: float = ...,
    reduction: MeanOrSum = ...,
) -> Value: ...
@overload
def focal_loss(
    logits: Vector,
    targets: ScalarOrVector,
    *,
    alpha: float | None = ...,
    gamma: float = ...,
    reduction: Literal["none"],
) -> list[Value]: ...
@takes("logits")
def focal_loss(
    logits: ScalarOrVector,
    targets: ScalarOrVector,
    *,
    alpha: float | None = 0.25,
    gamma: float = 2.0,
    reduction: Reduction = "mean",
) -> Value | list[Value]:
    """Return the focal loss α_t·(1 - p_t)^γ·BCE(σ(z), y), p_t = σ(z) if y = 1 else 1 - σ(z).

    Cross-entropy scaled down where the model is already right (p_t near 1), so the many easy
    examples of a detector do not drown the few hard ones. γ = 0 and alpha=None give plain binary
    cross-entropy. The cross-entropy term is computed from the logit as in
    `binary_cross_entropy_with_logits` (by the sign of z, so nothing cancels). 1 - p_t, the
    probability of the wrong class, is never formed as 1 - σ(z), which rounds to 0 at z ≈ 37:
    for a soft label it is y·σ(-z) + (1 - y)·σ(z), written from the sigmoid of -|z| as a sum
    that cannot cancel; for 0/1 labels given as numbers it is σ(∓z), and the factor σ(∓z)^γ is
    computed as exp(-γ·softplus(±z)), which stays finite with a finite gradient for every logit
    and γ, even where σ(∓z) underflows to 0 (there, pow's derivative γ·x^(γ-1) would be infinite
    for γ < 1). Where 1 - p_t rounds to 1 the factor is exp(-γ·p_t), which a huge γ still makes
    small.

    Args:
      logits: raw scores z: a scalar or a vector.
      targets: labels y in [0, 1] (0/1 labels, or soft ones), the same shape.
      alpha: weight α in [0, 1] of the positive class (1 - α for the negative), or None for no
        weighting.
      gamma: focusing exponent γ >= 0.
      reduction: 'mean', 'sum', or 'none'. (torchvision's default is 'none'; the library's losses
        all default to 'mean'; for a scalar they agree.)

    >>> print(f"{focal_loss(-4.5, 1):.4f} {focal_loss(-4.5, 1, alpha=None, gamma=0.0):.4f}")
    1.1031 4.5110

    Reference: Lin et al., "Focal Loss for Dense Object Detection" (2017);
    torchvision.ops.sigmoid_focal_loss.
    """
    fn = "focal_loss"
    check_reduction(reduction, fn)
    gamma = check_parameter(gamma, fn, "gamma")
    if gamma < 0:
        raise ValueError(f"{fn}: gamma must be >= 0, got {gamma!r}")
    parameters = [("gamma", gamma)]
    if alpha is not None:
        alpha = check_parameter(alpha, fn, "alpha")
        check_in_range(alpha, 0.0, 1.0, fn, "alpha")
        parameters.insert(0, ("alpha", alpha))
    zs, ys, single = paired(logits, targets, fn, "logits")
    for i, y_i in enumerate(ys):
        check_in_range(y_i, 0.0, 1.0, fn, element_name("targets", i, single))

    def loss_of(z: Value, y: Value | float) -> Value:
        loss = _cross_entropy_of_logit(z, y)
        if gamma != 0.0:
            loss = _focusing_factor(z, y, gamma) * loss
        if alpha is not None:
            loss = (alpha * y + (1 - alpha) * (1 - y)) * loss
        return loss

    columns: list[Column] = [("logits", zs), ("targets", ys)]
    return reduced_loss(fn, "the focal loss", loss_of, columns, single, reduction, parameters)


# Below this, softplus(s) = log(1 + e^s) rounds to e^s itself (e^s is under 2^-53).
SOFTPLUS_IS_EXP = -37.0
# exp(-v) rounds to 0 for every v above this (half the smallest float, 2.5e-324, is e^-745.1).
EXP_UNDERFLOWS = 746.0


def _focusing_factor(z: Value, y: Value | float, gamma: float) -> Value | float:
    """Return (1 - p_t)^γ, for 1 - p_t = y·σ(-z) + (1 - y)·σ(z), the probability of the wrong class.

    The number 0.0 where the factor, and so its gradient, is below the smallest float.
    """
    if isinstance(y, Value) or y not in (0.0, 1.0):
        # A soft label, or one whose gradient is wanted. With s = σ(-|z|), whose derivative the
        # engine has in full (unlike σ(|z|)'s, near 1), and a, b = y, 1 - y for z > 0 (swapped
        # for z <= 0), both probabilities are sums that cannot cancel:
        # p_t = a + (b - a)·s and 1 - p_t = b + (a - b)·s.
        positive = z.data > 0.0
        s = (-z).sigmoid() if positive else z.sigmoid()
        a, b = (y, 1 - y) if positive else (1 - y, y)
        a_data, b_data = (v.data if isinstance(v, Value) else v for v in (a, b))
        if a_data + (b_data - a_data) * s.data < 2.0**-53:
            # 1 - p_t rounds to 1 here, yet (1 - p_t)^γ = exp(γ·log(1 - p_t)) = exp(-γ·p_t) to
            # rounding, which a huge γ makes small. γ·s is formed as e^(ln γ - softplus(|z|)),
            # so that backprop meets the small s before the large γ (as for a 0/1 label below).
            softplus = z.softplus() if positive else (-z).softplus()
            exponent = gamma * a + (b - a) * (math.log(gamma) - softplus).exp()
            return (-exponent).exp()
        wrong = b + (a - b) * s
        if 0.0 < wrong.data < sys.float_info.min:
            # pow's derivative γ·x^(γ-1) would overflow for such an x before backprop could
            # scale it down; exp(γ·ln x), with ln x in finite_log's form, has no such step.
            if gamma * math.log(wrong.data) < -EXP_UNDERFLOWS:
                return 0.0
            return (gamma * finite_log(wrong)).exp()
        return wrong**gamma
    # A 0/1 label: 1 - p_t = σ(-s) for s = z at y = 1 and s = -z at y = 0, so the factor is
    # σ(-s)^γ = exp(-γ·softplus(s)).
    s = z if y == 1.0 else -z
    if s.data < SOFTPLUS_IS_EXP:
        # There softplus(s) = e^s, and γ·e^s is formed as e^(s + ln γ): backprop then meets the
        # small factor e^s before γ, so a huge γ times a huge loss does not overflow on the way.
        if s.data + math.log(gamma) > math.log(EXP_UNDERFLOWS):
            return 0.0
        exponent = (s + math.log(gamma)).exp()
    else:
        softplus = s.softplus()
        if gamma * softplus.data > EXP_UNDERFLOWS:
            return 0.0
        exponent = gamma * softplus
    return (-exponent).exp()


@overload
def hinge_loss(logits: Scalar, targets: ScalarOrVector, *, reduction: Reduction = ...) -> Value: ...
@overload
def hinge_loss(logits: Vector, targets: ScalarOrVector, *, reduction: MeanOrSum = ...) -> Value: ...
@overload
def hinge_loss(logits: Vector, targets: ScalarOrVector, *, reduction: Literal["none"]) -> list[Value]: ...
@takes("logits")
def hinge_loss(
    logits: ScalarOrVector, targets: ScalarOrVector, *, reduction: Reduction = "mean"
) -> Value | list[Value]:
    """Return the hinge loss max(0, 1 - y·z) for a raw score (logit) z and a label y in {-1, 1}.

    The support vector machine's loss, and micrograd's max-margin loss: zero (and no gradient) once
    an example is on the right side with a margin of 1, a constant push of -y otherwise, so a
    confidently wrong example gets no stronger push than a barely wrong one. Written as
    relu(1 - y·z).

    Args:
      logits: raw scores z, positive for class 1: a scalar or a vector.
      targets: labels y, each -1 or 1, the same shape.
      reduction: 'mean' (micrograd's), 'sum', or 'none'.

    >>> [f"{v:.1f}" for v in hinge_loss([2.0, 0.5, -4.5], [1, 1, 1], reduction="none")]
    ['0.0', '0.5', '5.5']

    Reference: Cortes & Vapnik, "Support-Vector Networks" (1995); micrograd's demo notebook.
    """
    fn = "hinge_loss"
    check_reduction(reduction, fn)
    zs, ys, single = paired(logits, targets, fn, "logits")
    for i, y in enumerate(ys):
        y_data = y.data if isinstance(y, Value) else y
        if y_data not in (-1.0, 1.0):
            name = element_name("targets", i, single)
            raise ValueError(f"{fn}: {name} must be -1 or 1, got {y_data!r}")
    columns: list[Column] = [("logits", zs), ("targets", ys)]
    return reduced_loss(fn, "the hinge loss", _hinge, columns, single, reduction)


def _hinge(z: Value, y: Value | float) -> Value:
    return (1 - y * z).relu()
