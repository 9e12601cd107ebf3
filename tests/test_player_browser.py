"""The step-through page in a real headless Chromium: step, play, move the slider, read the numbers.

The browser is the `browser` fixture of tests/conftest.py: Debian's ``chromium`` and
``chromium-driver`` with ``selenium``, skipped outside CI when missing, a failure in CI. One
browser serves the whole module; each page is loaded from ``file://``.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pytest

from engine import Value
from engine.drawing.graph import node_names
from engine.drawing.player import Panel, Slider, Toggle, format_number, step_through

GRID = [-40.0, -6.0, -4.5, -4.25, -4.0, 0.0, 2.0, 40.0]


# ---------------------------------------------------------------------------- graphs and pages


def cross_entropy(z_value: float, y: float) -> Value:
    """Return the post's BCE on p = σ(z), p clipped to [1e-15, 1 − 1e-15]."""
    z = Value(z_value, label="z")
    p = z.sigmoid()
    p.label = "p"
    q = p.clip(1e-15, 1 - 1e-15)
    loss = -(y * q.log() + (1 - y) * (1 - q).log())
    loss.label = "loss"
    return loss


def squared_error(z_value: float, y: float) -> Value:
    z = Value(z_value, label="z")
    p = z.sigmoid()
    p.label = "p"
    loss = (p - y) ** 2
    loss.label = "loss"
    return loss


def panels(z: float, y: float) -> list[Panel]:
    built = []
    for title, make in (("squared error", squared_error), ("cross-entropy", cross_entropy)):
        loss = make(z, y)
        sigmoid = next(v for v in node_names(loss) if v.op == "sigmoid")
        built.append(Panel(loss, title=title, highlight=sigmoid, note="σ′(z) = p(1 − p) = {factor}"))
    return built


@pytest.fixture(scope="module")
def single(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Return the path of a one-graph page: BCE at z = -4.5, y = 1, plus x * x (shared operands)."""
    loss = cross_entropy(-4.5, 1.0)
    x = Value(0.5, label="x")
    root = loss + x * x
    root.label = "total"
    return step_through(root, rankdir="LR").save(tmp_path_factory.mktemp("player") / "single.html")


@pytest.fixture(scope="module")
def compare(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Return the path of the two-graph page with a slider for z and a toggle for y."""
    page = step_through(
        panels,
        slider=Slider("z", GRID, start=-4.5),
        toggle=Toggle("y", (0, 1), start=1),
        rankdir="TB",
    )
    return page.save(tmp_path_factory.mktemp("player") / "compare.html")


def load(driver: Any, path: Path, width: int = 1280, height: int = 900) -> dict[str, Any]:
    """Load the page at a viewport of width × height and return its embedded data."""
    from selenium.webdriver.support.ui import WebDriverWait

    driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 500},
    )
    driver.get(path.as_uri())
    WebDriverWait(driver, 20).until(lambda d: d.execute_script("return document.body.dataset.ready") == "true")
    return json.loads(driver.execute_script("return document.getElementById('page-data').textContent"))


# What one panel shows now: its phase and current node, the explanation's rows, the boxes' texts.
READ_PANEL = """
const panel = document.querySelectorAll('.panel')[arguments[0]];
const rows = [...panel.querySelectorAll('.explain li')].map(li => ({
  slot: Number(li.dataset.slot),
  local: li.querySelector('.local').textContent,
  upstream: li.querySelector('.upstream').textContent,
  contribution: li.querySelector('.contribution').textContent,
  running: (li.querySelector('.running') || {}).textContent || null,
}));
const fields = {};
panel.querySelectorAll('[data-node]').forEach(g => {
  const grad = g.querySelector('[data-field="grad"]');
  const data = g.querySelector('[data-field="data"]');
  fields[g.dataset.node] = [data.textContent, grad.textContent];
});
const labels = [...panel.querySelectorAll('.edge-label')].map(g => [g.dataset.edge, g.textContent]);
const now = panel.querySelector('.halo.now');
let haloHoldsCurrent = null;
if (now && panel.dataset.current !== '') {
  const box = panel.querySelector('[data-node="' + panel.dataset.current + '"]').getBBox();
  const halo = now.getBBox();
  haloHoldsCurrent = halo.x <= box.x && halo.y <= box.y && halo.x + halo.width >= box.x + box.width
    && halo.y + halo.height >= box.y + box.height;
}
const stops = panel.querySelector('.stops');
return {
  phase: panel.dataset.phase, current: panel.dataset.current, step: panel.dataset.step,
  rows, fields, labels, haloHoldsCurrent, explain: panel.querySelector('.explain').textContent,
  summary: panel.querySelector('.summary').textContent,
  stops: stops.hidden ? '' : stops.textContent,
  t: Number(document.body.dataset.t),
};
"""


def read(driver: Any, panel: int = 0) -> dict[str, Any]:
    return driver.execute_script(READ_PANEL, panel)


def press(driver: Any, key: str, times: int = 1) -> None:
    from selenium.webdriver.common.action_chains import ActionChains

    actions = ActionChains(driver)
    for _ in range(times):
        actions.send_keys(key)
    actions.perform()


def severe_errors(driver: Any) -> list[dict[str, Any]]:
    return [entry for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]


# ---------------------------------------------------------------------------- the tests


def test_stepping_follows_the_engines_order_and_shows_its_numbers(browser: Any, single: Path) -> None:
    from selenium.webdriver.common.keys import Keys

    data = load(browser, single)
    panel = data["panels"][0]["layouts"][0]
    (position,) = data["positions"]
    steps = position[0]["steps"]
    forward = panel["forward"]
    assert read(browser)["phase"] == "forward" and read(browser)["current"] == ""

    # Forward: each → computes the next operation in the engine's order, and shows its value.
    for rank, node in enumerate(forward):
        press(browser, Keys.ARROW_RIGHT)
        shown = read(browser)
        assert (shown["phase"], shown["current"]) == ("forward", str(node))
        assert shown["fields"][str(node)][0] == f"data {format_number(position[0]['data'][node])}"
        later = [n for n in forward[rank + 1 :]]
        assert all(shown["fields"][str(n)][0] == "data ·" for n in later)

    press(browser, Keys.ARROW_RIGHT)  # the backward pass starts at the root, with gradient 1
    root = next(i for i, node in enumerate(panel["nodes"]) if node["role"] == "root")
    shown = read(browser)
    assert shown["current"] == str(root) and shown["fields"][str(root)][1] == "grad 1.0000"

    # Backward: each → is the engine's next step, labelled with the engine's numbers.
    for k, (node, grad, local, contributions, sums, added) in enumerate(steps):
        press(browser, Keys.ARROW_RIGHT)
        shown = read(browser)
        assert (shown["phase"], shown["current"], shown["step"]) == ("backward", str(node), str(k))
        assert shown["haloHoldsCurrent"] is True
        children = panel["nodes"][node]["children"]
        assert [row["slot"] for row in shown["rows"]] == list(range(len(children)))
        for row in shown["rows"]:
            slot = row["slot"]
            assert row["local"] == format_number(local[slot])
            assert row["upstream"] == format_number(grad)
            assert row["contribution"] == format_number(contributions[slot])
            assert row["running"] == (format_number(sums[slot]) if added else None)
        if added:  # each operand's box shows its running sum after this step (x * x: after both uses)
            last = {child: slot for slot, child in enumerate(children)}
            for child, slot in last.items():
                assert shown["fields"][str(child)][1] == f"grad {format_number(sums[slot])}"
        expected_labels = {
            f"{node}:{slot}": f"{format_number(local[slot])} × {format_number(grad)} = "
            f"{format_number(contributions[slot])}"
            for slot in range(len(children))
        }
        assert dict(shown["labels"]) == expected_labels

    press(browser, Keys.ARROW_RIGHT)
    shown = read(browser)
    assert shown["phase"] == "done"
    for node, grad in enumerate(position[0]["grad"]):
        if node != root and any(node in panel["nodes"][s[0]]["children"] for s in steps if s[5]):
            assert shown["fields"][str(node)][1] == f"grad {format_number(grad)}"

    # ← goes back one step; Home back to the start.
    press(browser, Keys.ARROW_LEFT)
    assert read(browser)["current"] == str(steps[-1][0])
    press(browser, Keys.HOME)
    assert read(browser)["t"] == 0
    assert severe_errors(browser) == []
    assert browser.execute_script("return performance.getEntriesByType('resource').length") == 0


def test_clicking_a_node_shows_its_whole_chain_rule_sum(browser: Any, single: Path) -> None:
    data = load(browser, single)
    nodes = data["panels"][0]["layouts"][0]["nodes"]
    steps = data["positions"][0][0]["steps"]
    x = next(i for i, node in enumerate(nodes) if node["label"] == "x")
    into = [
        (s, slot) for s, step in enumerate(steps) for slot, child in enumerate(nodes[step[0]]["children"]) if child == x
    ]
    assert len(into) == 2  # x * x
    browser.execute_script(
        "document.querySelector('[data-node=\"' + arguments[0] + '\"]').dispatchEvent("
        "new MouseEvent('click', {bubbles: true}))",
        x,
    )
    details = browser.execute_script(
        "const d = document.querySelector('.details'); return d.hidden ? null : "
        "[...d.querySelectorAll('li .contribution')].map(s => s.textContent)"
        ".concat([d.textContent])"
    )
    assert details is not None
    *contributions, text = details
    assert contributions == [format_number(steps[s][3][slot]) for s, slot in into]
    assert f"∂total/∂x = {format_number(data['positions'][0][0]['grad'][x])}" in text


def test_two_graphs_step_together_and_the_slider_and_toggle_change_the_numbers(browser: Any, compare: Path) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    data = load(browser, compare)
    forward = max(len(panel["layouts"][0]["forward"]) for panel in data["panels"])
    press(browser, Keys.ARROW_RIGHT, forward + 2)  # the forward pass, the root, and one backward step
    first = [read(browser, 0), read(browser, 1)]
    start = GRID.index(-4.5) * 2 + 1  # z = -4.5, y = 1
    assert [shown["current"] for shown in first] == [str(data["positions"][start][p]["steps"][0][0]) for p in (0, 1)]

    # The factor σ′(z) = p(1 − p) that the panels point out is the engine's, in both.
    notes = browser.execute_script("return [...document.querySelectorAll('.note')].map(n => n.textContent)")
    assert notes == [f"σ′(z) = p(1 − p) = {format_number(data['positions'][start][p]['factor'][0])}" for p in (0, 1)]

    def summary(position: int, p: int) -> str:
        shown = data["positions"][position][p]
        nodes = data["panels"][p]["layouts"][0]["nodes"]
        z = next(i for i, node in enumerate(nodes) if node["label"] == "z")
        root = next(i for i, node in enumerate(nodes) if node["role"] == "root")
        loss, grad = format_number(shown["data"][root]), format_number(shown["grad"][z])
        return f"loss = {loss} · ∂loss/∂z = {grad}"

    assert [shown["summary"] for shown in first] == [summary(start, 0), summary(start, 1)]
    slider = browser.find_element(By.ID, "slider")
    slider.send_keys(Keys.ARROW_RIGHT)  # z = -4.25
    assert browser.find_element(By.ID, "slider-value").text == "-4.25"
    moved = [read(browser, 0), read(browser, 1)]
    assert [shown["summary"] for shown in moved] == [summary(start + 2, 0), summary(start + 2, 1)]
    assert moved[0]["summary"] != first[0]["summary"]
    assert [shown["rows"][0]["upstream"] for shown in moved] == [
        format_number(data["positions"][start + 2][p]["steps"][0][1]) for p in (0, 1)
    ]

    browser.find_element(By.ID, "toggle").click()  # y = 0
    assert browser.find_element(By.ID, "toggle").text == "y = 0"
    assert [read(browser, p)["summary"] for p in (0, 1)] == [
        summary(start + 1, 0),
        summary(start + 1, 1),
    ]

    # At z = 40 the clip is outside its bounds, and cross-entropy's panel says so.
    slider.send_keys(Keys.END)
    stops = read(browser, 1)["stops"]
    assert "clip's input (1) is outside [1e-15, 1 − 1e-15] here: no gradient passes below it" in stops
    assert severe_errors(browser) == []


def test_a_graph_whose_operations_change_along_the_slider_swaps_its_drawing(browser: Any, tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    def branching(z_value: float) -> Value:
        z = Value(z_value, label="z")
        return z.exp() if z_value < 0 else z.tanh() * 2.0

    page = step_through(branching, slider=Slider("z", [-1.0, 1.0], start=-1.0))
    load(browser, page.save(tmp_path / "branching.html"))
    visible = "return [...document.querySelectorAll('.layout')].map(l => !l.hidden)"
    assert browser.execute_script(visible) == [True, False]
    # Forward: exp, then a wait for the other drawing's second operation; the root; one step.
    press(browser, Keys.ARROW_RIGHT, 4)
    assert read(browser)["rows"][0]["local"] == format_number(math.exp(-1.0))
    browser.find_element(By.ID, "slider").send_keys(Keys.ARROW_RIGHT)
    assert browser.execute_script(visible) == [False, True]
    shown = read(browser)  # the same time t on the other drawing: the product's step, tanh(z) × 2
    assert shown["current"] == "3" and shown["rows"][1]["local"] == format_number(math.tanh(1.0))
    assert severe_errors(browser) == []


def test_play_advances_and_pause_stops(browser: Any, single: Path) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select, WebDriverWait

    load(browser, single)
    Select(browser.find_element(By.ID, "speed")).select_by_visible_text("fastest")
    play = browser.find_element(By.ID, "play")
    play.click()
    WebDriverWait(browser, 10).until(lambda d: read(d)["t"] >= 3)
    play.click()
    paused = read(browser)["t"]
    assert play.text == "Play" and play.get_attribute("aria-pressed") == "false"
    browser.execute_script("return new Promise(resolve => setTimeout(resolve, 400))")
    assert read(browser)["t"] == paused


# Every element's right edge, except those inside a drawing's own scrolling box.
OVERFLOW = """
const width = document.documentElement.clientWidth;
const out = [];
document.querySelectorAll('body *').forEach(el => {
  if (el.closest('.graph-box') && !el.classList.contains('graph-box')) { return; }
  const box = el.getBoundingClientRect();
  if (box.width && (box.right > width + 0.5 || box.left < -0.5)) {
    out.push(`${el.tagName}.${el.className} ${Math.round(box.left)}..${Math.round(box.right)}`);
  }
});
return [document.documentElement.scrollWidth, width, out];
"""


@pytest.mark.parametrize("page", ["single", "compare"])
def test_nothing_runs_past_a_phone_screen(browser: Any, page: str, request: pytest.FixtureRequest) -> None:
    from selenium.webdriver.common.keys import Keys

    load(browser, request.getfixturevalue(page), width=390, height=844)
    for steps in (0, 6, 6):
        press(browser, Keys.ARROW_RIGHT, steps)
        scroll_width, width, overflowing = browser.execute_script(OVERFLOW)
        assert width == 390 and scroll_width <= 390 and overflowing == []
    browser.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
