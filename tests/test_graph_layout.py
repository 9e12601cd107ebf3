"""Tests that drawings stay readable: direction, text that fits its boxes, networks drawn by layer.

Each property is checked on the rendered SVG (parsed as XML), and where it is about what a person
sees, in a real viewer: text widths are measured with DejaVu Sans's own metrics, in headless
Chromium, and in the pixels librsvg (Debian's SVG renderer, ``rsvg-convert``) draws. The browser
and librsvg checks are skipped where those programs are missing.
"""

from __future__ import annotations

import math
import os
import re
import shutil
import subprocess
import tempfile
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

import pytest

import engine
import nn
from engine import Constant, Value, draw_graph, render_svg
from engine.drawing.graph import COLUMN_WIDTH, FONT, FONT_FAMILY, ROLE_COLOURS, WEIGHT_COLOURS

SVG = "{http://www.w3.org/2000/svg}"
PX_PER_PT = 4 / 3  # an SVG's pt sizes are shown at 96 px per inch
TOLERANCE = 0.5  # points a text may reach past its cell: the renderers round positions


# --- graphs ----------------------------------------------------------------------------------


def bce_graph(logit: float = -4.5, label: float = 1.0) -> Value:
    """Return binary cross-entropy on a clipped sigmoid of a logit z, after backward."""
    z = Value(logit, label="z")
    p = z.sigmoid()
    p.label = "p"
    clipped = p.clip(1e-7, 1 - 1e-7)
    loss = -(label * clipped.log() + (1 - label) * (1 - clipped).log())
    loss.label = "loss"
    loss.backward()
    return loss


def relu_layer(name: str, inputs: list[Value], one: Value, rows: list[list[float]]) -> list[Value]:
    """Return relu(b + w·x) per row (bias first), labelled as nn labels its neurons."""
    outputs = []
    for j, (bias, *weights) in enumerate(rows):
        prefix = f"{name}.N{j}"
        parameters = [Value(bias, label=f"{prefix}.b")]
        parameters += [Value(w, label=f"{prefix}.w{i}") for i, w in enumerate(weights)]
        z = engine.dot(parameters, [one, *inputs])
        z.label = f"{prefix}.z"
        out = z.relu()
        out.label = prefix
        outputs.append(out)
    return outputs


def neuron_of(value: Value) -> str | None:
    """Return "L0.N3" for the labels L0.N3, L0.N3.w1, L0.N3.b and L0.N3.z (as nn.neuron_of)."""
    match = re.fullmatch(r"(L\d+\.N\d+)(\.(w\d+|b|z))?", value.label)
    return match.group(1) if match else None


def small_network() -> tuple[Value, list[Value]]:
    """Return a loss through two relu layers sharing one constant 1, and the first layer's outputs.

    The first layer's N1 has a negative pre-activation at x = (1, 2): a dead ReLU, although a
    gradient reaches its output.
    """
    one = Constant(1.0)
    x = [Constant(1.0), Constant(2.0)]
    hidden = relu_layer("L0", x, one, [[0.1, 0.5, -0.25], [-1.0, -0.5, -0.5], [0.0, 0.25, 0.25]])
    (out,) = relu_layer("L1", hidden, one, [[0.5, 1.0, 2.0, 1.0]])
    loss = (out - 3.0) ** 2
    loss.backward()
    return loss, hidden


def moons_mlp_loss(points: int = 1) -> Value:
    """Return the hinge loss of an MLP(2, [16, 16, 1]) on the moons points it gets most wrong."""
    X, y = nn.make_moons(20, noise=0.1, seed=0, labels="pm1")
    model = nn.MLP(2, [16, 16, 1], seed=0)
    worst = sorted(range(len(X)), key=lambda i: model.predict([X[i]])[0] * y[i])[:points]
    scores = [s for s in model.batch([X[i] for i in worst]) if isinstance(s, Value)]
    labels = [y[i] for i in worst]
    # The hinge loss, max(0, 1 - y·score), written out so the test needs only engine and nn.
    margins = [(1.0 - s * label).relu() for s, label in zip(scores, labels)]
    loss = engine.sum(margins) / points
    loss.label = "loss"
    loss.backward()
    return loss


# --- reading the SVG -------------------------------------------------------------------------


def nodes(svg: str) -> dict[str, ET.Element]:
    root = ET.fromstring(svg)
    return {g.findtext(f"{SVG}title", default=""): g for g in root.iter(f"{SVG}g") if g.get("class") == "node"}


def edges(svg: str) -> dict[str, ET.Element]:
    root = ET.fromstring(svg)
    return {g.findtext(f"{SVG}title", default=""): g for g in root.iter(f"{SVG}g") if g.get("class") == "edge"}


def texts(group: ET.Element) -> list[str]:
    return [(t.text or "").replace("\xa0", " ") for t in group.iter(f"{SVG}text")]


def size_px(svg: str) -> tuple[float, float]:
    root = ET.fromstring(svg)
    return tuple(float(root.get(side, "0").removesuffix("pt")) * PX_PER_PT for side in ("width", "height"))  # type: ignore[return-value]


def points(element: ET.Element) -> list[tuple[float, float]]:
    return [(float(x), float(y)) for x, y in (p.split(",") for p in element.get("points", "").split())]


def bounds(element: ET.Element) -> tuple[float, float, float, float]:
    """Return (left, top, right, bottom) of a polygon."""
    xs, ys = zip(*points(element))
    return min(xs), min(ys), max(xs), max(ys)


def centre(group: ET.Element) -> tuple[float, float]:
    """Return the centre of a node's first polygon (its box)."""
    left, top, right, bottom = bounds(next(group.iter(f"{SVG}polygon")))
    return (left + right) / 2, (top + bottom) / 2


@dataclass
class Text:
    node: str
    index: int  # the text's place among its node's texts
    content: str
    x: float
    y: float
    anchor: str
    points: float
    bold: bool
    cell: tuple[float, float, float, float]  # left, top, right, bottom of the cell holding it


def boxed_texts(svg: str) -> list[Text]:
    """Return the texts of every node drawn as a box, each with the cell it must fit in.

    A box's extent is inside its border's stroke; cells are cut by its rules (the zero-width or
    zero-height polygons Graphviz draws for <VR/> and <HR/>). A vertical rule cuts only the rows
    it spans.
    """
    found = []
    for name, group in nodes(svg).items():
        outlines = [p for p in group.findall(f"{SVG}polygon") if p.get("fill") == "none" and p.get("stroke")]
        if not outlines:
            continue  # an oval or a rounded operation: no cells
        # The box's border is its largest outline (a legend's swatches have outlines too).
        border = max(outlines, key=lambda p: (bounds(p)[2] - bounds(p)[0]) * (bounds(p)[3] - bounds(p)[1]))
        half = float(border.get("stroke-width", "1")) / 2
        left, top, right, bottom = bounds(border)
        left, top, right, bottom = left + half, top + half, right - half, bottom - half
        rules = [bounds(p) for p in group.findall(f"{SVG}polygon") if p.get("fill") != "none"]
        vertical = [r for r in rules if r[2] - r[0] < 0.5 and r[3] - r[1] >= 0.5]
        horizontal = [r for r in rules if r[3] - r[1] < 0.5 and r[2] - r[0] >= 0.5]
        for index, element in enumerate(group.iter(f"{SVG}text")):
            x, y = float(element.get("x", "0")), float(element.get("y", "0"))
            size = float(element.get("font-size", "14"))
            middle = y - 0.3 * size  # about the middle of the letters, above the baseline
            above = [r[1] for r in horizontal if r[1] <= middle and r[0] <= x <= r[2]]
            below = [r[1] for r in horizontal if r[1] > middle and r[0] <= x <= r[2]]
            cell_top, cell_bottom = max([top, *above]), min([bottom, *below])
            cuts = [r[0] for r in vertical if r[1] <= middle <= r[3]]
            anchor = element.get("text-anchor", "start")
            cell_left = max([left, *(c for c in cuts if c <= x + (0.01 if anchor == "start" else 0))])
            cell_right = min([right, *(c for c in cuts if c > x + (0.01 if anchor == "start" else 0))])
            found.append(
                Text(
                    name,
                    index,
                    (element.text or "").replace("\xa0", " "),
                    x,
                    y,
                    anchor,
                    size,
                    element.get("font-weight") == "bold",
                    (cell_left, cell_top, cell_right, cell_bottom),
                )
            )
    return found


def extent(text: Text, width: float) -> tuple[float, float]:
    """Return the left and right of a text of that width drawn at its anchor."""
    if text.anchor == "middle":
        return text.x - width / 2, text.x + width / 2
    if text.anchor == "end":
        return text.x - width, text.x
    return text.x, text.x + width


# The drawings whose text must fit: shaded and plain, both directions, groups, a legend with every
# row, a dot's named ports, labels wider than their numbers.
def drawings() -> dict[str, str]:
    loss, _ = small_network()
    bce = bce_graph()
    w = [Value(0.5, label="weight number zero"), Value(-1.25, label="w1")]
    product = engine.dot(w, [Value(2.0, label="x0"), 3.0]).tanh()
    product.backward()
    return {
        "bce shaded": render_svg(bce, grad_shading=True),
        "bce TB": render_svg(bce, rankdir="TB"),
        "bce LR": render_svg(bce, rankdir="LR", local_derivatives=True),
        "network": render_svg(loss, collapse=neuron_of),
        "network shaded TB": render_svg(loss, collapse=neuron_of, grad_shading=True, rankdir="TB"),
        "dot": render_svg(product),
    }


@pytest.fixture(scope="module")
def rendered() -> dict[str, str]:
    return drawings()


# --- layout direction ------------------------------------------------------------------------


def test_auto_direction_is_the_default_and_reads_small_graphs_left_to_right() -> None:
    x = Value(2.0, label="x")
    y = x * x + 1
    y.backward()
    graph = draw_graph(y)
    assert graph.graph_attr["rankdir"] == "LR" and "rankdir=LR" in graph.source
    for rankdir in ("LR", "RL", "TB", "BT"):  # an explicit direction is kept as it is
        assert draw_graph(bce_graph(), rankdir=rankdir).graph_attr["rankdir"] == rankdir


def test_a_loss_graph_too_wide_left_to_right_is_drawn_top_to_bottom_within_the_column() -> None:
    loss = bce_graph()
    assert draw_graph(loss).graph_attr["rankdir"] == "TB"
    left_to_right, _ = size_px(render_svg(loss, rankdir="LR"))
    auto_width, _ = size_px(render_svg(loss))
    assert left_to_right > COLUMN_WIDTH >= auto_width
    shaded_width, _ = size_px(render_svg(loss, grad_shading=True))
    assert shaded_width <= COLUMN_WIDTH


@pytest.mark.parametrize("shape", ["chain", "wide sum", "bce", "network"])
def test_auto_picks_the_direction_that_needs_less_shrinking_to_fit(shape: str) -> None:
    # The choice is made from an estimate; rendered, both directions must agree with it.
    if shape == "chain":
        root = Value(0.5, label="x")
        for _ in range(30):
            root = root.tanh()
    elif shape == "wide sum":
        root = engine.sum([Value(float(i), label=f"x{i}").exp() for i in range(40)])
    elif shape == "bce":
        root = bce_graph()
    else:
        root, _ = small_network()
    collapse = neuron_of if shape == "network" else None
    chosen = draw_graph(root, collapse=collapse).graph_attr["rankdir"]
    other = "TB" if chosen == "LR" else "LR"

    def shrink(rankdir: str) -> float:
        width, _ = size_px(render_svg(root, rankdir=rankdir, collapse=collapse))
        return max(1.0, width / COLUMN_WIDTH)

    assert shrink(chosen) <= shrink(other)
    if shape == "chain":
        assert chosen == "TB"
    if shape == "wide sum":
        assert chosen == "LR"


def test_boxes_stack_their_cells_left_to_right_and_line_them_up_top_to_bottom() -> None:
    loss = bce_graph()
    for rankdir, stacked in (("LR", True), ("TB", False)):
        box = next(g for g in nodes(render_svg(loss, rankdir=rankdir)).values() if texts(g)[:1] == ["z"])
        ys = [float(t.get("y", "0")) for t in box.iter(f"{SVG}text")]
        assert texts(box) == ["z", "data -4.5000", "grad -0.9890"]
        assert (len(set(ys)) == 3) is stacked and (len(set(ys)) == 1) is not stacked


# --- text fits its box -----------------------------------------------------------------------


def test_every_text_asks_for_dejavu_sans_then_sans_serif(rendered: dict[str, str]) -> None:
    assert FONT == "DejaVu Sans" and FONT_FAMILY == "DejaVu Sans,sans-serif"
    source = draw_graph(bce_graph()).source
    assert source.count(f'fontname="{FONT}"') == 3  # graph, nodes and edges
    for svg in rendered.values():
        families = {t.get("font-family") for t in ET.fromstring(svg).iter(f"{SVG}text")}
        assert families == {FONT_FAMILY}
    graph = draw_graph(bce_graph())
    piped = graph.pipe(format="svg", encoding="utf-8")  # the Jupyter display's way
    assert f'font-family="{FONT_FAMILY}"' in piped


def dejavu_width(text: str, size: float, bold: bool) -> float:
    """Return a text's advance width in DejaVu Sans, from the font file matplotlib ships."""
    import matplotlib
    from fontTools.ttLib import TTFont

    name = "DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf"
    font = TTFont(Path(matplotlib.get_data_path()) / "fonts" / "ttf" / name)
    cmap, advances = font.getBestCmap(), font["hmtx"]
    units = sum(advances[cmap.get(ord(c), ".notdef")][0] for c in text)
    return units * size / font["head"].unitsPerEm


def test_every_text_fits_its_cell_in_dejavu_sans_metrics(rendered: dict[str, str]) -> None:
    checked = 0
    for name, svg in rendered.items():
        for text in boxed_texts(svg):
            left, right = extent(text, dejavu_width(text.content, text.points, text.bold))
            cell_left, _, cell_right, _ = text.cell
            assert cell_left - TOLERANCE <= left and right <= cell_right + TOLERANCE, (name, text)
            checked += 1
    assert checked > 100


def test_the_cell_check_finds_text_set_in_a_wider_face_than_measured() -> None:
    # Boxes measured for Helvetica (as before) cannot hold the same text in DejaVu Sans.
    svg = render_svg(draw_graph(bce_graph(), rankdir="TB").source.replace(f'"{FONT}"', "Helvetica"))
    overflowing = [
        text
        for text in boxed_texts(svg)
        if extent(text, dejavu_width(text.content, text.points, text.bold))[1] > text.cell[2] + TOLERANCE
    ]
    assert len(overflowing) > 5


def librsvg_overflow(svg: str, tmp_path: Path, program: str) -> int:
    """Return how many text pixels librsvg draws outside the cell of their text.

    Only the boxes' texts are drawn, each in one of three colours so that neighbouring cells
    differ, on white; a pixel's colour is the channel its ink leaves untouched.
    """
    import numpy as np
    from PIL import Image

    root = ET.fromstring(svg)
    graph = next(g for g in root.iter(f"{SVG}g") if g.get("class") == "graph")
    offset = [float(v) for v in re.findall(r"translate\(([-\d.]+) ([-\d.]+)\)", graph.get("transform", ""))[0]]
    cells = {(t.node, t.index): t for t in boxed_texts(svg)}
    colours = ("#ff0000", "#00ff00", "#0000ff")
    for group in list(root.iter(f"{SVG}g")) + list(root.iter(f"{SVG}a")):
        title = group.findtext(f"{SVG}title", default="")
        own_texts = list(group.iter(f"{SVG}text"))
        for child in list(group):
            if child.tag == f"{SVG}text" and group.get("class") == "node" and (title, own_texts.index(child)) in cells:
                child.set("fill", colours[own_texts.index(child) % 3])
            elif child.tag not in (f"{SVG}g", f"{SVG}title"):
                group.remove(child)
    source, picture = tmp_path / "texts.svg", tmp_path / "texts.png"
    source.write_text(ET.tostring(root, encoding="unicode"))
    zoom = 2.0
    subprocess.run([program, "-z", str(zoom), "-b", "white", "-o", str(picture), str(source)], check=True)
    deficit = 255 - np.asarray(Image.open(picture).convert("RGB")).astype(int)
    ink = deficit.max(axis=2) > 96
    assert ink.sum() > 1000  # the texts were drawn
    scale = PX_PER_PT * zoom
    inside = np.zeros(ink.shape, dtype=bool)
    for channel in range(3):
        allowed = np.zeros(ink.shape, dtype=bool)
        for text in cells.values():
            if text.index % 3 == channel:
                left, top, right, bottom = text.cell
                x0 = max(0, math.floor((left + offset[0] - TOLERANCE) * scale))
                y0 = max(0, math.floor((top + offset[1] - TOLERANCE) * scale))
                x1 = math.ceil((right + offset[0] + TOLERANCE) * scale)
                y1 = math.ceil((bottom + offset[1] + TOLERANCE) * scale)
                allowed[y0:y1, x0:x1] = True
        inside |= ink & (deficit.argmin(axis=2) == channel) & allowed
    return int((ink & ~inside).sum())


def test_every_text_fits_its_cell_in_librsvg(rendered: dict[str, str], tmp_path: Path) -> None:
    program = shutil.which("rsvg-convert")
    if program is None:
        pytest.skip("rsvg-convert (Debian's librsvg2-bin) is not installed")
    for name, svg in rendered.items():
        assert librsvg_overflow(svg, tmp_path, program) == 0, name
    # The check sees it when boxes are sized for a narrower face than librsvg draws (Helvetica's
    # widths, drawn in DejaVu Sans: how the drawings used to overflow).
    narrow = render_svg(draw_graph(bce_graph(), rankdir="TB").source.replace(f'"{FONT}"', "Helvetica"))
    assert librsvg_overflow(narrow, tmp_path, program) > 100


def chromium_overflow(driver: object, svg: str, tmp_path: Path) -> list[tuple[Text, float, float]]:
    """Return the texts Chromium draws past their cells, with the x and width it measured."""
    page = tmp_path / "drawing.html"
    page.write_text(f"<!DOCTYPE html><html><body>{svg.split('?>', 1)[1]}</body></html>")
    driver.get(page.as_uri())  # type: ignore[attr-defined]
    measured = driver.execute_script(  # type: ignore[attr-defined]
        "return Array.from(document.querySelectorAll('g.node')).map(g => ["
        "g.querySelector('title').textContent,"
        "Array.from(g.querySelectorAll('text')).map(t => {"
        " const b = t.getBBox(); return [b.x, b.width]; })]);"
    )
    boxes = {(title, index): box for title, found in measured for index, box in enumerate(found)}
    overflowing = []
    for text in boxed_texts(svg):
        x, width = boxes[text.node, text.index]
        assert width > 0, text
        if not text.cell[0] - TOLERANCE <= x <= x + width <= text.cell[2] + TOLERANCE:
            overflowing.append((text, x, width))
    return overflowing


def test_every_text_fits_its_cell_in_chromium(rendered: dict[str, str], tmp_path: Path) -> None:
    driver = chromium(tmp_path)
    try:
        for name, svg in rendered.items():
            assert chromium_overflow(driver, svg, tmp_path) == [], name
        # The check sees it when boxes are sized for a narrower face (Times) than drawn.
        times = render_svg(draw_graph(bce_graph(), rankdir="TB").source.replace(f'"{FONT}"', "Times"))
        wider = times.replace('font-family="Times"', f'font-family="{FONT_FAMILY}"')
        assert len(chromium_overflow(driver, wider, tmp_path)) > 5
    finally:
        driver.quit()  # type: ignore[attr-defined]


def chromium(tmp_path: Path) -> object:
    """Return a selenium WebDriver for a fresh headless Chromium, or skip when there is none."""
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        pytest.skip("selenium is not installed")
    browser = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
    driver_path = shutil.which("chromedriver")
    if browser is None or driver_path is None:
        if os.environ.get("CI"):
            pytest.fail("chromium and chromedriver are not on PATH (CI installs them)")
        pytest.skip("chromium and chromedriver are not on PATH")
    os.environ.setdefault("SE_AVOID_STATS", "true")  # selenium: no usage statistics, no network
    options = webdriver.ChromeOptions()
    options.binary_location = browser
    for flag in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
    ):
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={tempfile.mkdtemp(dir=tmp_path)}")
    return webdriver.Chrome(service=Service(executable_path=driver_path), options=options)


# --- collapsed networks: columns in order, no hub, weighted edges, dead units ----------------


@pytest.fixture(scope="module")
def mlp_svg() -> str:
    return render_svg(moons_mlp_loss(), collapse=nn.neuron_of)


def group_boxes(svg: str) -> dict[str, ET.Element]:
    """Return the group boxes of a drawing by their group name (their first text)."""
    return {texts(g)[0]: g for name, g in nodes(svg).items() if re.fullmatch(r"g\d+", name)}


def test_layers_are_columns_with_their_neurons_in_order(mlp_svg: str) -> None:
    boxes = group_boxes(mlp_svg)
    assert len(boxes) == 16 + 16 + 1
    columns = []
    for layer, size in (("L0", 16), ("L1", 16)):
        centres = [centre(boxes[f"{layer}.N{j}"]) for j in range(size)]
        xs = {round(x, 1) for x, _ in centres}
        ys = [y for _, y in centres]
        assert len(xs) == 1, f"{layer} is not one column"
        assert ys == sorted(ys), f"{layer}'s neurons are not in order N0, N1, ..., N15 down the column"
        columns.append(xs.pop())
    output, _ = centre(boxes["L2.N0"])
    assert columns[0] < columns[1] < output


def test_group_names_order_naturally_within_a_column() -> None:
    members = [Value(float(i), label=f"unit{i}") for i in (10, 2, 1)]
    root = engine.sum(members)
    source = draw_graph(root, collapse=lambda v: f"layer.{v.label}" if v.label else None).source
    block = source[source.index("rank=same") :]
    order = re.findall(r"\t\t(g\d+)\n", block)
    labels = {f"g{i}": name for i, name in enumerate(["unit10", "unit2", "unit1"])}
    assert [labels[g] for g in order] == ["unit1", "unit2", "unit10"]


def test_the_constant_one_shared_by_every_layer_is_not_drawn() -> None:
    loss, _ = small_network()
    svg = render_svg(loss, collapse=neuron_of)
    drawn = nodes(svg)
    constants = [g for g in drawn.values() if texts(g) and texts(g)[0] == "data 1.0000"]
    # x0 = 1 is drawn (it enters the first layer only), the shared 1 is not.
    assert len(constants) == 1
    x0 = next(name for name, g in drawn.items() if g is constants[0])
    first_layer = {name for name, g in drawn.items() if texts(g)[0].startswith("L0.")}
    assert {e.split("->")[1] for e in edges(svg) if e.startswith(f"{x0}->")} == first_layer
    legend = texts(drawn["legend"])
    assert "not drawn: constant 1.0000" in legend and "into 4 groups" in legend


def test_in_an_mlp_the_bias_input_never_fans_out_and_inputs_stay(mlp_svg: str) -> None:
    drawn = nodes(mlp_svg)
    fan_out: dict[str, int] = {}
    for title in edges(mlp_svg):
        tail = title.split("->")[0]
        fan_out[tail] = fan_out.get(tail, 0) + 1
    sources = [name for name in drawn if re.fullmatch(r"v\d+", name) and fan_out.get(name, 0) > 1]
    # Only the two inputs fan out, each to the 16 neurons of the first layer.
    assert sorted(fan_out[name] for name in sources) == [16, 16]
    assert "into 33 groups" in texts(drawn["legend"])


def test_a_single_layer_keeps_its_constant_one_as_an_input() -> None:
    model = nn.MLP(2, [4], seed=0)
    outputs = model([0.5, -1.0])
    loss = engine.sum(outputs)  # type: ignore[arg-type]
    loss.backward()
    svg = render_svg(loss, collapse=nn.neuron_of, legend=False)
    boxes = [texts(g) for name, g in nodes(svg).items() if re.fullmatch(r"v\d+", name)]
    assert ["data 1.0000", "grad 0.0000"] in boxes


def stroke(edge: ET.Element) -> tuple[str, float, float]:
    path = next(edge.iter(f"{SVG}path"))
    return (
        path.get("stroke", ""),
        float(path.get("stroke-width", "1")),
        float(path.get("stroke-opacity", "1")),
    )


def test_edges_into_groups_are_coloured_by_weight_sign_and_widened_by_its_gradient() -> None:
    one = Constant(1.0)
    x = [Value(1.0, label="x0"), Value(2.0, label="x1"), Value(-1.0, label="x2")]
    (out,) = relu_layer("L0", x, one, [[0.0, 1.0, -0.25, 0.0]])
    out.backward()
    weights = {w.label: w for w in out.children[0].children if w.label.startswith("L0.N0.w")}
    assert [abs(weights[f"L0.N0.w{i}"].grad) for i in range(3)] == [1.0, 2.0, 1.0]
    svg = render_svg(out, collapse=neuron_of)
    drawn = edges(svg)
    ids = {texts(g)[0]: name for name, g in nodes(svg).items()}
    into = {label: drawn[f"{ids[label]}->{ids['L0.N0']}"] for label in ("x0", "x1", "x2")}
    colour, width, opacity = zip(*(stroke(into[label]) for label in ("x0", "x1", "x2")))
    assert colour == (
        WEIGHT_COLOURS["positive"],
        WEIGHT_COLOURS["negative"],
        WEIGHT_COLOURS["zero"],
    )
    assert width[1] == 4.0 and width[0] == width[2] == pytest.approx(0.5 + 3.5 / 2, abs=0.01)
    assert opacity[1] == pytest.approx(1.0) and opacity[0] < 1.0
    link = into["x1"].find(f"{SVG}g/{SVG}a")
    assert link is not None
    assert link.get("{http://www.w3.org/1999/xlink}title") == "L0.N0.w1 = -0.2500, grad 2.0000"
    legend = texts(nodes(svg)["legend"])
    assert {"edge: weight > 0", "edge: weight < 0"} <= set(legend)


def test_a_weight_without_gradient_draws_the_thinnest_edge_and_other_edges_stay_plain() -> None:
    loss, _ = small_network()
    svg = render_svg(loss, collapse=neuron_of)
    ids = {texts(g)[0]: name for name, g in nodes(svg).items()}
    # L0.N1 is dead: the weight that carries it into L1.N0 gets no gradient.
    _, width, _ = stroke(edges(svg)[f"{ids['L0.N1']}->{ids['L1.N0']}"])
    assert width == 0.5
    plain = [e for title, e in edges(svg).items() if title.startswith(ids["L1.N0"] + "->")]
    assert plain and all(stroke(e)[0] == "#495057" for e in plain)  # not through a weight


def test_a_dead_relu_unit_is_marked_although_its_output_has_a_gradient() -> None:
    loss, hidden = small_network()
    assert hidden[1].grad != 0 and hidden[1].children[0].data < 0
    svg = render_svg(loss, collapse=neuron_of)
    boxes = group_boxes(svg)
    dead = boxes["L0.N1"]
    assert "dead: no gradient passes" in texts(dead) and f"grad {hidden[1].grad:.4f}" in texts(dead)
    border = [p for p in dead.findall(f"{SVG}polygon") if p.get("fill") == "none"]
    assert border[-1].get("stroke-dasharray")
    assert next(dead.iter(f"{SVG}polygon")).get("fill") != ROLE_COLOURS["group"].fill
    for alive in ("L0.N0", "L0.N2", "L1.N0"):
        assert not any("gradient passes" in t for t in texts(boxes[alive]))
    assert "dead: no gradient passes" in texts(nodes(svg)["legend"])


def test_a_unit_dead_for_some_inputs_of_a_batch_says_for_how_many() -> None:
    one = Constant(1.0)
    w = [Value(0.0, label="L0.N0.b"), Value(1.0, label="L0.N0.w0")]
    outputs = []
    for x in (1.0, -1.0, -2.0):  # relu(x): alive at 1, dead at -1 and -2
        z = engine.dot(w, [one, Constant(x)])
        z.label = "L0.N0.z"
        out = z.relu()
        out.label = "L0.N0"
        outputs.append(out)
    total = engine.sum(outputs)
    total.backward()
    box = group_boxes(render_svg(total, collapse=neuron_of, legend=False))["L0.N0"]
    assert "no gradient passes at 2 of 3 outputs" in texts(box)


def test_an_mlp_collapsed_is_drawn_readably_in_a_1000_pixel_column() -> None:
    model = nn.MLP(2, [16, 16, 1], seed=0)
    score = model([0.3, -0.2])
    assert isinstance(score, Value)
    (score - 1.0).relu().backward()
    svg = render_svg(score, collapse=nn.neuron_of)
    width, height = size_px(svg)
    assert width <= COLUMN_WIDTH and height <= 1.5 * COLUMN_WIDTH
    smallest = min(float(t.get("font-size", "0")) for t in ET.fromstring(svg).iter(f"{SVG}text"))
    assert smallest * PX_PER_PT >= 9.0  # no text under 9 px at its natural size
    for text in boxed_texts(svg):
        left, right = extent(text, dejavu_width(text.content, text.points, text.bold))
        assert text.cell[0] - TOLERANCE <= left and right <= text.cell[2] + TOLERANCE, text


# --- a dot node's operands -------------------------------------------------------------------


@pytest.mark.parametrize("rankdir", ["LR", "TB"])
def test_a_dot_names_its_entry_points_in_pairs_and_each_operand_enters_its_own(
    rankdir: str,
) -> None:
    w = [Value(0.5, label="w0"), Value(-1.5, label="w1"), Value(2.0, label="w2")]
    x = [Value(1.0, label="x0"), Value(2.0, label="x1"), Value(3.0, label="x2")]
    out = engine.dot(w, x)
    out.backward()
    svg = render_svg(out, rankdir=rankdir, legend=False)
    drawn = nodes(svg)
    ids = {texts(g)[0]: name for name, g in drawn.items() if texts(g)}
    op = next(name for name in drawn if name.endswith("_op"))
    labels = texts(drawn[op])
    assert sorted(labels) == sorted(["a1", "b1", "a2", "b2", "a3", "b3", "dot"])
    # The middle of each port's label, and the tip of each operand's arrow: the label nearest
    # the tip must be the operand's own (a_i for the i-th weight, b_i for its input).
    port_at = {}
    for t in drawn[op].iter(f"{SVG}text"):
        label, size = t.text or "", float(t.get("font-size", "0"))
        if label != "dot":
            x_middle = float(t.get("x", "0")) + dejavu_width(label, size, False) / 2
            port_at[label] = (x_middle, float(t.get("y", "0")) - 0.35 * size)
    for i in range(3):
        for operand, port in ((f"w{i}", f"a{i + 1}"), (f"x{i}", f"b{i + 1}")):
            slot = i + 1 if operand.startswith("w") else i + 4
            edge = edges(svg)[f"{ids[operand]}->{op}:in{slot}"]
            end = re.findall(r"[-\d.]+,[-\d.]+", next(edge.iter(f"{SVG}path")).get("d", ""))[-1]
            end_point = tuple(float(v) for v in end.split(","))
            arrow = points(next(edge.iter(f"{SVG}polygon")))
            tip = max(arrow, key=lambda p: math.dist(p, end_point))
            nearest = min(port_at, key=lambda name: math.dist(port_at[name], tip))
            assert nearest == port, (operand, nearest)
    assert "dot = a1*b1 + a2*b2 + ..." in texts(nodes(render_svg(out))["legend"])


def test_drawing_is_still_deterministic_and_leaves_the_graph_alone() -> None:
    loss, _ = small_network()
    before = [(v.data, v.grad) for v in (loss, *loss.children)]
    first = draw_graph(loss, collapse=neuron_of, grad_shading=True).source
    assert draw_graph(loss, collapse=neuron_of, grad_shading=True).source == first
    assert [(v.data, v.grad) for v in (loss, *loss.children)] == before
