"""Tests for engine.drawing: graph (drawing) and render (finding and running a dot program).

Every rendered picture is checked by parsing the SVG as XML: which nodes and edges exist, what
text they hold, what colour they are. By default the renderer is the pip-installed graphviz-pure,
found with the venv's bin directory removed from PATH, which is also how a script run with a
non-activated venv's python finds it.
"""

from __future__ import annotations

import math
import os
import platform
import re
import shutil
import stat
import subprocess
import sys
import sysconfig
import textwrap
import xml.etree.ElementTree as ET
from pathlib import Path

import graphviz
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import engine
from engine import Constant, Value, draw_graph, render_svg
from engine.drawing import render as render_module
from engine.drawing.graph import MAX_NODES, ROLE_COLOURS, ComputationGraph
from engine.drawing.render import ENV_VAR, RendererNotFoundError, RenderError, find_renderer
from engine.files import NotAFileError

SVG = "{http://www.w3.org/2000/svg}"
POSIX_ONLY = pytest.mark.skipif(os.name == "nt", reason="fake renderers are shell scripts")
# The platforms graphviz-pure publishes wheels for (the environment markers in pyproject.toml).
PIP_RENDERER_PLATFORM = (sys.platform, platform.machine()) in {
    ("linux", "x86_64"),
    ("linux", "aarch64"),
    ("darwin", "x86_64"),
    ("darwin", "arm64"),
    ("win32", "AMD64"),
    ("win32", "ARM64"),
}


# --- helpers ---------------------------------------------------------------------------------


def venv_bin_dirs() -> set[str]:
    """Return the directories that hold this interpreter's console scripts."""
    return {os.path.normcase(d) for d in render_module.interpreter_script_dirs()}


def path_without_venv() -> str:
    """Return PATH without this interpreter's scripts directories (as when a venv is not activated)."""
    kept = [d for d in os.environ.get("PATH", "").split(os.pathsep) if os.path.normcase(d) not in venv_bin_dirs()]
    return os.pathsep.join(kept)


@pytest.fixture
def pip_renderer(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> str:
    """Make graphviz-pure the renderer found: no LOSSGRAD_DOT, no system dot, venv not on PATH."""
    if not PIP_RENDERER_PLATFORM:
        pytest.skip(f"graphviz-pure publishes no wheel for {sys.platform}/{platform.machine()}")
    monkeypatch.delenv(ENV_VAR, raising=False)
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    return find_renderer()


@pytest.fixture
def no_renderer(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Make every renderer search fail: empty PATH, no LOSSGRAD_DOT, no scripts directory with one."""
    monkeypatch.delenv(ENV_VAR, raising=False)
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    monkeypatch.setattr(render_module, "interpreter_script_dirs", lambda: [str(empty)])


def fake_program(directory: Path, name: str, script: str = "exit 0") -> Path:
    """Return the path of a new executable shell script."""
    directory.mkdir(parents=True, exist_ok=True)
    program = directory / name
    program.write_text(f"#!/bin/sh\n{script}\n")
    program.chmod(0o755)
    return program


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)


def svg_nodes(svg: str) -> dict[str, ET.Element]:
    """Return the SVG's node groups by their DOT node id."""
    return {g.findtext(f"{SVG}title", default=""): g for g in parse(svg).iter(f"{SVG}g") if g.get("class") == "node"}


def svg_edges(svg: str) -> list[tuple[str, str]]:
    """Return the SVG's edges as (tail id, head id), in drawing order."""
    edges = []
    for g in parse(svg).iter(f"{SVG}g"):
        if g.get("class") == "edge":
            tail, head = g.findtext(f"{SVG}title", default="").split("->")
            edges.append((tail, head))
    return edges


def texts(group: ET.Element) -> list[str]:
    """Return the text lines drawn in an SVG group, with Graphviz's no-break spaces as spaces."""
    return [(t.text or "").replace("\xa0", " ") for t in group.iter(f"{SVG}text")]


def fill(group: ET.Element) -> str:
    """Return the fill colour of the first filled shape of an SVG group."""
    for shape in group:
        if shape.tag in (f"{SVG}polygon", f"{SVG}ellipse", f"{SVG}path") and shape.get("fill") not in (None, "none"):
            return shape.get("fill", "")
    raise AssertionError("no filled shape in the group")


def lightness(colour: str) -> int:
    return sum(int(colour[i : i + 2], 16) for i in (1, 3, 5))


def dot_statements(source: str) -> list[str]:
    """Return the node ids and edges of DOT source, without attributes."""
    return [line.split(" [")[0].strip() for line in source.splitlines()[4:-1]]


def small_graph() -> tuple[Value, Value, Value]:
    """Return a, b and d = tanh(a * b + 1) after backward."""
    a, b = Value(2.0, label="a"), Value(-0.25, label="b")
    c = a * b + 1
    d = c.tanh()
    d.backward()
    return a, b, d


def mse_and_bce_at(p_target: float) -> tuple[Value, Value]:
    """Return the logits of MSE-through-sigmoid and BCE graphs at p = p_target, after backward."""
    logit_mse = Value(math.log(p_target / (1 - p_target)), label="logit")
    mse = (logit_mse.sigmoid() - 1.0) ** 2
    mse.backward()
    logit_bce = Value(math.log(p_target / (1 - p_target)), label="logit")
    bce = -(logit_bce.sigmoid().log())
    bce.backward()
    return mse, bce


# --- structure, labels, colours --------------------------------------------------------------


def test_each_value_is_one_box_and_each_operation_one_oval(pip_renderer: str) -> None:
    a, b, d = small_graph()
    svg = render_svg(d, legend=False)
    nodes = svg_nodes(svg)
    # a, b, a*b, the constant 1, a*b + 1, tanh: six values; *, +, tanh: three operations.
    assert sorted(nodes) == sorted(["v0", "v1", "v2", "v3", "v4", "v5", "v2_op", "v4_op", "v5_op"])
    assert sorted(svg_edges(svg)) == sorted(
        [
            ("v0", "v2_op"),
            ("v1", "v2_op"),
            ("v2_op", "v2"),
            ("v2", "v4_op"),
            ("v3", "v4_op"),
            ("v4_op", "v4"),
            ("v4", "v5_op"),
            ("v5_op", "v5"),
        ]
    )
    assert texts(nodes["v0"]) == ["a", "data 2.0000", f"grad {a.grad:.4f}"]
    assert texts(nodes["v1"]) == ["b", "data -0.2500", f"grad {b.grad:.4f}"]
    assert texts(nodes["v3"]) == ["data 1.0000", f"grad {d.children[0].grad:.4f}"]
    assert texts(nodes["v5"]) == ["data 0.4621", "grad 1.0000"]
    assert [texts(nodes[op]) for op in ("v2_op", "v4_op", "v5_op")] == [["*"], ["+"], ["tanh"]]


def test_boxes_are_coloured_by_role(pip_renderer: str) -> None:
    _, _, d = small_graph()
    nodes = svg_nodes(render_svg(d, legend=False))
    assert fill(nodes["v0"]) == fill(nodes["v1"]) == ROLE_COLOURS["input"].fill
    assert fill(nodes["v3"]) == ROLE_COLOURS["constant"].fill
    assert fill(nodes["v2"]) == fill(nodes["v4"]) == ROLE_COLOURS["intermediate"].fill
    assert fill(nodes["v5"]) == ROLE_COLOURS["root"].fill
    assert len({role.fill for role in ROLE_COLOURS.values()}) == len(ROLE_COLOURS)


def test_the_legend_names_the_roles_present_only(pip_renderer: str) -> None:
    x = Value(3.0, label="x")
    y = x.exp()
    nodes = svg_nodes(render_svg(y))
    legend_text = texts(nodes["legend"])
    assert "input / parameter" in legend_text and "output (root)" in legend_text
    assert "constant" not in legend_text and "intermediate" not in legend_text
    shaded = texts(svg_nodes(render_svg(y, grad_shading=True))["legend"])
    assert "fill: |grad|, log scale" in shaded and "1e-04" in shaded and "1e+01" in shaded


def test_a_leaf_alone_is_one_box_and_the_root() -> None:
    graph = draw_graph(Value(5.0, label="alone"), legend=False)
    assert dot_statements(graph.source) == ["v0"]
    assert ROLE_COLOURS["root"].fill in graph.source


def test_precision_and_tiny_numbers() -> None:
    x = Value(2.0, label="x")
    y = (x * 1e-7).tanh()
    y.backward()
    source = draw_graph(y, precision=2, legend=False).source
    assert "data 2.00<" in source
    assert "grad 1.0e-07<" in source  # below 10**-precision: scientific, not 0.00
    assert "data 0.0000" in draw_graph(-(Value(0.0)), legend=False).source  # -0.0 is shown as 0


def test_rankdir_reaches_the_dot_source() -> None:
    _, _, d = small_graph()
    assert "rankdir=TB" in draw_graph(d, rankdir="TB").source
    assert "rankdir=LR" in draw_graph(d).source


# --- n-ary nodes and operand order -----------------------------------------------------------


def test_sum_and_dot_are_one_operation_each_with_edges_in_operand_order() -> None:
    xs = [Value(float(i), label=f"x{i}") for i in range(3)]
    total = engine.sum([*xs, 2.5])
    assert dot_statements(draw_graph(total, legend=False).source) == [
        "v0",
        "v1",
        "v2",
        "v3",
        "v4",
        "v4_op",
        "v4_op -> v4",
        "v0 -> v4_op",
        "v1 -> v4_op",
        "v2 -> v4_op",
        "v3 -> v4_op",
    ]
    w = [Value(0.5, label="w0"), Value(-1.0, label="w1")]
    product = engine.dot(w, xs[:2])
    statements = dot_statements(draw_graph(product, legend=False).source)
    assert statements.count("v4_op") == 1 and statements[-4:] == [
        "v0 -> v4_op",
        "v1 -> v4_op",
        "v2 -> v4_op",
        "v3 -> v4_op",
    ]


def test_operands_of_non_commutative_ops_enter_numbered_ports(pip_renderer: str) -> None:
    a, b = Value(1.0, label="a"), Value(2.0, label="b")
    statements = dot_statements(draw_graph(b - a, legend=False).source)
    # b was reached first (it is the first operand), so it is v0.
    assert statements[-2:] == ["v0 -> v2_op", "v1 -> v2_op"]
    for root in (b - a, b / a, b**a):
        svg = render_svg(root, legend=False)
        assert sorted(svg_edges(svg)) == [("v0", "v2_op:in1"), ("v1", "v2_op:in2"), ("v2_op", "v2")]
        assert texts(svg_nodes(svg)["v2_op"]) == ["1", root.op, "2"]
    for rankdir in ("TB", "RL", "BT"):
        assert 'PORT="in2"' in draw_graph(b / a, rankdir=rankdir).source
    assert "headport" not in draw_graph(b + a).source + draw_graph(b * a).source
    assert "headport=in2" in draw_graph(b**2).source  # a number exponent is the second operand


# --- determinism -----------------------------------------------------------------------------

BUILD_GRAPH = textwrap.dedent("""
    import engine
    from engine import Value

    def build():
        x = Value(0.5, label="x"); w = Value(-1.5, label="w")
        h = engine.dot([x, w, 2.0], [w, x, x]).sigmoid()
        loss = (h - 1) ** 2 + engine.sum([h, x, 3.0]).log()
        loss.backward()
        return engine.draw_graph(loss, grad_shading=True, local_derivatives=True)
""")


def test_same_graph_gives_byte_identical_dot_across_builds_and_processes() -> None:
    namespace: dict[str, object] = {}
    exec(BUILD_GRAPH, namespace)  # defines build()
    sources = [namespace["build"]().source for _ in range(2)]  # type: ignore[operator]
    for seed in ("1", "2"):
        completed = subprocess.run(
            [sys.executable, "-c", BUILD_GRAPH + "\nprint(build().source, end='')"],
            capture_output=True,
            text=True,
            check=True,
            env={**os.environ, "PYTHONHASHSEED": seed},
        )
        sources.append(completed.stdout)
    assert len(set(sources)) == 1
    assert sources[0].startswith("digraph {") and "v11_op" in sources[0]


def test_drawing_twice_gives_the_same_dot_and_changes_nothing() -> None:
    a, b, d = small_graph()
    grads = [a.grad, b.grad, d.grad]
    first = draw_graph(d, local_derivatives=True).source
    assert draw_graph(d, local_derivatives=True).source == first
    assert [a.grad, b.grad, d.grad] == grads


# --- escaping --------------------------------------------------------------------------------

TRICKY_LABELS = [
    "quote \" and ' apostrophe",
    "braces {a} | pipe <port> and <b>bold</b>",
    r"back\slash \N \G \L \n \\ end\\",
    "new\nline\r\nand\rCR",
    '"] ; injected -> v0 [label="x"',
    "&amp; &#60; &lt; entities",
    "tab\tand \x1b escape \x00 nul",
    "unicode \u03c3 \u2202 \u00e9",
]


@pytest.mark.parametrize("label", TRICKY_LABELS)
def test_labels_render_as_their_text_and_change_no_structure(pip_renderer: str, label: str) -> None:
    x = Value(1.0, label=label)
    y = x * 2
    y.label = label
    svg = render_svg(y, legend=False)
    nodes = svg_nodes(svg)
    assert sorted(nodes) == ["v0", "v1", "v2", "v2_op"]
    assert len(svg_edges(svg)) == 3
    expected = label.replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ")
    expected = expected.replace("\x1b", "\\x1b").replace("\x00", "\\x00")
    for node in ("v0", "v2"):
        assert texts(nodes[node])[:-2] == expected.split("\n")


@settings(max_examples=40, deadline=None)
@given(st.text(st.characters(exclude_categories=["Cs"]), max_size=20))
def test_any_label_keeps_the_graph_shape_and_valid_xml(label: str) -> None:
    # Hypothesis and function fixtures do not mix, so the pip renderer is found by its full path.
    if not PIP_RENDERER_PLATFORM:
        return
    program = shutil.which(render_module.PIP_RENDERER, path=sysconfig.get_path("scripts"))
    assert program is not None, "graphviz-pure must be installed in this interpreter's environment"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(ENV_VAR, program)
        svg = render_svg(Value(-1.0, label=label) + Value(3.0), legend=False)
    assert sorted(svg_nodes(svg)) == ["v0", "v1", "v2", "v2_op"]
    assert len(svg_edges(svg)) == 3
    if label and label.isprintable() and label.strip() == label and "  " not in label:
        assert texts(svg_nodes(svg)["v0"])[0] == label


def test_group_names_are_escaped_too() -> None:
    x = Value(1.0, label="x")
    source = draw_graph(x.exp(), collapse=lambda v: "<g> & \\N").source
    assert "&lt;g&gt; &amp; \\\\N" in source


# --- gradient shading ------------------------------------------------------------------------


def test_shading_shows_the_vanishing_gradient_of_mse_through_a_sigmoid(pip_renderer: str) -> None:
    mse, bce = mse_and_bce_at(0.011)
    mse_nodes = svg_nodes(render_svg(mse, grad_shading=True, legend=False))
    bce_nodes = svg_nodes(render_svg(bce, grad_shading=True, legend=False))
    # The logit is v0 in both graphs; its gradient is -0.0215 under MSE and -0.989 under BCE.
    assert texts(mse_nodes["v0"])[-1] == "grad -0.0215" and texts(bce_nodes["v0"])[-1] == "grad -0.9890"
    assert lightness(fill(mse_nodes["v0"])) > lightness(fill(bce_nodes["v0"]))
    # The scale is absolute: both roots have grad 1 and the same colour.
    root = max(mse_nodes, key=lambda n: (not n.endswith("_op"), int(re.sub(r"\D", "", n))))
    bce_root = max(bce_nodes, key=lambda n: (not n.endswith("_op"), int(re.sub(r"\D", "", n))))
    assert fill(mse_nodes[root]) == fill(bce_nodes[bce_root]) != ROLE_COLOURS["root"].fill


def test_shading_runs_from_white_to_dark_and_keeps_roles_on_the_border() -> None:
    x = Value(1.0, label="x")
    y = x * 0.0  # x.grad becomes 0: a dead gradient is white
    y.backward()
    source = draw_graph(y, grad_shading=True, grad_range=(1e-3, 1.0), legend=False).source
    x_line = next(line for line in source.splitlines() if line.strip().startswith("v0 "))
    assert 'BGCOLOR="#ffffff"' in x_line and f'COLOR="{ROLE_COLOURS["input"].border}"' in x_line
    root_line = next(line for line in source.splitlines() if line.strip().startswith("v2 "))
    assert 'BGCOLOR="#990000"' in root_line  # |grad| = 1 at the top of the range: darkest


# --- local derivatives -----------------------------------------------------------------------


def test_edges_carry_the_local_derivatives(pip_renderer: str) -> None:
    a, b = Value(3.0, label="a"), Value(2.0, label="b")
    q = a / b
    square = a * a
    out = q + square
    out.backward()
    grads = {v.label: v.grad for v in (a, b)}
    svg = render_svg(out, local_derivatives=True, legend=False)
    labels: dict[str, list[list[str]]] = {}
    for g in parse(svg).iter(f"{SVG}g"):
        if g.get("class") == "edge":
            labels.setdefault(g.findtext(f"{SVG}title", default=""), []).append(texts(g))
    # d(a/b)/da = 1/b = 0.5, d(a/b)/db = -a/b² = -0.75 (into the division's numbered entries);
    # a*a uses a twice: 2a = 6 on its first edge.
    assert labels["v0->v2_op:in1"] == [["0.5000"]]
    assert labels["v1->v2_op:in2"] == [["-0.7500"]]
    assert sorted(labels["v0->v3_op"]) == [[], ["6.0000 (sum of 2 uses)"]]
    assert labels["v2->v4_op"] == [["1.0000"]] and labels["v3->v4_op"] == [["1.0000"]]
    assert labels["v2_op->v2"] == [[]]
    assert {v.label: v.grad for v in (a, b)} == grads  # drawing leaves the grads alone


def test_an_infinite_local_derivative_is_written_undefined() -> None:
    root = Value(0.0, label="x").sqrt()
    assert "label=<undefined>" in draw_graph(root, local_derivatives=True).source


# --- large graphs: depth limit, collapsing ---------------------------------------------------


def test_a_ten_thousand_value_graph_draws() -> None:
    value = Value(0.1, label="x")
    for _ in range(9_999):
        value = value.tanh()
    source = draw_graph(value, legend=False).source
    statements = dot_statements(source)
    assert sum(1 for s in statements if re.fullmatch(r"v\d+", s)) == 10_000
    assert sum(1 for s in statements if "->" in s) == 2 * 9_999


def test_a_five_thousand_node_graph_renders(pip_renderer: str) -> None:
    values = [Value(float(i), label=f"x{i}") for i in range(1_250)]
    total = engine.sum([v.relu() for v in values])
    svg = render_svg(total, legend=False)
    assert len(svg_nodes(svg)) == 1_250 * 3 + 2  # leaves, relu results, relu ops, sum and its op
    assert len(svg_edges(svg)) == 1_250 * 3 + 1


def test_max_depth_cuts_the_graph_and_marks_the_cut(pip_renderer: str) -> None:
    value = Value(0.3, label="x")
    for _ in range(5):
        value = value.exp() * 0.5
    svg = render_svg(value, max_depth=2, legend=False)
    nodes = svg_nodes(svg)
    value_boxes = [n for n in nodes if re.fullmatch(r"v\d+", n)]
    # root (depth 0), exp result and constant 0.5 (depth 1), the exp's operand (depth 2).
    assert len(value_boxes) == 4
    more = [n for n in nodes if n.endswith("_more")]
    assert len(more) == 1 and texts(nodes[more[0]]) == ["more"]
    assert draw_graph(value, max_depth=0, legend=False).source.count("_more") == 2  # node + edge
    assert len(dot_statements(draw_graph(value, max_depth=100).source)) == len(dot_statements(draw_graph(value).source))


def test_max_depth_uses_the_shortest_path_to_a_shared_value() -> None:
    x = Value(1.0, label="x")
    deep = x.exp().exp().exp()
    root = deep + x  # x is 1 step away along one path and 4 along the other
    source = draw_graph(root, max_depth=1, legend=False).source
    assert ">x<" in source
    assert source.count("_more [") == 1  # only the exp chain is cut


def neuron(name: str, inputs: list[Value], groups: dict[int, str]) -> Value:
    """Return tanh(w·x + b) with nn-style labels, recording each new Value's group in groups."""
    weights = [Value(0.1 * (i + 1), label=f"{name}.w{i}") for i in range(len(inputs))]
    bias = Value(0.2, label=f"{name}.b")
    z = engine.dot([bias, *weights], [1.0, *inputs])
    z.label = f"{name}.z"
    out = z.tanh()
    out.label = name
    for v in (*weights, bias, z, out):
        groups[id(v)] = name
    return out


def test_collapse_draws_each_group_as_one_box_with_its_output(pip_renderer: str) -> None:
    groups: dict[int, str] = {}
    xs = [Value(0.5, label="x0"), Value(-1.0, label="x1")]
    hidden = [neuron(f"L0.N{j}", xs, groups) for j in range(3)]
    out = neuron("L1.N0", hidden, groups)
    loss = (out - 1.0) ** 2
    loss.backward()
    svg = render_svg(loss, collapse=lambda v: groups.get(id(v)), legend=False)
    nodes = svg_nodes(svg)
    group_ids = sorted(n for n in nodes if n.startswith("g"))
    assert len(group_ids) == 4
    by_name = {texts(nodes[g])[0]: texts(nodes[g]) for g in group_ids}
    # Stacked (the drawing runs left to right): the name beside data, its size beside grad.
    assert by_name["L1.N0"] == ["L1.N0", f"data {out.data:.4f}", "6 values", f"grad {out.grad:.4f}"]
    assert by_name["L0.N1"][0] == "L0.N1" and by_name["L0.N1"][2] == "5 values"  # w0, w1, b, z, out
    edges = svg_edges(svg)
    assert len(edges) == len(set(edges))  # one edge per pair of boxes
    output_id = next(g for g in group_ids if texts(nodes[g])[0] == "L1.N0")
    into_output = [tail for tail, head in edges if head == output_id]
    assert len(into_output) == 4  # three hidden neurons and the constant 1.0 feed L1.N0
    assert fill(nodes[group_ids[0]]) == ROLE_COLOURS["group"].fill


def test_collapse_with_nn_neuron_of() -> None:
    import nn  # the drawing knows nothing of nn; nn hands it a function

    model = nn.MLP(2, [3, 1], activation="tanh", seed=0)
    prediction = model([0.5, -1.0])
    assert isinstance(prediction, Value)
    loss = (prediction - 1.0) ** 2
    source = draw_graph(loss, collapse=nn.neuron_of).source
    assert len(re.findall(r"^\tg\d+ \[", source, flags=re.M)) == 4
    assert "<B>L0.N2</B>" in source and "<B>L1.N0</B>" in source


def test_collapse_and_max_depth_combine() -> None:
    groups: dict[int, str] = {}
    xs = [Value(0.5, label="x0"), Value(-1.0, label="x1")]
    out = neuron("L1.N0", [neuron(f"L0.N{j}", xs, groups) for j in range(2)], groups)
    statements = dot_statements(draw_graph(out, collapse=lambda v: groups.get(id(v)), max_depth=0).source)
    assert statements == ["g0_more", "g0_more -> g0", "g0", "legend"]
    deeper = dot_statements(draw_graph(out, collapse=lambda v: groups.get(id(v)), max_depth=3, legend=False).source)
    assert "g0" in deeper and "g1" in deeper and any(s.endswith("_more") for s in deeper)


def test_collapse_must_return_a_name_or_none() -> None:
    with pytest.raises(TypeError, match=r"draw_graph: collapse must return a group name \(str\) or None, got int"):
        draw_graph(Value(1.0).exp(), collapse=lambda v: 3)  # type: ignore[arg-type, return-value]


# --- render_svg and files --------------------------------------------------------------------


def test_render_svg_writes_the_same_text_whole(pip_renderer: str, tmp_path: Path) -> None:
    _, _, d = small_graph()
    target = tmp_path / "graph.svg"
    target.write_text("old")
    svg = render_svg(d, target)
    assert target.read_text(encoding="utf-8") == svg
    assert svg.startswith("<?xml") and "graphviz-pure" in svg
    assert sorted(p.name for p in tmp_path.iterdir()) == ["empty-bin", "graph.svg"]


@POSIX_ONLY
def test_a_failing_renderer_writes_nothing_and_reports_its_stderr(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    failing = fake_program(tmp_path / "bin", "broken-dot", 'echo "Error: syntax error in line 1" >&2; exit 3')
    monkeypatch.setenv(ENV_VAR, str(failing))
    target = tmp_path / "out" / "graph.svg"
    target.parent.mkdir()
    target.write_text("previous picture")
    with pytest.raises(RenderError, match=r"exited with status 3: Error: syntax error in line 1") as caught:
        render_svg(Value(1.0), target)
    assert caught.value.returncode == 3 and "syntax error" in caught.value.stderr
    assert target.read_text() == "previous picture"
    assert [p.name for p in target.parent.iterdir()] == ["graph.svg"]


def test_render_svg_writes_svg_only_and_checks_the_path_before_rendering(no_renderer: None, tmp_path: Path) -> None:
    # With no renderer to be found, each refusal below shows it came before the renderer search.
    for name in ("graph.png", "graph", "graph.svg.bak"):
        path = tmp_path / name
        with pytest.raises(
            ValueError,
            match=re.escape(
                f"render_svg: path must end in .svg, since render_svg writes SVG, got '{path}'; for "
                "another format, write the bytes of draw_graph(root).pipe(format=...) with "
                "engine.files.write_bytes"
            ),
        ):
            render_svg(Value(1.0), path)
    with pytest.raises(FileNotFoundError, match=r"the folder .* does not exist"):
        render_svg(Value(1.0), tmp_path / "missing" / "graph.svg")
    with pytest.raises(RendererNotFoundError):
        render_svg(Value(1.0), tmp_path / "GRAPH.SVG")  # the extension's case does not matter
    assert sorted(p.name for p in tmp_path.iterdir()) == ["empty-bin"]


@POSIX_ONLY
def test_render_svg_never_replaces_a_fifo_or_a_device(no_renderer: None, tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe.svg")
    paths = [(tmp_path / "pipe.svg", "a FIFO (named pipe)", stat.S_ISFIFO)]
    try:  # a /dev/full of our own (major 1, minor 7): replacing the real one would harm the machine
        os.mknod(tmp_path / "full.svg", stat.S_IFCHR | 0o666, os.makedev(1, 7))
        paths.append((tmp_path / "full.svg", "a character device", stat.S_ISCHR))
    except PermissionError:
        pass  # only root may make device nodes; the FIFO shows the same refusal
    for path, kind, is_still in paths:
        with pytest.raises(NotAFileError, match=re.escape(f"'{path}' is {kind}, not a regular")):
            render_svg(Value(1.0), path)
        assert is_still(os.lstat(path).st_mode)


@POSIX_ONLY
def test_render_svg_writes_through_a_symlink_and_keeps_the_mode(pip_renderer: str, tmp_path: Path) -> None:
    real = tmp_path / "real.svg"
    real.write_text("old")
    real.chmod(0o640)
    link = tmp_path / "graph.svg"
    link.symlink_to("real.svg")
    svg = render_svg(Value(1.0, label="x"), link)
    assert link.is_symlink() and real.read_text(encoding="utf-8") == svg
    assert stat.S_IMODE(real.stat().st_mode) == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == ["empty-bin", "graph.svg", "real.svg"]


def test_render_svg_replaces_a_file_whole_or_not_at_all(
    pip_renderer: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "graph.svg"
    target.write_text("previous picture")

    def full_disk(source: str, destination: str) -> None:
        raise OSError(28, "No space left on device", source, None, destination)

    monkeypatch.setattr(os, "replace", full_disk)
    with pytest.raises(OSError, match=re.escape(f"No space left on device: '{target}'")):
        render_svg(Value(1.0), target)
    assert target.read_text() == "previous picture"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["empty-bin", "graph.svg"]


@POSIX_ONLY
@pytest.mark.parametrize(
    ("prints", "problem"),
    [
        (
            r"printf '<svg>\377</svg>'",
            "printed output that is not UTF-8 text (byte 0xff at offset 5), so not SVG",
        ),
        ("echo 'digraph is fine'", "printed no SVG (its output starts 'digraph is fine\\n')"),
        ("true", "printed nothing"),
    ],
)
def test_renderer_output_that_is_not_svg_is_a_render_error_before_any_file_is_written(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, prints: str, problem: str
) -> None:
    program = fake_program(tmp_path / "bin", "odd-dot", f"cat > /dev/null; {prints}")
    monkeypatch.setenv(ENV_VAR, str(program))
    target = tmp_path / "graph.svg"
    target.write_text("previous picture")
    with pytest.raises(RenderError) as caught:
        render_svg(Value(1.0), target)
    assert str(caught.value) == (
        f"run_renderer: {program} exited with status 0 but {problem}; is it a dot-compatible "
        f"program? ({ENV_VAR} chooses the renderer)"
    )
    assert caught.value.executable == str(program) and caught.value.returncode == 0
    assert target.read_text() == "previous picture"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bin", "graph.svg"]
    with pytest.raises(RenderError):  # the Jupyter display goes through the same check
        draw_graph(Value(1.0))._repr_mimebundle_()


def long_chain(length: int) -> Value:
    value = Value(0.1, label="x")
    for _ in range(length - 1):
        value = value.tanh()
    return value


def test_a_drawing_above_max_nodes_is_refused_with_a_hint_and_no_renderer_run(
    no_renderer: None,
) -> None:
    root = long_chain(3_000)
    graph = draw_graph(root, legend=False)
    assert graph.node_count == 3_000 + 2_999 > MAX_NODES  # boxes and tanh operations
    refusals = {
        "render_svg": (lambda: render_svg(root, legend=False), "or pass max_nodes=None"),
        "render_svg ": (lambda: render_svg(graph), "or pass max_nodes=None"),
        "pipe": (lambda: graph.pipe(format="png"), "or set graph.max_nodes = None"),
        "pipe ": (lambda: graph._repr_mimebundle_(), "or set graph.max_nodes = None"),
    }
    for where, (attempt, lift) in refusals.items():
        with pytest.raises(ValueError) as caught:
            attempt()
        assert str(caught.value) == (
            f"{where.strip()}: the drawing has 5,999 nodes, more than max_nodes=5,000, and "
            "laying out a graph that size can take minutes; draw less of it with "
            "draw_graph(root, max_depth=...) or draw groups of Values as one box with "
            f"collapse=... (nn.neuron_of draws each neuron as one), {lift}"
        )
    # Lifting the limit reaches the renderer, which this fixture has hidden.
    with pytest.raises(RendererNotFoundError):
        render_svg(graph, max_nodes=None)
    graph.max_nodes = None
    with pytest.raises(RendererNotFoundError):
        graph.pipe()
    assert draw_graph(root).max_nodes == MAX_NODES  # the setting belongs to that one graph


def test_max_nodes_is_settable_and_checked(no_renderer: None) -> None:
    small = draw_graph(Value(1.0).exp(), legend=False)  # x, exp and its operation
    assert small.node_count == 3
    with pytest.raises(ValueError, match="render_svg: the drawing has 3 nodes, more than max_node"):
        render_svg(small, max_nodes=2)
    with pytest.raises(RendererNotFoundError):
        render_svg(small, max_nodes=3)
    with pytest.raises(RendererNotFoundError):
        render_svg("digraph { a -> b -> c }", max_nodes=1)  # DOT text is the renderer's to judge
    for bad in (0, -1, 2.5, True, "10"):
        with pytest.raises(
            ValueError, match=re.escape(f"render_svg: max_nodes must be None or an int >= 1, got {bad!r}")
        ):
            render_svg(small, max_nodes=bad)  # type: ignore[arg-type]


def test_node_count_is_the_number_of_nodes_rendered(pip_renderer: str) -> None:
    _, _, d = small_graph()
    drawings = [draw_graph(d), draw_graph(d, max_depth=1), draw_graph(d, collapse=lambda v: "all")]
    for graph in drawings:
        assert graph.node_count == len(svg_nodes(render_svg(graph)))


def test_render_svg_accepts_digraphs_and_dot_text_and_rejects_the_rest(pip_renderer: str) -> None:
    _, _, d = small_graph()
    graph = draw_graph(d)
    assert render_svg(graph) == render_svg(d)
    assert len(svg_nodes(render_svg("digraph { a -> b }"))) == 2
    assert len(svg_nodes(render_svg(graphviz.Digraph(body=["\ta -> b -> c\n"])))) == 3
    with pytest.raises(TypeError, match="render_svg: drawing options \\(legend\\) apply only to a Value"):
        render_svg(graph, legend=False)
    with pytest.raises(TypeError, match="render_svg: graph must be a Value, a graphviz graph or DOT text, got int"):
        render_svg(3)  # type: ignore[arg-type]


# --- finding the renderer --------------------------------------------------------------------


def test_the_pip_renderer_is_found_when_the_venv_is_not_on_path(monkeypatch: pytest.MonkeyPatch) -> None:
    if not PIP_RENDERER_PLATFORM:
        pytest.skip(f"graphviz-pure publishes no wheel for {sys.platform}/{platform.machine()}")
    monkeypatch.delenv(ENV_VAR, raising=False)
    # The user's PATH minus the venv, and minus any system dot (which would rightly win).
    kept = [d for d in path_without_venv().split(os.pathsep) if shutil.which("dot", path=d) is None]
    monkeypatch.setenv("PATH", os.pathsep.join(kept))
    program = find_renderer()
    assert os.path.normcase(os.path.dirname(program)) in venv_bin_dirs()
    assert os.path.basename(program).startswith("graphviz-pure")


def test_a_script_run_with_a_non_activated_venv_python_renders(tmp_path: Path) -> None:
    if not PIP_RENDERER_PLATFORM:
        pytest.skip(f"graphviz-pure publishes no wheel for {sys.platform}/{platform.machine()}")
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", ENV_VAR)}
    env["PATH"] = str(tmp_path)  # nothing: no system dot, no venv
    script = "import engine; print(engine.render_svg(engine.Value(2.0, label='x').exp()), end='')"
    completed = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True)
    assert "graphviz-pure" in completed.stdout and ">x<" in completed.stdout


@POSIX_ONLY
def test_search_order_env_var_then_system_dot_then_graphviz_pure(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    system_dot = fake_program(tmp_path / "system", "dot")
    pure_on_path = fake_program(tmp_path / "pipx", "graphviz-pure")
    chosen = fake_program(tmp_path / "mine", "my-dot")
    monkeypatch.setattr(render_module, "interpreter_script_dirs", lambda: [str(tmp_path / "nowhere")])
    monkeypatch.setenv("PATH", os.pathsep.join(str(tmp_path / d) for d in ("pipx", "system")))
    monkeypatch.setenv(ENV_VAR, str(chosen))
    assert find_renderer() == str(chosen)
    monkeypatch.setenv(ENV_VAR, "my-dot")  # a command name is looked up on PATH
    monkeypatch.setenv("PATH", os.pathsep.join(str(tmp_path / d) for d in ("mine", "pipx", "system")))
    assert find_renderer() == str(chosen)
    monkeypatch.delenv(ENV_VAR)
    assert find_renderer() == str(system_dot)  # a system dot beats graphviz-pure even later on PATH
    monkeypatch.setenv("PATH", str(tmp_path / "pipx"))
    assert find_renderer() == str(pure_on_path)
    monkeypatch.setenv("PATH", str(tmp_path / "nowhere"))
    in_scripts = fake_program(tmp_path / "venv-bin", "graphviz-pure")
    monkeypatch.setattr(render_module, "interpreter_script_dirs", lambda: [str(tmp_path / "venv-bin")])
    assert find_renderer() == str(in_scripts)


def test_a_wrong_env_var_is_an_error_not_a_silent_fallback(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv(ENV_VAR, str(tmp_path / "no-such-dot"))
    with pytest.raises(RendererNotFoundError, match=f"find_renderer: {ENV_VAR} is set to .*no-such-dot"):
        find_renderer()


def test_no_renderer_error_says_how_to_fix_it_and_source_still_works(no_renderer: None, tmp_path: Path) -> None:
    _, _, d = small_graph()
    target = tmp_path / "graph.svg"
    with pytest.raises(RendererNotFoundError) as caught:
        render_svg(d, target)
    message = str(caught.value)
    for fix in ("pip install graphviz-pure", "apt-get install graphviz", "brew install graphviz", ENV_VAR, ".source"):
        assert fix in message
    assert isinstance(caught.value, RuntimeError)
    assert not target.exists()
    assert dot_statements(draw_graph(d).source)[:2] == ["v0", "v1"]
    with pytest.raises(RendererNotFoundError):
        draw_graph(d)._repr_mimebundle_()


@pytest.mark.skipif(shutil.which("dot") is None, reason="needs a system Graphviz dot on PATH")
def test_a_system_dot_renders_the_same_structure(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ENV_VAR, raising=False)
    _, _, d = small_graph()
    svg = render_svg(d, legend=False)
    assert "graphviz-pure" not in svg
    assert len(svg_nodes(svg)) == 9 and len(svg_edges(svg)) == 8


# --- the returned Digraph: Jupyter and pipe --------------------------------------------------


def test_jupyter_display_is_inline_svg_through_the_same_search(pip_renderer: str) -> None:
    _, _, d = small_graph()
    graph = draw_graph(d)
    assert isinstance(graph, graphviz.Digraph) and isinstance(graph, ComputationGraph)
    bundle = graph._repr_mimebundle_()
    assert list(bundle) == ["image/svg+xml"]
    assert bundle["image/svg+xml"] == graph._repr_svg_() == render_svg(graph)
    assert "graphviz-pure" in bundle["image/svg+xml"]
    assert graph.pipe(format="png")[:8] == b"\x89PNG\r\n\x1a\n"
    copy = graph.copy()
    assert isinstance(copy, ComputationGraph) and copy.source == graph.source


# --- argument checks -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        (
            {"rankdir": "XY"},
            ValueError,
            "draw_graph: rankdir must be one of auto, LR, RL, TB, BT, got 'XY'",
        ),
        ({"precision": -1}, ValueError, "draw_graph: precision must be an int in [0, 17], got -1"),
        ({"precision": 2.5}, ValueError, "draw_graph: precision must be an int in [0, 17], got 2.5"),
        ({"grad_range": (1.0, 0.1)}, ValueError, "draw_graph: grad_range must be (small, large) with 0 < small <"),
        ({"max_depth": -1}, ValueError, "draw_graph: max_depth must be None or an int >= 0, got -1"),
    ],
)
def test_bad_options_are_refused_with_their_name(kwargs: dict[str, object], error: type, message: str) -> None:
    with pytest.raises(error, match=re.escape(message)):
        draw_graph(Value(1.0), **kwargs)  # type: ignore[arg-type]


def test_root_must_be_a_value() -> None:
    with pytest.raises(TypeError, match=re.escape("draw_graph: root must be a Value, got float 1.5")):
        draw_graph(1.5)  # type: ignore[arg-type]
    assert isinstance(Constant(2.0), Value)


def test_render_svg_ends_a_notebook_cell_as_the_picture_not_its_text(tmp_path: Path) -> None:
    svg = engine.render_svg(engine.Value(2.0, label="x").exp(), tmp_path / "x.svg")
    assert isinstance(svg, str) and svg.lstrip().startswith("<?xml")  # still the text for code that wants it
    assert repr(svg) == f"SVG({len(svg)} characters, written to {str(tmp_path / 'x.svg')!r})"
    interactiveshell = pytest.importorskip("IPython.core.interactiveshell")
    formats, _ = interactiveshell.InteractiveShell.instance().display_formatter.format(svg)
    assert formats["image/svg+xml"] == str(svg)
    assert formats["text/plain"] == repr(svg)
