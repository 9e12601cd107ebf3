"""Shared test settings: hypothesis replays fixed examples in CI; one headless Chromium per browser module."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from typing import Any, NoReturn

import pytest
from hypothesis import settings

# A property test that finds a bug should find it on a developer's machine (random examples,
# remembered in .hypothesis/), not fail one CI run in ten: CI replays a fixed set of examples.
settings.register_profile("ci", derandomize=True, database=None)
if os.environ.get("CI"):
    settings.load_profile("ci")


# The browser tests (explorer, step-through player, training replay) drive Debian's chromium with
# selenium; outside CI they are skipped when it is missing, in CI (CI set) that is a failure.
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
    "--window-size=1280,900",
)


def _find(*names: str) -> str | None:
    """Return the first of names found on PATH, or None."""
    for name in names:
        found = shutil.which(name)
        if found:
            return found
    return None


def _unavailable(reason: str) -> NoReturn:
    """Skip the test outside CI; fail it in CI, where the browser must be installed."""
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (CI installs it: apt-get install chromium chromium-driver; pip install selenium)")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
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
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    # Both paths are given, so selenium never runs its driver manager (which would go online).
    driver = webdriver.Chrome(service=Service(executable_path=driver_path), options=options)
    driver.set_page_load_timeout(30)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)
