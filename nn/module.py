"""Neural-network building blocks on the engine: Module, Neuron, Layer and MLP.

The shapes are micrograd's: a Neuron computes ``activation(b + w·x)``, a Layer is a tuple of
Neurons that read the same input, an MLP is a list of Layers. What differs:

- A neuron's pre-activation ``z = b + w·x`` is one ``engine.dot`` node, not 2n binary nodes:
  the bias is the weight of a constant input 1, ``z = (b, w0, w1, ...)·(1, x0, x1, ...)``.
  A forward pass builds two nodes per neuron (the dot and the activation; one for "linear").
  The bias comes first, so z adds up in micrograd's order, b + w0·x0 + w1·x1 + ...
- Every parameter and every neuron output carries a label, ``"L0.N3.w1"`` (layer 0, neuron 3,
  weight 1; all indices from 0), ``"L0.N3.b"`` (its bias), ``"L0.N3.z"`` (its pre-activation) and
  ``"L0.N3"`` (its output), so a drawing of the graph can say which neuron a node belongs to;
  ``neuron_of`` turns a label back into the neuron's name (the drawing's ``collapse`` argument).
- Weights come from a seedable ``random.Random`` (the ``seed`` argument: an int >= 0 (a numpy
  integer too), a ``random.Random`` to draw from, or None for a fresh unseeded one): the same
  seed gives the same model on every run. They are drawn from uniform(-1, 1) as in micrograd;
  biases start at 0.
- ``MLP`` returns a single Value when its last layer has one output and a list otherwise; a
  ``Layer`` always returns a list.
- An input is a sequence of nin finite numbers or Values (a list, a tuple, a 1-D numpy array);
  anything else is refused by name before a node is built: NaN, ±inf and numbers beyond the
  float range (``MLP: x[0] must be finite, got inf``), and inputs that only look like sequences
  (a dict, a set, a str, bytes). A forward pass that overflows a float names the input and the
  neuron (``MLP: x = [1e+200, 1.0]: the pre-activation L0.N1.z = b + w·(its inputs) ...``).
- ``batch(X)`` gives the outputs for many inputs at once. For a Layer and an MLP it is an
  optimisation, fenced off at the end of each class: it builds exactly the graph of
  ``[model(x) for x in X]``, with each weight read once per batch (``engine.dots``).

>>> model = MLP(3, [4, 4, 1], activation="tanh", seed=0)
>>> model
MLP(3, [4, 4, 1], activation='tanh', output_activation='linear')
>>> len(model.parameters())
41
>>> out = model([2.0, 3.0, -1.0])
>>> out.label, out.op, len(out.children)  # (b, w0, w1, w2, w3)·(1, h0, h1, h2, h3)
('L2.N0', 'dot', 10)
"""

from __future__ import annotations

import math
import numbers
import random
from collections.abc import Callable, Iterable, Mapping, Sequence, Set
from itertools import repeat
from typing import cast

from engine import Constant, Rows, Value, dot, dots, no_grad
from engine.value import check_real

__all__ = ["ACTIVATIONS", "MLP", "Layer", "Module", "Neuron", "check_inputs", "check_seed", "neuron_of"]

Input = Sequence["Value | float"]

# The activations by name. "linear" is None rather than an identity function so that a linear
# neuron's output is its dot node itself: no extra node that would only copy it.
ACTIVATIONS: dict[str, Callable[[Value], Value] | None] = {
    "relu": Value.relu,
    "leaky_relu": Value.leaky_relu,  # slope 0.01, PyTorch's default
    "tanh": Value.tanh,
    "sigmoid": Value.sigmoid,
    "linear": None,
}


def _check_activation(where: str, argument: str, activation: object) -> str:
    """Return the activation name, or raise TypeError or ValueError listing the ones there are."""
    names = ", ".join(repr(name) for name in ACTIVATIONS)
    if not isinstance(activation, str):
        raise TypeError(
            f"{where}: {argument} must be a str, one of {names}, got {type(activation).__name__}: {activation!r:.80}"
        )
    if activation not in ACTIVATIONS:
        raise ValueError(f"{where}: {argument} must be one of {names}, got {activation!r}")
    return activation


def _check_width(where: str, argument: str, n: object) -> int:
    """Return n as an int, or raise when it is not a whole number >= 1."""
    if isinstance(n, bool) or not isinstance(n, int):
        raise TypeError(f"{where}: {argument} must be an int, got {type(n).__name__}: {n!r}")
    if n < 1:
        raise ValueError(f"{where}: {argument} must be >= 1, got {n}")
    return n


def _shown(value: object, limit: int = 80) -> str:
    """Return repr(value) cut to about `limit` characters, for showing a bad value in a message."""
    try:
        text = repr(value)
    except ValueError:  # an int of more than 4,300 digits has no repr
        text = f"an int of {value.bit_length()} bits" if isinstance(value, int) else "?"
    return text if len(text) <= limit else f"{text[: limit - 14]}... ({len(text)} chars)"


def check_seed(where: str, seed: object, expected: str = "an int >= 0 or None") -> int | None:
    """Return seed as an int (None stays None), or raise naming `where` unless it is an int >= 0.

    nn's one rule for seeds, shared by the models, the data makers and ``fit``: a Python or
    numpy integer >= 0, or None for a fresh unseeded stream. A float, a bool or a negative
    number would be accepted by ``random.Random`` and silently mean something else.

    >>> check_seed("demo", 7), check_seed("demo", None)
    (7, None)
    >>> check_seed("demo", -1)
    Traceback (most recent call last):
      ...
    ValueError: demo: seed must be an int >= 0 or None, got -1
    """
    if seed is None:
        return None
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral):
        shown = f"{type(seed).__name__}: {_shown(seed)}"
        raise TypeError(f"{where}: seed must be {expected}, got {shown}")
    if seed < 0:
        raise ValueError(f"{where}: seed must be {expected}, got {_shown(int(seed))}")
    return int(seed)


def _rng(where: str, seed: object) -> random.Random:
    """Return a random.Random: the one given, or a new one seeded with seed (None: from the OS)."""
    if isinstance(seed, random.Random):
        return seed
    return random.Random(check_seed(where, seed, "an int >= 0, a random.Random or None"))


# Things with a length and items that are still not an input: a dict would be read as its keys,
# a set in no fixed order, text and bytes as characters or byte values.
_NOT_INPUTS = (str, bytes, bytearray, memoryview, Value, Mapping, Set)


def _check_input(where: str, x: object, nin: int, index: int | None = None) -> tuple[Value, ...]:
    """Return x as a tuple of nin Values (plain numbers wrapped as Constants), or raise naming x.

    `index` names the input as ``X[index]`` (an input of a batch) rather than ``x``; it is
    formatted only when something is wrong, since every forward pass comes through here.
    """
    if (
        (type(x) is tuple or type(x) is list)
        and len(x) == nin
        and all(map(isinstance, x, repeat(float)))
        and all(map(math.isfinite, x))
    ):  # the common case, finite floats, with each number checked once and in C
        return tuple(map(Constant, x))
    name = "x" if index is None else f"X[{index}]"
    items = cast("Sequence[object]", x)
    try:
        size = None if isinstance(x, _NOT_INPUTS) or not hasattr(x, "__getitem__") else len(items)
    except TypeError:  # no length after all: a 0-d numpy array
        size = None
    if size is None:
        raise TypeError(
            f"{where}: {name} must be a sequence of {nin} numbers or Values, got {type(x).__name__}: {_shown(x)}"
        )
    if size != nin:
        raise ValueError(f"{where}: {name} must have {nin} inputs (the model's nin), got {size}")
    return tuple(
        xi if isinstance(xi, Value) else Constant(check_real(xi, where, f"{name}[{i}]")) for i, xi in enumerate(items)
    )


def check_inputs(where: str, X: Iterable[Input], nin: int) -> list[tuple[Value, ...]]:
    """Return each input of X as a tuple of nin Values, or raise naming the input (``X[3][1]``).

    The rule of every nn model's input: a sequence of nin finite numbers or Values (plain
    numbers become Constants). ``fit`` checks its X with it before training.

    >>> [[v.data for v in x] for x in check_inputs("demo", [[1, 2.5]], nin=2)]
    [[1.0, 2.5]]
    >>> check_inputs("demo", [[1.0, 2.0], [3.0, float("inf")]], nin=2)
    Traceback (most recent call last):
      ...
    ValueError: demo: X[1][1] must be finite, got inf
    """
    if isinstance(X, _NOT_INPUTS) or not isinstance(X, Iterable):
        raise TypeError(f"{where}: X must be an iterable of inputs, got {type(X).__name__}: {_shown(X)}")
    return [_check_input(where, x, nin, i) for i, x in enumerate(X)]


def _overflow_error(
    where: str,
    stages: Sequence[Sequence[Neuron]],
    inputs: Sequence[tuple[Value, ...]],
    batch: bool,
    error: Exception,
) -> OverflowError:
    """Return the error naming the input and the neuron whose forward pass overflowed a float.

    Only a pre-activation b + w·x can overflow (every activation maps a finite number to a
    finite one), so the inputs are run again, neuron by neuron, until one fails: the error path
    only, so the forward pass itself stays one ``engine.dots`` call per layer.
    """
    one = Constant(1.0)
    with no_grad():
        for j, x in enumerate(inputs):
            h = (one, *x)
            for neurons in stages:
                outputs = []
                for neuron in neurons:
                    try:
                        z = dot(neuron._bias_and_weights, h)
                    except (ArithmeticError, ValueError):
                        name = f"X[{j}]" if batch else "x"
                        return OverflowError(
                            f"{where}: {name} = {_shown([v.data for v in x])}: the pre-activation "
                            f"{neuron._z_label} = b + w·(its inputs) overflows a float"
                        )
                    outputs.append(neuron._output(z))
                h = (one, *outputs)
    return OverflowError(f"{where}: the forward pass overflows a float ({error})")


class Module:
    """Base class of everything with parameters: lists them and zeroes their gradients."""

    __slots__ = ()

    def parameters(self) -> list[Value]:
        """Return the trainable Values, in a fixed order (see each subclass)."""
        return []

    def zero_grad(self) -> None:
        """Set the gradient of every parameter to 0."""
        for p in self.parameters():
            p.grad = 0.0

    def num_parameters(self) -> int:
        """Return the number of trainable Values."""
        return len(self.parameters())

    def __call__(self, x: Input) -> Value | list[Value]:
        """Return the output for one input (see each subclass)."""
        raise NotImplementedError(f"{type(self).__name__} does not define __call__")

    def batch(self, X: Iterable[Input]) -> list[Value] | list[list[Value]]:
        """Return ``[self(x) for x in X]``: the outputs for many inputs, one graph for each."""
        return [self(x) for x in X]  # type: ignore[return-value]


class Neuron(Module):
    """One neuron: ``activation(b + w·x)``, with nin weights drawn from uniform(-1, 1) and bias 0.

    ``w`` is a tuple of Values (set a weight with ``neuron.w[0].data = 0.5``), ``b`` a Value.
    ``name`` prefixes the labels of its parameters (``name.w0``, ..., ``name.b``), of its
    pre-activation (``name.z``) and of its output (``name``).

    >>> neuron = Neuron(2, activation="sigmoid", seed=1)
    >>> neuron
    Neuron(2, activation='sigmoid')
    >>> [p.label for p in neuron.parameters()]
    ['N.w0', 'N.w1', 'N.b']
    >>> neuron.w[0].data, neuron.w[1].data = 2.0, -1.0
    >>> out = neuron([1.5, 0.5])  # sigmoid(0 + 2·1.5 - 1·0.5)
    >>> round(out.data, 6), out.label, out.children[0].label
    (0.924142, 'N', 'N.z')
    """

    __slots__ = ("_activate", "_bias_and_weights", "_z_label", "activation", "name")

    activation: str
    name: str

    def __init__(
        self,
        nin: int,
        activation: str = "relu",
        seed: int | random.Random | None = None,
        name: str = "N",
    ) -> None:
        nin = _check_width("Neuron", "nin", nin)
        self.activation = _check_activation("Neuron", "activation", activation)
        self._activate = ACTIVATIONS[activation]
        rng = _rng("Neuron", seed)
        self.name = name
        weights = [Value(rng.uniform(-1.0, 1.0), label=f"{name}.w{i}") for i in range(nin)]
        # Kept as one tuple, bias first: the row of the neuron's dot node (see Layer.batch).
        self._bias_and_weights = (Value(0.0, label=f"{name}.b"), *weights)
        self._z_label = f"{name}.z"  # built once here, so a forward pass formats no strings

    @property
    def w(self) -> tuple[Value, ...]:
        """The weights, one per input."""
        return self._bias_and_weights[1:]

    @property
    def b(self) -> Value:
        """The bias."""
        return self._bias_and_weights[0]

    @property
    def nin(self) -> int:
        """The number of inputs."""
        return len(self._bias_and_weights) - 1

    def __call__(self, x: Input) -> Value:
        """Return the neuron's output for the input x (nin numbers or Values)."""
        inputs = _check_input("Neuron", x, self.nin)
        try:
            z = dot(self._bias_and_weights, (1.0, *inputs))  # b·1 + w0·x0 + ...: one node
        except (ArithmeticError, ValueError) as error:
            raise _overflow_error("Neuron", [[self]], [inputs], False, error) from error
        return self._output(z)

    def _output(self, z: Value) -> Value:
        """Return the activation of the pre-activation z, both labelled."""
        activate = self._activate
        if activate is None:  # linear: the pre-activation is the output
            z.label = self.name
            return z
        z.label = self._z_label
        out = activate(z)
        out.label = self.name
        return out

    def parameters(self) -> list[Value]:
        """Return the weights, then the bias (micrograd's order)."""
        return [*self.w, self.b]

    def __repr__(self) -> str:
        return f"Neuron({self.nin}, activation={self.activation!r})"


class Layer(Module):
    """nout neurons reading the same nin inputs; calling it returns a list of nout Values.

    Its neurons are named ``name.N0``, ``name.N1``, ...

    >>> layer = Layer(2, 3, activation="tanh", seed=0, name="L0")
    >>> layer
    Layer(2, 3, activation='tanh')
    >>> [out.label for out in layer([1.0, -1.0])]
    ['L0.N0', 'L0.N1', 'L0.N2']
    """

    __slots__ = ("_neurons", "_rows", "name")

    name: str

    def __init__(
        self,
        nin: int,
        nout: int,
        activation: str = "relu",
        seed: int | random.Random | None = None,
        name: str = "L",
    ) -> None:
        nin = _check_width("Layer", "nin", nin)
        nout = _check_width("Layer", "nout", nout)
        _check_activation("Layer", "activation", activation)
        rng = _rng("Layer", seed)  # one stream for all neurons, drawn neuron by neuron
        self.name = name
        self._neurons = tuple(Neuron(nin, activation, rng, name=f"{name}.N{j}") for j in range(nout))
        # The rows of the layer's dot nodes, checked once here rather than on every forward pass:
        # the neurons and their (bias, weights) tuples never change, only the numbers in them.
        self._rows = Rows(neuron._bias_and_weights for neuron in self._neurons)

    @property
    def neurons(self) -> tuple[Neuron, ...]:
        """The neurons, in order (a tuple: a layer's neurons are fixed when it is made)."""
        return self._neurons

    @property
    def nin(self) -> int:
        """The number of inputs."""
        return self.neurons[0].nin

    @property
    def nout(self) -> int:
        """The number of outputs (neurons)."""
        return len(self.neurons)

    @property
    def activation(self) -> str:
        """The activation of the layer's neurons."""
        return self.neurons[0].activation

    def __call__(self, x: Input) -> list[Value]:
        """Return ``[neuron(x) for neuron in self.neurons]``, built by the fast path below."""
        inputs = [_check_input("Layer", x, self.nin)]
        try:
            return self._forward([(Constant(1.0), *inputs[0])])[0]
        except (ArithmeticError, ValueError) as error:
            raise _overflow_error("Layer", [self.neurons], inputs, False, error) from error

    def parameters(self) -> list[Value]:
        """Return the neurons' parameters, neuron by neuron (each: weights, then bias)."""
        return [p for neuron in self.neurons for p in neuron.parameters()]

    def __repr__(self) -> str:
        return f"Layer({self.nin}, {self.nout}, activation={self.activation!r})"

    # ------------------------------------------------------------ the fast path: many inputs

    def batch(self, X: Iterable[Input]) -> list[list[Value]]:
        """Return ``[self(x) for x in X]``: the same graph, node for node, built faster.

        An optimisation only: ``engine.dots`` reads each neuron's numbers once for the whole
        batch instead of once per input, and every dot node keeps the neuron's own
        (b, w0, w1, ...) tuple and the input's (1, x0, x1, ...) tuple as they are, so no
        operand tuple is made per neuron. ``python -m benchmarks`` times the training step it
        is for.

        >>> layer = Layer(2, 3, seed=0)
        >>> X = [[0.5, -1.0], [2.0, 0.25]]
        >>> [[v.data for v in out] for out in layer.batch(X)] == [
        ...     [neuron(x).data for neuron in layer.neurons] for x in X]
        True
        """
        inputs = check_inputs("Layer.batch", X, self.nin)
        one = Constant(1.0)  # the input that multiplies each bias, shared by the whole batch
        try:
            return self._forward([(one, *x) for x in inputs])
        except (ArithmeticError, ValueError) as error:
            raise _overflow_error("Layer.batch", [self.neurons], inputs, True, error) from error

    def _forward(self, inputs: Sequence[tuple[Value, ...]]) -> list[list[Value]]:
        """Return the outputs for checked inputs, each given as (1, x0, x1, ...)."""
        neurons = self.neurons
        return [[neuron._output(z) for neuron, z in zip(neurons, zs)] for zs in dots(self._rows, inputs)]


class MLP(Module):
    """A multi-layer perceptron: layers of sizes ``nouts`` after an input of size ``nin``.

    Hidden layers use ``activation``, the last one ``output_activation`` (micrograd's defaults:
    relu hidden layers and a linear output, a raw score). Calling the model on one input (nin
    numbers or Values) returns a single Value when the last layer has one neuron, otherwise a list
    of Values. Layers are named ``L0``, ``L1``, ..., so labels read ``L1.N4.w0``.

    ``parameters()`` lists layer by layer, neuron by neuron, each neuron's weights then its bias:
    micrograd's order, so weights can be copied from a micrograd MLP of the same shape with
    ``for mine, theirs in zip(model.parameters(), other.parameters()): mine.data = theirs.data``.

    >>> model = MLP(2, [16, 16, 1], seed=42)
    >>> model.num_parameters()
    337
    >>> model([0.5, -0.25])  # one output: a Value
    Value(label='L2.N0', data=..., grad=0, op='dot')
    >>> len(MLP(2, [3, 2], seed=0)([0.5, -0.25]))  # two outputs: a list
    2
    """

    __slots__ = ("layers",)

    layers: list[Layer]

    def __init__(
        self,
        nin: int,
        nouts: Sequence[int],
        activation: str = "relu",
        output_activation: str = "linear",
        seed: int | random.Random | None = None,
    ) -> None:
        nin = _check_width("MLP", "nin", nin)
        if isinstance(nouts, int) or not isinstance(nouts, Sequence) or len(nouts) == 0:
            raise ValueError(f"MLP: nouts must be a non-empty list of layer sizes, got {nouts!r}")
        for i, n in enumerate(nouts):
            _check_width("MLP", f"nouts[{i}]", n)
        _check_activation("MLP", "activation", activation)
        _check_activation("MLP", "output_activation", output_activation)
        rng = _rng("MLP", seed)  # one stream for the whole model: layer by layer, neuron by neuron
        sizes = [nin, *nouts]
        last = len(nouts) - 1
        self.layers = [
            Layer(sizes[i], sizes[i + 1], output_activation if i == last else activation, rng, name=f"L{i}")
            for i in range(len(nouts))
        ]

    @property
    def nin(self) -> int:
        """The number of inputs."""
        return self.layers[0].nin

    @property
    def nouts(self) -> list[int]:
        """The layer sizes."""
        return [layer.nout for layer in self.layers]

    @property
    def activation(self) -> str:
        """The hidden layers' activation (the output layer's when there is only one layer)."""
        return self.layers[0].activation

    @property
    def output_activation(self) -> str:
        """The last layer's activation."""
        return self.layers[-1].activation

    def __call__(self, x: Input) -> Value | list[Value]:
        """Return the output for one input: a Value if the last layer has one neuron, else a list.

        The same as feeding x through the layers in turn (``for layer in self.layers: x =
        layer(x)``), built by the fast path below.
        """
        inputs = [_check_input("MLP", x, self.nin)]
        try:
            (outputs,) = self._forward(inputs)
        except (ArithmeticError, ValueError) as error:
            raise _overflow_error("MLP", self._stages(), inputs, False, error) from error
        return outputs[0] if len(outputs) == 1 else outputs

    def predict(self, X: Iterable[Input]) -> list[float] | list[list[float]]:
        """Return the outputs for many inputs as plain floats, without building a graph.

        For evaluation and plots (a decision boundary over a grid): one float per input when the
        last layer has one neuron, otherwise one list of floats per input.

        >>> MLP(2, [4, 1], seed=0).predict([[0.0, 0.0], [1.0, 1.0]])[0]
        0.0
        """
        with no_grad():
            outputs = self.batch(X)
        if self.layers[-1].nout == 1:
            return [out.data for out in outputs]  # type: ignore[union-attr]
        return [[v.data for v in out] for out in outputs]  # type: ignore[union-attr]

    def _stages(self) -> list[tuple[Neuron, ...]]:
        """Return the neurons layer by layer (what `_overflow_error` runs again)."""
        return [layer.neurons for layer in self.layers]

    def parameters(self) -> list[Value]:
        """Return every parameter: layer by layer, neuron by neuron, weights then bias."""
        return [p for layer in self.layers for p in layer.parameters()]

    def __repr__(self) -> str:
        return (
            f"MLP({self.nin}, {self.nouts}, activation={self.activation!r}, "
            f"output_activation={self.output_activation!r})"
        )

    # ------------------------------------------------------------ the fast path: many inputs

    def batch(self, X: Iterable[Input]) -> list[Value] | list[list[Value]]:
        """Return ``[self(x) for x in X]``: the same graph, node for node, built faster.

        An optimisation only (see `Layer.batch`): each layer reads its weights once for the
        whole batch, and a single constant 1 multiplies every bias of the pass.

        >>> model = MLP(2, [3, 1], seed=0)
        >>> X = [[0.5, -1.0], [2.0, 0.25]]
        >>> [out.data for out in model.batch(X)] == [model(x).data for x in X]
        True
        """
        inputs = check_inputs("MLP.batch", X, self.nin)
        try:
            outputs = self._forward(inputs)
        except (ArithmeticError, ValueError) as error:
            raise _overflow_error("MLP.batch", self._stages(), inputs, True, error) from error
        if self.layers[-1].nout == 1:
            return [out[0] for out in outputs]
        return outputs

    def _forward(self, inputs: Sequence[tuple[Value, ...]]) -> list[list[Value]]:
        """Return the last layer's outputs for checked inputs, layer by layer for all of them."""
        one = Constant(1.0)  # the input that multiplies each bias, shared by the whole pass
        outputs = self.layers[0]._forward([(one, *x) for x in inputs])
        for layer in self.layers[1:]:
            outputs = layer._forward([(one, *h) for h in outputs])
        return outputs


def neuron_of(node: Value) -> str | None:
    """Return the name of the neuron a node belongs to (from its label), or None.

    Parameters (``L0.N3.w1``, ``L0.N3.b``), pre-activations (``L0.N3.z``) and outputs (``L0.N3``)
    all belong to ``L0.N3``. Meant as the ``collapse`` argument of the graph drawing, to draw
    each neuron as one box.

    >>> neuron_of(Value(0.0, label="L0.N3.w1")), neuron_of(Value(0.0, label="L0.N3"))
    ('L0.N3', 'L0.N3')
    >>> neuron_of(Value(1.0)) is None
    True
    """
    label = node.label
    if not label:
        return None
    head, _, tail = label.rpartition(".")
    if (tail.startswith("N") and tail[1:].isdigit()) or tail == "N":
        return label
    if head and (tail in ("b", "z") or (tail.startswith("w") and tail[1:].isdigit())):
        return head
    return None
