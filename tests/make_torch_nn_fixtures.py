"""Write tests/fixtures/torch_adam_sgd_trajectories.json: optimizer trajectories computed by PyTorch.

Only needed to regenerate the fixture (``pip install torch==2.13.0``, then
``python tests/make_torch_nn_fixtures.py``); the tests read the JSON and never import torch.

The model is the post's micrograd chapter network, MLP(3, [4, 4, 1]) with tanh hidden layers and a
linear output, trained on its four examples with mean squared error, written here with float64
tensors. Its initial parameters come from random.Random(seed) and are stored in nn's
``parameters()`` order (layer by layer, neuron by neuron, weights then bias), so the test can load
them into an ``nn.MLP`` and replay each optimizer with lossgrad.

torch is imported inside the functions, so that pytest's doctest collection can import this file
on a machine without torch.
"""

from __future__ import annotations

import itertools
import json
import os
import random
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import torch

XS = [[2.0, 3.0, -1.0], [3.0, -1.0, 0.5], [0.5, 1.0, 1.0], [1.0, 1.0, -1.0]]
YS = [1.0, -1.0, -1.0, 1.0]
SIZES = [3, 4, 4, 1]
STEPS = 25
SEED = 7

CASES = [
    {"name": "adam", "optimizer": "Adam", "kwargs": {"lr": 0.05}},
    {
        "name": "adam_betas_eps_decay",
        "optimizer": "Adam",
        "kwargs": {"lr": 0.02, "betas": [0.8, 0.99], "eps": 1e-6, "weight_decay": 0.01},
    },
    {"name": "sgd_momentum", "optimizer": "SGD", "kwargs": {"lr": 0.02, "momentum": 0.9}},
    {"name": "sgd_momentum_decay", "optimizer": "SGD", "kwargs": {"lr": 0.02, "momentum": 0.5, "weight_decay": 0.1}},
    {"name": "sgd_plain", "optimizer": "SGD", "kwargs": {"lr": 0.05}},
]


def initial_parameters(seed: int) -> list[float]:
    """Return the flat initial parameters in nn order: uniform(-1, 1) weights and biases."""
    rng = random.Random(seed)
    count = sum((nin + 1) * nout for nin, nout in itertools.pairwise(SIZES))
    return [rng.uniform(-1.0, 1.0) for _ in range(count)]


def unflatten(flat: list[float]) -> list[tuple[torch.Tensor, torch.Tensor]]:
    """Return (weight matrix, bias vector) per layer from the flat nn-order list, as leaf tensors."""
    import torch

    layers, i = [], 0
    for nin, nout in itertools.pairwise(SIZES):
        rows, biases = [], []
        for _ in range(nout):
            rows.append(flat[i : i + nin])
            biases.append(flat[i + nin])
            i += nin + 1
        weight = torch.tensor(rows, dtype=torch.float64, requires_grad=True)
        bias = torch.tensor(biases, dtype=torch.float64, requires_grad=True)
        layers.append((weight, bias))
    return layers


def flatten(layers: list[tuple[torch.Tensor, torch.Tensor]]) -> list[float]:
    """Return the parameters as a flat list in nn order."""
    flat: list[float] = []
    for weight, bias in layers:
        for row, b in zip(weight.tolist(), bias.tolist()):
            flat.extend(row)
            flat.append(b)
    return flat


def loss_of(layers: list[tuple[torch.Tensor, torch.Tensor]]) -> torch.Tensor:
    """Return the mean squared error of the MLP on the four examples."""
    import torch

    h = torch.tensor(XS, dtype=torch.float64)
    for k, (weight, bias) in enumerate(layers):
        h = h @ weight.T + bias
        if k < len(layers) - 1:
            h = torch.tanh(h)
    return ((h[:, 0] - torch.tensor(YS, dtype=torch.float64)) ** 2).mean()


def trajectory(case: dict, start: list[float]) -> dict:
    """Return the losses before each step and the parameters after each step, for one optimizer."""
    import torch

    layers = unflatten(start)
    tensors = [t for pair in layers for t in pair]
    kwargs = dict(case["kwargs"])
    if "betas" in kwargs:
        kwargs["betas"] = tuple(kwargs["betas"])
    optimizer = getattr(torch.optim, case["optimizer"])(tensors, **kwargs)
    losses, params = [], []
    for _ in range(STEPS):
        optimizer.zero_grad()
        loss = loss_of(layers)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
        params.append(flatten(layers))
    return {**case, "losses": losses, "params": params}


def main() -> None:
    import torch

    torch.set_default_dtype(torch.float64)
    start = initial_parameters(SEED)
    fixture = {
        "about": "PyTorch float64 optimizer trajectories on MLP(3, [4, 4, 1]), tanh hidden, linear output, MSE",
        "torch_version": torch.__version__,
        "xs": XS,
        "ys": YS,
        "sizes": SIZES,
        "steps": STEPS,
        "initial_params": start,
        "cases": [trajectory(case, start) for case in CASES],
    }
    path = Path(__file__).parent / "fixtures" / "torch_adam_sgd_trajectories.json"
    path.parent.mkdir(exist_ok=True)
    temporary = path.with_suffix(".json.tmp")
    temporary.write_text(json.dumps(fixture, indent=1) + "\n")
    os.replace(temporary, path)
    print(f"wrote {path} ({len(CASES)} trajectories of {STEPS} steps, torch {torch.__version__})")


if __name__ == "__main__":
    main()
