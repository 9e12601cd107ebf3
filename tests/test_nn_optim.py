"""Tests of nn's optimizers: PyTorch's trajectories (from a JSON fixture), update rules, bad input."""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine import Value
from engine import sum as value_sum
from nn import MLP, SGD, Adam, Optimizer

FIXTURE = json.loads((Path(__file__).parent / "fixtures" / "torch_adam_sgd_trajectories.json").read_text())


def make_optimizer(case: dict, params: list[Value]) -> Optimizer:
    kwargs = dict(case["kwargs"])
    if "betas" in kwargs:
        kwargs["betas"] = tuple(kwargs["betas"])
    return {"Adam": Adam, "SGD": SGD}[case["optimizer"]](params, **kwargs)


@pytest.mark.parametrize("case", FIXTURE["cases"], ids=[case["name"] for case in FIXTURE["cases"]])
def test_trajectory_matches_pytorch_float64(case: dict) -> None:
    sizes = FIXTURE["sizes"]
    model = MLP(sizes[0], sizes[1:], activation="tanh", output_activation="linear")
    params = model.parameters()
    for p, start in zip(params, FIXTURE["initial_params"], strict=True):
        p.data = start
    optimizer = make_optimizer(case, params)
    xs, ys = FIXTURE["xs"], FIXTURE["ys"]
    for step, (torch_loss, torch_params) in enumerate(zip(case["losses"], case["params"]), start=1):
        optimizer.zero_grad()
        loss = value_sum([(model(x) - y) ** 2 for x, y in zip(xs, ys)]) / len(xs)
        loss.backward()
        optimizer.step()
        assert loss.data == pytest.approx(torch_loss, rel=1e-12), f"loss at step {step}"
        assert [p.data for p in params] == pytest.approx(torch_params, rel=1e-10, abs=1e-13), f"params at step {step}"
    assert len(case["losses"]) == FIXTURE["steps"] > 0
    assert case["losses"][-1] < case["losses"][0]  # the fixture trains: a replay that froze would fail


# ---------------------------------------------------------------- the update rules by hand


def test_sgd_steps_against_the_gradient() -> None:
    a, b = Value(1.0), Value(-2.0)
    optimizer = SGD([a, b], lr=0.1)
    a.grad, b.grad = 3.0, -4.0
    optimizer.step()
    assert (a.data, b.data) == (1.0 - 0.1 * 3.0, -2.0 + 0.1 * 4.0)


def test_sgd_momentum_accumulates_a_velocity_that_starts_at_the_first_gradient() -> None:
    w = Value(0.0)
    optimizer = SGD([w], lr=1.0, momentum=0.5)
    expected, velocity = 0.0, None
    for gradient in [1.0, 2.0, -1.0, 0.5]:
        w.grad = gradient
        optimizer.step()
        velocity = gradient if velocity is None else 0.5 * velocity + gradient
        expected -= velocity
        assert w.data == expected


def test_sgd_weight_decay_adds_decay_times_parameter_to_the_gradient() -> None:
    w = Value(2.0)
    optimizer = SGD([w], lr=0.5, weight_decay=0.1)
    w.grad = 1.0
    optimizer.step()
    assert w.data == 2.0 - 0.5 * (1.0 + 0.1 * 2.0)


@settings(max_examples=30, deadline=None)
@given(gradient=st.floats(1e-3, 1e3) | st.floats(-1e3, -1e-3), lr=st.floats(1e-4, 1.0))
def test_adam_first_step_is_lr_in_size_whatever_the_gradient_scale(gradient: float, lr: float) -> None:
    w = Value(0.0)
    optimizer = Adam([w], lr=lr)
    w.grad = gradient
    optimizer.step()
    assert w.data == pytest.approx(-math.copysign(lr, gradient), rel=1e-4)


def test_zero_grad_zeroes_every_parameter_gradient() -> None:
    params = [Value(1.0), Value(2.0)]
    for p in params:
        p.grad = 5.0
    Adam(params).zero_grad()
    assert [p.grad for p in params] == [0.0, 0.0]


def test_an_optimizer_accepts_a_module_for_its_parameters() -> None:
    model = MLP(2, [3, 1], seed=0)
    optimizer = SGD(model, lr=0.1)
    assert optimizer.params == model.parameters()


def test_lr_can_be_changed_between_steps_by_a_schedule() -> None:
    w = Value(0.0)
    optimizer = SGD([w], lr=1.0)
    for k in range(3):
        optimizer.lr = 1.0 - 0.25 * k
        w.grad = 1.0
        optimizer.step()
    assert w.data == -(1.0 + 0.75 + 0.5)


def test_reprs() -> None:
    params = [Value(1.0), Value(2.0)]
    assert repr(SGD(params, lr=0.1)) == "SGD(2 parameters, lr=0.1)"
    assert repr(SGD(params, lr=0.1, momentum=0.9)) == "SGD(2 parameters, lr=0.1, momentum=0.9)"
    assert repr(Adam(params)) == "Adam(2 parameters, lr=0.001, betas=(0.9, 0.999), eps=1e-08)"


# ---------------------------------------------------------------- bad input


@pytest.mark.parametrize("lr", [0, 0.0, -0.1, -1e308, math.inf, -math.inf, math.nan])
@pytest.mark.parametrize("optimizer", [SGD, Adam])
def test_a_non_positive_or_non_finite_lr_is_a_value_error_naming_lr(optimizer: type, lr: object) -> None:
    message = rf"^{optimizer.__name__}: lr must be a positive number, got"
    with pytest.raises(ValueError, match=message):
        optimizer([Value(1.0)], lr=lr)


@pytest.mark.parametrize("lr", ["fast", "0.1", True, None, [0.1], 1j])
@pytest.mark.parametrize("optimizer", [SGD, Adam])
def test_an_lr_that_is_not_a_number_is_a_type_error_naming_lr(optimizer: type, lr: object) -> None:
    message = rf"^{optimizer.__name__}: lr must be a positive number, got"
    with pytest.raises(TypeError, match=message):
        optimizer([Value(1.0)], lr=lr)


@pytest.mark.parametrize(
    "make, argument",
    [
        (lambda big: SGD([Value(1.0)], lr=big), "lr"),
        (lambda big: SGD([Value(1.0)], lr=0.1, weight_decay=big), "weight_decay"),
        (lambda big: SGD([Value(1.0)], lr=0.1, momentum=big), "momentum"),
        (lambda big: Adam([Value(1.0)], betas=(0.9, big)), r"betas\[1\]"),
        (lambda big: Adam([Value(1.0)], eps=big), "eps"),
    ],
    ids=["lr", "weight_decay", "momentum", "betas", "eps"],
)
@pytest.mark.parametrize("big", [10**400, -(10**400)], ids=["10**400", "-10**400"])
def test_a_number_beyond_the_float_range_is_an_overflow_error_naming_it(
    make: Callable[[int], Optimizer], argument: str, big: int
) -> None:
    message = rf"^(SGD|Adam): {argument} is beyond the float range, got .*\(40\d chars\)$"
    with pytest.raises(OverflowError, match=message):
        make(big)


def test_tiny_huge_and_numpy_learning_rates_are_accepted_as_floats() -> None:
    for lr in (5e-324, 1e308, np.float64(0.25), np.float32(0.25), Fraction(1, 4), 2):
        optimizer = SGD([Value(1.0)], lr=lr)
        assert type(optimizer.lr) is float and optimizer.lr == float(lr)


def test_setting_a_bad_lr_later_is_also_refused() -> None:
    optimizer = SGD([Value(1.0)], lr=0.1)
    with pytest.raises(ValueError, match="SGD: lr must be a positive number, got -1"):
        optimizer.lr = -1
    assert optimizer.lr == 0.1


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda p: SGD(p, lr=0.1, momentum=1.0), r"SGD: momentum must be a number in \[0, 1\), got 1.0"),
        (lambda p: SGD(p, lr=0.1, momentum=-0.5), r"SGD: momentum must be a number in \[0, 1\), got -0.5"),
        (lambda p: SGD(p, lr=0.1, weight_decay=-1.0), r"SGD: weight_decay must be a number >= 0, got -1.0"),
        (lambda p: Adam(p, betas=(0.9, 1.0)), r"Adam: betas\[1\] must be a number in \[0, 1\), got 1.0"),
        (lambda p: Adam(p, betas=(-0.1, 0.9)), r"Adam: betas\[0\] must be a number in \[0, 1\), got -0.1"),
        (lambda p: Adam(p, betas=0.9), r"Adam: betas must be a pair \(beta1, beta2\), got 0.9"),
        (lambda p: Adam(p, eps=-1e-8), r"Adam: eps must be a number > 0, got -1e-08"),
        (lambda p: Adam(p, eps=0.0), r"Adam: eps must be a number > 0, got 0.0"),
        (lambda p: Adam(p, eps=math.nan), r"Adam: eps must be a number > 0, got nan"),
        (lambda p: SGD(p, lr=0.1, weight_decay=math.inf), r"SGD: weight_decay must be a number >= 0, got inf"),
    ],
)
def test_bad_hyperparameters_are_value_errors_naming_them(make, message: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValueError, match=message):
        make([Value(1.0)])


def test_empty_params_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="SGD: params must contain at least one Value, got an empty list"):
        SGD([], lr=0.1)


def test_a_parameter_that_is_not_a_value_is_a_type_error() -> None:
    with pytest.raises(TypeError, match=r"Adam: params\[1\] must be a Value, got float: 2.0"):
        Adam([Value(1.0), 2.0])  # type: ignore[list-item]


def test_a_parameter_listed_twice_is_a_value_error() -> None:
    w = Value(1.0)
    with pytest.raises(ValueError, match=r"SGD: params\[1\] appears twice in params"):
        SGD([w, w], lr=0.1)


@pytest.mark.parametrize(
    ("params", "shown"),
    [
        (Value(1.0), r"Value: Value\(data=1, grad=0\)"),
        (None, "NoneType: None"),
        (3, "int: 3"),
        ("w", "str: 'w'"),
        ({"w": Value(1.0)}, "dict: "),
        ({Value(1.0)}, "set: "),
    ],
)
@pytest.mark.parametrize("optimizer", [SGD, Adam])
def test_params_that_are_not_a_list_of_values_are_a_type_error_naming_them(
    optimizer: type, params: object, shown: str
) -> None:
    expected = r"a list of Values \(model.parameters\(\)\) or a Module"
    message = rf"^{optimizer.__name__}: params must be {expected}, got {shown}"
    with pytest.raises(TypeError, match=message):
        optimizer(params, lr=0.1)


def test_params_may_be_any_ordered_iterable() -> None:
    a, b = Value(1.0), Value(2.0)
    assert SGD((p for p in (a, b)), lr=0.1).params == [a, b]
    assert Adam((a, b)).params == [a, b]


# ---------------------------------------------------------------- no step to a non-finite number


@pytest.mark.parametrize(
    ("make", "value", "gradient"),
    [
        (lambda params: SGD(params, lr=1e10), 1e300, -1e300),
        (lambda params: SGD(params, lr=1e10, momentum=0.9), 1e300, -1e300),
        (lambda params: SGD(params, lr=1e-3, weight_decay=1e308), 1e300, 1.0),
        (lambda params: Adam(params, lr=1e307), 1.7e308, -1.0),
    ],
    ids=["sgd", "momentum", "weight_decay", "adam"],
)
def test_a_step_that_would_overflow_a_parameter_raises_and_moves_nothing(
    make: Callable[[list[Value]], Optimizer], value: float, gradient: float
) -> None:
    a, w = Value(0.5, label="a"), Value(value, label="w")
    optimizer = make([a, w])
    a.grad, w.grad = 1.0, gradient
    message = (
        rf"^(SGD|Adam): the step would make params\[1\] \(w\) non-finite \(value {value!r}, "
        rf"gradient {gradient!r}, lr .*\); no parameter was moved$"
    ).replace("+", r"\+")
    with pytest.raises(OverflowError, match=message):
        optimizer.step()
    assert (a.data, w.data) == (0.5, value)
    # The refused step left the optimizer's state (velocity, Adam's m, v and t) as it was: the
    # next step is the one a fresh optimizer would take.
    twin_a, twin_w = Value(0.5), Value(1.0)
    twin = make([twin_a, twin_w])
    for p, q, g in ((a, twin_a, 1.0), (w, twin_w, 2.0)):
        p.data, p.grad, q.grad = 1.0 if p is w else 0.5, g, g
    optimizer.step()
    twin.step()
    assert (a.data, w.data) == (twin_a.data, twin_w.data)


def test_an_adam_step_whose_squared_gradient_overflows_raises_naming_v() -> None:
    w = Value(1.0, label="w")
    optimizer = Adam([w], lr=0.1)
    w.grad = 1e200  # finite, but its square is not: v would be inf and the step silently 0
    message = r"^Adam: the step would make the mean squared gradient v of params\[0\] \(w\) "
    with pytest.raises(OverflowError, match=message):
        optimizer.step()
    assert w.data == 1.0
