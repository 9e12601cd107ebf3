"""Watch backprop happen: a step-through page for any graph, from the engine's own backward pass.

``step_through(root)`` runs ``root.backward_steps()`` and writes a self-contained page (an
`engine.pages.Page`) that replays it: a forward phase, in which each operation's value appears in
the order the engine computed it, then a backward phase that follows the recorded steps exactly,
one node at a time. At each step the page highlights the node, labels each of its operand edges
``local derivative × upstream = contribution``, and shows the operand's running sum where several
nodes feed it; clicking a node shows its whole chain-rule sum. Where a clip outside its bounds or
a dead unit stops the gradient, the page says so (`gradient_stop`).

The picture is the one ``draw_graph`` lays out, rendered by the same renderer and inlined as SVG;
the page finds each Value's box by its DOT node name (``engine.drawing.graph.node_names``).
Every number the page shows was computed here, by the engine, and embedded as JSON: the page's
script looks numbers up and formats them (`format_number` is the same formatting in Python), and
does no arithmetic on gradients.

Several graphs can step together (pass a list of `Panel`), and a page can have a `Slider` over a
number the graphs are built from (a logit z) and a `Toggle` (a label y): the caller passes a
function building the graphs from those numbers, and every position of the grid is precomputed.
A graph is drawn once for each structure it takes (usually one: the same operations, other
numbers; focal loss picks σ(z) or σ(-z) by the label, so it takes two), and only the numbers
are stored per position.

The page's files are ``engine/drawing/pages/player.html``, ``player.css`` and ``player.js``.
"""

from __future__ import annotations

import math
import re
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, cast

from ..pages import Page
from ..value import BackwardStep, Constant, Value
from .graph import ROLE_COLOURS, draw_graph, node_names, render_svg

__all__ = [
    "Panel",
    "Slider",
    "StepThrough",
    "Toggle",
    "format_number",
    "gradient_stop",
    "step_through",
]

Number = int | float
# Per node: its operation, label, whether it is a Constant, and its operands' numbers.
NodeShape = tuple[str, str, bool, tuple[int, ...]]
Shape = tuple[tuple[NodeShape, ...], int | None]  # the nodes, and the highlighted node's number

_SVG = "http://www.w3.org/2000/svg"
_XLINK = "http://www.w3.org/1999/xlink"
_PX_PER_PT = 4 / 3  # Graphviz measures in points; the page lays out in CSS pixels


@dataclass(frozen=True)
class Panel:
    """One graph of a step-through page: its root, a title, and optionally one node to point out.

    ``highlight`` is a node whose local derivative the page marks on the drawing (the sigmoid, whose
    σ′(z) = p(1 − p) squared error multiplies by and cross-entropy cancels), and ``note`` the one
    line that explains it; ``{factor}`` in the note is replaced by that node's local derivative
    (its first, for a node of several operands) at the point shown.
    """

    root: Value
    title: str = ""
    highlight: Value | None = None
    note: str = ""


@dataclass(frozen=True)
class Slider:
    """A slider over a number the graphs are built from: its name (shown) and its grid of values.

    ``start`` is where the page starts (the middle of the grid by default); a start that is not in
    the grid is added to it.
    """

    name: str
    values: Sequence[Number]
    start: Number | None = None


@dataclass(frozen=True)
class Toggle:
    """A button switching a number the graphs are built from between a few values (a label y)."""

    name: str
    values: Sequence[Number] = (0, 1)
    start: Number | None = None


Graphs = Value | Panel | Sequence[Value | Panel]


class StepThrough(Page):
    """A step-through page: ``html()`` is the document, ``save(path)`` writes it, Jupyter shows it.

    ``panels`` is how many graphs step together, ``positions`` how many points of the slider and
    toggle grid were precomputed, ``backward_steps`` how many steps the backward pass of each graph
    has at the starting point, and ``build_seconds`` how long building the page took.
    """

    panels: int
    positions: int
    backward_steps: tuple[int, ...]
    build_seconds: float

    def __repr__(self) -> str:
        size = len(self.html().encode("utf-8"))
        steps = " + ".join(str(count) for count in self.backward_steps)
        where = f", {self.positions} positions" if self.positions > 1 else ""
        return (
            f"StepThrough({self.title!r}, {self.panels} graph{'s' if self.panels > 1 else ''}, "
            f"{steps} backward steps{where}, {size / 1024:.0f} KB)"
        )


def step_through(
    graphs: Graphs | Callable[..., Graphs],
    *,
    slider: Slider | None = None,
    toggle: Toggle | None = None,
    title: str = "",
    rankdir: str | None = None,
    precision: int = 4,
) -> StepThrough:
    """Return a page that steps through the forward and backward pass of one or more graphs.

    The page replays ``root.backward_steps()`` (which, like ``backward()``, leaves every gradient
    filled in and adds into the leaves' ``grad``); it shows the gradients of that one pass. Every
    node is drawn, so a graph must be one the renderer can lay out (see ``render_svg``'s
    ``max_nodes``); a few hundred nodes take a second or so.

    Args:
        graphs: a Value (its graph), a `Panel`, or a list of them, which step together. With a
            ``slider`` or a ``toggle``, a function instead, called with the slider's value and then
            the toggle's (only those given, in that order) at every point of the grid, returning
            fresh graphs each time, as many at every point. Where a graph's structure is the
            same at all points, as it usually is, it is drawn once.
        slider: a number to move along a grid (the graphs are built at each of its values).
        toggle: a number to switch between a few values (a label 0 or 1).
        title: the page's heading (by default the panels' titles, or the root's label).
        rankdir: the drawing's direction, as for ``draw_graph`` ("LR", "TB", ...); None for
            draw_graph's own default.
        precision: digits after the decimal point of the numbers shown, as for ``draw_graph``.

    Example:
        >>> from engine import Value
        >>> x = Value(3.0, label="x")
        >>> y = x * x + x
        >>> y.label = "y"
        >>> page = step_through(y)
        >>> page
        StepThrough('y', 1 graph, 2 backward steps, ... KB)
        >>> x.grad, "http://" in page.html().replace("http://www.w3.org", "")
        (7.0, False)
    """
    started = time.perf_counter()
    _check_precision(precision)
    axes = [axis for axis in (slider, toggle) if axis is not None]
    if axes and not callable(graphs):
        raise TypeError(
            "step_through: with a slider or toggle, graphs must be a function building the graphs "
            f"from {' and '.join(axis.name for axis in axes)}, got {type(graphs).__name__}"
        )
    if callable(graphs) and not isinstance(graphs, Value) and not axes:
        raise TypeError("step_through: a function for graphs needs a slider or a toggle to call it with")
    grids = [_grid(axis) for axis in axes]
    start = tuple(_start_index(axis, grid) for axis, grid in zip(axes, grids))

    points = list(_product(grids))
    make = cast(Callable[..., Graphs], graphs)
    panels_at = [_as_panels(make(*point) if axes else graphs, point, axes) for point in points]
    start_position = _position_index(start, grids)
    shown = panels_at[start_position]
    for point, panels in zip(points, panels_at):
        if len(panels) != len(shown):
            raise ValueError(
                f"step_through: the function built {len(panels)} graphs at "
                f"{_point_text(axes, point)} but {len(shown)} at "
                f"{_point_text(axes, points[start_position])}"
            )

    # Each graph is drawn once per structure it takes on the grid (most take one), and its
    # numbers are stored per position, with the number of the structure they belong to.
    recorded: list[list[_Recorded]] = [[] for _ in points]
    panel_data = []
    for index, first in enumerate(shown):
        shapes: list[Shape] = []
        members: list[list[int]] = []
        for position, panels in enumerate(panels_at):
            panel = panels[index]
            names = node_names(panel.root)
            if panel.highlight is not None and panel.highlight not in names:
                raise ValueError(
                    f"step_through: graph {index + 1}'s highlight is not a node of its graph at "
                    f"{_point_text(axes, points[position])}"
                )
            shape = _structure(panel, names)
            if shape not in shapes:
                shapes.append(shape)
                members.append([])
            layout = shapes.index(shape)
            members[layout].append(position)
            entry = _record(panel, names)
            entry.data["layout"] = layout
            recorded[position].append(entry)
        layouts = []
        for layout, (shape, positions) in enumerate(zip(shapes, members)):
            position = start_position if start_position in positions else positions[0]
            panel = panels_at[position][index]
            names = node_names(panel.root)
            children = [list(node[3]) for node in shape[0]]
            entries = [recorded[k][index] for k in positions]
            widest = _widest_numbers(entries, children, precision)
            svg = _drawing(panel.root, names, widest, rankdir, precision, f"p{index}-{layout}-")
            layouts.append(_layout_data(panel, names, shape, recorded[position][index], svg))
        panel_data.append({"title": first.title, "note": first.note, "layouts": layouts})

    heading = title or " vs ".join(panel.title for panel in shown if panel.title) or shown[0].root.label
    heading = heading or "step through backprop"
    data = {
        "title": heading,
        "precision": precision,
        "small": 10.0**-precision,
        "reset_grad": 0.0,  # what backward sets a gradient to before adding into it
        "roles": {
            role: {"name": colour.name, "fill": colour.fill, "border": colour.border}
            for role, colour in ROLE_COLOURS.items()
            if role != "group"
        },
        "panels": panel_data,
        "axes": [
            {
                "name": axis.name,
                "values": list(grid),
                "shown": [f"{v:g}" for v in grid],
                "kind": kind,
            }
            for axis, grid, kind in zip(axes, grids, ["slider" if slider else "toggle", "toggle"])
        ],
        "start": list(start),
        "positions": [[entry.data for entry in panels] for panels in recorded],
    }
    height = _frame_height(panel_data, bool(axes))
    # from_package makes an instance of the class it is called on.
    page = cast(
        StepThrough,
        StepThrough.from_package("engine.drawing", "player", heading, data, height=height),
    )
    page.panels = len(shown)
    page.positions = len(points)
    page.backward_steps = tuple(len(entry.steps) for entry in recorded[start_position])
    page.build_seconds = time.perf_counter() - started
    return page


# ---------------------------------------------------------------------------- the numbers


def format_number(x: float | str, precision: int = 4) -> str:
    """Return x as the step-through page writes it: ``precision`` decimals, or scientific notation.

    Scientific below 10**-precision (a vanishing gradient shows as 2.150e-07, not 0.0000) and from
    1e9 up, as in ``draw_graph``. Halves round away from zero, as JavaScript's ``toFixed`` does, so
    Python and the page agree digit for digit. A non-finite number arrives as the text "inf".

    >>> format_number(-0.021494), format_number(2.15e-7), format_number(0.0), format_number(1.0, 2)
    ('-0.0215', '2.150e-07', '0.0000', '1.00')
    """
    if isinstance(x, str):
        return x
    if x == 0:
        return f"{0.0:.{precision}f}"
    exact = Decimal(x)
    if abs(x) < 10.0**-precision or abs(x) >= 1e9:
        digits = max(precision - 1, 0)
        exponent = exact.adjusted()
        mantissa = exact.scaleb(-exponent).quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)
        if abs(mantissa) >= 10:
            exponent += 1
            mantissa = exact.scaleb(-exponent).quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)
        return f"{mantissa:.{digits}f}e{'-' if exponent < 0 else '+'}{abs(exponent):02d}"
    return f"{exact.quantize(Decimal(1).scaleb(-precision), rounding=ROUND_HALF_UP):.{precision}f}"


def gradient_stop(step: BackwardStep) -> str | None:
    """Return why no gradient passes below this step's node, or None where one passes.

    A clip outside its bounds, a dead relu, a saturated sigmoid: the node's local derivatives are
    all 0 there, so its operands get nothing, whatever gradient arrives.

    >>> from engine import Value
    >>> p = Value(1.0, label="p")
    >>> loss = p.clip(1e-15, 1 - 1e-15).log()
    >>> [gradient_stop(step) for step in loss.backward_steps()]
    [None, "clip's input (1) is outside [1e-15, 1 − 1e-15] here: no gradient passes below it"]
    """
    if step.passes_gradient:
        return None
    node = step.node
    explain = _STOP_REASONS.get(node.op)
    reason = explain(node) if explain is not None else f"the local derivatives of {node.op} are all 0 here"
    return f"{reason}: no gradient passes below it"


def _first_input(node: Value) -> str:
    return f"{node.children[0].data:.6g}"


def _bound(x: float) -> str:
    """Return a clip bound for a learner: 1 − 1e-15 rather than 0.999999999999999."""
    return f"1 − {1.0 - x:.2g}" if 0.99 < x < 1.0 else f"{x:.6g}"


def _clip_stop(node: Value) -> str:
    lo, hi = node.args
    return f"clip's input ({_first_input(node)}) is outside [{_bound(lo)}, {_bound(hi)}] here"


# Why an operation's local derivatives are all 0: a sentence for each operation that can stop one.
_STOP_REASONS: dict[str, Callable[[Value], str]] = {
    "clip": _clip_stop,
    "relu": lambda node: f"relu's input ({_first_input(node)}) is not positive: a dead unit",
    "leaky_relu": lambda node: f"leaky_relu's input ({_first_input(node)}) is not positive and its slope is 0",
    "abs": lambda node: "abs is at 0, where its derivative is taken as 0",
    "sigmoid": lambda node: f"the sigmoid is saturated (σ = {node.data:.6g}, so σ(1 − σ) is 0 in floats)",
    "tanh": lambda node: f"tanh is saturated (tanh = {node.data:.6g}, so 1 − tanh² is 0 in floats)",
    "exp": lambda node: "exp's output underflowed to 0",
    "**": lambda node: f"the power's local derivative is 0 at base {_first_input(node)}",
    "*": lambda node: "both factors of the product are 0",
}


def _number(x: float) -> float | str:
    """Return x for JSON: a finite float as it is (shortest exact text), anything else as text."""
    if x - x == 0.0:
        return x
    return "nan" if x != x else ("inf" if x > 0 else "-inf")


@dataclass
class _Recorded:
    """One graph's backward pass at one point: the page's numbers, and the steps they came from."""

    data: dict[str, Any]
    steps: list[BackwardStep]


def _record(panel: Panel, names: dict[Value, str]) -> _Recorded:
    """Return the numbers of panel's graph and of its backward pass, with each running sum.

    The replay adds each contribution into its operand exactly as backward does (from the reset
    gradient 0, the root's from 1), so the running sums are the engine's own partial sums.
    """
    steps = panel.root.backward_steps()
    values = list(names)
    number = {value: index for index, value in enumerate(values)}
    running = [0.0] * len(values)
    running[number[panel.root]] = 1.0
    recorded_steps = []
    stops = []
    for k, step in enumerate(steps):
        node = step.node
        sums = []
        contributions = step.contributions
        for child, contribution in zip(node.children, contributions):
            slot = number[child]
            if step.added:
                total = running[slot] + contribution
                if total - total == 0.0:  # backward drops a non-finite gradient only on a Constant
                    running[slot] = total
            sums.append(_number(running[slot]))
        recorded_steps.append(
            [
                number[node],
                _number(step.grad),
                [_number(d) for d in step.local_derivatives],
                [_number(c) for c in contributions],
                sums,
                step.added,
            ]
        )
        reason = gradient_stop(step)
        if reason is not None:
            stops.append([k, reason])
    highlight = panel.highlight
    data = {
        "data": [_number(value.data) for value in values],
        "grad": [_number(g) for g in running],
        "steps": recorded_steps,
        "stops": stops,
        "factor": [_number(d) for d in highlight.local_derivatives()] if highlight is not None else None,
    }
    return _Recorded(data, steps)


def _widest_numbers(recorded: list[_Recorded], children: list[list[int]], precision: int) -> list[tuple[float, float]]:
    """Return, per node, the data and the gradient whose text is widest at any position and step.

    The drawing is laid out once, with these, so that every number the page writes into a box fits.
    """
    count = len(children)
    widest: list[list[tuple[float, float]]] = [[(-1.0, 0.0), (-1.0, 0.0)] for _ in range(count)]

    def offer(node: int, field: int, x: float | str) -> None:
        if isinstance(x, str):
            return
        width = _text_width(format_number(x, precision))
        if width > widest[node][field][0]:
            widest[node][field] = (width, x)

    for entry in recorded:
        for node, (x, g) in enumerate(zip(entry.data["data"], entry.data["grad"])):
            offer(node, 0, x)
            offer(node, 1, g)
        for node, _, _, _, sums, _ in entry.data["steps"]:
            for child, s in zip(children[node], sums):
                offer(child, 1, s)
    return [(data[1], grad[1]) for data, grad in widest]


def _text_width(text: str) -> float:
    """Return about how wide text is, in digits: a sign, a point or a space is half a digit."""
    return sum(0.5 if char in "-. " else 1.0 for char in text)


# ---------------------------------------------------------------------------- the structure


def _structure(panel: Panel, names: dict[Value, str]) -> Shape:
    """Return what one drawing can show at many points: each node's op, label, kind, operands."""
    number = {value: index for index, value in enumerate(names)}
    nodes = tuple(
        (
            value.op,
            value.label,
            isinstance(value, Constant),
            tuple(number[child] for child in value.children),
        )
        for value in names
    )
    return nodes, number.get(panel.highlight) if panel.highlight is not None else None


def _layout_data(panel: Panel, names: dict[Value, str], structure: Shape, start: _Recorded, svg: str) -> dict[str, Any]:
    """Return what the positions of one structure share: the nodes, their order, the drawing."""
    number = {value: index for index, value in enumerate(names)}
    nodes = []
    for value in names:
        nodes.append(
            {
                "label": value.label,
                "op": value.op,
                "role": _role(value, panel.root),
                "children": [number[child] for child in value.children],
                "args": [f"{a:g}" for a in value.args],
            }
        )
    labelled_inputs = [number[v] for v in names if not v.children and v.label and not isinstance(v, Constant)]
    return {
        "highlight": structure[1],
        "nodes": nodes,
        "forward": _forward_order(panel.root, number, start.steps),
        # The gradients a learner asks for (dL/dz): the labelled inputs', unless there are many.
        "watch": labelled_inputs if len(labelled_inputs) <= 4 else [],
        "svg": svg,
    }


def _role(value: Value, root: Value) -> str:
    if value is root:
        return "root"
    if isinstance(value, Constant):
        return "constant"
    return "intermediate" if value.children else "input"


def _forward_order(root: Value, number: dict[Value, int], steps: list[BackwardStep]) -> list[int]:
    """Return the operation nodes in the order the engine computed them.

    Backward visits the nodes it reaches latest-made first, so its steps reversed are the order of
    creation. The nodes it does not reach (below a dead unit) are put just before the first node
    that uses them, operands first.
    """
    placed: set[Value] = set()
    order: list[int] = []

    def place(node: Value) -> None:
        stack = [(node, iter(node.children))]
        while stack:
            current, pending = stack[-1]
            for child in pending:
                if child.children and child not in placed:
                    placed.add(child)
                    stack.append((child, iter(child.children)))
                    break
            else:
                stack.pop()
                order.append(number[current])

    for step in reversed(steps):
        if step.node not in placed:
            placed.add(step.node)
            place(step.node)
    if root.children and root not in placed:
        placed.add(root)
        place(root)
    return order


# ---------------------------------------------------------------------------- the drawing


def _drawing(
    root: Value,
    names: dict[Value, str],
    widest: list[tuple[float, float]],
    rankdir: str | None,
    precision: int,
    prefix: str,
) -> str:
    """Return the SVG of root's graph, laid out with the widest numbers and marked up for the page.

    Each Value's box gets ``data-node`` (its number), its operation ``data-op``, each operand edge
    ``data-edge="node:slot"``, and the texts of data and grad ``data-field``. Graphviz's ids are
    prefixed, so several drawings can share one page, and the tooltips (the DOT names) go.
    """
    values = list(names)
    saved = [(value.data, value.grad) for value in values]
    try:
        for value, (data, grad) in zip(values, widest):
            value.data, value.grad = data, grad
        options: dict[str, Any] = {"precision": precision, "legend": False}
        if rankdir is not None:
            options["rankdir"] = rankdir
        svg = render_svg(draw_graph(root, **options))
    finally:
        for value, (data, grad) in zip(values, saved):
            value.data, value.grad = data, grad
    return _mark_up(svg, values, names, prefix)


def _mark_up(svg: str, values: list[Value], names: dict[Value, str], prefix: str) -> str:
    ET.register_namespace("", _SVG)
    ET.register_namespace("xlink", _XLINK)
    document = ET.fromstring(svg.encode("utf-8"))
    by_name = {name: index for index, name in enumerate(names.values())}
    edges: dict[tuple[str, str], list[tuple[str, ET.Element]]] = {}
    found_boxes = set()
    for group in document.iter(f"{{{_SVG}}}g"):
        kind = group.get("class")
        title = group.find(f"{{{_SVG}}}title")
        name = title.text or "" if title is not None else ""
        if title is not None:
            group.remove(title)
        if kind == "node":
            if name in by_name:
                group.set("data-node", str(by_name[name]))
                _mark_fields(group, name)
                found_boxes.add(name)
            elif name.endswith("_op") and name[:-3] in by_name:
                group.set("data-op", str(by_name[name[:-3]]))
        elif kind == "edge" and "->" in name:
            tail, head = name.split("->", 1)
            head_node, _, port = head.partition(":")
            if head_node.endswith("_op") and tail == head_node[:-3]:
                continue
            if tail.endswith("_op") and head_node == tail[:-3] and head_node in by_name:
                group.set("data-out", str(by_name[head_node]))
            else:
                edges.setdefault((tail.partition(":")[0], head_node), []).append((port, group))
    if len(found_boxes) != len(values):
        raise RuntimeError("step_through: the drawing lacks a box for some Values; draw_graph's node names changed")
    for index, value in enumerate(values):
        taken: dict[str, int] = {}
        for slot, child in enumerate(value.children):
            candidates = edges.get((names[child], f"{names[value]}_op"), [])
            ported = [group for port, group in candidates if port == f"in{slot + 1}"]
            if ported:
                edge = ported[0]
            else:
                unported = [group for port, group in candidates if not port]
                position = taken.get(names[child], 0)
                taken[names[child]] = position + 1
                if position >= len(unported):
                    raise RuntimeError(
                        f"step_through: the drawing has no edge from operand {slot + 1} into node {index}"
                    )
                edge = unported[position]
            edge.set("data-edge", f"{index}:{slot}")
    for element in document.iter():
        if element.get("id"):
            element.set("id", prefix + element.get("id", ""))
    width, height = (float(part) for part in document.get("viewBox", "0 0 0 0").split()[2:])
    document.set("width", f"{width * _PX_PER_PT:.0f}")
    document.set("height", f"{height * _PX_PER_PT:.0f}")
    document.set("role", "img")
    text = ET.tostring(document, encoding="unicode")
    # Inside HTML an <svg> element is SVG without namespace declarations; dropping them leaves
    # the page free of any URL.
    text = text.replace(f' xmlns="{_SVG}"', "").replace(f' xmlns:xlink="{_XLINK}"', "")
    return re.sub(r"url\(#", f"url(#{prefix}", text)


def _mark_fields(group: ET.Element, name: str) -> None:
    """Mark the texts of a box's data and grad cells, so the page can rewrite them."""
    texts = group.findall(f"{{{_SVG}}}text")
    for field in ("data", "grad"):
        matching = [text for text in texts if (text.text or "").startswith(f"{field} ")]
        if not matching:
            raise RuntimeError(f"step_through: box {name} has no '{field} ...' text; draw_graph's box labels changed")
        matching[-1].set("data-field", field)


# ---------------------------------------------------------------------------- the grid


def _grid(axis: Slider | Toggle) -> list[Number]:
    where = f"step_through: {type(axis).__name__.lower()} {axis.name!r}"
    if not isinstance(axis.name, str) or not axis.name:
        raise ValueError(f"step_through: a {type(axis).__name__.lower()} needs a name, got {axis.name!r}")
    values = list(axis.values)
    if not values:
        raise ValueError(f"{where} has no values")
    for v in values:
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v):
            raise ValueError(f"{where}: values must be finite numbers, got {v!r}")
    if axis.start is not None and axis.start not in values:
        if isinstance(axis, Toggle):
            raise ValueError(f"{where}: start must be one of its values {values}, got {axis.start!r}")
        values.append(axis.start)
    if isinstance(axis, Slider):
        values = sorted(set(values))
    elif len(set(values)) != len(values):
        raise ValueError(f"{where}: values must differ, got {values}")
    return values


def _start_index(axis: Slider | Toggle, grid: list[Number]) -> int:
    if axis.start is None:
        return len(grid) // 2 if isinstance(axis, Slider) else len(grid) - 1
    return grid.index(axis.start)


def _product(grids: list[list[Number]]) -> Iterator[tuple[Number, ...]]:
    if not grids:
        yield ()
        return
    for first in grids[0]:
        for rest in _product(grids[1:]):
            yield (first, *rest)


def _position_index(indices: tuple[int, ...], grids: list[list[Number]]) -> int:
    position = 0
    for index, grid in zip(indices, grids):
        position = position * len(grid) + index
    return position


def _point_text(axes: list[Slider | Toggle], point: tuple[Number, ...]) -> str:
    return ", ".join(f"{axis.name} = {value:g}" for axis, value in zip(axes, point)) or "the point"


def _as_panels(built: object, point: tuple[Number, ...], axes: list[Slider | Toggle]) -> list[Panel]:
    items = [built] if isinstance(built, (Value, Panel)) else built
    if not isinstance(items, Sequence) or not items:
        raise TypeError(
            f"step_through: graphs must be a Value, a Panel or a non-empty list of them, got "
            f"{type(built).__name__} at {_point_text(axes, point)}"
        )
    panels = []
    for item in items:
        if isinstance(item, Value):
            item = Panel(item, title=item.label)
        if not isinstance(item, Panel) or not isinstance(item.root, Value):
            raise TypeError(f"step_through: each graph must be a Value or a Panel, got {type(item).__name__}")
        panels.append(item)
    return panels


def _check_precision(precision: int) -> None:
    if isinstance(precision, bool) or not isinstance(precision, int) or not 0 <= precision <= 17:
        raise ValueError(f"step_through: precision must be an int in [0, 17], got {precision!r}")


def _frame_height(panels: list[dict[str, Any]], has_axes: bool) -> int:
    """Return a height for the notebook frame: the tallest drawing (as capped) and the controls."""
    tallest = 0.0
    for panel in panels:
        for layout in panel["layouts"]:
            match = re.search(r'height="(\d+)"', layout["svg"])
            tallest = max(tallest, float(match.group(1)) if match else 300.0)
    return int(min(max(380 + min(tallest, 520) + (70 if has_axes else 0), 560), 1100))
