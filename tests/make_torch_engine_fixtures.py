"""Write tests/fixtures/torch_engine.json: PyTorch's values and gradients for the engine's primitives.

Run it only to regenerate the fixtures (it needs torch; the tests do not):

    pip install torch==2.13.0
    python tests/make_torch_engine_fixtures.py

Each case names a primitive (as `tests/test_engine_torch.py` spells it), its number parameters and
an input x, with PyTorch's f(x) and df/dx in float64, x a leaf tensor with requires_grad.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

OUT = Path(__file__).parent / "fixtures" / "torch_engine.json"

POINTS = [-3.0, -1.25, -0.5, -1e-3, 1e-3, 0.5, 1.25, 3.0]
POSITIVE = [1e-3, 0.5, 1.25, 3.0, 20.0]


def torch_primitives() -> dict[str, tuple[Callable[..., Any], list[dict[str, float]], list[float]]]:
    """Return, by name, PyTorch's function of (x, **params), the params to try, and the inputs."""
    import torch
    import torch.nn.functional as F

    return {
        "exp": (torch.exp, [{}], POINTS),
        "log": (torch.log, [{}], POSITIVE),
        "sqrt": (torch.sqrt, [{}], POSITIVE),
        "tanh": (torch.tanh, [{}], POINTS),
        "sigmoid": (torch.sigmoid, [{}], POINTS),
        "relu": (torch.relu, [{}], POINTS),
        "leaky_relu": (
            lambda x, slope: F.leaky_relu(x, negative_slope=slope),
            [{"slope": 0.01}, {"slope": 0.2}, {"slope": 1.5}],
            POINTS,
        ),
        "softplus": (F.softplus, [{}], POINTS),
        "abs": (torch.abs, [{}], POINTS),
        "clip": (lambda x, lo, hi: torch.clamp(x, lo, hi), [{"lo": -1.0, "hi": 2.0}], POINTS),
        "pow": (lambda x, n: x**n, [{"n": 2.0}, {"n": 3.0}, {"n": -1.0}], POINTS),
    }


def main() -> None:
    import torch

    cases: dict[str, dict[str, Any]] = {}
    for name, (fn, parameter_sets, points) in torch_primitives().items():
        for params in parameter_sets:
            for x in points:
                leaf = torch.tensor(x, dtype=torch.float64, requires_grad=True)
                out = fn(leaf, **params)
                out.backward()
                key = f"{name}({', '.join([repr(x), *(f'{k}={v!r}' for k, v in params.items())])})"
                cases[key] = {"op": name, "params": params, "x": x, "value": out.item(), "grad": leaf.grad.item()}
    OUT.write_text(
        json.dumps({"torch": torch.__version__, "cases": cases}, indent=1, sort_keys=True) + "\n", encoding="utf-8"
    )
    print(f"wrote {len(cases)} cases to {OUT}")


if __name__ == "__main__":
    main()
