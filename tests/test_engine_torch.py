"""The engine's primitives agree with PyTorch (float64): values and gradients within 1e-12 relative.

The expected numbers are in tests/fixtures/torch_engine.json, written by
tests/make_torch_engine_fixtures.py (which needs torch; these tests do not).
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from engine import Value

FIXTURES = Path(__file__).parent / "fixtures" / "torch_engine.json"
CASES: dict[str, dict[str, Any]] = json.loads(FIXTURES.read_text(encoding="utf-8"))["cases"]

PRIMITIVES: dict[str, Callable[..., Value]] = {
    "exp": Value.exp,
    "log": Value.log,
    "sqrt": Value.sqrt,
    "tanh": Value.tanh,
    "sigmoid": Value.sigmoid,
    "relu": Value.relu,
    "leaky_relu": lambda x, slope: x.leaky_relu(slope),
    "softplus": Value.softplus,
    "abs": abs,
    "clip": lambda x, lo, hi: x.clip(lo, hi),
    "pow": lambda x, n: x**n,
}


def test_the_fixtures_cover_every_primitive_here() -> None:
    assert {case["op"] for case in CASES.values()} == set(PRIMITIVES)


@pytest.mark.parametrize("name", sorted(CASES))
def test_value_and_gradient_match_pytorch(name: str) -> None:
    case = CASES[name]
    x = Value(case["x"])
    out = PRIMITIVES[case["op"]](x, **case["params"])
    out.backward()
    assert math.isclose(out.data, case["value"], rel_tol=1e-12, abs_tol=1e-300), (out.data, case["value"])
    assert math.isclose(x.grad, case["grad"], rel_tol=1e-12, abs_tol=1e-300), (x.grad, case["grad"])
