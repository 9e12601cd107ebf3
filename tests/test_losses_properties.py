"""Properties of the losses, checked on many drawn inputs.

The heart of the post is the cancellation: through a sigmoid (or softmax), cross-entropy's gradient
with respect to the logit is p - y, while squared error's keeps the factor p(1 - p). Here backprop
produces those gradients and hypothesis checks them over a range of logits and labels.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import losses as L
from engine import Value

SETTINGS = settings(max_examples=60, deadline=None)


def reals(lo: float, hi: float) -> st.SearchStrategy[float]:
    return st.floats(lo, hi, allow_nan=False, allow_infinity=False)


labels = st.one_of(st.sampled_from([0.0, 1.0]), reals(0.0, 1.0))
logits_lists = st.integers(2, 6).flatmap(lambda k: st.lists(reals(-50, 50), min_size=k, max_size=k))
huge_logits_lists = st.integers(2, 6).flatmap(lambda k: st.lists(reals(-1e4, 1e4), min_size=k, max_size=k))


def f_sigmoid(z: float) -> float:
    return Value(z).sigmoid().data  # the engine's sigmoid as a number, for the exact comparison


def f_softmax(zs: list[float]) -> list[float]:
    m = max(zs)
    exps = [math.exp(z - m) for z in zs]
    total = math.fsum(exps)
    return [e / total for e in exps]


def close(a: float, b: float, tol: float = 1e-12) -> bool:
    return math.isclose(a, b, rel_tol=tol, abs_tol=tol)


# ---------------------------------------------------------------- the binary cancellation

# (loss on the logit, expected ∂L/∂z from p = σ(z) and y, range of logits where it holds)
CANCELLATION: list[tuple[str, L.BinaryLossOnLogit, Callable[[float, float], float], float]] = [
    # the clip in the post's BCE stops the gradient once σ(z) is within 1e-15 of 0 or 1 (|z| > ~34)
    ("bce(sigmoid(z))", L.bce_through_sigmoid, lambda p, y: p - y, 30.0),
    ("bce_with_logits(z)", L.bce_on_logit, lambda p, y: p - y, 1000.0),
    ("mse(sigmoid(z))", L.mse_through_sigmoid, lambda p, y: 2 * (p - y) * p * (1 - p), 1000.0),
]


@pytest.mark.parametrize(
    ("loss_fn", "expected", "bound"),
    [c[1:] for c in CANCELLATION],
    ids=[c[0] for c in CANCELLATION],
)
@SETTINGS
@given(data=st.data(), y=labels)
def test_gradient_wrt_logit(
    loss_fn: L.BinaryLossOnLogit,
    expected: Callable[[float, float], float],
    bound: float,
    data: st.DataObject,
    y: float,
) -> None:
    z = data.draw(reals(-bound, bound))
    p = f_sigmoid(z)
    grad = L.grad_wrt_logit(loss_fn, z, y)
    assert close(grad, expected(p, y)), (z, y, grad, expected(p, y))


@SETTINGS
@given(z=reals(-1000, 1000), y=labels)
def test_bce_with_logits_gradient_is_sigmoid_minus_label(z: float, y: float) -> None:
    grad = L.grad_wrt_logit(L.bce_on_logit, z, y)
    if z <= 0:
        assert grad == f_sigmoid(z) - y  # exactly: σ(z) from the softplus, -y from the product
    else:
        # The same number written as (1 - y) - σ(-z), which σ(z) rounding near 1 does not blur.
        assert grad == (1 - y) - f_sigmoid(-z)
    assert abs(grad - (f_sigmoid(z) - y)) <= 2**-52


@pytest.mark.parametrize("y", [0.0, 0.25, 0.5, 1.0])
def test_bce_with_logits_at_zero_and_at_the_extremes(y: float) -> None:
    assert L.grad_wrt_logit(L.bce_on_logit, 0.0, y) == 0.5 - y
    assert L.loss_and_grad_wrt_logit(L.bce_on_logit, 0.0, y)[0] == math.log(2)


@pytest.mark.parametrize(
    ("z", "y", "loss", "grad"),
    [
        (1000.0, 1.0, 0.0, 0.0),
        (1000.0, 0.0, 1000.0, 1.0),
        (-1000.0, 1.0, 1000.0, -1.0),
        (-1000.0, 0.0, 0.0, 0.0),
    ],
)
def test_bce_with_logits_is_stable_at_1000(z: float, y: float, loss: float, grad: float) -> None:
    assert L.loss_and_grad_wrt_logit(L.bce_on_logit, z, y) == (loss, grad)


@SETTINGS
@given(z=reals(-10, 10), y=labels)
def test_bce_through_sigmoid_equals_bce_with_logits(z: float, y: float) -> None:
    # Beyond |z| ~ 10 the probability form loses digits to 1 - σ(z) (at z = 20, the 8th digit): the
    # reason binary_cross_entropy_with_logits exists.
    a = L.binary_cross_entropy(L.sigmoid(z), y).data
    b = L.binary_cross_entropy_with_logits(z, y).data
    assert math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)


@SETTINGS
@given(z=reals(-30, 30), y=labels, w=reals(0.0, 10.0))
def test_pos_weight_gradient(z: float, y: float, w: float) -> None:
    # -[w·y·log σ(z) + (1 - y)·log(1 - σ(z))] has ∂/∂z = (1 + (w - 1)·y)·σ(z) - w·y
    grad = L.grad_wrt_logit(lambda v, t: L.binary_cross_entropy_with_logits(v, t, pos_weight=w), z, y)
    assert close(grad, (1 + (w - 1) * y) * f_sigmoid(z) - w * y, 1e-11)


# ---------------------------------------------------------------- the softmax cancellation


def _smoothed(target: list[float], smoothing: float) -> list[float]:
    return [(1 - smoothing) * t + smoothing / len(target) for t in target]


@SETTINGS
@given(
    data=st.data(),
    zs=st.one_of(logits_lists, huge_logits_lists),
    smoothing=st.one_of(st.just(0.0), reals(0, 1)),
)
def test_softmax_cross_entropy_gradient_is_softmax_minus_target(
    data: st.DataObject, zs: list[float], smoothing: float
) -> None:
    c = data.draw(st.integers(0, len(zs) - 1))
    grads = L.grad_wrt_logits(lambda v, t: L.softmax_cross_entropy(v, t, label_smoothing=smoothing), zs, c)
    onehot = [1.0 if k == c else 0.0 for k in range(len(zs))]
    expected = [p - t for p, t in zip(f_softmax(zs), _smoothed(onehot, smoothing))]
    assert all(close(g, e) for g, e in zip(grads, expected)), (grads, expected)


@SETTINGS
@given(data=st.data(), zs=logits_lists, smoothing=st.one_of(st.just(0.0), reals(0, 1)))
def test_probability_target_gradient_is_softmax_minus_target(
    data: st.DataObject, zs: list[float], smoothing: float
) -> None:
    weights = data.draw(st.lists(reals(0, 1), min_size=len(zs), max_size=len(zs)))
    assume(sum(weights) > 1e-3)
    target = [w / math.fsum(weights) for w in weights]
    grads = L.grad_wrt_logits(lambda v, t: L.softmax_cross_entropy(v, t, label_smoothing=smoothing), zs, target)
    expected = [p - t for p, t in zip(f_softmax(zs), _smoothed(target, smoothing))]
    assert all(close(g, e, 1e-11) for g, e in zip(grads, expected)), (grads, expected)


@SETTINGS
@given(
    data=st.data(),
    zs=st.integers(2, 6).flatmap(lambda k: st.lists(reals(-10, 10), min_size=k, max_size=k)),
)
def test_the_posts_two_step_loss_has_the_same_gradient(data: st.DataObject, zs: list[float]) -> None:
    c = data.draw(st.integers(0, len(zs) - 1))
    onehot = [1.0 if k == c else 0.0 for k in range(len(zs))]
    expected = [p - t for p, t in zip(f_softmax(zs), onehot)]
    for loss_fn in (
        lambda v, t: L.categorical_cross_entropy(onehot, L.softmax(v)),
        lambda v, t: L.stable_categorical_ce(v, t),
        lambda v, t: L.nll_loss(L.log_softmax(v), t),
    ):
        grads = L.grad_wrt_logits(loss_fn, zs, c)
        assert all(close(g, e) for g, e in zip(grads, expected)), (grads, expected)


@SETTINGS
@given(zs=huge_logits_lists)
def test_softmax_and_log_softmax_are_stable(zs: list[float]) -> None:
    probs = [p.data for p in L.softmax(zs)]
    log_probs = [v.data for v in L.log_softmax(zs)]
    assert all(0.0 <= p <= 1.0 for p in probs) and math.isclose(math.fsum(probs), 1.0, rel_tol=1e-12)
    assert all(math.isfinite(v) and v <= 0.0 for v in log_probs)
    assert max(log_probs) > -math.log(len(zs)) - 1e-9  # the largest logit keeps at least 1/K


# ---------------------------------------------------------------- information theory

distributions = (
    st.integers(1, 6)
    .flatmap(lambda k: st.lists(st.one_of(st.just(0.0), reals(0.01, 1.0)), min_size=k, max_size=k))
    .filter(lambda ws: sum(ws) > 0)
    .map(lambda ws: [w / math.fsum(ws) for w in ws])
)


@SETTINGS
@given(p=distributions, data=st.data())
def test_gibbs_inequality_and_kl_as_the_gap(p: list[float], data: st.DataObject) -> None:
    q = data.draw(
        st.lists(reals(0.01, 1.0), min_size=len(p), max_size=len(p)).map(lambda ws: [w / math.fsum(ws) for w in ws])
    )
    h, ce, kl = L.entropy(p).data, L.cross_entropy(p, q).data, L.kl_divergence(p, q).data
    assert ce >= h - 1e-12
    assert kl >= -1e-12
    assert math.isclose(kl, ce - h, rel_tol=1e-9, abs_tol=1e-12)


@SETTINGS
@given(p=distributions)
def test_entropy_properties(p: list[float]) -> None:
    h = L.entropy(p)
    assert 0.0 <= h.data <= math.log(len(p)) + 1e-12
    assert math.copysign(1.0, h.data) == 1.0  # never -0.0, which would print as -0.0000
    assert math.isclose(L.entropy(p, base=2).data, h.data / math.log(2), rel_tol=1e-12, abs_tol=1e-15)
    assert L.kl_divergence(p, p).data == 0.0
    assert math.isclose(L.cross_entropy(p, p).data, h.data, rel_tol=1e-12, abs_tol=1e-15)


@pytest.mark.parametrize("k", [1, 2, 3, 10])
def test_uniform_entropy_is_log_k(k: int) -> None:
    assert math.isclose(L.entropy([1 / k] * k).data, math.log(k), abs_tol=1e-15)
    assert math.isclose(L.entropy([1 / k] * k, base=2).data, math.log2(k), abs_tol=1e-15)


def test_entropy_skips_zeros_without_nan_and_gives_them_no_gradient() -> None:
    p = [Value(1.0), Value(0.0)]
    h = L.entropy(p)
    h.backward()
    assert h.data == 0.0 and math.copysign(1.0, h.data) == 1.0
    assert p[1].grad == 0.0 and math.isfinite(p[0].grad)


def test_cross_entropy_clips_like_the_post() -> None:
    # q = 0 for an event that happens: -log(1e-15), not infinity
    assert math.isclose(L.cross_entropy([0.0, 1.0], [1.0, 0.0]).data, -math.log(1e-15))


# ---------------------------------------------------------------- reductions


# (name, call taking reduction=..., its differentiable leaves)
ReductionCase = tuple[str, Callable[[L.Reduction], object], list[Value]]


def _reduction_cases() -> list[ReductionCase]:
    cases: list[ReductionCase] = []
    x = [Value(v) for v in [2.5, 0.0, 2.1, -7.8]]
    t = [3.0, -0.5, 2.0, 7.5]
    probs = [Value(v) for v in [0.011, 0.3, 0.9, 0.5]]
    labels01 = [1.0, 0.0, 0.25, 1.0]
    z = [Value(v) for v in [-4.5, 0.3, 2.0, -1000.0]]
    rows = [[Value(v) for v in row] for row in [[2.0, 1.0, 0.5], [-1.0, 0.1, 3.0], [0.0, 0.0, 1e4]]]
    dists = [[Value(v) for v in row] for row in [[0.9, 0.1], [0.5, 0.5], [0.2, 0.8]]]
    q = [[0.8, 0.2], [0.6, 0.4], [0.3, 0.7]]
    flat_rows = [v for row in rows for v in row]
    flat_dists = [v for row in dists for v in row]
    cases += [
        ("mse_loss", lambda r: L.mse_loss(x, t, reduction=r), x),
        ("l1_loss", lambda r: L.l1_loss(x, t, reduction=r), x),
        ("huber_loss", lambda r: L.huber_loss(x, t, reduction=r), x),
        ("smooth_l1_loss", lambda r: L.smooth_l1_loss(x, t, beta=0.5, reduction=r), x),
        (
            "binary_cross_entropy",
            lambda r: L.binary_cross_entropy(probs, labels01, reduction=r),
            probs,
        ),
        (
            "binary_cross_entropy_with_logits",
            lambda r: L.binary_cross_entropy_with_logits(z, labels01, pos_weight=2.0, reduction=r),
            z,
        ),
        ("focal_loss", lambda r: L.focal_loss(z, labels01, reduction=r), z),
        ("hinge_loss", lambda r: L.hinge_loss(z, [1, -1, 1, -1], reduction=r), z),
        ("entropy", lambda r: L.entropy(dists, reduction=r), flat_dists),
        ("cross_entropy", lambda r: L.cross_entropy(dists, q, reduction=r), flat_dists),
        ("kl_divergence", lambda r: L.kl_divergence(dists, q, base=2, reduction=r), flat_dists),
        (
            "categorical_cross_entropy",
            lambda r: L.categorical_cross_entropy(q, dists, reduction=r),
            flat_dists,
        ),
        (
            "stable_categorical_ce",
            lambda r: L.stable_categorical_ce(rows, [0, 2, 1], reduction=r),
            flat_rows,
        ),
        (
            "softmax_cross_entropy",
            lambda r: L.softmax_cross_entropy(rows, [0, 2, 1], label_smoothing=0.1, reduction=r),
            flat_rows,
        ),
        ("nll_loss", lambda r: L.nll_loss(rows, [0, 2, 1], reduction=r), flat_rows),
    ]
    return cases


REDUCTION_CASES = _reduction_cases()


@pytest.mark.parametrize(("call", "leaves"), [c[1:] for c in REDUCTION_CASES], ids=[c[0] for c in REDUCTION_CASES])
def test_reductions_mean_sum_none(call: Callable[[L.Reduction], object], leaves: list[Value]) -> None:
    per_example = call("none")
    assert isinstance(per_example, list) and len(per_example) in (3, 4)
    total, mean = call("sum"), call("mean")
    assert isinstance(total, Value) and isinstance(mean, Value)
    n = len(per_example)
    assert math.isclose(total.data, math.fsum(v.data for v in per_example), rel_tol=1e-12)
    assert math.isclose(mean.data, total.data / n, rel_tol=1e-12)

    def grads_of(root: Value) -> list[float]:
        for leaf in leaves:
            leaf.grad = 0.0
        root.backward()
        return [leaf.grad for leaf in leaves]

    sum_grads, mean_grads = grads_of(total), grads_of(mean)
    assert any(g != 0.0 for g in sum_grads)
    assert all(math.isclose(m, s / n, rel_tol=1e-12, abs_tol=1e-15) for m, s in zip(mean_grads, sum_grads))


def test_a_single_example_gives_a_value_whatever_the_reduction() -> None:
    for reduction in ("mean", "sum", "none"):
        assert isinstance(L.mse_loss(2.5, 3.0, reduction=reduction), Value)
        assert isinstance(L.softmax_cross_entropy([1.0, 2.0], 1, reduction=reduction), Value)
        assert isinstance(L.entropy([0.5, 0.5], reduction=reduction), Value)
    assert len(L.mse_loss([2.5], [3.0], reduction="none")) == 1  # a one-example batch stays a list


def test_inputs_may_be_numpy_arrays_and_tuples() -> None:
    import numpy as np

    a = L.softmax_cross_entropy(np.array([[2.0, 1.0], [0.0, 3.0]]), np.array([0, 1]))
    b = L.softmax_cross_entropy(([2.0, 1.0], (0.0, 3.0)), (0, 1))
    assert a.data == b.data
    assert L.mse_loss(np.float64(2.5), np.array(3.0)).data == 0.25


# ---------------------------------------------------------------- class weights and ignore_index

Batch = tuple[list[list[float]], list[float], int]  # rows of logits, class weights, K
batches = st.integers(2, 4).flatmap(
    lambda k: st.tuples(
        st.lists(st.lists(reals(-20, 20), min_size=k, max_size=k), min_size=2, max_size=5),
        st.lists(reals(0.1, 5.0), min_size=k, max_size=k),
        st.just(k),
    )
)


@SETTINGS
@given(batches, st.data(), st.sampled_from(["softmax_cross_entropy", "nll_loss"]), reals(0.0, 1.0))
def test_an_ignored_example_counts_for_nothing_and_gets_no_gradient(
    batch: Batch, data: st.DataObject, name: str, smoothing: float
) -> None:
    rows, weights, k = batch
    classes = data.draw(st.lists(st.integers(0, k - 1), min_size=len(rows), max_size=len(rows)))
    ignored = data.draw(st.integers(0, len(rows) - 1))
    kept = [i for i in range(len(rows)) if i != ignored]
    assume(kept)
    extra: dict[str, float] = {"label_smoothing": smoothing} if name == "softmax_cross_entropy" else {}
    loss_fn = getattr(L, name)

    z = [[Value(v) for v in row] for row in rows]
    targets = [-1 if i == ignored else c for i, c in enumerate(classes)]
    with_ignored = loss_fn(z, targets, weight=weights, ignore_index=-1, **extra)
    with_ignored.backward()
    without = loss_fn([rows[i] for i in kept], [classes[i] for i in kept], weight=weights, **extra)
    assert with_ignored.data == pytest.approx(without.data, rel=1e-12, abs=1e-12)
    assert all(v.grad == 0.0 for v in z[ignored])


@SETTINGS
@given(batches, st.data(), reals(0.0, 1.0), reals(0.1, 10.0))
def test_equal_class_weights_leave_the_mean_alone_and_scale_the_sum(
    batch: Batch, data: st.DataObject, smoothing: float, c: float
) -> None:
    rows, _, k = batch
    classes = data.draw(st.lists(st.integers(0, k - 1), min_size=len(rows), max_size=len(rows)))
    plain = L.softmax_cross_entropy(rows, classes, label_smoothing=smoothing)
    weighted = L.softmax_cross_entropy(rows, classes, label_smoothing=smoothing, weight=[c] * k)
    assert weighted.data == pytest.approx(plain.data, rel=1e-12)
    plain_sum = L.softmax_cross_entropy(rows, classes, label_smoothing=smoothing, reduction="sum")
    weighted_sum = L.softmax_cross_entropy(rows, classes, label_smoothing=smoothing, reduction="sum", weight=[c] * k)
    assert weighted_sum.data == pytest.approx(c * plain_sum.data, rel=1e-12)


def test_every_example_ignored_sums_to_zero_and_gives_zeros_per_example() -> None:
    rows, targets = [[1.0, 2.0], [3.0, 4.0]], [5, 5]
    assert L.nll_loss(rows, targets, ignore_index=5, reduction="sum").data == 0.0
    assert [v.data for v in L.softmax_cross_entropy(rows, targets, ignore_index=5, reduction="none")] == [0.0, 0.0]
