"""The step-through page's size and build time, and what recording the backward steps costs.

``python -m benchmarks.player`` (from the repository root) prints:

- the size of the page ``engine.drawing.step_through`` writes for a graph of about 200 nodes,
  and the time it takes to build it (the renderer's layout included), for two graphs: the
  squared error of a small tanh network on a few samples (the kind of graph a learner steps
  through), and a tangled random graph (harder to lay out);
- the time of ``backward()`` and of ``backward_steps()`` on a random graph of about 100,000
  nodes, best of a few runs on the same graph, and their ratio: what asking for the steps adds.

The random graphs are seeded: a few labelled inputs, then operations (+, -, *, tanh, sigmoid,
relu, an engine.dot of three pairs) on recent results, all summed into one root.
"""

from __future__ import annotations

import argparse
import random
import time
from collections.abc import Callable, Sequence

import engine
from engine import Value
from engine.drawing.graph import node_names
from engine.drawing.player import step_through

__all__ = ["backward_costs", "main", "network_graph", "page_cost", "random_graph"]


def network_graph(samples: int, width: int = 8, seed: int = 0) -> Value:
    """Return the summed squared error of a 2-`width`-1 tanh network on `samples` seeded points."""
    rng = random.Random(seed)
    hidden = [tuple(Value(rng.uniform(-1.0, 1.0), label=f"w{j}.{i}") for i in range(3)) for j in range(width)]
    output = tuple(Value(rng.uniform(-1.0, 1.0), label=f"v{i}") for i in range(width + 1))
    errors = []
    for n in range(samples):
        x = (
            1.0,
            Value(rng.uniform(-2.0, 2.0), label=f"x{n}"),
            Value(rng.uniform(-2.0, 2.0), label=f"y{n}"),
        )
        activations = [engine.dot(weights, x).tanh() for weights in hidden]
        prediction = engine.dot(output, (1.0, *activations))
        errors.append((prediction - rng.choice((-1.0, 1.0))) ** 2)
    loss = engine.sum(errors)
    loss.label = "loss"
    return loss


# The random graph's operations, each on two recent values (the dot product draws its own pairs).
_OPERATIONS: tuple[Callable[[Value, Value, list[Value], random.Random], Value], ...] = (
    lambda a, b, recent, rng: a + b,
    lambda a, b, recent, rng: a - b,
    lambda a, b, recent, rng: a * b,
    lambda a, b, recent, rng: a.tanh(),
    lambda a, b, recent, rng: a.sigmoid(),
    lambda a, b, recent, rng: a.relu(),
    lambda a, b, recent, rng: engine.dot(rng.sample(recent, 3), rng.sample(recent, 3)),
)


def random_graph(operations: int, seed: int = 0) -> Value:
    """Return the root of a seeded random graph: `operations` operations on recent values, summed.

    The first four values are labelled leaves x0 to x3; a result beyond ±10 goes through tanh.
    """
    rng = random.Random(seed)
    pool: list[Value] = [Value(rng.uniform(-1.0, 1.0), label=f"x{i}") for i in range(4)]
    unused = set(pool)
    for _ in range(operations):
        recent = pool[-12:]
        a, b = rng.choice(recent), rng.choice(recent)
        out = rng.choice(_OPERATIONS)(a, b, recent, rng)
        if abs(out.data) > 10.0:  # keep the numbers bounded: products of products overflow
            out = out.tanh()
        unused.discard(a)
        unused.discard(b)
        unused.add(out)
        pool.append(out)
    order = {value: index for index, value in enumerate(pool)}
    ends: list[Value] = sorted(unused, key=order.__getitem__)
    return engine.sum(ends)


def page_cost(root: Value) -> tuple[int, int, float]:
    """Return (nodes drawn, page bytes, seconds to build the page) for root's graph."""
    started = time.perf_counter()
    page = step_through(root)
    seconds = time.perf_counter() - started
    return len(node_names(root)), len(page.html().encode("utf-8")), seconds


def _about(nodes: int, make: Callable[[int], Value]) -> Value:
    """Return make(size) for the smallest size whose graph has at least `nodes` nodes."""
    size = 1
    while len(node_names(make(size))) < nodes:
        size += 1
    return make(size)


def backward_costs(operations: int, repeats: int = 3) -> tuple[float, float]:
    """Return the best seconds of backward() and of backward_steps() on one random graph."""
    root = random_graph(operations, seed=1)
    plain = steps = float("inf")
    for _ in range(repeats):
        started = time.perf_counter()
        root.backward()
        plain = min(plain, time.perf_counter() - started)
        started = time.perf_counter()
        recorded = root.backward_steps()
        steps = min(steps, time.perf_counter() - started)
        del recorded
    return plain, steps


def main(argv: Sequence[str] | None = None) -> int:
    """Print the page's size and build time, and the cost of recording the steps; return 0."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.player", description=__doc__.splitlines()[0])
    parser.add_argument("--nodes", type=int, default=200, help="nodes of the page's graph (default: 200)")
    parser.add_argument(
        "--big",
        type=int,
        default=100_000,
        help="operations of the backward graph (default: 100000)",
    )
    parser.add_argument("--repeats", type=int, default=3, help="runs of each backward, best kept (default: 3)")
    args = parser.parse_args(argv)

    graphs = {
        "a tanh network's squared error": _about(args.nodes, network_graph),
        "a tangled random graph": _about(args.nodes, random_graph),
    }
    for name, root in graphs.items():
        drawn, size, seconds = page_cost(root)
        print(
            f"step-through page of {name}, {drawn} nodes: {size / 1024:.0f} KB, "
            f"built in {seconds:.2f} s (target: under 1 MB and under 2 s)"
        )
    plain, steps = backward_costs(args.big, args.repeats)
    print(
        f"backward() on {args.big:,} operations: {plain * 1000:.1f} ms; backward_steps(): "
        f"{steps * 1000:.1f} ms; ratio {steps / plain:.2f}x (target: at most 2x)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
