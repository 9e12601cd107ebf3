"""``lossgrad explore``: the post's Loss Function Explorer, in the terminal or as a web page.

At one point (a predicted probability p, or a logit z, and a true label y) it prints MSE and
binary cross-entropy, and each one's gradient with respect to p and with respect to the logit z,
both from that loss's one backward pass through the engine. ``--html FILE`` writes the post's interactive
explorer as a single self-contained page whose curves the engine computed here.
"""

from __future__ import annotations

import argparse
import json
import math
from collections.abc import Callable
from dataclasses import asdict, dataclass

from engine import Value
from losses import binary_cross_entropy, mse_loss, sigmoid

from .arguments import binary_label, finite_float, html_path, open_probability
from .explorer_page import PAGE_TEMPLATE, PLACEHOLDER
from .output import write_text
from .scalars import one
from .showdown import logit_of
from .terminal import Style, table

__all__ = ["PointGradients", "add_parser", "explorer_curves", "explorer_html", "gradients_at", "run"]


@dataclass(frozen=True)
class PointGradients:
    """Both losses at one point and their gradients with respect to p and to the logit z."""

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


def _loss_and_grads(
    loss_fn: Callable[[Value, int], Value | list[Value]], z: float, label: int
) -> tuple[float, float, float, float]:
    """Return (p, loss, dL/dp, dL/dz) of loss_fn(sigmoid(z), label), by backprop from z."""
    logit = Value(z, label="z")
    p = one(sigmoid(logit), "explore")
    loss = one(loss_fn(p, label), "explore")
    loss.backward()
    return p.data, loss.data, p.grad, logit.grad


def gradients_at(label: int, p: float | None = None, z: float | None = None) -> PointGradients:
    """Return both losses and their gradients at a probability p (or a logit z) for the true label.

    Everything comes from backprop: the logit is a leaf Value, p = sigmoid(z), the loss is a
    function from ``losses``; after ``backward()`` the p node holds dL/dp and the leaf dL/dz.

    >>> g = gradients_at(1, z=-4.5)
    >>> print(f"p={g.p:.6f} MSE={g.mse_loss:.6f} dMSE/dz={g.mse_grad_z:.6f} BCE={g.bce_loss:.4f} dBCE/dz={g.bce_grad_z:.6f}")
    p=0.010987 MSE=0.978147 dMSE/dz=-0.021494 BCE=4.5110 dBCE/dz=-0.989013
    """
    if label not in (0, 1):
        raise ValueError(f"gradients_at: label must be 0 or 1, got {label!r}")
    if (p is None) == (z is None):
        raise ValueError("gradients_at: give exactly one of p and z")
    if p is not None:
        if not 0.0 < p < 1.0:
            raise ValueError(f"gradients_at: p must be strictly between 0 and 1, got {p!r}")
        z = logit_of(p)
    z = float(z)  # type: ignore[arg-type]  # exactly one of p, z was given
    p_value, mse, mse_dp, mse_dz = _loss_and_grads(mse_loss, z, label)
    _, bce, bce_dp, bce_dz = _loss_and_grads(binary_cross_entropy, z, label)
    return PointGradients(p_value, z, label, mse, bce, mse_dp, bce_dp, mse_dz, bce_dz)


def explorer_curves(points: int = 999, initial_p: float = 0.01, initial_label: int = 1) -> dict[str, object]:
    """Return the explorer page's data: p = 1/(points+1), ..., points/(points+1), and per label both losses and gradients.

    The result is plain JSON-able data: ``p``, ``z``, ``initial_index``, ``initial_label`` and
    ``curves["0"]`` / ``curves["1"]``, each with ``mse_loss``, ``bce_loss``, ``mse_grad_p``,
    ``bce_grad_p``, ``mse_grad_z`` and ``bce_grad_z`` lists.
    """
    grid = [(i + 1) / (points + 1) for i in range(points)]
    curves: dict[str, dict[str, list[float]]] = {}
    fields = ("mse_loss", "bce_loss", "mse_grad_p", "bce_grad_p", "mse_grad_z", "bce_grad_z")
    for label in (0, 1):
        columns: dict[str, list[float]] = {name: [] for name in fields}
        for p in grid:
            point = gradients_at(label, p=p)
            for name in fields:
                columns[name].append(_short(getattr(point, name)))
        curves[str(label)] = columns
    initial_index = min(range(points), key=lambda i: abs(grid[i] - initial_p))
    return {
        "p": [_short(p) for p in grid],
        "z": [_short(logit_of(p)) for p in grid],
        "initial_index": initial_index,
        "initial_label": initial_label,
        "curves": curves,
    }


def _short(x: float) -> float:
    """Return x rounded to 10 significant digits, which keeps the page small and loses nothing shown."""
    return float(f"{x:.10g}")


def explorer_html(initial_p: float = 0.01, initial_label: int = 1) -> str:
    """Return the self-contained HTML of the Loss Function Explorer, its curves computed by the engine."""
    data = explorer_curves(initial_p=initial_p, initial_label=initial_label)
    # Inside <script>, "</" could end the element early; numbers never contain it, but be safe.
    payload = json.dumps(data, separators=(",", ":")).replace("</", "<\\/")
    return PAGE_TEMPLATE.replace(PLACEHOLDER, payload)


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
    where.add_argument("--p", type=open_probability, default=None, metavar="P",
                       help="predicted probability, strictly between 0 and 1 (default: 0.01)")
    where.add_argument("--logit", type=finite_float, default=None, metavar="Z",
                       help="the logit z instead of p (p = sigmoid(z)), e.g. -4.5")
    parser.add_argument("--label", type=binary_label, default=1, metavar="Y", help="true label, 0 or 1 (default: 1)")
    parser.add_argument("--html", type=html_path, default=None, metavar="FILE",
                        help="write the interactive explorer page to FILE (.html), starting at --p and --label")
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
        path = write_text(args.html, explorer_html(initial_p=point.p, initial_label=point.label))
        if not args.json:
            print(f"\nwrote the explorer page to {path} (self-contained: open it in any browser, offline)")
    return 0


def _print_point(point: PointGradients, style: Style) -> None:
    """Print the point, the two losses and their gradients as an aligned table with a verdict."""
    wrongness = abs(point.p - point.label)
    print(style.bold(f"p = {point.p:.6f}   (logit z = {point.z:+.4f})   true label y = {point.label}"))
    print()
    rows = [
        [style.paint("MSE", "blue"), f"{point.mse_loss:.6f}", f"{point.mse_grad_p:+.6f}", f"{point.mse_grad_z:+.6f}"],
        [style.paint("cross-entropy", "red"), f"{point.bce_loss:.6f}", f"{point.bce_grad_p:+.6f}", f"{point.bce_grad_z:+.6f}"],
    ]
    for line in table(["loss", "value", "dL/dp", "dL/dz"], rows):
        print(line)
    print()
    print(f"sigmoid'(z) = p(1 - p) = {point.p * (1 - point.p):.6f}")
    if point.mse_grad_z == 0.0:
        print("MSE's gradient with respect to the logit is exactly 0 here.")
    if point.bce_grad_z == 0.0:
        print("cross-entropy's gradient with respect to the logit is exactly 0 here: p is outside "
              "binary_cross_entropy's clip to [eps, 1 - eps], which passes no gradient "
              "(binary_cross_entropy_with_logits has no clip)")
    if point.mse_grad_z == 0.0 or point.bce_grad_z == 0.0:
        return
    verdict = f"cross-entropy pushes the logit {point.ratio:.1f}x harder than MSE"
    if wrongness > 0.9:
        verdict += " (the model is confidently wrong: MSE's push is strangled by the sigmoid's derivative)"
    elif wrongness < 0.1:
        verdict += " (the model is confidently right: both ease off)"
    print(style.bold(verdict))
