"""Depth, growth and leaks: a long chain of operations, and memory over many training steps.

- `chain_time` builds ``y = y + step`` n times (``step`` a leaf Value holding 1e-6, so each
  operation makes exactly one node), backpropagates, and frees the graph, returning the seconds
  each part took (micrograd's recursive sort fails at about 1,000 nodes).
- `chain_peak_bytes` does the same under tracemalloc and returns the memory it took; with
  ``number_operand=True`` the chain is ``y = y + 1e-6`` instead, where every operation also wraps
  the number in a Constant node.
- `bare_chain_time` builds the same chain out of the barest Python objects (a number and a tuple
  of operands each, no engine, no backward): how time per node grows with Python's cyclic garbage
  collector alone, the floor for any graph engine written in Python.
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

__all__ = ["Chain", "ChainTimes", "bare_chain_time", "build_chain", "chain_peak_bytes", "chain_time", "training_memory"]

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


@dataclass(frozen=True)
class Chain:
    """A chain ``root = start + step + step + ...`` of `operations` additions."""

    start: Value
    step: Value | float
    root: Value
    operations: int

    def check(self) -> None:
        """Raise RuntimeError unless backward gave the exact gradients: 1 for start, n for step."""
        expected = 1.0 + self.operations * STEP
        wrong = abs(self.root.data - expected) > 1e-9 * max(1.0, expected) or self.start.grad != 1.0
        if isinstance(self.step, Value):
            wrong = wrong or self.step.grad != float(self.operations)  # n additions of 1.0: exact
        if wrong:
            step_grad = self.step.grad if isinstance(self.step, Value) else "-"
            raise RuntimeError(
                f"chain of {self.operations}: got data {self.root.data!r} (expected about {expected!r}), "
                f"gradients {self.start.grad!r} for start (expected 1.0) and {step_grad!r} for step "
                f"(expected {float(self.operations)!r})"
            )


def build_chain(operations: int, number_operand: bool = False) -> Chain:
    """Return the chain ``start + step + ... + step`` of `operations` additions (not yet backpropagated).

    ``step`` is a leaf Value (one new node per operation), or with ``number_operand`` the float
    1e-6 (which each addition wraps as a Constant: two new nodes per operation).
    """
    start = Value(1.0, label="start")
    step: Value | float = STEP if number_operand else Value(STEP, label="step")
    root = start
    for _ in range(operations):
        root = root + step
    return Chain(start, step, root, operations)


def chain_time(nodes: int) -> ChainTimes:
    """Return the time to build, backpropagate and free a chain of `nodes` operations (gc at defaults)."""
    gc.collect()
    start = time.perf_counter()
    chain = build_chain(nodes)
    built = time.perf_counter()
    chain.root.backward()
    backpropagated = time.perf_counter()
    chain.check()
    checked = time.perf_counter()
    del chain
    freed = time.perf_counter()
    return ChainTimes(nodes, built - start, backpropagated - built, freed - checked)


class _BareNode:
    """The least a graph node can be in Python: a number and a tuple of operands."""

    __slots__ = ("children", "data")

    def __init__(self, data: float, children: tuple[_BareNode, ...]) -> None:
        self.data = data
        self.children = children


def bare_chain_time(nodes: int) -> float:
    """Return the seconds to build and free a chain of `nodes` `_BareNode` additions (gc at defaults).

    No engine and no backward pass: only the objects a chain of `nodes` operations has to be made
    of, so its time per node shows what the interpreter's cyclic collector adds as the graph grows.
    """
    gc.collect()
    start = time.perf_counter()
    step = _BareNode(STEP, ())
    root = _BareNode(1.0, ())
    for _ in range(nodes):
        root = _BareNode(root.data + step.data, (root, step))
    del root
    return time.perf_counter() - start


def chain_peak_bytes(nodes: int, number_operand: bool = False) -> tuple[int, int]:
    """Return (bytes held by the built chain, peak bytes while building and backpropagating it)."""
    gc.collect()
    was_tracing = tracemalloc.is_tracing()
    if not was_tracing:
        tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        before, _ = tracemalloc.get_traced_memory()
        chain = build_chain(nodes, number_operand)
        held, _ = tracemalloc.get_traced_memory()
        chain.root.backward()
        _, peak = tracemalloc.get_traced_memory()
        chain.check()
        del chain
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


_KEPT_LOSSES_SCRIPT = """
import gc, json, sys, time
from benchmarks.moons import LossgradMoons, LossgradMoonsKeepingLosses, micrograd_initial_parameters, moons_data

X, y = moons_data()
kind = LossgradMoonsKeepingLosses if sys.argv[1].startswith("kept") else LossgradMoons
if sys.argv[1].endswith("collector off"):
    gc.disable()
workload = kind(micrograd_initial_parameters(), X, y)
warmup, steps = int(sys.argv[2]), int(sys.argv[3])
for _ in range(warmup):
    workload.step()
start = time.perf_counter()
for _ in range(steps):
    workload.step()
print(json.dumps((time.perf_counter() - start) / steps))
"""


def kept_losses_times(runs: int, warmup: int, steps: int) -> dict[str, list[float]]:
    """Return seconds per moons step with every loss kept alive ("kept") and with each dropped ("dropped").

    Each run is a fresh process, the kinds taking turns, so what one keeps alive cannot slow
    the other: the figure is what keeping them costs the program that keeps them. The same two
    run again with Python's cyclic collector off ("kept, collector off", "dropped, collector
    off") show how much of that cost is the collector scanning the kept objects.
    """
    root = Path(__file__).resolve().parent.parent
    times: dict[str, list[float]] = {
        "dropped": [],
        "kept": [],
        "dropped, collector off": [],
        "kept, collector off": [],
    }
    for _ in range(runs):
        for kind in times:
            completed = subprocess.run(
                [sys.executable, "-c", _KEPT_LOSSES_SCRIPT, kind, str(warmup), str(steps)],
                cwd=root,
                capture_output=True,
                text=True,
                check=False,
            )
            if completed.returncode != 0:
                raise RuntimeError(f"kept_losses_times: the training process failed:\n{completed.stderr.strip()}")
            times[kind].append(float(json.loads(completed.stdout)))
    return times
