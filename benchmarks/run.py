"""The benchmark command: every speed and memory target of lossgrad, measured, as one table.

``python -m benchmarks`` prints, for each target, lossgrad's figure, the reference it is compared
with, the ratio, the target and pass or fail (with how far off a miss is). ``--json`` prints the
same as JSON and ``--markdown`` as a Markdown table, ``--quick`` runs a smaller version in a few
seconds (a smoke test, not figures to quote), ``--strict`` exits 1 when a target is missed.

Timings use ``time.perf_counter``, several repeats and their median, with Python's garbage
collector at its defaults. The moons workloads are timed alternately, in blocks of steps, so a
slow moment of a shared machine hits all of them alike. Before any timing the benchmark checks
that the workloads compute the same losses; if they do not, the figures mean nothing and the
command exits 1.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import importlib
import importlib.metadata
import io
import json
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from types import ModuleType
from typing import Any

from demos import cli

from . import moons, scale

__all__ = ["Row", "Settings", "format_markdown", "format_table", "main", "measure"]

MICROGRAD_PIN = "micrograd==0.1.0"
LOSS_TOLERANCE = 1e-9


@dataclass(frozen=True)
class Settings:
    """How much work each benchmark does (the full run, or `--quick`)."""

    quick: bool
    equivalence_steps: int  # steps over which lossgrad must match the hand-written loop
    micrograd_equivalence_steps: int  # the same against micrograd (over a second a step)
    repeats: int  # timed blocks per moons workload
    # lossgrad and the hand-written loops take the same number of steps per block, so they are timed
    # at the same points of the same training run: as training goes on, more examples meet the
    # margin and both skip more of the backward pass, so a workload further along is faster.
    steps_per_block: dict[str, int]
    chain_nodes: int
    growth_sizes: tuple[int, ...]
    leak_checkpoints: tuple[int, int]
    stall_repeats: int

    @classmethod
    def full(cls) -> Settings:
        """Return the settings of the full run, whose figures are the ones to quote."""
        return cls(
            quick=False,
            equivalence_steps=10,
            micrograd_equivalence_steps=10,
            repeats=7,
            steps_per_block={
                "micrograd": 2,
                "lossgrad": 10,
                "hand-written": 10,
                "hand-written, no skipping": 10,
                "lossgrad, micrograd's loop": 10,
                "lossgrad, nn.fit": 10,
            },
            chain_nodes=1_000_000,
            growth_sizes=(1_000, 10_000, 100_000, 1_000_000),
            leak_checkpoints=(100, 1000),
            stall_repeats=5,
        )

    @classmethod
    def smoke(cls) -> Settings:
        """Return the settings of `--quick`: every benchmark runs, on less work."""
        return cls(
            quick=True,
            equivalence_steps=10,
            micrograd_equivalence_steps=2,
            repeats=2,
            steps_per_block={
                "micrograd": 1,
                "lossgrad": 2,
                "hand-written": 2,
                "hand-written, no skipping": 2,
                "lossgrad, micrograd's loop": 2,
                "lossgrad, nn.fit": 2,
            },
            chain_nodes=50_000,
            growth_sizes=(1_000, 10_000, 50_000),
            leak_checkpoints=(10, 40),
            stall_repeats=1,
        )


@dataclass
class Row:
    """One line of the table: a target, lossgrad's figure, the reference figure and the verdict.

    ``passed`` is True or False, or None when the row could not be measured (``note`` says why).
    ``check`` marks rows that verify the benchmark itself (same losses): a failed check makes
    every figure meaningless, and the command exit 1. ``info`` marks a figure given for context,
    with no target of its own.
    """

    name: str
    lossgrad: str
    reference: str
    ratio: str
    target: str
    passed: bool | None
    note: str = ""
    check: bool = False
    info: bool = False
    figures: dict[str, object] = field(default_factory=dict)

    @property
    def result(self) -> str:
        """Return "pass", "FAIL", "skipped" or "info", followed by the note if there is one."""
        word = "info" if self.info else {True: "pass", False: "FAIL", None: "skipped"}[self.passed]
        return f"{word}: {self.note}" if self.note else word


# ---------------------------------------------------------------------------- formatting


def _ms(seconds: float) -> str:
    return f"{seconds * 1e3:.2f} ms"


def _short_by(ratio: float, target: float, at_least: bool) -> str:
    """Return how far a missed ratio target is off, as a factor."""
    factor = target / ratio if at_least else ratio / target
    return f"{factor:.2f}x short of the target"


def _installed_version(distribution: str) -> str:
    """Return the installed version of a distribution, read from its metadata (micrograd has no __version__)."""
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:  # imported from a source folder, not installed
        return "(version unknown)"


def machine() -> dict[str, Any]:
    """Return what the figures depend on: Python, processor count, platform, gc thresholds."""
    usable: int | None
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        usable = os.cpu_count()
    return {
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "cpu_count": os.cpu_count(),
        "usable_cpus": usable,
        "platform": platform.platform(),
        "processor": platform.processor() or platform.machine(),
        "gc_thresholds": list(gc.get_threshold()),
        "gc_enabled": gc.isenabled(),
    }


def format_markdown(rows: Sequence[Row], info: dict[str, Any]) -> str:
    """Return the rows as a Markdown table (for the README), the machine on the line above it."""
    lines = [
        (
            f"Python {info['python']} ({info['implementation']}), {info['cpu_count']} CPUs, {info['platform']}; "
            "medians of repeats, gc at its defaults."
        ),
        "",
        "| measure | lossgrad | reference | ratio | target | result |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for r in rows:
        cells = (r.name, r.lossgrad, r.reference, r.ratio, r.target, r.result)
        lines.append("| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |")
    return "\n".join(lines)


def format_table(rows: Sequence[Row], info: dict[str, Any]) -> str:
    """Return the rows as an aligned text table, with the machine on the first lines."""
    header = ("measure", "lossgrad", "reference", "ratio", "target", "result")
    cells = [header] + [(r.name, r.lossgrad, r.reference, r.ratio, r.target, r.result) for r in rows]
    widths = [max(len(line[i]) for line in cells) for i in range(len(header) - 1)]
    lines = [
        (
            f"lossgrad benchmarks on Python {info['python']} ({info['implementation']}), "
            f"{info['cpu_count']} CPUs ({info['usable_cpus']} usable), {info['platform']}"
        ),
        f"gc thresholds {tuple(info['gc_thresholds'])} (defaults); times are medians of repeats, time.perf_counter",
        "",
    ]
    for i, line in enumerate(cells):
        text = "  ".join(cell.ljust(width) for cell, width in zip(line, widths)) + "  " + line[-1]
        lines.append(text.rstrip())
        if i == 0:
            lines.append("  ".join("-" * w for w in widths) + "  " + "-" * len(header[-1]))
    return "\n".join(lines)


# ---------------------------------------------------------------------------- measurements


def _time_block(workload: moons.MoonsWorkload, steps: int, collect_after: bool) -> float:
    """Return seconds per step of `steps` consecutive steps (plus collecting the cycles they left)."""
    gc.collect()  # someone else's garbage is not this block's cost
    start = time.perf_counter()
    for _ in range(steps):
        workload.step()
    if collect_after:
        gc.collect()  # the reference cycles these steps left behind are part of their cost
    return (time.perf_counter() - start) / steps


def _time_alternately(workloads: Sequence[moons.MoonsWorkload], settings: Settings) -> dict[str, list[float]]:
    """Return each workload's seconds per step in every repeat, the workloads taking turns."""
    times: dict[str, list[float]] = {w.name: [] for w in workloads}
    for repeat in range(settings.repeats):
        order = workloads if repeat % 2 == 0 else list(reversed(workloads))
        for workload in order:
            steps = settings.steps_per_block[workload.name]
            collect_after = workload.name == "micrograd"
            times[workload.name].append(_time_block(workload, steps, collect_after))
    return times


def _micrograd_recursion_depth(micrograd: ModuleType) -> int | None:
    """Return the smallest chain length (of 250, 500, 1000, ...) whose micrograd backward fails, or None."""
    Value = importlib.import_module(f"{micrograd.__name__}.engine").Value
    nodes = 250
    while nodes <= 64_000:
        y, step = Value(1.0), Value(1e-6)
        for _ in range(nodes):
            y = y + step
        try:
            y.backward()
        except RecursionError:
            return nodes
        nodes *= 2
    return None


def measure_moons(settings: Settings, micrograd: ModuleType | None, why_no_micrograd: str) -> list[Row]:
    """Return the rows of the moons workload: the same-loss checks, then the two speed ratios."""
    rows: list[Row] = []
    X, y = moons.moons_data()
    start = moons.micrograd_initial_parameters()

    def fresh(name: str) -> moons.MoonsWorkload:
        if name == "micrograd":
            if micrograd is None:
                raise RuntimeError("measure_moons: micrograd workload asked for without micrograd")
            return moons.MicrogradMoons(micrograd, start, X, y)
        if name == "hand-written, no skipping":
            return moons.HandwrittenMoons(start, X, y, skip_zero_gradients=False)
        workloads: dict[str, Callable[..., moons.MoonsWorkload]] = {
            "lossgrad": moons.LossgradMoons,
            "hand-written": moons.HandwrittenMoons,
            "lossgrad, losses kept": moons.LossgradMoonsKeepingLosses,
            "lossgrad, micrograd's loop": moons.LossgradMicrogradLoop,
            "lossgrad, nn.fit": moons.LossgradFit,
        }
        return workloads[name](start, X, y)

    steps = settings.equivalence_steps
    worst = max(
        moons.max_loss_difference(fresh("lossgrad"), fresh(other), steps)
        for other in (
            "hand-written",
            "hand-written, no skipping",
            "lossgrad, losses kept",
            "lossgrad, micrograd's loop",
            "lossgrad, nn.fit",
        )
    )
    same_as_handwritten = worst <= LOSS_TOLERANCE
    rows.append(
        Row(
            f"moons: same loss as hand-written ({steps} steps)",
            f"max |diff| {worst:.1e}",
            "hand-written loops, micrograd's loop",
            "-",
            f"<= {LOSS_TOLERANCE:.0e}",
            same_as_handwritten,
            check=True,
            figures={"max_abs_difference": worst, "steps": steps},
        )
    )

    same_as_micrograd = False
    if micrograd is not None:
        reference = fresh("micrograd")
        weights_match = reference.own_initial_parameters == start  # type: ignore[attr-defined]
        steps = settings.micrograd_equivalence_steps
        worst = moons.max_loss_difference(fresh("lossgrad"), reference, steps)
        same_as_micrograd = worst <= LOSS_TOLERANCE and weights_match
        rows.append(
            Row(
                f"moons: same loss as micrograd ({steps} steps)",
                f"max |diff| {worst:.1e}",
                f"micrograd {_installed_version('micrograd')}",
                "-",
                f"<= {LOSS_TOLERANCE:.0e}",
                same_as_micrograd,
                note="" if weights_match else "micrograd's own initial weights differ from the replayed ones",
                check=True,
                figures={"max_abs_difference": worst, "steps": steps, "initial_weights_match": weights_match},
            )
        )
    else:
        rows.append(
            Row("moons: same loss as micrograd", "-", "-", "-", f"<= {LOSS_TOLERANCE:.0e}", None, why_no_micrograd)
        )

    workloads: list[moons.MoonsWorkload] = [
        fresh(name)
        for name in (
            "lossgrad",
            "hand-written",
            "hand-written, no skipping",
            "lossgrad, micrograd's loop",
            "lossgrad, nn.fit",
        )
    ]
    if micrograd is not None and same_as_micrograd:
        workloads.insert(0, fresh("micrograd"))
    times = _time_alternately(workloads, settings)
    median = {name: statistics.median(values) for name, values in times.items()}
    lossgrad_step = median["lossgrad"]

    if "micrograd" in median:
        loop_step = median["lossgrad, micrograd's loop"]
        loop_speedup = median["micrograd"] / loop_step
        rows.append(
            Row(
                "moons: micrograd's own loop on lossgrad vs micrograd",
                _ms(loop_step),
                f"{_ms(median['micrograd'])} (micrograd)",
                f"{loop_speedup:.1f}x faster",
                ">= 80x faster",
                loop_speedup >= 80.0,
                "" if loop_speedup >= 80.0 else _short_by(loop_speedup, 80.0, at_least=True),
                figures={"loop_seconds": loop_step, "micrograd_seconds": median["micrograd"], "speedup": loop_speedup},
            )
        )
        fit_step = median["lossgrad, nn.fit"]
        fit_speedup = median["micrograd"] / fit_step
        rows.append(
            Row(
                "moons: nn.fit vs micrograd",
                _ms(fit_step),
                f"{_ms(median['micrograd'])} (micrograd)",
                f"{fit_speedup:.1f}x faster",
                ">= 100x faster",
                fit_speedup >= 100.0,
                "" if fit_speedup >= 100.0 else _short_by(fit_speedup, 100.0, at_least=True),
                figures={"fit_seconds": fit_step, "micrograd_seconds": median["micrograd"], "speedup": fit_speedup},
            )
        )
        speedup = median["micrograd"] / lossgrad_step
        passed = speedup >= 100.0
        rows.append(
            Row(
                "moons: step time vs micrograd",
                _ms(lossgrad_step),
                f"{_ms(median['micrograd'])} (micrograd)",
                f"{speedup:.1f}x faster",
                ">= 100x faster",
                passed,
                "" if passed else _short_by(speedup, 100.0, at_least=True),
                figures={
                    "lossgrad_seconds": lossgrad_step,
                    "micrograd_seconds": median["micrograd"],
                    "speedup": speedup,
                    "samples": times,
                },
            )
        )
    else:
        note = why_no_micrograd if micrograd is None else "micrograd computed different losses: not timed"
        rows.append(Row("moons: step time vs micrograd", _ms(lossgrad_step), "-", "-", ">= 100x faster", None, note))

    # Two hand-written loops, one target each. The one that skips zero gradients does the work
    # lossgrad does, since lossgrad's backward skips them too; the plainer one multiplies through them.
    for name, what in (
        ("hand-written", "skips zero grads"),
        ("hand-written, no skipping", "every multiplication"),
    ):
        slowdown = lossgrad_step / median[name]
        passed = same_as_handwritten and slowdown <= 3.0
        rows.append(
            Row(
                f"moons: step time vs {name}",
                _ms(lossgrad_step),
                f"{_ms(median[name])} ({what})",
                f"{slowdown:.1f}x slower",
                "<= 3x slower",
                passed,
                "" if passed else _short_by(slowdown, 3.0, at_least=False),
                figures={
                    "lossgrad_seconds": lossgrad_step,
                    "handwritten_seconds": median[name],
                    "slowdown": slowdown,
                    "samples": {k: times[k] for k in ("lossgrad", name)},
                },
            )
        )
    return rows


def measure_kept_losses(settings: Settings) -> list[Row]:
    """Return the row comparing steps that keep every loss alive with steps that drop each one."""
    runs, warmup, steps = (1, 2, 5) if settings.quick else (4, 20, 80)
    times = scale.kept_losses_times(runs, warmup, steps)
    kept, dropped = statistics.median(times["kept"]), statistics.median(times["dropped"])
    kept_off = statistics.median(times["kept, collector off"])
    dropped_off = statistics.median(times["dropped, collector off"])
    ratio = kept / dropped
    passed = ratio <= 1.1
    return [
        Row(
            f"moons: every step's loss kept alive ({steps} steps, fresh processes)",
            _ms(kept),
            f"{_ms(dropped)} (each dropped)",
            f"{ratio:.2f}x",
            "<= 1.1x",
            passed,
            "" if passed else _short_by(ratio, 1.1, at_least=False),
            figures={"kept_seconds": kept, "dropped_seconds": dropped, "ratio": ratio, "samples": times},
        ),
        Row(
            f"moons: the same, Python's cyclic collector off ({steps} steps, fresh processes)",
            _ms(kept_off),
            f"{_ms(dropped_off)} (each dropped)",
            f"{kept_off / dropped_off:.2f}x",
            "-",
            None,
            "context: what is left once the collector no longer scans the kept graphs",
            info=True,
            figures={"kept_seconds": kept_off, "dropped_seconds": dropped_off, "ratio": kept_off / dropped_off},
        ),
    ]


def measure_chain(settings: Settings, micrograd: ModuleType | None, why_no_micrograd: str) -> list[Row]:
    """Return the rows of the long chain: it backpropagates, its memory per node, its growth."""
    rows: list[Row] = []
    nodes = settings.chain_nodes
    times = scale.chain_time(nodes)
    if micrograd is not None:
        depth = _micrograd_recursion_depth(micrograd)
        reference = f"micrograd: RecursionError at {depth:,} nodes" if depth else "micrograd: no failure"
    else:
        reference = f"micrograd: {why_no_micrograd}"
    rows.append(
        Row(
            f"chain of {nodes:,} ops: build + backward",
            f"{times.build + times.backward:.2f} s",
            reference,
            "-",
            "completes",
            True,
            figures={
                "nodes": nodes,
                "build_seconds": times.build,
                "backward_seconds": times.backward,
                "free_seconds": times.free,
            },
        )
    )

    held, peak = scale.chain_peak_bytes(nodes)
    per_node = peak / nodes
    number_held, number_peak = scale.chain_peak_bytes(nodes, number_operand=True)
    passed = per_node < 250.0
    rows.append(
        Row(
            f"chain of {nodes:,} ops: peak memory",
            f"{per_node:.0f} B/node (graph {held / nodes:.0f})",
            f"y + 1e-6: {number_peak / nodes:.0f} B/op, 2 nodes/op",
            "-",
            "< 250 B/node",
            passed,
            "" if passed else _short_by(per_node, 250.0, at_least=False),
            figures={
                "nodes": nodes,
                "peak_bytes": peak,
                "graph_bytes": held,
                "peak_bytes_per_node": per_node,
                "number_operand_peak_bytes": number_peak,
                "number_operand_graph_bytes": number_held,
            },
        )
    )

    def seconds_per_node(size: int, repeats: int) -> float:
        return statistics.median(scale.chain_time(size).total for _ in range(repeats)) / size

    def repeats_for(size: int) -> int:
        return max(3, min(30, 300_000 // size)) if not settings.quick else max(1, min(5, 20_000 // size))

    per_node_times = {size: seconds_per_node(size, repeats_for(size)) for size in settings.growth_sizes}
    # The same without the cyclic garbage collector, to show how much of the growth is its doing.
    gc.disable()
    try:
        without_gc = {size: seconds_per_node(size, max(1, repeats_for(size) // 3)) for size in settings.growth_sizes}
    finally:
        gc.enable()
    spread = max(per_node_times.values()) / min(per_node_times.values())
    spread_without_gc = max(without_gc.values()) / min(without_gc.values())
    passed = spread <= 1.5
    rows.append(
        Row(
            "chain time per node at " + " / ".join(f"{size:.0e}".replace("e+0", "e") for size in per_node_times),
            " / ".join(f"{t * 1e9:.0f}" for t in per_node_times.values()) + " ns",
            f"gc disabled: {spread_without_gc:.2f}x",
            f"{spread:.2f}x max/min",
            "<= 1.5x",
            passed,
            "" if passed else _short_by(spread, 1.5, at_least=False),
            figures={
                "sizes": list(per_node_times),
                "seconds_per_node": list(per_node_times.values()),
                "spread": spread,
                "seconds_per_node_gc_disabled": list(without_gc.values()),
                "spread_gc_disabled": spread_without_gc,
            },
        )
    )
    # The floor: the same chain of the barest Python objects, to show what the collector alone does.
    bare = {
        size: statistics.median(scale.bare_chain_time(size) for _ in range(repeats_for(size))) / size
        for size in settings.growth_sizes
    }
    gc.disable()
    try:
        bare_without_gc = {
            size: statistics.median(scale.bare_chain_time(size) for _ in range(repeats_for(size))) / size
            for size in settings.growth_sizes
        }
    finally:
        gc.enable()
    bare_spread = max(bare.values()) / min(bare.values())
    bare_spread_without_gc = max(bare_without_gc.values()) / min(bare_without_gc.values())
    rows.append(
        Row(
            "bare Python objects, same chain: time per node",
            " / ".join(f"{t * 1e9:.0f}" for t in bare.values()) + " ns",
            f"gc disabled: {bare_spread_without_gc:.2f}x",
            f"{bare_spread:.2f}x max/min",
            "-",
            None,
            "context: a number and a tuple per node, no engine; the growth is the cyclic collector's",
            info=True,
            figures={
                "sizes": list(bare),
                "seconds_per_node": list(bare.values()),
                "spread": bare_spread,
                "seconds_per_node_gc_disabled": list(bare_without_gc.values()),
                "spread_gc_disabled": bare_spread_without_gc,
            },
        )
    )
    return rows


def measure_leak(settings: Settings) -> list[Row]:
    """Return the row comparing memory after many training steps with memory after a few."""
    early, late = settings.leak_checkpoints
    memory = scale.training_memory([early, late])
    before, after = memory[early]["rss_bytes"], memory[late]["rss_bytes"]
    ratio = after / before
    block_ratio = memory[late]["blocks"] / memory[early]["blocks"]
    passed = abs(ratio - 1.0) <= 0.05 and abs(block_ratio - 1.0) <= 0.05
    return [
        Row(
            f"no leak: memory, {late:,} vs {early:,} moons steps",
            f"{after / 2**20:.1f} MiB RSS",
            f"{before / 2**20:.1f} MiB RSS",
            f"{ratio:.3f} (blocks {block_ratio:.3f})",
            "within 5%",
            passed,
            "" if passed else f"grew {100 * (max(ratio, block_ratio) - 1):.1f}%",
            figures={
                "checkpoints": [early, late],
                "memory": {str(k): v for k, v in memory.items()},
                "rss_ratio": ratio,
                "blocks_ratio": block_ratio,
            },
        )
    ]


def _run_quietly(run: Callable[[], int]) -> tuple[float, int]:
    """Return (seconds, exit status) of one run, what it prints kept off the terminal."""
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        start = time.perf_counter()
        status = run()
        took = time.perf_counter() - start
    return took, status


def measure_stall(settings: Settings) -> list[Row]:
    """Return the row timing the `stall` demo (both runs, MSE and BCE) at its defaults."""
    seconds: list[float] = []
    status = 0
    for _ in range(settings.stall_repeats):
        gc.collect()
        took, status = _run_quietly(lambda: cli.main(["stall"]))
        seconds.append(took)
        if status != 0:
            break
    took = statistics.median(seconds)
    passed = status == 0 and took < 0.5
    note = "" if passed else (f"exit status {status}" if status else _short_by(took, 0.5, at_least=False))
    return [
        Row(
            "`lossgrad stall` at defaults (both runs)",
            f"{took:.3f} s",
            "-",
            "-",
            "< 0.5 s (well under 1 s)",
            passed,
            note,
            figures={"seconds": took, "samples": seconds, "exit_status": status},
        )
    ]


def measure(settings: Settings, use_micrograd: bool = True) -> list[Row]:
    """Return every row of the table, measured with the given settings."""
    micrograd: ModuleType | None = None
    if not use_micrograd:
        why = "--without-micrograd"
    else:
        micrograd = moons.load_micrograd()
        why = f"micrograd is not installed (pip install {MICROGRAD_PIN})"
    rows = measure_moons(settings, micrograd, why)
    rows += measure_kept_losses(settings)
    rows += measure_leak(settings)
    rows += measure_stall(settings)
    rows += measure_chain(settings, micrograd, why)
    return rows


# ---------------------------------------------------------------------------- command line


def build_parser() -> argparse.ArgumentParser:
    """Return the parser of `python -m benchmarks`."""
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks",
        description="Measure lossgrad against micrograd 0.1.0 and a hand-written loop; print a table of targets.",
    )
    parser.add_argument(
        "--quick", action="store_true", help="a smaller run in seconds (a smoke test; figures not to quote)"
    )
    output = parser.add_mutually_exclusive_group()
    output.add_argument("--json", action="store_true", help="print JSON instead of the table")
    output.add_argument("--markdown", action="store_true", help="print the table as Markdown (for the README)")
    parser.add_argument("--without-micrograd", action="store_true", help="skip micrograd even when it is installed")
    parser.add_argument("--strict", action="store_true", help="exit 1 when any target is missed")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Return the exit status of the benchmark command: 1 if a correctness check failed
    (or, with --strict, a target was missed), else 0."""
    args = build_parser().parse_args(argv)
    settings = Settings.smoke() if args.quick else Settings.full()
    info = machine()
    rows = measure(settings, use_micrograd=not args.without_micrograd)
    checks_hold = all(row.passed for row in rows if row.check and row.passed is not None)
    targets_met = all(row.passed is not False for row in rows if not row.info)
    if args.json:
        report = {
            "machine": info,
            "quick": settings.quick,
            "checks_hold": checks_hold,
            "targets_met": targets_met,
            "rows": [asdict(row) | {"result": row.result} for row in rows],
        }
        print(json.dumps(report, indent=2))
    elif args.markdown:
        print(format_markdown(rows, info))
    else:
        print(format_table(rows, info))
        if settings.quick:
            print("\n(--quick: a smoke run on less work; run without --quick for figures to quote)")
    if not checks_hold:
        print("benchmarks: the workloads computed different losses; the timings mean nothing", file=sys.stderr)
        return 1
    if args.strict and not targets_met:
        return 1
    return 0
