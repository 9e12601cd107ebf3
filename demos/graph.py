"""``lossgrad graph``: draw a loss's computation graph at a chosen point, gradients filled in.

``lossgrad graph bce --logit -4.5 --label 1 -o bce.svg`` builds binary cross-entropy on
p = sigmoid(z) from a leaf z = -4.5 with the ``losses`` package, runs ``backward()``, and renders the
graph with ``engine.draw_graph`` / ``engine.render_svg`` (no system Graphviz needed). ``--compare``
draws squared error through the sigmoid and cross-entropy side by side in one SVG, on the same
gradient-shading scale: the vanishing gradient at the logit is visible at a glance.

``--html page.html`` writes the same graphs as a step-through page (``engine.drawing.player``):
the forward and the backward pass one node at a time, with a slider for the logit z and a toggle
for the label y, every position computed here by the engine. Where a clip or a dead unit stops
the gradient, the page and the terminal both say so.
"""

from __future__ import annotations

import argparse
import sys
import xml.etree.ElementTree as ET
from collections.abc import Sequence

from engine import Value, draw_graph, render_svg
from engine.drawing.player import Panel, Slider, StepThrough, Toggle, gradient_stop, step_through

from .arguments import UsageError, binary_label, decimals, finite_float, graph_path, html_path
from .expression import ExpressionError, parse_expression, parse_variables
from .output import write_text
from .registry import BINARY_LOSSES, POST_LOSSES, binary_loss

__all__ = ["LOGIT_GRID", "add_parser", "build_loss_graph", "combine_svgs", "loss_page", "run"]

_SVG = "http://www.w3.org/2000/svg"
_XLINK = "http://www.w3.org/1999/xlink"

# The logits the step-through page's slider stops at (--logit is added): steps of 0.25 where the
# losses bend, then coarse ones out to where binary_cross_entropy's clip stops the gradient
# (|z| above about 34.5).
LOGIT_GRID = (
    tuple(float(z) for z in range(-40, -12, 5))
    + tuple(z / 4 for z in range(-48, 49))
    + tuple(float(z) for z in range(15, 41, 5))
)
# What a page points out at the sigmoid, for the post's two losses: the factor σ′(z) = p(1 − p).
_SIGMOID_NOTES = {
    "mse": "Squared error multiplies its gradient by σ′(z) = p(1 − p) = {factor}: near p = 0 or "
    "p = 1 that factor is tiny, and so is the push on z.",
    "bce": "Cross-entropy's log sends back −1/p (1/(1 − p) for y = 0), which cancels "
    "σ′(z) = p(1 − p) = {factor}: what reaches z is p − y.",
}


def build_loss_graph(key: str, logit: float, label: int) -> tuple[Value, Value]:
    """Return (loss, z) for the loss with that registry key at the logit and label, after backward().

    The leaf is labelled ``z``, the sigmoid's output ``p`` and the root ``loss``, so the drawing
    reads like the post.
    """
    entry = binary_loss(key, "build_loss_graph")
    z = Value(logit, label="z")
    loss = entry.on_logit(z, label)
    loss.label = "loss"
    _label_probabilities(loss, z)
    loss.backward()
    return loss, z


def loss_page(
    keys: Sequence[str],
    logit: float,
    label: int,
    *,
    rankdir: str,
    precision: int,
) -> StepThrough:
    """Return the step-through page of the losses with these registry keys, stepping together.

    A slider moves the logit z over LOGIT_GRID (and ``logit``, where the page starts), a toggle
    switches the label y; for the post's two losses the page points out the sigmoid's factor.
    """

    def panels(z: float, y: int) -> list[Panel]:
        built = []
        for key in keys:
            loss, leaf = build_loss_graph(key, z, y)
            sigmoid = _probability(loss, leaf)
            note = _SIGMOID_NOTES.get(key, "") if sigmoid is not None else ""
            title = BINARY_LOSSES[key].description
            built.append(Panel(loss, title, highlight=sigmoid if note else None, note=note))
        return built

    title = " vs ".join(BINARY_LOSSES[key].title for key in keys) + ": backprop, step by step"
    return step_through(
        panels,
        slider=Slider("z", LOGIT_GRID, start=logit),
        toggle=Toggle("y", (0, 1), start=label),
        title=title,
        rankdir=rankdir,
        precision=precision,
    )


def _probability(root: Value, z: Value) -> Value | None:
    """Return the node p = sigmoid(z) of root's graph, or None if it has none."""
    stack, seen = [root], set()
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if node.op == "sigmoid" and node.children and node.children[0] is z:
            return node
        stack.extend(node.children)
    return None


def _stops(root: Value) -> list[str]:
    """Return why the gradient stops in root's graph (a clip, a dead unit), if it stops anywhere.

    It runs root's backward pass once more, to read its steps.
    """
    return [reason for step in root.backward_steps() if (reason := gradient_stop(step))]


def _label_probabilities(root: Value, z: Value) -> None:
    """Label sigmoid(z) nodes 'p' (each unlabelled sigmoid of the leaf z), walking the graph once."""
    stack, seen = [root], set()
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if node.op == "sigmoid" and not node.label and node.children and node.children[0] is z:
            node.label = "p"
        stack.extend(node.children)


def _size(svg: ET.Element) -> tuple[float, float]:
    """Return an SVG element's width and height in points, from its viewBox (or width/height)."""
    box = svg.get("viewBox")
    if box:
        _, _, width, height = (float(part) for part in box.replace(",", " ").split())
        return width, height
    width, height = (
        float(svg.get(attribute, "0").removesuffix("pt").removesuffix("px")) for attribute in ("width", "height")
    )
    return width, height


def combine_svgs(panels: Sequence[tuple[str, str, str]], gap: float = 36.0) -> str:
    """Return one SVG document showing several SVG drawings side by side, each under a title and a subtitle.

    ``panels`` is a list of (title, subtitle, svg text). Each drawing keeps its own coordinates
    inside a nested ``<svg>``, so nothing in it is rewritten.
    """
    ET.register_namespace("", _SVG)
    ET.register_namespace("xlink", _XLINK)
    header = 46.0
    parsed = [(title, subtitle, ET.fromstring(text.encode("utf-8"))) for title, subtitle, text in panels]
    sizes = [_size(svg) for _, _, svg in parsed]
    width = sum(w for w, _ in sizes) + gap * (len(parsed) + 1)
    height = header + max(h for _, h in sizes) + gap / 2
    outer = ET.Element(
        f"{{{_SVG}}}svg",
        {
            "width": f"{width:.2f}pt",
            "height": f"{height:.2f}pt",
            "viewBox": f"0 0 {width:.2f} {height:.2f}",
            "version": "1.1",
        },
    )
    ET.SubElement(
        outer,
        f"{{{_SVG}}}rect",
        {"x": "0", "y": "0", "width": f"{width:.2f}", "height": f"{height:.2f}", "fill": "white"},
    )
    x = gap
    for (title, subtitle, svg), (w, h) in zip(parsed, sizes):
        heading = ET.SubElement(
            outer,
            f"{{{_SVG}}}text",
            {
                "x": f"{x + w / 2:.2f}",
                "y": "20",
                "text-anchor": "middle",
                "font-family": "Helvetica,Arial,sans-serif",
                "font-size": "15",
                "font-weight": "bold",
                "class": "panel-title",
            },
        )
        heading.text = title
        note = ET.SubElement(
            outer,
            f"{{{_SVG}}}text",
            {
                "x": f"{x + w / 2:.2f}",
                "y": "38",
                "text-anchor": "middle",
                "font-family": "Helvetica,Arial,sans-serif",
                "font-size": "12",
                "fill": "#495057",
                "class": "panel-subtitle",
            },
        )
        note.text = subtitle
        svg.set("x", f"{x:.2f}")
        svg.set("y", f"{header:.2f}")
        svg.set("width", f"{w:.2f}")
        svg.set("height", f"{h:.2f}")
        outer.append(svg)
        x += w + gap
    return '<?xml version="1.0" encoding="UTF-8" standalone="no"?>\n' + ET.tostring(outer, encoding="unicode") + "\n"


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Return the ``graph`` subcommand's parser, registered on subparsers."""
    parser = subparsers.add_parser(
        "graph",
        help="draw a loss's computation graph at a point to SVG, gradients filled in (--compare: MSE next to BCE)",
        description=(
            "Build a binary loss of the logit z with the losses package, backpropagate, and draw the graph "
            "(data and grad in every box) to SVG with the engine's renderer; no system Graphviz needed."
        ),
    )
    parser.add_argument(
        "loss",
        nargs="?",
        choices=list(BINARY_LOSSES),
        default=None,
        metavar="LOSS",
        help=f"the loss to draw: {', '.join(BINARY_LOSSES)} (default: bce)",
    )
    parser.add_argument(
        "--expr",
        metavar="EXPRESSION",
        help='draw this expression instead of LOSS, e.g. "(sigmoid(z) - 1) ** 2": numbers, variables, '
        "+ - * / **, and the engine's and losses' functions (write --expr=-z... for a leading minus)",
    )
    parser.add_argument(
        "--var",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="the value of a variable of --expr, e.g. z=-4.5 (repeatable)",
    )
    parser.add_argument(
        "--logit", type=finite_float, default=-4.5, metavar="Z", help="the logit z (default: -4.5, the post's)"
    )
    parser.add_argument("--label", type=binary_label, default=1, metavar="Y", help="true label, 0 or 1 (default: 1)")
    parser.add_argument(
        "-o",
        "--output",
        type=graph_path,
        default=None,
        metavar="FILE",
        help="write the SVG to FILE (.svg), or the DOT source (.dot, .gv); default: print to stdout",
    )
    parser.add_argument(
        "--compare",
        action="store_true",
        help=f"draw {' and '.join(BINARY_LOSSES[key].description for key in POST_LOSSES)} side by side (ignores LOSS)",
    )
    parser.add_argument(
        "--no-shade",
        dest="shade",
        action="store_false",
        help="do not shade boxes by |grad| (shading is on by default, on one fixed scale)",
    )
    parser.add_argument("--derivatives", action="store_true", help="write each edge's local derivative")
    parser.add_argument(
        "--precision", type=decimals, default=4, metavar="N", help="digits after the point, 0 to 17 (default: 4)"
    )
    parser.add_argument("--dot", action="store_true", help="give the DOT source instead of SVG (needs no renderer)")
    parser.add_argument(
        "--html",
        type=html_path,
        default=None,
        metavar="FILE",
        help="write a step-through page to FILE (.html): the forward and backward pass node by "
        "node, a slider for z and a toggle for y (self-contained, works offline)",
    )
    return parser


def build_expression_graph(text: str, variables: Sequence[str]) -> tuple[Value, dict[str, Value]]:
    """Return (root, leaves by name) of `--expr` text with `--var NAME=VALUE` values, after backward()."""
    try:
        expression = parse_expression(text, parse_variables(variables), where="--expr")
    except ExpressionError as error:
        raise UsageError(str(error)) from None
    root = expression.root
    if not root.label:  # a bare "z" is its own leaf and keeps its label
        root.label = "loss"
    root.backward()
    return root, dict(expression.leaves)


def run(args: argparse.Namespace) -> int:
    """Return 0 after drawing the graph(s) and writing or printing the SVG."""
    as_dot = args.dot or (args.output is not None and args.output.suffix.lower() in (".dot", ".gv"))
    if args.dot and args.output is not None and args.output.suffix.lower() == ".svg":
        raise UsageError(f"--dot gives DOT text, not SVG: name the file .dot or .gv, got '{args.output}'")
    if args.expr is None and args.var:
        raise UsageError("--var gives a variable of --expr; add --expr")
    if args.expr is not None and (args.compare or args.loss is not None):
        raise UsageError("--expr draws one expression: give it without LOSS or --compare")
    options = {
        "grad_shading": args.shade,
        "local_derivatives": args.derivatives,
        "precision": args.precision,
        "rankdir": "TB" if args.compare else "auto",
    }
    if args.expr is not None:
        return _run_expression(args, as_dot, options)
    keys = list(POST_LOSSES) if args.compare else [args.loss or "bce"]
    drawn = []
    for key in keys:
        loss, z = build_loss_graph(key, args.logit, args.label)
        drawn.append((key, loss, z, draw_graph(loss, **options)))
    summary = "; ".join(f"{key}: loss {loss.data:.6f}, dL/dz = {z.grad:+.6f}" for key, loss, z, _ in drawn)
    # Read from a fresh graph of each loss, so the drawn ones keep one backward pass's gradients.
    fresh = {key: build_loss_graph(key, args.logit, args.label)[0] for key in keys}
    stops = [f"{key}: {reason}" for key, loss in fresh.items() for reason in _stops(loss)]
    # With --html alone, the page is the output: no SVG on stdout.
    drawing = args.html is None or args.output is not None or args.dot
    if drawing and as_dot:
        text = "\n".join(graph.source for *_, graph in drawn)
    elif drawing:
        svgs = [(key, loss, z, render_svg(graph)) for key, loss, z, graph in drawn]
        if args.compare:
            text = combine_svgs(
                [
                    (BINARY_LOSSES[key].description, f"loss {loss.data:.4f}  \u00b7  dL/dz = {z.grad:+.6f}", svg)
                    for key, loss, z, svg in svgs
                ]
            )
        else:
            text = svgs[0][3]
    page = None
    if args.html is not None:
        rankdir, precision = str(options["rankdir"]), args.precision
        built = loss_page(keys, args.logit, args.label, rankdir=rankdir, precision=precision)
        page = built.save(args.html)
    if drawing and args.output is None:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
        print(f"z = {args.logit:g}, y = {args.label}: {summary}", file=sys.stderr)
        for stop in stops:
            print(stop, file=sys.stderr)
        return 0
    path = write_text(args.output, text) if drawing else None
    print(f"z = {args.logit:g}, y = {args.label}: {summary}")
    for stop in stops:
        print(stop)
    if args.compare:
        mse_grad, bce_grad = drawn[0][2].grad, drawn[1][2].grad
        if mse_grad:
            print(f"at the logit, cross-entropy's gradient is {abs(bce_grad / mse_grad):.1f}x squared error's")
    if path is not None:
        print(f"wrote {'DOT' if as_dot else 'SVG'} to {path}")
    if page is not None:
        print(f"wrote the step-through page to {page} (self-contained, works offline)")
    return 0


def _run_expression(args: argparse.Namespace, as_dot: bool, options: dict[str, object]) -> int:
    """Return 0 after drawing `--expr` and writing or printing it, with d(root)/d(variable) for each."""
    root, leaves = build_expression_graph(args.expr, args.var)
    summary = f"{args.expr} = {root.data:.6f}" + "".join(
        f"; d/d{name} = {leaf.grad:+.6f}" for name, leaf in leaves.items()
    )
    stops = _stops(build_expression_graph(args.expr, args.var)[0])
    drawing = args.html is None or args.output is not None or args.dot
    if drawing:
        graph = draw_graph(root, **options)  # type: ignore[arg-type]
        text = graph.source if as_dot else render_svg(graph)
    page = None
    if args.html is not None:
        fresh, _ = build_expression_graph(args.expr, args.var)
        rankdir, precision = str(options["rankdir"]), args.precision
        built = step_through(fresh, title=args.expr, rankdir=rankdir, precision=precision)
        page = built.save(args.html)
    if drawing and args.output is None:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
        print(summary, file=sys.stderr)
        for stop in stops:
            print(stop, file=sys.stderr)
        return 0
    path = write_text(args.output, text) if drawing else None
    print(summary)
    for stop in stops:
        print(stop)
    if path is not None:
        print(f"wrote {'DOT' if as_dot else 'SVG'} to {path}")
    if page is not None:
        print(f"wrote the step-through page to {page} (self-contained, works offline)")
    return 0
