"""micrograd's moons workload, three ways: micrograd 0.1.0, lossgrad, and a hand-written loop.

The workload is micrograd's demo: an MLP(2, [16, 16, 1]) with ReLU hidden layers, 100 moons
points labelled -1/+1, loss = mean hinge ``max(0, 1 - y·score)`` + 1e-4 · Σ p², full-batch SGD
with micrograd's schedule ``lr = 1 - 0.9·k/100`` (repeated every 100 steps, so long runs keep a
positive learning rate). A training step is forward, zero_grad, backward and the SGD update.

All three start from micrograd's initial weights (``random.seed(1337)``, as in its demo notebook),
so they compute the same losses step after step; `max_loss_difference` checks that before any timing.
"""

from __future__ import annotations

import importlib
import random
from collections.abc import Sequence
from itertools import pairwise
from types import ModuleType
from typing import Protocol, cast

import engine
from losses import hinge_loss
from nn import MLP, SGD, fit
from nn.data import make_moons

from .handwritten import REGULARIZATION, HandwrittenMLP

__all__ = [
    "INPUTS",
    "LAYER_SIZES",
    "HandwrittenMoons",
    "LossgradFit",
    "LossgradMicrogradLoop",
    "LossgradMoons",
    "LossgradMoonsKeepingLosses",
    "MicrogradMoons",
    "MoonsWorkload",
    "learning_rate",
    "load_micrograd",
    "max_loss_difference",
    "micrograd_initial_parameters",
    "moons_data",
]

INPUTS = 2
LAYER_SIZES = [16, 16, 1]
POINTS = 100
NOISE = 0.1
DATA_SEED = 0
WEIGHT_SEED = 1337  # micrograd's demo notebook

Point = Sequence[float]


class MoonsWorkload(Protocol):
    """One implementation of the moons training loop."""

    name: str

    def step(self) -> float:
        """Return the loss before the update, after taking one full training step."""
        ...


def load_micrograd() -> ModuleType | None:
    """Return the installed micrograd package with its engine and nn imported, or None if it is missing.

    Any version is returned; the benchmark compares against 0.1.0, and its same-loss check shows
    whether another version still computes the same thing.
    """
    try:
        import micrograd.engine  # type: ignore[import-untyped]
        import micrograd.nn  # type: ignore[import-untyped]
    except ImportError:
        return None
    return micrograd


def moons_data(points: int = POINTS) -> tuple[list[tuple[float, float]], list[int]]:
    """Return the moons points and their -1/+1 labels used by every workload."""
    return make_moons(points, noise=NOISE, seed=DATA_SEED, labels="pm1")


def learning_rate(step: int) -> float:
    """Return micrograd's demo learning rate at a step, the schedule restarting every 100 steps."""
    return 1.0 - 0.9 * (step % 100) / 100


def micrograd_initial_parameters(seed: int = WEIGHT_SEED) -> list[float]:
    """Return the initial parameters of micrograd's MLP(2, [16, 16, 1]) after ``random.seed(seed)``.

    micrograd draws each neuron's weights with ``random.uniform(-1, 1)`` from the global generator
    and sets its bias to 0; a private ``random.Random(seed)`` replays the same draws, so this works
    without micrograd installed (`MicrogradMoons` checks it against micrograd's own weights).
    """
    rng = random.Random(seed)
    sizes = [INPUTS, *LAYER_SIZES]
    parameters: list[float] = []
    for fan_in, width in pairwise(sizes):
        for _ in range(width):
            parameters.extend(rng.uniform(-1.0, 1.0) for _ in range(fan_in))
            parameters.append(0.0)
    return parameters


class LossgradMoons:
    """The workload on lossgrad: `nn.MLP`, engine ops for the loss, `nn.SGD`."""

    name = "lossgrad"

    def __init__(self, parameters: Sequence[float], X: Sequence[Point], y: Sequence[int]) -> None:
        self.model = MLP(INPUTS, LAYER_SIZES)
        self.parameters = self.model.parameters()
        if len(self.parameters) != len(parameters):
            raise ValueError(
                f"LossgradMoons: parameters must have {len(self.parameters)} numbers, got {len(parameters)}"
            )
        for p, value in zip(self.parameters, parameters):
            p.data = float(value)
        self.optimizer = SGD(self.parameters, lr=learning_rate(0))
        self.X = [tuple(x) for x in X]
        self.y = list(y)
        self.steps = 0

    def step(self) -> float:
        """Return the loss before the update, after taking one full training step."""
        loss = self.loss(self.forward())
        self.backward(loss)
        self.update()
        return loss.data

    # The phases of a step, separate so that `where_time_goes` can time each.

    def forward(self) -> list[engine.Value]:
        """Return the model's score for every point."""
        return cast(list[engine.Value], self.model.batch(self.X))  # [model(x) for x in X], built faster

    def loss(self, scores: list[engine.Value]) -> engine.Value:
        """Return micrograd's loss: the mean hinge loss plus the L2 term."""
        hinge = [(1.0 - label * score).relu() for label, score in zip(self.y, scores)]
        data_loss = engine.sum(hinge) * (1.0 / len(hinge))
        regularization = REGULARIZATION * engine.sum([p * p for p in self.parameters])
        return data_loss + regularization

    def backward(self, loss: engine.Value) -> None:
        """Zero the parameters' gradients and backpropagate the loss."""
        self.optimizer.zero_grad()
        loss.backward()

    def update(self) -> None:
        """Take the SGD step at this step's learning rate."""
        self.optimizer.lr = learning_rate(self.steps)
        self.optimizer.step()
        self.steps += 1


class LossgradMoonsKeepingLosses(LossgradMoons):
    """The lossgrad workload, keeping every step's loss (and so its whole graph) alive in a list.

    A natural ``history.append(loss)``: it must not make later steps slower or change them.
    """

    name = "lossgrad, losses kept"

    def __init__(self, parameters: Sequence[float], X: Sequence[Point], y: Sequence[int]) -> None:
        super().__init__(parameters, X, y)
        self.kept: list[engine.Value] = []

    def step(self) -> float:
        """Return the loss before the update, after taking one full training step (the loss kept)."""
        loss = self.loss(self.forward())
        self.backward(loss)
        self.update()
        self.kept.append(loss)
        return loss.data


class LossgradMicrogradLoop:
    """micrograd's own training loop, line for line, on lossgrad's `MLP` and `Value`.

    ``[model(x) for x in X]``, the hinge loss and L2 term written with Python's ``sum``, and a
    hand-written SGD update: what a micrograd user writes on switching the import.
    """

    name = "lossgrad, micrograd's loop"

    def __init__(self, parameters: Sequence[float], X: Sequence[Point], y: Sequence[int]) -> None:
        self.model = MLP(INPUTS, LAYER_SIZES)
        self.parameters = self.model.parameters()
        for p, value in zip(self.parameters, parameters):
            p.data = float(value)
        self.X = [list(x) for x in X]
        self.y = list(y)
        self.steps = 0

    def step(self) -> float:
        """Return the loss before the update, after taking one full training step."""
        model = self.model
        scores = [cast(engine.Value, model(x)) for x in self.X]  # one output: a Value each
        losses = [(1 + -label * score).relu() for label, score in zip(self.y, scores)]
        data_loss = sum(losses) * (1.0 / len(losses))
        reg_loss = REGULARIZATION * sum(p * p for p in self.parameters)
        total_loss = data_loss + reg_loss
        for p in self.parameters:
            p.grad = 0.0
        total_loss.backward()  # type: ignore[union-attr]  # a Value: the sums start from Values
        lr = learning_rate(self.steps)
        for p in self.parameters:
            p.data -= lr * p.grad
        self.steps += 1
        return float(total_loss)


class LossgradFit:
    """The workload through `nn.fit`: one call of ``fit(..., epochs=1)`` per step.

    It pays fit's checks and set-up on every step, so it is a conservative figure for fit.
    """

    name = "lossgrad, nn.fit"

    def __init__(self, parameters: Sequence[float], X: Sequence[Point], y: Sequence[int]) -> None:
        self.model = MLP(INPUTS, LAYER_SIZES)
        for p, value in zip(self.model.parameters(), parameters):
            p.data = float(value)
        self.optimizer = SGD(self.model.parameters(), lr=learning_rate(0))
        self.X = [tuple(x) for x in X]
        self.y = list(y)
        self.steps = 0

    def step(self) -> float:
        """Return the loss before the update, after taking one full training step."""
        self.optimizer.lr = learning_rate(self.steps)
        history = fit(self.model, hinge_loss, self.X, self.y, epochs=1, optimizer=self.optimizer, l2=REGULARIZATION)
        self.steps += 1
        return history.loss[-1]


class MicrogradMoons:
    """The workload on micrograd 0.1.0, written as in micrograd's demo notebook."""

    name = "micrograd"

    def __init__(
        self, micrograd: ModuleType, parameters: Sequence[float], X: Sequence[Point], y: Sequence[int]
    ) -> None:
        engine_module = importlib.import_module(f"{micrograd.__name__}.engine")
        nn_module = importlib.import_module(f"{micrograd.__name__}.nn")
        self.Value = engine_module.Value
        state = random.getstate()
        random.seed(WEIGHT_SEED)
        try:
            self.model = nn_module.MLP(INPUTS, LAYER_SIZES)
        finally:
            random.setstate(state)
        self.own_initial_parameters = [p.data for p in self.model.parameters()]
        for p, value in zip(self.model.parameters(), parameters):
            p.data = float(value)
        self.X = [list(x) for x in X]
        self.y = list(y)
        self.steps = 0

    def step(self) -> float:
        """Return the loss before the update, after taking one full training step."""
        Value, model = self.Value, self.model
        inputs = [list(map(Value, row)) for row in self.X]
        scores = list(map(model, inputs))
        losses = [(1 + -label * score).relu() for label, score in zip(self.y, scores)]
        data_loss = sum(losses) * (1.0 / len(losses))
        reg_loss = REGULARIZATION * sum(p * p for p in model.parameters())
        total_loss = data_loss + reg_loss
        model.zero_grad()
        total_loss.backward()
        lr = learning_rate(self.steps)
        for p in model.parameters():
            p.data -= lr * p.grad
        self.steps += 1
        return total_loss.data


class HandwrittenMoons:
    """The workload as lists and loops with hand-written derivatives (`HandwrittenMLP`).

    ``skip_zero_gradients=False`` gives the plainer loop that multiplies through zero gradients.
    """

    name = "hand-written"

    def __init__(
        self,
        parameters: Sequence[float],
        X: Sequence[Point],
        y: Sequence[int],
        skip_zero_gradients: bool = True,
    ) -> None:
        self.model = HandwrittenMLP.from_parameters(INPUTS, LAYER_SIZES, parameters)
        self.X = [tuple(x) for x in X]
        self.y = list(y)
        self.steps = 0
        self.skip_zero_gradients = skip_zero_gradients
        if not skip_zero_gradients:
            self.name = "hand-written, no skipping"

    def step(self) -> float:
        """Return the loss before the update, after taking one full training step."""
        loss = self.model.train_step(self.X, self.y, learning_rate(self.steps), self.skip_zero_gradients)
        self.steps += 1
        return loss


def max_loss_difference(first: MoonsWorkload, second: MoonsWorkload, steps: int = 10) -> float:
    """Return the largest |loss difference| of two fresh workloads over their first `steps` steps."""
    worst = 0.0
    for _ in range(steps):
        worst = max(worst, abs(first.step() - second.step()))
    return worst
