"""The limit for pure Python: micrograd's moons workload written out by hand, with no graph at all.

An MLP(2, [16, 16, 1]) (ReLU hidden layers, a linear output) trained on the moons with micrograd's
loss (the mean hinge loss ``max(0, 1 - y·score)`` plus ``1e-4 · Σ p²``) and plain SGD. Forward,
backward and update are lists and loops, each derivative written by hand: this is what the engine
saves you from writing, and the fastest a plain-Python training step can reasonably be. The
benchmark times lossgrad against it, and checks that both compute the same loss at every step.

>>> from nn.data import make_moons
>>> X, y = make_moons(20, noise=0.1, seed=0, labels="pm1")
>>> model = HandwrittenMLP.from_parameters(2, [16, 16, 1], [0.1] * HandwrittenMLP.count_parameters(2, [16, 16, 1]))
>>> first = model.train_step(X, y, learning_rate=0.5)
>>> second = model.train_step(X, y, learning_rate=0.5)
>>> second < first
True
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import pairwise

__all__ = ["REGULARIZATION", "HandwrittenMLP"]

# micrograd's demo: loss = mean hinge + REGULARIZATION · Σ p².
REGULARIZATION = 1e-4


class HandwrittenMLP:
    """An MLP with ReLU hidden layers and a linear output, its gradients computed by hand.

    ``weights[layer][neuron]`` is that neuron's list of input weights and ``biases[layer][neuron]``
    its bias: the same numbers, in the same order, as micrograd's and lossgrad's ``parameters()``.
    """

    def __init__(self, weights: list[list[list[float]]], biases: list[list[float]]) -> None:
        self.weights = weights
        self.biases = biases

    @staticmethod
    def count_parameters(nin: int, nouts: Sequence[int]) -> int:
        """Return the number of parameters of MLP(nin, nouts): each neuron's weights and its bias."""
        sizes = [nin, *nouts]
        return sum((sizes[i] + 1) * sizes[i + 1] for i in range(len(nouts)))

    @classmethod
    def from_parameters(cls, nin: int, nouts: Sequence[int], parameters: Sequence[float]) -> HandwrittenMLP:
        """Return the MLP whose parameters, read layer by layer and neuron by neuron (weights, then bias), are given."""
        expected = cls.count_parameters(nin, nouts)
        if len(parameters) != expected:
            raise ValueError(
                f"HandwrittenMLP.from_parameters: parameters must have {expected} numbers "
                f"for MLP({nin}, {list(nouts)}), got {len(parameters)}"
            )
        values = iter(float(p) for p in parameters)
        weights: list[list[list[float]]] = []
        biases: list[list[float]] = []
        sizes = [nin, *nouts]
        for fan_in, width in pairwise(sizes):
            layer_weights, layer_biases = [], []
            for _ in range(width):
                layer_weights.append([next(values) for _ in range(fan_in)])
                layer_biases.append(next(values))
            weights.append(layer_weights)
            biases.append(layer_biases)
        return cls(weights, biases)

    def parameters(self) -> list[float]:
        """Return every parameter as a flat list, in micrograd's order."""
        flat: list[float] = []
        for layer_weights, layer_biases in zip(self.weights, self.biases):
            for row, bias in zip(layer_weights, layer_biases):
                flat.extend(row)
                flat.append(bias)
        return flat

    def forward(self, x: Sequence[float]) -> list[list[float]]:
        """Return the activations of every layer for one input, the input itself first."""
        activations = [list(x)]
        last = len(self.weights) - 1
        for index, (layer_weights, layer_biases) in enumerate(zip(self.weights, self.biases)):
            inputs = activations[-1]
            outputs = []
            for row, bias in zip(layer_weights, layer_biases):
                pre_activation = bias
                for w, a in zip(row, inputs):
                    pre_activation += w * a
                # ReLU on hidden layers; the output layer is linear (micrograd's MLP)
                outputs.append(pre_activation if index == last or pre_activation > 0.0 else 0.0)
            activations.append(outputs)
        return activations

    def train_step(
        self,
        X: Sequence[Sequence[float]],
        y: Sequence[int],
        learning_rate: float,
        skip_zero_gradients: bool = True,
    ) -> float:
        """Return the loss before one full-batch SGD step on (X, y), and take the step.

        By default an example with no hinge loss, and a ReLU that output 0, pass no gradient back
        and are skipped, as anyone writing this by hand would; ``skip_zero_gradients=False`` does
        every multiplication anyway (the same result, in two to three times the time).
        """
        weight_grads = [[[0.0] * len(row) for row in layer] for layer in self.weights]
        bias_grads = [[0.0] * len(layer) for layer in self.biases]
        last = len(self.weights) - 1
        n = len(X)
        data_loss = 0.0
        for x, label in zip(X, y):
            activations = self.forward(x)
            score = activations[-1][0]
            margin = 1.0 - label * score
            if margin <= 0.0 and skip_zero_gradients:
                continue  # max(0, margin) is flat here: no loss, no gradient from this example
            data_loss += max(margin, 0.0)
            # d(loss)/d(score) = -label / n where the hinge is active; walk it back through the layers
            output_grads = [-label / n if margin > 0.0 else 0.0]
            for index in range(last, -1, -1):
                inputs = activations[index]
                outputs = activations[index + 1]
                layer_weights = self.weights[index]
                layer_weight_grads = weight_grads[index]
                layer_bias_grads = bias_grads[index]
                input_grads = [0.0] * len(inputs)
                for neuron, (grad, out) in enumerate(zip(output_grads, outputs)):
                    if index != last and out <= 0.0:
                        if skip_zero_gradients:
                            continue  # a ReLU that output 0 passes no gradient back
                        grad = 0.0
                    layer_bias_grads[neuron] += grad
                    row_grads = layer_weight_grads[neuron]
                    row = layer_weights[neuron]
                    for k in range(len(inputs)):
                        row_grads[k] += grad * inputs[k]
                        input_grads[k] += grad * row[k]
                output_grads = input_grads
        loss = data_loss / n
        # L2 term: d(α·p²)/dp = 2αp; then the SGD update p -= lr · grad
        for layer_weights, layer_biases, layer_weight_grads, layer_bias_grads in zip(
            self.weights, self.biases, weight_grads, bias_grads
        ):
            for neuron, row in enumerate(layer_weights):
                row_grads = layer_weight_grads[neuron]
                for k, w in enumerate(row):
                    loss += REGULARIZATION * w * w
                    row[k] = w - learning_rate * (row_grads[k] + 2.0 * REGULARIZATION * w)
                b = layer_biases[neuron]
                loss += REGULARIZATION * b * b
                layer_biases[neuron] = b - learning_rate * (layer_bias_grads[neuron] + 2.0 * REGULARIZATION * b)
        return loss
