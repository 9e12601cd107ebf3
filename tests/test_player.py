"""The step-through page without a browser: what it embeds is exactly what the engine computed.

The page's data is read back out of the written HTML (the ``page-data`` element) and compared with
a fresh run of the engine on the same graph: every step's node, arriving gradient, local
derivatives, contributions and running sums, at every position of the slider. The page's script
is tested in Chromium by test_player_browser.py.
"""

from __future__ import annotations

import html
import json
import math
import re
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

import engine
from engine import Constant, Value
from engine.drawing.graph import node_names
from engine.drawing.player import (
    Panel,
    Slider,
    StepThrough,
    Toggle,
    format_number,
    gradient_stop,
    step_through,
)

REPOSITORY = Path(__file__).resolve().parent.parent


# ---------------------------------------------------------------------------- graphs


def post_loss(z_value: float = -4.5, y: float = 1.0) -> Value:
    """Return squared error through the sigmoid, (σ(z) - y)², with z and p labelled."""
    z = Value(z_value, label="z")
    p = z.sigmoid()
    p.label = "p"
    loss = (p - y) ** 2
    loss.label = "loss"
    return loss


def clipped_cross_entropy(z_value: float, y: float) -> Value:
    """Return the post's BCE on p = σ(z), p clipped to [1e-15, 1 − 1e-15], of engine operations."""
    z = Value(z_value, label="z")
    p = z.sigmoid()
    p.label = "p"
    q = p.clip(1e-15, 1 - 1e-15)
    loss = -(y * q.log() + (1 - y) * (1 - q).log())
    loss.label = "loss"
    return loss


def shared_operands() -> Value:
    """Return a graph where one leaf has five uses: x * x, + x, and both sides of a dot node."""
    x = Value(0.5, label="x")
    w = Value(-1.5, label="w")
    hidden = engine.dot([w, x], [x, 2.0]).tanh()
    out = x * x + x + hidden * w
    out.label = "out"
    return out


def sigmoid_of(root: Value) -> Value:
    """Return the sigmoid node of root's graph."""
    return next(value for value in node_names(root) if value.op == "sigmoid")


def compare_panels(z: float, y: float) -> list[Panel]:
    """Return the two panels that step together: squared error and cross-entropy at (z, y)."""
    panels = []
    for title, build in (("squared error", post_loss), ("cross-entropy", clipped_cross_entropy)):
        loss = build(z, y)
        panels.append(Panel(loss, title=title, highlight=sigmoid_of(loss), note="σ′(z) = p(1 − p) = {factor}"))
    return panels


# ---------------------------------------------------------------------------- reading the page


def embedded(page: StepThrough | Path) -> dict:
    """Return the JSON a page (or a page's file) carries, read from its HTML as a browser would."""
    text = page.read_text("utf-8") if isinstance(page, Path) else page.html()
    match = re.search(r'<script type="application/json" id="page-data">(.*?)</script>', text, re.S)
    assert match is not None
    return json.loads(match.group(1))


def expected_position(root: Value) -> dict:
    """Return what the page should hold for root's graph: a fresh backward_steps(), replayed."""
    names = node_names(root)
    number = {value: index for index, value in enumerate(names)}
    steps = root.backward_steps()
    running = {value: 0.0 for value in names}
    running[root] = 1.0
    rows = []
    for step in steps:
        sums = []
        for child, contribution in zip(step.node.children, step.contributions):
            if step.added:
                running[child] = running[child] + contribution
            sums.append(running[child])
        rows.append(
            [
                number[step.node],
                step.grad,
                list(step.local_derivatives),
                list(step.contributions),
                sums,
                step.added,
            ]
        )
    return {"data": [v.data for v in names], "grad": [running[v] for v in names], "steps": rows}


# ---------------------------------------------------------------------------- the numbers


@pytest.mark.parametrize("build", [post_loss, shared_operands, lambda: clipped_cross_entropy(-4.5, 1.0)])
def test_the_embedded_steps_are_the_engines_steps_exactly(build: Callable[[], Value]) -> None:
    page = step_through(build())
    (position,) = embedded(page)["positions"]
    (shown,) = position
    expected = expected_position(build())
    assert shown["steps"] == expected["steps"]  # node, grad, derivatives, contributions, sums, added
    assert shown["data"] == expected["data"]
    assert shown["grad"] == expected["grad"]


def test_the_replayed_gradients_are_the_ones_backward_leaves() -> None:
    root = shared_operands()
    page = step_through(root)
    (position,) = embedded(page)["positions"]
    assert position[0]["grad"] == [value.grad for value in node_names(root)]
    # x is used five times: its running sum is the engine's partial sums, ending at x.grad.
    x = next(value for value in node_names(root) if value.label == "x")
    steps = position[0]["steps"]
    nodes = embedded(page)["panels"][0]["layouts"][0]["nodes"]
    index_of_x = list(node_names(root)).index(x)
    partial = [
        sums[slot]
        for node, _, _, _, sums, _ in steps
        for slot, child in enumerate(nodes[node]["children"])
        if child == index_of_x
    ]
    assert len(partial) == 5 and partial[-1] == x.grad
    assert len(set(partial)) == 5  # each use adds something: five different partial sums


def test_the_forward_order_is_the_order_of_creation() -> None:
    root = shared_operands()
    page = step_through(root)
    data = embedded(page)
    forward = data["panels"][0]["layouts"][0]["forward"]
    steps = data["positions"][0][0]["steps"]
    assert forward == [node for node, *_ in reversed(steps)]
    nodes = data["panels"][0]["layouts"][0]["nodes"]
    assert sorted(forward) == [i for i, node in enumerate(nodes) if node["children"]]


def test_nodes_below_a_dead_unit_still_appear_in_the_forward_order_before_their_users() -> None:
    x = Value(-2.0, label="x")
    root = (x * 3.0).relu().exp() + x
    page = step_through(root)
    data = embedded(page)
    forward = data["panels"][0]["layouts"][0]["forward"]
    nodes = data["panels"][0]["layouts"][0]["nodes"]
    steps = data["positions"][0][0]["steps"]
    assert len(forward) == 4 and len(steps) == 3  # backward stops at the dead relu, above the product
    for rank, node in enumerate(forward):
        assert all(child not in forward[rank:] for child in nodes[node]["children"])


def test_the_structure_is_stored_once_and_the_numbers_per_position() -> None:
    grid = [-6.0, -4.5, 0.0, 2.0]
    page = step_through(compare_panels, slider=Slider("z", grid, start=-4.5), toggle=Toggle("y", (0, 1), start=1))
    data = embedded(page)
    assert page.positions == len(data["positions"]) == 8
    assert [axis["values"] for axis in data["axes"]] == [grid, [0, 1]]
    assert data["start"] == [1, 1]
    assert page.html().count("<svg") == 2  # one drawing per graph, whatever the number of positions
    for i, z in enumerate(grid):
        for j, y in enumerate((0, 1)):
            for shown, panel in zip(data["positions"][i * 2 + j], compare_panels(z, y)):
                expected = expected_position(panel.root)
                assert shown["steps"] == expected["steps"] and shown["data"] == expected["data"]
                factor = sigmoid_of(panel.root).local_derivatives()  # σ′(z) = p(1 − p)
                assert shown["factor"] == list(factor)


def test_a_slider_start_outside_the_grid_is_added_to_it() -> None:
    page = step_through(lambda z: post_loss(z), slider=Slider("z", [-1.0, 1.0], start=0.25))
    data = embedded(page)
    assert data["axes"][0]["values"] == [-1.0, 0.25, 1.0] and data["start"] == [1]
    assert data["axes"][0]["shown"] == ["-1", "0.25", "1"]


def branching(z_value: float) -> Value:
    """Return a graph whose operations depend on the number: exp(z) below 0, tanh(z) * 2 above."""
    z = Value(z_value, label="z")
    return z.exp() if z_value < 0 else z.tanh() * 2.0


def test_a_graph_is_drawn_once_per_structure_it_takes() -> None:
    page = step_through(branching, slider=Slider("z", [-2.0, -1.0, 1.0, 2.0], start=-1.0))
    data = embedded(page)
    layouts = data["panels"][0]["layouts"]
    assert [[node["op"] for node in layout["nodes"]] for layout in layouts] == [
        ["", "exp"],
        ["", "tanh", "", "*"],
    ]
    assert [position[0]["layout"] for position in data["positions"]] == [0, 0, 1, 1]
    assert page.html().count("<svg") == 2
    for z, (shown,) in zip([-2.0, -1.0, 1.0, 2.0], data["positions"]):
        expected = expected_position(branching(z))
        assert shown["steps"] == expected["steps"] and shown["grad"] == expected["grad"]


def test_every_point_must_give_as_many_graphs() -> None:
    def build(z: float) -> list[Value]:
        return [post_loss(z)] * (1 if z < 0 else 2)

    with pytest.raises(ValueError, match=r"step_through: the function built 2 graphs at z = 1 but 1 at z = -1"):
        step_through(build, slider=Slider("z", [-1.0, 1.0], start=-1.0))


def test_wrong_arguments_are_named() -> None:
    with pytest.raises(TypeError, match="step_through: with a slider or toggle, graphs must be a function"):
        step_through(post_loss(), slider=Slider("z", [0.0]))
    with pytest.raises(TypeError, match="step_through: a function for graphs needs a slider or a toggle"):
        step_through(post_loss)
    with pytest.raises(ValueError, match=r"step_through: toggle 'y': start must be one of its values"):
        step_through(lambda y: post_loss(0.0, y), toggle=Toggle("y", (0, 1), start=2))
    with pytest.raises(ValueError, match=r"step_through: slider 'z': values must be finite numbers, got nan"):
        step_through(lambda z: post_loss(z), slider=Slider("z", [0.0, math.nan]))
    with pytest.raises(ValueError, match=r"step_through: precision must be an int in \[0, 17\], got 20"):
        step_through(post_loss(), precision=20)
    with pytest.raises(TypeError, match="step_through: each graph must be a Value or a Panel, got float"):
        step_through([post_loss(), 1.5])  # type: ignore[list-item]
    with pytest.raises(
        ValueError,
        match="step_through: graph 1's highlight is not a node of its graph at the point",
    ):
        step_through(Panel(post_loss(), highlight=Value(1.0)))


# ------------------------------------------------------------------------ where the gradient stops


def test_a_clip_outside_its_bounds_is_named_where_it_stops_the_gradient() -> None:
    page = step_through(lambda z: clipped_cross_entropy(z, 0.0), slider=Slider("z", [-4.5, 40.0], start=40.0))
    data = embedded(page)
    stopped, flowing = data["positions"][1][0], data["positions"][0][0]
    assert flowing["stops"] == []
    ((step, reason),) = stopped["stops"]
    node = stopped["steps"][step][0]
    assert data["panels"][0]["layouts"][0]["nodes"][node]["op"] == "clip"
    assert reason == "clip's input (1) is outside [1e-15, 1 − 1e-15] here: no gradient passes below it"
    z = data["panels"][0]["layouts"][0]["nodes"].index(
        next(n for n in data["panels"][0]["layouts"][0]["nodes"] if n["label"] == "z")
    )
    assert stopped["grad"][z] == 0.0 and flowing["grad"][z] != 0.0


@pytest.mark.parametrize(
    ("build", "expected"),
    [
        (
            lambda: Value(-0.3, label="a").relu() * 2.0,
            "relu's input (-0.3) is not positive: a dead unit: no gradient passes below it",
        ),
        (
            lambda: abs(Value(0.0)) + 1.0,
            "abs is at 0, where its derivative is taken as 0: no gradient passes below it",
        ),
        (
            lambda: Value(40.0).sigmoid() * 2.0,
            "the sigmoid is saturated (σ = 1, so σ(1 − σ) is 0 in floats): no gradient passes below it",
        ),
    ],
)
def test_gradient_stop_says_why_no_gradient_passes(build: Callable[[], Value], expected: str) -> None:
    reasons = [gradient_stop(step) for step in build().backward_steps()]
    assert reasons == [None, expected]


def test_gradient_stop_is_none_where_the_gradient_passes_or_is_merely_zero() -> None:
    y = Value(1.0)
    root = (y - 1.0) * Value(3.0, label="w")  # the product's gradient reaches y - 1 as 3 × 1, its own is 0
    assert [gradient_stop(step) for step in root.backward_steps()] == [None, None]


# ---------------------------------------------------------------------------- the page


def test_the_page_is_self_contained() -> None:
    text = step_through(compare_panels, slider=Slider("z", [-4.5, 0.0]), toggle=Toggle("y")).html()
    assert re.search(r"https?:", text) is None  # not even an XML namespace: nothing to fetch
    assert re.search(r"""\b(?:src|href)\s*=""", text) is None
    assert "<style>" in text and "<script>" in text and 'id="page-data"' in text


def test_the_drawing_is_marked_up_for_the_script() -> None:
    root = shared_operands()
    page = step_through(root)
    data = embedded(page)
    svg = data["panels"][0]["layouts"][0]["svg"]
    nodes = data["panels"][0]["layouts"][0]["nodes"]
    for i, node in enumerate(nodes):
        assert f'data-node="{i}"' in svg
        for slot in range(len(node["children"])):
            assert svg.count(f'data-edge="{i}:{slot}"') == 1  # x * x: each use of x has its own edge
        if node["children"]:
            assert f'data-op="{i}"' in svg
    assert svg.count('data-field="data"') == svg.count('data-field="grad"') == len(nodes)
    assert "<title>" not in svg and "<?xml" not in svg


def test_the_numbers_are_written_as_the_page_writes_them() -> None:
    assert format_number(-0.0214936, 4) == "-0.0215"
    assert format_number(2.15e-7, 4) == "2.150e-07"
    assert format_number(-0.0, 4) == "0.0000"
    assert format_number(1.03125, 4) == "1.0313"  # an exact half rounds away from zero, as toFixed does
    assert format_number(9.99996e-5, 4) == "1.000e-04"
    assert format_number(3.5e12, 2) == "3.5e+12"
    assert format_number("inf", 4) == "inf"


def test_the_page_object_displays_saves_and_has_a_short_repr(tmp_path: Path) -> None:
    page = step_through(
        compare_panels,
        slider=Slider("z", [-4.5, 0.0]),
        toggle=Toggle("y", (0, 1)),
        title="MSE vs BCE",
    )
    assert re.fullmatch(
        r"StepThrough\('MSE vs BCE', 2 graphs, 3 \+ \d+ backward steps, 4 positions, \d+ KB\)",
        repr(page),
    )
    frame = page._repr_html_()
    assert frame.startswith('<iframe srcdoc="') and html.escape(page.html(), quote=True) in frame
    written = page.save(tmp_path / "player.html")
    assert written.read_text(encoding="utf-8") == page.html()
    assert page.panels == 2 and page.positions == 4 and page.build_seconds > 0


def test_the_benchmark_runs(capsys: pytest.CaptureFixture[str]) -> None:
    sys.path.insert(0, str(REPOSITORY))
    from benchmarks import player as benchmark

    assert benchmark.main(["--nodes", "30", "--big", "300", "--repeats", "1"]) == 0
    printed = capsys.readouterr().out
    assert printed.count("step-through page of") == 2 and "backward_steps()" in printed


def test_constants_and_leaf_roots_are_drawn_and_stepped() -> None:
    leaf = Value(2.0, label="x")
    page = step_through(leaf)
    ((position,),) = embedded(page)["positions"]
    assert position["steps"] == [] and position["grad"] == [1.0]
    assert embedded(page)["panels"][0]["layouts"][0]["forward"] == []
    root = Value(1.5, label="a") * 2.0
    data = embedded(step_through(root))
    assert [node["role"] for node in data["panels"][0]["layouts"][0]["nodes"]] == [
        "input",
        "constant",
        "root",
    ]
    assert isinstance(next(v for v in node_names(root) if not v.label and not v.children), Constant)


# ---------------------------------------------------------------------------- lossgrad graph --html


def test_graph_compare_writes_a_page_where_both_losses_step_together(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from demos.cli import main
    from demos.graph import LOGIT_GRID, build_loss_graph

    path = tmp_path / "compare.html"
    assert main(["graph", "--compare", "--logit", "-4.5", "--label", "1", "--html", str(path)]) == 0
    printed = capsys.readouterr().out
    assert "<svg" not in printed and f"wrote the step-through page to {path}" in printed
    data = embedded(path)
    assert [axis["name"] for axis in data["axes"]] == ["z", "y"]
    z_axis, y_axis = data["axes"]
    assert z_axis["values"] == sorted({*LOGIT_GRID, -4.5}) and y_axis["values"] == [0, 1]
    start = data["start"][0] * 2 + data["start"][1]
    assert data["axes"][0]["values"][data["start"][0]] == -4.5 and data["start"][1] == 1
    for key, panel, shown in zip(("mse", "bce"), data["panels"], data["positions"][start]):
        loss, z = build_loss_graph(key, -4.5, 1)
        sigmoid = sigmoid_of(loss)
        (layout,) = panel["layouts"]
        leaf = next(i for i, node in enumerate(layout["nodes"]) if node["label"] == "z")
        assert shown["grad"][leaf] == z.grad  # the page's dL/dz is the engine's, exactly
        highlighted = layout["nodes"][layout["highlight"]]
        assert highlighted["op"] == "sigmoid" and "{factor}" in panel["note"]
        assert shown["factor"] == list(sigmoid.local_derivatives())  # σ′(z) = p(1 − p)


def test_graph_at_a_clipped_point_says_so_in_the_terminal_and_on_the_page(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from demos.cli import main

    path = tmp_path / "bce.html"
    assert main(["graph", "bce", "--logit", "40", "--label", "0", "--html", str(path)]) == 0
    reason = "clip's input (1) is outside [1e-15, 1 − 1e-15] here: no gradient passes below it"
    assert f"bce: {reason}" in capsys.readouterr().out
    data = embedded(path)
    start = data["start"][0] * 2 + data["start"][1]
    assert [stop[1] for stop in data["positions"][start][0]["stops"]] == [reason]


def test_graph_html_takes_every_loss_and_an_expression(tmp_path: Path) -> None:
    from demos.cli import main
    from demos.registry import BINARY_LOSSES

    for key in BINARY_LOSSES:
        assert main(["graph", key, "--html", str(tmp_path / f"{key}.html")]) == 0
    # Focal loss's operations depend on the label and on the sign of z: one drawing for each.
    focal = embedded(tmp_path / "focal.html")
    layouts = {position[0]["layout"] for position in focal["positions"]}
    assert len(focal["panels"][0]["layouts"]) == len(layouts) > 1
    path = tmp_path / "expr.html"
    expression = ["--expr", "(sigmoid(z) - 1) ** 2", "--var", "z=-4.5"]
    assert main(["graph", *expression, "--html", str(path)]) == 0
    assert "(sigmoid(z) - 1) ** 2" in path.read_text("utf-8")
