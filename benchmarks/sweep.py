"""How long ``lossgrad sweep`` takes at its defaults (target: 60 s on a 2-core machine).

``python -m benchmarks.sweep`` (from the repository root) runs the command at its defaults in a
fresh process, best of ``--repeat``, and prints its wall time (the start of Python included)
beside the target, then the sweep alone in this process: the runs, their passes (a forward and
a backward pass over the data, one per epoch), and the time per pass. Every run stops at the
epoch it reaches the target accuracy, so the time is spent mostly where squared error stalls.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time

from demos.sweep import SweepConfig, run_sweep

__all__ = ["TARGET_SECONDS", "command_seconds", "main"]

TARGET_SECONDS = 60.0  # on a 2-core machine


def command_seconds(repeat: int) -> float:
    """Return the best wall time in seconds of ``lossgrad sweep`` in a fresh process."""
    best = float("inf")
    for _ in range(repeat):
        began = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "demos", "sweep"],
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        best = min(best, time.perf_counter() - began)
    return best


def main(argv: list[str] | None = None) -> int:
    """Print the sweep's time at its defaults against its target; return 0."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.sweep", description=__doc__)
    parser.add_argument("--repeat", type=int, default=1, help="runs of the command (default: 1)")
    args = parser.parse_args(argv)
    seconds = command_seconds(args.repeat)
    print(f"lossgrad sweep at its defaults: {seconds:.1f}s (target {TARGET_SECONDS:.0f}s on 2 cores;")
    print(f"  this machine has {os.cpu_count()} cores, the sweep uses one)")
    config = SweepConfig()
    result = run_sweep(config)
    runs = 2 * len(config.start_ps) * len(config.lrs)
    # A run that reached the target at epoch e made e + 1 passes; one that did not, epochs + 1.
    reached = [e for grid in result.epochs.values() for row in grid for e in row]
    passes = sum(config.epochs + 1 if e is None else e + 1 for e in reached)
    print(
        f"  in this process: {runs} runs, {passes:,} passes in {result.seconds:.1f}s, "
        f"{1000 * result.seconds / passes:.2f} ms a pass"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
