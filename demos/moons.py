"""``lossgrad moons``: micrograd's classic demo, an MLP learning two moons, on lossgrad.

The set-up is micrograd's: MLP(2, [16, 16, 1]) with relu hidden layers and a linear output (a
score), 100 points of two interleaving moons labelled -1 and +1, the hinge loss max(0, 1 - y·s)
averaged over the data plus 1e-4 times the sum of squared parameters, 100 steps of full-batch
gradient descent with the learning rate decaying from 1.0 to 0.1 (1.0 - 0.9·k/100). A point is
classified +1 when its score is > 0.

A learning rate too large makes training diverge: the loss grows by orders of magnitude in a
few steps, long before any number overflows (which ``fit`` itself reports). `train_moons` stops
a run whose loss has grown to `DIVERGED` times its first step's, with a ``DivergenceError``
naming the step; the command reports it in one line and exits with status 2.

``--html FILE`` also writes the replay page of the training (``nn.replay``, built by
`moons_page`): fit keeps a snapshot of every step, and the page plays back the decision
boundary, the curves and the network's weights and gradients step by step.
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable
from typing import cast

from engine.pages import Page
from losses import hinge_loss
from nn import MLP, SGD, DivergenceError, History, ProgressBar, fit, make_moons
from nn.replay import ReplayRun, replay_page

from .arguments import (
    MAX_POINTS,
    MAX_STEPS,
    html_path,
    nonnegative_float,
    plot_path,
    point_count,
    positive_float,
    seed_number,
    step_count,
)
from .registry import BINARY_LOSSES
from .terminal import Style, bar_width, number_text, paragraph

__all__ = ["DIVERGED", "PAGE_RESOLUTION", "add_parser", "moons_page", "run", "train_moons"]

DIVERGED = 1e3  # a loss this many times the first step's: the run has left the data behind
# Grid points of the page's decision boundary along the data's longer side: evaluating the MLP
# on the grid at every step is most of the page's build time.
PAGE_RESOLUTION = 28


def train_moons(
    steps: int = 100,
    lr: float = 1.0,
    points: int = 100,
    noise: float = 0.1,
    seed: int = 0,
    l2: float = 1e-4,
    on_step: Callable[[int, History], None] | None = None,
    record_every: int | None = None,
) -> tuple[MLP, list[tuple[float, float]], list[int], History]:
    """Return (model, X, y, history) after micrograd's moons training: hinge loss + l2, decaying lr.

    ``on_step(step, history)`` is called after each step (fit's ``on_epoch``); with
    ``record_every`` k, ``history.snapshots`` holds a snapshot every k steps (fit's).

    Raises:
      DivergenceError: the loss grew to `DIVERGED` times the first step's (or a number
        overflowed); its ``history`` holds the steps up to there.
    """
    X, y = make_moons(points, noise=noise, seed=seed, labels="pm1")
    model = MLP(2, [16, 16, 1], seed=seed)
    optimizer = SGD(model.parameters(), lr=lr)

    def after_step(step: int, history: History) -> None:
        if on_step is not None:
            on_step(step, history)
        first, last = history.loss[0], history.loss[-1]
        if first > 0.0 and last > DIVERGED * first:
            raise DivergenceError(
                f"train_moons: training diverged at step {step} of {steps} (lr={lr:g}): the loss "
                f"grew from {number_text(first)} at step 1 to {number_text(last)}; a smaller --lr "
                "usually fixes this",
                step,
                history,
            )

    history = fit(
        model,
        hinge_loss,
        X,
        y,
        epochs=steps,
        optimizer=optimizer,
        l2=l2,
        lr_schedule=lambda k: lr * (1.0 - 0.9 * k / steps),  # micrograd: 1.0 - 0.9·k/100
        on_epoch=after_step,
        record_every=record_every,
    )
    return model, X, y, history


def moons_page(model: MLP, X: list[tuple[float, float]], y: list[int], history: History) -> Page:
    """Return the replay page of a moons training recorded with ``train_moons(record_every=k)``."""
    if history.snapshots is None:
        raise ValueError("moons_page: the history has no snapshots; train with record_every=1")
    hinge = BINARY_LOSSES["hinge"]
    description = (
        "micrograd's demo on lossgrad: MLP(2, [16, 16, 1]) (relu, a linear score out) learns "
        f"{len(X)} points of two moons under the hinge loss max(0, 1 − y·s) plus 1e-4 L2, by "
        "full-batch gradient descent with a decaying learning rate. Step k is the model after "
        "k steps; the network's edges are its weights (blue above 0, orange below), as thick "
        "as their gradient. Press Play, scrub, or click an edge."
    )
    return replay_page(
        [ReplayRun(hinge.title, hinge.colour.hex, history, model)],
        X,
        y,
        title="An MLP learns two moons",
        description=description,
        resolution=PAGE_RESOLUTION,
    )


def accuracy_of(model: MLP, X: list[tuple[float, float]], y: list[int]) -> float:
    """Return the fraction of points whose score has the sign of their label."""
    scores = cast(list[float], model.predict(X))  # one float per point: the model has one output
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
    parser.add_argument(
        "--steps",
        type=step_count,
        default=100,
        help=f"training steps, 1 to {MAX_STEPS:,} (default: 100)",
    )
    parser.add_argument("--lr", type=positive_float, default=1.0, help="starting learning rate (default: 1.0)")
    parser.add_argument(
        "--points",
        type=point_count,
        default=100,
        help=f"number of points, 2 to {MAX_POINTS:,} (default: 100)",
    )
    parser.add_argument("--noise", type=nonnegative_float, default=0.1, help="noise of the moons (default: 0.1)")
    parser.add_argument(
        "--seed",
        type=seed_number,
        default=0,
        help="seed of the data and the initial weights, 0 to 2**32 - 1 (default: 0)",
    )
    parser.add_argument(
        "--plot",
        type=plot_path,
        default=None,
        metavar="FILE",
        help="draw the decision boundary and the points to FILE (.svg or .png)",
    )
    parser.add_argument("--json", action="store_true", help="print the result and the history as JSON")
    parser.add_argument(
        "--html",
        type=html_path,
        default=None,
        metavar="FILE",
        help="also write a page replaying the training step by step to FILE (.html, offline)",
    )
    return parser


def run(args: argparse.Namespace) -> int:
    """Return 0 after training, printing the progress and the final accuracy (and drawing the boundary)."""
    style = Style.for_stream()
    # The bar's line: "training [...] 100/100  loss 0.0113  accuracy 100%".
    width = bar_width(len("training ") + 2 + 2 * len(str(args.steps)) + 2 + len("  loss 0.0113  accuracy 100%"))
    bar = None if args.json else ProgressBar(args.steps, label="training ", width=width)

    def on_step(step: int, history: History) -> None:
        if bar is not None:
            loss = number_text(history.loss[-1])
            bar.update(step, f"loss {loss}  accuracy {100 * history.accuracy[-1]:.0f}%")

    if not args.json:
        setup = f"hinge loss + 1e-4 L2, {args.steps} steps"
        title = f"MLP(2, [16, 16, 1]) on {args.points} moon points: {setup}"
        print(style.bold(paragraph(title)))
    began = time.perf_counter()
    try:
        model, X, y, history = train_moons(
            args.steps,
            args.lr,
            args.points,
            args.noise,
            args.seed,
            on_step=on_step,
            record_every=1 if args.html is not None else None,
        )
    except DivergenceError as error:  # end the bar's line where it stopped, then the one-line error
        if bar is not None:
            bar.finish("diverged", done=error.history.epochs)
        raise
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
            bar.finish(f"loss {number_text(history.loss[-1])}")
        points = f"{round(accuracy * len(X))}/{len(X)} points"
        loss = number_text(history.loss[-1])
        verdict = paragraph(f"final accuracy {100 * accuracy:.0f}% ({points}), loss {loss}")
        print(style.good(style.bold(verdict)) if accuracy >= 0.95 else style.bold(verdict))
        print(style.dim(paragraph(f"{model.num_parameters()} parameters trained in {seconds:.1f}s")))
    if args.plot is not None:
        from .plots import plot_decision_boundary

        def score(a: float, b: float) -> float:
            (at_point,) = cast(list[float], model.predict([(a, b)]))  # one output
            return at_point

        path = plot_decision_boundary(
            score,
            X,
            y,
            args.plot,
            title=f"MLP(2, [16, 16, 1]) on two moons: {100 * accuracy:.0f}% accuracy",
        )
        if not args.json:
            print(f"plot written to {path}")
    if args.html is not None:
        path = moons_page(model, X, y, history).save(args.html)
        if not args.json:
            print(f"page written to {path}")
    return 0
