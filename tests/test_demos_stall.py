"""lossgrad stall beyond the post's pair: the loss zoo, K classes, the verdict's bounds, snapshots."""

from __future__ import annotations

import json
import re
import statistics
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from demos.cli import main
from demos.registry import BINARY_LOSSES
from demos.stall import (
    MAX_SNAPSHOTS,
    Speedup,
    StallConfig,
    run_stall,
    speedup_of,
    stall_losses,
    stall_setup,
    train,
)
from losses import softmax
from nn import DivergenceError, Layer

ZOO = ["mse", "bce", "focal", "hinge", "huber"]


@pytest.fixture(scope="module")
def zoo() -> object:
    """Return the five-loss experiment with its snapshots, run once for the module."""
    return run_stall(StallConfig(losses=tuple(ZOO)), record=True)


@pytest.fixture(scope="module")
def three_classes() -> object:
    """Return the three-class experiment with its snapshots, run once for the module."""
    return run_stall(StallConfig(classes=3), record=True)


# --- the verdict's numbers ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("epochs", "verdict"),
    [
        ("250", "MSE took 197: BCE got there 9.8x faster"),
        ("196", "MSE took more than 196: BCE got there at least 9.8x faster"),  # 197/20 = 9.85
        ("30", "MSE took more than 30: BCE got there at least 1.5x faster"),  # 31/20 = 1.55
    ],
)
def test_the_verdict_states_a_lower_bound_rounded_down(
    epochs: str, verdict: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "200")
    assert main(["stall", "--epochs", epochs]) == 0
    assert f"verdict: BCE learned in 20 epochs, {verdict}" in capsys.readouterr().out


def test_a_lower_bound_is_never_rounded_up() -> None:
    for baseline in range(1, 400):
        for challenger in range(1, 60):
            text = Speedup(baseline, challenger, True).text(at_least="")
            shown = float(text.rstrip("x"))
            assert shown <= baseline / challenger < shown + 0.1 + 1e-12, (
                baseline,
                challenger,
                text,
            )


def test_speedup_of_counts_a_run_that_never_got_there_as_one_more_epoch() -> None:
    assert speedup_of(197, 20, 250) == Speedup(197, 20, False)
    assert speedup_of(None, 20, 196) == Speedup(197, 20, True)
    assert speedup_of(197, None, 250) is None
    assert speedup_of(0, 0, 10) == Speedup(1, 1, False)  # at the start already: one epoch each


# --- the loss zoo ------------------------------------------------------------------------------


def test_every_loss_starts_from_the_same_weights_with_the_same_learning_rate(zoo: object) -> None:
    runs = zoo.runs  # type: ignore[attr-defined]
    assert list(runs) == ZOO
    starts = {run.snapshots[0].parameters for run in runs.values()}
    assert starts == {zoo.start}  # type: ignore[attr-defined]
    for run in runs.values():  # one SGD step at the stall's lr: parameters move by lr × gradient
        before, after = run.snapshots[0], run.snapshots[1]
        for p0, g0, p1 in zip(before.parameters, before.gradients, after.parameters):
            assert p1 == pytest.approx(p0 - 0.2 * g0, rel=1e-12, abs=1e-15)


def test_the_zoo_reaches_the_target_in_the_order_the_gradients_predict(zoo: object) -> None:
    reached = zoo.reached()  # type: ignore[attr-defined]
    assert reached["mse"] == 197 and reached["bce"] == 20
    assert reached["hinge"] < reached["bce"] < reached["focal"] < reached["mse"]
    assert reached["huber"] is None  # half of squared error's push: not within 250 epochs


def test_a_loss_of_probabilities_gets_p_and_a_loss_of_logits_gets_z(zoo: object) -> None:
    runs = zoo.runs  # type: ignore[attr-defined]
    # Huber with δ = 1 on a probability is half the squared error: every |p - y| < 1.
    assert runs["huber"].loss[0] == pytest.approx(runs["mse"].loss[0] / 2, rel=1e-12)
    assert runs["huber"].snapshots[0].dL_dp is not None
    # The hinge loss is trained on z: every confidently wrong example gets a push of exactly 1.
    hinge = runs["hinge"].snapshots[0]
    assert hinge.dL_dp is None and runs["hinge"].mean_abs_grad[0] == pytest.approx(1.0)
    assert all(abs(g) == pytest.approx(1.0) for g in hinge.dL_dz)


def test_mse_always_runs_first_as_the_baseline(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["stall", "--losses", "hinge,bce", "--epochs", "30", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert list(report["history"]) == ["mse", "hinge", "bce"]
    assert report["speedups"]["hinge"]["lower_bound"] is True  # MSE not there within 30 epochs
    assert report["losses"]["hinge"]["colour"] == BINARY_LOSSES["hinge"].colour.hex


def test_the_zoo_report_has_a_verdict_table(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "200")
    assert main(["stall", "--losses", ",".join(ZOO)]) == 0
    out = capsys.readouterr().out
    assert re.search(r"BCE \(cross-entropy\)\s+20\s+9\.8x\s+0\.9675", out)
    assert re.search(r"Huber on p \(δ = 1\)\s+>250\s+-\s+0\.0239", out)
    assert "verdict: hinge got there first, in 17 epochs, 11.6x faster than MSE" in out
    assert "did not reach 95% within 250 epochs: Huber" in out


def test_a_plot_of_the_zoo_names_every_loss(tmp_path: Path) -> None:
    plot = tmp_path / "zoo.svg"
    assert main(["stall", "--losses", "focal,huber", "--epochs", "20", "--plot", str(plot)]) == 0
    text = plot.read_text(encoding="utf-8")
    assert ET.fromstring(text).tag == "{http://www.w3.org/2000/svg}svg"
    for key in ("mse", "focal", "huber"):
        assert BINARY_LOSSES[key].title in text


# --- the snapshots -----------------------------------------------------------------------------


def test_a_snapshot_splits_the_push_into_dl_dp_times_the_sigmoid_slope(zoo: object) -> None:
    runs = zoo.runs  # type: ignore[attr-defined]
    X, y = zoo.X, zoo.y  # type: ignore[attr-defined]
    for key in ("mse", "bce", "huber"):
        for snapshot in (runs[key].snapshots[0], runs[key].snapshots[100]):
            for p, dp_dz, dl_dp, dl_dz in zip(snapshot.p, snapshot.dp_dz, snapshot.dL_dp, snapshot.dL_dz):
                assert dp_dz == pytest.approx(p * (1 - p), rel=1e-9)
                assert dl_dz == pytest.approx(dl_dp * dp_dz, rel=1e-9, abs=1e-300)
            assert snapshot.mean_abs_dL_dz == pytest.approx(statistics.fmean(map(abs, snapshot.dL_dz)))
    bce = runs["bce"].snapshots[0]
    assert all(g == pytest.approx(p - t, abs=1e-12) for g, p, t in zip(bce.dL_dz, bce.p, y))  # the post's p - y
    w0, w1, b = bce.parameters
    assert bce.z == pytest.approx([b + w0 * x0 + w1 * x1 for x0, x1 in X])
    assert [s.mean_abs_dL_dz for s in runs["bce"].snapshots] == runs["bce"].mean_abs_grad


def test_a_snapshot_restores_the_model_it_was_taken_of(zoo: object) -> None:
    run = zoo.runs["bce"]  # type: ignore[attr-defined]
    parameters = run.model.parameters()
    run.snapshots[20].restore(parameters)
    assert [p.data for p in parameters] == list(run.snapshots[20].parameters)
    with pytest.raises(ValueError, match=r"^Snapshot\.restore: the snapshot holds 3 parameters, got 2"):
        run.snapshots[0].restore(parameters[:2])


def test_a_long_run_keeps_a_bounded_number_of_snapshots(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("demos.stall.MAX_SNAPSHOTS", 8)
    setup = stall_setup(StallConfig(n=10))
    run = train(stall_losses(StallConfig())[1], setup, 0.2, 30, record=True)
    assert [s.epoch for s in run.snapshots] == [
        0,
        4,
        8,
        12,
        16,
        20,
        24,
        28,
        30,
    ]  # every 4th, and the last
    assert MAX_SNAPSHOTS == 500
    assert train(stall_losses(StallConfig())[1], setup, 0.2, 30).snapshots == []  # only when asked


def test_a_run_given_a_target_stops_there() -> None:
    setup = stall_setup(StallConfig())
    run = train(stall_losses(StallConfig())[1], setup, 0.2, 250, target=0.95)
    assert len(run.loss) == 21 and run.epochs_to(0.95) == 20


def test_a_run_that_overflows_reports_divergence_with_its_epoch(
    capsys: pytest.CaptureFixture[str],
) -> None:
    setup = stall_setup(StallConfig())
    with pytest.raises(
        DivergenceError,
        match=r"^train: the hinge run diverged at epoch 1 \(lr=1e\+308\): Layer\.batch: .* overflows a float",
    ) as info:
        train(stall_losses(StallConfig(losses=("hinge",)))[1], setup, 1e308, 5)
    assert info.value.epoch == 1 and len(info.value.history.loss) == 1
    assert main(["stall", "--losses", "hinge", "--lr", "1e308"]) == 2
    assert "diverged at epoch 1" in capsys.readouterr().err


# --- K classes ---------------------------------------------------------------------------------


def test_each_class_is_taken_for_the_next_at_the_start(three_classes: object) -> None:
    result = three_classes
    setup = stall_setup(StallConfig(classes=3))
    layer = Layer(2, 3, activation="linear")
    for parameter, value in zip(layer.parameters(), result.start):  # type: ignore[attr-defined]
        parameter.data = value
    wrong = []
    for k, point in enumerate(setup.typical):
        probabilities = [q.data for q in softmax(layer(point))]
        assert max(range(3), key=probabilities.__getitem__) == (k + 1) % 3
        wrong.append(probabilities[(k + 1) % 3])
    assert statistics.median(wrong) == pytest.approx(0.99, abs=1e-9)
    runs = result.runs  # type: ignore[attr-defined]
    assert runs["mse"].accuracy[0] == runs["cce"].accuracy[0] <= 0.05


def test_cross_entropy_pushes_each_logit_by_y_hat_minus_y(three_classes: object) -> None:
    push = three_classes.start_push  # type: ignore[attr-defined]
    assert push.label == 0 and len(push.probabilities) == 3
    for k, (q, g) in enumerate(zip(push.probabilities, push.grads["cce"])):
        assert g == pytest.approx(q - (k == push.label), abs=1e-12)
    assert abs(push.grads["cce"][0]) > 100 * abs(push.grads["mse"][0])  # the softmax's slope strangles MSE
    first = three_classes.runs["cce"].snapshots[0]  # type: ignore[attr-defined]
    for row, p, label in zip(first.dL_dz, first.p, three_classes.y):  # type: ignore[attr-defined]
        assert row == pytest.approx([q - (k == label) for k, q in enumerate(p)], abs=1e-12)


def test_k_classes_cross_entropy_learns_while_squared_error_stalls(three_classes: object) -> None:
    reached = three_classes.reached()  # type: ignore[attr-defined]
    assert reached["cce"] is not None and reached["mse"] is not None
    assert reached["mse"] > 10 * reached["cce"]
    ratio, lower_bound = three_classes.speedup()  # type: ignore[attr-defined]
    assert ratio == reached["mse"] / reached["cce"] and not lower_bound


def test_k_classes_report_json_and_plot(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "120")
    assert main(["stall", "--classes", "3", "--epochs", "20"]) == 0
    out = capsys.readouterr().out
    assert "3 classes through a softmax" in out
    # The true class's row: ŷ, y, ŷ - y, and CCE's push (the same), then squared error's.
    assert re.search(r"0 \(true\)\s+0\.0037\s+1\s+-0\.9963\s+-0\.9963\s+-0\.004830", out)
    verdict = "CCE learned in 14 epochs, MSE took more than 20: CCE got there at least 1.5x faster"
    assert f"verdict: {verdict}" in out
    plot = tmp_path / "k.svg"
    assert main(["stall", "--classes", "4", "--epochs", "5", "--json", "--plot", str(plot)]) == 0
    report = json.loads(capsys.readouterr().out)
    assert list(report["history"]) == ["mse", "cce"] and report["config"]["n"] == 80
    assert len(report["start"]["w"]) == 4 and len(report["start_push"]["grads"]["cce"]) == 4
    assert ET.parse(plot).getroot().tag == "{http://www.w3.org/2000/svg}svg"


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--classes", "1"], "argument --classes: must be from 2 to 10, got 1"),
        (["--classes", "11"], "argument --classes: must be from 2 to 10, got 11"),
        (["--classes", "three"], "argument --classes: expected a whole number, got 'three'"),
        (["--classes", "3", "--losses", "focal"], "--losses picks losses of one sigmoid neuron"),
        (["--losses", "mse,cubic"], "argument --losses: unknown loss 'cubic'"),
    ],
)
def test_bad_options_are_refused_in_one_line(
    arguments: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["stall", *arguments]) == 2
    assert message in capsys.readouterr().err


def test_the_softmax_start_refuses_what_it_cannot_do() -> None:
    from demos.stall import confidently_wrong_softmax_start

    X = [(1.0, 0.0), (-0.5, 0.9), (-0.5, -0.9)]
    with pytest.raises(ValueError, match=r"^confidently_wrong_softmax_start: start_p must be in \(0, 0\.667\)"):
        confidently_wrong_softmax_start(X, [0, 1, 2], 3, 0.7)
    with pytest.raises(ValueError, match="class 2 has no points"):
        confidently_wrong_softmax_start(X, [0, 1, 1], 3, 0.01)
    with pytest.raises(ValueError, match="classes 1 and 2 lie in the same direction from the centre"):
        confidently_wrong_softmax_start([(-2.0, 0.0), (1.0, 0.0), (2.0, 0.0)], [0, 1, 2], 3, 0.01)
    with pytest.raises(ValueError, match="class 1's typical point is the centre"):
        confidently_wrong_softmax_start([(-1.0, 0.0), (0.0, 0.0), (1.0, 0.0)], [0, 1, 2], 3, 0.01)


@pytest.mark.parametrize("extra", [[], ["--json"], ["--epochs", "5"]])
def test_stall_with_mse_alone_reports_without_a_comparison(
    extra: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["stall", "--losses", "mse", *extra]) == 0
    assert "internal error" not in capsys.readouterr().err
