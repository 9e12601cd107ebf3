"""lossgrad's nn: neurons, layers and MLPs on the engine, optimizers, toy data sets, a training loop."""

from .data import make_blobs, make_moons, make_xor
from .module import MLP, Layer, Module, Neuron, neuron_of
from .optim import SGD, Adam, Optimizer
from .train import DivergenceError, History, fit

__all__ = [
    "Module",
    "Neuron",
    "Layer",
    "MLP",
    "neuron_of",
    "Optimizer",
    "SGD",
    "Adam",
    "make_moons",
    "make_blobs",
    "make_xor",
    "fit",
    "History",
    "DivergenceError",
]
