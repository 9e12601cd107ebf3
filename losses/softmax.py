"""Multi-class classification: softmax, log-softmax, and the cross-entropies built on them.

Softmax turns K logits into a distribution; cross-entropy measures it against the true class.
Their partnership is the post's second cancellation: the gradient of -log softmax(z)_c with
respect to each logit is softmax(z)_k - [k = c], predicted minus actual, with no Jacobian of
softmax in sight. Nothing here writes that gradient; backprop through the operations produces it.

Stability: every function subtracts the largest logit m before exponentiating, so exp only sees
numbers <= 0 and cannot overflow, even for logits of 1e4. m is taken as a plain number (a
constant in the graph), and no gradient is lost by that: softmax(z - c) = softmax(z) for every c,
so the output does not depend on c at all, and a gradient flowing through c = max(z) would be a
sum of terms that cancel exactly (softmax's Jacobian times the all-ones vector is zero).

A loss takes one example (a vector of K logits and one target) or a batch (a sequence of such
vectors, or a 2-D array, and one target per example), with `reduction` over the batch.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Literal, overload

import numpy as np

from engine import Value, dot
from engine import sum as value_sum

from ._inputs import (
    Batch,
    MeanOrSum,
    Reduction,
    Row,
    Vector,
    check_class_weights,
    check_distribution,
    check_eps,
    check_ignore_index,
    check_in_range,
    check_parameter,
    check_reduction,
    element_name,
    is_scalar,
    paired_distributions,
    reduce,
    to_class_indices,
    to_vectors,
)
from .information import expected_surprise
from .kinds import takes

__all__ = [
    "categorical_cross_entropy",
    "log_softmax",
    "nll_loss",
    "softmax",
    "softmax_cross_entropy",
    "stable_categorical_ce",
]

ClassIndex = int
"""A class index c in [0, K) (Python or numpy integer)."""

ClassIndices = ClassIndex | Sequence[ClassIndex] | np.ndarray
"""One class index, or one per example."""

Targets = ClassIndex | Row | Batch
"""For one example a class index or a probability vector; for a batch, one of those per example."""


def _one_vector(logits: Vector, fn: str) -> list[Value]:
    rows, single = to_vectors(logits, fn, "logits")
    if not single:
        raise ValueError(
            f"{fn}: logits must be one vector, got a batch of {len(rows)}; apply {fn} to each row"
        )
    return rows[0]


def _shifted(logits: list[Value]) -> list[Value]:
    """Return z_k - max(z), the max taken as a constant: exact, as the module docstring says."""
    # A plain number, so no gradient flows into it. None is lost: the outputs do not depend on the
    # shift (softmax(z - c) = softmax(z)), so the gradient through c would be exactly zero anyway.
    largest = max(z.data for z in logits)
    return [z - largest for z in logits]


def _log_sum_exp(shifted: list[Value]) -> Value:
    """Return log Σ exp(s_k) for shifted logits s (max 0): the sum is >= 1, so its log is finite."""
    return value_sum([s.exp() for s in shifted]).log()


def softmax(logits: Vector) -> list[Value]:
    """Return softmax(z)_k = exp(z_k) / Σ_j exp(z_j) for one vector of logits, as a list of Values.

    Turns K raw scores into probabilities that are positive and sum to 1, preserving their order.
    The max is subtracted first (the subtract-max trick): same result, no overflow.

    Args:
      logits: one vector of K real numbers (Values, numbers, or a 1-D array).

    >>> probs = softmax([2.0, 1.0, 0.5, -1.0, 0.1])
    >>> print("Probabilities:", " ".join(f"{p:.4f}" for p in probs))
    Probabilities: 0.5585 0.2055 0.1246 0.0278 0.0835
    >>> [f"{p:.1f}" for p in softmax([1e4, 0.0])]
    ['1.0', '0.0']

    Reference: the post, "Categorical Cross-Entropy: The Softmax Partnership"; torch.softmax.
    """
    exps = [s.exp() for s in _shifted(_one_vector(logits, "softmax"))]
    total = value_sum(exps)
    return [e / total for e in exps]


def log_softmax(logits: Vector) -> list[Value]:
    """Return log softmax(z)_k = (z_k - m) - log Σ_j exp(z_j - m), m = max(z), as a list of Values.

    The log of softmax without forming softmax: taking log of a probability that rounded to 0
    would fail, while this stays finite for any logits (log Σ exp(z_j - m) >= log 1 = 0).

    Args:
      logits: one vector of K real numbers.

    >>> [f"{v:.4f}" for v in log_softmax([2.0, 1.0, 0.5, -1.0, 0.1])]
    ['-0.5824', '-1.5824', '-2.0824', '-3.5824', '-2.4824']
    >>> [f"{v:.0f}" for v in log_softmax([1e4, 0.0])]
    ['0', '-10000']

    Reference: the post; torch.log_softmax.
    """
    shifted = _shifted(_one_vector(logits, "log_softmax"))
    log_total = _log_sum_exp(shifted)
    return [s - log_total for s in shifted]


@overload
def categorical_cross_entropy(
    y_true: Row | Batch, y_pred: Row, *, eps: float = ..., reduction: Reduction = ...
) -> Value: ...
@overload
def categorical_cross_entropy(
    y_true: Row | Batch, y_pred: Batch, *, eps: float = ..., reduction: MeanOrSum = ...
) -> Value: ...
@overload
def categorical_cross_entropy(
    y_true: Row | Batch, y_pred: Batch, *, eps: float = ..., reduction: Literal["none"]
) -> list[Value]: ...
@takes("probabilities")
def categorical_cross_entropy(
    y_true: Row | Batch,
    y_pred: Row | Batch,
    *,
    eps: float = 1e-15,
    reduction: Reduction = "mean",
) -> Value | list[Value]:
    """Return -Σ_k y_k·log ŷ_k for a one-hot (or probability) target y and probabilities ŷ.

    The post's multi-class loss on probabilities: with a one-hot y every term but the true class's
    vanishes, leaving -log ŷ_c, the surprise at the right answer. ŷ is clipped to [eps, 1] like
    the post. Through `softmax`, backprop gives ∂L/∂z_k = ŷ_k - y_k; `softmax_cross_entropy`
    computes the same loss from the logits without the clip.

    Args:
      y_true: the target distribution (one-hot, entries in [0, 1] summing to 1), or a batch of them.
      y_pred: predicted probabilities, the same shape, summing to 1 within 1e-6.
      eps: the clipping floor for ŷ, 0 < eps < 1.
      reduction: over a batch: 'mean', 'sum', or 'none'.

    >>> from engine import Value
    >>> logits = [Value(z) for z in [2.0, 1.0, 0.5, -1.0, 0.1]]
    >>> y_true = [0, 0, 1, 0, 0]  # one-hot: class 2
    >>> probs = softmax(logits)
    >>> loss = categorical_cross_entropy(y_true, probs)
    >>> print(f"P(correct class): {probs[2]:.4f}")
    P(correct class): 0.1246
    >>> print(f"Loss: {loss:.4f}")
    Loss: 2.0824
    >>> loss.backward()
    >>> for k, z in enumerate(logits):
    ...     print(f"  class {k}: ŷ={probs[k]:.4f}, y={y_true[k]}, grad={z.grad:+.4f}")
      class 0: ŷ=0.5585, y=0, grad=+0.5585
      class 1: ŷ=0.2055, y=0, grad=+0.2055
      class 2: ŷ=0.1246, y=1, grad=-0.8754
      class 3: ŷ=0.0278, y=0, grad=+0.0278
      class 4: ŷ=0.0835, y=0, grad=+0.0835

    Reference: the post; Keras's categorical_crossentropy (probabilities in, one-hot target).
    """
    fn = "categorical_cross_entropy"
    check_reduction(reduction, fn)
    eps = check_eps(eps, fn, 1.0)
    ys, preds, single = paired_distributions(y_true, y_pred, fn, "y_true", "y_pred")
    losses = [expected_surprise(y, pred, eps) for y, pred in zip(ys, preds)]
    return reduce(losses, reduction, single)


def _surprise_of_class(logits: list[Value], c: int) -> Value:
    """Return -log softmax(z)_c = log Σ exp(s) - s_c for s = z - max(z).

    Written so that a certain class gives +0.0, not -0.0.
    """
    shifted = _shifted(logits)
    return _log_sum_exp(shifted) - shifted[c]


def _expected_surprise_of(logits: list[Value], t: Sequence[Value | float]) -> Value:
    """Return Σ_k t_k·(-log softmax(z)_k), each term computed as in `_surprise_of_class`."""
    shifted = _shifted(logits)
    log_total = _log_sum_exp(shifted)
    return dot(t, [log_total - s for s in shifted])


@overload
def stable_categorical_ce(
    logits: Row, class_index: ClassIndices, *, reduction: Reduction = ...
) -> Value: ...
@overload
def stable_categorical_ce(
    logits: Batch, class_index: ClassIndices, *, reduction: MeanOrSum = ...
) -> Value: ...
@overload
def stable_categorical_ce(
    logits: Batch, class_index: ClassIndices, *, reduction: Literal["none"]
) -> list[Value]: ...
@takes("logits")
def stable_categorical_ce(
    logits: Row | Batch, class_index: ClassIndices, *, reduction: Reduction = "mean"
) -> Value | list[Value]:
    """Return -log_softmax(logits)[class_index]: categorical cross-entropy from logits.

    The post's stable version: the same number as ``categorical_cross_entropy(onehot, softmax(z))``,
    computed in log space as log Σ_j exp(z_j - m) - (z_c - m), so it neither overflows for large
    logits nor takes the log of a probability that rounded to 0, and needs no clip.

    Args:
      logits: one vector of K logits, or a batch of them.
      class_index: the true class c in [0, K) (an int), or one per example.
      reduction: over a batch: 'mean', 'sum', or 'none'.

    >>> logits = [2.0, 1.0, 0.5, -1.0, 0.1]
    >>> print(f"Stable loss: {stable_categorical_ce(logits, class_index=2):.4f}")
    Stable loss: 2.0824
    >>> print(f"{stable_categorical_ce([1e4, 0.0, -1e4], class_index=1):.1f}")
    10000.0

    Reference: the post, "The Beautiful Gradient"; torch.nn.functional.cross_entropy.
    """
    fn = "stable_categorical_ce"
    check_reduction(reduction, fn)
    rows, single = to_vectors(logits, fn, "logits")
    classes = to_class_indices(class_index, len(rows), single, len(rows[0]), fn, "class_index")
    return reduce([_surprise_of_class(row, c) for row, c in zip(rows, classes)], reduction, single)


@overload
def softmax_cross_entropy(
    logits: Row,
    targets: Targets,
    *,
    label_smoothing: float = ...,
    reduction: Reduction = ...,
    weight: Sequence[float] | None = ...,
    ignore_index: int | None = ...,
) -> Value: ...
@overload
def softmax_cross_entropy(
    logits: Batch,
    targets: Targets,
    *,
    label_smoothing: float = ...,
    reduction: MeanOrSum = ...,
    weight: Sequence[float] | None = ...,
    ignore_index: int | None = ...,
) -> Value: ...
@overload
def softmax_cross_entropy(
    logits: Batch,
    targets: Targets,
    *,
    label_smoothing: float = ...,
    reduction: Literal["none"],
    weight: Sequence[float] | None = ...,
    ignore_index: int | None = ...,
) -> list[Value]: ...
@takes("logits")
def softmax_cross_entropy(
    logits: Row | Batch,
    targets: Targets,
    *,
    label_smoothing: float = 0.0,
    reduction: Reduction = "mean",
    weight: Sequence[float] | None = None,
    ignore_index: int | None = None,
) -> Value | list[Value]:
    """Return the cross-entropy -Σ_k t_k·log softmax(z)_k of logits z against a target t.

    The standard multi-class loss (PyTorch's cross_entropy). The target is a class index c (t is
    one-hot) or a probability vector. Label smoothing ε mixes t with the uniform distribution,
    t' = (1 - ε)·t + ε/K, so the model is never pushed toward infinite logits. Computed from
    log-softmax with the max subtracted, so it is stable for logits of 1e4, and backprop gives
    ∂L/∂z_k = softmax(z)_k - t'_k.

    Class weights w (for imbalanced classes) scale each term, -Σ_k w_k·t_k·log softmax(z)_k, as
    in PyTorch: with class-index targets the mean is over the weights of the examples' classes,
    Σ_n loss_n / Σ_n w_{c_n}, and examples whose class is ``ignore_index`` count for nothing;
    with probability targets the mean is over the examples.

    Args:
      logits: one vector of K logits, or a batch of them.
      targets: for one example a class index (int) or a probability vector of length K; for a
        batch, one of those per example.
      label_smoothing: ε in [0, 1].
      reduction: over a batch: 'mean', 'sum', or 'none'.
      weight: K class weights >= 0, or None (every class weighs 1).
      ignore_index: a class index whose examples are left out (loss 0, and not in the mean), or
        None. Unlike PyTorch (whose default is -100), no target is ignored unless this is given.

    >>> from engine import Value
    >>> z = [Value(v) for v in [2.0, 1.0, 0.5, -1.0, 0.1]]
    >>> loss = softmax_cross_entropy(z, 2)
    >>> loss.backward()
    >>> print(f"{loss:.4f}", [f"{v.grad:+.4f}" for v in z])
    2.0824 ['+0.5585', '+0.2055', '-0.8754', '+0.0278', '+0.0835']
    >>> print(f"{softmax_cross_entropy([2.0, 1.0, 0.5, -1.0, 0.1], 2, label_smoothing=0.1):.4f}")
    2.0804
    >>> print(f"{softmax_cross_entropy([[1e4, 0.0], [0.0, 1e4]], [0, 0], reduction='sum'):.1f}")
    10000.0
    >>> batch = [[2.0, 0.0], [2.0, 0.0], [0.5, 0.5]]  # a right, a wrong, an unlabelled example
    >>> weighted = softmax_cross_entropy(batch, [0, 1, -100], weight=[1.0, 3.0], ignore_index=-100)
    >>> print(f"{weighted:.4f}")
    1.6269

    Reference: torch.nn.functional.cross_entropy; optax.softmax_cross_entropy; Szegedy et al.,
    "Rethinking the Inception Architecture" (2016) for label smoothing.
    """
    fn = "softmax_cross_entropy"
    check_reduction(reduction, fn)
    smoothing = check_parameter(label_smoothing, fn, "label_smoothing")
    check_in_range(smoothing, 0.0, 1.0, fn, "label_smoothing")
    rows, single = to_vectors(logits, fn, "logits")
    num_classes = len(rows[0])
    weights = check_class_weights(weight, num_classes, fn)
    ignore = check_ignore_index(ignore_index, fn)

    if not is_scalar(targets if single else _first(targets, fn)):
        if ignore is not None:
            raise ValueError(
                f"{fn}: ignore_index applies to class-index targets only, "
                "got probability vectors as targets"
            )
        losses = _losses_of_distributions(rows, single, targets, smoothing, weights, fn)
        return reduce(losses, reduction, single)

    classes = to_class_indices(targets, len(rows), single, num_classes, fn, "targets", ignore)
    if weights is None and ignore is None and smoothing == 0.0:
        # The common case: the surprise at the true class.
        losses = [_surprise_of_class(row, c) for row, c in zip(rows, classes)]
        return reduce(losses, reduction, single)
    class_weights = weights or [1.0] * num_classes
    losses = []
    for row, c in zip(rows, classes):
        if c == ignore:
            losses.append(Value(0.0))
        elif smoothing == 0.0:
            losses.append(_surprise_of_class(row, c) * class_weights[c])
        else:  # PyTorch's weighted smoothing: t_k = (1 - ε)·w_c·[k = c] + ε/K·w_k
            t = [
                (1 - smoothing) * (w_k if k == c else 0.0) + smoothing / num_classes * w_k
                for k, w_k in enumerate(class_weights)
            ]
            losses.append(_expected_surprise_of(row, t))
    return _reduce_by_class(losses, classes, weights, ignore, reduction, single, fn)


def _losses_of_distributions(
    rows: list[list[Value]],
    single: bool,
    targets: object,
    smoothing: float,
    weights: list[float] | None,
    fn: str,
) -> list[Value]:
    """Return softmax_cross_entropy's per-example losses for probability-vector targets."""
    num_classes = len(rows[0])
    target_rows, target_single = to_vectors(targets, fn, "targets")
    if (
        target_single != single
        or len(target_rows) != len(rows)
        or len(target_rows[0]) != num_classes
    ):

        def shape(one: bool, n: int) -> str:
            return "one vector" if one else f"{n} rows"

        raise ValueError(
            f"{fn}: probability targets must have the shape of logits "
            f"({shape(single, len(rows))} of {num_classes}), "
            f"got {shape(target_single, len(target_rows))} of {len(target_rows[0])}"
        )
    for i, target_row in enumerate(target_rows):
        check_distribution(target_row, fn, element_name("targets", i, single))
    ts: list[list[Value | float]] = [list(target_row) for target_row in target_rows]
    if smoothing != 0.0:
        ts = [[(1 - smoothing) * t_k + smoothing / num_classes for t_k in t] for t in ts]
    if weights is not None:
        ts = [[t_k * w_k for t_k, w_k in zip(t, weights)] for t in ts]
    return [_expected_surprise_of(row, t) for row, t in zip(rows, ts)]


def _reduce_by_class(
    losses: list[Value],
    classes: list[int],
    weights: list[float] | None,
    ignore: int | None,
    reduction: Reduction,
    single: bool,
    fn: str,
) -> Value | list[Value]:
    """Return per-example losses of class-index targets reduced as PyTorch does with class weights.

    'none' keeps them all (an ignored example's loss is 0), 'sum' adds the others, and 'mean'
    divides that sum by the weights of their classes, Σ_n w_{c_n} (their number without weights).
    """
    if reduction == "none":
        return reduce(losses, reduction, single)
    kept = [loss for loss, c in zip(losses, classes) if c != ignore]
    total = (value_sum(kept) if len(kept) > 1 else kept[0]) if kept else Value(0.0)
    if reduction == "sum":
        return total
    denominator = math.fsum(1.0 if weights is None else weights[c] for c in classes if c != ignore)
    if denominator == 0.0:
        if kept:
            why = "the weights of the targets' classes sum to 0"
        else:
            why = f"every target is ignore_index ({ignore})"
        raise ValueError(f"{fn}: the mean is undefined: {why} (reduction='sum' gives 0)")
    return total / denominator


def _first(targets: object, fn: str) -> object:
    """Return a batch's first target, to tell class indices from probability vectors."""
    if is_scalar(targets) or isinstance(targets, (str, bytes)):
        raise TypeError(
            f"{fn}: targets must be a sequence with one target per example for a batch of logits, "
            f"got {targets!r}"
        )
    try:
        return targets[0]  # type: ignore[index]
    except (TypeError, IndexError, KeyError):
        raise TypeError(
            f"{fn}: targets must be a non-empty sequence for a batch of logits, got {targets!r}"
        ) from None


@overload
def nll_loss(
    log_probs: Row,
    targets: ClassIndices,
    *,
    reduction: Reduction = ...,
    weight: Sequence[float] | None = ...,
    ignore_index: int | None = ...,
) -> Value: ...
@overload
def nll_loss(
    log_probs: Batch,
    targets: ClassIndices,
    *,
    reduction: MeanOrSum = ...,
    weight: Sequence[float] | None = ...,
    ignore_index: int | None = ...,
) -> Value: ...
@overload
def nll_loss(
    log_probs: Batch,
    targets: ClassIndices,
    *,
    reduction: Literal["none"],
    weight: Sequence[float] | None = ...,
    ignore_index: int | None = ...,
) -> list[Value]: ...
@takes("log_probabilities")
def nll_loss(
    log_probs: Row | Batch,
    targets: ClassIndices,
    *,
    reduction: Reduction = "mean",
    weight: Sequence[float] | None = None,
    ignore_index: int | None = None,
) -> Value | list[Value]:
    """Return the negative log-likelihood -log_probs[c] of the true class c.

    The second half of `softmax_cross_entropy`: ``nll_loss(log_softmax(z), c)`` is the same loss.
    Keeping the two apart lets a model output log-probabilities by any means. Class weights and
    ``ignore_index`` work as in `softmax_cross_entropy` (and PyTorch): -w_c·log_probs[c] per
    example, and a mean over the weights of the examples' classes.

    Args:
      log_probs: one vector of K log-probabilities (e.g. from `log_softmax`), or a batch of them.
      targets: the true class c in [0, K) (an int), or one per example.
      reduction: over a batch: 'mean', 'sum', or 'none'.
      weight: K class weights >= 0, or None (every class weighs 1).
      ignore_index: a class index whose examples are left out (loss 0, and not in the mean), or
        None.

    >>> print(f"{nll_loss(log_softmax([2.0, 1.0, 0.5, -1.0, 0.1]), 2):.4f}")
    2.0824

    Reference: torch.nn.functional.nll_loss.
    """
    fn = "nll_loss"
    check_reduction(reduction, fn)
    rows, single = to_vectors(log_probs, fn, "log_probs")
    weights = check_class_weights(weight, len(rows[0]), fn)
    ignore = check_ignore_index(ignore_index, fn)
    classes = to_class_indices(targets, len(rows), single, len(rows[0]), fn, "targets", ignore)
    if weights is None and ignore is None:
        return reduce([-row[c] for row, c in zip(rows, classes)], reduction, single)
    losses = [
        Value(0.0) if c == ignore else row[c] * -(1.0 if weights is None else weights[c])
        for row, c in zip(rows, classes)
    ]
    return _reduce_by_class(losses, classes, weights, ignore, reduction, single, fn)
