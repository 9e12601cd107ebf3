"""The benchmarks' own correctness: the workloads they time compute the same thing, and the
command runs. No timings are asserted here; speed is what `python -m benchmarks` prints."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from engine import Value

REPOSITORY = Path(__file__).resolve().parent.parent
# benchmarks/ is a folder of the repository, not an installed package.
sys.path.insert(0, str(REPOSITORY))

from benchmarks import moons, run, scale, where_time_goes  # noqa: E402 - needs the path above
from benchmarks.handwritten import HandwrittenMLP  # noqa: E402

MOONS_PARAMETERS = 2 * 16 + 16 + 16 * 16 + 16 + 16 + 1  # 337


def _fresh_pair(skip_zero_gradients: bool = True) -> tuple[moons.LossgradMoons, moons.HandwrittenMoons]:
    X, y = moons.moons_data()
    start = moons.micrograd_initial_parameters()
    return moons.LossgradMoons(start, X, y), moons.HandwrittenMoons(start, X, y, skip_zero_gradients)


@pytest.mark.parametrize("skip_zero_gradients", [True, False])
def test_handwritten_loop_and_lossgrad_give_the_same_loss_at_each_of_the_first_10_steps(
    skip_zero_gradients: bool,
) -> None:
    lossgrad, handwritten = _fresh_pair(skip_zero_gradients)
    losses = []
    for step in range(10):
        ours, theirs = lossgrad.step(), handwritten.step()
        assert abs(ours - theirs) <= 1e-9, f"step {step + 1}: lossgrad {ours!r}, hand-written {theirs!r}"
        losses.append(ours)
    assert losses[-1] < 0.5 * losses[0]  # it trains: the comparison is not of two idle loops


def test_handwritten_gradients_move_the_weights_exactly_as_backprop_does() -> None:
    lossgrad, handwritten = _fresh_pair()
    for _ in range(3):
        lossgrad.step()
        handwritten.step()
    ours = [p.data for p in lossgrad.parameters]
    theirs = handwritten.model.parameters()
    assert len(ours) == len(theirs) == MOONS_PARAMETERS
    assert max(abs(a - b) for a, b in zip(ours, theirs)) <= 1e-12
    assert ours != moons.micrograd_initial_parameters()


def test_max_loss_difference_reports_a_real_difference() -> None:
    X, y = moons.moons_data()
    start = moons.micrograd_initial_parameters()
    nudged = [start[0] + 0.5, *start[1:]]
    difference = moons.max_loss_difference(
        moons.LossgradMoons(start, X, y), moons.HandwrittenMoons(nudged, X, y), steps=2
    )
    assert difference > 1e-6


def test_replayed_initial_weights_have_micrograds_layout() -> None:
    parameters = moons.micrograd_initial_parameters()
    assert len(parameters) == MOONS_PARAMETERS == HandwrittenMLP.count_parameters(2, [16, 16, 1])
    model = HandwrittenMLP.from_parameters(2, [16, 16, 1], parameters)
    assert model.parameters() == parameters
    assert all(b == 0.0 for layer in model.biases for b in layer)  # micrograd's biases start at 0
    assert all(-1.0 <= w <= 1.0 for layer in model.weights for row in layer for w in row)
    assert parameters == moons.micrograd_initial_parameters()  # reproducible


def test_handwritten_mlp_rejects_the_wrong_number_of_parameters() -> None:
    with pytest.raises(ValueError, match=r"from_parameters: parameters must have 337 numbers .* got 3"):
        HandwrittenMLP.from_parameters(2, [16, 16, 1], [0.0, 1.0, 2.0])


def test_chain_measurements_check_the_gradient_and_count_memory() -> None:
    times = scale.chain_time(2_000)
    assert times.nodes == 2_000 and times.build > 0 and times.backward > 0
    held, peak = scale.chain_peak_bytes(2_000)
    assert 0 < held <= peak
    number_held, _ = scale.chain_peak_bytes(2_000, number_operand=True)
    assert number_held > held  # a Constant per operation
    chain = scale.build_chain(10)
    chain.root.backward()
    chain.check()
    assert isinstance(chain.step, Value)
    assert chain.start.grad == 1.0 and chain.step.grad == 10.0 and chain.root.data == pytest.approx(1.0 + 10e-6)


def test_bare_chain_builds_the_same_shape_without_the_engine() -> None:
    assert scale.bare_chain_time(2_000) > 0
    node = scale._BareNode(1.0, ())
    node = scale._BareNode(node.data + 0.5, (node, scale._BareNode(0.5, ())))
    assert node.data == 1.5 and [child.data for child in node.children] == [1.0, 0.5]


def test_where_time_goes_splits_a_step_into_its_phases() -> None:
    times = where_time_goes.time_phases(steps=2, warmup=1)
    assert set(times.seconds) == set(times.collector) == set(where_time_goes.PHASES)
    assert all(times.seconds[name] > 0 for name in ("forward", "loss", "backward"))
    assert all(0 <= times.collector[name] <= times.seconds[name] for name in where_time_goes.PHASES)
    table = where_time_goes.format_phases(times)
    assert [line.split()[0] for line in table.splitlines()[1:7]] == [*where_time_goes.PHASES, "step"]
    with pytest.raises(ValueError, match="steps must be >= 1"):
        where_time_goes.time_phases(steps=0)


def test_moons_step_is_its_phases_in_order() -> None:
    X, y = moons.moons_data()
    start = moons.micrograd_initial_parameters()
    whole, by_phase = moons.LossgradMoons(start, X, y), moons.LossgradMoons(start, X, y)
    for _ in range(3):
        expected = whole.step()
        loss = by_phase.loss(by_phase.forward())
        by_phase.backward(loss)
        by_phase.update()
        assert loss.data == expected
    assert [p.data for p in by_phase.parameters] == [p.data for p in whole.parameters]


def test_chain_check_catches_a_wrong_gradient() -> None:
    chain = scale.build_chain(10)
    chain.root.backward()
    chain.root.backward()  # leaves accumulate: now twice the gradients
    with pytest.raises(RuntimeError, match=r"chain of 10: .* 2\.0 for start"):
        chain.check()


def _run_benchmarks(*arguments: str, hide_micrograd: bool = False) -> subprocess.CompletedProcess[str]:
    """Run the quick benchmark in a fresh interpreter, optionally as if micrograd were not installed."""
    hide = "import sys; sys.modules['micrograd'] = None; " if hide_micrograd else ""
    code = f"{hide}from benchmarks.run import main; raise SystemExit(main({list(arguments)!r}))"
    return subprocess.run(
        [sys.executable, "-c", code], cwd=REPOSITORY, capture_output=True, text=True, timeout=300, check=False
    )


def test_quick_run_prints_the_table_of_targets() -> None:
    completed = _run_benchmarks("--quick", "--without-micrograd")
    assert completed.returncode == 0, completed.stderr
    out = completed.stdout
    assert "CPUs" in out and "Python 3." in out
    header = next(line for line in out.splitlines() if line.startswith("measure"))
    assert header.split() == ["measure", "lossgrad", "reference", "ratio", "target", "result"]
    for measure in (
        "same loss as hand-written",
        "vs hand-written",
        "vs micrograd",
        "peak memory",
        "chain time per node",
        "bare Python objects",
        "no leak",
    ):
        assert measure in out
    assert "skipped: --without-micrograd" in out


def test_quick_json_run_without_micrograd_installed_skips_only_the_micrograd_rows() -> None:
    completed = _run_benchmarks("--quick", "--json", hide_micrograd=True)
    assert completed.returncode == 0, completed.stderr
    report = json.loads(completed.stdout)
    assert report["checks_hold"] is True and report["quick"] is True
    assert isinstance(report["machine"]["cpu_count"], int) and report["machine"]["python"].startswith("3.")
    rows = {row["name"]: row for row in report["rows"]}
    micrograd_rows = [row for name, row in rows.items() if "micrograd" in name]
    assert micrograd_rows and all(row["passed"] is None for row in micrograd_rows)
    assert all("pip install micrograd==0.1.0" in row["note"] for row in micrograd_rows)
    measured = [row for row in rows.values() if "micrograd" not in row["name"] and not row["info"]]
    assert all(isinstance(row["passed"], bool) for row in measured)
    measured_names = {row["name"] for row in measured}
    for expected in (
        "moons: step time vs hand-written",
        "moons: step time vs hand-written, no skipping",
        "no leak: memory, 40 vs 10 moons steps",
        "`lossgrad stall` at defaults (both runs)",
        "moons: every step's loss kept alive (5 steps, fresh processes)",
    ):
        assert expected in measured_names
    for name in ("moons: step time vs hand-written", "moons: step time vs hand-written, no skipping"):
        assert rows[name]["figures"]["lossgrad_seconds"] > 0 and rows[name]["target"] == "<= 3x slower"
    context = rows["bare Python objects, same chain: time per node"]
    assert context["info"] is True and context["result"].startswith("info")
    collector_off = rows["moons: the same, Python's cyclic collector off (5 steps, fresh processes)"]
    assert collector_off["info"] is True and collector_off["figures"]["kept_seconds"] > 0


def _fake_rows(check_passes: bool, target_met: bool) -> list[run.Row]:
    return [
        run.Row("a check", "x", "y", "-", "<= 1e-09", check_passes, check=True),
        run.Row("a target", "x", "y", "2x", ">= 100x", target_met),
        run.Row("not measurable here", "-", "-", "-", "< 1 s", None, "pending"),
    ]


@pytest.mark.parametrize(
    ("check_passes", "target_met", "strict", "status"),
    [(True, True, False, 0), (True, False, False, 0), (True, False, True, 1), (False, True, False, 1)],
)
def test_exit_status_follows_the_checks_and_strict_targets(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    check_passes: bool,
    target_met: bool,
    strict: bool,
    status: int,
) -> None:
    monkeypatch.setattr(run, "measure", lambda settings, use_micrograd=True: _fake_rows(check_passes, target_met))
    assert run.main(["--quick", *(["--strict"] if strict else [])]) == status
    out = capsys.readouterr().out
    assert ("FAIL" in out) == (not (check_passes and target_met))
    assert "skipped: pending" in out


def test_markdown_table_has_one_line_per_row(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(run, "measure", lambda settings, use_micrograd=True: _fake_rows(True, False))
    assert run.main(["--markdown"]) == 0
    table = [line for line in capsys.readouterr().out.splitlines() if line.startswith("|")]
    assert table[0] == "| measure | lossgrad | reference | ratio | target | result |"
    assert len(table) == 2 + 3 and all(line.count(" | ") == 5 for line in table)
    assert "| a target | x | y | 2x | >= 100x | FAIL |" in table
