"""``lossgrad moons``: micrograd's classic demo, an MLP learning two moons, on lossgrad.

The set-up is micrograd's: MLP(2, [16, 16, 1]) with relu hidden layers and a linear output (a
score), 100 points of two interleaving moons labelled -1 and +1, the hinge loss max(0, 1 - y·s)
averaged over the data plus 1e-4 times the sum of squared parameters, 100 steps of full-batch
gradient descent with the learning rate decaying from 1.0 to 0.1 (1.0 - 0.9·k/100). A point is
classified +1 when its score is > 0.
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable

from losses import hinge_loss
from nn import MLP, SGD, History, ProgressBar, fit, make_moons

from .arguments import (
    nonnegative_float,
    nonnegative_int,
    plot_path,
    positive_float,
    positive_int,
    two_or_more,
)
from .terminal import Style

__all__ = ["add_parser", "run", "train_moons"]


def train_moons(
    steps: int = 100,
    lr: float = 1.0,
    points: int = 100,
    noise: float = 0.1,
    seed: int = 0,
    l2: float = 1e-4,
    on_step: Callable[[int, History], None] | None = None,
) -> tuple[MLP, list[tuple[float, float]], list[int], History]:
    """Return (model, X, y, history) after micrograd's moons training: hinge loss + l2, decaying lr.

    ``on_step(step, history)`` is called after each step (fit's ``on_epoch``).
    """
    X, y = make_moons(points, noise=noise, seed=seed, labels="pm1")
    model = MLP(2, [16, 16, 1], seed=seed)
    optimizer = SGD(model.parameters(), lr=lr)
    history = fit(
        model,
        hinge_loss,
        X,
        y,
        epochs=steps,
        optimizer=optimizer,
        l2=l2,
        lr_schedule=lambda k: lr * (1.0 - 0.9 * k / steps),  # micrograd: 1.0 - 0.9·k/100
        on_epoch=on_step,
    )
    return model, X, y, history


def accuracy_of(model: MLP, X: list[tuple[float, float]], y: list[int]) -> float:
    """Return the fraction of points whose score has the sign of their label."""
    scores = model.predict(X)  # one float per point: the model has one output
    return sum((score > 0) == (label > 0) for score, label in zip(scores, y)) / len(X)


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Return the ``moons`` subcommand's parser, registered on subparsers."""
    parser = subparsers.add_parser(
        "moons",
        help="micrograd's demo: MLP(2, [16, 16, 1]) learns two moons with the hinge loss",
        description=(
            "micrograd's classic demo on lossgrad: MLP(2, [16, 16, 1]) (relu, linear output), hinge loss "
            "plus 1e-4 L2, full-batch gradient descent with the learning rate decaying from --lr to a tenth of it."
        ),
    )
    parser.add_argument("--steps", type=positive_int, default=100, help="training steps (default: 100)")
    parser.add_argument("--lr", type=positive_float, default=1.0, help="starting learning rate (default: 1.0)")
    parser.add_argument("--points", type=two_or_more, default=100, help="number of points, at least 2 (default: 100)")
    parser.add_argument("--noise", type=nonnegative_float, default=0.1, help="noise of the moons (default: 0.1)")
    parser.add_argument(
        "--seed", type=nonnegative_int, default=0, help="seed of the data and the initial weights (default: 0)"
    )
    parser.add_argument(
        "--plot",
        type=plot_path,
        default=None,
        metavar="FILE",
        help="draw the decision boundary and the points to FILE (.svg or .png)",
    )
    parser.add_argument("--json", action="store_true", help="print the result and the history as JSON")
    return parser


def run(args: argparse.Namespace) -> int:
    """Return 0 after training, printing the progress and the final accuracy (and drawing the boundary)."""
    style = Style.for_stream()
    bar = None if args.json else ProgressBar(args.steps, label="training ")

    def on_step(step: int, history: History) -> None:
        if bar is not None:
            bar.update(step, f"loss {history.loss[-1]:.4f}  accuracy {100 * history.accuracy[-1]:.0f}%")

    if not args.json:
        print(style.bold(f"MLP(2, [16, 16, 1]) on {args.points} moon points: hinge loss + 1e-4 L2, {args.steps} steps"))
    began = time.perf_counter()
    model, X, y, history = train_moons(args.steps, args.lr, args.points, args.noise, args.seed, on_step=on_step)
    seconds = time.perf_counter() - began
    accuracy = accuracy_of(model, X, y)
    if args.json:
        print(
            json.dumps(
                {
                    "accuracy": accuracy,
                    "final_loss": history.loss[-1],
                    "seconds": seconds,
                    "parameters": model.num_parameters(),
                    "history": history.as_dict(),
                },
                indent=2,
            )
        )
    else:
        if bar is not None:
            bar.finish(f"loss {history.loss[-1]:.4f}")
        points = f"{round(accuracy * len(X))}/{len(X)} points"
        verdict = f"final accuracy {100 * accuracy:.0f}% ({points}), loss {history.loss[-1]:.4f}"
        print(style.good(style.bold(verdict)) if accuracy >= 0.95 else style.bold(verdict))
        print(style.dim(f"{model.num_parameters()} parameters trained in {seconds:.1f}s"))
    if args.plot is not None:
        from .plots import plot_decision_boundary

        def score(a: float, b: float) -> float:
            (at_point,) = model.predict([(a, b)])
            return at_point

        path = plot_decision_boundary(
            score, X, y, args.plot, title=f"MLP(2, [16, 16, 1]) on two moons: {100 * accuracy:.0f}% accuracy"
        )
        if not args.json:
            print(f"plot written to {path}")
    return 0
