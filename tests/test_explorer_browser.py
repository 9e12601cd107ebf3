"""The explorer page in a headless Chromium: move the sliders, tick the losses, read the values.

Needs Debian's ``chromium`` and ``chromium-driver`` (CI installs them) and ``selenium`` (in the
``test`` extra). Outside CI the test is skipped when they are missing; in CI (``CI`` set) a missing
browser is a failure, so the page is always tested there.

Every number the page shows is compared with the same number computed here, through ``losses``,
formatted as the page formats it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from demos.cli import main
from demos.registry import BINARY_LOSSES
from engine import Value
from losses import (
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    focal_loss,
    hinge_loss,
    huber_loss,
    logit,
    mse_loss,
    sigmoid,
)


@pytest.fixture(scope="module")
def page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Return the path of an explorer page written by the command line, at p = 0.01 and y = 1."""
    path = tmp_path_factory.mktemp("explorer") / "explorer.html"
    assert main(["explore", "--p", "0.01", "--label", "1", "--html", str(path)]) == 0
    return path


@pytest.fixture()
def driver(browser: Any, page: Path) -> Iterator[Any]:
    """Yield the browser with the page freshly loaded at 1280 x 900; fail on any console error."""
    load(browser, page, 1280, 900)
    yield browser
    errors = [entry for entry in browser.get_log("browser") if entry["level"] == "SEVERE"]
    browser.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
    assert errors == []


def load(driver: Any, path: Path, width: int, height: int) -> None:
    """Load the page in a viewport of width x height (a phone's, below 500 px) and wait for it."""
    from selenium.webdriver.support.ui import WebDriverWait

    driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 500},
    )
    driver.get(path.as_uri())
    WebDriverWait(driver, 20).until(lambda d: d.execute_script("return document.body.dataset.ready") == "true")


# --- what the page should show, computed here through `losses` ---------------------------------

P_GRID = [(i + 1) / 100 for i in range(99)]  # the page's p = 0.01, ..., 0.99

# Each loss on a leaf z and p = sigmoid(z), with the label y and the values of its sliders.
LOSSES: dict[str, Callable[..., Value]] = {
    "mse": lambda z, p, y: mse_loss(p, y),
    "bce": lambda z, p, y: binary_cross_entropy(p, y),
    "bce_with_logits": lambda z, p, y: binary_cross_entropy_with_logits(z, y),
    "label_smoothing": lambda z, p, y, label_smoothing: binary_cross_entropy(
        p, (1 - label_smoothing) * y + label_smoothing / 2
    ),
    "focal": lambda z, p, y, gamma, alpha: focal_loss(z, y, alpha=alpha, gamma=gamma),
    "huber": lambda z, p, y, delta: huber_loss(p, y, delta=delta),
    # max(0, m - ỹz) is hinge_loss's max(0, 1 - ỹz') at z' = z - (m - 1)·ỹ
    "hinge": lambda z, p, y, margin: hinge_loss(z - (margin - 1) * (2 * y - 1), 2 * y - 1),
}
LOSSES_OF_P = {"mse", "bce", "label_smoothing", "huber"}  # the others take the logit: no dL/dp
ZOO = ["bce_with_logits", "label_smoothing", "focal", "huber", "hinge"]
KNOBS = {  # each slider's positions
    "label_smoothing": {"label_smoothing": [round(0.05 * k, 2) for k in range(9)]},
    "focal": {"gamma": [0.5 * k for k in range(9)], "alpha": [0.125 * k for k in range(9)]},
    "huber": {"delta": [round(0.1 * k, 1) for k in range(1, 11)]},
    "hinge": {"margin": [0.25 * k for k in range(9)]},
}
STARTS = {"label_smoothing": 0.1, "gamma": 2.0, "alpha": 0.25, "delta": 1.0, "margin": 1.0}


def shown(x: float) -> str:
    """Return x as the page shows it: 6 significant digits, exponent form below 0.001, 0 as "0"."""
    stored = float(f"{x:.6g}")
    if stored == 0:
        return "0"
    if abs(stored) < 1e-3:
        mantissa, exponent = f"{stored:.5e}".split("e")
        return f"{mantissa}e{int(exponent)}"  # JavaScript's toExponential writes e-4, not e-04
    return f"{stored:#.6g}"  # JavaScript's toPrecision(6) keeps the trailing zeros


def backprop(key: str, p: float, label: int, **knobs: float) -> tuple[float, float, float]:
    """Return a loss's (L, dL/dp, dL/dz) at (p, label) and its knobs' values, through `losses`."""
    z = Value(logit(p).data)
    probability = sigmoid(z)
    loss = LOSSES[key](z, probability, label, **knobs)
    loss.backward()
    return loss.data, probability.grad, z.grad


def expected(key: str, p: float, label: int, **knobs: float) -> dict[str, str]:
    """Return a loss's three cells as the page should show them at (p, label) and knobs."""
    loss, grad_p, grad_z = backprop(key, p, label, **knobs)
    return {
        f"{key}-loss": shown(loss),
        f"{key}-grad-p": shown(grad_p) if key in LOSSES_OF_P else "\u2014",
        f"{key}-grad-z": shown(grad_z),
    }


def expected_point(p: float, label: int) -> dict[str, str]:
    """Return the point's readout and the post's two losses at (p, label)."""
    point = {"p-value": repr(p), "z-value": shown(logit(p).data), "label-value": str(label)}
    point.update(expected("mse", p, label))
    point.update(expected("bce", p, label))
    ratio = abs(backprop("bce", p, label)[2] / backprop("mse", p, label)[2])
    point["grad-ratio"] = f"{ratio:#.3g}"  # JavaScript's toPrecision(3)
    return point


def read(driver: Any, *ids: str) -> dict[str, str]:
    """Return the text of each element id (textContent, so a hidden cell reads too)."""
    return driver.execute_script(
        "return Object.fromEntries(arguments[0].map(i => [i, document.getElementById(i).textContent]))",
        list(ids),
    )


def curves(driver: Any, chart: str) -> dict[str, str]:
    """Return each curve drawn in a chart: the loss's key and the path's d."""
    return driver.execute_script(
        "return Object.fromEntries([...document.querySelectorAll(`#${arguments[0]} path.curve`)]"
        ".map(c => [c.classList[1], c.getAttribute('d')]))",
        chart,
    )


def press(driver: Any, element_id: str, *keys: str) -> None:
    """Send keys to an element, as a user with a keyboard would."""
    from selenium.webdriver.common.by import By

    driver.find_element(By.ID, element_id).send_keys(*keys)


def click(driver: Any, element_id: str) -> None:
    """Click an element, scrolled into view first."""
    from selenium.webdriver.common.by import By

    element = driver.find_element(By.ID, element_id)
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", element)
    element.click()


def cells(key: str) -> tuple[str, str, str]:
    """Return the ids of a loss's three numbers: L, dL/dp, dL/dz."""
    return f"{key}-loss", f"{key}-grad-p", f"{key}-grad-z"


POINT_IDS = ("p-value", "z-value", "label-value", *cells("mse"), *cells("bce"), "grad-ratio")


# --- the tests ---------------------------------------------------------------------------------


def test_slider_and_label_toggle_show_the_engines_numbers(driver: Any) -> None:
    from selenium.webdriver.common.keys import Keys

    # The starting point: the post's showdown row p = 0.01, y = 1.
    assert read(driver, *POINT_IDS) == expected_point(0.01, 1)
    assert read(driver, "bce-loss", "grad-ratio") == {"bce-loss": "4.60517", "grad-ratio": "50.5"}

    marker = driver.execute_script("return document.querySelector('#loss-chart circle.marker.bce').outerHTML")
    press(driver, "p-slider", Keys.HOME, *[Keys.ARROW_RIGHT] * 9)
    assert read(driver, *POINT_IDS) == expected_point(0.1, 1)
    assert read(driver, "bce-grad-z")["bce-grad-z"] == "-0.900000"  # p - y
    assert driver.execute_script("return document.querySelector('#loss-chart circle.marker.bce').outerHTML") != marker

    # Toggle the true label: the same p is now confidently right.
    click(driver, "label-toggle")
    assert read(driver, *POINT_IDS) == expected_point(0.1, 0)
    assert read(driver, "bce-grad-z")["bce-grad-z"] == "0.100000"

    # Far right and back to y = 1: confidently right again, both pushes nearly gone.
    press(driver, "p-slider", Keys.END)
    click(driver, "label-toggle")
    assert read(driver, *POINT_IDS) == expected_point(0.99, 1)


def test_the_post_s_two_losses_are_drawn_and_the_zoo_waits_to_be_ticked(driver: Any) -> None:
    for chart in ("loss-chart", "grad-chart"):
        assert set(curves(driver, chart)) == {"mse", "bce"}
    for key in ZOO:
        assert read(driver, *cells(key)) == dict.fromkeys(cells(key), "")  # no numbers for a hidden loss
        assert driver.execute_script(f"return document.getElementById('{key}-knobs')?.hidden ?? true")


@pytest.mark.parametrize("key", ["mse", "bce", *ZOO])
def test_ticking_a_loss_shows_its_curves_and_numbers_and_unticking_hides_them(driver: Any, key: str) -> None:
    shown_first = key in ("mse", "bce")
    for _ in range(2):
        click(driver, f"{key}-toggle")
        shown_now = not shown_first
        for chart in ("loss-chart", "grad-chart"):
            assert (key in curves(driver, chart)) == shown_now, chart
        if shown_now:
            knobs = {name: STARTS[name] for name in KNOBS.get(key, {})}
            assert read(driver, *cells(key)) == expected(key, 0.01, 1, **knobs)
        else:
            assert read(driver, *cells(key)) == dict.fromkeys(cells(key), "")
        shown_first = shown_now


@pytest.mark.parametrize("key", list(KNOBS))
def test_each_slider_moves_its_loss_s_curves_to_the_engines_numbers(driver: Any, key: str) -> None:
    from selenium.webdriver.common.keys import Keys

    press(driver, "p-slider", Keys.HOME, *[Keys.ARROW_RIGHT] * 29)  # p = 0.3
    click(driver, f"{key}-toggle")
    knobs = {name: STARTS[name] for name in KNOBS[key]}
    assert read(driver, *cells(key)) == expected(key, 0.3, 1, **knobs)
    for name, values in KNOBS[key].items():
        for keystroke, value in (
            (Keys.END, values[-1]),
            (Keys.HOME, values[0]),
            (Keys.ARROW_RIGHT, values[1]),
        ):
            before = {chart: curves(driver, chart)[key] for chart in ("loss-chart", "grad-chart")}
            others = {chart: curves(driver, chart)["bce"] for chart in ("loss-chart", "grad-chart")}
            press(driver, f"{key}-{name}-slider", keystroke)
            moved, knobs[name] = value != knobs[name], value
            after = {chart: curves(driver, chart)[key] for chart in ("loss-chart", "grad-chart")}
            assert (after["loss-chart"] != before["loss-chart"]) == moved, (name, value)
            assert others == {chart: curves(driver, chart)["bce"] for chart in others}  # only its own loss
            for label in (1, 0):
                assert read(driver, *cells(key)) == expected(key, 0.3, label, **knobs), (
                    name,
                    value,
                    label,
                )
                click(driver, "label-toggle")
            assert read(driver, f"{key}-{name}-value")[f"{key}-{name}-value"] == f"{value:g}"
    assert read(driver, f"{key}-name")[f"{key}-name"].endswith(
        "(" + ", ".join(f"{symbol} = {knobs[name]:g}" for symbol, name in _symbols(key)) + ")"
    )


def _symbols(key: str) -> list[tuple[str, str]]:
    symbols = {"label_smoothing": "ε", "gamma": "γ", "alpha": "α", "delta": "δ", "margin": "m"}
    return [(symbols[name], name) for name in KNOBS[key]]


def test_the_gradient_switch_draws_dl_dp_for_the_losses_of_p(driver: Any) -> None:
    for key in ZOO:
        click(driver, f"{key}-toggle")
    assert set(curves(driver, "grad-chart")) == {"mse", "bce", *ZOO}
    click(driver, "grad-p-button")
    assert set(curves(driver, "grad-chart")) == LOSSES_OF_P
    assert set(curves(driver, "loss-chart")) == {"mse", "bce", *ZOO}
    note = read(driver, "grad-note")["grad-note"]
    for key in ("bce_with_logits", "focal", "hinge"):
        assert read(driver, f"{key}-grad-p")[f"{key}-grad-p"] == "\u2014"
        assert read(driver, f"{key}-name")[f"{key}-name"].split(" (")[0] in note
    click(driver, "grad-z-button")
    assert set(curves(driver, "grad-chart")) == {"mse", "bce", *ZOO}


def test_curves_are_drawn_in_the_registry_s_colours_and_nothing_is_fetched(driver: Any, page: Path) -> None:
    for key in ZOO:
        click(driver, f"{key}-toggle")
    colour_of = {key: entry.colour.hex for key, entry in BINARY_LOSSES.items()}
    colour_of["label_smoothing"] = colour_of["bce"]  # cross-entropy against a softened label: dashed
    for chart in ("loss-chart", "grad-chart"):
        drawn = driver.execute_script(
            f"return [...document.querySelectorAll('#{chart} path.curve')]"
            ".map(c => [c.classList[1], c.getAttribute('stroke'),"
            " c.getAttribute('stroke-dasharray'),"
            " c.getAttribute('d').split('L').length])"
        )
        assert {key: colour for key, colour, _, _ in drawn} == {key: colour_of[key] for key in ["mse", "bce", *ZOO]}
        assert {key for key, _, dashes, _ in drawn if dashes} == {"label_smoothing"}
        assert {points for _, _, _, points in drawn} == {len(P_GRID)}  # one point per sampled p
        assert [key for key, *_ in drawn][-2:] == ["mse", "bce"]  # the post's two on top
    assert read(driver, "mse-name", "bce-name") == {
        "mse-name": BINARY_LOSSES["mse"].title,
        "bce-name": BINARY_LOSSES["bce"].title,
    }
    # A self-contained page loads no resource at all (no CDN, font or image) and names no URL
    # but the SVG namespace its script creates elements in.
    assert driver.execute_script("return performance.getEntriesByType('resource').length") == 0
    assert re.findall(r"https?://[^\s\"'<>]*", page.read_text(encoding="utf-8")) == ["http://www.w3.org/2000/svg"]


# Every element whose box runs past the viewport's sides.
OVERFLOWING = """
const width = document.documentElement.clientWidth;
return [...document.querySelectorAll('body *')]
  .filter(el => el.getClientRects().length)
  .map(el => [el, el.getBoundingClientRect()])
  .filter(([el, box]) => box.width && (box.right > width + 0.5 || box.left < -0.5))
  .map(([el, box]) => `${el.tagName}#${el.id}.${el.className.baseVal ?? el.className} `
                      + `${box.left}..${box.right}`);
"""

# Each row's key (tick, colour, name): its box on the screen, and whether its name is cut off.
KEYS = """
return [...document.querySelectorAll('#loss-rows th.key')].map(key => {
  key.scrollIntoView({block: 'center'});
  const name = key.querySelector('.name'), box = name.getBoundingClientRect();
  const top = document.elementFromPoint(box.left + box.width / 2, box.top + box.height / 2);
  return {id: name.id, left: box.left, right: box.right, width: box.width,
          cut: name.scrollWidth > name.clientWidth + 0.5, onTop: name.contains(top)};
});
"""


@pytest.mark.parametrize("ticked", [False, True], ids=["as-loaded", "every-loss-ticked"])
def test_nothing_runs_past_a_phone_screen_and_the_key_column_is_visible(driver: Any, page: Path, ticked: bool) -> None:
    load(driver, page, 390, 844)
    if ticked:
        for key in ZOO:
            click(driver, f"{key}-toggle")
        click(driver, "grad-p-button")
    assert driver.execute_script("return [innerWidth, document.documentElement.clientWidth]") == [
        390,
        390,
    ]
    assert driver.execute_script("return document.documentElement.scrollWidth") <= 390
    assert driver.execute_script(OVERFLOWING) == []
    keys = driver.execute_script(KEYS)
    assert [key["id"] for key in keys] == [f"{key}-name" for key in ["mse", "bce", *ZOO]]
    for key in keys:
        assert key["width"] > 20 and key["left"] >= 0 and key["right"] <= 390, key
        assert not key["cut"] and key["onTop"], key
    if ticked:  # every number of every loss is on the screen too
        boxes = driver.execute_script(
            "return [...document.querySelectorAll('#loss-rows td')].map(td => td.getBoundingClientRect().toJSON())"
        )
        assert len(boxes) == 3 * 7 and all(box["left"] >= 0 and box["right"] <= 390 for box in boxes)


def test_the_page_data_is_the_json_the_script_reads(driver: Any, page: Path) -> None:
    embedded = driver.execute_script("return document.getElementById('page-data').textContent")
    data = json.loads(embedded)
    assert data["p"] == P_GRID and [entry["key"] for entry in data["zoo"]] == ZOO
