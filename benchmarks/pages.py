"""The replay pages' size and build time: ``lossgrad stall --html``, ``lossgrad stall --classes 3
--html`` and ``lossgrad moons --html``.

``python -m benchmarks.pages`` (from the repository root) runs each command at its defaults in a
fresh process, best of ``--repeat``, and prints the page's size and the command's wall time (the
start of Python and the training included) beside its targets: stall under 2 MB and 3 s, moons
under 3 MB and 10 s (the K-class page has none). Then where the time goes, measured in this
process: training with a snapshot of every epoch, and building the page from them (mostly the
decision boundary or regions: the model evaluated on the grid at each snapshot).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from demos.moons import moons_page, train_moons
from demos.stall import StallConfig, run_stall, stall_page

__all__ = ["PAGES", "command_cost", "main", "phases"]

# The page, its command line, and its targets (bytes, seconds; None: no target).
PAGES: dict[str, tuple[list[str], int | None, float | None]] = {
    "stall": (["stall"], 2_000_000, 3.0),
    "stall K=3": (["stall", "--classes", "3"], None, None),
    "moons": (["moons"], 3_000_000, 10.0),
}
STALL_CLASSES = {"stall": 2, "stall K=3": 3}  # the stall pages' number of classes


def command_cost(arguments: list[str], repeat: int) -> tuple[int, float]:
    """Return (page size in bytes, best wall time in seconds) of ``lossgrad ARGUMENTS --html``."""
    best = float("inf")
    size = 0
    with tempfile.TemporaryDirectory() as folder:
        page = Path(folder) / "page.html"
        for _ in range(repeat):
            began = time.perf_counter()
            subprocess.run(
                [sys.executable, "-m", "demos", *arguments, "--html", str(page)],
                check=True,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            best = min(best, time.perf_counter() - began)
            size = page.stat().st_size
    return size, best


def _timed(work: Callable[[], object]) -> tuple[object, float]:
    began = time.perf_counter()
    result = work()
    return result, time.perf_counter() - began


def phases(name: str) -> tuple[float, float]:
    """Return (training seconds, page-building seconds) of one page, in this process."""
    if name in STALL_CLASSES:
        config = StallConfig(classes=STALL_CLASSES[name])
        result, training = _timed(lambda: run_stall(config, record=True))
        _, building = _timed(lambda: stall_page(result))  # type: ignore[arg-type]
    else:
        trained, training = _timed(lambda: train_moons(record_every=1))
        _, building = _timed(lambda: moons_page(*trained))  # type: ignore[misc]
    return training, building


def main(argv: list[str] | None = None) -> int:
    """Print each page's size and build time against its targets; return 0."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.pages", description=__doc__)
    parser.add_argument("--repeat", type=int, default=3, help="runs of each command (default: 3)")
    args = parser.parse_args(argv)
    print(f"{'page':<10}{'size':>10}{'target':>10}{'build':>9}{'target':>9}  in this process")
    for name, (arguments, size_target, seconds_target) in PAGES.items():
        size, seconds = command_cost(arguments, args.repeat)
        training, building = phases(name)
        size_goal = "-" if size_target is None else f"{size_target / 1e6:.1f}MB"
        seconds_goal = "-" if seconds_target is None else f"{seconds_target:.0f}s"
        print(
            f"{name:<10}{size / 1e6:>8.2f}MB{size_goal:>10}{seconds:>8.2f}s"
            f"{seconds_goal:>9}  training {training:.2f}s, page {building:.2f}s"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
