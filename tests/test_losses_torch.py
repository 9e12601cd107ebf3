"""Agreement with PyTorch (float64): values and gradients within 1e-9 relative.

The expected numbers are in tests/fixtures/torch_losses.json, written by
tests/make_torch_fixtures.py (which needs torch; these tests do not). Each case is replayed through
`losses`: its differentiable arguments become Value leaves, the result is backpropagated (from
Σ w_k·out_k for a list result), and the leaves' gradients are compared with PyTorch's.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pytest

import losses
from engine import Value, dot

FIXTURES = Path(__file__).parent / "fixtures" / "torch_losses.json"
CASES: dict[str, dict[str, Any]] = json.loads(FIXTURES.read_text(encoding="utf-8"))["cases"]

REL = 1e-9
ABS = 1e-12  # floor for values that are ~0 (e.g. a loss of 4e-18 that softplus(z) - y·z rounds to 0)


def _to_values(x: Any) -> Any:
    return [_to_values(item) for item in x] if isinstance(x, list) else Value(x)


def _data(x: Any) -> Any:
    return [_data(item) for item in x] if isinstance(x, list) else x.data


def _grads(x: Any) -> Any:
    return [_grads(item) for item in x] if isinstance(x, list) else x.grad


def _flatten(x: Any) -> list[float]:
    return [leaf for item in x for leaf in _flatten(item)] if isinstance(x, list) else [x]


def _assert_close(ours: Any, theirs: Any, what: str) -> None:
    ours_flat, theirs_flat = _flatten(ours), _flatten(theirs)
    assert len(ours_flat) == len(theirs_flat), f"{what}: shape differs: {ours} vs {theirs}"
    for k, (a, b) in enumerate(zip(ours_flat, theirs_flat)):
        assert math.isfinite(a), f"{what}[{k}]: {a}"
        assert math.isclose(a, b, rel_tol=REL, abs_tol=ABS), f"{what}[{k}]: lossgrad {a!r}, torch {b!r}"


def test_fixtures_cover_every_loss() -> None:
    covered = {case["fn"] for case in CASES.values()}
    expected = {
        "mse_loss",
        "l1_loss",
        "huber_loss",
        "smooth_l1_loss",
        "sigmoid",
        "logit",
        "binary_cross_entropy",
        "binary_cross_entropy_with_logits",
        "focal_loss",
        "hinge_loss",
        "surprise",
        "entropy",
        "cross_entropy",
        "kl_divergence",
        "softmax",
        "log_softmax",
        "categorical_cross_entropy",
        "stable_categorical_ce",
        "softmax_cross_entropy",
        "nll_loss",
    }
    assert expected <= covered, f"no torch fixture for {sorted(expected - covered)}"
    reductions = {case["kwargs"].get("reduction", "mean") for case in CASES.values()}
    assert reductions == {"mean", "sum", "none"}


@pytest.mark.parametrize("case_id", sorted(CASES))
def test_matches_torch(case_id: str) -> None:
    case = CASES[case_id]
    fn = getattr(losses, case["fn"])
    args = [_to_values(a) if i in case["grad_args"] else a for i, a in enumerate(case["args"])]
    out = fn(*args, **case["kwargs"])

    if isinstance(out, list):
        _assert_close(_data(out), case["value"], "value")
        root = dot(out, case["output_weights"])
    else:
        assert isinstance(out, Value)
        _assert_close(out.data, case["value"], "value")
        root = out
    if case["grad_args"]:
        root.backward()
        for i, expected in zip(case["grad_args"], case["grads"]):
            _assert_close(_grads(args[i]), expected, f"d/d args[{i}]")
