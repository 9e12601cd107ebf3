"""The explorer page's data: every number is the engine's, at every slider position; and its size.

The page draws and looks up numbers and computes none, so checking its embedded JSON against
``losses`` here checks every curve it can draw.
"""

from __future__ import annotations

import importlib.resources
import itertools
import json
import re
from collections.abc import Callable
from typing import Any

import pytest

from demos.explore import LOSS_ZOO, Knob, explorer_curves, explorer_page
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

# Each loss on a leaf z and p = sigmoid(z), the label y and its knobs, written from the library.
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
LOSSES_OF_P = {"mse", "bce", "label_smoothing", "huber"}
PAGE_LIMIT = 512 * 1024  # bytes: the whole page, every curve at every slider position included


@pytest.fixture(scope="module")
def html() -> str:
    return explorer_page(initial_p=0.2, initial_label=0).html()


@pytest.fixture(scope="module")
def data(html: str) -> dict[str, Any]:
    """Return the data the page embeds, read back as its script reads it."""
    found = re.search(r'<script type="application/json" id="page-data">(.*?)</script>', html, re.DOTALL)
    assert found is not None
    return json.loads(found.group(1))


def stored(x: float) -> float:
    """Return x as the page keeps it: 6 significant digits."""
    return float(f"{x:.6g}")


def backprop(key: str, z: float, label: int, **knobs: float) -> tuple[float, float | None, float]:
    """Return (L, dL/dp or None, dL/dz) at the logit z, by one backward pass through `losses`."""
    leaf = Value(z)
    p = sigmoid(leaf)
    loss = LOSSES[key](leaf, p, label, **knobs)
    loss.backward()
    return loss.data, (p.grad if key in LOSSES_OF_P else None), leaf.grad


def settings(entry: dict[str, Any]) -> list[tuple[tuple[int, ...], dict[str, float]]]:
    """Return every combination of a zoo loss's knob positions and the knob values there."""
    knobs = entry["knobs"]
    positions = itertools.product(*(range(len(knob["values"])) for knob in knobs))
    return [(at, {knob["name"]: knob["values"][i] for knob, i in zip(knobs, at)}) for at in positions]


def curve_at(curves: Any, at: tuple[int, ...]) -> list[float]:
    """Return the curve nested at the knob positions at."""
    for i in at:
        curves = curves[i]
    return curves


def test_the_page_is_small(html: str) -> None:
    assert len(html.encode("utf-8")) < PAGE_LIMIT


def test_the_grid_is_p_from_0_01_to_0_99_and_the_page_starts_at_the_given_point(
    data: dict[str, Any],
) -> None:
    assert data["p"] == [(i + 1) / 100 for i in range(99)]
    assert data["z"] == [stored(logit(p).data) for p in data["p"]]
    assert data["p"][data["initial_index"]] == 0.2 and data["initial_label"] == 0
    assert data["wrong_zone"] == {"0": [0.9, 1.0], "1": [0.0, 0.1]}


@pytest.mark.parametrize("label", [0, 1])
def test_the_post_s_two_losses_are_the_engines_at_every_p(data: dict[str, Any], label: int) -> None:
    curves = data["curves"][str(label)]
    for i, z in enumerate(logit(p).data for p in data["p"]):
        for key in ("mse", "bce"):
            loss, grad_p, grad_z = backprop(key, z, label)
            assert grad_p is not None
            point = (
                curves[f"{key}_loss"][i],
                curves[f"{key}_grad_p"][i],
                curves[f"{key}_grad_z"][i],
            )
            assert point == (stored(loss), stored(grad_p), stored(grad_z)), (key, i)
        ratio = abs(backprop("bce", z, label)[2] / backprop("mse", z, label)[2])
        assert data["ratio"][str(label)][i] == float(f"{ratio:.3g}")


@pytest.mark.parametrize("key", [entry.key for entry in LOSS_ZOO])
def test_each_zoo_loss_is_the_engines_at_every_slider_position(data: dict[str, Any], key: str) -> None:
    entry = next(e for e in data["zoo"] if e["key"] == key)
    quantities = {"loss", "grad_p", "grad_z"} if key in LOSSES_OF_P else {"loss", "grad_z"}
    zs = [logit(p).data for p in data["p"]]
    checked = range(0, len(zs), 7)  # every knob setting; every 7th p, both ends of the grid among them
    for label in (0, 1):
        curves = entry["curves"][str(label)]
        assert set(curves) == quantities
        for at, knobs in settings(entry):
            columns = {quantity: curve_at(curves[quantity], at) for quantity in quantities}
            assert {len(column) for column in columns.values()} == {len(zs)}
            for i in checked:
                loss, grad_p, grad_z = backprop(key, zs[i], label, **knobs)
                assert columns["loss"][i] == stored(loss), (knobs, label, i)
                assert columns["grad_z"][i] == stored(grad_z), (knobs, label, i)
                if grad_p is not None:
                    assert columns["grad_p"][i] == stored(grad_p), (knobs, label, i)


def test_the_hinge_margin_is_where_the_push_stops(data: dict[str, Any]) -> None:
    hinge = next(e for e in data["zoo"] if e["key"] == "hinge")
    zs = [logit(p).data for p in data["p"]]
    for at, knobs in settings(hinge):
        margin = knobs["margin"]
        for label, signed in ((1, 1), (0, -1)):
            loss = curve_at(hinge["curves"][str(label)]["loss"], at)
            grad = curve_at(hinge["curves"][str(label)]["grad_z"], at)
            for i, z in enumerate(zs):
                assert loss[i] == pytest.approx(max(0.0, margin - signed * z), abs=1e-5)
                assert grad[i] == (-signed if margin - signed * z > 0 else 0.0)


def test_label_smoothing_stops_pushing_short_of_certainty(data: dict[str, Any]) -> None:
    smoothing = next(e for e in data["zoo"] if e["key"] == "label_smoothing")
    knob = smoothing["knobs"][0]
    for position, epsilon in enumerate(knob["values"]):
        grad_z = smoothing["curves"]["1"]["grad_z"][position]
        for p, g in zip(data["p"], grad_z):
            assert g == pytest.approx(p - (1 - epsilon / 2), abs=1e-5)  # p minus the softened label


def test_the_zoo_is_named_and_coloured_by_the_registry(data: dict[str, Any]) -> None:
    zoo = {entry["key"]: entry for entry in data["zoo"]}
    assert list(zoo) == ["bce_with_logits", "label_smoothing", "focal", "huber", "hinge"]
    for key in ("bce_with_logits", "focal", "huber", "hinge"):
        assert zoo[key]["colour"] == BINARY_LOSSES[key].colour.hex and zoo[key]["title"] == BINARY_LOSSES[key].title
        assert not zoo[key]["dashed"]
    assert zoo["bce_with_logits"]["name"] == BINARY_LOSSES["bce_with_logits"].title  # no knobs to show
    for key in ("focal", "huber", "hinge"):
        assert zoo[key]["name"] == BINARY_LOSSES[key].short  # followed on the page by its knobs' values
    # Cross-entropy against a softened label: drawn in cross-entropy's colour, dashed.
    assert zoo["label_smoothing"]["colour"] == BINARY_LOSSES["bce"].colour.hex and zoo["label_smoothing"]["dashed"]
    assert {key for key, entry in zoo.items() if entry["takes_logits"]} == {
        "bce_with_logits",
        "focal",
        "hinge",
    }
    assert data["losses"] == [
        {"key": key, "title": BINARY_LOSSES[key].title, "colour": BINARY_LOSSES[key].colour.hex}
        for key in ("mse", "bce")
    ]


def test_each_slider_has_a_few_positions_and_starts_at_the_usual_value(
    data: dict[str, Any],
) -> None:
    starts = {(knob["name"], knob["values"][knob["initial"]]) for entry in data["zoo"] for knob in entry["knobs"]}
    # torchvision's focal loss, PyTorch's Huber, the usual smoothing, the hinge loss's own margin
    assert starts == {
        ("gamma", 2.0),
        ("alpha", 0.25),
        ("delta", 1.0),
        ("label_smoothing", 0.1),
        ("margin", 1.0),
    }
    for entry in data["zoo"]:
        for knob in entry["knobs"]:
            assert 9 <= len(knob["values"]) <= 17 and knob["values"] == sorted(knob["values"])


def test_a_knob_starts_at_one_of_its_values() -> None:
    assert Knob.evenly("margin", "m", 0.0, 1.0, 0.25, initial=0.5).values == (
        0.0,
        0.25,
        0.5,
        0.75,
        1.0,
    )
    with pytest.raises(ValueError, match=r"^Knob: initial must be one of 0, 0.5, 1 for margin, got 0.3$"):
        Knob.evenly("margin", "m", 0.0, 1.0, 0.5, initial=0.3)


def test_each_zoo_curve_is_nested_by_knob_then_by_p() -> None:
    small = explorer_curves(points=9)
    assert len(small["p"]) == 9 and small["p"][0] == 0.1
    focal = next(e for e in small["zoo"] if e["key"] == "focal")
    loss = focal["curves"]["1"]["loss"]
    assert len(loss) == 9 and len(loss[0]) == 9 and len(loss[0][0]) == 9  # γ, then α, then p


def test_the_script_computes_no_loss() -> None:
    script = (importlib.resources.files("demos") / "pages" / "explorer.js").read_text(encoding="utf-8")
    for arithmetic in ("Math.log", "Math.exp", "Math.pow", "**"):
        assert arithmetic not in script
