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

Where z_k - m is itself beyond the float range (z = [1e308, -1e308]), its exp is 0 and softmax
is still computed; a result that needs z_k - m itself (that log-probability, or the loss at that
class) is beyond the float range too, and is refused naming the function and the logits.

A loss takes one example (a vector of K logits and one target) or a batch (a sequence of such
vectors, or a 2-D array, and one target per example), with `reduction` over the batch.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Literal, overload

import numpy as np

from engine import Constant, Value, dot
from engine import sum as value_sum

from ._finite import Column, check_gradients, mean_of, per_example, reduce, reduced_loss, sum_of
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
        raise ValueError(f"{fn}: logits must be one vector, got a batch of {len(rows)}; apply {fn} to each row")
    return rows[0]


def _shifted(logits: list[Value]) -> list[Value | None]:
    """Return z_k - max(z), the max taken as a constant: exact, as the module docstring says.

    None where z_k - max(z) is below the float range: its exp is 0, with a derivative of 0.
    """
    # A plain number, so no gradient flows into it. None is lost: the outputs do not depend on the
    # shift (softmax(z - c) = softmax(z)), so the gradient through c would be exactly zero anyway.
    largest = max(z.data for z in logits)
    return [z - largest if math.isfinite(z.data - largest) else None for z in logits]


def _needed(shifted: Value | None) -> Value:
    """Return a shifted logit that a result needs, or raise OverflowError if it is not a float."""
    if shifted is None:
        raise OverflowError("z_k - max(z) overflows a float")
    return shifted


def _log_sum_exp(shifted: list[Value | None]) -> Value:
    """Return log Σ exp(s_k) for shifted logits s (max 0): the sum is >= 1, so its log is finite."""
    return value_sum([s.exp() for s in shifted if s is not None]).log()


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
    exps = [None if s is None else s.exp() for s in _shifted(_one_vector(logits, "softmax"))]
    total = value_sum([e for e in exps if e is not None])
    return [Constant(0.0) if e is None else e / total for e in exps]


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
    fn = "log_softmax"
    columns: list[Column] = [("logits", [_one_vector(logits, fn)])]
    out = per_example(fn, "the log-softmax", _log_softmax_of, columns, True)
    check_gradients(fn, "the log-softmax", out, 1.0, columns, True)
    return out[0]


def _log_softmax_of(row: list[Value]) -> list[Value]:
    shifted = _shifted(row)
    log_total = _log_sum_exp(shifted)
    return [_needed(s) - log_total for s in shifted]


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
      eps: the clipping floor for ŷ, 1e-308 <= eps < 1.
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
    return reduced_loss(
        fn,
        "the cross-entropy",
        lambda y, pred: expected_surprise(y, pred, eps),
        [("y_true", ys), ("y_pred", preds)],
        single,
        reduction,
        [("eps", eps)],
    )


def _surprise_of_class(logits: list[Value], c: int) -> Value:
    """Return -log softmax(z)_c = log Σ exp(s) - s_c for s = z - max(z).

    Written so that a certain class gives +0.0, not -0.0.
    """
    shifted = _shifted(logits)
    return _log_sum_exp(shifted) - _needed(shifted[c])


def _expected_surprise_of(logits: list[Value], t: Sequence[Value | float]) -> Value:
    """Return Σ_k t_k·(-log softmax(z)_k), each term computed as in `_surprise_of_class`."""
    shifted = _shifted(logits)
    log_total = _log_sum_exp(shifted)
    # A term whose weight is the number 0 is 0 for any z_k, so z_k - max(z) need not be a float.
    terms = [(t_k, s) for t_k, s in zip(t, shifted) if s is not None or _may_weigh(t_k)]
    return dot([t_k for t_k, _ in terms], [log_total - _needed(s) for _, s in terms])


def _may_weigh(t_k: Value | float) -> bool:
    """Return False for a target weight of 0 given as a number or a Constant: it needs no term."""
    if isinstance(t_k, Value) and not isinstance(t_k, Constant):
        return True
    return (t_k.data if isinstance(t_k, Value) else t_k) != 0.0


@overload
def stable_categorical_ce(logits: Row, class_index: ClassIndices, *, reduction: Reduction = ...) -> Value: ...
@overload
def stable_categorical_ce(logits: Batch, class_index: ClassIndices, *, reduction: MeanOrSum = ...) -> Value: ...
@overload
def stable_categorical_ce(logits: Batch, class_index: ClassIndices, *, reduction: Literal["none"]) -> list[Value]: ...
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
    columns: list[Column] = [("logits", rows), ("class_index", classes)]
    return reduced_loss(fn, "the cross-entropy", _surprise_of_class, columns, single, reduction)


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
    parameters: list[tuple[str, float | list[float]]] = []
    if smoothing:
        parameters.append(("label_smoothing", smoothing))
    if weights is not None:
        parameters.append(("weight", weights))
    what = "the cross-entropy"

    if not is_scalar(targets if single else _first(targets, fn)):
        if ignore is not None:
            raise ValueError(
                f"{fn}: ignore_index applies to class-index targets only, got probability vectors as targets"
            )
        target_rows = _probability_targets(rows, single, targets, fn)
        columns: list[Column] = [("logits", rows), ("targets", target_rows)]
        return reduced_loss(
            fn,
            what,
            lambda row, t: _expected_surprise_of(row, _target_weights(t, smoothing, weights)),
            columns,
            single,
            reduction,
            parameters,
        )

    classes = to_class_indices(targets, len(rows), single, num_classes, fn, "targets", ignore)
    columns = [("logits", rows), ("targets", classes)]
    if weights is None and ignore is None and smoothing == 0.0:
        # The common case: the surprise at the true class.
        return reduced_loss(fn, what, _surprise_of_class, columns, single, reduction)
    class_weights = weights or [1.0] * num_classes

    def loss_of(row: list[Value], c: int) -> Value:
        if c == ignore:
            return Value(0.0)
        if smoothing == 0.0:
            return _surprise_of_class(row, c) * class_weights[c]
        # PyTorch's weighted smoothing: t_k = (1 - ε)·w_c·[k = c] + ε/K·w_k
        t = [
            (1 - smoothing) * (w_k if k == c else 0.0) + smoothing / num_classes * w_k
            for k, w_k in enumerate(class_weights)
        ]
        return _expected_surprise_of(row, t)

    losses = per_example(fn, what, loss_of, columns, single, parameters)
    out, seed = _reduce_by_class(losses, classes, weights, ignore, reduction, single, fn)
    check_gradients(fn, what, losses, seed, columns, single, parameters)
    return out


def _probability_targets(rows: list[list[Value]], single: bool, targets: object, fn: str) -> list[list[Value]]:
    """Return softmax_cross_entropy's probability-vector targets, checked against the logits."""
    num_classes = len(rows[0])
    target_rows, target_single = to_vectors(targets, fn, "targets")
    if target_single != single or len(target_rows) != len(rows) or len(target_rows[0]) != num_classes:

        def shape(one: bool, n: int) -> str:
            return "one vector" if one else f"{n} rows"

        raise ValueError(
            f"{fn}: probability targets must have the shape of logits "
            f"({shape(single, len(rows))} of {num_classes}), "
            f"got {shape(target_single, len(target_rows))} of {len(target_rows[0])}"
        )
    for i, target_row in enumerate(target_rows):
        check_distribution(target_row, fn, element_name("targets", i, single))
    return target_rows


def _target_weights(t: list[Value], smoothing: float, weights: list[float] | None) -> list[Value | float]:
    """Return a probability target smoothed toward uniform and scaled by the class weights."""
    out: list[Value | float] = list(t)
    if smoothing != 0.0:
        out = [(1 - smoothing) * t_k + smoothing / len(t) for t_k in out]
    if weights is not None:
        out = [t_k * w_k for t_k, w_k in zip(out, weights)]
    return out


def _reduce_by_class(
    losses: list[Value],
    classes: list[int],
    weights: list[float] | None,
    ignore: int | None,
    reduction: Reduction,
    single: bool,
    fn: str,
) -> tuple[Value | list[Value], float]:
    """Return class-index losses reduced as PyTorch does with class weights, and d result/d loss_n.

    'none' keeps them all (an ignored example's loss is 0), 'sum' adds the others, and 'mean'
    divides that sum by the weights of their classes, Σ_n w_{c_n} (their number without weights).
    d result/d loss_n, what each kept example's loss gets from the reduction, is 1 or 1/Σ_n w_{c_n}.
    """
    if reduction == "none":
        return reduce(losses, reduction, single, fn), 1.0
    kept = [loss for loss, c in zip(losses, classes) if c != ignore]
    if reduction == "sum":
        return ((sum_of(kept, fn) if len(kept) > 1 else kept[0]) if kept else Value(0.0)), 1.0
    try:
        denominator = math.fsum(1.0 if weights is None else weights[c] for c in classes if c != ignore)
    except OverflowError:
        denominator = math.inf
    if denominator == 0.0:
        why = "the weights of the targets' classes sum to 0" if kept else f"every target is ignore_index ({ignore})"
        raise ValueError(f"{fn}: the mean is undefined: {why} (reduction='sum' gives 0)")
    if not 0.0 < 1.0 / denominator < math.inf:
        # The mean divides by the weights' sum, and its gradient by the same: both must be floats.
        raise OverflowError(
            f"{fn}: the weights of the targets' classes sum to {denominator!r}, and the mean "
            f"divides by it: its {'gradient' if denominator < 1 else 'sum'} overflows a float "
            "(reduction='sum' does not divide)"
        )
    return mean_of(kept, denominator, fn), 1.0 / denominator


def _first(targets: object, fn: str) -> object:
    """Return a batch's first target, to tell class indices from probability vectors."""
    if is_scalar(targets) or isinstance(targets, (str, bytes)):
        raise TypeError(
            f"{fn}: targets must be a sequence with one target per example for a batch of logits, got {targets!r}"
        )
    try:
        return targets[0]  # type: ignore[index]
    except (TypeError, IndexError, KeyError):
        raise TypeError(f"{fn}: targets must be a non-empty sequence for a batch of logits, got {targets!r}") from None


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
    columns: list[Column] = [("log_probs", rows), ("targets", classes)]
    what = "the negative log-likelihood"
    if weights is None and ignore is None:
        return reduced_loss(fn, what, _negative_entry, columns, single, reduction)
    parameters = [] if weights is None else [("weight", weights)]

    def loss_of(row: list[Value], c: int) -> Value:
        if c == ignore:
            return Value(0.0)
        return row[c] * -(1.0 if weights is None else weights[c])

    losses = per_example(fn, what, loss_of, columns, single, parameters)
    out, seed = _reduce_by_class(losses, classes, weights, ignore, reduction, single, fn)
    check_gradients(fn, what, losses, seed, columns, single, parameters)
    return out


def _negative_entry(row: list[Value], c: int) -> Value:
    return -row[c]
