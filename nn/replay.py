"""The training replay: a page that plays back one or more training runs epoch by epoch.

``replay_page(runs, X, y)`` turns runs recorded with snapshots (`nn.snapshots`) on 2-D data
into one self-contained HTML page (`engine.pages.Page`): Play/Pause, Step and a scrub slider
over the snapshots; the points with each run's decision boundary; loss, accuracy and mean
|dL/dz| curves with a cursor; for a sigmoid output, each point's push on its logit split into
dL/dp × σ′(z); the parameters at the cursor, and for an MLP the network with its edges coloured
by the weight's sign and thickened by |gradient|. It saves with ``page.save(path)`` and shows
inline in Jupyter.

A model with K outputs (K class scores, the logits of a softmax) gets the same page for K
classes when its snapshots hold one K-tuple per example in z, dL_dz and p (the softmax's
probabilities ŷ), as ``lossgrad stall --classes K`` records them: the points coloured by class
(labels 0 .. K-1) on each run's decision regions, the argmax of the model's outputs, and for
a chosen point (a click, or the typical point of a class) each class's push dL/dz_k beside
ŷ_k − y_k, the push cross-entropy gives through a softmax. Of the K-tuples the page carries ŷ
and dL/dz, the numbers it shows.

Every number on the page is a recorded one, rounded to 6 significant digits to keep the page
small (it shows 4): the page only draws them. The decision boundary is the model's own output on
a grid over the data's bounding box, at each snapshot's parameters (restored into the model,
then put back), kept as two bytes per grid point since it is only drawn; for K outputs, two
bytes per grid point and class (the log-softmax of the outputs, see `_regions`).

>>> from losses import binary_cross_entropy
>>> from nn import SGD, Neuron
>>> from nn.snapshots import Snapshots, output_is_activated
>>> from nn.train import History
>>> X, y = [(-1.0, -0.5), (1.0, 0.5)], [0, 1]
>>> neuron = Neuron(2, activation="sigmoid", seed=0)
>>> optimizer = SGD(neuron.parameters(), lr=0.5)
>>> history, snapshots = History(), Snapshots(every=1)
>>> for epoch in range(5):
...     outputs = neuron.batch(X)
...     loss = binary_cross_entropy(outputs, y)
...     optimizer.zero_grad()
...     loss.backward()
...     history.loss.append(loss.data)
...     history.accuracy.append(sum((p.data > 0.5) == (t == 1) for p, t in zip(outputs, y)) / 2)
...     _ = snapshots.record(epoch, neuron.parameters(), outputs,
...                          activated=output_is_activated(neuron))
...     optimizer.step()
>>> history.snapshots = snapshots
>>> page = replay_page([ReplayRun("BCE", "#d1242f", history, neuron)], X, y)
>>> page.data()["epochs"]
[0, 1, 2, 3, 4]
"""

from __future__ import annotations

import base64
import math
import re
import statistics
import struct
from collections.abc import Callable, Sequence
from typing import Any, NamedTuple, Protocol

from engine import Value, no_grad
from engine.pages import Page

from .module import Module
from .snapshots import Snapshot

__all__ = ["CONFIDENTLY_WRONG", "DIGITS", "LOG_FLOOR", "Recorded", "ReplayRun", "replay_page"]

DIGITS = 6  # significant digits of the page's numbers
# A point is confidently wrong when |p - y| > this (the post's zone); for K classes, when the
# probability ŷ of its own class is below 1 - this.
CONFIDENTLY_WRONG = 0.9
# K outputs: the decision regions keep each class's log-probability down to -LOG_FLOOR. The
# regions' edges lie where the two largest are equal, so above -log K: far from the floor.
LOG_FLOOR = 32.0
# The output activations whose output is a probability, class 1 above 0.5; any other output
# is a score, class 1 above 0.
_PROBABILITY_OUTPUTS = frozenset({"sigmoid"})
_COLOUR = re.compile(r"#[0-9a-fA-F]{6}")
_MAX_PARAMETER_TABLE = 12  # above this, the page shows one parameter at a time (the network's)


class Recorded(Protocol):
    """What the page reads from a run: ``nn.History`` with snapshots, or anything like it.

    ``loss[k]`` and ``accuracy[k]`` describe the model after k epochs; ``snapshots`` is a
    `Snapshots` (or any sequence of `Snapshot`) whose epochs index those lists.
    """

    @property
    def loss(self) -> Sequence[float]: ...

    @property
    def accuracy(self) -> Sequence[float]: ...

    @property
    def snapshots(self) -> Sequence[Snapshot] | None: ...


class ReplayRun(NamedTuple):
    """One run on the page: its title, its colour (``"#rrggbb"``), its history and its model.

    The model (an ``nn`` Module with the recorded parameters) draws the decision boundary at
    each snapshot; None for no boundary.
    """

    title: str
    colour: str
    history: Recorded
    model: Module | None = None


def replay_page(
    runs: Sequence[ReplayRun | tuple[Any, ...]],
    X: Sequence[Sequence[float]],
    y: Sequence[int],
    *,
    title: str = "Watch it learn",
    description: str = "",
    target: float | None = None,
    resolution: int = 24,
) -> Page:
    """Return the replay page of the runs on the 2-D data (X, y), ready to save or show.

    Args:
      runs: one or more `ReplayRun` (or (title, colour, history[, model]) tuples), shown side by
        side; every run's history holds snapshots at the same epochs, one per example of X.
        Snapshots with one K-tuple per example in z, dL_dz and p (K >= 2 softmax outputs) make
        the page one of K classes.
      X: the points, pairs (x0, x1); y: their labels, 0/1 or -1/1 (class 1 is the label 1), or
        for K outputs the classes 0 .. K-1.
      title: the page's heading; description: a paragraph under it.
      target: an accuracy to mark on the accuracy chart (with the epoch each run reached it).
      resolution: grid points of the decision boundary along the box's longer side (>= 2).

    Raises:
      ValueError, TypeError: naming the argument: no runs, a run without snapshots, runs with
        snapshots at different epochs or of different numbers of outputs, points that are not
        pairs, labels that are not the runs' classes, a colour that is not ``#rrggbb``, a model
        whose parameters or outputs are not the recorded ones.
    """
    points = _check_points(X, y)
    checked = _check_runs(runs, len(points))
    outputs = _outputs_of(checked[0])
    classes = _check_labels(y, outputs)
    if isinstance(resolution, bool) or not isinstance(resolution, int) or resolution < 2:
        raise ValueError(f"replay_page: resolution must be an int >= 2, got {resolution!r}")
    if target is not None and not (isinstance(target, (int, float)) and 0.0 < target <= 1.0):
        raise ValueError(f"replay_page: target must be an accuracy in (0, 1] or None, got {target!r}")
    box = _bounding_box(points)  # rounded as the page holds it, so the grid is the page's
    columns, rows = _grid_shape(box, resolution)
    grid = _grid_points(box, columns, rows)
    first: Sequence[Snapshot] = checked[0].history.snapshots or ()
    has_p = first[0].p is not None
    typical = _typical_points(points, classes, outputs) if outputs > 1 else []
    data = {
        "title": title,
        "description": description,
        "epochs": [s.epoch for s in first],
        "points": [[_round(a), _round(b)] for a, b in points],
        "outputs": outputs,
        "classes": classes,
        "labels": [int(t) for t in y],
        "box": list(box),
        "grid": {"columns": columns, "rows": rows},
        "target": target,
        "story": has_p and outputs == 1,
        "wrong_name": "confidently wrong" if has_p else "on the wrong side",
        "wrong_rule": _wrong_rule(has_p, outputs),
        "selected": _default_point(first[0], classes, typical),
        "runs": [_run_data(run, classes, grid, target, outputs) for run in checked],
    }
    if outputs > 1:
        data["typical"] = typical
        data["log_floor"] = LOG_FLOOR
    data["push_scale"] = max(
        (abs(v) for run in checked for s in run.history.snapshots or () for v in _flat(s.dL_dz, outputs)),
        default=0.0,
    )
    return Page.from_package("nn", "replay", title, data, height=1100)


# ---------------------------------------------------------------------------- one run


def _run_data(
    run: ReplayRun,
    classes: list[int],
    grid: list[tuple[float, float]],
    target: float | None,
    outputs: int,
) -> dict[str, Any]:
    """Return one run's part of the page data: its curves, its snapshots, its network."""
    history, model = run.history, run.model
    snapshots: Sequence[Snapshot] = history.snapshots or ()
    if model is not None:
        _check_model(run, list(getattr(snapshots, "labels", ())), len(snapshots[0].parameters))
    # A Snapshots knows its parameters' labels; for a plain list of snapshots, ask the model.
    labels = list(getattr(snapshots, "labels", ()))
    if not labels:
        labels = (
            [p.label for p in model.parameters()]
            if model is not None
            else [f"parameter {k}" for k in range(len(snapshots[0].parameters))]
        )
    parameter_grid = _parameter_grid(model, outputs) if outputs > 1 else None
    data: dict[str, Any] = {
        "title": run.title,
        "colour": run.colour,
        "loss": _rounded(history.loss),
        "accuracy": _rounded(history.accuracy),
        "reached": None if target is None else _reached(history.accuracy, target),
        "labels": labels,
        "epochs": [s.epoch for s in snapshots],
        "parameters": [_rounded(s.parameters) for s in snapshots],
        "gradients": [_rounded(s.gradients) for s in snapshots],
    }
    if outputs == 1:
        data["z"] = [_rounded(s.z) for s in snapshots]
        data["dL_dz"] = [_rounded(s.dL_dz) for s in snapshots]
    else:  # ŷ and dL/dz of each class, the numbers the page shows (z and dL/dŷ would double it)
        data["p"] = [[_rounded(row) for row in s.p or ()] for s in snapshots]
        data["dL_dz"] = [[_rounded(row) for row in s.dL_dz] for s in snapshots]
    data.update(
        {
            "mean_abs_dL_dz": [None if s.mean_abs_dL_dz is None else _round(s.mean_abs_dL_dz) for s in snapshots],
            "wrong": [_wrong_points(s, classes, outputs) for s in snapshots],
            "parameter_table": parameter_grid is None and len(snapshots[0].parameters) <= _MAX_PARAMETER_TABLE,
            "network": None,
            "boundary": None,
        }
    )
    if outputs == 1 and snapshots[0].p is not None:
        for name in ("p", "dL_dp", "dp_dz"):  # dL_dp is None for a loss of z, which never reads p
            data[name] = [_rounded_or_none(getattr(s, name)) for s in snapshots]
    if outputs > 1:
        data["parameter_grid"] = parameter_grid
        data["regions"] = None if model is None else _regions(model, run.title, snapshots, grid, outputs)
    elif model is not None:
        data["boundary"] = _boundaries(model, snapshots, grid)
    if model is not None:
        data["network"] = _network(model)
        data["selected_parameter"] = _default_parameter(snapshots[0], data["network"])
    return data


def _reached(accuracy: Sequence[float], target: float) -> int | None:
    """Return the first epoch whose accuracy is at least target, or None."""
    return next((epoch for epoch, a in enumerate(accuracy) if a >= target), None)


def _wrong_rule(has_p: bool, outputs: int) -> str:
    """Return what the page calls a point the model gets badly wrong, in words."""
    if outputs > 1:
        return f"confidently wrong (ŷ of its class < {1 - CONFIDENTLY_WRONG:.2g})"
    if has_p:
        return f"confidently wrong (|p − y| > {CONFIDENTLY_WRONG:g})"
    return "on the wrong side of the boundary"


def _wrong_points(snapshot: Snapshot, classes: list[int], outputs: int) -> list[int]:
    """Return the points the model gets badly wrong: confidently wrong (p), or on the wrong side."""
    if outputs > 1:  # the probability of the point's own class is below 1 - CONFIDENTLY_WRONG
        rows = snapshot.p or ()
        return [i for i, (row, c) in enumerate(zip(rows, classes)) if 1 - row[c] > CONFIDENTLY_WRONG]
    if snapshot.p is not None:
        return [i for i, (p, c) in enumerate(zip(snapshot.p, classes)) if abs(p - c) > CONFIDENTLY_WRONG]
    return [i for i, (z, c) in enumerate(zip(snapshot.z, classes)) if (z > 0) != (c == 1)]


def _default_point(snapshot: Snapshot, classes: list[int], typical: list[int | None]) -> int:
    """Return the point the page starts on: the first class's typical point for K classes, else
    the most confidently wrong one at the first snapshot."""
    if typical:
        return next(i for i in typical if i is not None)
    if snapshot.p is not None:
        p = snapshot.p
        return max(range(len(p)), key=lambda i: abs(p[i] - classes[i]))
    if snapshot.dL_dz:
        return max(range(len(snapshot.dL_dz)), key=lambda i: abs(snapshot.dL_dz[i]))
    return 0


def _typical_points(points: list[tuple[float, float]], classes: list[int], outputs: int) -> list[int | None]:
    """Return each class's typical point: the index of its point nearest its medians (None: no
    point of that class)."""
    typical: list[int | None] = []
    for k in range(outputs):
        members = [i for i, c in enumerate(classes) if c == k]
        if not members:
            typical.append(None)
            continue
        middle = [statistics.median(points[i][axis] for i in members) for axis in (0, 1)]
        typical.append(min(members, key=lambda i: math.dist(points[i], middle)))
    return typical


def _parameter_grid(model: Module | None, outputs: int) -> dict[str, Any] | None:
    """Return a layer of K neurons' parameters as a table: one row per class's neuron, one
    column per weight and the bias, each cell the parameter's index (None: not such a layer)."""
    neurons = getattr(model, "neurons", None)
    if model is None or not isinstance(neurons, (list, tuple)) or len(neurons) != outputs:
        return None
    index = {id(p): i for i, p in enumerate(model.parameters())}
    return {
        "columns": [p.label.rsplit(".", 1)[-1] for p in neurons[0].parameters()],
        "rows": [[index[id(p)] for p in neuron.parameters()] for neuron in neurons],
    }


def _default_parameter(snapshot: Snapshot, network: dict[str, Any] | None) -> int:
    """Return the parameter the page starts on: the weight with the largest |gradient| at first."""
    weights = [edge[3] for edge in network["edges"]] if network else range(len(snapshot.gradients))
    return max(weights, key=lambda i: abs(snapshot.gradients[i]))


# ---------------------------------------------------------------------------- the boundary


def _boundaries(model: Module, snapshots: Sequence[Snapshot], grid: list[tuple[float, float]]) -> list[str]:
    """Return the model's output on the grid at each snapshot, as base64 of 16-bit numbers.

    Each snapshot's parameters are put into the model, which is evaluated under no_grad (no
    graph); the model's own parameters are put back afterwards. A grid point's number (two
    bytes, high byte first) is 65536 × the shade, the probability of class 1 for a probability
    output and (1 + tanh(score)) / 2 for a score, so it is 32768 or more exactly where the model
    says class 1. Sixteen bits, so that the boundary line drawn between grid points is smooth.
    """
    parameters = model.parameters()
    shade = _shade_of(model)
    kept = [p.data for p in parameters]
    drawn = []
    try:
        for snapshot in snapshots:
            snapshot.restore(parameters)
            with no_grad():
                outputs = model.batch(grid)
            levels = [min(65535, int(65536 * shade(_output(out)))) for out in outputs]
            drawn.append(base64.b64encode(struct.pack(f">{len(levels)}H", *levels)).decode("ascii"))
    finally:
        for parameter, value in zip(parameters, kept):
            parameter.data = value
    return drawn


def _regions(
    model: Module,
    title: str,
    snapshots: Sequence[Snapshot],
    grid: list[tuple[float, float]],
    outputs: int,
) -> list[str]:
    """Return a K-output model's decision regions at each snapshot, as base64 of 16-bit numbers.

    For each grid point, row by row, and each class k in turn: the log-softmax of the model's K
    outputs (its scores) there, log ŷ_k = z_k - log Σ_j exp(z_j), kept as 65535 · (1 + log ŷ_k /
    LOG_FLOOR) rounded down (0 at and below the floor, 65535 at ŷ_k = 1). The page gives each
    pixel the class whose log-probability, interpolated between the grid points around it, is
    the largest: the differences log ŷ_j - log ŷ_k = z_j - z_k are the scores', so for a linear
    layer the regions drawn are its own, straight edges and all. Evaluated under no_grad at each
    snapshot's parameters, the model's own put back afterwards, as for `_boundaries`.
    """
    parameters = model.parameters()
    kept = [p.data for p in parameters]
    drawn = []
    try:
        for snapshot in snapshots:
            snapshot.restore(parameters)
            with no_grad():
                outputs_on_grid = model.batch(grid)
            levels = []
            for out in outputs_on_grid:
                for log_p in _log_softmax(_scores(title, out, outputs)):
                    level = int(65535 * (1.0 + max(log_p, -LOG_FLOOR) / LOG_FLOOR))
                    levels.append(min(65535, level))
            drawn.append(base64.b64encode(struct.pack(f">{len(levels)}H", *levels)).decode("ascii"))
    finally:
        for parameter, value in zip(parameters, kept):
            parameter.data = value
    return drawn


def _scores(title: str, out: Value | list[Value], outputs: int) -> list[float]:
    """Return a K-output model's outputs at one point as floats, or raise if it has not K."""
    if not isinstance(out, list) or len(out) != outputs:
        got = len(out) if isinstance(out, list) else 1
        raise ValueError(
            f"replay_page: run {title!r}: the model has {got} outputs, its snapshots {outputs} per example"
        )
    return [v.data for v in out]


def _log_softmax(scores: list[float]) -> list[float]:
    """Return log softmax(scores), each score less the log of the sum of their exponentials."""
    top = max(scores)  # shifted by the largest, so that no exponential overflows
    log_total = top + math.log(math.fsum(math.exp(s - top) for s in scores))
    return [s - log_total for s in scores]


def _shade_of(model: Module) -> Callable[[float], float]:
    """Return the function output -> shade in [0, 1], 0.5 on the decision boundary."""
    activation = getattr(model, "output_activation", getattr(model, "activation", None))
    if activation in _PROBABILITY_OUTPUTS:
        return lambda p: p
    return lambda score: (1.0 + math.tanh(score)) / 2.0


def _output(out: Value | list[Value]) -> float:
    """Return a one-output model's output as a float."""
    if isinstance(out, list):
        raise ValueError(f"replay_page: a decision boundary needs a model with one output, got {len(out)}")
    return out.data


def _bounding_box(points: list[tuple[float, float]]) -> tuple[float, float, float, float]:
    """Return (x0 min, x0 max, x1 min, x1 max) around the points, no side under half the other.

    The bounds are rounded to the page's digits, as the page holds them.
    """
    lo = [min(p[i] for p in points) for i in (0, 1)]
    hi = [max(p[i] for p in points) for i in (0, 1)]
    size = max(hi[0] - lo[0], hi[1] - lo[1], 1e-6)
    half = [max(hi[i] - lo[i], 0.5 * size) / 2 + 0.1 * size for i in (0, 1)]  # a tenth's margin
    centre = [(lo[i] + hi[i]) / 2 for i in (0, 1)]
    x0_lo, x0_hi = _round(centre[0] - half[0]), _round(centre[0] + half[0])
    x1_lo, x1_hi = _round(centre[1] - half[1]), _round(centre[1] + half[1])
    return x0_lo, x0_hi, x1_lo, x1_hi


def _grid_shape(box: tuple[float, float, float, float], resolution: int) -> tuple[int, int]:
    """Return (columns, rows) of the grid: resolution along the longer side, square cells."""
    width, height = box[1] - box[0], box[3] - box[2]
    if width >= height:
        return resolution, max(2, round(resolution * height / width))
    return max(2, round(resolution * width / height)), resolution


def _grid_points(box: tuple[float, float, float, float], columns: int, rows: int) -> list[tuple[float, float]]:
    """Return the grid's points row by row, from the top row (largest x1), left to right."""
    x0s = [box[0] + (box[1] - box[0]) * i / (columns - 1) for i in range(columns)]
    x1s = [box[3] - (box[3] - box[2]) * j / (rows - 1) for j in range(rows)]
    return [(a, b) for b in x1s for a in x0s]


# ---------------------------------------------------------------------------- the network


def _network(model: Module) -> dict[str, Any] | None:
    """Return an MLP's layers for drawing: sizes, and each edge and bias with its parameter's index.

    An edge is [layer, input, neuron, index]: the weight of `neuron` in `layer` for its `input`
    (a neuron of the layer before, or an input of the data for layer 0).
    """
    layers = getattr(model, "layers", None)
    if not layers:
        return None
    index = {id(p): i for i, p in enumerate(model.parameters())}
    edges, biases = [], []
    for k, layer in enumerate(layers):
        for j, neuron in enumerate(layer.neurons):
            edges += [[k, i, j, index[id(w)]] for i, w in enumerate(neuron.w)]
            biases.append([k, j, index[id(neuron.b)]])
    return {
        "sizes": [layers[0].nin, *(layer.nout for layer in layers)],
        "edges": edges,
        "biases": biases,
    }


# ---------------------------------------------------------------------------- checks


def _check_points(X: Sequence[Sequence[float]], y: Sequence[int]) -> list[tuple[float, float]]:
    """Return the points as float pairs, one per label of y, or raise naming the argument."""
    if isinstance(X, (str, bytes)) or not hasattr(X, "__len__") or len(X) == 0:
        raise ValueError(f"replay_page: X must be a non-empty list of points, got {X!r:.80}")
    if not hasattr(y, "__len__") or len(y) != len(X):
        raise ValueError(f"replay_page: y must have one label per point of X ({len(X)}), got {y!r:.80}")
    points = []
    for i, x in enumerate(X):
        if not hasattr(x, "__len__") or len(x) != 2:
            raise ValueError(f"replay_page: X[{i}] must be a point (x0, x1), got {x!r:.80}")
        a, b = (float(v) for v in x)
        if not (math.isfinite(a) and math.isfinite(b)):
            raise ValueError(f"replay_page: X[{i}] must be finite, got {x!r:.80}")
        points.append((a, b))
    return points


def _check_labels(y: Sequence[int], outputs: int) -> list[int]:
    """Return the labels as classes: 0/1 for one output, 0 .. K-1 for K; or raise naming y."""
    labels = set(y)
    if outputs > 1:
        if not labels <= set(range(outputs)):
            raise ValueError(
                f"replay_page: y must be classes 0 to {outputs - 1} (the runs have {outputs} "
                f"outputs per example), got {sorted(labels, key=repr)!r:.80}"
            )
        return [int(t) for t in y]
    if not (labels <= {0, 1} or labels <= {-1, 1}):
        raise ValueError(f"replay_page: y must be labels 0/1 or -1/1, got {sorted(labels, key=repr)!r:.80}")
    return [1 if t == 1 else 0 for t in y]


def _outputs_of(run: ReplayRun) -> int:
    """Return how many numbers per example the run's snapshots hold in z: 1, or K."""
    z = run.history.snapshots[0].z  # type: ignore[index]
    return len(z[0]) if z and isinstance(z[0], Sequence) else 1


def _flat(values: Sequence[Any], outputs: int) -> list[float]:
    """Return per-example numbers as one list: as they are for one output, the K-tuples joined."""
    return list(values) if outputs == 1 else [v for row in values for v in row]


def _check_runs(runs: Sequence[ReplayRun | tuple[Any, ...]], n: int) -> list[ReplayRun]:
    """Return the runs as ReplayRuns, or raise naming the run and what is wrong with it."""
    if isinstance(runs, (str, bytes)) or not isinstance(runs, Sequence) or not runs:
        raise ValueError(f"replay_page: runs must be a non-empty list of ReplayRun, got {runs!r:.80}")
    checked = []
    for k, run in enumerate(runs):
        if not isinstance(run, tuple) or not 3 <= len(run) <= 4:
            raise TypeError(
                f"replay_page: runs[{k}] must be a ReplayRun(title, colour, history, model), got {run!r:.80}"
            )
        run = ReplayRun(*run)
        if not isinstance(run.title, str) or not run.title:
            raise ValueError(f"replay_page: runs[{k}].title must be a non-empty str, got {run.title!r}")
        if not isinstance(run.colour, str) or not _COLOUR.fullmatch(run.colour):
            raise ValueError(f"replay_page: run {run.title!r}: colour must be '#rrggbb', got {run.colour!r}")
        _check_snapshots(run, n)
        checked.append(run)
    epochs = [[s.epoch for s in run.history.snapshots or ()] for run in checked]
    for run, run_epochs in zip(checked[1:], epochs[1:]):
        if run_epochs != epochs[0]:
            raise ValueError(
                f"replay_page: run {run.title!r} has snapshots at epochs "
                f"{_epochs_text(run_epochs)}, "
                f"run {checked[0].title!r} at {_epochs_text(epochs[0])}; record them alike"
            )
    kinds = {run.history.snapshots[0].p is None for run in checked}  # type: ignore[index]
    if len(kinds) > 1:
        raise ValueError("replay_page: some runs have a probability output (p) and some do not")
    outputs = [_outputs_of(run) for run in checked]
    for run, count in zip(checked[1:], outputs[1:]):
        if count != outputs[0]:
            raise ValueError(
                f"replay_page: run {run.title!r} has {count} outputs per example, run {checked[0].title!r} {outputs[0]}"
            )
    if outputs[0] > 1:
        for run in checked:
            _check_classes(run, outputs[0])
    return checked


def _check_classes(run: ReplayRun, outputs: int) -> None:
    """Raise ValueError unless every snapshot holds K numbers per example in z, dL_dz and p."""
    for snapshot in run.history.snapshots or ():
        for name in ("z", "dL_dz", "p"):
            rows = getattr(snapshot, name)
            if rows is None:
                raise ValueError(
                    f"replay_page: run {run.title!r}: the snapshot at epoch {snapshot.epoch} has "
                    f"no {name}; K outputs per example need z, dL_dz and p (the softmax's ŷ)"
                )
            if len(rows) != len(snapshot.z):
                raise ValueError(
                    f"replay_page: run {run.title!r}: the snapshot at epoch {snapshot.epoch} has "
                    f"{len(rows)} rows of {name} for {len(snapshot.z)} examples"
                )
            for i, row in enumerate(rows):
                if not isinstance(row, Sequence) or len(row) != outputs:
                    raise ValueError(
                        f"replay_page: run {run.title!r}: the snapshot at epoch {snapshot.epoch} "
                        f"has {name}[{i}] = {row!r:.60}, not {outputs} numbers"
                    )


def _check_snapshots(run: ReplayRun, n: int) -> None:
    """Raise ValueError unless the run's history has snapshots of every one of the n points."""
    snapshots = getattr(run.history, "snapshots", None)
    if not snapshots:
        raise ValueError(
            f"replay_page: run {run.title!r} has no snapshots; train it with snapshots (fit's record_every) first"
        )
    for name in ("loss", "accuracy"):
        values = getattr(run.history, name, None)
        if not isinstance(values, Sequence) or len(values) <= snapshots[-1].epoch:
            have = len(values) if isinstance(values, Sequence) else values
            raise ValueError(
                f"replay_page: run {run.title!r} has a snapshot at epoch {snapshots[-1].epoch}, "
                f"but its history's {name} has {have} entries"
            )
    for snapshot in snapshots:
        if len(snapshot.z) != n:
            raise ValueError(
                f"replay_page: run {run.title!r}: the snapshot at epoch {snapshot.epoch} has "
                f"numbers for {len(snapshot.z)} examples, X has {n} points (a model with one "
                "output, and Snapshots' max_examples at least the number of points)"
            )


def _check_model(run: ReplayRun, labels: list[str], count: int) -> None:
    """Raise unless the run's model has the parameters its snapshots recorded (count, labels)."""
    model = run.model
    if not isinstance(model, Module):
        raise TypeError(
            f"replay_page: run {run.title!r}: model must be an nn Module (or None), got {type(model).__name__}"
        )
    mine = [p.label for p in model.parameters()]
    if len(mine) != count or (labels and mine != labels):
        raise ValueError(
            f"replay_page: run {run.title!r}: the model's parameters ({len(mine)}, "
            f"{', '.join(mine[:3])}, ...) are not the ones its snapshots recorded "
            f"({count}, {', '.join(labels[:3]) or 'unlabelled'}, ...)"
        )


def _epochs_text(epochs: list[int]) -> str:
    """Return a short list of epochs: the first few and the count."""
    shown = ", ".join(map(str, epochs[:4]))
    return f"{shown}, ... ({len(epochs)})" if len(epochs) > 4 else shown


def _round(x: float) -> float:
    """Return x to the page's significant digits."""
    return float(f"{x:.{DIGITS}g}")


def _rounded(values: Sequence[float]) -> list[float]:
    return [float(f"{x:.{DIGITS}g}") for x in values]


def _rounded_or_none(values: Sequence[float] | None) -> list[float] | None:
    return None if values is None else _rounded(values)
