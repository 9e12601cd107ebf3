"""``lossgrad stall``: squared error stalls where cross-entropy learns, measured on one sigmoid neuron.

The post's claim: at p = 0.01 cross-entropy's gradient is 50x stronger than squared error's,
"the difference between a model that learns in 10 epochs and one that stalls for hundreds".
This demo runs that experiment instead of asserting it.

The set-up, identical for both runs except the loss:

- data: two seeded Gaussian blobs in 2-D (``nn.make_blobs``), labels 0 and 1;
- model: one sigmoid neuron, p = sigmoid(w·x + b) (``nn.Neuron(2, activation="sigmoid")``);
- start: confidently wrong, and the same for both runs. The weights point exactly backwards, so
  the typical positive example gets p = 0.01 and the typical negative p = 0.99 (the weights are
  computed from the data: w = -k·u along the line between the class means, k and b chosen so that
  the median positive logit is logit(0.01) and the median negative logit is logit(0.99));
- training: plain gradient descent on the full batch (``nn.SGD``), the same learning rate;
- losses: ``losses.mse_loss`` on p, and ``losses.binary_cross_entropy`` on p (the ``base`` of the
  registry's ``mse`` and ``bce`` entries, which also give each run its name and colour).

Each epoch records the loss, the accuracy (p > 0.5 predicts class 1), and the mean over the
examples of |dℓ/dz|, the push each example's own loss gives its logit z (read off the z node
after ``backward()``, times n to undo the mean). Entry k describes the model after k updates.
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from nn import SGD, Neuron, make_blobs

from .arguments import (
    fraction,
    nonnegative_int,
    plot_path,
    positive_float,
    positive_int,
)
from .registry import BINARY_LOSSES, POST_LOSSES, BinaryLoss
from .terminal import Style, table

__all__ = [
    "Run",
    "StallConfig",
    "StallResult",
    "add_parser",
    "confidently_wrong_start",
    "run",
    "run_stall",
]


@dataclass(frozen=True)
class StallConfig:
    """The experiment's settings; the defaults are the command line's."""

    lr: float = 0.2
    epochs: int = 250
    target: float = 0.95
    seed: int = 0
    n: int = 40
    separation: float = 1.0  # the blobs' centres are (-s, -s) and (s, s)
    spread: float = 0.5
    start_p: float = 0.01  # the median positive's predicted probability at the start


@dataclass
class Run:
    """One training run's history: lists indexed by epoch 0 (the start) .. epochs."""

    loss_key: str  # the loss's key in the registry
    loss: list[float] = field(default_factory=list)
    accuracy: list[float] = field(default_factory=list)
    mean_abs_grad: list[float] = field(default_factory=list)
    seconds: float = 0.0

    def history(self) -> dict[str, Sequence[float]]:
        """Return the history as equally long lists: epoch (0, 1, ...), loss, accuracy, mean_abs_grad."""
        return {
            "epoch": list(range(len(self.loss))),
            "loss": self.loss,
            "accuracy": self.accuracy,
            "mean_abs_grad": self.mean_abs_grad,
        }

    def epochs_to(self, target: float) -> int | None:
        """Return the first epoch whose accuracy is >= target, or None if it never got there."""
        for epoch, accuracy in enumerate(self.accuracy):
            if accuracy >= target:
                return epoch
        return None


@dataclass
class StallResult:
    """Both runs of the experiment, with the settings and the starting weights."""

    config: StallConfig
    start: tuple[float, float, float]  # w0, w1, b
    runs: dict[str, Run]

    @property
    def epochs(self) -> int:
        """Return the number of training epochs run."""
        return len(self.runs["bce"].loss) - 1

    def reached(self) -> dict[str, int | None]:
        """Return, per loss, the first epoch that reached the target accuracy (None: not within the run)."""
        return {name: run.epochs_to(self.config.target) for name, run in self.runs.items()}

    def speedup(self) -> tuple[float | None, bool]:
        """Return (how many times fewer epochs BCE needed than MSE, whether it is only a lower bound).

        (None, False) when BCE itself did not reach the target.
        """
        reached = self.reached()
        bce, mse = reached["bce"], reached["mse"]
        if bce is None:
            return None, False
        denominator = max(bce, 1)  # reaching it at epoch 0 would mean no training was needed
        if mse is None:
            return (self.epochs + 1) / denominator, True
        return mse / denominator, False


def confidently_wrong_start(
    X: Sequence[tuple[float, float]], y: Sequence[int], start_p: float
) -> tuple[float, float, float]:
    """Return weights (w0, w1, b) that put the median positive at p = start_p and the median negative at 1 - start_p.

    w = -k·u, with u the unit vector from the negatives' mean to the positives' mean: the neuron
    points exactly the wrong way. k and b solve  -k·m1 + b = logit(start_p)  and
    -k·m0 + b = -logit(start_p), where m1, m0 are the median projections of each class on u.
    """
    if not 0.0 < start_p < 0.5:
        raise ValueError(f"confidently_wrong_start: start_p must be in (0, 0.5), got {start_p!r}")
    positives = [x for x, label in zip(X, y) if label == 1]
    negatives = [x for x, label in zip(X, y) if label == 0]
    if not positives or not negatives:
        raise ValueError("confidently_wrong_start: the data must contain both classes")
    mean1 = [statistics.fmean(x[i] for x in positives) for i in (0, 1)]
    mean0 = [statistics.fmean(x[i] for x in negatives) for i in (0, 1)]
    direction = [mean1[0] - mean0[0], mean1[1] - mean0[1]]
    norm = math.hypot(*direction)
    if norm == 0.0:
        raise ValueError("confidently_wrong_start: the two classes have the same mean")
    u = [direction[0] / norm, direction[1] / norm]
    m1 = statistics.median(x[0] * u[0] + x[1] * u[1] for x in positives)
    m0 = statistics.median(x[0] * u[0] + x[1] * u[1] for x in negatives)
    if m1 <= m0:
        raise ValueError("confidently_wrong_start: the classes' medians are not separated along their means")
    logit = math.log(start_p / (1.0 - start_p))  # negative
    k = -2.0 * logit / (m1 - m0)
    b = logit + k * m1
    return -k * u[0], -k * u[1], b


def _train(
    loss: BinaryLoss,
    X: Sequence[tuple[float, float]],
    y: Sequence[int],
    start: tuple[float, float, float],
    config: StallConfig,
) -> Run:
    """Return the history of training a fresh sigmoid neuron from start with one loss on its p."""
    if loss.takes != "probabilities":
        raise ValueError(f"stall: the neuron outputs probabilities; the loss {loss.key!r} takes logits")
    neuron = Neuron(2, activation="sigmoid", seed=0, name="neuron")
    (w0, w1), b = neuron.w, neuron.b
    w0.data, w1.data, b.data = start
    optimizer = SGD(neuron.parameters(), lr=config.lr)
    run = Run(loss.key)
    n = len(X)
    began = time.perf_counter()
    for epoch in range(config.epochs + 1):
        predictions = [neuron(x) for x in X]
        mean_loss = loss.base(predictions, y)
        optimizer.zero_grad()
        mean_loss.backward()
        run.loss.append(mean_loss.data)
        run.accuracy.append(sum((p.data > 0.5) == (label == 1) for p, label in zip(predictions, y)) / n)
        # p's only child is its logit z; z.grad is d(mean loss)/dz, so n·z.grad is the example's own push.
        run.mean_abs_grad.append(math.fsum(abs(p.children[0].grad) for p in predictions))
        if epoch < config.epochs:  # the last pass only measures the final model
            optimizer.step()
    run.seconds = time.perf_counter() - began
    return run


def run_stall(config: StallConfig = StallConfig()) -> StallResult:
    """Return both training runs (MSE and BCE) of the stall experiment under config."""
    centers = [(-config.separation, -config.separation), (config.separation, config.separation)]
    X, y = make_blobs(config.n, centers=centers, spread=config.spread, seed=config.seed)
    start = confidently_wrong_start(X, y, config.start_p)
    runs = {key: _train(BINARY_LOSSES[key], X, y, start, config) for key in POST_LOSSES}
    return StallResult(config, start, runs)


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Return the ``stall`` subcommand's parser, registered on subparsers."""
    defaults = StallConfig()
    parser = subparsers.add_parser(
        "stall",
        help=(
            "the headline: from the same confidently wrong start, cross-entropy learns in tens of epochs, "
            "MSE stalls for hundreds"
        ),
        description=(
            "Train one sigmoid neuron on a seeded two-class 2-D data set twice, from the same confidently wrong "
            "start (positives at p = 0.01, negatives at p = 0.99), with the same optimizer (full-batch gradient "
            "descent) and learning rate: once under squared error (MSE), once under binary cross-entropy (BCE). "
            "Prints loss, accuracy and mean |dL/dz| side by side, and the epoch each reached the target accuracy."
        ),
    )
    parser.add_argument(
        "--lr", type=positive_float, default=defaults.lr, help=f"learning rate for both runs (default: {defaults.lr})"
    )
    parser.add_argument(
        "--epochs",
        type=positive_int,
        default=defaults.epochs,
        help=f"epochs to train each run (default: {defaults.epochs})",
    )
    parser.add_argument(
        "--target",
        type=fraction,
        default=defaults.target,
        help=f"target accuracy, as 0.95 or 95 (default: {defaults.target:g})",
    )
    parser.add_argument(
        "--seed", type=nonnegative_int, default=defaults.seed, help=f"seed of the data set (default: {defaults.seed})"
    )
    parser.add_argument(
        "--every",
        type=positive_int,
        default=None,
        metavar="K",
        help="print a table row every K epochs (default: about 15 rows)",
    )
    parser.add_argument(
        "--plot",
        type=plot_path,
        default=None,
        metavar="FILE",
        help="also draw loss, accuracy and mean |dL/dz| per epoch to FILE (.svg or .png)",
    )
    parser.add_argument(
        "--json", action="store_true", help="print the settings, the verdict and the full history as JSON"
    )
    return parser


def run(args: argparse.Namespace) -> int:
    """Return 0 after running the experiment and printing its table and verdict (or JSON)."""
    config = StallConfig(lr=args.lr, epochs=args.epochs, target=args.target, seed=args.seed)
    result = run_stall(config)
    if args.json:
        print(json.dumps(_as_json(result), indent=2))
    else:
        _print_report(result, args.every, Style.for_stream())
    if args.plot is not None:
        from .plots import plot_stall

        histories = {key: r.history() for key, r in result.runs.items()}
        path = plot_stall(histories, args.plot, config.target)
        if not args.json:
            print(f"plot written to {path}")
    return 0


def _as_json(result: StallResult) -> dict[str, Any]:
    """Return the result as JSON-able data: settings, start, verdict, and each run's history."""
    ratio, lower_bound = result.speedup()
    return {
        "config": result.config.__dict__,
        "start": {"w": list(result.start[:2]), "b": result.start[2]},
        "reached_target_at_epoch": result.reached(),
        "speedup": ratio,
        "speedup_is_lower_bound": lower_bound,
        "history": {name: r.history() for name, r in result.runs.items()},
    }


def _rows_to_show(epochs: int, every: int | None, marks: Sequence[int | None]) -> list[int]:
    """Return the epochs to print: every K-th, the last, and each epoch a run reached the target."""
    step = every or max(1, _round_step(epochs / 15))
    shown = set(range(0, epochs + 1, step)) | {epochs}
    shown |= {m for m in marks if m is not None}
    return sorted(shown)


def _epochs(count: int | None) -> str:
    """Return "1 epoch" or "N epochs"."""
    return "1 epoch" if count == 1 else f"{count} epochs"


def _round_step(x: float) -> int:
    """Return a round step near x: 1, 2, 5, 10, 20, 25, 50, ..."""
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000):
        if step >= x:
            return step
    return int(10 ** math.ceil(math.log10(x)))


def _print_report(result: StallResult, every: int | None, style: Style) -> None:
    """Print the set-up, the side-by-side table and the verdict."""
    config = result.config
    reached = result.reached()
    target = f"{100 * config.target:g}%"
    mse, bce = (BINARY_LOSSES[key] for key in POST_LOSSES)
    w0, w1, b = result.start
    print(style.bold("One sigmoid neuron, two losses, the same confidently wrong start"))
    print(
        f"data: {config.n} points in two Gaussian blobs (seed {config.seed});  "
        f"start: w = ({w0:.2f}, {w1:.2f}), b = {b:.2f}"
    )
    print(
        f"      typical positive at p = {config.start_p:g}, typical negative at p = {1 - config.start_p:g}; "
        f"full-batch gradient descent, lr = {config.lr:g}, for {_epochs(result.epochs)}"
    )
    print()
    rows = []
    for epoch in _rows_to_show(result.epochs, every, list(reached.values())):
        cells = [str(epoch)]
        for key in POST_LOSSES:
            r = result.runs[key]
            accuracy = f"{100 * r.accuracy[epoch]:.0f}%"
            # Mark the epoch a run first reached the target; pad the others so the % signs line up.
            accuracy = style.good(accuracy + " *") if reached[key] == epoch else accuracy + "  "
            cells += [f"{r.loss[epoch]:.4f}", accuracy, f"{r.mean_abs_grad[epoch]:.4f}"]
        rows.append(cells)
    headers = ["epoch", *(["loss", "accuracy", "mean |dL/dz|"] * len(POST_LOSSES))]
    groups = [("", 1), *((style.paint(e.title, e.colour.terminal), 3) for e in (mse, bce))]
    for line in table(headers, rows, groups=groups):
        print(line)
    print(style.dim(f"* first epoch at or above the target accuracy of {target}"))
    print()
    for entry in (mse, bce):
        reached_at = reached[entry.key]
        if reached_at is None:
            print(f"{entry.short} did not reach {target} accuracy within {_epochs(result.epochs)} (>{result.epochs})")
        else:
            print(f"{entry.short} reached {target} accuracy at epoch {reached_at}")
    ratio, lower_bound = result.speedup()
    start_push = result.runs["mse"].mean_abs_grad[0], result.runs["bce"].mean_abs_grad[0]
    print(
        f"at the start, the mean push on the logit was {start_push[0]:.4f} under {mse.short} and "
        f"{start_push[1]:.4f} under {bce.short} ({start_push[1] / start_push[0]:.0f}x)"
    )
    if ratio is None:
        verdict = (
            f"verdict: {bce.short} did not reach {target} within {_epochs(result.epochs)} either; "
            "try more --epochs or a larger --lr"
        )
        print(style.warn(style.bold(verdict)))
        return
    times = f"more than {ratio:.0f}x" if lower_bound else f"{ratio:.1f}x"
    mse_epochs = reached["mse"]
    mse_text = f"more than {_epochs(result.epochs)}" if mse_epochs is None else _epochs(mse_epochs)
    verdict = (
        f"verdict: {bce.short} learned in {_epochs(reached['bce'])}, {mse.short} took {mse_text}: "
        f"cross-entropy got there {times} faster"
    )
    print(style.good(style.bold(verdict)))
    print(
        style.dim(
            '(the post: "the difference between a model that learns in 10 epochs and one that stalls for hundreds")'
        )
    )
