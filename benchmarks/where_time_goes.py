"""Where a step of the moons workload spends its time: each phase, and the cycle collector's share.

    python -m benchmarks.where_time_goes [--steps 50] [--warmup 30]

Trains lossgrad on micrograd's moons workload (as `python -m benchmarks` does, from micrograd's
initial weights) and times each phase of a step on its own: the forward pass, the loss, zero_grad
with backward, the SGD update, and freeing the step's graph. A `gc.callbacks` hook times every run
of Python's cyclic garbage collector (left at its defaults) and charges it to the phase it
interrupted. The figures are means over the timed steps; the warm-up steps come first, untimed,
because the work of a step shrinks as more examples meet their margin.
"""

from __future__ import annotations

import argparse
import gc
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from .moons import LossgradMoons, micrograd_initial_parameters, moons_data

__all__ = ["PHASES", "PhaseTimes", "format_phases", "main", "time_phases"]

PHASES = ("forward", "loss", "backward", "update", "free")


@dataclass(frozen=True)
class PhaseTimes:
    """Mean seconds per step in each phase, and the part of it the cycle collector took."""

    steps: int
    seconds: dict[str, float]
    collector: dict[str, float]

    @property
    def total(self) -> float:
        """Return the mean seconds of a whole step."""
        return sum(self.seconds.values())


def time_phases(steps: int = 50, warmup: int = 30) -> PhaseTimes:
    """Return the mean time of each phase over `steps` moons steps taken after `warmup` untimed ones."""
    if steps < 1 or warmup < 0:
        raise ValueError(f"time_phases: steps must be >= 1 and warmup >= 0, got steps={steps}, warmup={warmup}")
    X, y = moons_data()
    workload = LossgradMoons(micrograd_initial_parameters(), X, y)
    for _ in range(warmup):
        workload.step()

    seconds = dict.fromkeys(PHASES, 0.0)
    collector = dict.fromkeys(PHASES, 0.0)
    phase = PHASES[0]
    started = 0.0

    def on_collection(event: str, info: dict[str, Any]) -> None:
        nonlocal started
        if event == "start":
            started = time.perf_counter()
        else:
            collector[phase] += time.perf_counter() - started

    gc.collect()
    gc.callbacks.append(on_collection)
    try:
        for _ in range(steps):
            marks = [time.perf_counter()]
            phase = "forward"
            scores = workload.forward()
            marks.append(time.perf_counter())
            phase = "loss"
            loss = workload.loss(scores)
            marks.append(time.perf_counter())
            phase = "backward"
            workload.backward(loss)
            marks.append(time.perf_counter())
            phase = "update"
            workload.update()
            marks.append(time.perf_counter())
            phase = "free"
            del scores, loss  # the last references to the step's graph
            marks.append(time.perf_counter())
            for name, start, end in zip(PHASES, marks, marks[1:]):
                seconds[name] += end - start
    finally:
        gc.callbacks.remove(on_collection)
    return PhaseTimes(
        steps,
        {name: total / steps for name, total in seconds.items()},
        {name: total / steps for name, total in collector.items()},
    )


def format_phases(times: PhaseTimes) -> str:
    """Return the phases as a small table: milliseconds per step, the collector's part, the share of the step."""
    lines = [f"{'phase':<10}{'ms/step':>9}{'collector':>11}{'share':>8}"]
    for name in PHASES:
        lines.append(
            f"{name:<10}{times.seconds[name] * 1e3:>9.2f}{times.collector[name] * 1e3:>11.2f}"
            f"{times.seconds[name] / times.total:>8.0%}"
        )
    collected = sum(times.collector.values())
    lines.append(f"{'step':<10}{times.total * 1e3:>9.2f}{collected * 1e3:>11.2f}{collected / times.total:>8.0%}")
    lines.append(f"(means over {times.steps} steps; the last column of 'step' is the collector's share)")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """Print where a moons step's time goes; return the exit status."""
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.where_time_goes",
        description="Where a step of the moons workload spends its time: each phase, and the cycle collector's share.",
    )
    parser.add_argument("--steps", type=int, default=50, help="timed steps (default 50)")
    parser.add_argument("--warmup", type=int, default=30, help="untimed steps first (default 30)")
    args = parser.parse_args(argv)
    try:
        times = time_phases(args.steps, args.warmup)
    except ValueError as error:
        parser.error(str(error))
    print(format_phases(times))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
