"""``lossgrad explore``: the post's Loss Function Explorer, in the terminal or as a web page.

At one point (a predicted probability p, or a logit z, and a true label y) it prints MSE and
binary cross-entropy, and each one's gradient with respect to p and with respect to the logit z,
all by backprop through the engine. ``--html FILE`` writes the post's interactive explorer as a
single self-contained page whose curves the engine computed here.

The page is three package data files, ``demos/pages/explorer.html``, ``explorer.css`` and
``explorer.js``; `explorer_page` puts them and the curves together with ``engine.pages.Page``
into one document that needs no other file and no network (it works from ``file://``). The
browser test reads these element ids: ``p-slider``, ``label-toggle``, ``p-value``, ``z-value``,
``label-value``, ``KEY-loss``, ``KEY-grad-p`` and ``KEY-grad-z`` for the keys ``mse`` and
``bce``, ``grad-ratio``, ``loss-chart`` and ``grad-chart``.
"""

from __future__ import annotations

import argparse
import json
import math
from dataclasses import asdict, dataclass

from engine import Value
from engine.pages import Page
from losses import logit, loss_and_grad_wrt_logit, sigmoid

from .arguments import binary_label, finite_float, html_path, open_probability
from .registry import BINARY_LOSSES, POST_LOSSES, BinaryLoss
from .terminal import Style, table

__all__ = [
    "PointGradients",
    "add_parser",
    "explorer_curves",
    "explorer_html",
    "explorer_page",
    "gradients_at",
    "run",
]

_PAGE_TITLE = "Loss Function Explorer: MSE vs cross-entropy - lossgrad"
_QUANTITIES = ("loss", "grad_p", "grad_z")


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
        """Return |BCE's dL/dz| / |MSE's dL/dz|: how many times harder cross-entropy pushes the logit."""
        return abs(self.bce_grad_z / self.mse_grad_z) if self.mse_grad_z else math.inf


def _grad_wrt_probability(loss: BinaryLoss, p: float, label: int) -> float:
    """Return dL/dp of the loss's base (a loss of probabilities) at p and label, by backprop from p."""
    leaf = Value(p, label="p")
    loss.base(leaf, label).backward()
    return leaf.grad


def gradients_at(label: int, p: float | None = None, z: float | None = None) -> PointGradients:
    """Return both losses and their gradients at a probability p (or a logit z) for the true label.

    Everything comes from backprop: ``losses.loss_and_grad_wrt_logit`` builds each loss on
    p = sigmoid(z) from a leaf z and reads dL/dz; dL/dp is read off a leaf p the same way.

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
    at_z = sigmoid(z).data
    fields: dict[str, float] = {}
    for key in POST_LOSSES:
        loss = BINARY_LOSSES[key]
        fields[f"{key}_loss"], fields[f"{key}_grad_z"] = loss_and_grad_wrt_logit(loss.on_logit, z, label)
        fields[f"{key}_grad_p"] = _grad_wrt_probability(loss, at_z, label)
    return PointGradients(p=at_z, z=z, label=label, **fields)


def explorer_curves(points: int = 999, initial_p: float = 0.01, initial_label: int = 1) -> dict[str, object]:
    """Return the explorer page's data: p = 1/(points+1), ..., points/(points+1), and per label the curves.

    The result is plain JSON-able data: ``p``, ``z``, ``initial_index``, ``initial_label``,
    ``losses`` (the key, title and colour of each loss shown, from the registry) and
    ``curves["0"]`` / ``curves["1"]``, each with ``KEY_loss``, ``KEY_grad_p`` and ``KEY_grad_z``
    lists for the keys ``mse`` and ``bce``.
    """
    grid = [(i + 1) / (points + 1) for i in range(points)]
    fields = [f"{key}_{quantity}" for quantity in _QUANTITIES for key in POST_LOSSES]
    curves: dict[str, dict[str, list[float]]] = {}
    for label in (0, 1):
        columns: dict[str, list[float]] = {name: [] for name in fields}
        for p in grid:
            point = gradients_at(label, p=p)
            for name in fields:
                columns[name].append(_short(getattr(point, name)))
        curves[str(label)] = columns
    initial_index = min(range(points), key=lambda i: abs(grid[i] - initial_p))
    shown = [BINARY_LOSSES[key] for key in POST_LOSSES]
    return {
        "p": [_short(p) for p in grid],
        "z": [_short(logit(p).data) for p in grid],
        "initial_index": initial_index,
        "initial_label": initial_label,
        "losses": [{"key": e.key, "title": e.title, "colour": e.colour.hex} for e in shown],
        "curves": curves,
    }


def _short(x: float) -> float:
    """Return x rounded to 10 significant digits, which keeps the page small and loses nothing shown."""
    return float(f"{x:.10g}")


def explorer_page(initial_p: float = 0.01, initial_label: int = 1) -> Page:
    """Return the Loss Function Explorer as a self-contained page, its curves computed by the engine.

    ``page.save(path)`` writes it; in Jupyter the page shows inline.
    """
    data = explorer_curves(initial_p=initial_p, initial_label=initial_label)
    return Page.from_package("demos", "explorer", _PAGE_TITLE, data)


def explorer_html(initial_p: float = 0.01, initial_label: int = 1) -> str:
    """Return the self-contained HTML of the Loss Function Explorer (`explorer_page`'s document)."""
    return explorer_page(initial_p, initial_label).html()


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Return the ``explore`` subcommand's parser, registered on subparsers."""
    parser = subparsers.add_parser(
        "explore",
        help="both losses and both gradients at one point; --html writes the interactive explorer page",
        description=(
            "The post's Loss Function Explorer. In the terminal: MSE and cross-entropy, and each one's "
            "gradient with respect to p and to the logit z, at one point. With --html: a self-contained "
            "page (no network access) with a slider for p and a toggle for the label."
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
    """Return 0 after printing the losses and gradients at the chosen point (and writing the page)."""
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
            print(f"\nwrote the explorer page to {path} (self-contained: open it in any browser, offline)")
    return 0


def _print_point(point: PointGradients, style: Style) -> None:
    """Print the point, the two losses and their gradients as an aligned table with a verdict."""
    wrongness = abs(point.p - point.label)
    print(style.bold(f"p = {point.p:.6f}   (logit z = {point.z:+.4f})   true label y = {point.label}"))
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
    print(f"sigmoid'(z) = p(1 - p) = {point.p * (1 - point.p):.6f}")
    if point.mse_grad_z == 0.0:
        print("MSE's gradient with respect to the logit is exactly 0 here.")
    if point.bce_grad_z == 0.0:
        print(
            "cross-entropy's gradient with respect to the logit is exactly 0 here: p is outside "
            "binary_cross_entropy's clip to [eps, 1 - eps], which passes no gradient "
            "(binary_cross_entropy_with_logits has no clip)"
        )
    if point.mse_grad_z == 0.0 or point.bce_grad_z == 0.0:
        return
    verdict = f"cross-entropy pushes the logit {point.ratio:.1f}x harder than MSE"
    if wrongness > 0.9:
        verdict += " (the model is confidently wrong: MSE's push is strangled by the sigmoid's derivative)"
    elif wrongness < 0.1:
        verdict += " (the model is confidently right: both ease off)"
    print(style.bold(verdict))
