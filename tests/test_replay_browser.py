"""The replay page in a real headless Chromium: scrub, step and play, and read the numbers shown.

The browser is the `browser` fixture of tests/conftest.py: Debian's chromium and chromium-driver
with selenium, skipped outside CI when missing, a failure in CI. The runs are small ones trained
by test_replay's loop, so the whole module takes a few seconds; the K-class page is the one
``lossgrad stall --classes 3`` writes for a short run.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from test_replay import moons_run, stall_runs

from demos.cli import main
from demos.stall import StallConfig, StallResult, run_stall
from nn.replay import DIGITS, ReplayRun, replay_page

# The command lines whose pages are tested here too: short runs, the loss zoo's two kinds.
STALL = ["stall", "--epochs", "40", "--losses", "mse,bce,focal"]
MOONS = ["moons", "--steps", "8"]
CLASSES = ["stall", "--classes", "3", "--epochs", "30"]


def shown_number(x: float | None) -> str:
    """Return a recorded number as the page shows it: toPrecision(4), or toExponential(3)."""
    if x is None:
        return "\u2013"
    return shown_exactly(float(f"{x:.{DIGITS}g}"))  # as the page holds it


def shown_exactly(x: float) -> str:
    """Return a number the page holds (or works out) as it shows it."""
    if x == 0:
        return "0"
    if 1e-3 <= abs(x) < 1e4:
        return f"{x:#.4g}".rstrip(".")
    mantissa, exponent = f"{x:.3e}".split("e")
    return f"{mantissa}e{int(exponent):+d}"


def shown_fraction(x: float) -> str:
    return f"{float(f'{x:.{DIGITS}g}'):.3f}"


@pytest.fixture(scope="module")
def stall(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[ReplayRun], list[int]]:
    """Return the path of a two-run page (MSE and BCE from the same start), its runs and labels."""
    runs, X, y = stall_runs(n=12, epochs=30)
    path = replay_page(runs, X, y, title="stall", target=0.9).save(tmp_path_factory.mktemp("replay") / "stall.html")
    return path, runs, y


@pytest.fixture(scope="module")
def moons(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, ReplayRun]:
    run, X, y = moons_run(epochs=12)
    return replay_page([run], X, y, title="moons").save(tmp_path_factory.mktemp("replay") / "moons.html"), run


@pytest.fixture(scope="module")
def cli_pages(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Return the pages that ``lossgrad stall --html`` and ``lossgrad moons --html`` write."""
    folder = tmp_path_factory.mktemp("cli")
    pages = {
        "cli_stall": folder / "stall.html",
        "cli_moons": folder / "moons.html",
        "cli_classes": folder / "classes.html",
    }
    assert main([*STALL, "--html", str(pages["cli_stall"])]) == 0
    assert main([*MOONS, "--html", str(pages["cli_moons"])]) == 0
    assert main([*CLASSES, "--html", str(pages["cli_classes"])]) == 0
    return pages


@pytest.fixture(scope="module")
def classes_result() -> StallResult:
    """Return what the K-class page's command line trained, trained again the same way."""
    return run_stall(StallConfig(classes=3, epochs=30), record=True)


def page_path(name: str, request: pytest.FixtureRequest) -> Path:
    if name.startswith("cli_"):
        return request.getfixturevalue("cli_pages")[name]
    return request.getfixturevalue(name)[0]


@pytest.fixture()
def driver(browser: Any) -> Iterator[Any]:
    """Yield the module's browser at a desktop size; put it back to that size afterwards."""
    browser.set_window_size(1280, 900)
    yield browser
    browser.set_window_size(1280, 900)


def load(driver: Any, path: Path) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    driver.get(path.as_uri())
    WebDriverWait(driver, 20).until(lambda d: d.find_element(By.TAG_NAME, "body").get_attribute("data-ready") == "true")


def text(driver: Any, element_id: str) -> str:
    from selenium.webdriver.common.by import By

    return driver.find_element(By.ID, element_id).get_attribute("textContent").strip()


def shown_epoch(driver: Any) -> int:
    return int(text(driver, "epoch"))


def expected_card(run: ReplayRun, r: int, index: int) -> dict[str, str]:
    """Return what run r's card and story row show at snapshot index, from the History."""
    snapshot = run.history.snapshots[index]
    epoch = snapshot.epoch
    shown = {
        f"run-{r}-loss": shown_number(run.history.loss[epoch]),
        f"run-{r}-accuracy": shown_fraction(run.history.accuracy[epoch]),
        f"run-{r}-push": shown_number(snapshot.mean_abs_dL_dz),
    }
    for k, (value, grad) in enumerate(zip(snapshot.parameters, snapshot.gradients)):
        shown[f"run-{r}-param-{k}"] = shown_number(value)
        shown[f"run-{r}-grad-{k}"] = shown_number(grad)
    return shown


def expected_story(run: ReplayRun, r: int, index: int, point: int) -> dict[str, str]:
    """Return what run r's row of the chain-rule split shows for a point (no split: no dL/dp)."""
    snapshot = run.history.snapshots[index]
    names = ("z", "p", "dL_dp", "dp_dz", "dL_dz") if snapshot.dL_dp is not None else ("z", "p", "dL_dz")
    return {f"story-{r}-{name}": shown_number(getattr(snapshot, name)[point]) for name in names}


def read(driver: Any, ids: dict[str, str]) -> dict[str, str]:
    return {i: text(driver, i) for i in ids}


def selected_point(driver: Any) -> int:
    return int(text(driver, "selected-point").split()[1])


@pytest.mark.parametrize("page", ["stall", "moons", "cli_stall", "cli_moons", "cli_classes"])
def test_the_page_loads_offline_without_errors(driver: Any, page: str, request: pytest.FixtureRequest) -> None:
    load(driver, page_path(page, request))
    assert driver.execute_script("return performance.getEntriesByType('resource').length") == 0
    assert [e for e in driver.get_log("browser") if e["level"] == "SEVERE"] == []
    assert shown_epoch(driver) == 0


def test_scrubbing_shows_the_recorded_numbers(driver: Any, stall: tuple[Path, list[ReplayRun], list[int]]) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    path, runs, y = stall
    load(driver, path)
    point = selected_point(driver)
    # The start: every point confidently wrong under both losses, the page on the most wrong one.
    for r, run in enumerate(runs):
        expected = {**expected_card(run, r, 0), **expected_story(run, r, 0, point)}
        assert read(driver, expected) == expected
        assert text(driver, f"run-{r}-wrong") == f"{len(y)} / {len(y)}"
    start = read(driver, expected_card(runs[0], 0, 0))

    slider = driver.find_element(By.ID, "scrub")
    slider.send_keys(Keys.END)
    assert shown_epoch(driver) == 29
    for _ in range(9):
        slider.send_keys(Keys.ARROW_LEFT)
    assert shown_epoch(driver) == 20
    for r, run in enumerate(runs):
        expected = {**expected_card(run, r, 20), **expected_story(run, r, 20, point)}
        assert read(driver, expected) == expected
    assert read(driver, expected_card(runs[0], 0, 0)) != start  # the numbers moved with the slider

    # Picking another point shows its own split, dL/dz = dL/dp × σ′(z).
    driver.find_element(By.ID, "point-next").click()
    assert selected_point(driver) == (point + 1) % len(y)
    for r, run in enumerate(runs):
        expected = expected_story(run, r, 20, (point + 1) % len(y))
        assert read(driver, expected) == expected


def test_step_and_play_advance(driver: Any, stall: tuple[Path, list[ReplayRun], list[int]]) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select, WebDriverWait

    load(driver, stall[0])
    driver.find_element(By.ID, "step").click()
    driver.find_element(By.ID, "step").click()
    assert shown_epoch(driver) == 2
    driver.find_element(By.ID, "step-back").click()
    assert shown_epoch(driver) == 1
    speed = Select(driver.find_element(By.ID, "speed"))
    speed.select_by_visible_text("slow")  # 3 epochs a second: it is still playing when paused
    play = driver.find_element(By.ID, "play")
    play.click()
    assert play.text == "Pause"
    WebDriverWait(driver, 10).until(lambda d: shown_epoch(d) >= 2)
    play.click()
    paused_at = shown_epoch(driver)
    assert play.text == "Play"
    assert driver.find_element(By.ID, "scrub").get_attribute("value") == str(paused_at)
    assert read(driver, expected_card(stall[1][1], 1, paused_at)) == expected_card(stall[1][1], 1, paused_at)
    # Played to the end, it stops there.
    speed.select_by_visible_text("fastest")
    play.click()
    WebDriverWait(driver, 10).until(lambda d: d.find_element(By.ID, "play").text == "Play")
    assert shown_epoch(driver) == 29


def test_the_network_shows_each_weight_and_its_gradient(driver: Any, moons: tuple[Path, ReplayRun]) -> None:
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    path, run = moons
    load(driver, path)
    snapshots, labels = run.history.snapshots, run.history.snapshots.labels

    def edges() -> list[tuple[int, str, str]]:
        """Return each drawn edge's parameter index, colour and width (one call to the page)."""
        return [
            (int(k), stroke, width)
            for k, stroke, width in driver.execute_script(
                "return Array.from(document.querySelectorAll('#run-0 svg.network line.edge'),"
                " e => [e.dataset.parameter, e.getAttribute('stroke'),"
                " e.getAttribute('stroke-width')]);"
            )
        ]

    def check(index: int) -> None:
        snapshot = snapshots[index]
        k = labels.index(text(driver, "run-0-edge-label"))
        assert text(driver, "run-0-edge-value") == shown_number(snapshot.parameters[k])
        assert text(driver, "run-0-edge-grad") == shown_number(snapshot.gradients[k])
        for parameter, stroke, _ in edges():  # blue for a weight >= 0, orange below
            assert stroke == ("#0969da" if snapshot.parameters[parameter] >= 0 else "#e16f24")

    assert len(edges()) == 2 * 4 + 4 * 3 + 3 * 1
    widths_at_start = [width for *_, width in edges()]
    check(0)
    driver.find_element(By.ID, "scrub").send_keys(Keys.END)
    check(len(snapshots) - 1)
    assert [width for *_, width in edges()] != widths_at_start  # thickness follows |gradient|
    hit = driver.find_elements(By.CSS_SELECTOR, "#run-0 svg.network line.hit")[-1]  # on top
    ActionChains(driver).move_to_element(hit).click().perform()  # invisible: click where it is
    assert text(driver, "run-0-edge-label") == labels[int(hit.get_attribute("data-parameter"))]
    check(len(snapshots) - 1)
    story = driver.find_element(By.ID, "story")
    assert not story.is_displayed()  # a score, not p: no chain-rule split


@pytest.mark.parametrize("page", ["stall", "moons", "cli_stall", "cli_moons", "cli_classes"])
def test_nothing_runs_past_a_phone_screen(driver: Any, page: str, request: pytest.FixtureRequest) -> None:
    driver.set_window_size(390, 844)
    load(driver, page_path(page, request))
    width = driver.execute_script("return document.documentElement.clientWidth")
    assert 300 < width <= 390
    assert driver.execute_script("return document.documentElement.scrollWidth") <= width
    too_wide = driver.execute_script(
        "const w = document.documentElement.clientWidth;"
        "return Array.from(document.querySelectorAll('body *'))"
        ".filter(e => e.getClientRects().length && e.getBoundingClientRect().right > w + 0.5)"
        ".map(e => e.tagName + '#' + e.id + '.' + e.className);"
    )
    assert too_wide == []


def test_the_stall_commands_page_shows_what_it_trained(driver: Any, cli_pages: dict[str, Path]) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    result = run_stall(StallConfig(epochs=40, losses=("mse", "bce", "focal")), record=True)
    runs = [ReplayRun(r.title, r.colour.hex, r, r.model) for r in result.runs.values()]
    load(driver, cli_pages["cli_stall"])
    assert text(driver, "last-epoch") == "40" and text(driver, "run-2-name") == runs[2].title
    driver.find_element(By.ID, "scrub").send_keys(Keys.END)
    point = selected_point(driver)
    for r, run in enumerate(runs):
        assert read(driver, expected_card(run, r, 40)) == expected_card(run, r, 40)
    bce, focal = expected_story(runs[1], 1, 40, point), expected_story(runs[2], 2, 40, point)
    assert read(driver, bce) == bce
    assert "story-2-dL_dp" not in focal  # focal loss reads z, not p: no split, only its push
    assert read(driver, focal) == focal
    assert driver.find_elements(By.ID, "story-2-dL_dp") == []


# ---------------------------------------------------------------------------- K classes


def expected_classes(run: ReplayRun, r: int, index: int, point: int, label: int) -> dict[str, str]:
    """Return what run r's table shows for a point at snapshot index: each class's y_k, the
    recorded ŷ_k, ŷ_k - y_k as the page works it out from the ŷ_k it holds, and dL/dz_k."""
    snapshot = run.history.snapshots[index]
    shown = {}
    for k, (p, push) in enumerate(zip(snapshot.p[point], snapshot.dL_dz[point])):
        y = 1 if k == label else 0
        shown[f"class-{r}-{k}-y"] = str(y)
        shown[f"class-{r}-{k}-p"] = shown_number(p)
        shown[f"class-{r}-{k}-difference"] = shown_exactly(float(f"{p:.{DIGITS}g}") - y)
        shown[f"class-{r}-{k}-dL_dz"] = shown_number(push)
    return shown


def classes_runs(result: StallResult) -> list[ReplayRun]:
    return [ReplayRun(r.title, r.colour.hex, r, r.model) for r in result.runs.values()]


def page_data(driver: Any) -> Any:
    return driver.execute_script("return JSON.parse(document.getElementById('page-data').text)")


def test_scrubbing_shows_each_classs_push(driver: Any, cli_pages: dict[str, Path], classes_result: StallResult) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import Select

    runs, y = classes_runs(classes_result), classes_result.y
    load(driver, cli_pages["cli_classes"])
    typical = page_data(driver)["typical"]
    # The start, on class 0's typical point: cross-entropy's push is ŷ_k - y_k, squared error's
    # far weaker, and the point is confidently wrong under both.
    point = selected_point(driver)
    assert point == typical[0] and "the typical point of class 0" in text(driver, "selected-point")
    assert "confidently wrong" in text(driver, "selected-point")
    for r, run in enumerate(runs):
        expected = {**expected_card(run, r, 0), **expected_classes(run, r, 0, point, y[point])}
        assert read(driver, expected) == expected
    cce = expected_classes(runs[1], 1, 0, point, y[point])
    assert all(cce[f"class-1-{k}-dL_dz"] == cce[f"class-1-{k}-difference"] for k in range(3))
    start = read(driver, expected_classes(runs[0], 0, 0, point, y[point]))

    slider = driver.find_element(By.ID, "scrub")
    slider.send_keys(Keys.END)
    for _ in range(10):
        slider.send_keys(Keys.ARROW_LEFT)
    assert shown_epoch(driver) == 20
    for r, run in enumerate(runs):
        expected = {**expected_card(run, r, 20), **expected_classes(run, r, 20, point, y[point])}
        assert read(driver, expected) == expected
    assert read(driver, expected_classes(runs[0], 0, 0, point, y[point])) != start

    # Class 2's typical point, picked from the list.
    Select(driver.find_element(By.ID, "typical")).select_by_visible_text("class 2")
    point = selected_point(driver)
    assert point == typical[2] and y[point] == 2
    for r, run in enumerate(runs):
        expected = expected_classes(run, r, 20, point, 2)
        assert read(driver, expected) == expected


def test_clicking_a_point_shows_its_pushes(
    driver: Any, cli_pages: dict[str, Path], classes_result: StallResult
) -> None:
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By

    runs, X, y = classes_runs(classes_result), classes_result.X, classes_result.y
    load(driver, cli_pages["cli_classes"])
    box = page_data(driver)["box"]
    canvas = driver.find_element(By.CSS_SELECTOR, "#run-1 canvas.boundary")
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", canvas)  # not under the controls
    width, height = canvas.size["width"], canvas.size["height"]
    # The point farthest from every other: a click on it picks it and no neighbour.
    point = max(
        (i for i in range(len(X)) if i != selected_point(driver)),
        key=lambda i: min(math.dist(X[i], X[j]) for j in range(len(X)) if j != i),
    )
    at = (
        (X[point][0] - box[0]) / (box[1] - box[0]) * width - width / 2,
        (box[3] - X[point][1]) / (box[3] - box[2]) * height - height / 2,
    )
    ActionChains(driver).move_to_element_with_offset(canvas, round(at[0]), round(at[1])).click().perform()
    assert selected_point(driver) == point
    assert point not in page_data(driver)["typical"]  # so the list of typical points is blank
    assert driver.find_element(By.ID, "typical").get_attribute("value") == ""
    for r, run in enumerate(runs):
        expected = expected_classes(run, r, 0, point, y[point])
        assert read(driver, expected) == expected


def test_the_regions_are_the_models_classes_and_move(
    driver: Any, cli_pages: dict[str, Path], classes_result: StallResult
) -> None:
    """Pixels of the cross-entropy run's plot, away from the points and the edges, are the tint
    of the model's own class there: white mixed with it as tanh(margin / 2) of the top two
    scores, as the two-class page mixes by |2p - 1|."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    run, X = classes_result.runs["cce"], classes_result.X
    load(driver, cli_pages["cli_classes"])
    box = page_data(driver)["box"]
    size = driver.execute_script(
        "const c = document.querySelector('#run-1 canvas.boundary'); return [c.width, c.height];"
    )
    colours = driver.execute_script(
        "const s = getComputedStyle(document.documentElement);"
        "return [0, 1, 2].map(k => s.getPropertyValue('--class' + k).trim());"
    )
    tints = [[int(c[i : i + 2], 16) for i in (1, 3, 5)] for c in colours]

    def pixel(x: int, y: int) -> list[int]:
        return driver.execute_script(
            "const c = document.querySelector('#run-1 canvas.boundary');"
            "return Array.from(c.getContext('2d').getImageData(arguments[0], arguments[1], 1, 1)"
            ".data.slice(0, 3));",
            x,
            y,
        )

    def checked(index: int) -> list[tuple[int, int, int]]:
        """Return (x, y, class) of the pixels checked against snapshot index's model."""
        w = run.snapshots[index].parameters
        found = []
        for x in range(8, size[0] - 8, 23):
            for y in range(8, size[1] - 8, 23):
                place = (
                    box[0] + (x + 0.5) / size[0] * (box[1] - box[0]),
                    box[3] - (y + 0.5) / size[1] * (box[3] - box[2]),
                )
                if min(math.dist(place, p) for p in X) < 24 / size[0] * (box[1] - box[0]):
                    continue  # a point is drawn there
                scores = sorted(
                    ((w[3 * k] * place[0] + w[3 * k + 1] * place[1] + w[3 * k + 2], k) for k in range(3)),
                    reverse=True,
                )
                margin = scores[0][0] - scores[1][0]
                if margin < 0.3:
                    continue  # near an edge
                sure = math.tanh(margin / 2)
                expected = [255 + 0.4 * sure * (c - 255) for c in tints[scores[0][1]]]
                assert pixel(x, y) == pytest.approx(expected, abs=2), (index, x, y)
                found.append((x, y, scores[0][1]))
        return found

    at_start = checked(0)
    driver.find_element(By.ID, "scrub").send_keys(Keys.END)
    at_end = checked(30)
    assert len(at_start) > 20 and len(at_end) > 20
    assert {c for *_, c in at_start} == {c for *_, c in at_end} == {0, 1, 2}
    # The regions moved: trained, the model claims other classes at some of the same places.
    before, after = {(x, y): c for x, y, c in at_start}, {(x, y): c for x, y, c in at_end}
    assert any(before[place] != after[place] for place in before.keys() & after.keys())


def test_the_k_class_page_plays_to_the_end(
    driver: Any, cli_pages: dict[str, Path], classes_result: StallResult
) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select, WebDriverWait

    runs, y = classes_runs(classes_result), classes_result.y
    load(driver, cli_pages["cli_classes"])
    point = selected_point(driver)
    Select(driver.find_element(By.ID, "speed")).select_by_visible_text("fastest")
    driver.find_element(By.ID, "play").click()
    WebDriverWait(driver, 10).until(lambda d: d.find_element(By.ID, "play").text == "Play")
    assert shown_epoch(driver) == 30
    for r, run in enumerate(runs):
        expected = {**expected_card(run, r, 30), **expected_classes(run, r, 30, point, y[point])}
        assert read(driver, expected) == expected
