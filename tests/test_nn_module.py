"""Tests of nn's Neuron, Layer and MLP: shapes, order, labels, the forward pass, and bad input."""

from __future__ import annotations

import math
import random
from collections.abc import Callable

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine import Value, gradcheck, is_grad_enabled
from nn import MLP, Layer, Module, Neuron, neuron_of


def reference_forward(model: MLP, x: list[float]) -> list[float]:
    """Return the MLP's outputs computed with plain floats, micrograd's way: b + w0·x0 + w1·x1 + ..."""

    def sigmoid(z: float) -> float:  # the engine's overflow-free form
        return 1.0 / (1.0 + math.exp(-z)) if z >= 0 else math.exp(z) / (1.0 + math.exp(z))

    activations = {
        "relu": lambda z: max(z, 0.0),
        "leaky_relu": lambda z: z if z > 0 else 0.01 * z,
        "tanh": math.tanh,
        "linear": lambda z: z,
        "sigmoid": sigmoid,
    }
    h = list(x)
    for layer in model.layers:
        outputs = []
        for neuron in layer.neurons:
            z = neuron.b.data
            for w, xi in zip(neuron.w, h):
                z += w.data * xi
            outputs.append(activations[neuron.activation](z))
        h = outputs
    return h


def neuron_by_neuron(model: MLP, x: list[float] | list[Value]) -> list[Value]:
    """Return the MLP's outputs built by calling each Neuron in turn: the plain definition."""
    h: list[Value] | list[float] = x
    for layer in model.layers:
        h = [neuron(h) for neuron in layer.neurons]
    return h  # type: ignore[return-value]


def graph_nodes(root: Value) -> list[Value]:
    """Return every node below root (root included), each once."""
    seen, stack, nodes = set(), [root], []
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        nodes.append(node)
        stack.extend(node.children)
    return nodes


# ---------------------------------------------------------------- parameters: order, labels, init


def test_parameters_are_listed_layer_by_layer_neuron_by_neuron_weights_then_bias() -> None:
    model = MLP(2, [3, 1], seed=0)
    labels = [p.label for p in model.parameters()]
    assert labels == [
        "L0.N0.w0",
        "L0.N0.w1",
        "L0.N0.b",
        "L0.N1.w0",
        "L0.N1.w1",
        "L0.N1.b",
        "L0.N2.w0",
        "L0.N2.w1",
        "L0.N2.b",
        "L1.N0.w0",
        "L1.N0.w1",
        "L1.N0.w2",
        "L1.N0.b",
    ]
    assert model.num_parameters() == 13
    assert len({id(p) for p in model.parameters()}) == 13


def test_micrograd_sized_model_has_337_parameters() -> None:
    assert MLP(2, [16, 16, 1]).num_parameters() == 337


def test_weights_come_from_one_seeded_uniform_stream_and_biases_start_at_zero() -> None:
    model = MLP(3, [4, 2], seed=123)
    rng = random.Random(123)
    for layer in model.layers:
        for neuron in layer.neurons:
            assert [w.data for w in neuron.w] == [rng.uniform(-1.0, 1.0) for _ in neuron.w]
            assert neuron.b.data == 0.0


def test_same_seed_same_model_and_other_seed_other_model() -> None:
    first = [p.data for p in MLP(2, [8, 1], seed=5).parameters()]
    again = [p.data for p in MLP(2, [8, 1], seed=5).parameters()]
    other = [p.data for p in MLP(2, [8, 1], seed=6).parameters()]
    assert first == again
    assert first != other


def test_a_random_instance_can_be_passed_as_seed() -> None:
    rng = random.Random(9)
    a = Neuron(3, seed=rng)
    b = Neuron(3, seed=rng)  # continues the same stream
    expected = random.Random(9)
    assert [w.data for w in a.w] + [w.data for w in b.w] == [expected.uniform(-1, 1) for _ in range(6)]


def test_numpy_integer_seeds_are_the_same_seeds() -> None:
    assert [p.data for p in MLP(2, [3, 1], seed=np.int64(5)).parameters()] == [
        p.data for p in MLP(2, [3, 1], seed=5).parameters()
    ]


@pytest.mark.parametrize(
    ("seed", "error", "shown"),
    [
        (-1, ValueError, "-1"),
        (np.int32(-2), ValueError, "-2"),
        (1.5, TypeError, "float: 1.5"),
        (True, TypeError, "bool: True"),
        ("7", TypeError, "str: '7'"),
        ([1], TypeError, r"list: \[1\]"),
        (-(10**5000), ValueError, "an int of 16610 bits"),
    ],
    ids=["negative", "numpy-negative", "float", "bool", "str", "list", "huge"],
)
@pytest.mark.parametrize(
    "make",
    [
        lambda seed: Neuron(2, seed=seed),
        lambda seed: Layer(2, 2, seed=seed),
        lambda seed: MLP(2, [1], seed=seed),
    ],
    ids=["Neuron", "Layer", "MLP"],
)
def test_a_seed_that_is_not_an_int_at_least_0_is_refused_by_name(
    make: Callable[[object], object], seed: object, error: type[Exception], shown: str
) -> None:
    expected = "an int >= 0, a random.Random or None"
    message = rf"^(Neuron|Layer|MLP): seed must be {expected}, got {shown}$"
    with pytest.raises(error, match=message):
        make(seed)


def test_weights_can_be_copied_across_models_through_parameters() -> None:
    source, target = MLP(2, [4, 1], seed=1), MLP(2, [4, 1], seed=2)
    for mine, theirs in zip(target.parameters(), source.parameters()):
        mine.data = theirs.data
    assert target([0.3, -0.7]).data == source([0.3, -0.7]).data


def test_neuron_weights_are_a_tuple_and_the_bias_cannot_be_replaced() -> None:
    neuron = Neuron(2, seed=0)
    assert isinstance(neuron.w, tuple)
    with pytest.raises(TypeError):
        neuron.w[0] = Value(1.0)  # type: ignore[index]
    with pytest.raises(AttributeError):
        neuron.b = Value(1.0)  # type: ignore[misc]


# ---------------------------------------------------------------- the forward pass


@settings(max_examples=40, deadline=None)
@given(
    x=st.lists(st.floats(-3.0, 3.0), min_size=3, max_size=3),
    seed=st.integers(0, 10_000),
    activation=st.sampled_from(["relu", "leaky_relu", "tanh", "sigmoid", "linear"]),
)
def test_forward_equals_plain_float_arithmetic(x: list[float], seed: int, activation: str) -> None:
    model = MLP(3, [5, 4, 2], activation=activation, output_activation="tanh", seed=seed)
    outputs = model(x)
    # Equal up to rounding: the engine's dot may add its terms more accurately than a plain loop.
    assert [v.data for v in outputs] == pytest.approx(reference_forward(model, x), rel=1e-12, abs=1e-15)


def test_gradients_of_the_inputs_agree_with_central_differences() -> None:
    model = MLP(2, [4, 3, 1], activation="tanh", seed=3)
    assert gradcheck(lambda a, b: model([a, b]), [0.4, -1.3])


def test_parameter_gradients_agree_with_central_differences() -> None:
    neuron = Neuron(3, activation="sigmoid", seed=4)
    x = [0.5, -2.0, 1.5]

    def output(*params: Value) -> Value:
        *weights, bias = params
        z = bias
        for w, xi in zip(weights, x):
            z = z + w * xi
        return z.sigmoid()

    out = neuron(x)
    out.backward()
    analytic = [p.grad for p in neuron.parameters()]
    h = 1e-6
    for i, p in enumerate(neuron.parameters()):
        values = [q.data for q in neuron.parameters()]
        up, down = values.copy(), values.copy()
        up[i] += h
        down[i] -= h
        numeric = (output(*map(Value, up)).data - output(*map(Value, down)).data) / (2 * h)
        assert analytic[i] == pytest.approx(numeric, rel=1e-6, abs=1e-9), p.label


def test_leaky_relu_passes_a_hundredth_of_a_negative_pre_activation() -> None:
    neuron = Neuron(1, activation="leaky_relu", seed=0)
    neuron.w[0].data = 2.0
    out = neuron([-3.0])
    out.backward()
    assert out.op == "leaky_relu" and out.data == pytest.approx(-0.06)
    assert neuron.w[0].grad == pytest.approx(0.01 * -3.0) and neuron.b.grad == pytest.approx(0.01)


def test_a_neuron_builds_one_dot_node_and_one_activation_node() -> None:
    neuron = Neuron(5, activation="tanh", seed=0, name="L0.N3")
    out = neuron([1.0, 2.0, 3.0, 4.0, 5.0])
    assert out.op == "tanh" and out.label == "L0.N3"
    (z,) = out.children
    assert z.op == "dot" and z.label == "L0.N3.z"
    # The bias rides in the dot as the weight of a constant 1.0 input.
    assert z.children[:6] == (neuron.b, *neuron.w)
    assert z.children[6].data == 1.0 and [c.data for c in z.children[7:]] == [1.0, 2.0, 3.0, 4.0, 5.0]
    assert z.data == pytest.approx(sum(w.data * xi for w, xi in zip(neuron.w, range(1, 6))))


def test_mlp_forward_builds_two_nodes_per_hidden_neuron_and_one_per_linear_output() -> None:
    model = MLP(2, [16, 16, 1], seed=0)
    out = model([0.5, -0.5])
    operations = [node for node in graph_nodes(out) if node.op]
    assert len(operations) == 16 * 2 + 16 * 2 + 1
    assert sorted({node.op for node in operations}) == ["dot", "relu"]


def test_outputs_are_labelled_by_layer_and_neuron() -> None:
    model = MLP(2, [3, 1], activation="tanh", seed=0)
    out = model([1.0, 2.0])
    assert out.label == "L1.N0"
    hidden = out.children[len(out.children) // 2 + 1 :]  # [1.0, h0, h1, h2] after [b, w0, w1, w2]
    assert [h.label for h in hidden] == ["L0.N0", "L0.N1", "L0.N2"]
    assert [h.children[0].label for h in hidden] == ["L0.N0.z", "L0.N1.z", "L0.N2.z"]


def test_mlp_returns_a_value_for_one_output_and_a_list_otherwise() -> None:
    assert isinstance(MLP(2, [3, 1], seed=0)([1.0, 2.0]), Value)
    outputs = MLP(2, [3, 2], seed=0)([1.0, 2.0])
    assert isinstance(outputs, list) and len(outputs) == 2


def test_a_layer_always_returns_a_list() -> None:
    outputs = Layer(2, 1, seed=0)([1.0, 2.0])
    assert isinstance(outputs, list) and len(outputs) == 1 and isinstance(outputs[0], Value)


def test_a_hidden_layer_of_width_one_works() -> None:
    model = MLP(2, [1, 1, 3], activation="tanh", seed=0)
    outputs = model([0.5, 0.25])
    assert [o.data for o in outputs] == pytest.approx(reference_forward(model, [0.5, 0.25]), rel=1e-12)
    sum(outputs[1:], outputs[0]).backward()
    assert model.layers[0].neurons[0].w[0].grad != 0.0


def test_inputs_may_be_values_and_receive_gradients() -> None:
    a, b = Value(0.5), Value(-1.0)
    out = MLP(2, [3, 1], activation="tanh", seed=1)([a, b])
    out.backward()
    assert a.grad != 0.0 and b.grad != 0.0


def test_inputs_may_be_tuples_ints_and_numpy_scalars() -> None:
    model = MLP(2, [3, 1], seed=2)
    expected = model([1.0, 2.0]).data
    assert model((1, 2)).data == expected
    assert model(np.array([1.0, 2.0])).data == expected


def test_predict_gives_floats_without_building_a_graph() -> None:
    seen = []

    class Watched(MLP):
        __slots__ = ()

        def batch(self, X):  # type: ignore[no-untyped-def]
            outputs = super().batch(X)
            seen.append((is_grad_enabled(), [out.children for out in outputs]))
            return outputs

    model = Watched(2, [4, 1], activation="tanh", seed=0)
    X = [[0.1, 0.2], [-1.0, 3.0]]
    assert model.predict(X) == [model(x).data for x in X]
    assert seen == [(False, [(), ()])]  # one batch, under no_grad: outputs with no operands recorded
    wide = MLP(2, [4, 3], seed=0)
    assert wide.predict(X) == [[v.data for v in wide(x)] for x in X]


def test_zero_grad_sets_every_parameter_gradient_to_zero() -> None:
    model = MLP(2, [3, 1], activation="tanh", seed=0)
    model([1.0, -1.0]).backward()
    assert any(p.grad != 0.0 for p in model.parameters())
    model.zero_grad()
    assert all(p.grad == 0.0 for p in model.parameters())


def test_module_base_has_no_parameters() -> None:
    assert Module().parameters() == []


# ---------------------------------------------------------------- batch


def tree(node: Value, memo: dict[int, tuple] | None = None) -> tuple:  # type: ignore[type-arg]
    """Return (op, label, data, trees of the children in order): the graph below node as a tree.

    Two graphs with equal trees compute the same numbers the same way; only which nodes are
    shared (one constant 1 or one per neuron) is left out.
    """
    memo = {} if memo is None else memo
    if id(node) not in memo:
        children = tuple(tree(c, memo) for c in node.children)
        memo[id(node)] = (node.op, node.label, node.data, children)
    return memo[id(node)]


def _shape(node: Value) -> list[tuple[str, str, float, int]]:
    """Return (op, label, data, number of operands) of every node below node, in a fixed order."""
    return sorted((n.op, n.label, n.data, len(n.children)) for n in graph_nodes(node))


@pytest.mark.parametrize(
    "make",
    [
        lambda: MLP(2, [4, 3, 1], seed=3),
        lambda: MLP(2, [4, 2], activation="tanh", output_activation="sigmoid", seed=4),
        lambda: Layer(2, 3, activation="sigmoid", seed=5),
        lambda: Neuron(2, activation="tanh", seed=6),
    ],
    ids=["MLP", "MLP-two-outputs", "Layer", "Neuron"],
)
def test_batch_builds_the_same_graphs_as_one_input_at_a_time(make) -> None:  # type: ignore[no-untyped-def]
    X = [[0.5, -1.0], [2.0, 0.25], [-0.75, 1.5]]
    one_at_a_time, batched = make(), make()
    expected = [one_at_a_time(x) for x in X]
    got = batched.batch(X)

    def flat(outputs: list) -> list[Value]:  # type: ignore[type-arg]
        return [v for out in outputs for v in (out if isinstance(out, list) else [out])]

    assert [_shape(v) for v in flat(got)] == [_shape(v) for v in flat(expected)]
    for outputs in (expected, got):
        total = flat(outputs)[0]
        for v in flat(outputs)[1:]:
            total = total + v
        total.backward()
    assert [p.grad for p in batched.parameters()] == [p.grad for p in one_at_a_time.parameters()]


@pytest.mark.parametrize(
    "make",
    [
        lambda: MLP(2, [4, 3, 1], seed=3),
        lambda: MLP(2, [4, 2], activation="tanh", output_activation="sigmoid", seed=4),
        lambda: MLP(2, [3, 3, 1], activation="leaky_relu", seed=5),
    ],
    ids=["relu", "two-outputs", "leaky_relu"],
)
def test_call_and_batch_build_the_graph_of_calling_each_neuron_in_turn(
    make: Callable[[], MLP],
) -> None:
    X = [[0.5, -1.0], [2.0, 0.25], [-0.75, 1.5]]
    plain, called, batched = make(), make(), make()
    inputs = {name: [[Value(a), Value(b)] for a, b in X] for name in ("plain", "called", "batched")}
    outputs = {
        "plain": [neuron_by_neuron(plain, x) for x in inputs["plain"]],
        "called": [called(x) for x in inputs["called"]],
        "batched": called.batch([]) + batched.batch(inputs["batched"]),
    }
    flat = {
        name: [v for out in outs for v in (out if isinstance(out, list) else [out])] for name, outs in outputs.items()
    }
    assert [tree(v) for v in flat["called"]] == [tree(v) for v in flat["plain"]]
    assert [tree(v) for v in flat["batched"]] == [tree(v) for v in flat["plain"]]
    for values in flat.values():
        total = values[0]
        for v in values[1:]:
            total = total + v
        total.backward()
    grads = {
        name: [p.grad for p in model.parameters()] + [x.grad for xs in inputs[name] for x in xs]
        for name, model in (("plain", plain), ("called", called), ("batched", batched))
    }
    assert grads["called"] == grads["plain"]  # bit for bit
    assert grads["batched"] == grads["plain"]


def test_batch_takes_any_iterable_of_inputs() -> None:
    model = MLP(2, [3, 1], seed=0)
    X = np.array([[0.5, -1.0], [2.0, 0.25]])
    expected = [model(x).data for x in X]  # type: ignore[union-attr]
    assert [v.data for v in model.batch(X)] == expected  # type: ignore[union-attr]
    assert [v.data for v in model.batch(tuple(x) for x in X)] == expected  # type: ignore[union-attr]
    assert model.batch([]) == []


@pytest.mark.parametrize(
    ("X", "error", "message"),
    [
        ([[1.0, 2.0], [1.0, 2.0, 3.0]], ValueError, r"MLP.batch: X\[1\] must have 2 inputs \(the model's nin\), got 3"),
        ([[1.0, 2.0], [1.0, math.nan]], ValueError, r"MLP.batch: X\[1\]\[1\] must not be NaN"),
        ([[1.0, 2.0], (1.0, -math.inf)], ValueError, r"MLP.batch: X\[1\]\[1\] must be finite, got -in"),
        ([[1.0, 2.0], "ab"], TypeError, r"MLP.batch: X\[1\] must be a sequence of 2 numbers"),
        ([{0: 5.0, 1: 7.0}], TypeError, r"MLP.batch: X\[0\] must be a sequence of 2 numbers or Values, got dict"),
        ({(1.0, 2.0): 0}, TypeError, r"MLP.batch: X must be an iterable of inputs, got dict"),
        ({(1.0, 2.0)}, TypeError, r"MLP.batch: X must be an iterable of inputs, got set"),
        (1.0, TypeError, r"MLP.batch: X must be an iterable of inputs, got float"),
        ("ab", TypeError, r"MLP.batch: X must be an iterable of inputs, got str"),
    ],
)
def test_a_bad_batch_names_the_input_at_fault(X: object, error: type[Exception], message: str) -> None:
    with pytest.raises(error, match=message):
        MLP(2, [1]).batch(X)  # type: ignore[arg-type]


def test_the_default_batch_of_a_module_calls_it_on_each_input() -> None:
    class Doubler(Module):
        def __call__(self, x):  # type: ignore[no-untyped-def]
            return Value(2.0 * x[0])

    assert [v.data for v in Doubler().batch([[1.0], [2.5]])] == [2.0, 5.0]  # type: ignore[union-attr]
    with pytest.raises(NotImplementedError, match="Module does not define __call__"):
        Module()([1.0])


# ---------------------------------------------------------------- names, reprs, neuron_of


def test_reprs_read_like_the_constructor_calls() -> None:
    assert repr(Neuron(3, activation="tanh")) == "Neuron(3, activation='tanh')"
    assert repr(Layer(3, 4, activation="sigmoid")) == "Layer(3, 4, activation='sigmoid')"
    assert repr(MLP(2, [16, 16, 1])) == "MLP(2, [16, 16, 1], activation='relu', output_activation='linear')"


def test_size_properties() -> None:
    model = MLP(3, [4, 2], activation="tanh", output_activation="sigmoid")
    assert (model.nin, model.nouts, model.activation, model.output_activation) == (3, [4, 2], "tanh", "sigmoid")
    assert (model.layers[1].nin, model.layers[1].nout) == (4, 2)


def test_neuron_of_groups_parameters_pre_activations_and_outputs_by_neuron() -> None:
    model = MLP(2, [2, 1], activation="tanh", seed=0)
    out = model([1.0, 2.0])
    groups = {node.label: neuron_of(node) for node in graph_nodes(out) if node.label}
    assert groups["L0.N1.w0"] == groups["L0.N1.b"] == groups["L0.N1.z"] == groups["L0.N1"] == "L0.N1"
    assert groups["L1.N0"] == "L1.N0"
    assert neuron_of(Value(1.0)) is None
    assert neuron_of(Value(1.0, label="loss")) is None


# ---------------------------------------------------------------- bad input


@pytest.mark.parametrize("model", [MLP(2, [3, 1]), Layer(2, 3), Neuron(2)], ids=["MLP", "Layer", "Neuron"])
def test_wrong_input_width_is_a_value_error_naming_x_and_nin(model: Module) -> None:
    with pytest.raises(ValueError, match=r"x must have 2 inputs \(the model's nin\), got 3"):
        model([1.0, 2.0, 3.0])  # type: ignore[operator]


def test_a_string_or_a_number_as_input_is_a_type_error() -> None:
    with pytest.raises(TypeError, match="MLP: x must be a sequence of 2 numbers"):
        MLP(2, [1])("ab")
    with pytest.raises(TypeError, match="MLP: x must be a sequence"):
        MLP(2, [1])(1.0)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("x", "shown"),
    [
        ({0: 5.0, 1: 7.0}, r"dict: \{0: 5.0, 1: 7.0\}"),  # not read as its keys 0 and 1
        ({0.5, 1.5}, "set: "),
        (b"ab", "bytes: b'ab'"),
        (bytearray(b"ab"), r"bytearray: bytearray\(b'ab'\)"),
        (memoryview(b"ab"), "memoryview: "),
        ("ab", "str: 'ab'"),
        (np.array(1.0), r"ndarray: array\(1.\)"),
        (Value(1.0), "Value: "),
        (iter([1.0, 2.0]), "list_iterator: "),
        (None, "NoneType: None"),
    ],
    ids=["dict", "set", "bytes", "bytearray", "memoryview", "str", "0-d array", "Value", "iterator", "None"],
)
@pytest.mark.parametrize("model", [MLP(2, [3, 1]), Layer(2, 3), Neuron(2)], ids=["MLP", "Layer", "Neuron"])
def test_an_input_that_only_looks_like_a_sequence_is_a_type_error(model: Module, x: object, shown: str) -> None:
    message = rf"^{type(model).__name__}: x must be a sequence of 2 numbers or Values, got {shown}"
    with pytest.raises(TypeError, match=message):
        model(x)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("x", "error", "message"),
    [
        ([1.0, "a"], TypeError, r"MLP: x\[1\] must be a real number, got str: 'a'"),
        ([math.nan, 1.0], ValueError, r"MLP: x\[0\] must not be NaN"),
        ([1.0, math.inf], ValueError, r"MLP: x\[1\] must be finite, got inf"),
        ((-math.inf, 1.0), ValueError, r"MLP: x\[0\] must be finite, got -inf"),
        (np.array([1.0, np.inf]), ValueError, r"MLP: x\[1\] must be finite, got inf"),
        ([1.0, 10**400], OverflowError, r"MLP: x\[1\] is beyond the float range, got 1000.*\(401 chars\)$"),
        ([-(10**400), 1.0], OverflowError, r"MLP: x\[0\] is beyond the float range, got -1000.*\(402 chars\)$"),
        ([1.0, [2.0]], TypeError, r"MLP: x\[1\] must be a real number, got list: \[2.0\]"),
    ],
)
def test_a_bad_input_element_is_named_by_its_index(x: list[object], error: type[Exception], message: str) -> None:
    with pytest.raises(error, match=message):
        MLP(2, [1])(x)  # type: ignore[arg-type]


KNOWN = r"'relu', 'leaky_relu', 'tanh', 'sigmoid', 'linear'"


@pytest.mark.parametrize(
    "make",
    [
        lambda: Neuron(2, activation="softmax"),
        lambda: Layer(2, 2, activation="Tanh"),
        lambda: MLP(2, [2], activation="gelu"),
    ],
)
def test_unknown_activation_is_a_value_error_listing_the_known_ones(make) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValueError, match=rf"activation must be one of {KNOWN}, got"):
        make()


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: MLP(2, [2], activation=["relu"]), r"MLP: activation must be a str, .* got list: \['relu'\]"),
        (lambda: MLP(2, [2], output_activation=None), r"MLP: output_activation must be a str, .* got NoneType"),
        (lambda: Neuron(2, activation=Value.tanh), r"Neuron: activation must be a str, one of 'relu'"),
    ],
)
def test_an_activation_that_is_not_a_str_is_a_type_error_naming_the_argument(
    make: Callable[[], object], message: str
) -> None:
    with pytest.raises(TypeError, match=message):
        make()


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda: Neuron(0), r"Neuron: nin must be >= 1, got 0"),
        (lambda: Layer(2, 0), r"Layer: nout must be >= 1, got 0"),
        (lambda: MLP(0, [1]), r"MLP: nin must be >= 1, got 0"),
        (lambda: MLP(2, []), r"MLP: nouts must be a non-empty list of layer sizes, got \[\]"),
        (lambda: MLP(2, 3), r"MLP: nouts must be a non-empty list of layer sizes, got 3"),  # type: ignore[arg-type]
        (lambda: MLP(2, [4, -1]), r"MLP: nouts\[1\] must be >= 1, got -1"),
    ],
)
def test_bad_sizes_are_value_errors_naming_the_argument(make, message: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValueError, match=message):
        make()


def test_a_fractional_size_is_a_type_error() -> None:
    with pytest.raises(TypeError, match=r"MLP: nouts\[0\] must be an int, got float"):
        MLP(2, [2.5])  # type: ignore[list-item]


@pytest.mark.parametrize("x", [[5e-324, -5e-324], [1e-320, 1e308], [-1e308, 1e-300], (1, 2), [True, 0]])
def test_finite_inputs_at_the_ends_of_the_float_range_give_finite_outputs(x: list[float]) -> None:
    model = MLP(2, [3, 1], activation="tanh", seed=0)
    assert math.isfinite(model(x).data)  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda model: model([1e200, 1.0]), r"^MLP: x = \[1e\+200, 1.0\]: the pre-activation L0.N0.z "),
        (
            lambda model: model.batch([[0.0, 0.0], [1e200, 0.0]]),
            r"^MLP.batch: X\[1\] = \[1e\+200, 0.0\]: the pre-activation L0.N0.z ",
        ),
        (lambda model: model.batch([[1.0, 0.0]]), r"^MLP.batch: X\[0\] = \[1.0, 0.0\]: the pre-activation L1.N0.z "),
        (lambda model: model.predict([[1e200, 0.0]]), r"^MLP.batch: X\[0\] = "),
        (lambda model: model.layers[0]([1e200, 0.0]), r"^Layer: x = \[1e\+200, 0.0\]: the pre-activation L0.N0.z "),
        (lambda model: model.layers[0].batch([[1e200, 0.0]]), r"^Layer.batch: X\[0\] = "),
        (
            lambda model: model.layers[0].neurons[0]([1e200, 0.0]),
            r"^Neuron: x = \[1e\+200, 0.0\]: the pre-activation L0.N0.z ",
        ),
    ],
    ids=["MLP", "MLP.batch", "second layer", "predict", "Layer", "Layer.batch", "Neuron"],
)
def test_a_forward_pass_that_overflows_names_the_input_and_the_neuron(
    call: Callable[[MLP], object], message: str
) -> None:
    model = MLP(2, [2, 1], seed=0)
    for neuron in (*model.layers[0].neurons, *model.layers[1].neurons):
        for w in neuron.w:  # 1e200 · 1e200 overflows in layer 0, 1 · 1e200 · 1e200 in layer 1
            w.data = 1e200
    with pytest.raises(OverflowError, match=message + r".*overflows a float$"):
        call(model)


def test_a_layer_reads_its_weights_fresh_on_every_call_and_its_neurons_are_fixed() -> None:
    layer = Layer(2, 2, activation="linear", seed=0)
    before = [out.data for out in layer([1.0, 2.0])]
    layer.neurons[1].w[0].data += 1.0  # weights change in place, as an optimizer changes them
    after = [out.data for out in layer([1.0, 2.0])]
    assert after[0] == before[0] and after[1] == pytest.approx(before[1] + 1.0)
    assert isinstance(layer.neurons, tuple)
    with pytest.raises(AttributeError):
        layer.neurons = ()  # type: ignore[misc]
