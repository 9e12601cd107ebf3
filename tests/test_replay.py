"""Snapshots read each example's push off the graph, in bounded memory; the page's data is them.

The pages' runs are trained by ``fit(record_every=...)``; a plain loop of engine, losses and nn
(`train`), recording a Snapshot after each step's backward pass, checks what fit records. The
K-class page's runs are ``lossgrad stall --classes``'s, whose loop records a K-tuple per example.
"""

from __future__ import annotations

import base64
import dataclasses
import json
import math
import re
import statistics
import struct
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pytest

import demos.stall
from demos.cli import main
from demos.moons import train_moons
from demos.registry import BINARY_LOSSES
from demos.stall import StallConfig, StallResult, run_stall, stall_page
from engine import Value, no_grad
from losses import binary_cross_entropy, hinge_loss, mse_loss
from nn import MLP, SGD, Module, Neuron, fit, make_blobs, make_moons
from nn.replay import CONFIDENTLY_WRONG, DIGITS, LOG_FLOOR, ReplayRun, replay_page
from nn.snapshots import Snapshots, output_is_activated
from nn.train import History

# Blobs of class 0 around (-1, -1) and class 1 around (1, 1); the start points the neuron the
# wrong way, so the positives start near p = 0.01 and the negatives near p = 0.99.
WRONG_START = (-2.3, -2.3, 0.0)


def train(
    model: Module,
    loss_fn: Callable[..., Value],
    X: Sequence[tuple[float, float]],
    y: Sequence[int],
    epochs: int,
    lr: float,
    snapshots: Snapshots | None = None,
) -> History:
    """Return the History of full-batch gradient descent, with a snapshot at each due epoch."""
    optimizer = SGD(model.parameters(), lr=lr)
    snapshots = snapshots if snapshots is not None else Snapshots(every=1)
    threshold = 0.5 if output_is_activated(model) else 0.0
    history = History()
    for epoch in range(epochs):
        outputs = model.batch(X)
        loss = loss_fn(outputs, y)
        optimizer.zero_grad()
        loss.backward()
        history.loss.append(loss.data)
        history.accuracy.append(sum((out.data > threshold) == (t == 1) for out, t in zip(outputs, y)) / len(y))
        if snapshots.due(epoch):
            snapshots.record(epoch, model.parameters(), outputs, activated=output_is_activated(model))
        optimizer.step()
    history.snapshots = snapshots
    return history


def wrong_neuron() -> Neuron:
    """Return a sigmoid neuron at the confidently wrong start."""
    neuron = Neuron(2, activation="sigmoid", seed=0, name="neuron")
    for parameter, value in zip(neuron.parameters(), WRONG_START):
        parameter.data = value
    return neuron


def blobs(n: int = 12) -> tuple[list[tuple[float, float]], list[int]]:
    return make_blobs(n, centers=[(-1.0, -1.0), (1.0, 1.0)], spread=0.5, seed=0)


def stall_runs(n: int = 12, epochs: int = 30) -> tuple[list[ReplayRun], list[tuple[float, float]], list[int]]:
    """Return the MSE and BCE runs of a sigmoid neuron from the same confidently wrong start."""
    X, y = blobs(n)
    runs = []
    for title, colour, loss_fn in (
        ("MSE", "#1f6feb", mse_loss),
        ("BCE", "#d1242f", binary_cross_entropy),
    ):
        neuron = wrong_neuron()
        optimizer = SGD(neuron.parameters(), lr=0.5)
        history = fit(neuron, loss_fn, X, y, epochs=epochs, optimizer=optimizer, record_every=1)
        runs.append(ReplayRun(title, colour, history, neuron))
    return runs, X, y


def moons_run(epochs: int = 12) -> tuple[ReplayRun, list[tuple[float, float]], list[int]]:
    """Return a small MLP's hinge-loss run on moons."""
    X, y = make_moons(16, noise=0.1, seed=0, labels="pm1")
    model = MLP(2, [4, 3, 1], seed=0)
    optimizer = SGD(model.parameters(), lr=0.3)
    history = fit(model, hinge_loss, X, y, epochs=epochs, optimizer=optimizer, record_every=1)
    return ReplayRun("hinge", "#8250df", history, model), X, y


def classes_runs(
    epochs: int = 12,
) -> tuple[list[ReplayRun], list[tuple[float, float]], list[int], StallResult]:
    """Return the K = 3 runs of lossgrad stall (squared error and cross-entropy on a softmax)."""
    result = run_stall(StallConfig(classes=3, epochs=epochs), record=True)
    runs = [ReplayRun(r.title, r.colour.hex, r, r.model) for r in result.runs.values()]
    return runs, result.X, result.y, result


def levels(boundary: str) -> list[int]:
    """Return the 16-bit numbers of a page's boundary image."""
    raw = base64.b64decode(boundary)
    return list(struct.unpack(f">{len(raw) // 2}H", raw))


def rounded(values: Sequence[float]) -> list[float]:
    return [float(f"{v:.{DIGITS}g}") for v in values]


# ---------------------------------------------------------------------------- snapshots


def test_a_snapshot_holds_the_graphs_numbers_for_each_example() -> None:
    X, y = blobs()
    for loss_fn, dL_dp in (
        (mse_loss, lambda p, t: 2 * (p - t)),
        (binary_cross_entropy, lambda p, t: -t / p + (1 - t) / (1 - p)),
    ):
        neuron = wrong_neuron()
        history = train(neuron, loss_fn, X, y, epochs=3, lr=0.5)
        snapshot = history.snapshots[0]
        assert snapshot.epoch == 0 and snapshot.parameters == WRONG_START
        assert snapshot.p is not None and snapshot.dL_dp is not None and snapshot.dp_dz is not None
        for i, ((x0, x1), t) in enumerate(zip(X, y)):
            z = WRONG_START[0] * x0 + WRONG_START[1] * x1 + WRONG_START[2]
            p = 1 / (1 + math.exp(-z))
            assert snapshot.z[i] == pytest.approx(z, rel=1e-12)
            assert snapshot.p[i] == pytest.approx(p, rel=1e-12)
            assert snapshot.dp_dz[i] == pytest.approx(p * (1 - p), rel=1e-9)
            assert snapshot.dL_dp[i] == pytest.approx(dL_dp(p, t), rel=1e-9)
            assert snapshot.dL_dz[i] == pytest.approx(snapshot.dL_dp[i] * snapshot.dp_dz[i], rel=1e-12)
        if loss_fn is binary_cross_entropy:  # the post's cancellation: dL/dz = p - y
            assert snapshot.dL_dz == pytest.approx([p - t for p, t in zip(snapshot.p, y)], rel=1e-9)
        assert snapshot.mean_abs_dL_dz == pytest.approx(math.fsum(map(abs, snapshot.dL_dz)) / len(X))
        # Each step's snapshot has the parameters it read: the start, then one SGD step later.
        assert history.snapshots[1].parameters != snapshot.parameters


def test_a_linear_output_records_its_score_as_z() -> None:
    run, X, y = moons_run(epochs=2)
    snapshot = run.history.snapshots[0]
    assert snapshot.p is None and snapshot.dL_dp is None and snapshot.dp_dz is None
    assert len(snapshot.z) == len(X) and len(snapshot.parameters) == run.model.num_parameters()
    # hinge: dℓ/ds is -y where the margin y·s < 1, else 0
    assert snapshot.dL_dz == pytest.approx([-t if t * s < 1 else 0.0 for s, t in zip(snapshot.z, y)])


def test_snapshots_stay_within_their_limit_and_cover_the_whole_run() -> None:
    X, y = blobs(8)
    snapshots = Snapshots(every=1, limit=10, max_examples=3)
    train(wrong_neuron(), binary_cross_entropy, X, y, epochs=100, lr=0.5, snapshots=snapshots)
    epochs = [s.epoch for s in snapshots]
    assert len(snapshots) <= 10 and snapshots.every == 16
    assert epochs == list(range(0, 100, 16))  # the start, then evenly to the end
    assert all(len(s.z) == len(s.dL_dz) == len(s.p or ()) == 3 for s in snapshots)
    # The mean push is over every example, not only the kept ones.
    full = Snapshots(every=16)
    train(wrong_neuron(), binary_cross_entropy, X, y, epochs=100, lr=0.5, snapshots=full)
    assert [s.mean_abs_dL_dz for s in snapshots] == [s.mean_abs_dL_dz for s in full]
    assert [s.z[:3] for s in full] == [s.z for s in snapshots]
    assert repr(snapshots) == "Snapshots(7 kept, every 16, epochs 0..96)"


def test_fit_records_what_the_graph_holds() -> None:
    X, y = blobs()
    by_hand = train(wrong_neuron(), binary_cross_entropy, X, y, epochs=10, lr=0.5)
    neuron = wrong_neuron()
    history = fit(
        neuron,
        binary_cross_entropy,
        X,
        y,
        epochs=10,
        optimizer=SGD(neuron.parameters(), lr=0.5),
        record_every=1,
    )
    assert history.snapshots is not None and list(history.snapshots) == list(by_hand.snapshots)
    assert history.snapshots.labels == ("neuron.w0", "neuron.w1", "neuron.b")
    assert history.accuracy == by_hand.accuracy and history.loss == pytest.approx(by_hand.loss, rel=1e-15)
    assert fit(neuron, mse_loss, X, y, epochs=2, optimizer=SGD(neuron.parameters(), lr=0.5)).snapshots is None


def test_fit_records_every_k_epochs_and_the_last_within_a_limit() -> None:
    X, y = blobs(8)

    def epochs_recorded(epochs: int, record_every: int | Snapshots) -> list[int]:
        neuron = wrong_neuron()
        history = fit(
            neuron,
            binary_cross_entropy,
            X,
            y,
            epochs=epochs,
            optimizer=SGD(neuron.parameters(), lr=0.5),
            record_every=record_every,
        )
        assert history.snapshots is not None
        return [s.epoch for s in history.snapshots]

    assert epochs_recorded(11, 3) == [0, 3, 6, 9, 10]
    assert epochs_recorded(25, Snapshots(every=1, limit=4)) == [0, 8, 16, 24]


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"record_every": 0}, r"fit: record_every must be an int >= 1, a Snapshots or None, got 0"),
        (
            {"record_every": "1"},
            r"fit: record_every must be an int >= 1, a Snapshots or None, got '1'",
        ),
        (
            {"record_every": 1, "batch_size": 4},
            r"fit: record_every needs full-batch training \(batch_size=None\)",
        ),
    ],
)
def test_fit_names_a_bad_record_every(arguments: dict[str, Any], message: str) -> None:
    X, y = blobs(8)
    neuron = wrong_neuron()
    with pytest.raises(ValueError, match=message):
        fit(
            neuron,
            mse_loss,
            X,
            y,
            epochs=2,
            optimizer=SGD(neuron.parameters(), lr=0.5),
            **arguments,
        )


def test_restore_puts_a_snapshots_parameters_back() -> None:
    X, y = blobs()
    neuron = wrong_neuron()
    history = train(neuron, binary_cross_entropy, X, y, epochs=5, lr=0.5)
    history.snapshots[0].restore(neuron.parameters())
    assert tuple(p.data for p in neuron.parameters()) == WRONG_START
    with pytest.raises(ValueError, match=r"Snapshot.restore: the snapshot holds 3 parameters, got 2"):
        history.snapshots[0].restore(neuron.w)


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: Snapshots(every=0), r"Snapshots: every must be >= 1, got 0"),
        (lambda: Snapshots(limit=1), r"Snapshots: limit must be >= 2, got 1"),
        (
            lambda: Snapshots(max_examples=1.5),
            r"Snapshots: max_examples must be an int, got float: 1.5",
        ),
    ],
)
def test_bad_snapshot_settings_are_named(make: Callable[[], Any], message: str) -> None:
    with pytest.raises((ValueError, TypeError), match=message):
        make()


def test_recording_refuses_what_it_cannot_read() -> None:
    neuron = wrong_neuron()
    snapshots = Snapshots()
    outputs = neuron.batch([(1.0, 0.5)])
    outputs[0].backward()
    snapshots.record(3, neuron.parameters(), outputs, activated=True)
    with pytest.raises(ValueError, match=r"Snapshots.record: epoch must be after the last snapshot's \(3\), got 3"):
        snapshots.record(3, neuron.parameters(), outputs, activated=True)
    with pytest.raises(ValueError, match=r"Snapshots.record: the parameters differ"):
        snapshots.record(4, Neuron(2, name="other").parameters(), outputs, activated=True)
    with no_grad():
        untracked = neuron.batch([(1.0, 0.5)])
    with pytest.raises(ValueError, match=r"Snapshots.record: activated=True needs .* no_grad"):
        snapshots.record(5, neuron.parameters(), untracked, activated=True)


# ---------------------------------------------------------------------------- the page's data


def test_the_pages_numbers_are_the_historys() -> None:
    runs, X, y = stall_runs()
    page = replay_page(runs, X, y, title="stall", target=0.9)
    data = page.data()
    assert data["epochs"] == [s.epoch for s in runs[0].history.snapshots]
    assert data["classes"] == y and data["story"] is True
    for run, shown in zip(runs, data["runs"]):
        history, snapshots = run.history, run.history.snapshots
        assert shown["title"] == run.title and shown["colour"] == run.colour
        assert shown["loss"] == rounded(history.loss) and shown["accuracy"] == rounded(history.accuracy)
        assert shown["labels"] == ["neuron.w0", "neuron.w1", "neuron.b"]
        for name in ("parameters", "gradients", "z", "p", "dL_dp", "dp_dz", "dL_dz"):
            assert shown[name] == [rounded(getattr(s, name)) for s in snapshots], name
        assert shown["mean_abs_dL_dz"] == rounded([s.mean_abs_dL_dz for s in snapshots])
        assert shown["wrong"] == [
            [i for i, (p, t) in enumerate(zip(s.p, y)) if abs(p - t) > CONFIDENTLY_WRONG] for s in snapshots
        ]
        assert shown["reached"] == next((k for k, a in enumerate(history.accuracy) if a >= 0.9), None)
    # Both runs start confidently wrong on every point; cross-entropy's push is the stronger.
    mse, bce = data["runs"]
    assert len(mse["wrong"][0]) == len(bce["wrong"][0]) == len(X)
    assert bce["mean_abs_dL_dz"][0] > 10 * mse["mean_abs_dL_dz"][0]
    assert data["push_scale"] == max(abs(v) for run in runs for s in run.history.snapshots for v in s.dL_dz)


def test_the_boundary_is_the_models_output_at_each_snapshot() -> None:
    runs, X, y = stall_runs()
    neuron = runs[1].model
    assert neuron is not None
    final = [p.data for p in neuron.parameters()]
    data = replay_page(runs, X, y, resolution=9).data()
    assert [p.data for p in neuron.parameters()] == final  # the model's own parameters are back
    columns, rows = data["grid"]["columns"], data["grid"]["rows"]
    x0_lo, x0_hi, x1_lo, x1_hi = data["box"]
    assert max(columns, rows) == 9
    assert all(x0_lo < a < x0_hi and x1_lo < b < x1_hi for a, b in X)
    grid = [
        (x0_lo + (x0_hi - x0_lo) * i / (columns - 1), x1_hi - (x1_hi - x1_lo) * j / (rows - 1))
        for j in range(rows)
        for i in range(columns)
    ]
    for k in (0, len(data["epochs"]) - 1):
        runs[1].history.snapshots[k].restore(neuron.parameters())
        with no_grad():
            expected = [min(65535, int(65536 * p.data)) for p in neuron.batch(grid)]
        assert levels(data["runs"][1]["boundary"][k]) == expected
    # At the start it says class 0 (below 32768) where the positives are; at the end, class 1.
    top_right = columns - 1
    assert levels(data["runs"][1]["boundary"][0])[top_right] < 32768
    assert levels(data["runs"][1]["boundary"][-1])[top_right] >= 32768


def test_an_mlps_network_names_each_edges_parameter() -> None:
    run, X, y = moons_run()
    data = replay_page([run], X, y).data()
    (shown,) = data["runs"]
    network = shown["network"]
    assert network["sizes"] == [2, 4, 3, 1]
    assert len(network["edges"]) == 2 * 4 + 4 * 3 + 3 * 1 and len(network["biases"]) == 4 + 3 + 1
    for layer, source, neuron, index in network["edges"]:
        assert shown["labels"][index] == f"L{layer}.N{neuron}.w{source}"
    for layer, neuron, index in network["biases"]:
        assert shown["labels"][index] == f"L{layer}.N{neuron}.b"
    assert data["story"] is False and "p" not in shown and shown["parameter_table"] is False
    assert shown["gradients"] == [rounded(s.gradients) for s in run.history.snapshots]


def test_the_page_is_self_contained() -> None:
    runs, X, y = stall_runs(epochs=3)
    page = replay_page(runs, X, y, title="Squared error <stalls>")
    document = page.html()
    assert re.search(r"https?:", document) is None  # no URL at all, not even a namespace's
    assert "<title>Squared error &lt;stalls&gt;</title>" in document
    assert page._repr_html_().startswith("<iframe srcdoc=")


def test_two_runs_recorded_alike_are_required() -> None:
    X, y = blobs()
    every_epoch = train(wrong_neuron(), mse_loss, X, y, epochs=6, lr=0.5)
    every_other = train(wrong_neuron(), mse_loss, X, y, epochs=6, lr=0.5, snapshots=Snapshots(every=2))
    with pytest.raises(
        ValueError,
        match=r"replay_page: run 'B' has snapshots at epochs 0, 2, 4, "
        r"run 'A' at 0, 1, 2, 3, \.\.\. \(6\)",
    ):
        replay_page([("A", "#1f6feb", every_epoch), ("B", "#d1242f", every_other)], X, y)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda r, X, y: ([], X, y), r"replay_page: runs must be a non-empty list"),
        (lambda r, X, y: ([("MSE",)], X, y), r"replay_page: runs\[0\] must be a ReplayRun"),
        (
            lambda r, X, y: ([r[0]._replace(colour="blue")], X, y),
            r"run 'MSE': colour must be '#rrggbb', got 'blue'",
        ),
        (lambda r, X, y: ([r[0]._replace(history=History())], X, y), r"run 'MSE' has no snapshots"),
        (lambda r, X, y: (r, X[:-1], y[:-1]), r"numbers for 12 examples, X has 11 points"),
        (
            lambda r, X, y: (r, [(*x, 0.0) for x in X], y),
            r"replay_page: X\[0\] must be a point \(x0, x1\)",
        ),
        (
            lambda r, X, y: (r, X, [2] * len(y)),
            r"replay_page: y must be labels 0/1 or -1/1, got \[2\]",
        ),
        (
            lambda r, X, y: ([r[0]._replace(model=MLP(2, [1]))], X, y),
            r"run 'MSE': the model's parameters",
        ),
    ],
)
def test_what_the_page_cannot_show_is_named(change: Callable[..., Any], message: str) -> None:
    runs, X, y = stall_runs(epochs=2)
    runs, X, y = change(runs, X, y)
    with pytest.raises((ValueError, TypeError), match=message):
        replay_page(runs, X, y)


# ---------------------------------------------------------------------------- K classes


def test_a_k_class_pages_numbers_are_the_snapshots() -> None:
    runs, X, y, _ = classes_runs()
    data = replay_page(runs, X, y, target=0.95).data()
    assert data["outputs"] == 3 and data["classes"] == y and data["story"] is False
    assert data["epochs"] == [s.epoch for s in runs[0].history.snapshots] == list(range(13))
    for run, shown in zip(runs, data["runs"]):
        snapshots = run.history.snapshots
        assert shown["loss"] == rounded(run.history.loss)
        for name in ("parameters", "gradients"):
            assert shown[name] == [rounded(getattr(s, name)) for s in snapshots], name
        for name in ("p", "dL_dz"):  # one list of K numbers per point
            assert shown[name] == [[rounded(row) for row in getattr(s, name)] for s in snapshots]
        assert "z" not in shown and "dL_dp" not in shown  # recorded, but not shown
        assert shown["mean_abs_dL_dz"] == rounded([s.mean_abs_dL_dz for s in snapshots])
        assert shown["wrong"] == [
            [i for i, (row, t) in enumerate(zip(s.p, y)) if row[t] < 1 - CONFIDENTLY_WRONG] for s in snapshots
        ]
        # A layer's parameters as a table: a row per class's neuron, its w0, w1 and b.
        assert shown["parameter_grid"] == {
            "columns": ["w0", "w1", "b"],
            "rows": [[0, 1, 2], [3, 4, 5], [6, 7, 8]],
        }
        assert [shown["labels"][i] for i in shown["parameter_grid"]["rows"][2]] == [
            "layer.N2.w0",
            "layer.N2.w1",
            "layer.N2.b",
        ]
        assert shown["parameter_table"] is False and shown["boundary"] is None
    # Every point starts confidently wrong; cross-entropy's push is ŷ_k - y_k, class by class.
    mse, cce = data["runs"]
    assert mse["wrong"][0] == cce["wrong"][0] == list(range(len(X)))
    for p, push, t in zip(cce["p"][0], cce["dL_dz"][0], y):
        assert push == pytest.approx([q - (k == t) for k, q in enumerate(p)], abs=2e-6)
    assert data["push_scale"] == max(
        abs(v) for run in runs for s in run.history.snapshots for row in s.dL_dz for v in row
    )


def test_each_classs_typical_point_is_its_point_nearest_its_medians() -> None:
    runs, X, y, _ = classes_runs(epochs=1)
    data = replay_page(runs, X, y).data()
    typical = data["typical"]
    for k, index in enumerate(typical):
        members = [i for i, t in enumerate(y) if t == k]
        middle = [statistics.median(X[i][axis] for i in members) for axis in (0, 1)]
        assert y[index] == k
        assert all(math.dist(X[index], middle) <= math.dist(X[i], middle) for i in members)
    assert data["selected"] == typical[0]  # the page opens on class 0's typical point


def test_the_regions_are_the_models_log_softmax_on_the_grid() -> None:
    runs, X, y, _ = classes_runs()
    layer = runs[1].model
    assert layer is not None
    final = [p.data for p in layer.parameters()]
    data = replay_page(runs, X, y, resolution=7).data()
    assert [p.data for p in layer.parameters()] == final  # the model's own parameters are back
    columns, rows = data["grid"]["columns"], data["grid"]["rows"]
    x0_lo, x0_hi, x1_lo, x1_hi = data["box"]
    grid = [
        (x0_lo + (x0_hi - x0_lo) * i / (columns - 1), x1_hi - (x1_hi - x1_lo) * j / (rows - 1))
        for j in range(rows)
        for i in range(columns)
    ]
    assert data["log_floor"] == LOG_FLOOR
    for k in (0, len(data["epochs"]) - 1):
        snapshot = runs[1].history.snapshots[k]
        expected = []
        for point in grid:
            scores = [
                snapshot.parameters[3 * j] * point[0]
                + snapshot.parameters[3 * j + 1] * point[1]
                + snapshot.parameters[3 * j + 2]
                for j in range(3)
            ]
            total = math.log(sum(math.exp(s) for s in scores))
            expected += [max(-LOG_FLOOR, s - total) for s in scores]
        shown = [(level / 65535 - 1) * LOG_FLOOR for level in levels(data["runs"][1]["regions"][k])]
        assert shown == pytest.approx(expected, abs=LOG_FLOOR / 65535)
    # At the start each class's typical point lies in the next class's region; after training
    # (cross-entropy's 12 epochs), in its own.
    for k, index in enumerate(data["typical"]):
        for snapshot, owner in (
            (runs[1].history.snapshots[0], (k + 1) % 3),
            (runs[1].history.snapshots[-1], k),
        ):
            assert max(range(3), key=lambda j: snapshot.p[index][j]) == owner


def test_what_a_k_class_page_cannot_show_is_named() -> None:
    runs, X, y, _ = classes_runs(epochs=2)
    with pytest.raises(ValueError, match=r"replay_page: y must be classes 0 to 2 \(the runs have 3 outputs"):
        replay_page(runs, X, [3] * len(y))
    binary, *_ = stall_runs(n=len(X), epochs=3)  # snapshots at epochs 0, 1, 2, as the runs
    with pytest.raises(ValueError, match=r"replay_page: run 'MSE' has 1 outputs per example, run 'MSE on the"):
        replay_page([runs[0], binary[0]], X, y)
    snapshots = runs[0].history.snapshots
    without_p = [dataclasses.replace(s, p=None) for s in snapshots]
    history = dataclasses.replace(runs[0].history, snapshots=without_p)
    with pytest.raises(ValueError, match=r"has no p; K outputs per example need z, dL_dz and p"):
        replay_page([runs[0]._replace(history=history)], X, y)
    short = [dataclasses.replace(s, dL_dz=(s.dL_dz[0][:2], *s.dL_dz[1:])) for s in snapshots]
    history = dataclasses.replace(runs[0].history, snapshots=short)
    with pytest.raises(ValueError, match=r"has dL_dz\[0\] = .*, not 3 numbers"):
        replay_page([runs[0]._replace(history=history)], X, y)
    one_output = MLP(2, [2, 1], seed=0)  # nine parameters, as the layer has, but one output
    with pytest.raises(ValueError, match=r"the model has 1 outputs, its snapshots 3 per example"):
        replay_page([runs[0]._replace(model=one_output)], X, y)


# ---------------------------------------------------------------------------- the command line


def page_data(path: Path) -> Any:
    """Return the data embedded in a saved page."""
    found = re.search(r'id="page-data">(.*?)</script>', path.read_text(encoding="utf-8"), re.S)
    assert found is not None
    return json.loads(found.group(1))


def test_lossgrad_stall_html_replays_the_runs_it_reports(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "stall.html"
    assert main(["stall", "--html", str(path)]) == 0
    out = capsys.readouterr().out
    assert "MSE took 197" in out and "9.8x" in out and f"page written to {path}" in out
    data = page_data(path)
    result = run_stall(StallConfig(), record=True)
    assert [run["title"] for run in data["runs"]] == [BINARY_LOSSES[k].title for k in ("mse", "bce")]
    assert [run["reached"] for run in data["runs"]] == [197, 20]  # the epochs the report prints
    assert "MSE reached 95% accuracy at epoch 197; BCE reached 95% accuracy at epoch 20" in (data["description"])
    for run, shown in zip(result.runs.values(), data["runs"]):
        assert shown["loss"] == rounded(run.loss) and len(shown["epochs"]) == 251
        assert shown["dL_dz"] == [rounded(s.dL_dz) for s in run.snapshots]
        assert shown["mean_abs_dL_dz"] == rounded(run.mean_abs_grad)  # the report's column
        assert shown["labels"] == [p.label for p in run.model.parameters()]


def test_lossgrad_stall_classes_html_replays_the_k_class_runs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "classes.html"
    assert main(["stall", "--classes", "3", "--epochs", "30", "--html", str(path)]) == 0
    out = capsys.readouterr().out
    assert "3 classes through a softmax" in out and f"page written to {path}" in out
    data = page_data(path)
    result = run_stall(StallConfig(classes=3, epochs=30), record=True)
    assert data["outputs"] == 3 and data["epochs"] == list(range(31))
    assert [run["title"] for run in data["runs"]] == ["MSE on the softmax", "CCE (cross-entropy)"]
    assert "CCE reached 95% accuracy at epoch 14" in data["description"]
    for run, shown in zip(result.runs.values(), data["runs"]):
        assert shown["loss"] == rounded(run.loss) and shown["accuracy"] == rounded(run.accuracy)
        assert shown["p"] == [[rounded(row) for row in s.p] for s in run.snapshots]
        assert shown["dL_dz"] == [[rounded(row) for row in s.dL_dz] for s in run.snapshots]
        assert shown["mean_abs_dL_dz"] == rounded(run.mean_abs_grad)  # the report's column


def test_a_long_k_class_run_shows_every_mth_snapshot_and_the_last(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    result = run_stall(StallConfig(classes=3, epochs=10), record=True)
    per_snapshot = 2 * len(result.X) * 3 * 2  # two runs, ŷ and dL/dz of each point and class
    monkeypatch.setattr(demos.stall, "PAGE_NUMBERS", 11 * per_snapshot // 3)  # 3.7 snapshots
    data = stall_page(result).data()
    assert data["epochs"] == [0, 3, 6, 9, 10]
    assert "one snapshot in 3 and the last" in data["description"]
    for run, shown in zip(result.runs.values(), data["runs"]):
        kept = [run.snapshots[e] for e in data["epochs"]]
        assert shown["dL_dz"] == [[rounded(row) for row in s.dL_dz] for s in kept]
        assert shown["loss"] == rounded(run.loss)  # the curves keep every epoch


def test_lossgrad_moons_html_replays_each_step(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "moons.html"
    assert main(["moons", "--steps", "5", "--html", str(path)]) == 0
    assert f"page written to {path}" in capsys.readouterr().out
    data = page_data(path)
    *_, history = train_moons(steps=5, record_every=1)
    (shown,) = data["runs"]
    assert shown["network"]["sizes"] == [2, 16, 16, 1] and data["epochs"] == [0, 1, 2, 3, 4]
    assert shown["loss"] == rounded(history.loss)
    assert shown["gradients"] == [rounded(s.gradients) for s in history.snapshots]


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["stall", "--html", "{missing}"], "the folder"),
        (["moons", "--html", "{missing}"], "the folder"),
        (["stall", "--classes", "3", "--html", "{missing}"], "the folder"),
        (["stall", "--html", "{wrong}"], "unknown extension '.svg'"),
    ],
)
def test_a_page_that_cannot_be_written_stops_before_training(
    arguments: list[str], message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    places = {
        "{missing}": tmp_path / "no" / "page.html",
        "{wrong}": tmp_path / "page.svg",
    }
    assert main([str(places.get(a, a)) for a in arguments]) == 2
    captured = capsys.readouterr()
    assert message in captured.err and captured.out == ""  # nothing trained, nothing written
    assert list(tmp_path.iterdir()) == []
