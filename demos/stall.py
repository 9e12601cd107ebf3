"""``lossgrad stall``: squared error stalls where cross-entropy learns, measured on one sigmoid neuron.

The post's claim: at p = 0.01 cross-entropy's gradient is 50x stronger than squared error's,
"the difference between a model that learns in 10 epochs and one that stalls for hundreds".
This demo runs that experiment instead of asserting it.

The set-up, identical for every run except the loss:

- data: two seeded Gaussian blobs in 2-D (``nn.make_blobs``), labels 0 and 1;
- model: one sigmoid neuron, p = sigmoid(w·x + b) (an ``nn.Layer`` of one sigmoid neuron, for
  the layer's batched forward pass; ``Run.model`` is the neuron itself);
- start: confidently wrong, and the same for every run. The weights point exactly backwards, so
  the typical positive example gets p = 0.01 and the typical negative p = 0.99 (the weights are
  computed from the data: w = -k·u along the line between the class means, k and b chosen so that
  the median positive logit is logit(0.01) and the median negative logit is logit(0.99));
- training: plain gradient descent on the full batch (``nn.SGD``), the same learning rate;
- losses: ``losses.mse_loss`` on p, and ``losses.binary_cross_entropy`` on p (the ``base`` of the
  registry's ``mse`` and ``bce`` entries, which also give each run its name and colour).
  ``--losses`` adds others of the registry: a loss of probabilities gets p, a loss of logits
  gets the neuron's logit z through its ``on_logit``. MSE always runs: it is the baseline of
  the speed-ups.

``--classes K`` (K >= 3) asks the same question of K classes: K Gaussian blobs around a circle,
a linear layer of K neurons with softmax, started with each class's typical point taken for
the next class with probability 0.99 (`confidently_wrong_softmax_start`), trained under squared
error on the softmax probabilities (``mse_loss`` against one-hot targets) and under the post's
categorical cross-entropy (``categorical_cross_entropy(one_hot, softmax(z))``), whose push on
each logit is ŷ_k - y_k.

Each epoch records the loss, the accuracy (p > 0.5 predicts class 1; the largest probability
for K classes), and the mean over the examples of |dℓ/dz|, the push each example's own loss
gives its logit z (read off the z node after ``backward()``, times n to undo the mean; for K
classes the mean over the K logits too). Entry k describes the model after k updates.

For a replay page each run also keeps snapshots (``nn.snapshots.Snapshot``, re-exported here):
the parameters, their gradients, and each example's z, p, dℓ/dp, dp/dz and dℓ/dz, every number
read off that epoch's graph. For K classes z, dL_dz, p and dL_dp hold one K-tuple per example
(p is the softmax's) and dp_dz is None (the softmax's is a K × K matrix per example); for a loss
of logits, which never reads p, dL_dp is None. ``--html FILE`` writes the replay page of the
runs (``nn.replay``, built by `stall_page`); for K classes it shows each class's push ŷ_k - y_k.
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field, replace
from typing import Any, NamedTuple

from engine import Constant, Value, no_grad
from engine import sum as value_sum
from engine.pages import Page
from losses import categorical_cross_entropy, mse_loss, softmax
from nn import SGD, DivergenceError, History, Layer, Module, make_blobs
from nn.replay import ReplayRun, replay_page
from nn.snapshots import Snapshot

from .arguments import (
    MAX_EPOCHS,
    UsageError,
    binary_losses,
    epoch_count,
    fraction,
    html_path,
    plot_path,
    positive_float,
    seed_number,
)
from .registry import BINARY_LOSSES, POST_LOSSES, BinaryLoss, Colour, binary_loss
from .terminal import Style, number_text, paragraph, table

__all__ = [
    "CLASSES_PAGE_RESOLUTION",
    "MAX_CLASSES",
    "MAX_SNAPSHOTS",
    "PAGE_NUMBERS",
    "PAGE_RESOLUTION",
    "Run",
    "Snapshot",
    "Speedup",
    "StallConfig",
    "StallLoss",
    "StallResult",
    "StallSetup",
    "StartPush",
    "add_parser",
    "confidently_wrong_softmax_start",
    "confidently_wrong_start",
    "run",
    "run_stall",
    "speedup_of",
    "stall_losses",
    "stall_page",
    "stall_setup",
    "train",
]

MAX_CLASSES = 10  # --classes: more blobs than this crowd the circle and the table
MAX_SNAPSHOTS = 500  # a run keeps at most this many snapshots (plus its last epoch)
# Grid points of the page's decision boundary along the data's longer side: a neuron's boundary
# is a straight line, which a coarse grid draws exactly, and the grid is most of the build time.
PAGE_RESOLUTION = 16
# K classes: the regions' edges are where two classes' log-probabilities meet, which the page
# interpolates exactly for a linear layer; the grid only shades them, and costs K numbers a point.
CLASSES_PAGE_RESOLUTION = 10
# A K-class page holds ŷ_k and dL/dz_k of each point and class at each snapshot it shows: at
# most this many numbers (about 10 bytes each), so it shows every m-th snapshot of longer runs.
PAGE_NUMBERS = 250_000
BASELINE = "mse"  # the run every speed-up is measured against


@dataclass(frozen=True)
class StallConfig:
    """The experiment's settings; the defaults are the command line's."""

    lr: float = 0.2
    epochs: int = 250
    target: float = 0.95
    seed: int = 0
    n: int | None = None  # points in all; None: 40 for two classes, 20 per class for more
    separation: float = 1.0  # two classes: the blobs' centres are (-s, -s) and (s, s)
    spread: float = 0.5
    start_p: float = 0.01  # the typical positive's p at the start (K: the wrong class gets 1 - it)
    losses: tuple[str, ...] = POST_LOSSES  # registry keys (two classes); MSE runs first in any case
    classes: int = 2

    @property
    def points(self) -> int:
        """Return the number of points in the data set."""
        if self.n is not None:
            return self.n
        return 40 if self.classes == 2 else 20 * self.classes


@dataclass(frozen=True)
class StallLoss:
    """A loss as stall trains with it: its key, words and colour, and the batch loss it computes.

    ``batch_loss(outputs, y)`` is the mean loss over the batch from the model's outputs: one p
    node per example for the sigmoid neuron, one list of K softmax probabilities for K classes.
    ``reads_p`` says whether the loss is a function of those outputs (so dℓ/dp is in the graph);
    a loss of logits reads each output's operand z instead.
    """

    key: str
    short: str
    title: str
    colour: Colour
    batch_loss: Callable[[list[Any], Sequence[int]], Value]
    reads_p: bool


def _binary(entry: BinaryLoss) -> StallLoss:
    """Return the registry entry as a loss of the sigmoid neuron's outputs p (or of their z)."""
    if entry.takes == "probabilities":
        base = entry.base

        def batch_loss(ps: list[Value], y: Sequence[int]) -> Value:
            return base(ps, y)

    else:
        on_logit = entry.on_logit

        def batch_loss(ps: list[Value], y: Sequence[int]) -> Value:
            # p = sigmoid(z) has one operand, z; on_logit maps the labels as its base wants them.
            return value_sum([on_logit(p.children[0], t) for p, t in zip(ps, y)]) / len(y)

    reads_p = entry.takes == "probabilities"
    return StallLoss(entry.key, entry.short, entry.title, entry.colour, batch_loss, reads_p)


def _one_hot(y: Sequence[int], classes: int) -> list[list[float]]:
    return [[1.0 if k == t else 0.0 for k in range(classes)] for t in y]


def _softmax_losses(classes: int) -> list[StallLoss]:
    """Return the K-class pair: squared error on the softmax probabilities, then cross-entropy.

    They take the words and colours of the registry's squared error and cross-entropy.
    """
    mse, bce = BINARY_LOSSES["mse"], BINARY_LOSSES["bce"]

    def squared_error(probabilities: list[list[Value]], y: Sequence[int]) -> Value:
        # The mean over every (example, class) entry: for K = 2 it is the sigmoid run's (p - y)².
        flat = [q for row in probabilities for q in row]
        return mse_loss(flat, [t for row in _one_hot(y, classes) for t in row])

    def cross_entropy(probabilities: list[list[Value]], y: Sequence[int]) -> Value:
        return categorical_cross_entropy(_one_hot(y, classes), probabilities)

    return [
        StallLoss("mse", "MSE", "MSE on the softmax", mse.colour, squared_error, True),
        StallLoss("cce", "CCE", "CCE (cross-entropy)", bce.colour, cross_entropy, True),
    ]


def stall_losses(config: StallConfig) -> list[StallLoss]:
    """Return the losses to train with, MSE first: the registry's, or the K-class pair."""
    if config.classes != 2:
        return _softmax_losses(config.classes)
    keys = dict.fromkeys((BASELINE, *config.losses))
    return [_binary(binary_loss(key, "run_stall")) for key in keys]


@dataclass
class Run:
    """One training run: lists indexed by epoch 0 (the start) .. epochs, and the trained model.

    ``snapshots`` (kept when trained with ``record=True``, else empty) hold every epoch when the
    run is at most `MAX_SNAPSHOTS` epochs long, else every k-th (k = ceil((epochs + 1) /
    MAX_SNAPSHOTS)) and the last. A snapshot holds 2·P + 5·n + 1 numbers (P parameters, n
    examples; 2·P + 4·n·K + 1 for K classes).
    """

    loss_key: str  # the loss's key (the registry's, for two classes)
    title: str
    short: str
    colour: Colour
    model: Module  # the neuron (two classes) or the layer (K): its parameters as training left them
    loss: list[float] = field(default_factory=list)
    accuracy: list[float] = field(default_factory=list)
    mean_abs_grad: list[float] = field(default_factory=list)
    snapshots: list[Snapshot] = field(default_factory=list)
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


@dataclass(frozen=True)
class StartPush:
    """The start at the typical point of one class: each class's ŷ_k and y_k, each loss's dℓ/dz_k.

    ``grads`` maps a run's key to dℓ/dz_k for k = 0 .. K-1, by backprop through that loss.
    """

    point: tuple[float, float]
    label: int
    probabilities: tuple[float, ...]
    grads: dict[str, tuple[float, ...]]


@dataclass(frozen=True)
class StallSetup:
    """What every run of one experiment shares: the data and the confidently wrong start."""

    X: list[tuple[float, float]]
    y: list[int]
    classes: int
    start: tuple[float, ...]  # the model's parameters at the start, in its parameters() order
    typical: tuple[tuple[float, float], ...]  # each class's typical point (its medians)


@dataclass
class StallResult:
    """Every run of the experiment, with the settings, the data and the start."""

    config: StallConfig
    start: tuple[float, ...]  # two classes: (w0, w1, b); K: (w0, w1, b) of each neuron in turn
    runs: dict[str, Run]
    X: list[tuple[float, float]] = field(default_factory=list)
    y: list[int] = field(default_factory=list)
    start_push: StartPush | None = None  # K classes: the per-class push at the start

    @property
    def epochs(self) -> int:
        """Return the number of training epochs run."""
        return len(next(iter(self.runs.values())).loss) - 1

    def reached(self) -> dict[str, int | None]:
        """Return, per loss, the first epoch that reached the target accuracy (None: not within the run)."""
        return {name: run.epochs_to(self.config.target) for name, run in self.runs.items()}

    def speedup(self, key: str | None = None) -> tuple[float | None, bool]:
        """Return (how many times fewer epochs run `key` needed than MSE, whether a lower bound).

        ``key`` defaults to the first run after MSE's (BCE's, or CCE's for K classes). (None,
        False) when that run did not reach the target: there is then nothing to divide by.
        """
        key = key if key is not None else next((k for k in self.runs if k != BASELINE), None)
        if key is None:  # only MSE was trained: nothing to compare it with
            return None, False
        found = self.speedup_over_mse(key)
        return (None, False) if found is None else (found.ratio, found.lower_bound)

    def speedup_over_mse(self, key: str) -> Speedup | None:
        """Return how many times fewer epochs `key` took than MSE (None: it did not get there)."""
        reached = self.reached()
        return speedup_of(reached[BASELINE], reached[key], self.epochs)


class Speedup(NamedTuple):
    """How many times fewer epochs a run needed than the baseline: ``baseline / challenger``.

    Both are whole numbers, so that a lower bound can be printed rounded down exactly.
    ``lower_bound``: the baseline did not reach the target within the run, so it would have
    needed at least ``baseline`` epochs, and the ratio is at least this.

    >>> print(Speedup(197, 20, False), Speedup(197, 20, True), Speedup(31, 20, True), sep="; ")
    9.8x; at least 9.8x; at least 1.5x
    """

    baseline: int
    challenger: int
    lower_bound: bool

    @property
    def ratio(self) -> float:
        """The number of times fewer epochs."""
        return self.baseline / self.challenger

    def text(self, at_least: str = "at least ") -> str:
        """Return "9.8x", or "at least 9.8x" for a lower bound, which is rounded down, never up."""
        if not self.lower_bound:
            return f"{self.ratio:.1f}x"
        tenths = 10 * self.baseline // self.challenger  # 197/20 = 9.85 is at least 9.8, not 9.9
        return f"{at_least}{tenths // 10}.{tenths % 10}x"

    def __str__(self) -> str:
        return self.text()


def speedup_of(baseline: int | None, challenger: int | None, epochs: int) -> Speedup | None:
    """Return the speed-up of a run that reached the target at epoch `challenger` over `baseline`.

    None (either epoch) means the run did not reach the target within `epochs` epochs; a
    baseline that did not would have needed at least epochs + 1, and the speed-up is a lower
    bound. None when the challenger did not: there is nothing to divide by. Reaching the target
    at epoch 0, with no training, counts as 1 epoch.

    >>> speedup_of(197, 20, 250), speedup_of(None, 20, 196), speedup_of(197, None, 250)
    (Speedup(baseline=197, challenger=20, lower_bound=False), \
Speedup(baseline=197, challenger=20, lower_bound=True), None)
    """
    if challenger is None:
        return None
    if baseline is None:
        return Speedup(epochs + 1, max(challenger, 1), True)
    return Speedup(max(baseline, 1), max(challenger, 1), False)


# ---------------------------------------------------------------------------- the start


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


def _typical_points(X: Sequence[tuple[float, float]], y: Sequence[int], classes: int) -> list[tuple[float, float]]:
    """Return each class's typical point: the median of its points, coordinate by coordinate."""
    typical = []
    for k in range(classes):
        members = [x for x, label in zip(X, y) if label == k]
        if not members:
            raise ValueError(f"confidently_wrong_softmax_start: class {k} has no points")
        first, second = [x[0] for x in members], [x[1] for x in members]
        typical.append((statistics.median(first), statistics.median(second)))
    return typical


def confidently_wrong_softmax_start(
    X: Sequence[tuple[float, float]], y: Sequence[int], classes: int, start_p: float
) -> tuple[float, ...]:
    """Return a linear layer's parameters whose softmax takes each class's typical point amiss.

    With t_k the typical point of class k (its medians), c the mean of the t_k and u_k the unit
    vector from c to t_k, neuron j gets the weights a·u_{j-1} and the bias -a·u_{j-1}·c, so its
    logit a·u_{j-1}·(x - c) is the largest at t_k for j = k + 1 (mod K): the layer points each
    class's way for the class after it. The scale a is chosen (by bisection) so that the median
    over the classes of that wrong class's probability at t_k is 1 - start_p. The parameters
    come in ``Layer(2, K).parameters()`` order: w0, w1, b of neuron 0, then of neuron 1, ...

    >>> X = [(1.0, 0.0), (-0.5, 0.9), (-0.5, -0.9)]
    >>> start = confidently_wrong_softmax_start(X, [0, 1, 2], 3, 0.01)
    >>> layer = Layer(2, 3, activation="linear")
    >>> for parameter, value in zip(layer.parameters(), start):
    ...     parameter.data = value
    >>> for x in X:  # class k's point taken for class k + 1, the median at 0.990
    ...     print(" ".join(f"{q:.3f}" for q in softmax(layer(x))))
    0.006 0.988 0.006
    0.005 0.005 0.990
    0.990 0.005 0.005
    """
    where = "confidently_wrong_softmax_start"
    if not 0.0 < start_p < 1.0 - 1.0 / classes:
        raise ValueError(f"{where}: start_p must be in (0, {1 - 1 / classes:.3g}), got {start_p!r}")
    typical = _typical_points(X, y, classes)
    centre = (statistics.fmean(t[0] for t in typical), statistics.fmean(t[1] for t in typical))
    directions = []
    for k, t in enumerate(typical):
        offset = (t[0] - centre[0], t[1] - centre[1])
        norm = math.hypot(*offset)
        if norm == 0.0:
            raise ValueError(f"{where}: class {k}'s typical point is the centre")
        directions.append((offset[0] / norm, offset[1] / norm))

    def parameters(a: float) -> tuple[float, ...]:
        values: list[float] = []
        for j in range(classes):
            u = directions[j - 1]  # neuron j claims the class before it
            values += [a * u[0], a * u[1], -a * (u[0] * centre[0] + u[1] * centre[1])]
        return tuple(values)

    def wrong_probabilities(a: float) -> list[float]:
        values = parameters(a)
        rows = [values[3 * j : 3 * j + 3] for j in range(classes)]
        out = []
        with no_grad():
            for k, t in enumerate(typical):
                logits = [w0 * t[0] + w1 * t[1] + b for w0, w1, b in rows]
                out.append(softmax(logits)[(k + 1) % classes].data)
        return out

    # u_k·(t_k - c) = |t_k - c| beats every other u_j·(t_k - c) unless u_j = u_k, so with the
    # directions apart each wrong probability grows to 1 with the scale a, and so does the median.
    for k in range(classes):
        for j in range(k):
            if directions[j][0] * directions[k][0] + directions[j][1] * directions[k][1] > 1.0 - 1e-9:
                raise ValueError(
                    f"{where}: classes {j} and {k} lie in the same direction from the centre of "
                    "the typical points (the classes must lie around it)"
                )
    goal = 1.0 - start_p
    low, high = 0.0, 1.0
    while statistics.median(wrong_probabilities(high)) < goal:
        low, high = high, 2.0 * high
    for _ in range(100):
        middle = (low + high) / 2.0
        if statistics.median(wrong_probabilities(middle)) < goal:
            low = middle
        else:
            high = middle
    return parameters(high)


def stall_setup(config: StallConfig) -> StallSetup:
    """Return the experiment's data and its confidently wrong start under config."""
    s = config.separation
    if config.classes == 2:
        centers = [(-s, -s), (s, s)]
        X, y = make_blobs(config.points, centers=centers, spread=config.spread, seed=config.seed)
        start = confidently_wrong_start(X, y, config.start_p)
        return StallSetup(X, y, 2, start, tuple(_typical_points(X, y, 2)))
    if not 3 <= config.classes <= MAX_CLASSES:
        raise ValueError(f"run_stall: classes must be from 2 to {MAX_CLASSES}, got {config.classes!r}")
    radius = s * max(2.0, config.classes / 2)  # a circle that grows with K keeps neighbours apart
    angles = [2.0 * math.pi * k / config.classes for k in range(config.classes)]
    centers = [(radius * math.cos(a), radius * math.sin(a)) for a in angles]
    X, y = make_blobs(config.points, centers=centers, spread=config.spread, seed=config.seed)
    layer_start = confidently_wrong_softmax_start(X, y, config.classes, config.start_p)
    typical = tuple(_typical_points(X, y, config.classes))
    return StallSetup(X, y, config.classes, layer_start, typical)


# ---------------------------------------------------------------------------- training


def _model(setup: StallSetup) -> Layer:
    """Return the model at the start: a layer of one sigmoid neuron, or of K linear neurons."""
    if setup.classes == 2:
        layer = Layer(2, 1, activation="sigmoid", seed=0, name="neuron")
    else:
        layer = Layer(2, setup.classes, activation="linear", seed=0, name="layer")
    for parameter, value in zip(layer.parameters(), setup.start):
        parameter.data = value
    return layer


def train(
    loss: StallLoss,
    setup: StallSetup,
    lr: float,
    epochs: int,
    *,
    target: float | None = None,
    record: bool = False,
) -> Run:
    """Return the run of training a fresh model from the setup's start with one loss.

    Each epoch: the forward pass on every point (``Layer.batch``), the batch loss, ``backward()``,
    the epoch's records, then one step of gradient descent at lr (``nn.SGD``); the last epoch
    only measures. With a ``target`` accuracy the run stops at the first epoch that reaches it.
    ``record=True`` also keeps the run's `Snapshot`s.

    Raises:
      DivergenceError: an operation overflowed after the start (a learning rate too large);
        its message names the loss and the epoch, its history holds the epochs before.
    """
    layer = _model(setup)
    parameters = layer.parameters()
    optimizer = SGD(parameters, lr=lr)
    model: Module = layer.neurons[0] if setup.classes == 2 else layer
    run = Run(loss.key, loss.title, loss.short, loss.colour, model)
    inputs = [(Constant(a), Constant(b)) for a, b in setup.X]  # wrapped once, read every epoch
    y, n, classes = setup.y, len(setup.X), setup.classes
    every = math.ceil((epochs + 1) / MAX_SNAPSHOTS)
    began = time.perf_counter()
    for epoch in range(epochs + 1):
        try:
            zs = layer.batch(inputs)
            outputs: list[Any] = [z[0] for z in zs] if classes == 2 else [softmax(z) for z in zs]
            mean_loss = loss.batch_loss(outputs, y)
            optimizer.zero_grad()
            mean_loss.backward()
        except (ValueError, OverflowError, ZeroDivisionError) as error:
            if epoch == 0:  # nothing trained yet: a set-up problem, not divergence
                raise
            history = History(loss=list(run.loss), accuracy=list(run.accuracy))
            raise DivergenceError(
                f"train: the {loss.short} run diverged at epoch {epoch} (lr={lr:g}): {error}; "
                "a smaller --lr usually fixes this",
                epoch,
                history,
            ) from error
        run.loss.append(mean_loss.data)
        if classes == 2:
            logits = [p.children[0] for p in outputs]  # p = sigmoid(z): its one operand is z
            correct = sum((p.data > 0.5) == (label == 1) for p, label in zip(outputs, y))
            push = math.fsum(abs(z.grad) for z in logits)  # Σ|∂L/∂z_i| = mean |dℓ_i/dz_i|
        else:
            logits = zs
            correct = sum(_argmax(row) == label for row, label in zip(outputs, y))
            push = math.fsum(abs(z.grad) for row in zs for z in row) / classes
        run.accuracy.append(correct / n)
        run.mean_abs_grad.append(push)
        if record and (epoch % every == 0 or epoch == epochs):
            snapshot = _snapshot(epoch, parameters, outputs, logits, loss.reads_p, push, n)
            run.snapshots.append(snapshot)
        if epoch == epochs or (target is not None and run.accuracy[-1] >= target):
            break
        optimizer.step()
    run.seconds = time.perf_counter() - began
    return run


def _argmax(row: Sequence[Value]) -> int:
    return max(range(len(row)), key=lambda k: row[k].data)


def _snapshot(
    epoch: int,
    parameters: Sequence[Value],
    outputs: list[Any],
    logits: list[Any],
    reads_p: bool,
    push: float,
    n: int,
) -> Snapshot:
    """Return the snapshot of one epoch's graph after backward (see `Snapshot`)."""
    if isinstance(outputs[0], Value):  # one sigmoid neuron
        z = tuple(node.data for node in logits)
        dL_dz = tuple(n * node.grad for node in logits)
        p = tuple(node.data for node in outputs)
        dL_dp = tuple(n * node.grad for node in outputs) if reads_p else None
        dp_dz: tuple[float, ...] | None = tuple(node.local_derivatives()[0] for node in outputs)
    else:  # a K-vector per example
        z = tuple(tuple(node.data for node in row) for row in logits)
        dL_dz = tuple(tuple(n * node.grad for node in row) for row in logits)
        p = tuple(tuple(node.data for node in row) for row in outputs)
        dL_dp = tuple(tuple(n * node.grad for node in row) for row in outputs)
        dp_dz = None
    return Snapshot(
        epoch,
        parameters=tuple(v.data for v in parameters),
        gradients=tuple(v.grad for v in parameters),
        z=z,
        dL_dz=dL_dz,
        p=p,
        dL_dp=dL_dp,
        dp_dz=dp_dz,
        mean_abs_dL_dz=push,
    )


def _start_push(setup: StallSetup, losses: Sequence[StallLoss]) -> StartPush:
    """Return the push on each logit at the start, for the typical point of class 0, by backprop."""
    point, label = setup.typical[0], 0
    grads: dict[str, tuple[float, ...]] = {}
    probabilities: tuple[float, ...] = ()
    for loss in losses:
        layer = _model(setup)
        (zs,) = layer.batch([point])
        probs = softmax(zs)
        loss.batch_loss([probs], [label]).backward()
        grads[loss.key] = tuple(z.grad for z in zs)  # one example: its loss is the batch's
        probabilities = tuple(q.data for q in probs)
    return StartPush(point, label, probabilities, grads)


def run_stall(config: StallConfig = StallConfig(), *, record: bool = False) -> StallResult:
    """Return every training run of the stall experiment under config (MSE and BCE by default).

    ``record=True`` also keeps each run's `Snapshot`s, what a replay page shows.
    """
    setup = stall_setup(config)
    losses = stall_losses(config)
    runs = {}
    for loss in losses:
        runs[loss.key] = train(loss, setup, config.lr, config.epochs, record=record)
    push = _start_push(setup, losses) if setup.classes > 2 else None
    return StallResult(config, setup.start, runs, setup.X, setup.y, push)


def stall_page(result: StallResult) -> Page:
    """Return the replay page of the runs of a result of ``run_stall(record=True)``.

    For K classes the page shows every m-th snapshot of each run and the last, m the smallest
    that keeps its per-point numbers within `PAGE_NUMBERS` (every snapshot at the defaults).
    """
    if any(not run.snapshots for run in result.runs.values()):
        raise ValueError("stall_page: the runs have no snapshots; run run_stall(config, record=True)")
    config, reached = result.config, result.reached()
    target = f"{100 * config.target:g}%"
    verdicts = [
        f"{run.short} reached {target} accuracy at epoch {reached[key]}"
        if reached[key] is not None
        else f"{run.short} did not reach {target} within {_epochs(result.epochs)}"
        for key, run in result.runs.items()
    ]
    if config.classes != 2:
        return _classes_page(result, verdicts)
    w0, w1, b = result.start
    description = (
        f"One sigmoid neuron, p = σ(w·x + b), trained on the same {config.points} points from "
        f"the same confidently wrong start, w = ({w0:.2f}, {w1:.2f}) and b = {b:.2f}, which puts "
        f"the typical point at p = {config.start_p:g} of its own class; full-batch gradient "
        f"descent, lr = {config.lr:g}, once per loss. {'; '.join(verdicts)}. Press Play or "
        "scrub, and watch where squared error's push dies."
    )
    runs = [ReplayRun(run.title, run.colour.hex, run, run.model) for run in result.runs.values()]
    return replay_page(
        runs,
        result.X,
        result.y,
        title="Squared error stalls, cross-entropy learns",
        description=description,
        target=config.target,
        resolution=PAGE_RESOLUTION,
    )


def _classes_page(result: StallResult, verdicts: list[str]) -> Page:
    """Return the replay page of a K-class result (see `stall_page`)."""
    config, runs = result.config, list(result.runs.values())
    numbers = sum(len(run.snapshots) for run in runs) * config.points * config.classes * 2
    every = math.ceil(numbers / PAGE_NUMBERS)
    shown = []
    for run in runs:
        kept = run.snapshots[::every]
        if kept[-1] is not run.snapshots[-1]:
            kept.append(run.snapshots[-1])
        shown.append(ReplayRun(run.title, run.colour.hex, replace(run, snapshots=kept), run.model))
    wrong = 1 - config.start_p
    description = (
        f"A linear layer of {config.classes} neurons and a softmax, ŷ = softmax(Wx + b), trained "
        f"on the same {config.points} points in {config.classes} blobs from the same confidently "
        f"wrong start, which takes each class's typical point for the next class at ŷ = "
        f"{wrong:g}; full-batch gradient descent, lr = {config.lr:g}, once per loss. "
        f"{'; '.join(verdicts)}. Pick a point, or a class's typical point, and compare each "
        "class's push with ŷ_k − y_k."
    )
    if every > 1:
        description += f" To stay within {PAGE_NUMBERS:,} numbers the page shows one snapshot in {every} and the last."
    return replay_page(
        shown,
        result.X,
        result.y,
        title="Squared error on a softmax stalls, cross-entropy learns",
        description=description,
        target=config.target,
        resolution=CLASSES_PAGE_RESOLUTION,
    )


# ---------------------------------------------------------------------------- the command


def class_count(text: str) -> int:
    """Return text as a number of classes, 2 (the sigmoid neuron) to MAX_CLASSES."""
    try:
        value = int(text)
    except ValueError:
        shown = text.strip()[:40]
        raise argparse.ArgumentTypeError(f"expected a whole number, got {shown!r}") from None
    if not 2 <= value <= MAX_CLASSES:
        raise argparse.ArgumentTypeError(f"must be from 2 to {MAX_CLASSES}, got {value}")
    return value


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Return the ``stall`` subcommand's parser, registered on subparsers."""
    defaults = StallConfig()
    parser = subparsers.add_parser(
        "stall",
        help=(
            "the headline: from the same confidently wrong start, cross-entropy learns in tens of "
            "epochs, MSE stalls for hundreds"
        ),
        description=(
            "Train one sigmoid neuron on a seeded two-class 2-D data set twice, from the same "
            "confidently wrong start (positives at p = 0.01, negatives at p = 0.99), with the same "
            "optimizer (full-batch gradient descent) and learning rate: once under squared error "
            "(MSE), once under binary cross-entropy (BCE). Prints loss, accuracy and mean |dL/dz| "
            "side by side, and the epoch each reached the target accuracy. --losses adds other "
            "losses, --classes asks the same of K classes and a softmax."
        ),
    )
    parser.add_argument(
        "--lr",
        type=positive_float,
        default=defaults.lr,
        help=f"learning rate for every run (default: {defaults.lr})",
    )
    parser.add_argument(
        "--epochs",
        type=epoch_count,
        default=defaults.epochs,
        help=f"epochs to train each run, 1 to {MAX_EPOCHS:,} (default: {defaults.epochs})",
    )
    parser.add_argument(
        "--target",
        type=fraction,
        default=defaults.target,
        help=f"target accuracy, as 0.95 or 95 (default: {defaults.target:g})",
    )
    parser.add_argument(
        "--seed",
        type=seed_number,
        default=defaults.seed,
        help=f"seed of the data set, 0 to 2**32 - 1 (default: {defaults.seed})",
    )
    parser.add_argument(
        "--losses",
        type=binary_losses,
        default=None,
        metavar="NAMES",
        help=(
            f"the losses to train, comma-separated: {', '.join(BINARY_LOSSES)}, or 'all' "
            "(default: mse,bce); MSE always runs, as the baseline of the speed-ups"
        ),
    )
    parser.add_argument(
        "--classes",
        type=class_count,
        default=defaults.classes,
        metavar="K",
        help=(
            f"K classes, 3 to {MAX_CLASSES}: K Gaussian blobs, a linear layer with softmax, "
            "squared error on the probabilities against categorical cross-entropy (default: 2, "
            "one sigmoid neuron)"
        ),
    )
    parser.add_argument(
        "--every",
        type=epoch_count,
        default=None,
        metavar="K",
        help=f"print a table row every K epochs, 1 to {MAX_EPOCHS:,} (default: about 15 rows)",
    )
    parser.add_argument(
        "--plot",
        type=plot_path,
        default=None,
        metavar="FILE",
        help="also draw loss, accuracy and mean |dL/dz| per epoch to FILE (.svg or .png)",
    )
    parser.add_argument(
        "--json",
        action="store_true",
        help="print the settings, the verdict and the full history as JSON",
    )
    parser.add_argument(
        "--html",
        type=html_path,
        default=None,
        metavar="FILE",
        help="also write a page replaying the runs epoch by epoch to FILE (.html, works offline)",
    )
    return parser


def run(args: argparse.Namespace) -> int:
    """Return 0 after running the experiment and printing its table and verdict (or JSON)."""
    config = StallConfig(lr=args.lr, epochs=args.epochs, target=args.target, seed=args.seed, classes=args.classes)
    if args.losses is not None:
        if args.classes != 2:
            raise UsageError(
                "--losses picks losses of one sigmoid neuron; with --classes the losses are "
                "squared error and cross-entropy on the softmax"
            )
        config = replace(config, losses=tuple(args.losses))
    result = run_stall(config, record=args.html is not None)
    if args.json:
        print(json.dumps(_as_json(result), indent=2))
    else:
        _print_report(result, args.every, Style.for_stream())
    if args.plot is not None:
        from .plots import plot_stall

        curves = [(r.title, r.colour.hex, r.history()) for r in result.runs.values()]
        k = config.classes
        model = "One sigmoid neuron" if k == 2 else f"{k} classes, softmax,"
        title = f"{model} from the same confidently wrong start: MSE stalls, cross-entropy learns"
        path = plot_stall(curves, args.plot, config.target, title=title)
        if not args.json:
            print(f"plot written to {path}")
    if args.html is not None:
        path = stall_page(result).save(args.html)
        if not args.json:
            print(f"page written to {path}")
    return 0


# ---------------------------------------------------------------------------- the report


def _as_json(result: StallResult) -> dict[str, Any]:
    """Return the result as JSON-able data: settings, start, verdict, and each run's history."""
    config = result.config
    ratio, lower_bound = result.speedup()
    if config.classes == 2:
        start: dict[str, Any] = {"w": list(result.start[:2]), "b": result.start[2]}
    else:
        rows = [result.start[3 * j : 3 * j + 3] for j in range(config.classes)]
        start = {"w": [list(row[:2]) for row in rows], "b": [row[2] for row in rows]}
    speedups = {}
    for key in result.runs:
        if key != BASELINE:
            found = result.speedup_over_mse(key)
            speedups[key] = None if found is None else {"ratio": found.ratio, "lower_bound": found.lower_bound}
    report: dict[str, Any] = {
        "config": {**asdict(config), "n": config.points, "losses": list(result.runs)},
        "start": start,
        "losses": {k: {"title": r.title, "colour": r.colour.hex} for k, r in result.runs.items()},
        "reached_target_at_epoch": result.reached(),
        "speedup": ratio,
        "speedup_is_lower_bound": lower_bound,
        "speedups": speedups,
        "history": {name: r.history() for name, r in result.runs.items()},
    }
    if result.start_push is not None:
        push = result.start_push
        report["start_push"] = {
            "point": list(push.point),
            "label": push.label,
            "probabilities": list(push.probabilities),
            "grads": {key: list(grads) for key, grads in push.grads.items()},
        }
    return report


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
    runs = list(result.runs.values())
    hanging = " " * len("start: ")
    if config.classes == 2:
        w0, w1, b = result.start
        title = f"One sigmoid neuron, {_count(len(runs))} losses, the same confidently wrong start"
        data = f"{config.points} points in two Gaussian blobs (seed {config.seed})"
        start = [
            f"w = ({w0:.2f}, {w1:.2f}), b = {b:.2f}",
            f"typical positive at p = {config.start_p:g}, typical negative at p = {1 - config.start_p:g}",
        ]
    else:
        k = config.classes
        title = f"{k} classes through a softmax: two losses, the same confidently wrong start"
        data = f"{config.points} points in {k} Gaussian blobs around a circle (seed {config.seed})"
        wrong = 1 - config.start_p
        start = [f"each class's typical point taken for the next class at p = {wrong:g}"]
    print(style.bold(paragraph(title)))
    print(paragraph(data, indent="data:  ", hanging=hanging))
    print(paragraph(start[0], indent="start: ", hanging=hanging))
    for line in start[1:]:
        print(paragraph(line, indent=hanging))
    training = f"full-batch gradient descent, lr = {config.lr:g}, for {_epochs(result.epochs)}"
    print(paragraph(training, indent="train: ", hanging=hanging))
    print()
    rows = []
    for epoch in _rows_to_show(result.epochs, every, list(reached.values())):
        cells = [str(epoch)]
        for r in runs:
            accuracy = f"{100 * r.accuracy[epoch]:.0f}%"
            # Mark the epoch a run first reached the target; pad the others so the % signs line up.
            marked = reached[r.loss_key] == epoch
            accuracy = style.good(accuracy + " *") if marked else accuracy + "  "
            cells += [number_text(r.loss[epoch]), accuracy, f"{r.mean_abs_grad[epoch]:.4f}"]
        rows.append(cells)
    headers = ["epoch", *(["loss", "accuracy", "mean |dL/dz|"] * len(runs))]
    groups = [("", 1), *((style.paint(r.title, r.colour.terminal), 3) for r in runs)]
    for line in table(headers, rows, groups=groups):
        print(line)
    target = f"{100 * config.target:g}%"
    print(style.dim(paragraph(f"* first epoch at or above the target accuracy of {target}")))
    print()
    if result.start_push is not None:
        _print_start_push(result, style)
        print()
    if len(runs) == 2:
        _print_verdict(result, style)
    else:
        _print_verdicts(result, style)


def _count(n: int) -> str:
    return {2: "two", 3: "three", 4: "four", 5: "five", 6: "six"}.get(n, str(n))


def _print_verdict(result: StallResult, style: Style) -> None:
    """Print where each of two runs reached the target, the pushes at the start, and the verdict."""
    config = result.config
    reached = result.reached()
    target = f"{100 * config.target:g}%"
    mse, other = result.runs.values()
    for r in (mse, other):
        reached_at = reached[r.loss_key]
        if reached_at is None:
            within = _epochs(result.epochs)
            missed = f"{r.short} did not reach {target} accuracy within {within} (>{result.epochs})"
            print(paragraph(missed))
        else:
            print(paragraph(f"{r.short} reached {target} accuracy at epoch {reached_at}"))
    start_push = mse.mean_abs_grad[0], other.mean_abs_grad[0]
    print(
        paragraph(
            f"at the start, the mean push on the logit was {start_push[0]:.4f} under {mse.short} "
            f"and {start_push[1]:.4f} under {other.short} ({_ratio(start_push[1], start_push[0])})"
        )
    )
    at, mse_at = reached[other.loss_key], reached[mse.loss_key]
    if at is None and mse_at is None:
        verdict = (
            f"verdict: neither {mse.short} nor {other.short} reached {target} within "
            f"{_epochs(result.epochs)}; try more --epochs or a larger --lr"
        )
        print(style.warn(style.bold(paragraph(verdict))))
        return
    took = {key: f"more than {result.epochs}" if e is None else str(e) for key, e in reached.items()}
    faster = result.speedup_over_mse(other.loss_key)
    if faster is not None and (faster.lower_bound or faster.ratio >= 1):
        outcome = f"{other.short} got there {faster} faster"
    else:  # the challenger was slower, or never got there: how much faster MSE was
        outcome = f"{mse.short} got there {speedup_of(at, mse_at, result.epochs)} faster"
    if at is None:
        learned = f"{mse.short} learned in {_epochs(mse_at)}, {other.short} took {took[other.loss_key]}"
    else:
        learned = f"{other.short} learned in {_epochs(at)}, {mse.short} took {took[mse.loss_key]}"
    verdict = f"verdict: {learned}: {outcome}"
    print(style.good(style.bold(paragraph(verdict))))
    if config.classes == 2:
        print(
            style.dim(
                paragraph(
                    '(the post: "the difference between a model that learns in 10 epochs and one '
                    'that stalls for hundreds")'
                )
            )
        )


def _ratio(a: float, b: float) -> str:
    """Return a / b as "20x", or "0.5x" below 10 (or "-" when b is 0)."""
    if not b:
        return "-"
    return f"{a / b:.0f}x" if a / b >= 10 else f"{a / b:.1f}x"


def _print_verdicts(result: StallResult, style: Style) -> None:
    """Print, for three losses or more, each run's epochs to the target and speed-up over MSE."""
    config = result.config
    reached = result.reached()
    target = f"{100 * config.target:g}%"
    baseline = result.runs[BASELINE]
    rows = []
    for r in result.runs.values():
        at = reached[r.loss_key]
        epochs = f">{result.epochs}" if at is None else str(at)
        if r.loss_key == BASELINE:
            versus = "1x"
        else:
            found = result.speedup_over_mse(r.loss_key)
            versus = "-" if found is None else str(found)
        push = f"{r.mean_abs_grad[0]:.4f}"
        rows.append([style.paint(r.title, r.colour.terminal), epochs, versus, push])
    heading = f"epochs to {target} accuracy, from the same start at lr = {config.lr:g}"
    print(style.bold(paragraph(heading)))
    for line in table(["loss", f"epochs to {target}", "vs MSE", "|dL/dz| at the start"], rows):
        print(line)
    finished = [r for r in result.runs.values() if reached[r.loss_key] is not None]
    missed = [r.short for r in result.runs.values() if reached[r.loss_key] is None]
    if finished:
        fastest = min(finished, key=lambda r: reached[r.loss_key] or 0)
        at = reached[fastest.loss_key]
        verdict = f"verdict: {fastest.short} got there first, in {_epochs(at)}"
        if fastest is not baseline:
            found = result.speedup_over_mse(fastest.loss_key)
            if found is not None:
                verdict += f", {found} faster than {baseline.short}"
    else:
        verdict = f"verdict: no loss reached {target} within {_epochs(result.epochs)}"
    if missed:
        verdict += f"; did not reach {target} within {_epochs(result.epochs)}: {', '.join(missed)}"
    print(style.good(style.bold(paragraph(verdict))))


def _print_start_push(result: StallResult, style: Style) -> None:
    """Print, for K classes, each logit's push at the start for the typical point of class 0."""
    push = result.start_push
    assert push is not None
    mse, cce = result.runs.values()
    x0, x1 = push.point
    print(
        style.bold(
            paragraph(
                f"at the start, the typical point of class {push.label}, x = ({x0:.2f}, {x1:.2f}): "
                "the push on each logit z_k, by backprop"
            )
        )
    )
    rows = []
    for k, q in enumerate(push.probabilities):
        target = 1.0 if k == push.label else 0.0
        rows.append(
            [
                str(k) + (" (true)" if k == push.label else ""),
                f"{q:.4f}",
                f"{target:.0f}",
                f"{q - target:+.4f}",
                f"{push.grads[cce.loss_key][k]:+.4f}",
                f"{push.grads[mse.loss_key][k]:+.6f}",
            ]
        )
    headers = ["class", "ŷ_k", "y_k", "ŷ_k - y_k", f"{cce.short} dL/dz_k", f"{mse.short} dL/dz_k"]
    for line in table(headers, rows):
        print(line)
    label = push.label
    cce_push, mse_push = push.grads[cce.loss_key][label], push.grads[mse.loss_key][label]
    strength = abs(cce_push / mse_push) if mse_push else math.inf
    print(
        paragraph(
            f"{cce.short}'s push is ŷ_k - y_k, the softmax's derivative cancelled; {mse.short}'s "
            f"keeps it, and on the true class it is {strength:.0f}x weaker"
        )
    )
