"""``lossgrad explore``: the post's Loss Function Explorer, in the terminal or as a web page.

At one point (a predicted probability p, or a logit z, and a true label y) it prints MSE and
binary cross-entropy, and each one's gradient with respect to p and with respect to the logit z,
all by backprop through the engine. ``--html FILE`` writes the post's interactive explorer as a
single self-contained page: the post's two losses, and beside them the loss zoo of `LOSS_ZOO`
(BCE with logits, label smoothing, focal, Huber, hinge), each with sliders for its parameters.

Every number on the page is computed here, by the engine: each curve on a grid of p, for both
labels, and for a loss with parameters once at every position of its sliders. The page itself
computes nothing; it picks the numbers for the current p, label and slider positions and draws
them.

The page is three package data files, ``demos/pages/explorer.html``, ``explorer.css`` and
``explorer.js``; `explorer_page` puts them and the curves together with ``engine.pages.Page``
into one document that needs no other file and no network (it works from ``file://``). The
browser test reads these element ids: ``p-slider``, ``label-toggle``, ``p-value``, ``z-value``,
``label-value``, ``grad-ratio``, ``loss-chart``, ``grad-chart``, ``grad-z-button`` and
``grad-p-button``; for each loss's key KEY (``mse``, ``bce`` and the zoo's), ``KEY-toggle``,
``KEY-name``, ``KEY-loss``, ``KEY-grad-p`` and ``KEY-grad-z``; for each of its parameters NAME,
``KEY-NAME-slider`` and ``KEY-NAME-value``. Each drawn curve is a ``path.curve.KEY``.
"""

from __future__ import annotations

import argparse
import functools
import json
import math
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from engine import Value
from engine.pages import Page
from losses import (
    binary_cross_entropy,
    focal_loss,
    hinge_loss,
    huber_loss,
    input_kind,
    logit,
    sigmoid,
    takes,
)

from .arguments import binary_label, finite_float, html_path, open_probability
from .registry import BINARY_LOSSES, POST_LOSSES
from .terminal import Style, paragraph, table

__all__ = [
    "CONFIDENTLY_WRONG",
    "LOSS_ZOO",
    "Knob",
    "PointGradients",
    "ZooLoss",
    "add_parser",
    "explorer_curves",
    "explorer_html",
    "explorer_page",
    "gradients_at",
    "run",
]

_PAGE_TITLE = "Loss Function Explorer: MSE vs cross-entropy, and the loss zoo - lossgrad"
_QUANTITIES = ("loss", "grad_p", "grad_z")
# The page keeps its numbers to the digits it shows them with, so it never rounds twice.
_DIGITS = 6
_RATIO_DIGITS = 3

CONFIDENTLY_WRONG = 0.9
"""|p - y| above this is the post's "confidently wrong" zone (shaded on the page)."""


@dataclass(frozen=True)
class PointGradients:
    """Both losses at one point and their gradients with respect to p and to the logit z.

    The fields of each loss are named by its registry key: ``mse_loss``, ``mse_grad_p``, ...
    """

    p: float
    z: float
    label: int
    mse_loss: float
    bce_loss: float
    mse_grad_p: float
    bce_grad_p: float
    mse_grad_z: float
    bce_grad_z: float

    @property
    def ratio(self) -> float:
        """Return |BCE's dL/dz| / |MSE's dL/dz|: how many times harder cross-entropy pushes z."""
        return abs(self.bce_grad_z / self.mse_grad_z) if self.mse_grad_z else math.inf


def _at_logit(
    loss: Callable[..., Value],
    z: float,
    label: float,
    **knobs: float,
) -> tuple[float, float | None, float]:
    """Return (L, ∂L/∂p, ∂L/∂z) at the logit z, from one graph and one backward pass.

    The graph is a leaf z, then p = sigmoid(z), then the loss on p: after ``backward()`` the leaf
    holds ∂L/∂z and the node p holds ∂L/∂p. A loss that declares it takes logits is given z
    itself, and ∂L/∂p is None: p is not its input. knobs are the loss's keyword arguments.
    """
    leaf = Value(z, label="z")
    if input_kind(loss) == "logits":
        out = loss(leaf, label, **knobs)
        out.backward()
        return out.data, None, leaf.grad
    p = sigmoid(leaf)
    out = loss(p, label, **knobs)
    out.backward()
    return out.data, p.grad, leaf.grad


def gradients_at(label: int, p: float | None = None, z: float | None = None) -> PointGradients:
    """Return both losses and their gradients at a probability p (or a logit z) for the true label.

    Everything comes from backprop: each loss is built on p = sigmoid(z) from a leaf z, and one
    backward pass leaves dL/dz on z and dL/dp on the node p.

    >>> g = gradients_at(1, z=-4.5)
    >>> print(f"p={g.p:.6f} MSE={g.mse_loss:.6f} dMSE/dz={g.mse_grad_z:.6f}")
    p=0.010987 MSE=0.978147 dMSE/dz=-0.021494
    >>> print(f"BCE={g.bce_loss:.4f} dBCE/dz={g.bce_grad_z:.6f}")
    BCE=4.5110 dBCE/dz=-0.989013
    """
    if label not in (0, 1):
        raise ValueError(f"gradients_at: label must be 0 or 1, got {label!r}")
    if p is not None and z is None:
        if not 0.0 < p < 1.0:
            raise ValueError(f"gradients_at: p must be strictly between 0 and 1, got {p!r}")
        z = logit(p).data
    elif z is None or p is not None:
        raise ValueError("gradients_at: give exactly one of p and z")
    z = float(z)
    fields: dict[str, float] = {}
    for key in POST_LOSSES:
        loss, grad_p, grad_z = _at_logit(BINARY_LOSSES[key].base, z, label)
        assert grad_p is not None  # the post's losses take p
        fields[f"{key}_loss"] = loss
        fields[f"{key}_grad_p"] = grad_p
        fields[f"{key}_grad_z"] = grad_z
    return PointGradients(p=sigmoid(z).data, z=z, label=label, **fields)


# --- the loss zoo ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Knob:
    """A slider on the explorer page: a keyword argument of a loss, at the values precomputed."""

    name: str  # the loss function's keyword: "gamma"
    symbol: str  # what the page calls it: "γ"
    values: tuple[float, ...]  # the slider's positions, in order
    initial: float  # where the slider starts: one of values

    def __post_init__(self) -> None:
        if self.initial not in self.values:
            values = ", ".join(f"{v:g}" for v in self.values)
            raise ValueError(
                f"Knob: initial must be one of {values} for {self.name}, got {self.initial!r}",
            )

    @classmethod
    def evenly(
        cls,
        name: str,
        symbol: str,
        start: float,
        stop: float,
        step: float,
        initial: float,
    ) -> Knob:
        """Return the knob whose values are start, start + step, ..., stop.

        >>> Knob.evenly("delta", "δ", 0.1, 0.5, 0.1, initial=0.3).values
        (0.1, 0.2, 0.3, 0.4, 0.5)
        """
        count = round((stop - start) / step)
        # Rounded, so the slider shows 0.3 where start + 2·step gives 0.30000000000000004.
        values = tuple(round(start + k * step, 12) for k in range(count + 1))
        return cls(name, symbol, values, initial)


@dataclass(frozen=True)
class ZooLoss:
    """A loss the explorer offers beside the post's two: its function, its knobs, its looks.

    ``loss(x, y, **knobs)`` is given x = z when it declares it takes logits (``losses.takes``),
    and x = p = sigmoid(z) otherwise, with y in {0, 1}.
    """

    key: str  # the page's name for it: in element ids, and the class of its curves
    name: str  # over its row, followed by its knobs' current values
    title: str  # its full title
    colour: str  # hex, from the registry
    loss: Callable[..., Value]
    formula: str  # one line under its name: what it computes
    knobs: tuple[Knob, ...] = ()
    dashed: bool = False  # a variant of the loss whose colour it borrows is drawn dashed

    @property
    def takes_logits(self) -> bool:
        """Return whether the loss is given the logit z (then it has no ∂L/∂p)."""
        return input_kind(self.loss) == "logits"


@takes("probabilities")
def _bce_with_label_smoothing(p: Value, y: float, *, label_smoothing: float) -> Value:
    """Return binary_cross_entropy(p, (1 - ε)·y + ε/2): cross-entropy against a softened label.

    The target moves from 0 or 1 toward 1/2, so the loss is smallest at p = 1 - ε/2 (for y = 1)
    and its push ∂L/∂z = p - (1 - ε/2) turns around there instead of fading toward certainty.
    As Keras's ``BinaryCrossentropy(label_smoothing=ε)``.

    >>> print(f"{_bce_with_label_smoothing(0.95, 1, label_smoothing=0.1):.4f}")
    0.1985
    """
    return binary_cross_entropy(p, (1 - label_smoothing) * y + label_smoothing / 2)


@takes("logits")
def _hinge_with_margin(z: Value, y: float, *, margin: float) -> Value:
    """Return max(0, m - ỹ·z) for a label y in {0, 1}, ỹ = 2y - 1: the hinge loss with margin m.

    ``hinge_loss`` has the margin 1. Shifting the logit by (m - 1)·ỹ moves it to m, since
    1 - ỹ·(z - (m - 1)·ỹ) = m - ỹ·z when ỹ² = 1; the shift is a constant, so ∂L/∂z is unchanged.

    >>> print(f"{_hinge_with_margin(Value(0.5), 1, margin=2.0):.2f}")
    1.50
    """
    signed = 2 * y - 1
    return hinge_loss(z - (margin - 1) * signed, signed)


def _zoo() -> tuple[ZooLoss, ...]:
    """Return the zoo, each loss named and coloured as the demos' registry names and colours it."""
    bce, bce_with_logits = BINARY_LOSSES["bce"], BINARY_LOSSES["bce_with_logits"]
    focal, huber, hinge = BINARY_LOSSES["focal"], BINARY_LOSSES["huber"], BINARY_LOSSES["hinge"]
    return (
        ZooLoss(
            key=bce_with_logits.key,
            name=bce_with_logits.title,
            title=bce_with_logits.title,
            colour=bce_with_logits.colour.hex,
            loss=bce_with_logits.on_logit,
            formula="softplus(z) − y·z: BCE from z, with no clip; on this range it is BCE's curve",
        ),
        ZooLoss(
            key="label_smoothing",
            name=f"{bce.short}, label smoothing",
            title=f"{bce.title} with label smoothing",
            colour=bce.colour.hex,  # cross-entropy against a softened label: BCE's colour, dashed
            loss=_bce_with_label_smoothing,
            formula="BCE against y(1 − ε) + ε/2: it stops pushing at p = 1 − ε/2, short of certain",
            knobs=(Knob.evenly("label_smoothing", "ε", 0.0, 0.4, 0.05, initial=0.1),),
            dashed=True,
        ),
        ZooLoss(
            key=focal.key,
            name=focal.short,
            title=focal.title,
            colour=focal.colour.hex,
            loss=focal_loss,
            formula="α_t·(1 − p_t)^γ·BCE: examples it already gets right count for less",
            knobs=(
                Knob.evenly("gamma", "γ", 0.0, 4.0, 0.5, initial=2.0),
                Knob.evenly("alpha", "α", 0.0, 1.0, 0.125, initial=0.25),
            ),
        ),
        ZooLoss(
            key=huber.key,
            name=huber.short,
            title=huber.title,
            colour=huber.colour.hex,
            loss=huber_loss,
            formula="on p: ½(p − y)² up to |p − y| = δ, linear beyond; δ = 1 is half of MSE",
            knobs=(Knob.evenly("delta", "δ", 0.1, 1.0, 0.1, initial=1.0),),
        ),
        ZooLoss(
            key=hinge.key,
            name=hinge.short,
            title=hinge.title,
            colour=hinge.colour.hex,
            loss=_hinge_with_margin,
            formula="max(0, m − ỹz), ỹ = 2y − 1: a push of 1 until the margin m, then none",
            knobs=(Knob.evenly("margin", "m", 0.0, 2.0, 0.25, initial=1.0),),
        ),
    )


LOSS_ZOO: tuple[ZooLoss, ...] = _zoo()
"""The losses the explorer page adds to the post's two, in the order of its table."""


# --- the page's data ---------------------------------------------------------------------------


def _short(x: float, digits: int = _DIGITS) -> float:
    """Return x rounded to digits significant digits: as the page shows it, and no larger."""
    return float(f"{x:.{digits}g}")


def _grid(points: int) -> list[float]:
    """Return the probabilities 1/(points+1), ..., points/(points+1)."""
    return [(i + 1) / (points + 1) for i in range(points)]


def _columns(
    entry: ZooLoss,
    zs: Sequence[float],
    label: int,
    knobs: dict[str, float],
) -> dict[str, list[float]]:
    """Return entry's loss, ∂L/∂z and (for a loss of p) ∂L/∂p at each logit of zs."""
    columns: dict[str, list[float]] = {"loss": [], "grad_z": []}
    if not entry.takes_logits:
        columns["grad_p"] = []
    for z in zs:
        loss, grad_p, grad_z = _at_logit(entry.loss, z, label, **knobs)
        columns["loss"].append(_short(loss))
        columns["grad_z"].append(_short(grad_z))
        if grad_p is not None:
            columns["grad_p"].append(_short(grad_p))
    return columns


def _nested(
    entry: ZooLoss,
    zs: Sequence[float],
    label: int,
    knobs: dict[str, float],
) -> dict[str, Any]:
    """Return entry's columns at every position of the knobs not set in knobs, nested in knob order.

    So ``result["loss"][i][j]`` is the loss curve at the i-th value of the first knob and the
    j-th value of the second: the page walks down by its sliders' positions.
    """
    if len(knobs) == len(entry.knobs):
        return _columns(entry, zs, label, knobs)
    knob = entry.knobs[len(knobs)]
    branches = [_nested(entry, zs, label, {**knobs, knob.name: value}) for value in knob.values]
    return {quantity: [branch[quantity] for branch in branches] for quantity in branches[0]}


# Computing the zoo (every slider position of every loss, for both labels) is most of the time of
# building a page, and it does not depend on where the page starts: each grid is computed once.
@functools.lru_cache(maxsize=2)
def _zoo_json(points: int) -> str:
    """Return the zoo's part of the page's data for the grid of points probabilities, as JSON."""
    zs = [logit(p).data for p in _grid(points)]
    zoo = [
        {
            "key": entry.key,
            "name": entry.name,
            "title": entry.title,
            "colour": entry.colour,
            "dashed": entry.dashed,
            "formula": entry.formula,
            "takes_logits": entry.takes_logits,
            "knobs": [
                {
                    "name": knob.name,
                    "symbol": knob.symbol,
                    "values": list(knob.values),
                    "initial": knob.values.index(knob.initial),
                }
                for knob in entry.knobs
            ],
            "curves": {str(label): _nested(entry, zs, label, {}) for label in (0, 1)},
        }
        for entry in LOSS_ZOO
    ]
    return json.dumps(zoo, allow_nan=False)


def explorer_curves(
    points: int = 99,
    initial_p: float = 0.01,
    initial_label: int = 1,
) -> dict[str, Any]:
    """Return the explorer page's data: p = 1/(points+1), ..., points/(points+1), and every curve.

    Plain JSON-able data, every number kept to the 6 significant digits the page shows:

    - ``p``, ``z`` (the logit of each p), ``initial_index``, ``initial_label``, and
      ``wrong_zone["0"|"1"]``, the interval of p where the model is confidently wrong;
    - the post's two losses: ``losses``, the key, title and colour of each from the registry,
      and ``curves["0"]`` / ``curves["1"]``, per true label, ``KEY_loss``, ``KEY_grad_p`` and
      ``KEY_grad_z`` for the keys ``mse`` and ``bce``; ``ratio["0"|"1"]``, |BCE's ∂L/∂z| over
      |MSE's| (3 digits; None where MSE's is 0);
    - ``zoo``: one record per loss of `LOSS_ZOO`, with its key, name, title, colour, formula,
      ``dashed``, ``takes_logits``, its ``knobs`` (name, symbol, values, initial position) and
      ``curves[label]["loss"|"grad_z"|"grad_p"]``, nested by knob position and then by p
      (no ``grad_p`` for a loss of the logit).

    >>> data = explorer_curves(points=9)
    >>> data["p"][:3], data["curves"]["1"]["bce_grad_z"][:3]
    ([0.1, 0.2, 0.3], [-0.9, -0.8, -0.7])
    >>> focal = data["zoo"][2]
    >>> [(knob["symbol"], knob["values"][knob["initial"]]) for knob in focal["knobs"]]
    [('γ', 2.0), ('α', 0.25)]
    >>> focal["curves"]["1"]["loss"][4][2][0]  # γ = 2, α = 0.25, p = 0.1: 0.25·0.9²·(-log 0.1)
    0.466273
    """
    grid = _grid(points)
    zs = [logit(p).data for p in grid]
    curves: dict[str, dict[str, list[float]]] = {}
    ratio: dict[str, list[float | None]] = {}
    for label in (0, 1):
        names = [f"{key}_{quantity}" for quantity in _QUANTITIES for key in POST_LOSSES]
        columns: dict[str, list[float]] = {name: [] for name in names}
        ratios: list[float | None] = []
        for z in zs:
            point = gradients_at(label, z=z)
            for name in columns:
                columns[name].append(_short(getattr(point, name)))
            finite = math.isfinite(point.ratio)
            ratios.append(_short(point.ratio, _RATIO_DIGITS) if finite else None)
        curves[str(label)] = columns
        ratio[str(label)] = ratios
    initial_index = min(range(points), key=lambda i: abs(grid[i] - initial_p))
    shown = [BINARY_LOSSES[key] for key in POST_LOSSES]
    return {
        "p": [_short(p) for p in grid],
        "z": [_short(z) for z in zs],
        "initial_index": initial_index,
        "initial_label": initial_label,
        "wrong_zone": {"0": [CONFIDENTLY_WRONG, 1.0], "1": [0.0, _short(1 - CONFIDENTLY_WRONG)]},
        "losses": [{"key": e.key, "title": e.title, "colour": e.colour.hex} for e in shown],
        "curves": curves,
        "ratio": ratio,
        "zoo": json.loads(_zoo_json(points)),
    }


def explorer_page(initial_p: float = 0.01, initial_label: int = 1) -> Page:
    """Return the Loss Function Explorer as a self-contained page, every curve the engine's.

    ``page.save(path)`` writes it; in Jupyter the page shows inline.
    """
    data = explorer_curves(initial_p=initial_p, initial_label=initial_label)
    return Page.from_package("demos", "explorer", _PAGE_TITLE, data, height=900)


def explorer_html(initial_p: float = 0.01, initial_label: int = 1) -> str:
    """Return the self-contained HTML of the Loss Function Explorer (`explorer_page`'s document)."""
    return explorer_page(initial_p, initial_label).html()


# --- the command -------------------------------------------------------------------------------


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Return the ``explore`` subcommand's parser, registered on subparsers."""
    parser = subparsers.add_parser(
        "explore",
        help=("both losses and both gradients at one point; --html writes the interactive explorer page"),
        description=(
            "The post's Loss Function Explorer. In the terminal: MSE and cross-entropy, and each "
            "one's gradient with respect to p and to the logit z, at one point. With --html: a "
            "self-contained page (no network access) with a slider for p and a toggle for the "
            "label, and beside the post's two losses the zoo (BCE with logits, label smoothing, "
            "focal, Huber, hinge), each with sliders for its parameters."
        ),
    )
    where = parser.add_mutually_exclusive_group()
    where.add_argument(
        "--p",
        type=open_probability,
        default=None,
        metavar="P",
        help="predicted probability, strictly between 0 and 1 (default: 0.01)",
    )
    where.add_argument(
        "--logit",
        type=finite_float,
        default=None,
        metavar="Z",
        help="the logit z instead of p (p = sigmoid(z)), e.g. -4.5",
    )
    parser.add_argument("--label", type=binary_label, default=1, metavar="Y", help="true label, 0 or 1 (default: 1)")
    parser.add_argument(
        "--html",
        type=html_path,
        default=None,
        metavar="FILE",
        help="write the interactive explorer page to FILE (.html), starting at --p and --label",
    )
    parser.add_argument("--json", action="store_true", help="print the point's numbers as JSON instead of a table")
    return parser


def run(args: argparse.Namespace) -> int:
    """Return 0 after printing the losses and gradients at the point (and writing the page)."""
    if args.logit is None and args.p is None:
        args.p = 0.01
    point = gradients_at(args.label, p=args.p, z=args.logit)
    if args.json:
        record = asdict(point)
        record["ratio"] = point.ratio if math.isfinite(point.ratio) else None
        print(json.dumps(record, indent=2))
    else:
        _print_point(point, Style.for_stream())
    if args.html is not None:
        path = explorer_page(initial_p=point.p, initial_label=point.label).save(args.html)
        if not args.json:
            print()
            print(paragraph(f"wrote the explorer page to {path} (self-contained: open it in any browser, offline)"))
    return 0


def _print_point(point: PointGradients, style: Style) -> None:
    """Print the point, the two losses and their gradients as an aligned table with a verdict."""
    wrongness = abs(point.p - point.label)
    print(style.bold(paragraph(f"p = {point.p:.6f}   (logit z = {point.z:+.4f})   true label y = {point.label}")))
    print()
    mse, bce = (BINARY_LOSSES[key] for key in POST_LOSSES)
    rows = [
        [
            style.paint(mse.title, mse.colour.terminal),
            f"{point.mse_loss:.6f}",
            f"{point.mse_grad_p:+.6f}",
            f"{point.mse_grad_z:+.6f}",
        ],
        [
            style.paint(bce.title, bce.colour.terminal),
            f"{point.bce_loss:.6f}",
            f"{point.bce_grad_p:+.6f}",
            f"{point.bce_grad_z:+.6f}",
        ],
    ]
    for line in table(["loss", "value", "dL/dp", "dL/dz"], rows):
        print(line)
    print()
    print(paragraph(f"sigmoid'(z) = p(1 - p) = {point.p * (1 - point.p):.6f}"))
    if point.mse_grad_z == 0.0:
        print(paragraph("MSE's gradient with respect to the logit is exactly 0 here."))
    if point.bce_grad_z == 0.0:
        print(
            paragraph(
                "cross-entropy's gradient with respect to the logit is exactly 0 here: p is outside "
                "binary_cross_entropy's clip to [eps, 1 - eps], which passes no gradient "
                "(binary_cross_entropy_with_logits has no clip)"
            )
        )
    if point.mse_grad_z == 0.0 or point.bce_grad_z == 0.0:
        return
    verdict = f"cross-entropy pushes the logit {point.ratio:.1f}x harder than MSE"
    if wrongness > CONFIDENTLY_WRONG:
        verdict += " (the model is confidently wrong: MSE's push is strangled by the sigmoid's derivative)"
    elif wrongness < 1 - CONFIDENTLY_WRONG:
        verdict += " (the model is confidently right: both ease off)"
    print(style.bold(paragraph(verdict)))
