"""Draw a Value's computation graph: DOT text through the graphviz package, SVG through ``render``.

The picture runs from the inputs to the root. Each Value is one box holding its label (if any),
its data and its grad; each operation is one small node between its operands and its result, with
one edge per operand in operand order (``sum`` and ``dot`` are one node however many operands they
take). Box colours say what a Value is:

==============================  =========  =====================================================
role                            colour     which Values
==============================  =========  =====================================================
input / parameter               blue       leaves that are not constants (inputs, model weights)
constant                        grey       ``engine.value.Constant``: a number an operator wrapped
intermediate                    white      results of operations, except the root
output (root)                   orange     the Value the graph was drawn from
collapsed group                 violet     one box standing for many Values (``collapse=``)
==============================  =========  =====================================================

**Direction.** ``rankdir="auto"`` (the default) lays the graph out left to right when that fits a
column ``COLUMN_WIDTH`` (1000) pixels wide, and top to bottom when it does not. The choice is made
before rendering, from an estimate of both layouts (the graph's depth and breadth, and the text of
each box): the one that needs the less shrinking to fit the column wins, left to right on a tie.
A box lays its cells across the direction of flow, stacked (label over data over grad) in a
left-to-right drawing and side by side in a top-to-bottom one, so a long chain stays short. The
legend sits in the first rank, or, when a left-to-right drawing is too wide for the column,
beside a box about as wide as it where that keeps the drawing noticeably narrower.

**Operands.** For ``-``, ``/`` and ``**`` (with a Value exponent) the operation has two numbered
entry points, 1 and 2. A ``dot`` node has one per operand, in pairs: ``a1 b1 a2 b2 ...``, since
dot(a, b) = a1·b1 + a2·b2 + ..., so a reader can pair each weight with the input it multiplies.
Each operand's edge goes into its own entry: the layout alone does not keep operands in order.

**Text.** Every label is set in DejaVu Sans (``FONT``), whose widths the renderer knows
(graphviz-pure has them built in, a system Graphviz reads the font), so each box is sized for its
text. The SVG asks for ``FONT_FAMILY``: DejaVu Sans, else the viewer's sans-serif (Helvetica,
Arial, Liberation Sans), which is narrower, so text stays inside its box either way. DejaVu Sans
is what Debian's image viewers (librsvg) and browsers find under that name.

**Collapsed groups** (``collapse=``). Many Values drawn as one box. A group name of the form
``"column.member"`` (split at the last dot) files the box in a column: the groups of one column
share one rank, ordered naturally by member (``N2`` before ``N10``). ``collapse=nn.neuron_of``
names each neuron ``L0.N3``, so an MLP is drawn as one column per layer, its neurons in order.
Between groups:

- an edge into a group passes through a weight when one leaf (parameter) of the group multiplies
  the tail's value (in a pair of a ``dot``, or a ``*``). It is blue for a positive weight and
  orange for a negative one, and wider and more opaque in proportion to the weight's |grad|, up
  to the largest of the drawing's weights (the legend gives it); its tooltip gives the weight;
- a constant that enters groups of more than one column (an MLP's constant 1, multiplied by every
  bias) is not drawn, so it does not fan out to every box; the legend says so;
- a group with leaves none of which a gradient can reach from its outputs (a ReLU neuron whose
  pre-activation is <= 0: the ReLU's local derivative is 0 there) is marked "dead: no gradient
  passes", with a dashed border (and grey, unshaded), whatever gradient reached its output. When
  a group has several outputs (one per input of a batch) and only some are cut off, it says how
  many.
- a column gets room on both sides, for the many edges between neighbouring columns.

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

import itertools
import math
import os
import re
import unicodedata
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

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
    "COLUMN_WIDTH",
    "FONT",
    "FONT_FAMILY",
    "MAX_NODES",
    "ROLE_COLOURS",
    "SVG",
    "WEIGHT_COLOURS",
    "ComputationGraph",
    "RenderError",
    "RendererNotFoundError",
    "draw_graph",
    "find_renderer",
    "node_names",
    "render_svg",
]

RANKDIRS = ("auto", "LR", "RL", "TB", "BT")
MAX_NODES = 5_000  # the default rendering limit, in nodes (boxes and operations) of a drawing
COLUMN_WIDTH = 1000  # pixels: the width rankdir="auto" fits a drawing into (a notebook's column)
FONT = "DejaVu Sans"  # the face the renderer sizes boxes for
FONT_FAMILY = "DejaVu Sans,sans-serif"  # what the SVG asks a viewer for


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

# Edge colours by the sign of the weight an edge into a group passes through.
WEIGHT_COLOURS = {"positive": "#1c7ed6", "negative": "#e8590c", "zero": "#adb5bd"}

_FONT_SIZE = 11.0
_PORT_SIZE = 7.0  # the numbers and names of an operation's entry points
_NOTE_SIZE = 8.0  # a group's size and notes
_GROUP_SIZE = 10.0  # a group's name and numbers: a network has many groups
_OP_FILL = "#f1f3f5"
_DEAD_FILL = "#f1f3f5"
_DEAD_COLOUR = "#c92a2a"
_ORDER_MATTERS = frozenset({"-", "/", "**"})  # binary operations whose operands cannot be swapped
_MORE_COLOUR = "#868e96"
# OrRd-like ramp from "no gradient" (white) to "large gradient" (dark red), as RGB stops.
_SHADE_STOPS = ((255, 255, 255), (254, 232, 200), (253, 187, 132), (227, 74, 51), (153, 0, 0))
_DARK_SHADE = 0.7  # above this point of the ramp, text is drawn white to stay readable
_EDGE_WIDTHS = (0.5, 4.0)  # pen widths of weighted edges, from no |grad| to the drawing's largest
_EDGE_OPACITY = 0.35  # of an edge whose weight has no gradient: many cross, the strong stand out
# Layout spacing, in points (inches in the DOT text): between ranks, and between nodes in a rank.
_RANKSEP = 0.2 * 72
_COLUMN_ROOM = 20.0  # on each side of a column of groups, for the edges between columns
_NODESEP = 0.15 * 72
_PX_PER_PT = 4 / 3  # an SVG's pt sizes are shown at 96 px per inch


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
        graph of more than ``self.max_nodes`` nodes is refused with a ValueError. SVG names
        ``FONT_FAMILY`` as its font.
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
        if output_format.split(":")[0] == "svg":
            data = _with_font_family(data)
        return data.decode(encoding) if encoding is not None else data

    def _repr_svg_(self) -> str:
        """Return the SVG text Jupyter shows inline."""
        return self.pipe(format="svg", encoding="utf-8")  # type: ignore[return-value]


def draw_graph(
    root: Value,
    rankdir: str = "auto",
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
        rankdir: direction the graph flows in: "LR" (inputs on the left), "RL", "TB", "BT", or
            "auto" (the default): "LR" if that fits a ``COLUMN_WIDTH``-pixel column, else "TB"
            when that needs less shrinking to fit (see the module's docstring). The direction
            drawn is ``graph.graph_attr["rankdir"]``.
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
            the graph. A name ``"column.member"`` files the box in a column, ordered by member;
            edges into groups show the weights they pass through, and dead groups are marked (see
            the module's docstring). ``nn.neuron_of`` names each neuron ``L<layer>.N<index>``, so
            ``collapse=nn.neuron_of`` draws an MLP layer by layer; engine knows nothing of neurons.
        legend: add a box explaining the colours present (and the shading scale).

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
        >>> graph.graph_attr["rankdir"]  # small enough to read left to right in 1000 pixels
        'LR'
    """
    _check_options(root, rankdir, precision, grad_range, max_depth)
    values, truncated = _values_to_draw(root, max_depth)
    groups = _group_names(values, collapse)
    style = _Style(precision, grad_shading, grad_range)
    drawing = _Drawing(root, values, truncated, groups, style, local_derivatives)
    if legend:
        drawing.add_legend()
    if rankdir == "auto":
        rankdir = drawing.best_direction()
    return drawing.graph(rankdir)


def _with_font_family(svg: bytes) -> bytes:
    """Return the renderer's SVG asking for ``FONT_FAMILY`` wherever it asks for ``FONT`` alone.

    The renderer names the one face it measured; a viewer without it would fall back to its
    default face, often a serif, so the SVG names a sans-serif fallback too.
    """
    return svg.replace(f'font-family="{FONT}"'.encode(), f'font-family="{FONT_FAMILY}"'.encode())


def render_svg(
    graph: Value | graphviz.Digraph | graphviz.Graph | graphviz.Source | str,
    path: str | os.PathLike[str] | None = None,
    *,
    timeout: float | None = None,
    max_nodes: int | None = MAX_NODES,
    **draw_options: object,
) -> SVG:
    """Return the SVG text of a Value's computation graph (or of a graphviz graph, or of DOT text).

    The text is an `SVG`: a str whose repr is one short line and which Jupyter shows as the
    picture, so the call can end a notebook cell.

    A Value is drawn with ``draw_graph(graph, **draw_options)`` first. The renderer is found by
    ``find_renderer`` (LOSSGRAD_DOT, then a system dot, then graphviz-pure); without one,
    RendererNotFoundError says how to install one, and ``draw_graph(root).source`` still gives
    the DOT text. The SVG names ``FONT_FAMILY`` as its font.

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
        raise TypeError(f"render_svg: graph must be a Value, a graphviz graph or DOT text, got {type(graph).__name__}")
    _check_size(graph, max_nodes, "render_svg", "or pass max_nodes=None")
    svg = _with_font_family(
        run_renderer(source, "svg", layout=None if layout in (None, "dot") else layout, timeout=timeout)
    )
    if path is not None:
        write_bytes(path, svg)
    return SVG(svg.decode("utf-8"), path)  # run_renderer checked that it is UTF-8 SVG


class SVG(str):
    """The SVG text `render_svg` returns: a str, with a short repr, that Jupyter shows as the picture.

    As the last line of a notebook cell, ``render_svg(loss, "bce.svg")`` shows the drawing instead
    of tens of kilobytes of text; everything else treats it as the str it is.

    >>> svg = SVG('<svg width="10pt"></svg>', "x.svg")
    >>> svg, svg.startswith("<svg"), svg.path
    (SVG(24 characters, written to 'x.svg'), True, 'x.svg')
    """

    path: str | None

    def __new__(cls, text: str, path: str | os.PathLike[str] | None = None) -> SVG:
        svg = super().__new__(cls, text)
        svg.path = None if path is None else os.fspath(path)
        return svg

    def __repr__(self) -> str:
        written = f", written to {self.path!r}" if self.path is not None else ""
        return f"SVG({len(self)} characters{written})"

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(repr(self))  # IPython would otherwise print a str subclass as its text

    def _repr_svg_(self) -> str:
        return str(self)


def node_names(root: Value, max_depth: int | None = None) -> dict[Value, str]:
    """Return the DOT node name ``draw_graph(root, max_depth=max_depth)`` gives each Value's box.

    A Value computed by an operation also has an operation node, named ``name + "_op"``. (A Value
    that ``collapse`` puts in a group is drawn as the group's box instead, and a constant shared by
    groups of several columns is not drawn.) In the rendered SVG
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


# --- the drawing: nodes and edges first, then a direction, then DOT ------------------------


@dataclass(frozen=True)
class _Cell:
    """One cell of a box: its text and how it is set."""

    text: str
    bold: bool = False
    points: float = _FONT_SIZE
    colour: str | None = None  # None: the box's text colour

    def markup(self, font: str) -> str:
        """Return the cell's text as HTML-label markup, in its own colour or else the box's."""
        text = _html_text(self.text)
        if self.bold:
            text = f"<B>{text}</B>"
        size = f' POINT-SIZE="{self.points:g}"' if self.points != _FONT_SIZE else ""
        return f'<FONT COLOR="{self.colour or font}"{size}>{text}</FONT>'

    def size(self) -> tuple[float, float]:
        """Return the cell's estimated (width, height) in points, padding included."""
        lines = _display_lines(self.text)
        width = max(_text_width(line, self.points, self.bold) for line in lines)
        height = len(lines) * self.points * _LINE_HEIGHT
        return width + 2 * _CELL_PADDING, height + 2 * _CELL_PADDING


@dataclass
class _Box:
    """A Value's or a group's box: cells laid across the direction the graph flows in.

    Flowing left to right, the cells are stacked in rows (``stacked``: label over data over
    grad); flowing top to bottom, they sit side by side in one row (``side_by_side``, by default
    the stacked rows' cells in order). A note, if any, is a row of its own under them.
    """

    stacked: list[list[_Cell]]
    role: str
    grad: float
    note: _Cell | None = None
    dead: bool = False
    side_by_side: list[_Cell] | None = None

    def rows(self, horizontal: bool) -> list[list[_Cell]]:
        in_line = self.side_by_side or [cell for row in self.stacked for cell in row]
        rows = self.stacked if horizontal else [in_line]
        return rows + ([[self.note]] if self.note is not None else [])

    def attributes(self, rankdir: str, style: _Style) -> dict[str, str]:
        rows = self.rows(_flows_horizontally(rankdir))
        return {"label": style.box(rows, self.role, self.grad, self.dead)}

    def size(self, horizontal: bool) -> tuple[float, float]:
        rows = [[cell.size() for cell in row] for row in self.rows(horizontal)]
        width = max(sum(w for w, _ in row) + len(row) - 1 for row in rows)
        height = sum(max(h for _, h in row) for row in rows) + len(rows) - 1
        return width + 2 * _BOX_BORDER, height + 2 * _BOX_BORDER


@dataclass
class _Operation:
    """An operation's node: an oval, or a rounded box whose entry points (ports) are named."""

    symbol: str
    ports: list[tuple[str, str]] = field(default_factory=list)  # (port, text), in display order

    def attributes(self, rankdir: str, style: _Style) -> dict[str, str]:
        if self.ports:
            return {"label": _ported_label(self.symbol, self.ports, rankdir)}
        return {
            "label": f"<{_html_text(self.symbol)}>",
            "shape": "ellipse",
            "style": "filled",
            "fillcolor": _OP_FILL,
            "color": "#495057",
            "fontsize": "10",
            "margin": "0.04,0.02",
            "width": "0.3",
            "height": "0.25",
        }

    def size(self, horizontal: bool) -> tuple[float, float]:
        symbol = _text_width(self.symbol, 10.0) + 8
        if not self.ports:
            return max(0.3 * 72, symbol + 6), 0.25 * 72
        port_width = max(_text_width(text, _PORT_SIZE) for _, text in self.ports) + 4
        port_height = _PORT_SIZE * _LINE_HEIGHT + 4
        if horizontal:
            return port_width + symbol, max(len(self.ports) * port_height, 18.0)
        return max(len(self.ports) * port_width, symbol), port_height + 18.0


@dataclass
class _Plain:
    """A node whose attributes do not depend on the direction (a "more" marker, the legend)."""

    fixed: dict[str, str]
    width: float
    height: float

    def attributes(self, rankdir: str, style: _Style) -> dict[str, str]:
        return self.fixed

    def size(self, horizontal: bool) -> tuple[float, float]:
        return self.width, self.height


@dataclass
class _Edge:
    tail: str
    head: str
    attributes: dict[str, str] = field(default_factory=dict)


_Node = _Box | _Operation | _Plain


class _Drawing:
    """The nodes and edges of one drawing, kept until a direction is chosen, then written as DOT."""

    def __init__(
        self,
        root: Value,
        values: list[Value],
        truncated: set[int],
        groups: dict[int, str],
        style: _Style,
        local_derivatives: bool,
    ) -> None:
        self.style = style
        self.nodes: dict[str, _Node] = {}
        self.statements: list[str | _Edge] = []  # node names and edges, in DOT order
        self.columns: list[list[str]] = []  # node names that share a rank, in order
        self.roles: set[str] = set()
        self.has_ports = False
        self.has_weights = False
        self.has_dead = False
        self.largest_weight_grad = 0.0
        self.hidden_constants: dict[str, set[str]] = {}  # a hidden constant's data -> its groups

        position = {id(value): index for index, value in enumerate(values)}
        group_ids = {name: f"g{index}" for index, name in enumerate(dict.fromkeys(groups.values()))}
        hidden = _shared_constants(values, truncated, groups)

        def unit_of(value: Value) -> str:
            group = groups.get(id(value))
            return group_ids[group] if group is not None else f"v{position[id(value)]}"

        members: dict[str, list[Value]] = {}
        into_groups: dict[tuple[str, str], _Edge] = {}
        weights: dict[tuple[str, str], dict[int, Value]] = {}

        for value in values:
            if id(value) in hidden:
                users = self.hidden_constants.setdefault(style.number(value.data), set())
                users.update(hidden[id(value)])
                continue
            index = position[id(value)]
            group = groups.get(id(value))
            if group is None:
                role = _role(value, root)
                self.roles.add(role)
                self._node(f"v{index}", _value_box(value, role, style))
            else:
                members.setdefault(group, []).append(value)
            if not value.children:
                continue
            if group is not None:
                # Inside a group only the edges that cross its border are drawn, each pair once.
                target = group_ids[group]
                for child in _drawn_children(value, truncated):
                    source = unit_of(child)
                    crosses = id(child) not in hidden and source != target
                    if crosses and (source, target) not in into_groups:
                        into_groups[source, target] = self._edge(source, target)
                if id(value) in truncated:
                    if (f"{target}_more", target) not in into_groups:
                        into_groups[f"{target}_more", target] = self._more(f"{target}_more", target)
                    continue
                for a, b in _factor_pairs(value):
                    for weight, other in ((a, b), (b, a)):
                        if (
                            not weight.children
                            and groups.get(id(weight)) == group
                            and groups.get(id(other)) != group
                            and id(other) not in hidden
                        ):
                            weights.setdefault((unit_of(other), target), {})[id(weight)] = weight
                continue
            op_id = f"v{index}_op"
            ports = _ports(value)
            self.has_ports |= value.op == "dot" and bool(ports)
            self._node(op_id, _Operation(value.op or "?", ports))
            self._edge(op_id, f"v{index}")
            if id(value) in truncated:
                self._more(f"v{index}_more", op_id)
                continue
            edge_labels = _derivative_labels(value, style) if local_derivatives else {}
            for slot, child in enumerate(value.children):
                attributes = {}
                if slot in edge_labels:
                    attributes["label"] = edge_labels[slot]
                if ports:
                    attributes["headport"] = f"in{slot + 1}"
                self._edge(unit_of(child), op_id, **attributes)

        # An edge into a group shows the weight it passes through, when there is exactly one.
        through = {
            key: next(iter(found.values())) for key, found in weights.items() if key in into_groups and len(found) == 1
        }
        grads = [abs(weight.grad) for weight in through.values()]
        self.largest_weight_grad = max(grads, default=0.0)
        for key, weight in through.items():
            into_groups[key].attributes.update(style.weight_edge(weight, self.largest_weight_grad))
            self.has_weights = True

        # A group's outputs are its members used outside it (or the root): what the group hands on.
        outputs: dict[str, dict[int, Value]] = {}
        for value in values:
            for child in _drawn_children(value, truncated):
                group = groups.get(id(child))
                if group is not None and groups.get(id(value)) != group:
                    outputs.setdefault(group, {})[id(child)] = child
        if id(root) in groups:
            outputs.setdefault(groups[id(root)], {})[id(root)] = root
        passing = _passing(values, truncated, groups)
        for name in sorted(members, key=_natural_key):
            self.roles.add("group")
            group_outputs = list(outputs.get(name, {}).values())
            has_leaves = any(not member.children for member in members[name])
            blocked = sum(id(output) not in passing for output in group_outputs)
            box = _group_box(name, members[name], group_outputs, blocked if has_leaves else 0, style)
            self.has_dead |= box.dead
            self._node(group_ids[name], box)

        # Groups named "column.member" share a rank per column, in their members' natural order,
        # unless an edge joins two of them (a rank cannot hold both ends of a forward edge).
        columns: dict[str, list[str]] = {}
        for name in members:
            head, dot, _ = name.rpartition(".")
            if dot and head:
                columns.setdefault(head, []).append(name)
        for names in columns.values():
            ids = {group_ids[name] for name in names}
            if len(ids) > 1 and not any(tail in ids and head in ids for tail, head in into_groups):
                self.columns.append([group_ids[name] for name in sorted(names, key=_natural_key)])

    def _node(self, name: str, node: _Node) -> None:
        self.nodes[name] = node
        self.statements.append(name)

    def _edge(self, tail: str, head: str, **attributes: str) -> _Edge:
        edge = _Edge(tail, head, dict(attributes))
        self.statements.append(edge)
        return edge

    def _more(self, name: str, target: str) -> _Edge:
        self._node(
            name,
            _Plain(
                {
                    "label": "more",
                    "shape": "box",
                    "style": "dashed,rounded",
                    "color": _MORE_COLOUR,
                    "fontcolor": _MORE_COLOUR,
                    "fontsize": "9",
                    "margin": "0.04,0.02",
                    "width": "0.3",
                    "height": "0.2",
                },
                width=40.0,
                height=18.0,
            ),
        )
        return self._edge(name, target, style="dashed", color=_MORE_COLOUR)

    def add_legend(self) -> None:
        """Add one node, ``legend``, explaining the colours, marks and names the drawing uses."""
        label, width, height = _legend(self)
        self._node("legend", _Plain({"label": label, "fontsize": "9"}, width, height))

    def best_direction(self) -> str:
        """Return "LR" or "TB": the one needing less shrinking to fit COLUMN_WIDTH, LR on a tie."""
        shrink = {}
        for rankdir in ("LR", "TB"):
            width, _ = self.estimated_size(rankdir)
            shrink[rankdir] = max(1.0, width * _PX_PER_PT / COLUMN_WIDTH)
        return "LR" if shrink["LR"] <= shrink["TB"] else "TB"

    def estimated_size(self, rankdir: str) -> tuple[float, float]:
        """Return the drawing's (width, height) in points as laid out in rankdir, estimated.

        Nodes are ranked by their longest path from a source (the renderer balances ranks a
        little better); an edge label takes a rank of its own between its ends, as in dot. A
        rank's depth is its largest node, its breadth the sum of its nodes and the gaps between.
        """
        horizontal = _flows_horizontally(rankdir)
        edges = [s for s in self.statements if isinstance(s, _Edge)]
        rank = _longest_path_ranks(list(self.nodes), edges, self.columns)
        labelled = any("label" in edge.attributes for edge in edges)
        levels: dict[int, list[tuple[float, float]]] = {}
        for name, node in self.nodes.items():
            levels.setdefault(rank[name] * (2 if labelled else 1), []).append(node.size(horizontal))
        for edge in edges:
            if "label" in edge.attributes:
                text = re.sub(r"<[^>]*>", "", edge.attributes["label"])
                size = (_text_width(text, 9.0) + 4, 9.0 * _LINE_HEIGHT + 4)
                levels.setdefault(2 * rank[edge.tail] + 1, []).append(size)
        in_columns = {rank[column[0]] * (2 if labelled else 1) for column in self.columns}
        depth = 0.0
        breadth = 0.0
        for level, sizes in levels.items():
            along = [w if horizontal else h for w, h in sizes]
            across = [h if horizontal else w for w, h in sizes]
            depth += max(along) + (2 * _COLUMN_ROOM if level in in_columns else 0.0)
            breadth = max(breadth, sum(across) + _NODESEP * (len(across) - 1))
        depth += _RANKSEP * (max(levels) - min(levels))  # a rank left empty by minlen is a gap too
        margin = 2 * 4.0  # the renderer's pad around the drawing
        if horizontal:
            return depth + margin, breadth + margin
        return breadth + margin, depth + margin

    def graph(self, rankdir: str) -> ComputationGraph:
        """Return the drawing as DOT laid out in rankdir ("LR", "RL", "TB" or "BT")."""
        graph = ComputationGraph(
            format="svg",
            graph_attr={
                "rankdir": rankdir,
                "fontname": FONT,
                "fontsize": "11",
                "ranksep": f"{_RANKSEP / 72:g}",
                "nodesep": f"{_NODESEP / 72:g}",
            },
            node_attr={"shape": "plain", "fontname": FONT, "fontsize": "11"},
            edge_attr={"fontname": FONT, "fontsize": "9", "arrowsize": "0.7", "color": "#495057"},
        )
        for statement in self.statements:
            if isinstance(statement, _Edge):
                graph.edge(statement.tail, statement.head, **statement.attributes)
            else:
                graph.node(statement, **self.nodes[statement].attributes(rankdir, self.style))
        horizontal = _flows_horizontally(rankdir)
        for column in self.columns:
            with graph.subgraph() as same_rank:
                same_rank.attr(rank="same")
                for name in column:
                    same_rank.node(name)
                # Invisible edges within a rank keep its nodes in this order.
                for upper, lower in itertools.pairwise(column):
                    same_rank.edge(upper, lower, style="invis")
                # An invisible node deeper than the column's boxes keeps room on both sides of the
                # column: the many edges between two columns need it to be told apart.
                axis = 0 if horizontal else 1
                deepest = max(self.nodes[name].size(horizontal)[axis] for name in column)
                room = f"{(deepest + 2 * _COLUMN_ROOM) / 72:.2f}"
                same_rank.node(
                    f"{column[0]}_room",
                    label="",
                    shape="box",
                    style="invis",
                    width=room if horizontal else "0.01",
                    height="0.01" if horizontal else room,
                )
        partner = self._legend_partner(rankdir)
        if partner is not None:
            with graph.subgraph() as same_rank:
                same_rank.attr(rank="same")
                same_rank.node("legend")
                same_rank.node(partner)
        return graph

    def _legend_partner(self, rankdir: str) -> str | None:
        """Return the node whose rank the legend should join, or None to leave it free.

        Left free, the legend joins the first rank, where it widens a left-to-right drawing by as
        much as it is wider than that rank. When the drawing is too wide for the column anyway,
        and another rank would be widened at least a rank's separation less without making the
        drawing taller, the legend joins that one: the one widened least, then the one with the
        least breadth. Ranks are as ``estimated_size`` estimates them.
        """
        horizontal = _flows_horizontally(rankdir)
        if "legend" not in self.nodes or not horizontal:
            return None  # top to bottom, its depth costs height, which a page has room for
        if self.estimated_size(rankdir)[0] * _PX_PER_PT <= COLUMN_WIDTH:
            return None  # the drawing fits the column as it is
        edges = [s for s in self.statements if isinstance(s, _Edge)]
        rank = _longest_path_ranks(list(self.nodes), edges, self.columns)
        depth: dict[int, tuple[float, str]] = {}  # the deepest node of each rank, and its depth
        breadth: dict[int, float] = {}
        for name, node in self.nodes.items():
            if name == "legend":
                continue
            width, height = node.size(horizontal)
            along, across = (width, height) if horizontal else (height, width)
            depth[rank[name]] = max(depth.get(rank[name], (0.0, name)), (along, name))
            breadth[rank[name]] = breadth.get(rank[name], 0.0) + across
        if not depth:
            return None
        needed, across = self.nodes["legend"].size(horizontal)
        tallest = max(breadth.values())
        # Only where the legend leaves the drawing as tall as it is.
        fitting = [level for level in depth if breadth[level] + _NODESEP + across <= tallest]
        if not fitting:
            return None
        added, _, level = min((max(0.0, needed - depth[level][0]), breadth[level], level) for level in fitting)
        if added > max(0.0, needed - depth[min(depth)][0]) - _RANKSEP:
            return None  # not worth moving it from its corner for
        return depth[level][1]


def _flows_horizontally(rankdir: str) -> bool:
    return rankdir in ("LR", "RL")


def _longest_path_ranks(names: list[str], edges: list[_Edge], columns: list[list[str]]) -> dict[str, int]:
    """Return each node's rank: the most edges on a path to it from the first rank.

    A column's nodes share one rank. Ranks may start below 0; only their differences matter.
    """
    unit = {name: name for name in names}
    for column in columns:
        for name in column:
            unit[name] = column[0]
    successors: dict[str, list[tuple[str, int]]] = {}
    incoming = {unit[name]: 0 for name in names}
    for edge in edges:
        tail, head = unit[edge.tail], unit[edge.head]
        if tail != head:
            successors.setdefault(tail, []).append((head, int(edge.attributes.get("minlen", "1"))))
            incoming[head] += 1
    rank = dict.fromkeys(incoming, 0)
    ready = deque(key for key, count in incoming.items() if count == 0)
    while ready:
        key = ready.popleft()
        for successor, length in successors.get(key, ()):
            rank[successor] = max(rank[successor], rank[key] + length)
            incoming[successor] -= 1
            if incoming[successor] == 0:
                ready.append(successor)
    # A source (a leaf, a constant) sits just before its first use, not in the first rank.
    for key, count in list(incoming.items()):
        if count == 0 and key in successors and not any(key in column for column in columns):
            rank[key] = min(rank[successor] - length for successor, length in successors[key])
    return {name: rank[unit[name]] for name in names}


def _natural_key(name: str) -> tuple[tuple[int, int | str], ...]:
    """Return a sort key that orders the numbers inside names by value: N2 before N10."""
    parts = [part for part in re.split(r"(\d+)", name) if part]
    return tuple((0, int(part)) if part.isdigit() else (1, part) for part in parts)


def _column_of(group: str) -> str:
    head, dot, _ = group.rpartition(".")
    return head if dot and head else group


def _shared_constants(values: list[Value], truncated: set[int], groups: dict[int, str]) -> dict[int, set[str]]:
    """Return the constants not to draw (by id, with the groups they enter): those entering only
    groups, of more than one column.

    An MLP's constant 1 multiplies the bias of every neuron of every layer; drawn, it is a hub
    whose edges cross the whole picture. Inputs enter one layer only, and stay.
    """
    users: dict[int, set[str | None]] = {}
    for value in values:
        for child in _drawn_children(value, truncated):
            if isinstance(child, Constant) and id(child) not in groups:
                users.setdefault(id(child), set()).add(groups.get(id(value)))
    hidden = {}
    for key, groups_using in users.items():
        if None not in groups_using:
            names = {group for group in groups_using if group is not None}
            if len({_column_of(group) for group in names}) > 1:
                hidden[key] = names
    return hidden


def _factor_pairs(value: Value) -> list[tuple[Value, Value]]:
    """Return the pairs of operands an operation multiplies: a dot's (a_i, b_i), a product's two."""
    children = value.children
    if value.op == "dot" and len(children) % 2 == 0:
        half = len(children) // 2
        return list(zip(children[:half], children[half:]))
    if value.op == "*" and len(children) == 2:
        return [(children[0], children[1])]
    return []


def _passing(values: list[Value], truncated: set[int], groups: dict[int, str]) -> set[int]:
    """Return the ids of grouped Values from which a gradient reaches a leaf of their own group.

    A gradient passes from a Value to an operand when the local derivative there is not 0 (a
    ReLU at z <= 0 passes none). Children come before parents in ``values``, so one pass does.
    A Value whose operands are cut off (max_depth) counts as passing: nothing is known below it.
    """
    passing: set[int] = set()
    for value in values:
        group = groups.get(id(value))
        if group is None:
            continue
        if not value.children or id(value) in truncated:
            passing.add(id(value))
            continue
        try:
            local = value.local_derivatives()
        except ArithmeticError:  # a rule that refuses the point: say nothing about it
            passing.add(id(value))
            continue
        if any(
            d != 0 and groups.get(id(child)) == group and id(child) in passing
            for child, d in zip(value.children, local)
        ):
            passing.add(id(value))
    return passing


def _ports(value: Value) -> list[tuple[str, str]]:
    """Return an operation's named entry points (port, text) in display order, or [] for an oval.

    Port ``in<k>`` takes operand k (1-based). A dot's are shown in pairs, a1 b1 a2 b2 ...
    """
    children = value.children
    if value.op in _ORDER_MATTERS and len(children) == 2:
        return [("in1", "1"), ("in2", "2")]
    if value.op == "dot" and children and len(children) % 2 == 0:
        half = len(children) // 2
        ports = []
        for i in range(1, half + 1):
            ports += [(f"in{i}", f"a{i}"), (f"in{half + i}", f"b{i}")]
        return ports
    return []


# --- labels and colours ----------------------------------------------------------------------

_CELL_PADDING = 3.0  # points around a box cell's text (CELLPADDING)
_LINE_HEIGHT = 1.2  # a line of text is this many times its point size tall
_BOX_BORDER = 2.0  # a box's border, in points, for estimates (1 plain, 3 shaded)

# Advance widths of DejaVu Sans, roughly, in ems: for choosing a direction before rendering. The
# renderer sizes the boxes with the real widths.
_NARROW = frozenset(" !'(),-./:;I[]`fijlrt|")
_WIDE = frozenset("%@MWmw")


def _text_width(text: str, points: float, bold: bool = False) -> float:
    """Return the estimated width of one line of text in DejaVu Sans, in points."""
    ems = sum(0.34 if c in _NARROW else 0.95 if c in _WIDE else 0.72 if c.isupper() else 0.62 for c in text)
    return ems * points * (1.08 if bold else 1.0)


def _display_lines(text: str) -> list[str]:
    return text.replace("\r\n", "\n").replace("\r", "\n").split("\n")


def _html_text(text: str) -> str:
    """Return ``text`` as HTML-label markup that Graphviz shows literally, newlines as line breaks."""
    return "<BR/>".join(_escape_line(line) for line in _display_lines(text))


# Graphviz expands \N, \G, \L, ... (node name, graph name, ...) even inside HTML labels, and reads
# a doubled backslash as one: so every backslash is doubled to show as itself.
_ENTITIES = {
    "&": "&amp;",
    "<": "&lt;",
    ">": "&gt;",
    '"': "&quot;",
    "'": "&#39;",
    "\\": "\\\\",
    "\t": " ",
}


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


def _plain_attribute(text: str) -> str:
    """Return text for a plain (not HTML) DOT attribute such as a tooltip, shown as it is."""
    shown = "".join(ascii(c)[1:-1] if unicodedata.category(c) == "Cc" else c for c in text)
    return shown.replace("\\", "\\\\")


def _role(value: Value, root: Value) -> str:
    if value is root:
        return "root"
    if isinstance(value, Constant):
        return "constant"
    return "input" if not value.children else "intermediate"


def _value_box(value: Value, role: str, style: _Style) -> _Box:
    lines = [[_Cell(value.label)]] if value.label else []
    lines += [
        [_Cell(f"data {style.number(value.data)}")],
        [_Cell(f"grad {style.number(value.grad)}")],
    ]
    return _Box(lines, role, value.grad)


def _group_box(name: str, members: list[Value], outputs: list[Value], blocked: int, style: _Style) -> _Box:
    """Return a group's box: its name and size, its output's data and grad, and whether it is dead.

    ``blocked`` is how many of its outputs no gradient passes through to the group's leaves.
    """
    title = _Cell(name, bold=True, points=_GROUP_SIZE)
    size = _Cell(f"{len(members)} values", points=_NOTE_SIZE)
    if len(outputs) == 1:
        data = _Cell(f"data {style.number(outputs[0].data)}", points=_GROUP_SIZE)
        grad = _Cell(f"grad {style.number(outputs[0].grad)}", points=_GROUP_SIZE)
        # Stacked, the name sits beside the numbers: a column of many groups stays narrow.
        stacked, side_by_side = [[title, data], [size, grad]], [title, size, data, grad]
    else:
        stacked, side_by_side = [[title, size]], [title, size]
    dead = bool(outputs) and blocked == len(outputs)
    note = None
    if dead:
        note = _Cell("dead: no gradient passes", points=_NOTE_SIZE, colour=_DEAD_COLOUR)
    elif blocked:
        note = _Cell(
            f"no gradient passes at {blocked} of {len(outputs)} outputs",
            points=_NOTE_SIZE,
            colour=_DEAD_COLOUR,
        )
    largest = max((abs(output.grad) for output in outputs), default=0.0)
    return _Box(stacked, "group", largest, note, dead, side_by_side)


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


class _Style:
    """Formats numbers and builds the HTML labels and edge styles of one drawing."""

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
        if abs(x) < 10.0**-self.precision or abs(x) >= 1e9:
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

    def box(self, rows: list[list[_Cell]], role: str, grad: float, dead: bool = False) -> str:
        """Return a box's HTML label: rows of cells, ruled between rows and between cells."""
        colours = ROLE_COLOURS[role]
        if self.grad_shading:
            position = self.shade(grad)
            fill, border, width, dark = _ramp(position), colours.border, 3, position > _DARK_SHADE
        else:
            fill, border, width, dark = (
                (_DEAD_FILL if dead else colours.fill),
                colours.border,
                1,
                False,
            )
        font = "#ffffff" if dark else "#000000"
        span = max(len(row) for row in rows)
        body = "<HR/>".join(_table_row(row, span, font, dark) for row in rows)
        dashed = ' STYLE="dashed"' if dead else ""
        return (
            f'<<TABLE BORDER="{width}" CELLBORDER="0" CELLSPACING="0" '
            f'CELLPADDING="{_CELL_PADDING:g}" '
            f'COLOR="{border}" BGCOLOR="{fill}"{dashed}>{body}</TABLE>>'
        )

    def weight_edge(self, weight: Value, largest_grad: float) -> dict[str, str]:
        """Return the attributes of an edge through ``weight``: colour by sign, width by |grad|.

        Width and opacity grow in proportion to |grad|, up to the largest of the drawing's weights.
        """
        sign = "positive" if weight.data > 0 else "negative" if weight.data < 0 else "zero"
        share = abs(weight.grad) / largest_grad if largest_grad > 0 else 0.0
        thinnest, thickest = _EDGE_WIDTHS
        width = thinnest + (thickest - thinnest) * share
        opacity = round(255 * (_EDGE_OPACITY + (1 - _EDGE_OPACITY) * share))
        name = weight.label or "weight"
        return {
            "color": f"{WEIGHT_COLOURS[sign]}{opacity:02x}",
            "penwidth": f"{width:.2f}",
            "arrowsize": "0.4",
            "tooltip": _plain_attribute(f"{name} = {self.number(weight.data)}, grad {self.number(weight.grad)}"),
        }


def _table_row(cells: list[_Cell], span: int, font: str, dark: bool) -> str:
    """Return one row of a box: cells ruled apart, the last one spanning what the row lacks."""
    parts = []
    for position, cell in enumerate(cells):
        extra = span - len(cells) if position == len(cells) - 1 else 0
        colspan = f' COLSPAN="{extra + 1}"' if extra else ""
        if dark and cell.colour is not None:  # on a dark shade, every text is white
            cell = _Cell(cell.text, cell.bold, cell.points)
        parts.append(f"<TD{colspan}>{cell.markup(font)}</TD>")
    return f"<TR>{'<VR/>'.join(parts)}</TR>"


def _ramp(position: float) -> str:
    """Return the colour at ``position`` (0 to 1) along the gradient-shading ramp, as #rrggbb."""
    scaled = position * (len(_SHADE_STOPS) - 1)
    lower = min(int(scaled), len(_SHADE_STOPS) - 2)
    fraction = scaled - lower
    start, end = _SHADE_STOPS[lower], _SHADE_STOPS[lower + 1]
    rgb = (round(a + (b - a) * fraction) for a, b in zip(start, end, strict=True))
    return "#" + "".join(f"{channel:02x}" for channel in rgb)


def _ported_label(symbol: str, ports: list[tuple[str, str]], rankdir: str) -> str:
    """Return an operation's HTML label with named entry ports, on the side its operands enter."""
    font = f'<FONT POINT-SIZE="{_PORT_SIZE:g}" COLOR="{_MORE_COLOUR}">'
    cells = [f'<TD PORT="{port}">{font}{text}</FONT></TD>' for port, text in ports]
    span = "ROWSPAN" if _flows_horizontally(rankdir) else "COLSPAN"
    centre = f'<TD {span}="{len(cells)}"><FONT POINT-SIZE="10">{_html_text(symbol)}</FONT></TD>'
    first, rest = cells[0], "".join(f"<TR>{cell}</TR>" for cell in cells[1:])
    rows = {
        "LR": f"<TR>{first}{centre}</TR>{rest}",
        "RL": f"<TR>{centre}{first}</TR>{rest}",
        "TB": f"<TR>{''.join(cells)}</TR><TR>{centre}</TR>",
        "BT": f"<TR>{centre}</TR><TR>{''.join(cells)}</TR>",
    }[rankdir]
    return (
        f'<<TABLE BORDER="1" CELLBORDER="0" CELLSPACING="0" CELLPADDING="2" STYLE="ROUNDED" '
        f'BGCOLOR="{_OP_FILL}" COLOR="#495057">{rows}</TABLE>>'
    )


def _legend(drawing: _Drawing) -> tuple[str, float, float]:
    """Return the legend's HTML label and estimated size: a swatch and a line per thing shown."""
    style = drawing.style
    width = 3 if style.grad_shading else 1
    rows: list[tuple[str, str]] = []  # (swatch cell, text)
    for role, colours in ROLE_COLOURS.items():
        if role in drawing.roles:
            fill = "#ffffff" if style.grad_shading else colours.fill
            rows.append(
                (
                    f'<TD BORDER="{width}" COLOR="{colours.border}" BGCOLOR="{fill}" WIDTH="24"> </TD>',
                    colours.name,
                )
            )
    if drawing.has_dead:
        group = ROLE_COLOURS["group"]
        rows.append(
            (
                f'<TD BORDER="1" STYLE="dashed" COLOR="{group.border}" BGCOLOR="{_DEAD_FILL}" WIDTH="24"> </TD>',
                "dead: no gradient passes",
            )
        )
    if drawing.has_weights:
        for sign, text in (("positive", "edge: weight > 0"), ("negative", "edge: weight < 0")):
            line = (
                f'<TABLE BORDER="0" CELLPADDING="0" CELLSPACING="0">'
                f'<TR><TD BGCOLOR="{WEIGHT_COLOURS[sign]}" '
                f'WIDTH="24" HEIGHT="3" FIXEDSIZE="TRUE"></TD></TR></TABLE>'
            )
            rows.append((f"<TD>{line}</TD>", text))
        largest = style.number(drawing.largest_weight_grad)
        rows.append(("", f"edge width: |grad| of its\nweight (widest {largest})"))
    for number, users in drawing.hidden_constants.items():
        rows.append(("", f"not drawn: constant {number}\ninto {len(users)} groups"))
    if drawing.has_ports:
        rows.append(("", "dot = a1*b1 + a2*b2 + ..."))
    lines = []
    for swatch, text in rows:
        span = 4 if swatch else 5
        cell = f'<TD ALIGN="LEFT" BALIGN="LEFT" COLSPAN="{span}">{_html_text(text)}</TD>'
        lines.append(f"<TR>{swatch}{cell}</TR>")
    texts = [line for _, text in rows for line in _display_lines(text)]
    if style.grad_shading:
        swatches = []
        for step in range(5):
            position = step / 4
            magnitude = style.low * (style.high / style.low) ** position
            font = "#ffffff" if position > _DARK_SHADE else "#000000"
            swatches.append(f'<TD BGCOLOR="{_ramp(position)}"><FONT COLOR="{font}">{magnitude:.0e}</FONT></TD>')
        lines.append('<TR><TD COLSPAN="5" ALIGN="LEFT">fill: |grad|, log scale</TD></TR>')
        lines.append(f"<TR>{''.join(swatches)}</TR>")
        texts += ["fill: |grad|, log scale", "1e-04 " * 5]
    label = (
        f'<<TABLE BORDER="1" CELLBORDER="0" CELLSPACING="2" CELLPADDING="2" COLOR="#ced4da">'
        f'<TR><TD COLSPAN="5"><B>legend</B></TD></TR>{"".join(lines)}</TABLE>>'
    )
    text_width = max((_text_width(text, 9.0) for text in texts), default=30.0)
    return label, text_width + 40, (len(texts) + 1) * (9.0 * _LINE_HEIGHT + 6)


# --- checks and files ------------------------------------------------------------------------


def _check_options(
    root: object,
    rankdir: str,
    precision: int,
    grad_range: tuple[float, float],
    max_depth: int | None,
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
    if max_nodes is not None and (isinstance(max_nodes, bool) or not isinstance(max_nodes, int) or max_nodes < 1):
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
