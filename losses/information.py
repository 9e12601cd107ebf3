"""Information theory: surprise, entropy, cross-entropy and KL divergence, as in the post's detour.

Why the classification loss is called cross-entropy: the surprise of an event of probability p
is -log p; entropy is the average surprise of a distribution; cross-entropy H(P, Q) is the average
surprise of a model Q about events that follow P; and KL(P || Q) = H(P, Q) - H(P) >= 0 is the
surprise wasted by using the wrong model. Minimizing cross-entropy over Q is minimizing KL, since
H(P) does not depend on the model.

Each function but `surprise` takes one distribution (a vector) or a batch of them (a sequence of
vectors, or a 2-D array) with `reduction` over the batch. Distributions must have entries in
[0, 1] summing to 1 within 1e-6. `base` sets the unit: e (the default) gives nats, 2 gives bits.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Literal, overload

from engine import Value, dot

from ._finite import Column, check_gradients, finite_log, per_example, reduced_loss
from ._inputs import (
    Batch,
    MeanOrSum,
    Reduction,
    Row,
    Scalar,
    ScalarOrVector,
    Vector,
    check_distribution,
    check_eps,
    check_in_range,
    check_parameter,
    check_reduction,
    element_name,
    paired_distributions,
    to_values,
    to_vectors,
)
from .kinds import takes

__all__ = ["cross_entropy", "entropy", "kl_divergence", "surprise"]


def _log_of_base(base: object, fn: str) -> tuple[float | None, list[tuple[str, float]]]:
    """Return ln(base) to divide by (None for e: nats need no division), and the base for errors.

    An error message names the base only when it is not e.
    """
    value = check_parameter(base, fn, "base")
    if value <= 0 or value == 1:
        raise ValueError(f"{fn}: base must be > 0 and not 1, got {value!r}")
    if value == math.e:
        return None, []
    return math.log(value), [("base", value)]


def _in_base(nats: Value, log_of_base: float | None) -> Value:
    """Return a quantity in nats converted to the requested base (log_b x = ln x / ln b)."""
    return nats if log_of_base is None else nats / log_of_base


def expected_surprise(p: list[Value], q: list[Value], eps: float) -> Value:
    """Return Σ p_k·(-log clip(q_k, eps, 1)): the average surprise of q at events that follow p.

    Shared by `cross_entropy` and `categorical_cross_entropy`. One `dot` node rather than a chain
    of additions. Summing p·(-log q) rather than negating Σ p·log q keeps a zero loss +0.0 (a
    negated 0.0 would print as -0.0000).
    """
    return dot(p, [-(q_k.clip(eps, 1.0).log()) for q_k in q])


def _wasted_surprise(p: list[Value], q: list[Value], eps: float) -> Value:
    """Return Σ p_k·(log p_k - log clip(q_k, eps, 1)) over the p_k > 0 (0·log 0 = 0)."""
    present = [(p_k, q_k) for p_k, q_k in zip(p, q) if p_k.data > 0.0]
    log_ratios = [finite_log(p_k) - q_k.clip(eps, 1.0).log() for p_k, q_k in present]
    return dot([p_k for p_k, _ in present], log_ratios)


@overload
def surprise(p: Scalar, *, base: float = ...) -> Value: ...
@overload
def surprise(p: Vector, *, base: float = ...) -> list[Value]: ...
@takes("probabilities")
def surprise(p: ScalarOrVector, *, base: float = math.e) -> Value | list[Value]:
    """Return the surprise -log(p) of an event of probability p: a Value, or a list for a vector.

    Rare events carry more information: an event of probability 1 carries none, and the surprise
    grows without bound as p goes to 0. It is the per-example loss of cross-entropy: -log of the
    probability given to what happened.

    Args:
      p: a probability in (0, 1] (0 would be infinitely surprising), or a vector of them.
      base: e for nats, 2 for bits.

    >>> print(f"Sun rises (p=0.999):  surprise = {surprise(0.999):.4f} nats")
    Sun rises (p=0.999):  surprise = 0.0010 nats
    >>> print(f"Snow in Miami (p=0.001): surprise = {surprise(0.001):.4f} nats")
    Snow in Miami (p=0.001): surprise = 6.9078 nats
    >>> print(f"{surprise(0.5, base=2):.1f} bit")
    1.0 bit

    Reference: Shannon, "A Mathematical Theory of Communication" (1948).
    """
    fn = "surprise"
    log_of_base, parameters = _log_of_base(base, fn)
    values, single = to_values(p, fn, "p")
    for i, v in enumerate(values):
        check_in_range(v, 0.0, 1.0, fn, element_name("p", i, single), exclusive_lo=True)
    columns: list[Column] = [("p", values)]
    out = per_example(fn, "the surprise", lambda v: _in_base(-v.log(), log_of_base), columns, single, parameters)
    check_gradients(fn, "the surprise", out, 1.0, columns, single, parameters)
    return out[0] if single else out


@overload
def entropy(p_dist: Row, *, base: float = ..., reduction: Reduction = ...) -> Value: ...
@overload
def entropy(p_dist: Batch, *, base: float = ..., reduction: MeanOrSum = ...) -> Value: ...
@overload
def entropy(p_dist: Batch, *, base: float = ..., reduction: Literal["none"]) -> list[Value]: ...
@takes("probabilities")
def entropy(p_dist: Row | Batch, *, base: float = math.e, reduction: Reduction = "mean") -> Value | list[Value]:
    """Return the Shannon entropy H(P) = -Σ p_k·log p_k, the average surprise of P.

    How unpredictable a distribution is: 0 for a certain outcome, log K for K equally likely ones.
    Zero probabilities are skipped (0·log 0 = 0 by convention, the limit of p·log p), so the log
    never sees 0 and no NaN appears; such an entry gets no gradient.

    Args:
      p_dist: a probability vector (entries in [0, 1] summing to 1), or a batch of them.
      base: e for nats (the post's unit), 2 for bits.
      reduction: over a batch: 'mean', 'sum', or 'none'.

    >>> print(f"Fair coin [0.5, 0.5]:    H = {entropy([0.5, 0.5]):.4f} nats")
    Fair coin [0.5, 0.5]:    H = 0.6931 nats
    >>> print(f"Loaded coin [0.99, 0.01]: H = {entropy([0.99, 0.01]):.4f} nats")
    Loaded coin [0.99, 0.01]: H = 0.0560 nats
    >>> print(f"Sure thing [1.0, 0.0]:   H = {entropy([1.0, 0.0]):.4f} nats")
    Sure thing [1.0, 0.0]:   H = 0.0000 nats
    >>> print(f"{entropy([0.5, 0.5], base=2):.4f} bits")
    1.0000 bits

    Reference: Shannon (1948); scipy.stats.entropy.
    """
    fn = "entropy"
    check_reduction(reduction, fn)
    log_of_base, parameters = _log_of_base(base, fn)
    rows, single = to_vectors(p_dist, fn, "p_dist")
    for i, row in enumerate(rows):
        check_distribution(row, fn, element_name("p_dist", i, single))

    def entropy_of(row: list[Value]) -> Value:
        present = [p for p in row if p.data > 0.0]  # 0·log 0 = 0: skip, rather than take log(0)
        return _in_base(dot(present, [-finite_log(p) for p in present]), log_of_base)

    return reduced_loss(fn, "the entropy", entropy_of, [("p_dist", list(rows))], single, reduction, parameters)


def _compare_distributions(
    per_pair: Callable[[list[Value], list[Value], float], Value],
    what: str,
    p_true: object,
    q_predicted: object,
    base: object,
    eps: object,
    reduction: Reduction,
    fn: str,
) -> Value | list[Value]:
    """Return per_pair(p, q, eps) for each pair of distributions, in the unit `base`, reduced."""
    check_reduction(reduction, fn)
    log_of_base, parameters = _log_of_base(base, fn)
    clip_floor = check_eps(eps, fn, 1.0)
    ps, qs, single = paired_distributions(p_true, q_predicted, fn, "p_true", "q_predicted")
    parameters.append(("eps", clip_floor))
    return reduced_loss(
        fn,
        what,
        lambda p, q: _in_base(per_pair(p, q, clip_floor), log_of_base),
        [("p_true", ps), ("q_predicted", qs)],
        single,
        reduction,
        parameters,
    )


@overload
def cross_entropy(
    p_true: Row | Batch,
    q_predicted: Row,
    *,
    base: float = ...,
    eps: float = ...,
    reduction: Reduction = ...,
) -> Value: ...
@overload
def cross_entropy(
    p_true: Row | Batch,
    q_predicted: Batch,
    *,
    base: float = ...,
    eps: float = ...,
    reduction: MeanOrSum = ...,
) -> Value: ...
@overload
def cross_entropy(
    p_true: Row | Batch,
    q_predicted: Batch,
    *,
    base: float = ...,
    eps: float = ...,
    reduction: Literal["none"],
) -> list[Value]: ...
@takes("probabilities")
def cross_entropy(
    p_true: Row | Batch,
    q_predicted: Row | Batch,
    *,
    base: float = math.e,
    eps: float = 1e-15,
    reduction: Reduction = "mean",
) -> Value | list[Value]:
    """Return the cross-entropy H(P, Q) = -Σ p_k·log q_k: the average surprise of Q in P's world.

    At least H(P), with equality only when Q = P; the excess is `kl_divergence`. q is clipped to
    [eps, 1] like the post (a zero prediction for an event that happens would be infinitely
    surprising); a clipped entry gets no gradient. For a one-hot P it is the classification loss
    -log q_c (see `categorical_cross_entropy`).

    Args:
      p_true: the true distribution P (entries in [0, 1] summing to 1), or a batch of them.
      q_predicted: the model's distribution Q, the same shape.
      base: e for nats, 2 for bits.
      eps: the clipping floor for q, 1e-308 <= eps < 1.
      reduction: over a batch: 'mean', 'sum', or 'none'.

    >>> P, Q_good, Q_bad = [0.9, 0.1], [0.8, 0.2], [0.5, 0.5]
    >>> print(f"Entropy of reality H(P):     {entropy(P):.4f} nats")
    Entropy of reality H(P):     0.3251 nats
    >>> print(f"Cross-entropy H(P, Q_good):  {cross_entropy(P, Q_good):.4f} nats")
    Cross-entropy H(P, Q_good):  0.3618 nats
    >>> print(f"Cross-entropy H(P, Q_bad):   {cross_entropy(P, Q_bad):.4f} nats")
    Cross-entropy H(P, Q_bad):   0.6931 nats

    Reference: Cover & Thomas, "Elements of Information Theory", ch. 2; the post's "Cross-Entropy:
    Surprise Under the Wrong Model".
    """
    return _compare_distributions(
        expected_surprise,
        "the cross-entropy",
        p_true,
        q_predicted,
        base,
        eps,
        reduction,
        "cross_entropy",
    )


@overload
def kl_divergence(
    p_true: Row | Batch,
    q_predicted: Row,
    *,
    base: float = ...,
    eps: float = ...,
    reduction: Reduction = ...,
) -> Value: ...
@overload
def kl_divergence(
    p_true: Row | Batch,
    q_predicted: Batch,
    *,
    base: float = ...,
    eps: float = ...,
    reduction: MeanOrSum = ...,
) -> Value: ...
@overload
def kl_divergence(
    p_true: Row | Batch,
    q_predicted: Batch,
    *,
    base: float = ...,
    eps: float = ...,
    reduction: Literal["none"],
) -> list[Value]: ...
@takes("probabilities")
def kl_divergence(
    p_true: Row | Batch,
    q_predicted: Row | Batch,
    *,
    base: float = math.e,
    eps: float = 1e-15,
    reduction: Reduction = "mean",
) -> Value | list[Value]:
    """Return the KL divergence KL(P || Q) = Σ p_k·(log p_k - log q_k) = H(P, Q) - H(P).

    The surprise wasted by predicting with Q when events follow P: >= 0, and 0 only for Q = P.
    The post computes it as cross_entropy - entropy; summing p·(log p - log q) gives the same
    number without subtracting two nearly equal ones, so KL(P || P) is exactly 0. Terms with
    p_k = 0 are skipped (0·log 0 = 0); q is clipped to [eps, 1] as in `cross_entropy`.

    Args:
      p_true: the true distribution P, or a batch of them.
      q_predicted: the model's distribution Q, the same shape.
      base: e for nats, 2 for bits.
      eps: the clipping floor for q, 1e-308 <= eps < 1.
      reduction: over a batch: 'mean', 'sum', or 'none'.

    >>> P, Q_good, Q_bad = [0.9, 0.1], [0.8, 0.2], [0.5, 0.5]
    >>> print(f"KL(P || Q_good): {kl_divergence(P, Q_good):.4f} nats")
    KL(P || Q_good): 0.0367 nats
    >>> print(f"KL(P || Q_bad):  {kl_divergence(P, Q_bad):.4f} nats")
    KL(P || Q_bad):  0.3681 nats

    Reference: Kullback & Leibler, "On Information and Sufficiency" (1951);
    torch.nn.functional.kl_div (which takes log Q first and P second).
    """
    return _compare_distributions(
        _wasted_surprise,
        "the KL divergence",
        p_true,
        q_predicted,
        base,
        eps,
        reduction,
        "kl_divergence",
    )
