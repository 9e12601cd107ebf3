"""``lossgrad showdown``: the post's gradient tables, every number by backprop through the engine.

Two tables from the post, recomputed:

- the vanishing gradient: at p = 0.01, 0.10, 0.50, 0.90, 0.99 (y = 1), the sigmoid's derivative
  p(1 - p) and squared error's gradient with respect to the logit, 2(p - y)·p(1 - p);
- the gradient showdown: at p = 0.01, 0.05, 0.20, 0.50, 0.80, 0.95, 0.99 (y = 1), ∂L/∂z under
  squared error and under cross-entropy, and how many times stronger cross-entropy's is.

No formula is typed in: the logit z = ``losses.logit(p)`` is a leaf Value, the loss an entry of
the demos' registry (``demos.registry.BINARY_LOSSES``), and ``losses.grad_wrt_logit`` calls
``backward()`` and reads z's gradient. ``--losses`` adds the other binary losses as columns.
"""

from __future__ import annotations

import argparse
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass

from engine import Value
from losses import grad_wrt_logit, logit

from .arguments import binary_label, binary_losses, plot_path
from .registry import BINARY_LOSSES, POST_LOSSES, binary_loss
from .terminal import Style, paragraph, table

__all__ = [
    "SHOWDOWN_PS",
    "VANISHING_PS",
    "add_parser",
    "run",
    "showdown_rows",
    "sigmoid_derivative",
    "vanishing_rows",
]

SHOWDOWN_PS = (0.01, 0.05, 0.20, 0.50, 0.80, 0.95, 0.99)
VANISHING_PS = (0.01, 0.10, 0.50, 0.90, 0.99)
# The post's words for each row of its vanishing-gradient table.
VANISHING_VERDICTS = (
    "Almost no push!",
    "Weak push",
    "Moderate push",
    "Small push (nearly right)",
    "Tiny push (almost perfect)",
)
# The post's two losses are always the first columns, and the ratio is between them; --losses adds these.
EXTRA_LOSSES = tuple(key for key in BINARY_LOSSES if key not in POST_LOSSES)


def sigmoid_derivative(p: float) -> float:
    """Return σ'(z) at the z where σ(z) = p, by backprop through the engine's sigmoid."""
    z = Value(logit(p).data, label="z")
    z.sigmoid().backward()
    return z.grad


@dataclass(frozen=True)
class ShowdownRow:
    """One p of the showdown: ∂L/∂z for each loss (by registry key), and BCE's over MSE's."""

    p: float
    grads: dict[str, float]

    @property
    def ratio(self) -> float:
        """Return |∂BCE/∂z| / |∂MSE/∂z| (inf where MSE's gradient is exactly 0)."""
        mse = self.grads["mse"]
        return abs(self.grads["bce"] / mse) if mse else math.inf


def showdown_rows(ps: Sequence[float] = SHOWDOWN_PS, label: int = 1, extra: Sequence[str] = ()) -> list[ShowdownRow]:
    """Return, for each p, ∂L/∂z of MSE, BCE and each extra loss (registry keys) at label, by backprop."""
    entries = [binary_loss(key, "showdown_rows") for key in (*POST_LOSSES, *extra)]
    rows = []
    for p in ps:
        z = logit(p).data
        rows.append(ShowdownRow(p, {e.key: grad_wrt_logit(e.on_logit, z, label) for e in entries}))
    return rows


def vanishing_rows(ps: Sequence[float] = VANISHING_PS) -> list[tuple[float, float, float]]:
    """Return (p, σ'(z), ∂MSE/∂z) at each p for y = 1: the post's vanishing-gradient table."""
    mse = BINARY_LOSSES["mse"].on_logit
    return [(p, sigmoid_derivative(p), grad_wrt_logit(mse, logit(p).data, 1)) for p in ps]


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Return the ``showdown`` subcommand's parser, registered on subparsers."""
    parser = subparsers.add_parser(
        "showdown",
        help="the post's gradient showdown and vanishing-gradient tables, by backprop",
        description=(
            "The post's two gradient tables, every number obtained by backpropagation through the engine: "
            "the sigmoid's vanishing derivative under squared error, and dL/dz of squared error versus "
            "cross-entropy at p = 0.01 ... 0.99."
        ),
    )
    parser.add_argument(
        "--losses",
        type=binary_losses,
        default=[],
        metavar="NAMES",
        help=f"extra binary losses as columns, comma-separated: {', '.join(EXTRA_LOSSES)}, or 'all'",
    )
    parser.add_argument(
        "--label",
        type=binary_label,
        default=1,
        metavar="Y",
        help="true label for the showdown table (default: 1, as in the post)",
    )
    parser.add_argument(
        "--plot",
        type=plot_path,
        default=None,
        metavar="FILE",
        help="draw dL/dz against p for each loss, for y = 1 and y = 0, to FILE (.svg or .png)",
    )
    parser.add_argument("--json", action="store_true", help="print both tables as JSON")
    return parser


def run(args: argparse.Namespace) -> int:
    """Return 0 after printing both tables (and drawing the gradient curves with --plot)."""
    # MSE and BCE are always shown; naming them in --losses adds nothing.
    extra = [key for key in dict.fromkeys(args.losses) if key not in POST_LOSSES]
    rows = showdown_rows(SHOWDOWN_PS, args.label, extra)
    vanishing = vanishing_rows()
    if args.json:
        print(
            json.dumps(
                {
                    "vanishing": [{"p": p, "y": 1, "sigmoid_derivative": d, "mse_grad": g} for p, d, g in vanishing],
                    "showdown": [{"p": r.p, "y": args.label, "grads": r.grads, "ratio": r.ratio} for r in rows],
                },
                indent=2,
            )
        )
    else:
        style = Style.for_stream()
        _print_vanishing(vanishing, style)
        print()
        _print_showdown(rows, args.label, extra, style)
    if args.plot is not None:
        from .plots import plot_gradient_curves

        grid = [i / 200 for i in range(1, 200)]
        curves = {}
        for label in (1, 0):
            grid_rows = showdown_rows(grid, label, extra)
            curves[label] = {key: [r.grads[key] for r in grid_rows] for key in grid_rows[0].grads}
        path = plot_gradient_curves(grid, curves, args.plot)
        if not args.json:
            print(f"\nplot written to {path}")
    return 0


def _print_vanishing(rows: Sequence[tuple[float, float, float]], style: Style) -> None:
    """Print the vanishing-gradient table and the post's 'N× weaker' comparison."""
    print(
        style.bold(
            paragraph(
                "When squared error meets the sigmoid: the gradient vanishes where the model is most wrong (y = 1)"
            )
        )
    )
    cells = [
        [f"{p:.2f}", "1", f"{d:.4f}", f"{g:+.4f}", verdict] for (p, d, g), verdict in zip(rows, VANISHING_VERDICTS)
    ]
    for line in table(["p", "y", "σ'(z) = p(1-p)", "MSE dL/dz", "verdict"], cells, align="rrrrl"):
        print(line)
    at = {p: g for p, _, g in rows}
    weaker = at[0.50] / at[0.01]
    weaker_text = f"at p = 0.01 the push is {weaker:.1f}x weaker than at p = 0.50"
    weaker_text += " (the post says 12x)"
    print(paragraph(weaker_text))


def _print_showdown(rows: Sequence[ShowdownRow], label: int, extra: Sequence[str], style: Style) -> None:
    """Print the showdown table, with one column per extra loss, and its headline."""
    print(style.bold(paragraph(f"The gradient showdown: dL/dz at the logit, y = {label}")))
    mse, bce = (BINARY_LOSSES[key] for key in POST_LOSSES)
    headers = [
        "p",
        style.paint(f"{mse.short} grad", mse.colour.terminal),
        style.paint(f"{bce.short} grad", bce.colour.terminal),
        "ratio",
        # The other losses go by their keys, the names --losses takes.
        *(style.paint(key, BINARY_LOSSES[key].colour.terminal) for key in extra),
    ]
    cells = []
    for r in rows:
        ratio = f"{r.ratio:.1f}x" if math.isfinite(r.ratio) else "inf"
        cells.append(
            [
                f"{r.p:.2f}",
                f"{r.grads['mse']:+.6f}",
                f"{r.grads['bce']:+.4f}",
                ratio,
                *(f"{r.grads[key]:+.4f}" for key in extra),
            ]
        )
    for line in table(headers, cells, align="r" * len(headers)):
        print(line)
    first = rows[0]
    if math.isfinite(first.ratio):
        print(
            style.bold(
                paragraph(
                    f"at p = {first.p:.2f} cross-entropy's gradient is {first.ratio:.1f}x stronger than squared error's"
                )
            )
        )
