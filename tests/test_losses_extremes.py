"""Every loss at extreme values: finite results and gradients, or an error that names the loss.

Hypothesis draws each loss's arguments and options from the edges of the float range (magnitudes
from 5e-324 to 1.8e308, both signs, labels and probabilities at 0 and 1 and a hair away from
them, every reduction). Each call must either return finite Values whose backward pass leaves a
finite gradient on every input Value, or raise an ArithmeticError, ValueError or TypeError whose
message starts with the loss's own name (``mse_loss: ...``), never the engine's operation from
three calls down and never an error from backward().
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import losses as L
from engine import Value, no_grad

SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])

EDGES = [
    0.0,
    5e-324,
    1e-320,
    1e-310,
    2.2250738585072014e-308,
    1e-300,
    1e-200,
    1e-154,
    1e-30,
    2.0**-53,
    1e-8,
    0.5,
    1.0,
    2.0,
    37.0,
    50.0,
    709.8,
    746.0,
    1e10,
    1e154,
    1e200,
    1e300,
    1e308,
    1.7976931348623157e308,
]

# A magnitude from the edges, or anywhere in [1e-320, 1e308] on a log scale.
magnitudes = st.one_of(
    st.sampled_from(EDGES),
    st.builds(lambda m, e: m * 10.0**e, st.floats(1.0, 9.99), st.integers(-320, 307)),
)
reals = st.builds(lambda x, sign: sign * x, magnitudes, st.sampled_from([1.0, -1.0]))
# Labels and probabilities: 0 and 1, a hair away from them, and anything in between.
units = st.one_of(
    st.sampled_from([0.0, 1.0, 5e-324, 1e-300, 1e-16, 1e-12, 0.5, 1 - 1e-12, 1 - 2.0**-53]),
    st.floats(0.0, 1.0),
    magnitudes.filter(lambda x: x <= 1.0),
)
reductions = st.sampled_from(["mean", "sum", "none"])
bases = st.sampled_from([math.e, 2.0, 10.0, 1 + 2.0**-52, 1 - 2.0**-53, 5e-324, 1e-300, 1e300])
epsilons = st.one_of(st.sampled_from([1e-15, 1e-308, 1e-300, 1e-8, 0.25]), magnitudes)


def distributions(k: int) -> st.SearchStrategy[list[float]]:
    """Return k probabilities summing to 1, drawn from extreme relative sizes (zeros included)."""
    weights = st.lists(st.sampled_from([0.0, 5e-324, 1e-300, 1e-16, 1e-8, 0.5, 1.0]), min_size=k, max_size=k)
    return weights.filter(lambda w: any(w)).map(lambda w: [x / math.fsum(w) for x in w])


Call = tuple[Callable[..., Any], list[Any], dict[str, Any], list[Value]]


def _leaves(xs: list[float]) -> list[Value]:
    return [Value(x) for x in xs]


def _inputs_and_targets(
    data: st.DataObject, inputs: st.SearchStrategy[float], targets: st.SearchStrategy[float]
) -> tuple[Any, Any, list[Value]]:
    """Return (inputs as Values, targets as numbers or Values, the Values) for 1 to 3 examples."""
    n = data.draw(st.integers(1, 3))
    single = n == 1 and data.draw(st.booleans())
    xs = _leaves(data.draw(st.lists(inputs, min_size=n, max_size=n)))
    ys: list[Any] = data.draw(st.lists(targets, min_size=n, max_size=n))
    leaves = list(xs)
    if data.draw(st.booleans()):  # targets whose gradient is wanted too
        ys = _leaves(ys)
        leaves += ys
    return (xs[0], ys[0], leaves) if single else (xs, ys, leaves)


def regression(fn: Callable[..., Any], option: str | None) -> Callable[[st.DataObject], Call]:
    def build(data: st.DataObject) -> Call:
        x, y, leaves = _inputs_and_targets(data, reals, reals)
        kwargs: dict[str, Any] = {"reduction": data.draw(reductions)}
        if option is not None:
            kwargs[option] = data.draw(magnitudes)
        return fn, [x, y], kwargs, leaves

    return build


def bce(data: st.DataObject) -> Call:
    p, y, leaves = _inputs_and_targets(data, units, units)
    return (
        L.binary_cross_entropy,
        [p, y],
        {"eps": data.draw(epsilons), "reduction": data.draw(reductions)},
        leaves,
    )


def bce_with_logits(data: st.DataObject) -> Call:
    z, y, leaves = _inputs_and_targets(data, reals, units)
    kwargs: dict[str, Any] = {"reduction": data.draw(reductions)}
    choice = data.draw(st.sampled_from(["none", "number", "value", "one per example"]))
    if choice == "number":
        kwargs["pos_weight"] = data.draw(magnitudes)
    elif choice == "value":
        weight = Value(data.draw(magnitudes))
        kwargs["pos_weight"] = weight
        leaves.append(weight)
    elif choice == "one per example" and isinstance(z, list):
        kwargs["pos_weight"] = data.draw(st.lists(magnitudes, min_size=len(z), max_size=len(z)))
    return L.binary_cross_entropy_with_logits, [z, y], kwargs, leaves


def focal(data: st.DataObject) -> Call:
    z, y, leaves = _inputs_and_targets(data, reals, units)
    kwargs = {
        "alpha": data.draw(st.one_of(st.none(), units)),
        "gamma": data.draw(st.one_of(st.sampled_from([0.0, 0.5, 2.0]), magnitudes)),
        "reduction": data.draw(reductions),
    }
    return L.focal_loss, [z, y], kwargs, leaves


def hinge(data: st.DataObject) -> Call:
    z, y, leaves = _inputs_and_targets(data, reals, st.sampled_from([-1.0, 1.0]))
    return L.hinge_loss, [z, y], {"reduction": data.draw(reductions)}, leaves


def one_input(
    fn: Callable[..., Any], items: st.SearchStrategy[float], base: bool = False
) -> Callable[[st.DataObject], Call]:
    def build(data: st.DataObject) -> Call:
        n = data.draw(st.integers(1, 3))
        xs = _leaves(data.draw(st.lists(items, min_size=n, max_size=n)))
        kwargs = {"base": data.draw(bases)} if base else {}
        return fn, [xs[0] if n == 1 else xs], kwargs, xs

    return build


def _rows(
    data: st.DataObject, entries: Callable[[int], st.SearchStrategy[list[float]]]
) -> tuple[Any, list[Value], bool]:
    """Return one vector or a batch of 1-2 vectors of K entries as Values, and whether single."""
    k = data.draw(st.integers(1, 3))
    batch = data.draw(st.integers(1, 2))
    single = batch == 1 and data.draw(st.booleans())
    rows = [_leaves(data.draw(entries(k))) for _ in range(batch)]
    leaves = [v for row in rows for v in row]
    return (rows[0] if single else rows), leaves, single


def _logit_rows(k: int) -> st.SearchStrategy[list[float]]:
    return st.lists(reals, min_size=k, max_size=k)


def information(fn: Callable[..., Any], two: bool) -> Callable[[st.DataObject], Call]:
    def build(data: st.DataObject) -> Call:
        k = data.draw(st.integers(1, 3))
        batch = data.draw(st.integers(1, 2))
        single = batch == 1 and data.draw(st.booleans())
        first = [_leaves(data.draw(distributions(k))) for _ in range(batch)]
        leaves = [v for row in first for v in row]
        args: list[Any] = [first[0] if single else first]
        if two:
            second = [_leaves(data.draw(distributions(k))) for _ in range(batch)]
            leaves += [v for row in second for v in row]
            args.append(second[0] if single else second)
        kwargs: dict[str, Any] = {"reduction": data.draw(reductions)}
        if fn is not L.categorical_cross_entropy:
            kwargs["base"] = data.draw(bases)
        if two:
            kwargs["eps"] = data.draw(epsilons)
        return fn, args, kwargs, leaves

    return build


def one_vector(fn: Callable[..., Any]) -> Callable[[st.DataObject], Call]:
    def build(data: st.DataObject) -> Call:
        k = data.draw(st.integers(1, 4))
        xs = _leaves(data.draw(_logit_rows(k)))
        return fn, [xs], {}, xs

    return build


def _class_targets(data: st.DataObject, rows: Any, single: bool, k: int) -> Any:
    classes = st.integers(0, k - 1)
    return data.draw(classes) if single else [data.draw(classes) for _ in rows]


def _class_options(data: st.DataObject, k: int, kwargs: dict[str, Any]) -> None:
    if data.draw(st.booleans()):
        kwargs["weight"] = data.draw(st.lists(magnitudes, min_size=k, max_size=k))
    if data.draw(st.booleans()):
        kwargs["ignore_index"] = data.draw(st.integers(0, k - 1))


def stable_ce(data: st.DataObject) -> Call:
    rows, leaves, single = _rows(data, _logit_rows)
    k = len(rows if single else rows[0])
    return (
        L.stable_categorical_ce,
        [rows, _class_targets(data, rows, single, k)],
        {"reduction": data.draw(reductions)},
        leaves,
    )


def softmax_ce(data: st.DataObject) -> Call:
    rows, leaves, single = _rows(data, _logit_rows)
    k = len(rows if single else rows[0])
    kwargs: dict[str, Any] = {"reduction": data.draw(reductions)}
    kwargs["label_smoothing"] = data.draw(st.one_of(st.just(0.0), units))
    if data.draw(st.booleans()):
        targets = _class_targets(data, rows, single, k)
        _class_options(data, k, kwargs)
    else:
        target_rows = [_leaves(data.draw(distributions(k))) for _ in (rows if not single else [rows])]
        if data.draw(st.booleans()):
            leaves += [v for row in target_rows for v in row]
        else:
            target_rows = [[v.data for v in row] for row in target_rows]
        targets = target_rows[0] if single else target_rows
        if data.draw(st.booleans()):
            kwargs["weight"] = data.draw(st.lists(magnitudes, min_size=k, max_size=k))
    return L.softmax_cross_entropy, [rows, targets], kwargs, leaves


def nll(data: st.DataObject) -> Call:
    rows, leaves, single = _rows(data, _logit_rows)
    k = len(rows if single else rows[0])
    kwargs: dict[str, Any] = {"reduction": data.draw(reductions)}
    _class_options(data, k, kwargs)
    return L.nll_loss, [rows, _class_targets(data, rows, single, k)], kwargs, leaves


BUILDERS: dict[str, Callable[[st.DataObject], Call]] = {
    "mse_loss": regression(L.mse_loss, None),
    "l1_loss": regression(L.l1_loss, None),
    "huber_loss": regression(L.huber_loss, "delta"),
    "smooth_l1_loss": regression(L.smooth_l1_loss, "beta"),
    "sigmoid": one_input(L.sigmoid, reals),
    "logit": one_input(L.logit, units),
    "binary_cross_entropy": bce,
    "binary_cross_entropy_with_logits": bce_with_logits,
    "focal_loss": focal,
    "hinge_loss": hinge,
    "surprise": one_input(L.surprise, units, base=True),
    "entropy": information(L.entropy, two=False),
    "cross_entropy": information(L.cross_entropy, two=True),
    "kl_divergence": information(L.kl_divergence, two=True),
    "categorical_cross_entropy": information(L.categorical_cross_entropy, two=True),
    "softmax": one_vector(L.softmax),
    "log_softmax": one_vector(L.log_softmax),
    "stable_categorical_ce": stable_ce,
    "softmax_cross_entropy": softmax_ce,
    "nll_loss": nll,
}


def test_every_loss_is_drawn() -> None:
    differentiable = {name for name in L.__all__ if L.input_kind(getattr(L, name)) is not None}
    wrappers = {name for name in L.__all__ if getattr(L, name) in L.BINARY_LOSSES_ON_LOGIT.values()}
    assert differentiable - wrappers | {"sigmoid", "logit", "softmax", "log_softmax"} == set(BUILDERS)


def finite_or_named(
    name: str, fn: Callable[..., Any], args: list[Any], kwargs: dict[str, Any], leaves: list[Value]
) -> None:
    """Assert the call gives finite Values and finite gradients, or an error naming `name`."""
    try:
        out = fn(*args, **kwargs)
    except (ArithmeticError, ValueError, TypeError) as error:
        assert str(error).startswith(f"{name}: "), f"{type(error).__name__}: {error}"
        return
    outputs = out if isinstance(out, list) else [out]
    for output in outputs:
        assert isinstance(output, Value) and math.isfinite(output.data), output
    for output in outputs:
        output.zero_grad()
        output.backward()  # an engine error here fails the test: the loss should have refused
        for leaf in leaves:
            assert math.isfinite(leaf.grad), (leaf, output)


@pytest.mark.parametrize("name", sorted(BUILDERS))
@SETTINGS
@given(data=st.data())
def test_a_loss_at_extreme_values_is_finite_or_refused_by_name(name: str, data: st.DataObject) -> None:
    fn, args, kwargs, leaves = BUILDERS[name](data)
    finite_or_named(name, fn, args, kwargs, leaves)


@pytest.mark.parametrize("name", sorted(L.BINARY_LOSSES_ON_LOGIT))
@SETTINGS
@given(z=reals, y=units)
def test_the_losses_on_a_logit_are_finite_or_refused_by_name(name: str, z: float, y: float) -> None:
    loss_fn = L.BINARY_LOSSES_ON_LOGIT[name]
    try:
        loss, grad = L.loss_and_grad_wrt_logit(loss_fn, z, y)
    except (ArithmeticError, ValueError, TypeError) as error:
        names = {
            "mse_sigmoid": "mse_loss",
            "bce_sigmoid": "binary_cross_entropy",
            "bce_with_logits": "binary_cross_entropy_with_logits",
            "focal": "focal_loss",
            "hinge": "hinge_loss",
        }
        assert str(error).startswith(f"{names[name]}: "), error
        return
    assert math.isfinite(loss) and math.isfinite(grad)


# ---------------------------------------------------------------- cases that used to fail


def test_log_softmax_of_logits_too_far_apart_is_refused_by_name() -> None:
    # log_softmax([1e308, -1e308])[1] = -2e308: not a float
    with pytest.raises(
        OverflowError,
        match=r"^log_softmax: logits = \[1e\+308, -1e\+308\]: the log-softmax overflows a float$",
    ):
        L.log_softmax([1e308, -1e308])


def test_softmax_of_the_same_logits_is_computed() -> None:
    zs = [Value(1e308), Value(-1e308)]
    probs = L.softmax(zs)
    assert [p.data for p in probs] == [1.0, 0.0]
    probs[0].backward()
    assert [z.grad for z in zs] == [0.0, 0.0]
    loss = L.softmax_cross_entropy(zs, 0)  # the surprise at the certain class: 0
    loss.backward()
    assert loss.data == 0.0 and all(math.isfinite(z.grad) for z in zs)
    with pytest.raises(OverflowError, match=r"^softmax_cross_entropy: .*overflows a float$"):
        L.softmax_cross_entropy(zs, 1)  # 2e308


def test_a_mean_of_squares_near_the_float_limit_is_computed() -> None:
    predictions = [Value(1e154), Value(1e154)]
    loss = L.mse_loss(predictions, [0, 0])  # each square is 1e308, their sum is not a float
    loss.backward()
    assert math.isclose(loss.data, 1e308, rel_tol=1e-15)
    assert [p.grad for p in predictions] == [1e154, 1e154]  # (2/n)·r


def test_a_sum_beyond_the_float_range_is_refused_by_name() -> None:
    with pytest.raises(OverflowError, match=r"^mse_loss: the sum of the 2 losses overflows a float"):
        L.mse_loss([1e154, 1e154], [0, 0], reduction="sum")
    with pytest.raises(OverflowError, match=r"^l1_loss: the sum of the 2 losses overflows"):
        L.l1_loss([1.7e308, 1.7e308], [0.0, 0.0], reduction="sum")
    assert L.l1_loss([1.7e308, 1.7e308], [0.0, 0.0]).data == 1.7e308
    with pytest.raises(OverflowError, match=r"^nll_loss: the sum of the 2 losses overflows"):
        L.nll_loss([[-1e308], [-1e308]], [0, 0], reduction="sum")
    with pytest.raises(OverflowError, match=r"^nll_loss: the sum of the 2 losses overflows"):
        L.nll_loss([[-1e308], [-1e308]], [0, 0], weight=[1.0], reduction="sum")


def test_a_weighted_mean_divides_by_a_weight_sum_that_is_a_float() -> None:
    assert L.nll_loss([[-1e308], [-1e308]], [0, 0], weight=[1.0]).data == 1e308
    with pytest.raises(OverflowError, match=r"^nll_loss: the weights of the targets' classes"):
        L.nll_loss([[-1.0], [-1.0]], [0, 0], weight=[1e-320])


def test_errors_beyond_the_float_range_name_the_loss_and_the_example() -> None:
    cases: list[tuple[Callable[[], object], str]] = [
        (
            lambda: L.mse_loss([1.0, 1e200], [0.0, 0.0]),
            "mse_loss: predictions[1] = 1e+200, targets[1] = 0.0: the squared error overflows a float",
        ),
        (
            lambda: L.l1_loss(1e308, -1e308),
            "l1_loss: predictions = 1e+308, targets = -1e+308: the absolute error overflows a float",
        ),
        (
            lambda: L.huber_loss(6e299, 0, delta=1e200),
            "huber_loss: predictions = 6e+299, targets = 0.0 (delta = 1e+200): the Huber loss overflows a float",
        ),
        (
            lambda: L.binary_cross_entropy_with_logits(-1e10, 1, pos_weight=1e300),
            "binary_cross_entropy_with_logits: logits = -10000000000.0, targets = 1.0, "
            "pos_weight = 1e+300: the cross-entropy overflows a float",
        ),
    ]
    for call, message in cases:
        with pytest.raises(OverflowError) as caught:
            call()
        assert str(caught.value) == message
        assert isinstance(caught.value.__cause__, OverflowError)  # the engine's, kept as the cause


def test_focal_loss_at_a_huge_logit_and_gamma_has_its_gradient() -> None:
    z = Value(1e200)
    loss = L.focal_loss(z, 0, gamma=1e110)  # σ(z)^γ = 1: the full cross-entropy, 1e200, times 0.75
    loss.backward()
    assert (loss.data, z.grad) == (0.75e200, 0.75)


def test_a_gradient_that_is_not_a_float_is_refused_at_the_call() -> None:
    with pytest.raises(
        OverflowError,
        match=r"^surprise: p = 5e-324: the surprise is finite \(744\.44\) but its gradient "
        r"with respect to p overflows a float$",
    ):
        L.surprise(Value(5e-324))  # -1/p = -2e323
    with pytest.raises(OverflowError, match=r"^logit: p = 5e-324: the logit is finite"):
        L.logit(Value(5e-324))
    # No gradient is wanted of a number, nor under no_grad: the value alone is a float.
    assert round(L.surprise(5e-324).data, 2) == 744.44
    with no_grad():
        assert round(L.surprise(Value(5e-324)).data, 2) == 744.44


def test_smooth_l1_with_a_tiny_beta_has_its_gradient() -> None:
    x = Value(9e-311)
    loss = L.smooth_l1_loss(x, 0, beta=1e-310)  # ½r²/β = 4.05e-311, d/dr = r/β = 0.9
    loss.backward()
    assert math.isclose(loss.data, 4.05e-311, rel_tol=1e-9)
    assert math.isclose(x.grad, 0.9, rel_tol=1e-12)


def test_entropy_with_a_tiny_probability_has_its_gradient() -> None:
    p = [Value(1.0), Value(5e-324)]
    L.entropy(p).backward()  # ∂H/∂p_k = -(ln p_k + 1)
    assert p[0].grad == -1.0
    assert math.isclose(p[1].grad, -(math.log(5e-324) + 1), rel_tol=1e-15)


def test_bce_with_logits_with_a_huge_pos_weight_and_a_tiny_positive_term() -> None:
    z = Value(50.0)
    loss = L.binary_cross_entropy_with_logits(z, 1, pos_weight=1e307)  # w·softplus(-50)
    loss.backward()
    expected = 1e307 * math.log1p(math.exp(-50.0))
    assert math.isclose(loss.data, expected, rel_tol=1e-15)
    assert math.isclose(z.grad, -expected, rel_tol=1e-15)  # -w·σ(-50); σ(-50) is softplus(-50) here


def test_an_overflow_inside_the_backward_pass_is_refused_at_the_call() -> None:
    # The clip passes no gradient to q[1], but the log above it gets p/(eps·ln b), beyond 1e308.
    q = [Value(1.0), Value(5e-324)]
    with pytest.raises(OverflowError) as caught:
        L.cross_entropy([0.0, 1.0], q, base=1 - 2.0**-53, eps=1e-300)
    assert str(caught.value) == (
        "cross_entropy: p_true = [0.0, 1.0], q_predicted = [1.0, 5e-324] "
        "(base = 0.9999999999999999, eps = 1e-300): the cross-entropy is finite (-6.22195e+18) "
        "but backpropagating it overflows a float (at the engine's 'log')"
    )
    assert [v.grad for v in q] == [0.0, 0.0]  # the check backpropagates numbers, not the Values
