"""Depth, growth and leaks: a long chain of operations, and memory over many training steps.

- `chain_time` builds ``y = y + 1e-6`` n times from a leaf, backpropagates, and frees the graph,
  returning the seconds each part took (micrograd's recursive sort fails at about 1,000 nodes).
- `chain_peak_bytes` does the same under tracemalloc and returns the peak memory it took.
- `training_memory` trains the moons workload in a fresh Python process and returns its memory
  after a given number of steps (a leak shows up as memory that keeps growing).
"""

from __future__ import annotations

import gc
import json
import subprocess
import sys
import time
import tracemalloc
from dataclasses import dataclass
from pathlib import Path

from engine import Value

__all__ = ["ChainTimes", "build_chain", "chain_time", "chain_peak_bytes", "training_memory"]

STEP = 1e-6  # what each operation of the chain adds


@dataclass(frozen=True)
class ChainTimes:
    """Seconds spent building, backpropagating and freeing a chain of `nodes` operations."""

    nodes: int
    build: float
    backward: float
    free: float

    @property
    def total(self) -> float:
        """Return build + backward + free, in seconds."""
        return self.build + self.backward + self.free


def build_chain(nodes: int) -> tuple[Value, Value]:
    """Return (leaf, root) of the chain ``leaf + 1e-6 + 1e-6 + ...`` with `nodes` additions."""
    leaf = Value(1.0, label="x")
    root = leaf
    for _ in range(nodes):
        root = root + STEP
    return leaf, root


def _check_chain(leaf: Value, root: Value, nodes: int) -> None:
    """Raise RuntimeError unless the chain computed its value and gradient correctly."""
    expected = 1.0 + nodes * STEP
    if abs(root.data - expected) > 1e-9 * max(1.0, nodes * STEP) or leaf.grad != 1.0:
        raise RuntimeError(
            f"chain of {nodes}: got data {root.data!r} (expected about {expected!r}) "
            f"and leaf gradient {leaf.grad!r} (expected 1.0)"
        )


def chain_time(nodes: int) -> ChainTimes:
    """Return the time to build, backpropagate and free a chain of `nodes` operations (gc at defaults)."""
    gc.collect()
    start = time.perf_counter()
    leaf, root = build_chain(nodes)
    built = time.perf_counter()
    root.backward()
    backpropagated = time.perf_counter()
    _check_chain(leaf, root, nodes)
    checked = time.perf_counter()
    del root
    freed = time.perf_counter()
    return ChainTimes(nodes, built - start, backpropagated - built, freed - checked)


def chain_peak_bytes(nodes: int) -> tuple[int, int]:
    """Return (bytes held by the built chain, peak bytes while building and backpropagating it)."""
    gc.collect()
    was_tracing = tracemalloc.is_tracing()
    if not was_tracing:
        tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        before, _ = tracemalloc.get_traced_memory()
        leaf, root = build_chain(nodes)
        held, _ = tracemalloc.get_traced_memory()
        root.backward()
        _, peak = tracemalloc.get_traced_memory()
        _check_chain(leaf, root, nodes)
        del root
    finally:
        if not was_tracing:
            tracemalloc.stop()
    return held - before, peak - before


_TRAINING_SCRIPT = """
import gc, json, sys
from benchmarks.moons import LossgradMoons, micrograd_initial_parameters, moons_data

def memory():
    gc.collect()
    with open("/proc/self/statm") as statm:
        rss_pages = int(statm.read().split()[1])
    import resource
    return {"rss_bytes": rss_pages * resource.getpagesize(), "blocks": sys.getallocatedblocks()}

X, y = moons_data()
workload = LossgradMoons(micrograd_initial_parameters(), X, y)
checkpoints = sorted(int(s) for s in sys.argv[1:])
results = {}
done = 0
for checkpoint in checkpoints:
    while done < checkpoint:
        workload.step()
        done += 1
    results[checkpoint] = memory()
print(json.dumps(results))
"""


def training_memory(checkpoints: list[int]) -> dict[int, dict[str, int]]:
    """Return, for each checkpoint, the RSS in bytes and the allocated pymalloc blocks of a fresh
    process after that many moons training steps (measured after gc.collect(); Linux only)."""
    root = Path(__file__).resolve().parent.parent
    completed = subprocess.run(
        [sys.executable, "-c", _TRAINING_SCRIPT, *map(str, checkpoints)],
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
    )
    if completed.returncode != 0:
        raise RuntimeError(f"training_memory: the training process failed:\n{completed.stderr.strip()}")
    return {int(k): v for k, v in json.loads(completed.stdout).items()}
