"""The demos' registry of binary losses, and the explorer page's package data files."""

from __future__ import annotations

import importlib.resources
import json
from fnmatch import fnmatch
from pathlib import Path

import pytest

from demos.cli import build_parser, main
from demos.explore import explorer_curves, explorer_html
from demos.registry import BINARY_LOSSES, binary_loss
from demos.terminal import Style
from engine import Value
from losses import grad_wrt_logit, input_kind, logit, loss_and_grad_wrt_logit, sigmoid

REPO = Path(__file__).resolve().parents[1]
PAGE_FILES = ("explorer.html", "explorer.css", "explorer.js")


# --- the registry --------------------------------------------------------------------------------


def test_each_loss_has_one_key_and_its_own_colour() -> None:
    assert list(BINARY_LOSSES) == ["mse", "bce", "bce_with_logits", "focal", "hinge", "huber"]
    assert all(key == entry.key for key, entry in BINARY_LOSSES.items())
    assert BINARY_LOSSES["mse"].colour.hex == "#1f6feb" and BINARY_LOSSES["mse"].colour.terminal == "blue"
    assert BINARY_LOSSES["bce"].colour.hex == "#d1242f" and BINARY_LOSSES["bce"].colour.terminal == "red"
    entries = list(BINARY_LOSSES.values())
    for field in ("short", "title", "description"):
        assert len({getattr(e, field) for e in entries}) == len(entries), field
    assert len({e.colour.hex for e in entries}) == len({e.colour.terminal for e in entries}) == len(entries)
    for entry in entries:  # every terminal colour is one the terminal styles know
        assert Style(True).paint("x", entry.colour.terminal) != "x"


@pytest.mark.parametrize("key", list(BINARY_LOSSES))
@pytest.mark.parametrize("z", [-4.5, 0.3, 2.0])
@pytest.mark.parametrize("y", [0, 1])
def test_on_logit_is_the_base_loss_given_what_the_entry_says_it_takes(key: str, z: float, y: int) -> None:
    entry = BINARY_LOSSES[key]
    loss, _ = loss_and_grad_wrt_logit(entry.on_logit, z, y)
    given = sigmoid(z) if entry.takes == "probabilities" else Value(z)
    label = 2 * y - 1 if key == "hinge" else y  # hinge_loss takes labels in {-1, 1}
    assert entry.base(given, label).data == pytest.approx(loss, rel=1e-12)


@pytest.mark.parametrize("key", list(BINARY_LOSSES))
def test_what_an_entry_says_it_takes_agrees_with_what_the_library_declares(key: str) -> None:
    entry = BINARY_LOSSES[key]
    assert input_kind(entry.on_logit) == "logits"
    # mse_loss is a regression loss: it declares predictions, any real numbers, probabilities among them.
    allowed = {"probabilities", "predictions"} if entry.takes == "probabilities" else {"logits"}
    assert input_kind(entry.base) in allowed


def test_an_unknown_key_is_refused_with_the_choices() -> None:
    with pytest.raises(ValueError, match=r"^where: unknown loss 'mse_sigmoid'; choose from mse, bce, "):
        binary_loss("mse_sigmoid", "where")


def test_the_command_line_offers_exactly_the_registry() -> None:
    parser = build_parser()
    graph = parser.parse_args(["graph", "focal"])
    assert graph.loss == "focal"
    for key in BINARY_LOSSES:
        assert parser.parse_args(["graph", key]).loss == key
    assert parser.parse_args(["showdown", "--losses", "all"]).losses == list(BINARY_LOSSES)


def test_showdown_shows_mse_and_bce_once_even_when_named(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["showdown", "--losses", "mse,hinge,bce,hinge", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)["showdown"]
    assert list(rows[0]["grads"]) == ["mse", "bce", "hinge"]
    hinge = BINARY_LOSSES["hinge"].on_logit
    assert rows[0]["grads"]["hinge"] == grad_wrt_logit(hinge, logit(rows[0]["p"]).data, 1)


def test_stall_json_names_each_run_by_its_registry_key(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["stall", "--json", "--epochs", "3"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert list(report["history"]) == list(report["reached_target_at_epoch"]) == ["mse", "bce"]


def test_stall_table_is_titled_from_the_registry(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["stall", "--epochs", "3"]) == 0
    out = capsys.readouterr().out
    group_line = next(line for line in out.splitlines() if BINARY_LOSSES["mse"].title in line)
    assert BINARY_LOSSES["bce"].title in group_line


# --- the explorer page: package data files, inlined --------------------------------------------


def test_the_page_files_are_package_data_found_by_importlib_resources() -> None:
    pages = importlib.resources.files("demos") / "pages"
    for name in PAGE_FILES:
        assert (pages / name).is_file(), name
        assert (pages / name).read_text(encoding="utf-8").strip()


def test_pyproject_ships_every_page_file_with_the_package() -> None:
    tomllib = pytest.importorskip("tomllib")
    config = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    package_data = config["tool"]["setuptools"]["package-data"]
    patterns = package_data.get("demos", []) + package_data.get("*", [])
    shipped = sorted(path.name for path in (REPO / "demos" / "pages").iterdir() if path.is_file())
    assert shipped == sorted(PAGE_FILES)
    for name in shipped:
        assert any(fnmatch(f"pages/{name}", pattern) for pattern in patterns), name


def test_the_written_page_inlines_the_style_and_the_script() -> None:
    pages = importlib.resources.files("demos") / "pages"
    html = explorer_html()
    for name in ("explorer.css", "explorer.js"):
        text = (pages / name).read_text(encoding="utf-8")
        assert text in html, name
    assert html.count("<style>") == 1 and html.count("<script>") == 1
    assert "<!-- style -->" not in html and "<!-- script -->" not in html


def test_the_pages_losses_and_colours_come_from_the_registry() -> None:
    data = explorer_curves(points=9)
    assert data["losses"] == [
        {"key": key, "title": BINARY_LOSSES[key].title, "colour": BINARY_LOSSES[key].colour.hex}
        for key in ("mse", "bce")
    ]
    quantities = ("loss", "grad_p", "grad_z")
    assert set(data["curves"]["1"]) == {f"{key}_{q}" for key in ("mse", "bce") for q in quantities}
