"""nn refuses what it cannot use: a bad input is an error naming the function, never a silent inf.

The first part walks a table of calls a new user and a hostile one would try; the second shows
how ``fit`` tells divergence (after the first step) from a set-up problem (in the first step)
and refuses an optimizer that trains nothing; the last is a hypothesis property over MLP inputs
and fit's arguments at the ends of the float range: every call returns finite numbers or raises
an ArithmeticError, ValueError or TypeError that names the nn function.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Callable, Sequence
from fractions import Fraction
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from engine import OPERATIONS, Value
from losses import mse_loss
from nn import MLP, SGD, Adam, DivergenceError, Layer, Neuron, fit, make_blobs, make_moons, make_xor

BIG = 10**400  # an int beyond the float range
FIRST_STEP_NOTE = (
    "fit: raised by the first step, before any training: a set-up problem (the data, the "
    "loss, the learning rate), not divergence"
)
# Who names an error of fit's first step: the model, the loss, the optimizer or an engine op.
FIRST_STEP_NAMES = ("MLP.batch:", "mse_loss:", "SGD:", "Adam:", *(f"{op}:" for op in OPERATIONS))

# ---------------------------------------------------------------- the table


def mlp() -> MLP:
    return MLP(2, [1], seed=0)


CASES: list[tuple[str, Callable[[], object], type[Exception], str]] = [
    ("inf input", lambda: mlp()([math.inf, 1.0]), ValueError, r"^MLP: x\[0\] must be finite, got inf$"),
    (
        "-inf input of a neuron",
        lambda: Neuron(2, seed=0)([1.0, -math.inf]),
        ValueError,
        r"^Neuron: x\[1\] must be finite, got -inf$",
    ),
    (
        "inf in a batch",
        lambda: Layer(2, 2, seed=0).batch([[0.0, 0.0], [math.inf, 0.0]]),
        ValueError,
        r"^Layer.batch: X\[1\]\[0\] must be finite, got inf$",
    ),
    (
        "input beyond the float range",
        lambda: mlp()([BIG, 1.0]),
        OverflowError,
        r"^MLP: x\[0\] is beyond the float range, got 1000",
    ),
    (
        "dict input",
        lambda: mlp()({0: 5.0, 1: 7.0}),  # type: ignore[arg-type]
        TypeError,
        r"^MLP: x must be a sequence of 2 numbers or Values, got dict: \{0: 5.0, 1: 7",
    ),
    ("bytearray input", lambda: mlp()(bytearray(b"ab")), TypeError, r"^MLP: x must be a sequence .* got bytearray"),
    (
        "memoryview input",
        lambda: mlp()(memoryview(b"ab")),  # type: ignore[arg-type]
        TypeError,
        r"^MLP: x must be a sequence .* got memoryview",
    ),
    ("bytes input", lambda: mlp()(b"ab"), TypeError, r"^MLP: x must be a sequence .* got bytes"),
    (
        "activation=[]",
        lambda: MLP(2, [1], activation=[]),  # type: ignore[arg-type]
        TypeError,
        r"^MLP: activation must be a str, one of .* got list: \[\]$",
    ),
    (
        "moons noise=1e308",
        lambda: make_moons(50, noise=1e308),
        ValueError,
        r"^make_moons: noise=1e\+308 is too large: some points would not be finite",
    ),
    (
        "xor noise=10**400",
        lambda: make_xor(50, noise=BIG),
        OverflowError,
        r"^make_xor: noise is beyond the float range",
    ),
    (
        "blobs spread=1e308",
        lambda: make_blobs(50, spread=1e308),
        ValueError,
        r"^make_blobs: spread=1e\+308 is too large",
    ),
    (
        "seed=[1]",
        lambda: make_moons(50, seed=[1]),  # type: ignore[arg-type]
        TypeError,
        r"^make_moons: seed must be an int >= 0 or None, got list: \[1\]$",
    ),
    ("seed=-1", lambda: MLP(2, [1], seed=-1), ValueError, r"^MLP: seed must be an int >= 0, .* got -1$"),
    (
        "seed=1.5",
        lambda: MLP(2, [1], seed=1.5),  # type: ignore[arg-type]
        TypeError,
        r"^MLP: seed must be .* got float: 1.5$",
    ),
    ("seed=True", lambda: make_blobs(10, seed=True), TypeError, r"^make_blobs: seed must be .* got bool: True$"),
    (
        "SGD(Value)",
        lambda: SGD(Value(1.0), lr=0.1),  # type: ignore[arg-type]
        TypeError,
        r"^SGD: params must be a list of Values \(model.parameters\(\)\) .* got Value",
    ),
    (
        "SGD(None)",
        lambda: SGD(None, lr=0.1),  # type: ignore[arg-type]
        TypeError,
        r"^SGD: params must be a list of Values .* got NoneType: None$",
    ),
    ("Adam(eps=0)", lambda: Adam([Value(1.0)], eps=0.0), ValueError, r"^Adam: eps must be a number > 0, got 0.0$"),
    ("lr=10**400", lambda: SGD([Value(1.0)], lr=BIG), OverflowError, r"^SGD: lr is beyond the float range, got 1000"),
    ("lr=nan", lambda: Adam([Value(1.0)], lr=math.nan), ValueError, r"^Adam: lr must be a positive number, got nan$"),
    ("lr=inf", lambda: SGD([Value(1.0)], lr=math.inf), ValueError, r"^SGD: lr must be a positive number, got inf$"),
]


@pytest.mark.parametrize(("call", "error", "message"), [case[1:] for case in CASES], ids=[case[0] for case in CASES])
def test_a_bad_input_is_an_error_naming_the_function_the_argument_and_the_value(
    call: Callable[[], object], error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=message) as caught:
        call()
    assert len(str(caught.value)) < 200  # a bad value is shown shortened, never whole


# ---------------------------------------------------------------- fit: divergence or set-up?


def zero_loss(outputs: list[Any], targets: Sequence[Any]) -> Value:
    """A loss of 0 with gradient 0: only the optimizer's weight decay moves the parameters."""
    return outputs[0] * 0.0


def decaying_neuron() -> tuple[Neuron, SGD]:
    """A neuron whose parameters SGD multiplies by -999 each step, until they overflow."""
    neuron = Neuron(1, activation="linear", seed=0)
    return neuron, SGD(neuron, lr=1.0, weight_decay=1000.0)


def test_fit_raises_divergence_when_its_last_step_would_overflow_a_parameter() -> None:
    neuron, optimizer = decaying_neuron()
    with pytest.raises(DivergenceError) as caught:
        fit(neuron, zero_loss, [[0.0]], [0.0], epochs=1000, optimizer=optimizer, accuracy=None)
    last = caught.value.epoch  # the epoch whose step overflows; now train exactly that long
    neuron, optimizer = decaying_neuron()
    message = (
        rf"^fit: training diverged at epoch {last} of {last} \(lr=1\): "
        r"SGD: the step would make params\[0\] \(N.w0\) non-finite"
    )
    with pytest.raises(DivergenceError, match=message) as caught:
        fit(neuron, zero_loss, [[0.0]], [0.0], epochs=last, optimizer=optimizer, accuracy=None)
    assert caught.value.epoch == last and len(caught.value.history) == last - 1
    assert all(math.isfinite(p.data) for p in neuron.parameters())  # the last finite step's
    assert max(abs(p.data) for p in neuron.parameters()) > 1e300


def test_fit_raises_divergence_when_an_optimizer_of_its_own_leaves_a_parameter_infinite() -> None:
    class Doubling:
        """Not one of nn's optimizers: it doubles every parameter, unchecked."""

        def __init__(self, params: list[Value]) -> None:
            self.params, self.lr = params, 2.0

        def zero_grad(self) -> None:
            for p in self.params:
                p.grad = 0.0

        def step(self) -> None:
            for p in self.params:
                p.data *= 2.0

    neuron = Neuron(1, activation="linear", seed=0)
    neuron.w[0].data = 1e300  # 1e300 · 2^28 is past the float limit, about 1.8e308
    optimizer = Doubling(neuron.parameters())
    message = (
        r"^fit: training diverged at epoch 28 of 50 \(lr=2\): Doubling.step: left "
        r"params\[0\] \(N.w0\) = inf, not a finite number"
    )
    with pytest.raises(DivergenceError, match=message):
        fit(neuron, zero_loss, [[0.0]], [0.0], epochs=50, optimizer=optimizer, accuracy=None)  # type: ignore[arg-type]


def test_an_overflow_in_a_later_step_is_divergence_naming_the_epoch_and_the_learning_rate() -> None:
    model = MLP(1, [1], seed=0)
    X, y = [[1.0], [2.0], [3.0]], [2.0, 4.0, 6.0]
    message = r"^fit: training diverged at epoch \d+ of 500 \(lr=5\): "
    with pytest.raises(DivergenceError, match=message) as caught:
        fit(model, mse_loss, X, y, epochs=500, optimizer=SGD(model, lr=5.0))
    assert caught.value.epoch > 1
    assert all(math.isfinite(p.data) for p in model.parameters())


@pytest.mark.parametrize(
    ("X", "weight", "lr", "message"),
    [
        ([[1e200]], 1e200, 0.1, r"^MLP.batch: X\[0\] = \[1e\+200\]: the pre-activation L1.N0.z"),
        ([[1.0]], 1e200, 0.1, r"^mse_loss: predictions\[0\] = 1.2\d*e\+200, targets\[0\] = 1.0: "),
        ([[100.0]], 1.0, 1e308, r"^SGD: the step would make params\[\d\] \(L\d.N\d.\w+\) non-finite"),
    ],
    ids=["inputs that overflow", "a loss that overflows", "a learning rate that overflows at once"],
)
def test_an_error_in_the_first_step_is_the_set_up_error_itself_with_a_note(
    X: list[list[float]], weight: float, lr: float, message: str
) -> None:
    model = MLP(1, [2, 1], activation="linear", seed=0)
    for neuron in model.layers[1].neurons:
        neuron.w[0].data = neuron.w[1].data = weight
    before = [p.data for p in model.parameters()]
    with pytest.raises(OverflowError, match=message) as caught:
        fit(model, mse_loss, X, [1.0], epochs=5, optimizer=SGD(model, lr=lr))
    assert not isinstance(caught.value, DivergenceError)
    if sys.version_info >= (3, 11):
        assert caught.value.__notes__ == [FIRST_STEP_NOTE]
    assert [p.data for p in model.parameters()] == before


def test_an_epoch_loss_near_the_float_limit_is_recorded_finite() -> None:
    model = MLP(1, [1], seed=0)
    model.layers[0].neurons[0].w[0].data = 1.3e154  # squared errors 1.69e308: their sum overflows
    history = fit(model, mse_loss, [[1.0]] * 3, [0.0] * 3, epochs=1, optimizer=SGD(model, lr=1e-300), accuracy=None)
    assert history.loss == [pytest.approx(1.69e308, rel=1e-12)]


@pytest.mark.parametrize("batch_size", [None, 1])
def test_a_mean_gradient_whose_sum_overflows_is_recorded_finite(batch_size: int | None) -> None:
    model = MLP(2, [2, 1], seed=0)  # with l2 = 1e308 each gradient 2·l2·p is finite, their sum not
    X, y = [[0.0, 1.0], [0.5, 0.0], [-1.0, 0.25]], [0.25, 1.0, 0.0]
    history = fit(
        model, mse_loss, X, y, epochs=1, batch_size=batch_size, l2=1e308, optimizer=SGD(model, lr=1e-310), accuracy=None
    )
    assert all(math.isfinite(v) for v in history.loss + history.grad_mean_abs)
    assert history.grad_mean_abs[0] > 1e307


def test_fit_refuses_an_optimizer_holding_none_of_the_models_parameters() -> None:
    model, other = MLP(2, [3, 1], seed=0), MLP(2, [3, 1], seed=1)
    before = [p.data for p in model.parameters()]
    message = r"^fit: the optimizer holds none of the model's parameters, so training would change"
    with pytest.raises(ValueError, match=message):
        fit(model, mse_loss, [[1.0, 2.0]], [1.0], epochs=3, optimizer=SGD(other, lr=0.1))
    assert [p.data for p in model.parameters()] == before


def test_an_optimizer_holding_part_of_the_model_trains_that_part_and_may_hold_more() -> None:
    model = MLP(2, [3, 1], seed=0)
    frozen = model.layers[0].parameters()
    frozen_before = [p.data for p in frozen]
    scale = Value(1.0, label="scale")  # a parameter of the loss, not of the model

    def scaled_loss(outputs: list[Any], targets: Sequence[Any]) -> Value:
        return mse_loss([scale * out for out in outputs], targets)

    trained = [*model.layers[1].parameters(), scale]
    trained_before = [p.data for p in trained]
    fit(
        model,
        scaled_loss,
        [[1.0, 2.0], [0.5, -1.0]],
        [1.0, -1.0],
        epochs=5,
        optimizer=SGD(trained, lr=0.1),
        accuracy=None,
    )
    assert [p.data for p in frozen] == frozen_before
    assert all(p.data != start for p, start in zip(trained, trained_before))


GOOD_X = [[1.0, 2.0]] * 5


@pytest.mark.parametrize(
    ("X", "y", "error", "message"),
    [
        ([*GOOD_X, [math.inf, 0.0]], [1.0] * 6, ValueError, r"^fit: X\[5\]\[0\] must be finite, got inf$"),
        ([*GOOD_X, {0: 1.0, 1: 2.0}], [1.0] * 6, TypeError, r"^fit: X\[5\] must be a sequence of 2 numbers"),
        ([*GOOD_X, [BIG, 0.0]], [1.0] * 6, OverflowError, r"^fit: X\[5\]\[0\] is beyond the float range"),
        ([*GOOD_X, [0.0, 0.0]], [1.0] * 5 + [math.nan], ValueError, r"^fit: y\[5\] must not be NaN$"),
        ([*GOOD_X, [0.0, 0.0]], [1.0] * 5 + [-BIG], OverflowError, r"^fit: y\[5\] is beyond the float range"),
    ],
    ids=["inf", "dict", "beyond-float-X", "nan-y", "beyond-float-y"],
)
def test_a_bad_example_in_a_later_mini_batch_is_refused_before_training_not_called_divergence(
    X: list[Any], y: list[float], error: type[Exception], message: str
) -> None:
    model = MLP(2, [3, 1], seed=0)
    before = [p.data for p in model.parameters()]
    with pytest.raises(error, match=message):
        fit(model, mse_loss, X, y, epochs=2, batch_size=2, optimizer=SGD(model, lr=0.1), accuracy=None)
    assert [p.data for p in model.parameters()] == before


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"seed": -1}, ValueError, r"^fit: seed must be an int >= 0 or None, got -1$"),
        ({"seed": [1]}, TypeError, r"^fit: seed must be an int >= 0 or None, got list: \[1\]$"),
        ({"seed": 0.5}, TypeError, r"^fit: seed must be an int >= 0 or None, got float: 0.5$"),
        ({"l2": BIG}, OverflowError, r"^fit: l2 is beyond the float range"),
        ({"l2": math.nan}, ValueError, r"^fit: l2 must not be NaN$"),
        ({"l2": -1e-300}, ValueError, r"^fit: l2 must be a number >= 0, got -1e-300$"),
        ({"accuracy": math.nan}, ValueError, r"^fit: accuracy must not be NaN$"),
        ({"accuracy": -math.inf}, ValueError, r"^fit: accuracy must be finite, got -inf$"),
        ({"accuracy": BIG}, OverflowError, r"^fit: accuracy is beyond the float range"),
        ({"accuracy": "sign"}, ValueError, r"^fit: accuracy must be one of 'auto', .* got 'sign'$"),
        ({"accuracy": b"logit"}, TypeError, r"^fit: accuracy must be one of .* got bytes: b'logit'$"),
    ],
)
def test_fit_settings_are_checked_by_name(kwargs: dict[str, Any], error: type[Exception], message: str) -> None:
    model = MLP(2, [3, 1], seed=0)
    with pytest.raises(error, match=message):
        fit(model, mse_loss, [[1.0, 2.0]], [1], epochs=1, optimizer=SGD(model, lr=0.1), **kwargs)


def test_fit_takes_numpy_seeds_and_numpy_thresholds() -> None:
    X, y = [[1.0, 2.0], [0.5, -1.0], [2.0, 0.0]], [1, 0, 1]
    runs = []
    for seed, accuracy in ((np.int64(3), np.float32(0.5)), (3, 0.5)):
        model = MLP(2, [3, 1], output_activation="sigmoid", seed=0)
        history = fit(
            model, mse_loss, X, y, epochs=3, batch_size=2, seed=seed, accuracy=accuracy, optimizer=SGD(model, lr=0.5)
        )
        runs.append(history.as_dict())
    assert runs[0]["loss"] == runs[1]["loss"] and runs[0]["accuracy"] == runs[1]["accuracy"]


# ---------------------------------------------------------------- the property


FLOAT_ENDS = [
    0.0,
    -0.0,
    5e-324,
    -5e-324,
    1e-320,
    -1e-320,
    1e-300,
    1.0,
    -1.0,
    1e150,
    -1e154,
    1e200,
    1e300,
    -1e300,
    1e308,
    -1e308,
    1.7976931348623157e308,
    math.nan,
    math.inf,
    -math.inf,
]
ODD = [
    BIG,
    -BIG,
    True,
    Fraction(1, 3),
    np.float64(2.5),
    np.float32(-1e30),
    np.int64(7),
    1j,
    "1",
    b"1",
    None,
    [1.0],
    {0: 1.0},
    Value(0.5),
]

numbers_at_the_ends = st.sampled_from(FLOAT_ENDS) | st.floats(min_value=-1e308, max_value=1e308) | st.floats()
anything = numbers_at_the_ends | st.sampled_from(ODD)
pairs = st.tuples(numbers_at_the_ends, numbers_at_the_ends)
inputs = (
    st.lists(numbers_at_the_ends, min_size=2, max_size=2)
    | st.lists(anything, min_size=0, max_size=3)
    | st.tuples(anything, anything)
    | st.sampled_from(ODD)
    | pairs.map(np.array)
    | pairs.map(lambda pair: dict(enumerate(pair)))
    | st.binary(min_size=2, max_size=2)
    | st.binary(min_size=2, max_size=2).map(bytearray)
    | st.text(min_size=2, max_size=2)
)
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def assert_finite(out: object) -> None:
    for v in out if isinstance(out, list) else [out]:
        if isinstance(v, list):
            assert_finite(v)
        else:
            number = v.data if isinstance(v, Value) else v
            assert isinstance(number, float) and math.isfinite(number), out


def assert_named(error: BaseException, names: tuple[str, ...]) -> None:
    """Assert the error is one a caller can catch, and that its message starts with one of names."""
    assert isinstance(error, (ArithmeticError, ValueError, TypeError)), repr(error)
    event(type(error).__name__)  # --hypothesis-show-statistics shows how the calls ended
    assert str(error).startswith(names), repr(error)


@SETTINGS
@given(
    x=inputs,
    other=inputs,
    weight=st.sampled_from([1.0, 1e150, -1e300, 1e-320]),
    how=st.sampled_from(["MLP", "MLP.batch", "predict", "Layer", "Neuron", "wide"]),
)
def test_an_input_at_any_extreme_gives_finite_outputs_or_an_error_naming_the_model(
    x: Any, other: Any, weight: float, how: str
) -> None:
    model = MLP(2, [3, 2] if how == "wide" else [3, 1], activation="tanh", seed=0)
    for p in model.parameters():
        p.data *= weight
    calls: dict[str, tuple[Callable[[], object], str]] = {
        "MLP": (lambda: model(x), "MLP:"),
        "wide": (lambda: model(x), "MLP:"),
        "MLP.batch": (lambda: model.batch([x, other]), "MLP.batch:"),
        "predict": (lambda: model.predict([other, x]), "MLP.batch:"),
        "Layer": (lambda: model.layers[0](x), "Layer:"),
        "Neuron": (lambda: model.layers[0].neurons[1](x), "Neuron:"),
    }
    call, name = calls[how]
    try:
        out = call()
    except Exception as error:  # the property is about which errors come out
        assert_named(error, (name,))
    else:
        event("finite")
        assert_finite(out)


def mostly(good: st.SearchStrategy[Any], bad: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """Draw from good seven times in eight, so that some calls train with every argument good."""
    return st.sampled_from([good] * 7 + [bad]).flatmap(lambda strategy: strategy)


extreme_settings = st.sampled_from(FLOAT_ENDS + ODD[:9]) | st.floats()


@settings(SETTINGS, max_examples=200)
@given(
    x0=numbers_at_the_ends,
    x1=mostly(st.floats(-3.0, 3.0), anything),
    target=mostly(st.sampled_from([0.25, 2.0, -1.0]), numbers_at_the_ends | st.just(BIG)),
    lr=mostly(st.sampled_from([0.01, 0.5, 3.0, 1e150]), extreme_settings),
    l2=mostly(st.sampled_from([0.0, 1e-4]), extreme_settings),
    extra=mostly(st.sampled_from([1e-8, 0.1]), extreme_settings),  # eps or weight_decay
    adam=st.booleans(),
    epochs=st.integers(1, 3),
    batch_size=st.sampled_from([None, 1, 2]),
    seed=mostly(st.sampled_from([0, 5, None, np.int64(2)]), st.sampled_from([-1, 1.5, True, BIG])),
    accuracy=mostly(st.sampled_from([None, "auto"]), st.sampled_from([math.nan, math.inf, BIG, "nope", [0.5]])),
)
def test_fit_at_any_extreme_trains_to_finite_numbers_or_raises_naming_fit(
    x0: float,
    x1: Any,
    target: Any,
    lr: Any,
    l2: Any,
    extra: Any,
    adam: bool,
    epochs: int,
    batch_size: int | None,
    seed: Any,
    accuracy: Any,
) -> None:
    model = MLP(2, [2, 1], seed=0)
    X, y = [[x0, 1.0], [0.5, x1], [-1.0, 0.25]], [target, 1.0, 0.0]
    try:
        optimizer = Adam(model, lr=lr, eps=extra) if adam else SGD(model, lr=lr, weight_decay=extra)
    except Exception as error:
        assert_named(error, ("Adam:", "SGD:"))
        return
    before = [p.data for p in model.parameters()]
    try:
        history = fit(
            model,
            mse_loss,
            X,
            y,
            epochs=epochs,
            optimizer=optimizer,
            l2=l2,
            batch_size=batch_size,
            seed=seed,
            accuracy=accuracy,
        )
    except Exception as error:
        if isinstance(error, DivergenceError) or str(error).startswith("fit:"):
            assert_named(error, ("fit:",))
        else:  # the first step's own error, naming where it arose, before any parameter moved
            assert_named(error, FIRST_STEP_NAMES)
            assert [p.data for p in model.parameters()] == before
            if sys.version_info >= (3, 11):
                assert error.__notes__ == [FIRST_STEP_NOTE]
    else:
        event("trained")
        recorded = history.loss + history.grad_mean_abs + history.accuracy
        assert all(math.isfinite(v) for v in recorded)
    assert all(math.isfinite(p.data) for p in model.parameters())


@pytest.mark.parametrize("params", [Value(1.0), None])
def test_sgd_of_a_lone_value_or_none_is_refused_by_name_even_without_lr(params: object) -> None:
    with pytest.raises(TypeError, match=r"^SGD: params must be a list of Values"):
        SGD(params)  # type: ignore[arg-type]
