"""lossgrad's nn: neurons, layers and MLPs on the engine, optimizers, toy data sets, a training loop.

micrograd's moons demo in a few lines (here 20 epochs; micrograd's runs 100 and reaches 100%):

>>> from losses import hinge_loss
>>> from nn import MLP, SGD, fit, make_moons
>>> X, y = make_moons(100, noise=0.1, seed=0, labels="pm1")  # ±1 labels, as hinge_loss wants
>>> model = MLP(2, [16, 16, 1], seed=0)  # relu hidden layers, a linear score out
>>> history = fit(model, hinge_loss, X, y, epochs=20, optimizer=SGD(model.parameters(), lr=1.0),
...               l2=1e-4, lr_schedule=lambda k: 1.0 - 0.9 * k / 100)
>>> history.accuracy[-1] > history.accuracy[0]
True

- ``module``: ``Module``, ``Neuron``, ``Layer``, ``MLP`` (and ``neuron_of`` to draw a neuron as one box).
- ``optim``: ``SGD`` and ``Adam``, with PyTorch's update rules.
- ``data``: ``make_moons``, ``make_blobs``, ``make_xor``: plain lists, labels {0, 1} or {-1, 1}.
- ``train``: ``train_step`` (one step of gradient descent), ``fit`` (the loop over epochs), its
  ``History``, and the ``DivergenceError`` it raises when the loss blows up.
- ``progress``: ``ProgressBar``, the text progress bar of ``fit(progress=True)`` and the demos.
- ``snapshots``: ``Snapshot`` (the parameters, their gradients and each example's logit and push
  at one epoch, read off the graph) and ``Snapshots``, what ``fit(record_every=k)`` keeps.
- ``replay``: ``replay_page``, a self-contained page that replays one or more trainings
  (``ReplayRun``) epoch by epoch; it shows inline in Jupyter and saves with ``.save(path)``.
"""

from .data import make_blobs, make_moons, make_xor
from .module import ACTIVATIONS, MLP, Layer, Module, Neuron, neuron_of
from .optim import SGD, Adam, Optimizer
from .progress import ProgressBar
from .replay import ReplayRun, replay_page
from .snapshots import Snapshot, Snapshots
from .train import DivergenceError, History, fit, train_step

__all__ = [
    "ACTIVATIONS",
    "MLP",
    "SGD",
    "Adam",
    "DivergenceError",
    "History",
    "Layer",
    "Module",
    "Neuron",
    "Optimizer",
    "ProgressBar",
    "ReplayRun",
    "Snapshot",
    "Snapshots",
    "fit",
    "make_blobs",
    "make_moons",
    "make_xor",
    "neuron_of",
    "replay_page",
    "train_step",
]
