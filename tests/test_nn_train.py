"""Tests of nn.train_step and nn.fit: training runs, History, divergence, accuracy, bad input."""

from __future__ import annotations

import functools
import gc
import io
import math
from collections.abc import Callable
from typing import Any

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
    train_step,
)

# The post's micrograd chapter: four examples, MLP(3, [4, 4, 1]) with tanh, loss = sum of squared errors.
XS = [[2.0, 3.0, -1.0], [3.0, -1.0, 0.5], [0.5, 1.0, 1.0], [1.0, 1.0, -1.0]]
YS = [1.0, -1.0, -1.0, 1.0]
sum_squared_error = functools.partial(mse_loss, reduction="sum")
LossFn = Callable[..., Value]


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
        model,
        hinge_loss,
        X,
        y,
        epochs=100,
        optimizer=SGD(model.parameters(), lr=1.0),
        l2=1e-4,
        lr_schedule=lambda k: 1.0 - 0.9 * k / 100,  # micrograd's schedule
    )
    assert history.accuracy[-1] >= 0.95
    after = sum((score > 0) == (label > 0) for score, label in zip(model.predict(X), y)) / len(y)
    assert after >= 0.95
    assert history.lr[0] == 1.0 and history.lr[-1] == pytest.approx(0.109)
    assert history.loss[-1] < history.loss[0] / 5


def run_moons_minibatch(seed: int) -> History:
    X, y = make_moons(60, noise=0.2, seed=seed, labels="pm1")
    model = MLP(2, [8, 8, 1], seed=seed)
    return fit(
        model,
        hinge_loss,
        X,
        y,
        epochs=8,
        optimizer=Adam(model.parameters(), lr=0.05),
        batch_size=16,
        l2=1e-4,
        seed=seed,
    )


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


def test_progress_bar_is_printed_once_on_a_stream_that_is_not_a_terminal() -> None:
    stream = io.StringIO()
    X, y = make_moons(20, seed=0, labels="pm1")
    model = MLP(2, [3, 1], seed=0)
    fit(model, hinge_loss, X, y, epochs=5, optimizer=SGD(model, lr=0.1), progress=stream)
    text = stream.getvalue()
    assert text.count("fit [") == 1 and text.endswith("\n")
    assert "] 5/5  loss " in text and "accuracy" in text


def test_progress_true_draws_on_standard_error(capsys: pytest.CaptureFixture[str]) -> None:
    X, y = make_moons(20, seed=0, labels="pm1")
    model = MLP(2, [3, 1], seed=0)
    fit(model, hinge_loss, X, y, epochs=2, optimizer=SGD(model, lr=0.1), progress=True)
    captured = capsys.readouterr()
    assert captured.out == "" and "fit [" in captured.err and "2/2" in captured.err


def test_progress_bar_of_a_run_stopped_early_shows_how_far_it_got() -> None:
    stream = io.StringIO()
    X, y = make_moons(20, seed=0, labels="pm1")
    model = MLP(2, [3, 1], seed=0)
    fit(
        model,
        hinge_loss,
        X,
        y,
        epochs=10,
        optimizer=SGD(model, lr=0.1),
        progress=stream,
        on_epoch=lambda epoch, history: epoch == 3,
    )
    assert "]  3/10  loss " in stream.getvalue()


@pytest.mark.parametrize("enabled_before", [True, False])
def test_the_cyclic_collector_is_paused_while_training_and_restored_after(enabled_before: bool) -> None:
    seen = []
    X, y = make_moons(20, seed=0, labels="pm1")
    model = MLP(2, [3, 1], seed=0)
    was_enabled = gc.isenabled()
    (gc.enable if enabled_before else gc.disable)()
    try:
        fit(
            model,
            hinge_loss,
            X,
            y,
            epochs=2,
            optimizer=SGD(model, lr=0.1),
            on_epoch=lambda epoch, history: seen.append(gc.isenabled()),
        )
        assert gc.isenabled() == enabled_before
    finally:
        (gc.enable if was_enabled else gc.disable)()
    assert seen == [False, False]


def test_the_collector_is_restored_when_training_fails() -> None:
    model = MLP(1, [1], seed=0)
    assert gc.isenabled()
    with pytest.raises(DivergenceError):
        fit(model, mse_loss, [[1.0], [2.0], [3.0]], [2.0, 4.0, 6.0], epochs=500, optimizer=SGD(model, lr=5.0))
    assert gc.isenabled()


# ---------------------------------------------------------------- accuracy rules


@pytest.mark.parametrize(
    ("output_activation", "loss_fn", "accuracy", "threshold"),
    [
        ("linear", binary_cross_entropy_with_logits, "logit", 0.0),
        ("linear", hinge_loss, "score", 0.0),
        ("sigmoid", binary_cross_entropy, "probability", 0.5),
        ("sigmoid", binary_cross_entropy, "auto", 0.5),  # a sigmoid output is a probability
        ("tanh", mse_loss, "auto", 0.0),  # a tanh output is read by its sign
        ("sigmoid", binary_cross_entropy, 0.8, 0.8),
    ],
    ids=["logit", "score", "probability", "auto-sigmoid", "auto-tanh", "threshold"],
)
def test_each_accuracy_rule_thresholds_the_output(
    output_activation: str, loss_fn: Callable[..., Value], accuracy: str | float, threshold: float
) -> None:
    labels = "pm1" if loss_fn is hinge_loss else "01"
    X, y = make_moons(40, seed=2, labels=labels)
    model = MLP(2, [4, 1], output_activation=output_activation, seed=2)
    outputs = [model(x).data for x in X]
    history = fit(model, loss_fn, X, y, epochs=1, optimizer=SGD(model, lr=0.01), accuracy=accuracy)
    expected = sum((o > threshold) == (t == 1) for o, t in zip(outputs, y)) / len(y)
    assert history.accuracy[0] == expected
    assert 0.0 < expected < 1.0  # the rule matters: some right, some wrong


@pytest.mark.parametrize(
    "wrap",
    [
        lambda loss: loss,
        lambda loss: lambda outputs, targets: loss(outputs, targets),
        lambda loss: functools.partial(loss, reduction="mean"),
    ],
    ids=["loss", "lambda", "partial"],
)
@pytest.mark.parametrize(
    ("loss", "labels", "accuracy"),
    [
        (hinge_loss, "pm1", "auto"),
        (binary_cross_entropy_with_logits, "01", "logit"),
    ],
    ids=["hinge", "bce-with-logits"],
)
def test_a_loss_behaves_the_same_inside_a_lambda(
    wrap: Callable[[LossFn], LossFn], loss: LossFn, labels: str, accuracy: str
) -> None:
    X, y = make_moons(30, noise=0.2, seed=6, labels=labels)

    def train(loss_fn: Callable[..., Value]) -> tuple[History, list[float]]:
        model = MLP(2, [6, 1], seed=6)
        history = fit(model, loss_fn, X, y, epochs=3, optimizer=SGD(model, lr=1.0), accuracy=accuracy)
        return history, [p.data for p in model.parameters()]

    history, parameters = train(wrap(loss))
    reference, reference_parameters = train(loss)
    assert history.loss == reference.loss and history.accuracy == reference.accuracy
    assert len(set(history.accuracy)) > 1  # the accuracy moves, so the comparison means something
    assert parameters == reference_parameters


def test_auto_refuses_to_guess_for_a_linear_output_and_0_1_labels_before_training() -> None:
    X, y = make_moons(20, seed=0, labels="01")
    model = MLP(2, [3, 1], seed=0)
    before = [p.data for p in model.parameters()]
    with pytest.raises(
        ValueError,
        match=r"fit: accuracy='auto' cannot tell .* "
        r"pass accuracy='logit' .* or accuracy='probability'",
    ):
        fit(model, binary_cross_entropy_with_logits, X, y, epochs=1, optimizer=SGD(model, lr=0.1))
    assert [p.data for p in model.parameters()] == before


def test_auto_reads_plus_minus_one_labels_by_the_sign_for_any_callable() -> None:
    X, y = make_moons(30, seed=1, labels="pm1")
    model = MLP(2, [4, 1], seed=1)
    scores = [model(x).data for x in X]
    history = fit(lambda x: model(x), hinge_loss, X, y, epochs=1, optimizer=SGD(model, lr=0.01))
    assert history.accuracy[0] == sum((s > 0) == (t == 1) for s, t in zip(scores, y)) / len(y)


def test_an_explicit_threshold_and_none() -> None:
    X, y = make_moons(40, seed=2, labels="01")
    model = MLP(2, [4, 1], output_activation="sigmoid", seed=2)
    probabilities = [model(x).data for x in X]
    history = fit(model, mse_loss, X, y, epochs=1, optimizer=SGD(model, lr=0.01), accuracy=0.9)
    assert history.accuracy[0] == sum((p > 0.9) == (t == 1) for p, t in zip(probabilities, y)) / len(y)
    no_accuracy = fit(model, mse_loss, X, y, epochs=1, optimizer=SGD(model, lr=0.01), accuracy=None)
    assert no_accuracy.accuracy == [] and len(no_accuracy.loss) == 1


def test_multi_output_models_use_the_argmax_class() -> None:
    X, y = make_blobs(60, centers=[(-3.0, 0.0), (3.0, 0.0), (0.0, 4.0)], spread=0.5, seed=0)
    model = MLP(2, [8, 3], seed=0)
    history = fit(model, softmax_cross_entropy, X, y, epochs=30, optimizer=Adam(model, lr=0.05))
    assert history.accuracy[-1] >= 0.95
    explicit = MLP(2, [8, 3], seed=0)
    again = fit(explicit, softmax_cross_entropy, X, y, epochs=30, optimizer=Adam(explicit, lr=0.05), accuracy="argmax")
    assert again.accuracy == history.accuracy


def test_argmax_on_a_single_output_and_a_threshold_on_several_are_value_errors() -> None:
    X, y = make_blobs(10, centers=[(-3.0, 0.0), (3.0, 0.0)], seed=0)
    single, wide = MLP(2, [3, 1], seed=0), MLP(2, [3, 2], seed=0)
    with pytest.raises(ValueError, match=r"fit: accuracy='argmax' needs a model with several"):
        fit(single, mse_loss, X, y, epochs=1, optimizer=SGD(single, lr=0.1), accuracy="argmax")
    with pytest.raises(ValueError, match=r"fit: accuracy='logit' thresholds one output, but .* 2"):
        fit(wide, softmax_cross_entropy, X, y, epochs=1, optimizer=SGD(wide, lr=0.1), accuracy="logit")


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


def test_an_overflowing_loss_stops_with_an_error_naming_the_epoch() -> None:
    calls = []

    def loss_fn(predictions: list[Value], targets: list[float]) -> Value:
        calls.append(1)
        loss = mse_loss(predictions, targets)
        return (loss + 1.0) * 1e308 * 10.0 if len(calls) == 3 else loss

    model = MLP(1, [1], seed=0)
    diverged = r"fit: training diverged at epoch 3 of 10 .*overflows"
    with pytest.raises(DivergenceError, match=diverged) as caught:
        fit(model, loss_fn, [[1.0]], [1.0], epochs=10, optimizer=SGD(model, lr=0.1))
    assert caught.value.epoch == 3 and len(caught.value.history) == 2


# ---------------------------------------------------------------- bad input


def small_setup() -> tuple[MLP, list[list[float]], list[int]]:
    X, y = make_moons(10, seed=0, labels="pm1")
    return MLP(2, [3, 1], seed=0), [list(x) for x in X], y


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda X, y: ([], []), r"fit: X must contain at least one example, got an empty list"),
        (lambda X, y: (X, y[:-1]), r"fit: X and y must have the same length, got 10 and 9"),
        (
            lambda X, y: ([*X[:3], [1.0, 2.0, 3.0], *X[4:]], y),
            r"fit: X\[3\] must have 2 inputs \(the model's nin\), got 3",
        ),
    ],
)
def test_bad_data_is_a_value_error_naming_the_argument(change, message: str) -> None:  # type: ignore[no-untyped-def]
    model, X, y = small_setup()
    X, y = change(X, y)
    with pytest.raises(ValueError, match=message):
        fit(model, hinge_loss, X, y, epochs=1, optimizer=SGD(model, lr=0.1))


@pytest.mark.parametrize(
    ("X", "y", "message"),
    [
        (5, [1], r"fit: X must be a sequence \(a list or an array\), got int: 5"),
        ([[1.0, 2.0]], "a", r"fit: y must be a sequence \(a list or an array\), got str: 'a'"),
    ],
)
def test_data_that_is_not_a_sequence_is_a_type_error(X: object, y: object, message: str) -> None:
    model = MLP(2, [1], seed=0)
    with pytest.raises(TypeError, match=message):
        fit(model, mse_loss, X, y, epochs=1, optimizer=SGD(model, lr=0.1))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("loss_fn", "to_labels", "message"),
    [
        (
            binary_cross_entropy_with_logits,
            lambda t: t,
            r"binary_cross_entropy_with_logits: targets\[\d\] must be in \[0, 1\]",
        ),
        (hinge_loss, lambda t: max(t, 0), r"hinge_loss: targets\[\d\] must be -1 or 1"),
    ],
    ids=["pm1-for-bce", "01-for-hinge"],
)
def test_labels_the_loss_refuses_are_its_own_error_from_the_first_step(
    loss_fn: LossFn, to_labels: Callable[[int], int], message: str
) -> None:
    model, X, y = small_setup()
    with pytest.raises(ValueError, match=message):
        fit(model, loss_fn, X, [to_labels(t) for t in y], epochs=3, optimizer=SGD(model, lr=0.1), accuracy="logit")


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"epochs": 0}, r"fit: epochs must be an int >= 1, got 0"),
        ({"epochs": 2.5}, r"fit: epochs must be an int >= 1, got 2.5"),
        ({"batch_size": 0}, r"fit: batch_size must be None \(the whole data set\) or an int >= 1, got 0"),
        ({"l2": -1e-4}, r"fit: l2 must be a number >= 0, got -0.0001"),
        (
            {"accuracy": "sign"},
            r"fit: accuracy must be one of 'auto', 'logit', 'score', "
            r"'probability', 'argmax', a threshold number or None, got 'sign'",
        ),
        ({"accuracy": math.nan}, r"fit: accuracy must not be NaN"),
        ({"accuracy": math.inf}, r"fit: accuracy must be finite, got inf"),
    ],
)
def test_bad_settings_are_value_errors_naming_the_argument(kwargs: dict[str, Any], message: str) -> None:
    model, X, y = small_setup()
    arguments = {"epochs": 1, **kwargs}
    with pytest.raises(ValueError, match=message):
        fit(model, hinge_loss, X, y, optimizer=SGD(model, lr=0.1), **arguments)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"accuracy": True}, r"fit: accuracy must be one of .* got bool: True"),
        ({"accuracy": [0.5]}, r"fit: accuracy must be one of .* got list: \[0.5\]"),
        ({"progress": "yes"}, r"fit: progress must be True, False or a stream, got str"),
    ],
)
def test_settings_of_the_wrong_type_are_type_errors_naming_the_argument(kwargs: dict[str, Any], message: str) -> None:
    model, X, y = small_setup()
    with pytest.raises(TypeError, match=message):
        fit(model, hinge_loss, X, y, epochs=1, optimizer=SGD(model, lr=0.1), **kwargs)


def test_a_loss_function_that_returns_a_list_is_a_type_error() -> None:
    model, X, y = small_setup()
    message = r"train_step: loss_fn must return one Value \(a mean over the batch\), got list"
    with pytest.raises(TypeError, match=message):
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


@pytest.mark.parametrize(
    ("accuracy", "y", "message"),
    [
        (0.5, [0.3 * k for k in range(10)], r"fit: accuracy=0.5 needs labels 0/1 or -1/1, got y\[1\] = 0.3"),
        ("logit", [0, 1, -1] * 3 + [1], r"fit: accuracy='logit' needs labels 0/1 or -1/1, got 0, 1 and -1 mixed"),
        ("argmax", [0, 1, 2, -1] * 2 + [0, 1], r"fit: accuracy='argmax' needs int labels >= 0, got y\[3\] = -1"),
    ],
)
def test_a_rule_refuses_labels_it_cannot_score(accuracy: str | float, y: list[float], message: str) -> None:
    X = [[0.1 * k] for k in range(10)]
    model = MLP(1, [1], seed=0)
    with pytest.raises(ValueError, match=message):
        fit(model, mse_loss, X, y, epochs=1, optimizer=SGD(model, lr=0.1), accuracy=accuracy)


def test_targets_all_one_are_read_as_probability_labels_for_a_sigmoid_output() -> None:
    X = [[0.5], [1.0], [1.5]]
    model = MLP(1, [1], output_activation="sigmoid", seed=0)
    model.layers[0].neurons[0].w[0].data = -3.0  # p < 0.5 everywhere: every prediction wrong
    history = fit(model, binary_cross_entropy, X, [1, 1, 1], epochs=1, optimizer=SGD(model, lr=0.01))
    assert history.accuracy == [0.0]


# ---------------------------------------------------------------- train_step


def test_train_step_returns_the_loss_and_outputs_before_the_step_and_takes_one_sgd_step() -> None:
    X, y = make_moons(12, seed=4, labels="pm1")
    model, twin = MLP(2, [4, 1], seed=4), MLP(2, [4, 1], seed=4)
    scores = [twin(x) for x in X]
    expected = hinge_loss(scores, y) + 1e-3 * sum(p * p for p in twin.parameters())
    expected.backward()
    loss, outputs = train_step(model, hinge_loss, X, y, SGD(model, lr=0.5), l2=1e-3)
    assert loss == pytest.approx(expected.data, rel=1e-12)
    assert outputs == [s.data for s in scores]
    for p, q in zip(model.parameters(), twin.parameters()):
        assert p.data == pytest.approx(q.data - 0.5 * q.grad, rel=1e-12, abs=1e-15)


def test_train_step_takes_any_callable_and_gives_lists_for_several_outputs() -> None:
    X, y = make_blobs(9, centers=[(-2.0, 0.0), (2.0, 0.0), (0.0, 3.0)], seed=1)
    model = MLP(2, [4, 3], seed=1)
    optimizer = Adam(model, lr=0.01)
    loss, outputs = train_step(lambda x: model(x), softmax_cross_entropy, X, y, optimizer)
    assert isinstance(loss, float) and len(outputs) == 9
    assert all(isinstance(out, list) and len(out) == 3 for out in outputs)


def test_fit_is_a_loop_of_train_steps() -> None:
    X, y = make_moons(40, noise=0.2, seed=6, labels="pm1")
    looped, fitted = MLP(2, [5, 1], seed=6), MLP(2, [5, 1], seed=6)
    optimizer = SGD(looped, lr=0.3)
    losses = [train_step(looped, hinge_loss, X, y, optimizer, l2=1e-4)[0] for _ in range(4)]
    history = fit(fitted, hinge_loss, X, y, epochs=4, optimizer=SGD(fitted, lr=0.3), l2=1e-4)
    assert history.loss == pytest.approx(losses, rel=1e-15)
    assert [p.data for p in fitted.parameters()] == [p.data for p in looped.parameters()]
