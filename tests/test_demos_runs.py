"""The demos that compute and train: stall's verdict, the showdown tables, the post, moons.

stall's other options (--losses, --classes, the snapshots) are tested in test_demos_stall.py, the
sweep in test_demos_sweep.py, the terminal's width in test_terminal.py.
"""

from __future__ import annotations

import json
import math
import os
import re
import statistics
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from demos.cli import main
from demos.post import EXPLAINED, UNEXPLAINED, Section, post_sections
from demos.registry import BINARY_LOSSES
from demos.showdown import showdown_rows, vanishing_rows
from demos.stall import StallConfig, confidently_wrong_start, run_stall
from losses import grad_wrt_logit, logit
from nn import make_blobs

REPO = Path(__file__).resolve().parents[1]
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def assert_svg(path: Path) -> ET.Element:
    """Return the root of an SVG file after checking it parses as XML and is an <svg>."""
    root = ET.parse(path).getroot()
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    return root


def assert_png(path: Path) -> None:
    """Check a file is a PNG with some content."""
    data = path.read_bytes()
    assert data[:8] == PNG_MAGIC and len(data) > 2000


# --- stall -------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def default_stall() -> object:
    """Return the default stall experiment, run once for the module."""
    return run_stall()


def test_the_start_is_confidently_wrong_and_identical_for_both_losses(
    default_stall: object,
) -> None:
    config = StallConfig()
    X, y = make_blobs(config.points, centers=[(-1.0, -1.0), (1.0, 1.0)], spread=config.spread, seed=config.seed)
    w0, w1, b = confidently_wrong_start(X, y, 0.01)
    logits = {
        label: statistics.median(w0 * a + w1 * c + b for (a, c), t in zip(X, y) if t == label) for label in (0, 1)
    }
    assert 1 / (1 + math.exp(-logits[1])) == pytest.approx(0.01, abs=1e-12)  # positives at p = 0.01
    assert 1 / (1 + math.exp(-logits[0])) == pytest.approx(0.99, abs=1e-12)  # negatives at p = 0.99
    mse, bce = default_stall.runs["mse"], default_stall.runs["bce"]  # type: ignore[attr-defined]
    assert mse.accuracy[0] == bce.accuracy[0] <= 0.05  # the same start, nearly everything wrong
    assert bce.mean_abs_grad[0] > 15 * mse.mean_abs_grad[0]  # the post's point: MSE barely pushes


def test_stall_default_verdict_bce_learns_in_tens_mse_in_hundreds(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "120")  # the verdict on one line
    assert main(["stall"]) == 0
    out = capsys.readouterr().out
    match = re.search(r"verdict: BCE learned in (\d+) epochs, MSE took (\d+): BCE got there ([\d.]+)x faster", out)
    assert match, out
    bce_epochs, mse_epochs, ratio = int(match[1]), int(match[2]), float(match[3])
    assert (bce_epochs, mse_epochs, match[3]) == (
        20,
        197,
        "9.8",
    )  # the numbers stall has always printed
    assert ratio == pytest.approx(mse_epochs / bce_epochs, abs=0.05)
    assert f"BCE reached 95% accuracy at epoch {bce_epochs}" in out
    assert "MSE reached 95% accuracy at epoch 197" in out
    header = next(line for line in out.splitlines() if line.startswith("epoch"))
    assert header.split() == [
        "epoch",
        "loss",
        "accuracy",
        "mean",
        "|dL/dz|",
        "loss",
        "accuracy",
        "mean",
        "|dL/dz|",
    ]
    rows = [line for line in out.splitlines() if re.match(r"^\d+\s", line)]
    assert len({len(row) for row in rows if not row.endswith("*")}) <= 2  # aligned columns
    assert rows[0].split()[0] == "0" and rows[-1].split()[0] == "250"


def test_stall_says_when_mse_never_gets_there_and_gives_a_lower_bound(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "120")
    assert main(["stall", "--epochs", "60", "--every", "20"]) == 0
    out = capsys.readouterr().out
    assert "MSE did not reach 95% accuracy within 60 epochs (>60)" in out
    bce_epochs = int(re.search(r"BCE reached 95% accuracy at epoch (\d+)", out)[1])  # type: ignore[index]
    tenths = 10 * 61 // bce_epochs  # a lower bound, rounded down
    assert f"MSE took more than 60: BCE got there at least {tenths // 10}.{tenths % 10}x faster" in out
    epochs_shown = [int(line.split()[0]) for line in out.splitlines() if re.match(r"^\d+\s", line)]
    assert epochs_shown == sorted({0, 20, 40, 60, bce_epochs})


def test_stall_json_and_options(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["stall", "--json", "--epochs", "40", "--lr", "0.5", "--target", "90", "--seed", "3"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["config"]["lr"] == 0.5 and report["config"]["target"] == 0.9 and report["config"]["seed"] == 3
    for name in ("mse", "bce"):
        history = report["history"][name]
        assert len(history["loss"]) == len(history["accuracy"]) == len(history["mean_abs_grad"]) == 41
        reached = report["reached_target_at_epoch"][name]
        if reached is not None:
            assert history["accuracy"][reached] >= 0.9 and all(a < 0.9 for a in history["accuracy"][:reached])
    assert report["reached_target_at_epoch"]["mse"] is None and report["speedup_is_lower_bound"] is True


def test_stall_runs_are_reproducible() -> None:
    config = StallConfig(epochs=30)
    first, second = run_stall(config), run_stall(config)
    assert first.runs["mse"].loss == second.runs["mse"].loss
    assert first.runs["bce"].loss == second.runs["bce"].loss


def test_stall_in_a_subprocess_has_no_colour_when_piped(tmp_path: Path) -> None:
    plot = tmp_path / "stall.svg"
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    result = subprocess.run(
        [sys.executable, "-m", "demos", "stall", "--plot", str(plot)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "verdict: BCE learned in" in result.stdout and "\x1b[" not in result.stdout
    assert_svg(plot)
    assert "<dc:date>" not in plot.read_text(encoding="utf-8")  # deterministic: no timestamp


def test_stall_png_plot(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    plot = tmp_path / "stall.png"
    assert main(["stall", "--epochs", "30", "--plot", str(plot)]) == 0
    assert f"plot written to {plot}" in capsys.readouterr().out
    assert_png(plot)
    assert [p.name for p in tmp_path.iterdir()] == ["stall.png"]


# --- showdown ----------------------------------------------------------------------------------


def test_showdown_tables_match_the_post(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["showdown"]) == 0
    out = capsys.readouterr().out
    for row in (
        "0.01  -0.019602   -0.9900  50.5x",
        "0.20  -0.256000   -0.8000   3.1x",
        "0.99  -0.000198   -0.0100  50.5x",
    ):
        assert re.search(r"\s+".join(map(re.escape, row.split())), out), row
    assert re.search(r"0\.01\s+1\s+0\.0099\s+-0\.0196\s+Almost no push!", out)
    assert "12.8x weaker than at p = 0.50" in out


def test_showdown_numbers_are_backprop_and_equal_the_closed_forms() -> None:
    for row in showdown_rows(label=1):
        p = row.p
        assert row.grads["mse"] == pytest.approx(2 * (p - 1) * p * (1 - p), rel=1e-9)
        assert row.grads["bce"] == pytest.approx(p - 1, rel=1e-9)
        assert row.ratio == pytest.approx(1 / (2 * p * (1 - p)), rel=1e-9)
    for p, derivative, gradient in vanishing_rows():
        assert derivative == pytest.approx(p * (1 - p), rel=1e-9)
        assert gradient == pytest.approx(2 * (p - 1) * p * (1 - p), rel=1e-9)


def test_showdown_extra_losses_and_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["showdown", "--losses", "focal,hinge", "--label", "0", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert len(report["vanishing"]) == 5 and len(report["showdown"]) == 7
    for row in report["showdown"]:
        assert set(row["grads"]) == {"mse", "bce", "focal", "hinge"} and row["y"] == 0
        z = logit(row["p"]).data
        assert row["grads"]["focal"] == grad_wrt_logit(BINARY_LOSSES["focal"].on_logit, z, 0)
    assert main(["showdown", "--losses", "all"]) == 0
    header = next(line for line in capsys.readouterr().out.splitlines() if "MSE grad" in line)
    extra = [key for key in BINARY_LOSSES if key not in ("mse", "bce")]
    assert header.split()[-len(extra) :] == extra


def test_showdown_plot(tmp_path: Path) -> None:
    plot = tmp_path / "gradients.svg"
    assert main(["showdown", "--losses", "focal", "--plot", str(plot)]) == 0
    root = assert_svg(plot)
    # matplotlib draws text as glyph paths; each text's string survives in a comment before it.
    svg_text = plot.read_text(encoding="utf-8")
    assert "true label y = 1" in svg_text and "true label y = 0" in svg_text
    assert len(list(root.iter("{http://www.w3.org/2000/svg}path"))) > 20


# --- post --------------------------------------------------------------------------------------


def test_post_every_number_agrees_or_is_explained(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "200")  # each check on one line, for the patterns below
    assert main(["post"]) == 0
    out = capsys.readouterr().out
    counted = r"(\d+) numbers checked: (\d+) agree ✓, (\d+) differ for a checked reason ≈"
    summary = re.search(counted + ", 0 unexplained ✗", out)
    assert summary, out[-500:]
    assert int(summary[1]) >= 70 and int(summary[3]) >= 5
    # The differences the post leaves to its reader, each named with its reason:
    assert re.search(r"BCE at the running example p = sigmoid\(-4\.5\) = 0\.010987\s+4\.5099\s+4\.5110\s+≈", out)
    assert "the post rounded p to 0.011 before computing BCE" in out
    assert "the table's first row is at p = 0.01 exactly" in out
    assert "12.75" in out and "peaks at p = 1/3" in out
    for title in (
        "Starting Simple: Mean Squared Error",
        "The Information Theory Connection",
        "The Gradient Showdown",
    ):
        assert title in out


def test_post_json_has_every_section(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["post", "--json", "--no-training"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert len(report["sections"]) == 7 and report["counts"][UNEXPLAINED] == 0
    checks = {c["what"]: c for s in report["sections"] for c in s["checks"]}
    assert checks["Loss"]["ours"] == "2.0824" and checks["KL(P || Q_bad)"]["ours"] == "0.3681"


def test_post_exits_1_on_an_unexplained_difference(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from engine import Value

    monkeypatch.setattr("demos.post.entropy", lambda *args, **kwargs: Value(0.5))  # a broken library
    monkeypatch.setenv("COLUMNS", "200")
    assert main(["post", "--no-training"]) == 1
    out = capsys.readouterr().out
    assert re.search(r"H\(\[0\.5, 0\.5\]\) fair coin\s+0\.6931\s+0\.5000\s+✗", out)
    assert re.search(r"[1-9]\d* unexplained ✗", out)


def test_an_explanation_that_does_not_reproduce_the_post_does_not_count() -> None:
    section = Section("test")
    section.explain("x", "4.5099", "4.5110", "a reason that is wrong", reproduced=False)
    section.explain("y", "4.5099", "4.5110", "a reason that holds", reproduced=True)
    section.explain("z", "1.0", "1.0", "nothing to explain", reproduced=False)
    assert [c.status for c in section.checks] == [UNEXPLAINED, EXPLAINED, "agree"]


def test_post_sections_without_training_are_all_settled() -> None:
    sections = post_sections(run_stall_demo=False)
    assert all(check.status != UNEXPLAINED for s in sections for check in s.checks)


# --- moons -------------------------------------------------------------------------------------


def test_moons_default_reaches_95_percent_and_plots(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    plot = tmp_path / "moons.png"
    assert main(["moons", "--plot", str(plot)]) == 0
    out = capsys.readouterr().out
    assert "[" + "#" * 30 + "] 100/100" in out  # the finished progress bar
    accuracy = int(re.search(r"final accuracy (\d+)% \((\d+)/100 points\)", out)[1])  # type: ignore[index]
    assert accuracy >= 95
    assert_png(plot)


def test_moons_json_small_run(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["moons", "--steps", "3", "--points", "20", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["parameters"] == 337 and len(report["history"]["loss"]) == 3
    assert 0.0 <= report["accuracy"] <= 1.0


@pytest.mark.parametrize(("lr", "huge"), [("100", "20188.4185"), ("1e6", "1.693e+16")])
def test_moons_that_diverges_says_so_in_one_line_and_exits_2(
    lr: str, huge: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["moons", "--lr", lr]) == 2
    captured = capsys.readouterr()
    (line,) = captured.err.splitlines()
    assert line.startswith(f"lossgrad moons: error: train_moons: training diverged at step 2 of 100 (lr={float(lr):g})")
    assert f"from 0.9279 at step 1 to {huge}" in line  # scientific notation once it is huge
    assert captured.out.splitlines()[-1].endswith("2/100  diverged")  # the bar stops where training did


def test_a_huge_loss_is_printed_in_scientific_notation() -> None:
    from demos.terminal import number_text

    assert number_text(21245577329359374317456916450639872.0) == "2.125e+34"
    assert number_text(0.0113) == "0.0113" and number_text(-123456.0) == "-1.235e+05"
