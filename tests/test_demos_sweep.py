"""lossgrad sweep: epochs to the target for MSE and BCE over starts and learning rates (tiny grids)."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from demos.cli import main
from demos.stall import Speedup
from demos.sweep import SweepConfig, SweepResult, run_sweep

TINY = SweepConfig(start_ps=(0.3, 0.01), lrs=(0.2, 20.0), epochs=300)
TINY_ARGUMENTS = ["--start-ps", "0.01,0.3", "--lrs", "20,0.2", "--epochs", "300"]


@pytest.fixture(scope="module")
def tiny() -> SweepResult:
    """Return the sweep of the tiny grid, run once for the module."""
    return run_sweep(TINY)


def test_the_cell_of_stalls_start_and_learning_rate_holds_stalls_numbers(tiny: SweepResult) -> None:
    assert tiny.epochs["mse"][1][0] == 197 and tiny.epochs["bce"][1][0] == 20  # p = 0.01, lr = 0.2
    assert tiny.speedup(1, 0) == Speedup(197, 20, False)


def test_cross_entropy_is_never_slower_and_the_gap_grows_with_the_wrong_start(
    tiny: SweepResult,
) -> None:
    for i in range(2):
        for j in range(2):
            mse, bce = tiny.epochs["mse"][i][j], tiny.epochs["bce"][i][j]
            assert bce is not None and (mse is None or mse >= bce)
    for j in range(2):  # from p = 0.01 squared error falls further behind than from p = 0.3
        assert tiny.speedup(1, j).ratio > tiny.speedup(0, j).ratio  # type: ignore[union-attr]


def test_the_summary_says_where_squared_error_catches_up(tiny: SweepResult) -> None:
    assert tiny.summary() == (
        "squared error catches up with cross-entropy only from p = 0.3 at lr ≥ 20 (where both need "
        "a single epoch); from p = 0.01 it needs at least 4.0x cross-entropy's epochs at every "
        "learning rate from 0.2 to 20"
    )


def grid(mse: list[list[int | None]], bce: list[list[int | None]]) -> SweepResult:
    """Return a sweep result of the given epochs on the grid p = 0.1, 0.01 by lr = 1, 10, 100."""
    config = SweepConfig(start_ps=(0.1, 0.01), lrs=(1.0, 10.0, 100.0), epochs=100)
    return SweepResult(config, {"mse": mse, "bce": bce}, {}, {"mse": "MSE", "bce": "BCE"})


def test_the_summary_of_grids_that_tell_other_stories() -> None:
    nowhere = grid([[50, 20, 8], [None, 90, 30]], [[10, 2, 1], [20, 3, 1]])
    assert nowhere.summary() == (
        "squared error catches up with cross-entropy nowhere on the grid; from p = 0.01 it "
        "needs at least 5.0x cross-entropy's epochs at every learning rate from 1 to 100"  # 101/20
    )
    everywhere = grid([[50, 2, 1], [90, 3, 1]], [[10, 2, 1], [20, 3, 1]])
    assert everywhere.summary().startswith("squared error catches up with cross-entropy from every start at lr ≥ 10;")
    gaps = grid([[5, 20, 1], [90, 30, 30]], [[5, 2, 1], [20, 3, 1]])
    assert gaps.summary().startswith("squared error catches up with cross-entropy only from p = 0.1 at lr = 1, 100;")
    bce_stuck = grid([[50, 20, 8], [None, None, 30]], [[10, 2, 1], [None, None, 1]])
    assert bce_stuck.summary().endswith("at every learning rate where it did from 1 to 100")


def test_a_run_stops_at_the_target() -> None:
    from demos.stall import StallConfig, stall_losses, stall_setup, train

    setup = stall_setup(StallConfig(start_p=0.01))
    mse = train(stall_losses(StallConfig())[0], setup, 20.0, 300, target=0.95)
    assert len(mse.loss) == mse.epochs_to(0.95) + 1 == 5  # type: ignore[operator]


def test_the_command_prints_three_grids_and_the_verdict(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "200")
    assert main(["sweep", *TINY_ARGUMENTS]) == 0
    out = capsys.readouterr().out
    assert re.search(r"sweep \[#+\] 4/4  8 runs in \d+\.\d+s", out)
    assert "MSE (squared error): epochs to 95%" in out and "BCE (cross-entropy): epochs to 95%" in out
    assert re.search(r"^0\.3\s+11\s+1$", out, re.M) and re.search(r"^0\.01\s+197\s+4$", out, re.M)
    assert re.search(r"^0\.01\s+9\.8x\s+4\.0x$", out, re.M)
    assert "verdict: squared error catches up with cross-entropy only from p = 0.3 at lr ≥ 20" in out


def test_a_run_that_does_not_get_there_is_shown_as_more_than_the_epochs(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "200")
    assert main(["sweep", "--start-ps", "0.01", "--lrs", "0.2", "--epochs", "100", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["epochs_to_target"] == {"mse": [[None]], "bce": [[20]]}
    assert report["speedups"] == [[{"ratio": 101 / 20, "lower_bound": True}]]
    assert report["config"]["start_ps"] == [0.01] and report["config"]["epochs"] == 100
    assert main(["sweep", "--start-ps", "0.01", "--lrs", "0.2", "--epochs", "100"]) == 0
    out = capsys.readouterr().out
    assert re.search(r"^0\.01\s+>100$", out, re.M) and re.search(r"^0\.01\s+≥5\.0x$", out, re.M)


def test_the_plot_draws_both_maps(tmp_path: Path) -> None:
    plot = tmp_path / "sweep.svg"
    assert main(["sweep", *TINY_ARGUMENTS, "--plot", str(plot)]) == 0
    text = plot.read_text(encoding="utf-8")
    assert ET.fromstring(text).tag == "{http://www.w3.org/2000/svg}svg"
    assert "MSE (squared error): epochs to 95% accuracy" in text
    assert "BCE (cross-entropy): epochs to 95% accuracy" in text


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--start-ps", "0.7"], "argument --start-ps: each start p must be between 0 and 0.5"),
        (["--start-ps", "0.1,nope"], "argument --start-ps: expected a number, got 'nope'"),
        (["--lrs", "0.1,-2"], "argument --lrs: must be > 0, got -2"),
        (["--lrs", ","], "argument --lrs: expected numbers separated by commas"),
        (["--epochs", "0"], "argument --epochs: must be from 1 to 10,000, got 0"),
    ],
)
def test_bad_grids_are_refused_in_one_line(
    arguments: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["sweep", *arguments]) == 2
    assert message in capsys.readouterr().err
