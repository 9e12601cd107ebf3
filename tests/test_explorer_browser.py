"""The explorer page in a real headless Chromium: move the slider, toggle the label, read the values.

Needs Debian's ``chromium`` and ``chromium-driver`` (CI installs them) and ``selenium`` (in the
``test`` extra). Outside CI the test is skipped when they are missing; in CI (``CI`` set) a missing
browser is a failure, so the page is always tested there.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from demos.cli import main
from demos.explore import gradients_at

CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--window-size=1100,1200",
)


def _find(*names: str) -> str | None:
    """Return the first of names found on PATH, or None."""
    for name in names:
        found = shutil.which(name)
        if found:
            return found
    return None


def _unavailable(reason: str) -> None:
    """Skip the test outside CI; fail it in CI, where the browser must be installed."""
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (CI installs it: apt-get install chromium chromium-driver; pip install selenium)")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    """Yield a selenium WebDriver for a fresh headless Chromium profile; quit it afterwards."""
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        _unavailable("selenium is not installed")
    chromium = _find("chromium", "chromium-browser", "google-chrome")
    driver_path = _find("chromedriver")
    if chromium is None or driver_path is None:
        _unavailable("chromium and chromedriver are not on PATH")
    os.environ.setdefault("SE_AVOID_STATS", "true")  # selenium: no usage statistics, no network
    profile = tempfile.mkdtemp(prefix="lossgrad-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={profile}")
    # Both paths are given, so selenium never runs its driver manager (which would go online).
    driver = webdriver.Chrome(service=Service(executable_path=driver_path), options=options)
    driver.set_page_load_timeout(30)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture(scope="module")
def page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Return the path of an explorer page written by the command line, starting at p = 0.01, y = 1."""
    path = tmp_path_factory.mktemp("explorer") / "explorer.html"
    assert main(["explore", "--p", "0.01", "--label", "1", "--html", str(path)]) == 0
    return path


def _read(driver: object, *ids: str) -> dict[str, str]:
    """Return the displayed text of each element id."""
    from selenium.webdriver.common.by import By

    return {i: driver.find_element(By.ID, i).text for i in ids}  # type: ignore[attr-defined]


VALUE_IDS = (
    "p-value",
    "label-value",
    "mse-loss",
    "bce-loss",
    "mse-grad-z",
    "bce-grad-z",
    "mse-grad-p",
    "bce-grad-p",
    "grad-ratio",
)


def _grad_text(x: float) -> str:
    """Return a gradient as the page shows it: 6 decimals, or 4 significant digits below 1e-4."""
    if abs(x) >= 1e-4 or x == 0.0:
        return f"{x:.6f}"
    mantissa, exponent = f"{x:.3e}".split("e")
    return f"{mantissa}e{int(exponent)}"  # JavaScript's toExponential writes e-6, not e-06


def _expected(p: float, label: int) -> dict[str, str]:
    """Return what the page should display at (p, label), from the engine in this process."""
    g = gradients_at(label, p=p)
    return {
        "p-value": f"{p:.3f}",
        "label-value": str(label),
        "mse-loss": f"{g.mse_loss:.4f}",
        "bce-loss": f"{g.bce_loss:.4f}",
        "mse-grad-z": _grad_text(g.mse_grad_z),
        "bce-grad-z": _grad_text(g.bce_grad_z),
        "mse-grad-p": _grad_text(g.mse_grad_p),
        "bce-grad-p": _grad_text(g.bce_grad_p),
        "grad-ratio": f"{g.ratio:.1f}",
    }


def test_slider_and_label_toggle_show_the_engines_numbers(browser: object, page: Path) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import WebDriverWait

    driver = browser
    driver.get(page.as_uri())  # type: ignore[attr-defined]
    WebDriverWait(driver, 20).until(lambda d: d.find_element(By.TAG_NAME, "body").get_attribute("data-ready") == "true")

    # The starting point: the post's showdown row p = 0.01, y = 1.
    shown = _read(driver, *VALUE_IDS)
    assert shown == _expected(0.01, 1)
    assert shown["bce-loss"] == "4.6052" and shown["grad-ratio"] == "50.5"

    # Move the slider as a user would, with the keyboard: Home is p = 0.001, then ten steps right.
    slider = driver.find_element(By.ID, "p-slider")  # type: ignore[attr-defined]
    marker = driver.find_element(By.CSS_SELECTOR, "#loss-chart circle.marker.bce")  # type: ignore[attr-defined]
    marker_before = (marker.get_attribute("cx"), marker.get_attribute("cy"))
    slider.send_keys(Keys.HOME)
    assert _read(driver, "p-value")["p-value"] == "0.001"
    for _ in range(10):
        slider.send_keys(Keys.ARROW_RIGHT)
    shown = _read(driver, *VALUE_IDS)
    assert shown == _expected(0.011, 1)
    assert shown["bce-loss"] == "4.5099"  # the post's "BCE loss: 4.5099", at its rounded p = 0.011
    assert shown["bce-grad-z"] == "-0.989000"  # p - y
    assert (marker.get_attribute("cx"), marker.get_attribute("cy")) != marker_before

    # Toggle the true label: the same p is now confidently right.
    driver.find_element(By.ID, "label-toggle").click()  # type: ignore[attr-defined]
    shown = _read(driver, *VALUE_IDS)
    assert shown == _expected(0.011, 0)
    assert shown["label-value"] == "0" and shown["bce-grad-z"] == "0.011000"

    # Far right and back to y = 1: confidently right, both gradients nearly vanish.
    slider.send_keys(Keys.END)
    driver.find_element(By.ID, "label-toggle").click()  # type: ignore[attr-defined]
    assert _read(driver, *VALUE_IDS) == _expected(0.999, 1)


def test_curves_are_drawn_in_the_posts_colours_and_nothing_is_fetched(browser: object, page: Path) -> None:
    from selenium.webdriver.common.by import By

    driver = browser
    driver.get(page.as_uri())  # type: ignore[attr-defined]
    for chart in ("loss-chart", "grad-chart"):
        curves = driver.find_elements(By.CSS_SELECTOR, f"#{chart} path.curve")  # type: ignore[attr-defined]
        colours = {c.get_attribute("class").split()[-1]: c.get_attribute("stroke") for c in curves}
        assert colours == {"mse": "#1f6feb", "bce": "#d1242f"}  # MSE blue, cross-entropy red
        for curve in curves:
            assert curve.get_attribute("d").count("L") == 998  # one segment per sampled p
    # A self-contained page loads no resource at all (no CDN, font or image).
    resources = driver.execute_script("return performance.getEntriesByType('resource').length")  # type: ignore[attr-defined]
    assert resources == 0
    errors = [entry for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]  # type: ignore[attr-defined]
    assert errors == []
