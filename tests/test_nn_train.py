"""Tests of nn.fit: the issue's training runs, the History, divergence, accuracy rules and bad input."""

from __future__ import annotations

import functools
import gc
import io
import math
from collections.abc import Callable

import numpy as np
import pytest

from engine import Value
from losses import (
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    hinge_loss,
    mse_loss,
    softmax_cross_entropy,
)
from nn import (
    MLP,
    SGD,
    Adam,
    DivergenceError,
    History,
    Neuron,
    fit,
    make_blobs,
    make_moons,
)

# The post's micrograd chapter: four examples, MLP(3, [4, 4, 1]) with tanh, loss = sum of squared errors.
XS = [[2.0, 3.0, -1.0], [3.0, -1.0, 0.5], [0.5, 1.0, 1.0], [1.0, 1.0, -1.0]]
YS = [1.0, -1.0, -1.0, 1.0]
sum_squared_error = functools.partial(mse_loss, reduction="sum")


def train_micrograd_chapter(seed: int) -> float:
    """Return the sum of squared errors after 50 steps of SGD at 0.05, from the model made with seed."""
    model = MLP(3, [4, 4, 1], activation="tanh", output_activation="tanh", seed=seed)
    fit(model, sum_squared_error, XS, YS, epochs=50, optimizer=SGD(model.parameters(), lr=0.05))
    return sum_squared_error([model(x) for x in XS], YS).data


def test_micrograd_chapter_example_drives_the_loss_below_0_05() -> None:
    assert train_micrograd_chapter(seed=0) < 0.05


def test_micrograd_chapter_example_works_for_most_seeds() -> None:
    final_losses = [train_micrograd_chapter(seed) for seed in range(1, 11)]
    assert sum(loss < 0.05 for loss in final_losses) >= 8, final_losses


def test_micrograd_moons_demo_reaches_95_percent_accuracy() -> None:
    X, y = make_moons(100, noise=0.1, seed=0, labels="pm1")
    model = MLP(2, [16, 16, 1], seed=0)
    history = fit(
        model, hinge_loss, X, y, epochs=100, optimizer=SGD(model.parameters(), lr=1.0),
        l2=1e-4, lr_schedule=lambda k: 1.0 - 0.9 * k / 100,  # micrograd's schedule
    )
    assert history.accuracy[-1] >= 0.95
    after = sum((score > 0) == (label > 0) for score, label in zip(model.predict(X), y)) / len(y)
    assert after >= 0.95
    assert history.lr[0] == 1.0 and history.lr[-1] == pytest.approx(0.109)
    assert history.loss[-1] < history.loss[0] / 5


def run_moons_minibatch(seed: int) -> History:
    X, y = make_moons(60, noise=0.2, seed=seed, labels="pm1")
    model = MLP(2, [8, 8, 1], seed=seed)
    return fit(model, hinge_loss, X, y, epochs=8, optimizer=Adam(model.parameters(), lr=0.05),
               batch_size=16, l2=1e-4, seed=seed)


def test_same_seed_gives_bit_identical_losses() -> None:
    first, second = run_moons_minibatch(seed=4), run_moons_minibatch(seed=4)
    assert first.loss == second.loss
    assert first.grad_mean_abs == second.grad_mean_abs
    assert run_moons_minibatch(seed=5).loss != first.loss


def test_bce_beats_mse_from_a_confidently_wrong_start() -> None:
    X = [[k / 4] for k in range(-8, 9) if k != 0]
    y = [1 if x[0] > 0 else 0 for x in X]
    epochs_to_95 = {}
    for name, loss in [("bce", binary_cross_entropy), ("mse", mse_loss)]:
        neuron = Neuron(1, activation="sigmoid", seed=0)
        neuron.w[0].data, neuron.b.data = -5.0, 0.0  # sigmoid(-5·x): p ≈ 0.007 where y = 1
        history = fit(neuron, loss, X, y, epochs=200, optimizer=SGD(neuron.parameters(), lr=0.5))
        assert history.accuracy[0] == 0.0  # every prediction wrong at the start
        epochs_to_95[name] = history.epochs_to_accuracy(0.95) or math.inf
    assert epochs_to_95["bce"] <= 20
    assert epochs_to_95["mse"] >= 5 * epochs_to_95["bce"]


# ---------------------------------------------------------------- the History


def test_history_has_one_entry_per_epoch_in_each_list() -> None:
    X, y = make_moons(20, seed=0, labels="pm1")
    model = MLP(2, [4, 1], seed=0)
    history = fit(model, hinge_loss, X, y, epochs=7, optimizer=SGD(model, lr=0.1))
    assert history.epochs == len(history) == 7
    assert len(history.accuracy) == len(history.grad_mean_abs) == len(history.lr) == len(history.seconds) == 7
    assert set(history.as_dict()) == {"loss", "accuracy", "grad_mean_abs", "lr", "seconds"}
    assert repr(history).startswith("History(7 epochs, loss ")


def test_first_epoch_records_the_loss_accuracy_and_mean_abs_gradient_of_the_start() -> None:
    X, y = make_moons(30, seed=1, labels="pm1")
    model = MLP(2, [5, 1], activation="tanh", seed=1)
    params = model.parameters()
    scores = [model(x) for x in X]
    expected_loss = hinge_loss(scores, y) + 1e-3 * sum(p * p for p in params)
    expected_loss.backward()
    expected_grad = sum(abs(p.grad) for p in params) / len(params)
    expected_accuracy = sum((s.data > 0) == (t > 0) for s, t in zip(scores, y)) / len(y)
    model.zero_grad()
    history = fit(model, hinge_loss, X, y, epochs=1, optimizer=SGD(params, lr=0.1), l2=1e-3)
    assert history.loss[0] == pytest.approx(expected_loss.data, rel=1e-12)
    assert history.grad_mean_abs[0] == pytest.approx(expected_grad, rel=1e-12)
    assert history.accuracy[0] == expected_accuracy


def test_minibatches_make_several_steps_per_epoch() -> None:
    steps = []

    class CountingSGD(SGD):
        def step(self) -> None:
            steps.append(1)
            super().step()

    X, y = make_moons(50, seed=0, labels="pm1")
    model = MLP(2, [3, 1], seed=0)
    fit(model, hinge_loss, X, y, epochs=2, optimizer=CountingSGD(model, lr=0.1), batch_size=20)
    assert len(steps) == 2 * 3  # batches of 20, 20 and 10


def test_on_epoch_is_called_with_the_epoch_from_one_and_can_stop_training() -> None:
    calls = []

    def on_epoch(epoch: int, history: History) -> bool:
        calls.append((epoch, len(history)))
        return epoch == 3

    X, y = make_moons(20, seed=0, labels="pm1")
    model = MLP(2, [3, 1], seed=0)
    history = fit(model, hinge_loss, X, y, epochs=10, optimizer=SGD(model, lr=0.1), on_epoch=on_epoch)
    assert calls == [(1, 1), (2, 2), (3, 3)]
    assert len(history) == 3


def test_progress_bar_is_plain_text_on_the_given_stream() -> None:
    stream = io.StringIO()
    X, y = make_moons(20, seed=0, labels="pm1")
    model = MLP(2, [3, 1], seed=0)
    fit(model, hinge_loss, X, y, epochs=5, optimizer=SGD(model, lr=0.1), progress=True, stream=stream)
    text = stream.getvalue()
    assert "fit [" in text and "5/5 loss" in text and "accuracy" in text
    assert text.endswith("\n")


@pytest.mark.parametrize("enabled_before", [True, False])
def test_the_cyclic_collector_is_paused_while_training_and_restored_after(enabled_before: bool) -> None:
    seen = []
    X, y = make_moons(20, seed=0, labels="pm1")
    model = MLP(2, [3, 1], seed=0)
    was_enabled = gc.isenabled()
    (gc.enable if enabled_before else gc.disable)()
    try:
        fit(model, hinge_loss, X, y, epochs=2, optimizer=SGD(model, lr=0.1),
            on_epoch=lambda epoch, history: seen.append(gc.isenabled()))
        assert gc.isenabled() == enabled_before
        fit(model, hinge_loss, X, y, epochs=1, optimizer=SGD(model, lr=0.1), pause_gc=False,
            on_epoch=lambda epoch, history: seen.append(gc.isenabled()))
    finally:
        (gc.enable if was_enabled else gc.disable)()
    assert seen == [False, False, enabled_before]


def test_the_collector_is_restored_when_training_fails() -> None:
    model = MLP(1, [1], seed=0)
    assert gc.isenabled()
    with pytest.raises(DivergenceError):
        fit(model, mse_loss, [[1.0], [2.0], [3.0]], [2.0, 4.0, 6.0], epochs=500, optimizer=SGD(model, lr=5.0))
    assert gc.isenabled()


# ---------------------------------------------------------------- accuracy rules


@pytest.mark.parametrize(("output_activation", "loss_fn", "threshold"), [
    ("linear", binary_cross_entropy_with_logits, 0.0),  # logits: class 1 above 0
    ("sigmoid", binary_cross_entropy, 0.5),  # probabilities: class 1 above one half
], ids=["logits", "probabilities"])
def test_accuracy_of_0_1_labels_thresholds_the_output_the_loss_reads(
    output_activation: str, loss_fn: Callable[..., Value], threshold: float
) -> None:
    X, y = make_moons(40, seed=2, labels="01")
    model = MLP(2, [4, 1], output_activation=output_activation, seed=2)
    outputs = [model(x).data for x in X]
    history = fit(model, loss_fn, X, y, epochs=1, optimizer=SGD(model, lr=0.01))
    assert history.accuracy[0] == sum((o > threshold) == (t == 1) for o, t in zip(outputs, y)) / len(y)


def test_an_explicit_threshold_and_none() -> None:
    X, y = make_moons(40, seed=2, labels="01")
    model = MLP(2, [4, 1], output_activation="sigmoid", seed=2)
    probabilities = [model(x).data for x in X]
    history = fit(model, mse_loss, X, y, epochs=1, optimizer=SGD(model, lr=0.01), accuracy=0.9)
    assert history.accuracy[0] == sum((p > 0.9) == (t == 1) for p, t in zip(probabilities, y)) / len(y)
    assert fit(model, mse_loss, X, y, epochs=1, optimizer=SGD(model, lr=0.01), accuracy=None).accuracy == []


def test_multi_output_models_use_the_argmax_class() -> None:
    X, y = make_blobs(60, centers=[(-3.0, 0.0), (3.0, 0.0), (0.0, 4.0)], spread=0.5, seed=0)
    model = MLP(2, [8, 3], seed=0)
    history = fit(model, softmax_cross_entropy, X, y, epochs=30, optimizer=Adam(model, lr=0.05))
    assert history.accuracy[-1] >= 0.95


def test_regression_targets_have_no_accuracy() -> None:
    X = [[0.1 * k] for k in range(10)]
    y = [0.3 * k + 0.25 for k in range(10)]
    model = MLP(1, [1], seed=0)
    assert fit(model, mse_loss, X, y, epochs=3, optimizer=SGD(model, lr=0.1)).accuracy == []


# ---------------------------------------------------------------- divergence


def test_a_learning_rate_far_too_large_stops_with_an_error_naming_the_epoch() -> None:
    X = [[1.0], [2.0], [3.0]]
    y = [2.0, 4.0, 6.0]
    model = MLP(1, [1], seed=0)
    with pytest.raises(DivergenceError, match=r"fit: .* at epoch (\d+) of 500 \(lr=5\)") as caught:
        fit(model, mse_loss, X, y, epochs=500, optimizer=SGD(model, lr=5.0))
    error = caught.value
    assert error.epoch > 1
    assert f"at epoch {error.epoch} of 500" in str(error)
    assert len(error.history.loss) == error.epoch - 1
    assert all(math.isfinite(loss) for loss in error.history.loss)
    assert "smaller learning rate" in str(error)


def test_an_infinite_loss_stops_with_an_error_naming_the_epoch() -> None:
    calls = []

    def loss_fn(predictions: list[Value], targets: list[float]) -> Value:
        calls.append(1)
        loss = mse_loss(predictions, targets)
        return loss * math.inf if len(calls) == 3 else loss

    model = MLP(1, [1], seed=0)
    with pytest.raises(DivergenceError, match=r"fit: the loss became inf at epoch 3 of 10"):
        fit(model, loss_fn, [[1.0]], [1.0], epochs=10, optimizer=SGD(model, lr=0.1))


# ---------------------------------------------------------------- bad input


def small_setup() -> tuple[MLP, list[list[float]], list[int]]:
    X, y = make_moons(10, seed=0, labels="pm1")
    return MLP(2, [3, 1], seed=0), [list(x) for x in X], y


@pytest.mark.parametrize("change, message", [
    (lambda X, y: ([], []), r"fit: X must contain at least one example, got an empty list"),
    (lambda X, y: (X, y[:-1]), r"fit: X and y must have the same length, got 10 and 9"),
    (lambda X, y: (X[:3] + [[1.0, 2.0, 3.0]] + X[4:], y), r"fit: X\[3\] must have 2 inputs \(the model's nin\), got 3"),
    (lambda X, y: (X, [0 if t < 0 else 1 for t in y]), r"fit: y must be in \{-1, 1\} for hinge_loss, got y\[\d\] = 0 .*labels='pm1'"),
])
def test_bad_data_is_a_value_error_naming_the_argument(change, message: str) -> None:  # type: ignore[no-untyped-def]
    model, X, y = small_setup()
    X, y = change(X, y)
    with pytest.raises(ValueError, match=message):
        fit(model, hinge_loss, X, y, epochs=1, optimizer=SGD(model, lr=0.1))


@pytest.mark.parametrize(("X", "y", "message"), [
    (5, [1], r"fit: X must be a sequence \(a list or an array\), got int: 5"),
    ([[1.0, 2.0]], "a", r"fit: y must be a sequence \(a list or an array\), got str: 'a'"),
])
def test_data_that_is_not_a_sequence_is_a_type_error(X: object, y: object, message: str) -> None:
    model = MLP(2, [1], seed=0)
    with pytest.raises(TypeError, match=message):
        fit(model, mse_loss, X, y, epochs=1, optimizer=SGD(model, lr=0.1))  # type: ignore[arg-type]


def test_plus_minus_one_labels_for_bce_are_a_value_error() -> None:
    model, X, y = small_setup()
    with pytest.raises(ValueError, match=r"fit: y must be in \[0, 1\] for binary_cross_entropy_with_logits, got y\[\d\] = -1 .*labels='01'"):
        fit(model, binary_cross_entropy_with_logits, X, y, epochs=1, optimizer=SGD(model, lr=0.1))


@pytest.mark.parametrize("kwargs, message", [
    ({"epochs": 0}, r"fit: epochs must be an int >= 1, got 0"),
    ({"epochs": 2.5}, r"fit: epochs must be an int >= 1, got 2.5"),
    ({"batch_size": 0}, r"fit: batch_size must be None \(the whole data set\) or an int >= 1, got 0"),
    ({"l2": -1e-4}, r"fit: l2 must be a number >= 0, got -0.0001"),
    ({"accuracy": "sign"}, r"fit: accuracy must be 'auto', a threshold number or None, got 'sign'"),
])
def test_bad_settings_are_value_errors_naming_the_argument(kwargs: dict, message: str) -> None:
    model, X, y = small_setup()
    arguments = {"epochs": 1, **kwargs}
    with pytest.raises(ValueError, match=message):
        fit(model, hinge_loss, X, y, optimizer=SGD(model, lr=0.1), **arguments)


def test_a_loss_function_that_returns_a_list_is_a_type_error() -> None:
    model, X, y = small_setup()
    with pytest.raises(TypeError, match=r"fit: loss_fn must return one Value \(a mean over the batch\), got list"):
        fit(model, functools.partial(hinge_loss, reduction="none"), X, y, epochs=1, optimizer=SGD(model, lr=0.1))


def test_a_non_positive_learning_rate_from_a_schedule_is_a_value_error() -> None:
    model, X, y = small_setup()
    with pytest.raises(ValueError, match=r"SGD: lr must be a positive number, got 0.0"):
        fit(model, hinge_loss, X, y, epochs=3, optimizer=SGD(model, lr=0.1), lr_schedule=lambda k: 1.0 - 0.5 * k)


def test_numpy_arrays_are_accepted_for_X_and_y() -> None:
    X, y = make_moons(20, seed=0, labels="pm1")
    model, twin = MLP(2, [3, 1], seed=0), MLP(2, [3, 1], seed=0)
    from_lists = fit(model, hinge_loss, X, y, epochs=3, optimizer=SGD(model, lr=0.1))
    from_arrays = fit(twin, hinge_loss, np.array(X), np.array(y), epochs=3, optimizer=SGD(twin, lr=0.1))
    assert from_arrays.loss == from_lists.loss and from_arrays.accuracy == from_lists.accuracy


def test_a_threshold_needs_two_class_targets() -> None:
    X = [[0.1 * k] for k in range(10)]
    model = MLP(1, [1], seed=0)
    with pytest.raises(ValueError, match=r"fit: accuracy=0.5 \(a threshold\) needs targets of two classes, got 10 distinct targets"):
        fit(model, mse_loss, X, [0.3 * k for k in range(10)], epochs=1, optimizer=SGD(model, lr=0.1), accuracy=0.5)


def test_targets_all_one_are_read_as_probability_labels_for_a_sigmoid_output() -> None:
    X = [[0.5], [1.0], [1.5]]
    model = MLP(1, [1], output_activation="sigmoid", seed=0)
    model.layers[0].neurons[0].w[0].data = -3.0  # p < 0.5 everywhere: every prediction wrong
    history = fit(model, binary_cross_entropy, X, [1, 1, 1], epochs=1, optimizer=SGD(model, lr=0.01))
    assert history.accuracy == [0.0]
