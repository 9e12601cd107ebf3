"""Draw a Value's computation graph: DOT text through the graphviz package, SVG through ``render``.

The picture reads left to right (by default) from the inputs to the root. Each Value is one box
holding its label (if any), its data and its grad; each operation is one small node between its
operands and its result, with one edge per operand in operand order (``sum`` and ``dot`` are one
node however many operands they take). Box colours say what a Value is:

==============================  =========  =====================================================
role                            colour     which Values
==============================  =========  =====================================================
input / parameter               blue       leaves that are not constants (inputs, model weights)
constant                        grey       ``engine.value.Constant``: a number an operator wrapped
intermediate                    white      results of operations, except the root
output (root)                   orange     the Value the graph was drawn from
collapsed group                 violet     one box standing for many Values (``collapse=``)
==============================  =========  =====================================================

For ``-``, ``/`` and ``**`` (with a Value exponent) the operation has two numbered entry points,
1 and 2, and each operand's edge goes into its own: the layout alone does not keep operands in
order on the page.

With ``grad_shading=True`` the box's *fill* shows |grad| on a fixed logarithmic scale (white for a
vanishing gradient, dark red for a large one) and the role moves to the box's border colour. The
scale is absolute, not relative to the largest gradient in the graph, so two drawings can be put
side by side and compared: MSE through a sigmoid at p = 0.011 next to binary cross-entropy shows the
vanishing gradient at the logit at a glance.

Node ids come from the position of each Value in a deterministic traversal (children before their
parents, operands in order), never from ``id()``: the same graph gives byte-identical DOT text on
every run.

Drawing (the DOT text) is quick even for tens of thousands of Values; laying the picture out is
not: the renderer's time grows faster than the number of nodes and edges, and a network's graph of
a few thousand nodes can take it minutes. So rendering refuses a drawing of more than
``MAX_NODES`` nodes, boxes and operations together, with a hint to draw less of it (``max_depth``,
``collapse``); ``render_svg(..., max_nodes=None)`` or ``graph.max_nodes = None`` lifts the limit.
"""

from __future__ import annotations

import math
import os
import re
import unicodedata
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

try:
    import graphviz
except ImportError as error:
    raise ModuleNotFoundError(
        "drawing a graph (engine.draw_graph, engine.render_svg) needs the graphviz Python "
        "package, which is not installed: pip install graphviz (a system Graphviz is not needed). "
        "Everything else in engine works without it.",
        name="graphviz",
    ) from error

from ..files import check_writable, write_bytes
from ..value import Constant, Value
from .render import RendererNotFoundError, RenderError, find_renderer, run_renderer

__all__ = [
    "MAX_NODES",
    "ROLE_COLOURS",
    "ComputationGraph",
    "RenderError",
    "RendererNotFoundError",
    "draw_graph",
    "find_renderer",
    "node_names",
    "render_svg",
]

RANKDIRS = ("LR", "RL", "TB", "BT")
MAX_NODES = 5_000  # the default rendering limit, in nodes (boxes and operations) of a drawing


@dataclass(frozen=True)
class RoleColour:
    """The colours of one node role: ``fill`` for the box, ``border`` for its outline."""

    name: str
    fill: str
    border: str


ROLE_COLOURS: dict[str, RoleColour] = {
    "input": RoleColour("input / parameter", fill="#cfe2ff", border="#1c64c8"),
    "constant": RoleColour("constant", fill="#e9ecef", border="#6c757d"),
    "intermediate": RoleColour("intermediate", fill="#ffffff", border="#343a40"),
    "root": RoleColour("output (root)", fill="#ffd8a8", border="#d9480f"),
    "group": RoleColour("collapsed group", fill="#e5dbff", border="#6741d9"),
}

_OP_FILL = "#f1f3f5"
_ORDER_MATTERS = frozenset({"-", "/", "**"})  # binary operations whose operands cannot be swapped
_MORE_COLOUR = "#868e96"
# OrRd-like ramp from "no gradient" (white) to "large gradient" (dark red), as RGB stops.
_SHADE_STOPS = ((255, 255, 255), (254, 232, 200), (253, 187, 132), (227, 74, 51), (153, 0, 0))
_DARK_SHADE = 0.7  # above this point of the ramp, text is drawn white to stay readable


class ComputationGraph(graphviz.Digraph):  # type: ignore[misc]  # graphviz has no type hints
    """A graphviz.Digraph rendered (``pipe``, Jupyter display) through lossgrad's renderer search.

    Everything else is graphviz.Digraph: ``.source`` is the DOT text, ``.save()`` writes it.
    ``render()`` is graphviz's own and needs a system ``dot``; use ``engine.render_svg(graph, path)``
    or ``graph.pipe(format="png")`` to get files without one.

    ``max_nodes`` (default ``MAX_NODES``) is the most nodes ``pipe`` and the Jupyter display
    render; set it to None on a graph to render it whatever its size.
    """

    max_nodes: int | None = MAX_NODES

    @property
    def node_count(self) -> int:
        """Return the number of nodes (value boxes, operations, "more" markers, legend) drawn."""
        return _node_count(self.body)

    def pipe(
        self,
        format: str | None = None,
        renderer: str | None = None,
        formatter: str | None = None,
        neato_no_op: bool | int | None = None,
        quiet: bool = False,
        *,
        engine: str | None = None,
        encoding: str | None = None,
    ) -> bytes | str:
        """Return the graph rendered in ``format``: bytes, or str decoded with ``encoding``.

        Same arguments as graphviz.Digraph.pipe, but the program is found by ``find_renderer``,
        so a pip-installed graphviz-pure works where no system ``dot`` exists. ``quiet`` is accepted
        for compatibility: the renderer's warnings are never shown, its errors always raise. A
        graph of more than ``self.max_nodes`` nodes is refused with a ValueError.
        """
        _check_size(self, self.max_nodes, "pipe", "or set graph.max_nodes = None")
        output_format = format or self.format or "svg"
        if renderer is not None:
            output_format += f":{renderer}"
            if formatter is not None:
                output_format += f":{formatter}"
        elif formatter is not None:
            raise ValueError("pipe: formatter needs a renderer, got renderer=None")
        layout = engine or self.engine
        extra_args = [f"-n{int(neato_no_op)}"] if neato_no_op is not None else []
        data = run_renderer(
            self.source,
            output_format,
            layout=None if layout in (None, "dot") else layout,
            extra_args=extra_args,
        )
        return data.decode(encoding) if encoding is not None else data

    def _repr_svg_(self) -> str:
        """Return the SVG text Jupyter shows inline."""
        return self.pipe(format="svg", encoding="utf-8")  # type: ignore[return-value]


def draw_graph(
    root: Value,
    rankdir: str = "LR",
    precision: int = 4,
    *,
    grad_shading: bool = False,
    grad_range: tuple[float, float] = (1e-4, 10.0),
    local_derivatives: bool = False,
    max_depth: int | None = None,
    collapse: Callable[[Value], str | None] | None = None,
    legend: bool = True,
) -> ComputationGraph:
    """Return the computation graph that produced ``root`` as a graphviz Digraph (``.source`` is its DOT text).

    Args:
        root: the Value to draw; everything it was computed from is drawn with it.
        rankdir: direction the graph flows in: "LR" (inputs on the left), "RL", "TB" or "BT".
        precision: digits after the decimal point for data, grad and derivatives. Numbers whose
            magnitude is below 10**-precision (but not zero) are written in scientific notation,
            so a vanishing gradient shows as 2.150e-07 rather than 0.0000.
        grad_shading: fill each box by |grad| on a log scale (see grad_range); the role colour
            moves to the border.
        grad_range: (small, large): |grad| <= small is drawn white, |grad| >= large darkest red.
            Fixed, so separate drawings share one scale.
        local_derivatives: write on each edge the derivative of the result with respect to that
            operand (d out / d operand at the current data), from ``out.local_derivatives()``,
            the numbers backward() multiplies by; grads are not touched. An operand used twice
            (``x * x``) gets the sum of its uses, written on its first edge. An operation whose
            derivative is infinite there (sqrt at 0) gets "undefined". Edges into a collapsed
            group carry no derivative.
        max_depth: draw only Values at most this many operations away from root (along the
            shortest path); a Value whose operands are cut off keeps its operation, fed by a dashed
            "more" node. Depth counts Values even when they are collapsed into groups.
        collapse: called with each Value, returns a group name or None. All Values with the same
            name are drawn as one box (the name, how many Values it stands for, and the data and
            grad of its output when it has one), with edges only where the group meets the rest of
            the graph. nn uses it to draw each neuron as one box; engine knows nothing about neurons.
        legend: add a box explaining the colours of the roles present (and the shading scale).

    Example:
        >>> from engine import Value
        >>> x = Value(2.0, label="x")
        >>> y = x * x
        >>> y.backward()
        >>> graph = draw_graph(y, legend=False)
        >>> [line.split(" [")[0].strip() for line in graph.source.splitlines()[4:-1]]
        ['v0', 'v1', 'v1_op', 'v1_op -> v1', 'v0 -> v1_op', 'v0 -> v1_op']
        >>> "data 2.0000" in graph.source and "grad 4.0000" in graph.source
        True
    """
    _check_options(root, rankdir, precision, grad_range, max_depth)
    values, truncated = _values_to_draw(root, max_depth)
    position = {id(value): index for index, value in enumerate(values)}
    groups = _group_names(values, collapse)
    group_ids = {name: f"g{index}" for index, name in enumerate(dict.fromkeys(groups.values()))}

    def unit_of(value: Value) -> str:
        group = groups.get(id(value))
        return group_ids[group] if group is not None else f"v{position[id(value)]}"

    graph = ComputationGraph(
        format="svg",
        graph_attr={"rankdir": rankdir, "fontname": "Helvetica", "fontsize": "11"},
        node_attr={"shape": "plain", "fontname": "Helvetica", "fontsize": "11"},
        edge_attr={"fontname": "Helvetica", "fontsize": "9", "arrowsize": "0.7", "color": "#495057"},
    )
    style = _Style(precision, grad_shading, grad_range)
    roles_present: set[str] = set()
    members: dict[str, list[Value]] = {}
    outputs: dict[str, dict[int, Value]] = {}
    linked: set[tuple[str, str]] = set()

    for value in values:
        index = position[id(value)]
        group = groups.get(id(value))
        if group is None:
            role = _role(value, root)
            roles_present.add(role)
            graph.node(f"v{index}", label=style.value_label(value, role))
        else:
            members.setdefault(group, []).append(value)
        if not value.children:
            continue
        if group is not None:
            # Inside a group only the edges that cross its border are drawn, each pair once.
            target = group_ids[group]
            for child in _drawn_children(value, truncated):
                source = unit_of(child)
                if source != target and (source, target) not in linked:
                    linked.add((source, target))
                    graph.edge(source, target)
            if id(value) in truncated and (f"{target}_more", target) not in linked:
                linked.add((f"{target}_more", target))
                _more_node(graph, f"{target}_more", target)
            continue
        op_id = f"v{index}_op"
        # Layout does not keep operands in order, so where order changes the result, the operation
        # gets numbered entry points (ports) and each operand's edge goes into its own.
        numbered = value.op in _ORDER_MATTERS and len(value.children) == 2
        if numbered:
            graph.node(op_id, label=_numbered_op_label(value.op, rankdir))
        else:
            graph.node(op_id, label=f"<{_html_text(value.op or '?')}>", shape="ellipse", style="filled",
                       fillcolor=_OP_FILL, color="#495057", fontsize="10", margin="0.04,0.02",
                       width="0.3", height="0.25")
        graph.edge(op_id, f"v{index}")
        if id(value) in truncated:
            _more_node(graph, f"v{index}_more", op_id)
            continue
        edge_labels = _derivative_labels(value, style) if local_derivatives else {}
        for slot, child in enumerate(value.children):
            attributes = {}
            if slot in edge_labels:
                attributes["label"] = edge_labels[slot]
            if numbered:
                attributes["headport"] = f"in{slot + 1}"
            graph.edge(unit_of(child), op_id, **attributes)

    # A group's outputs are its members used outside it (or the root): what the group hands on.
    for value in values:
        for child in _drawn_children(value, truncated):
            group = groups.get(id(child))
            if group is not None and groups.get(id(value)) != group:
                outputs.setdefault(group, {})[id(child)] = child
    if id(root) in groups:
        outputs.setdefault(groups[id(root)], {})[id(root)] = root
    for name, group_members in members.items():
        roles_present.add("group")
        group_outputs = list(outputs.get(name, {}).values())
        graph.node(group_ids[name], label=style.group_label(name, group_members, group_outputs))

    if legend:
        _add_legend(graph, roles_present, style)
    return graph


def render_svg(
    graph: Value | graphviz.Digraph | graphviz.Graph | graphviz.Source | str,
    path: str | os.PathLike[str] | None = None,
    *,
    timeout: float | None = None,
    max_nodes: int | None = MAX_NODES,
    **draw_options: object,
) -> str:
    """Return the SVG text of a Value's computation graph (or of a graphviz graph, or of DOT text).

    A Value is drawn with ``draw_graph(graph, **draw_options)`` first. The renderer is found by
    ``find_renderer`` (LOSSGRAD_DOT, then a system dot, then graphviz-pure); without one,
    RendererNotFoundError says how to install one, and ``draw_graph(root).source`` still gives
    the DOT text.

    Args:
        graph: a Value, a graphviz graph (such as ``draw_graph``'s result) or DOT text.
        path: also write the SVG there, through ``engine.files.write_bytes``: whole or not at all,
            through a symlink, keeping an existing file's mode, refusing a folder, device, FIFO
            or socket. It must end in ``.svg``: this function writes SVG only (for PNG or PDF,
            ``write_bytes("graph.png", draw_graph(root).pipe(format="png"))``). The path is
            checked before the renderer runs, and the renderer's output before the file is
            replaced, so a failure leaves any old file as it was.
        timeout: seconds to let the renderer run before a RenderError, or None for no limit.
        max_nodes: refuse (ValueError) a drawing of more nodes than this, boxes and operations
            together, instead of a renderer run of minutes; None renders any size. DOT text is
            not counted.
        **draw_options: passed to ``draw_graph`` when ``graph`` is a Value.

    Example:
        >>> from engine import Value
        >>> svg = render_svg(Value(2.0, label="x").exp())
        >>> svg.startswith("<?xml") and ">x<" in svg
        True
    """
    if path is not None:
        if Path(path).suffix.lower() != ".svg":
            raise ValueError(
                f"render_svg: path must end in .svg, since render_svg writes SVG, got "
                f"{os.fspath(path)!r}; for another format, write the bytes of "
                f"draw_graph(root).pipe(format=...) with engine.files.write_bytes"
            )
        check_writable(path)  # a bad path fails now, not after a long renderer run
    if isinstance(graph, Value):
        graph = draw_graph(graph, **draw_options)  # type: ignore[arg-type]
    elif draw_options:
        raise TypeError(
            f"render_svg: drawing options ({', '.join(sorted(draw_options))}) apply only to a "
            f"Value; pass them to draw_graph instead, got a {type(graph).__name__}"
        )
    source: object = graph if isinstance(graph, str) else getattr(graph, "source", None)
    layout = None if isinstance(graph, str) else getattr(graph, "engine", None)
    if not isinstance(source, str):
        raise TypeError(
            f"render_svg: graph must be a Value, a graphviz graph or DOT text, "
            f"got {type(graph).__name__}"
        )
    _check_size(graph, max_nodes, "render_svg", "or pass max_nodes=None")
    svg = run_renderer(
        source, "svg", layout=None if layout in (None, "dot") else layout, timeout=timeout
    )
    if path is not None:
        write_bytes(path, svg)
    return svg.decode("utf-8")  # run_renderer checked that it is UTF-8 SVG


def node_names(root: Value, max_depth: int | None = None) -> dict[Value, str]:
    """Return the DOT node name ``draw_graph(root, max_depth=max_depth)`` gives each Value's box.

    A Value computed by an operation also has an operation node, named ``name + "_op"``. (A Value
    that ``collapse`` puts in a group is drawn as the group's box instead.) In the rendered SVG
    the name is the ``<title>`` of the node's ``<g>`` element, which is how a page that animates
    the drawing finds a Value's box.

    >>> from engine import Value
    >>> x = Value(2.0, label="x")
    >>> y = x * x
    >>> names = node_names(y)
    >>> names[x], names[y]
    ('v0', 'v1')
    >>> source = draw_graph(y).source
    >>> f"{names[x]} -> {names[y]}_op" in source and f"{names[y]}_op -> {names[y]}" in source
    True
    """
    values, _ = _values_to_draw(root, max_depth)
    return {value: f"v{index}" for index, value in enumerate(values)}


# --- traversal -------------------------------------------------------------------------------


def _values_to_draw(root: Value, max_depth: int | None) -> tuple[list[Value], set[int]]:
    """Return the Values to draw, children before parents, and the ids of those drawn without their operands.

    Iterative on purpose: a recursive walk hits Python's recursion limit near 1,000 nodes.
    """
    depth: dict[int, int] | None = None
    if max_depth is not None:
        # Breadth first, so a Value reachable along several paths gets its shortest distance.
        depth = {id(root): 0}
        queue = deque([root])
        while queue:
            value = queue.popleft()
            if depth[id(value)] == max_depth:
                continue
            for child in value.children:
                if id(child) not in depth:
                    depth[id(child)] = depth[id(value)] + 1
                    queue.append(child)

    truncated: set[int] = set()

    def operands(value: Value) -> Sequence[Value]:
        if depth is not None and depth[id(value)] >= max_depth and value.children:  # type: ignore[operator]
            truncated.add(id(value))
            return ()
        return value.children

    order: list[Value] = []
    seen = {id(root)}
    stack = [(root, iter(operands(root)))]
    while stack:
        value, pending = stack[-1]
        for child in pending:
            if id(child) not in seen:
                seen.add(id(child))
                stack.append((child, iter(operands(child))))
                break
        else:
            stack.pop()
            order.append(value)
    return order, truncated


def _drawn_children(value: Value, truncated: set[int]) -> Sequence[Value]:
    return () if id(value) in truncated else value.children


def _group_names(values: list[Value], collapse: Callable[[Value], str | None] | None) -> dict[int, str]:
    """Return the group name ``collapse`` gives each grouped Value, keyed by id()."""
    if collapse is None:
        return {}
    names: dict[int, str] = {}
    for value in values:
        name = collapse(value)
        if name is None:
            continue
        if not isinstance(name, str):
            raise TypeError(
                f"draw_graph: collapse must return a group name (str) or None, got {type(name).__name__} "
                f"{name!r} for {value!r}"
            )
        names[id(value)] = name
    return names


def _role(value: Value, root: Value) -> str:
    if value is root:
        return "root"
    if isinstance(value, Constant):
        return "constant"
    return "input" if not value.children else "intermediate"


def _derivative_labels(value: Value, style: _Style) -> dict[int, str]:
    """Return edge labels by operand slot: d value / d operand, from the node's local derivatives."""
    try:
        local = value.local_derivatives()
    except ArithmeticError:  # a rule that refuses the point outright
        local = (math.inf,) * len(value.children)
    if not local:
        return {}
    derivative: dict[int, float] = {}
    for child, d in zip(value.children, local, strict=True):  # an operand used twice: sum of uses
        derivative[id(child)] = derivative.get(id(child), 0.0) + d
    if not all(math.isfinite(d) for d in derivative.values()):
        # e.g. sqrt at 0: an infinite derivative, which backward() refuses, and so does the drawing.
        return {slot: "<undefined>" for slot in range(len(value.children))}
    uses: dict[int, int] = {}
    for child in value.children:
        uses[id(child)] = uses.get(id(child), 0) + 1
    labels: dict[int, str] = {}
    labelled: set[int] = set()
    for slot, child in enumerate(value.children):
        if id(child) in labelled:
            continue
        labelled.add(id(child))
        text = style.number(derivative[id(child)])
        if uses[id(child)] > 1:
            text += f" (sum of {uses[id(child)]} uses)"
        labels[slot] = f"<{_html_text(text)}>"
    return labels


# --- labels and colours ----------------------------------------------------------------------


def _html_text(text: str) -> str:
    """Return ``text`` as HTML-label markup that Graphviz shows literally, newlines as line breaks."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return "<BR/>".join(_escape_line(line) for line in lines)


# Graphviz expands \N, \G, \L, ... (node name, graph name, ...) even inside HTML labels, and reads
# a doubled backslash as one: so every backslash is doubled to show as itself.
_ENTITIES = {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;", "\\": "\\\\", "\t": " "}


def _escape_line(line: str) -> str:
    escaped = []
    for char in line:
        if char in _ENTITIES:
            escaped.append(_ENTITIES[char])
        elif unicodedata.category(char) in ("Cc", "Cs", "Cn", "Zl", "Zp"):
            # Control characters are not allowed in SVG (XML); show them as their Python escape.
            escaped.append(ascii(char)[1:-1])
        else:
            escaped.append(char)
    return "".join(escaped)


class _Style:
    """Formats numbers and builds the HTML labels of one drawing."""

    def __init__(self, precision: int, grad_shading: bool, grad_range: tuple[float, float]) -> None:
        self.precision = precision
        self.grad_shading = grad_shading
        self.low, self.high = grad_range

    def number(self, x: float) -> str:
        if math.isnan(x):
            return "nan"
        if math.isinf(x):
            return "inf" if x > 0 else "-inf"
        if x == 0:
            return f"{0.0:.{self.precision}f}"  # also turns -0.0 into 0.0
        if abs(x) < 10.0 ** -self.precision or abs(x) >= 1e9:
            return f"{x:.{max(self.precision - 1, 0)}e}"
        return f"{x:.{self.precision}f}"

    def shade(self, grad: float) -> float:
        """Return where |grad| falls on the shading ramp, 0 (vanishing) to 1 (large)."""
        magnitude = abs(grad)
        if math.isnan(magnitude) or magnitude <= self.low:
            return 0.0
        if magnitude >= self.high:
            return 1.0
        return math.log(magnitude / self.low) / math.log(self.high / self.low)

    def box(self, cells: list[str], role: str, grad: float) -> str:
        colours = ROLE_COLOURS[role]
        if self.grad_shading:
            position = self.shade(grad)
            fill, border, width = _ramp(position), colours.border, 3
            font = "#ffffff" if position > _DARK_SHADE else "#000000"
        else:
            fill, border, width, font = colours.fill, colours.border, 1, "#000000"
        body = "<VR/>".join(f'<TD><FONT COLOR="{font}">{cell}</FONT></TD>' for cell in cells)
        return (
            f'<<TABLE BORDER="{width}" CELLBORDER="0" CELLSPACING="0" CELLPADDING="4" '
            f'COLOR="{border}" BGCOLOR="{fill}"><TR>{body}</TR></TABLE>>'
        )

    def value_label(self, value: Value, role: str) -> str:
        cells = [_html_text(value.label)] if value.label else []
        cells += [f"data {self.number(value.data)}", f"grad {self.number(value.grad)}"]
        return self.box(cells, role, value.grad)

    def group_label(self, name: str, members: list[Value], outputs: list[Value]) -> str:
        cells = [f"<B>{_html_text(name)}</B>", f"{len(members)} values"]
        grad = max((abs(output.grad) for output in outputs), default=0.0)
        if len(outputs) == 1:
            cells += [f"data {self.number(outputs[0].data)}", f"grad {self.number(outputs[0].grad)}"]
        return self.box(cells, "group", grad)


def _ramp(position: float) -> str:
    """Return the colour at ``position`` (0 to 1) along the gradient-shading ramp, as #rrggbb."""
    scaled = position * (len(_SHADE_STOPS) - 1)
    lower = min(int(scaled), len(_SHADE_STOPS) - 2)
    fraction = scaled - lower
    start, end = _SHADE_STOPS[lower], _SHADE_STOPS[lower + 1]
    rgb = (round(a + (b - a) * fraction) for a, b in zip(start, end, strict=True))
    return "#" + "".join(f"{channel:02x}" for channel in rgb)


def _numbered_op_label(op: str, rankdir: str) -> str:
    """Return an operation's HTML label with entry ports in1 and in2, on the side its operands come from."""
    span = "ROWSPAN" if rankdir in ("LR", "RL") else "COLSPAN"
    symbol = f'<TD {span}="2"><FONT POINT-SIZE="10">{_html_text(op)}</FONT></TD>'
    first, second = (f'<TD PORT="in{n}"><FONT POINT-SIZE="7" COLOR="{_MORE_COLOUR}">{n}</FONT></TD>' for n in (1, 2))
    rows = {
        "LR": f"<TR>{first}{symbol}</TR><TR>{second}</TR>",
        "RL": f"<TR>{symbol}{first}</TR><TR>{second}</TR>",
        "TB": f"<TR>{first}{second}</TR><TR>{symbol}</TR>",
        "BT": f"<TR>{symbol}</TR><TR>{first}{second}</TR>",
    }[rankdir]
    return (
        f'<<TABLE BORDER="1" CELLBORDER="0" CELLSPACING="0" CELLPADDING="2" STYLE="ROUNDED" '
        f'BGCOLOR="{_OP_FILL}" COLOR="#495057">{rows}</TABLE>>'
    )


def _more_node(graph: graphviz.Digraph, node_id: str, target: str) -> None:
    graph.node(node_id, label="more", shape="box", style="dashed,rounded", color=_MORE_COLOUR,
               fontcolor=_MORE_COLOUR, fontsize="9", margin="0.04,0.02", width="0.3", height="0.2")
    graph.edge(node_id, target, style="dashed", color=_MORE_COLOUR)


def _add_legend(graph: graphviz.Digraph, roles_present: set[str], style: _Style) -> None:
    """Add one node, ``legend``, with a swatch per role present (and the shading scale when shading)."""
    width = 3 if style.grad_shading else 1
    rows = []
    for role, colours in ROLE_COLOURS.items():
        if role in roles_present:
            fill = "#ffffff" if style.grad_shading else colours.fill
            rows.append(
                f'<TR><TD BORDER="{width}" COLOR="{colours.border}" BGCOLOR="{fill}" WIDTH="24"> </TD>'
                f'<TD ALIGN="LEFT" COLSPAN="4">{_html_text(colours.name)}</TD></TR>'
            )
    if style.grad_shading:
        swatches = []
        for step in range(5):
            position = step / 4
            magnitude = style.low * (style.high / style.low) ** position
            font = "#ffffff" if position > _DARK_SHADE else "#000000"
            swatches.append(f'<TD BGCOLOR="{_ramp(position)}"><FONT COLOR="{font}">{magnitude:.0e}</FONT></TD>')
        rows.append('<TR><TD COLSPAN="5" ALIGN="LEFT">fill: |grad|, log scale</TD></TR>')
        rows.append(f"<TR>{''.join(swatches)}</TR>")
    graph.node(
        "legend",
        label=(f'<<TABLE BORDER="1" CELLBORDER="0" CELLSPACING="2" CELLPADDING="2" COLOR="#ced4da">'
               f'<TR><TD COLSPAN="5"><B>legend</B></TD></TR>{"".join(rows)}</TABLE>>'),
        fontsize="9",
    )


# --- checks and files ------------------------------------------------------------------------


def _check_options(
    root: object, rankdir: str, precision: int, grad_range: tuple[float, float], max_depth: int | None
) -> None:
    if not isinstance(root, Value):
        raise TypeError(f"draw_graph: root must be a Value, got {type(root).__name__} {root!r}")
    if rankdir not in RANKDIRS:
        raise ValueError(f"draw_graph: rankdir must be one of {', '.join(RANKDIRS)}, got {rankdir!r}")
    if isinstance(precision, bool) or not isinstance(precision, int) or not 0 <= precision <= 17:
        raise ValueError(f"draw_graph: precision must be an int in [0, 17], got {precision!r}")
    try:
        low, high = (float(bound) for bound in grad_range)
    except (TypeError, ValueError):
        low = high = math.nan
    if not (0 < low < high < math.inf):
        raise ValueError(f"draw_graph: grad_range must be (small, large) with 0 < small < large, got {grad_range!r}")
    if max_depth is not None and (isinstance(max_depth, bool) or not isinstance(max_depth, int) or max_depth < 0):
        raise ValueError(f"draw_graph: max_depth must be None or an int >= 0, got {max_depth!r}")


# A node statement as graphviz writes it into a graph's body: "\t<id> [<attributes>]" or "\t<id>".
# An edge statement has " -> " (or " -- ") after its first id, so it does not match.
_NODE_STATEMENT = re.compile(r'\t(?:\w+|"(?:[^"\\]|\\.)*")(?: \[|$)')


def _node_count(body: Sequence[str]) -> int:
    """Return how many node statements a graphviz graph's body holds."""
    return sum(1 for line in body if _NODE_STATEMENT.match(line))


def _check_size(graph: object, max_nodes: int | None, where: str, lift: str) -> None:
    """Refuse a graphviz graph of more than max_nodes nodes, with a hint to draw less of it."""
    if max_nodes is not None and (
        isinstance(max_nodes, bool) or not isinstance(max_nodes, int) or max_nodes < 1
    ):
        raise ValueError(f"{where}: max_nodes must be None or an int >= 1, got {max_nodes!r}")
    body = getattr(graph, "body", None)
    if max_nodes is None or not isinstance(body, list):
        return  # DOT text: its size is the renderer's business
    count = _node_count(body)
    if count > max_nodes:
        raise ValueError(
            f"{where}: the drawing has {count:,} nodes, more than max_nodes={max_nodes:,}, and "
            f"laying out a graph that size can take minutes; draw less of it with "
            f"draw_graph(root, max_depth=...) or draw groups of Values as one box with "
            f"collapse=... (nn.neuron_of draws each neuron as one), {lift}"
        )
