"""backward(): accumulation semantics, depth, memory (no reference cycles), zero_grad, no_grad."""

from __future__ import annotations

import gc
import threading

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import engine
from engine import Value


def test_backward_twice_doubles_leaf_gradients_only() -> None:
    x, w = Value(1.5), Value(-2.0)
    h = x * w
    loss = h.tanh() + h * h
    loss.backward()
    once = (x.grad, w.grad, h.grad)
    loss.backward()
    assert x.grad == 2 * once[0]
    assert w.grad == 2 * once[1]
    assert h.grad == once[2]  # non-leaf gradients are reset before each pass, as in PyTorch
    assert loss.grad == 1.0


def test_backward_through_a_shared_intermediate_of_two_losses() -> None:
    x = Value(0.5)
    h = x.exp()
    first, second = h * 2, h * 3
    first.backward()
    second.backward()
    assert x.grad == pytest.approx(5 * h.data)
    assert h.grad == 3.0


def test_backward_does_not_go_below_a_unit_that_passes_no_gradient() -> None:
    x, w = Value(2.0), Value(-1.0)
    z = x * w
    below = x + 1.0  # reached only through the dead relu
    below.grad = 123.0  # a mark: a node the walk visits is reset, one it skips keeps this
    negative = below * -3.0
    dead = negative.relu()
    loss = dead + z * z
    loss.backward()
    assert (z.grad, x.grad, w.grad) == (-4.0, 4.0, -8.0)  # d(z²)/dz = 2z = -4; nothing through the relu
    assert dead.grad == 1.0 and dead.local_derivatives() == (0.0,)
    assert below.grad == 123.0, "the walk went below a relu that passes nothing"
    clipped = (below * 10.0).clip(-1.0, 1.0)  # 30 is outside the bounds: the same holds for clip
    clipped.backward()
    assert below.grad == 123.0


def _reference_gradients(root: Value) -> dict[Value, float]:
    """Return d(root)/d(node) for every node below root, by the plain chain rule on the public API.

    A depth-first topological order, then each node's local derivatives times its gradient, added
    into its operands: backprop with no shortcut, written independently of the engine's walk.
    """
    order: list[Value] = []
    seen: set[Value] = set()
    stack: list[tuple[Value, bool]] = [(root, False)]
    while stack:
        node, expanded = stack.pop()
        if expanded:
            order.append(node)
        elif node not in seen:
            seen.add(node)
            stack.append((node, True))
            stack.extend((child, False) for child in node.children)
    grads = dict.fromkeys(order, 0.0)
    grads[root] = 1.0
    for node in reversed(order):
        for child, d in zip(node.children, node.local_derivatives()):
            grads[child] += d * grads[node]
    return grads


def _relu_network(weights: list[float], x: list[float]) -> tuple[Value, list[Value]]:
    """Return (loss, every node) of a small ReLU net, many of whose units may be dead."""
    leaves = [Value(w) for w in weights]
    inputs = [Value(v) for v in x]
    hidden = [engine.dot(leaves[3 * j : 3 * j + 3], inputs).relu() for j in range(4)]
    out = engine.dot(leaves[12:16], hidden)
    loss = (1.0 - out).relu() + hidden[0] * hidden[1]
    nodes = [*leaves, *inputs, *hidden, out, loss]
    return loss, nodes


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.floats(-2, 2), min_size=16, max_size=16),
    st.lists(st.floats(-2, 2), min_size=3, max_size=3),
)
def test_backward_gives_the_plain_chain_rule_on_relu_networks(weights: list[float], x: list[float]) -> None:
    loss, nodes = _relu_network(weights, x)
    reference = _reference_gradients(loss)
    loss.backward()
    assert [node.grad for node in nodes] == pytest.approx([reference[node] for node in nodes], rel=1e-12, abs=1e-15)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.floats(-2, 2), min_size=16, max_size=16),
    st.lists(st.floats(-2, 2), min_size=3, max_size=3),
)
def test_backward_steps_replay_to_exactly_the_gradients_backward_leaves(weights: list[float], x: list[float]) -> None:
    loss, nodes = _relu_network(weights, x)
    leaves = [node for node in nodes if not node.children]
    for leaf in leaves:
        leaf.grad = 0.25  # leaves accumulate: the replay starts from what they held
    steps = loss.backward_steps()
    replayed = {node: 0.25 if node in leaves else 0.0 for node in nodes}
    replayed[loss] = 1.0
    seen = []
    for step in steps:
        assert step.grad == replayed.get(step.node, 0.0), "a step's arriving gradient is the sum of what came before"
        seen.append(step.node)
        if step.added:
            for child, contribution in zip(step.node.children, step.contributions):
                replayed[child] = replayed.get(child, 0.0) + contribution
    assert [node.grad for node in nodes] == [replayed[node] for node in nodes]  # exactly, not approximately
    positions = {node: i for i, node in enumerate(seen)}
    for node in seen:  # the order the rules ran: every node after all the nodes that use it
        for child in node.children:
            if child in positions:
                assert positions[child] > positions[node]


def test_backward_steps_say_where_a_unit_passes_nothing() -> None:
    x = Value(-2.0, label="x")
    dead = (x * 3.0).relu()
    loss = dead + x
    steps = loss.backward_steps()
    by_op = {step.node.op: step for step in steps}
    assert by_op["relu"].grad == 1.0 and not by_op["relu"].passes_gradient and not by_op["relu"].added
    assert "*" not in by_op  # below the dead unit: not reached
    assert x.grad == 1.0


def test_a_second_loss_through_shared_nodes_after_zero_grad() -> None:
    x = Value(2.0)
    h = x * 3.0
    first = h * 2.0
    first.backward()
    assert h.grad == 2.0
    second = (h * -1.0).relu() + x  # the relu is dead: no gradient reaches h this time
    second.backward()
    assert h.grad == 2.0, "a node only a dead unit leads to keeps what it had"
    assert x.grad == 6.0 + 1.0  # a leaf accumulates: 6 from the first pass, 1 from the second
    second.zero_grad()  # clears every node below second, h and x included
    second.backward()
    assert (h.grad, x.grad) == (0.0, 1.0)


def test_keeping_old_graphs_alive_changes_nothing_later() -> None:
    def step(w: Value) -> tuple[Value, float]:
        loss = ((w * 3.0).relu() - 1.0) ** 2 + (w * -2.0).relu()
        w.grad = 0.0
        loss.backward()
        return loss, w.grad

    w = Value(0.5)
    kept = [step(w)[0] for _ in range(5)]  # every step's loss kept alive, as in history.append(loss)
    with_history = step(w)[1]
    del kept
    assert step(w)[1] == with_history


def test_backward_on_a_leaf_accumulates() -> None:
    x = Value(2.0)
    x.backward()
    x.backward()
    assert x.grad == 2.0


def test_zero_grad_clears_the_whole_graph() -> None:
    a, b = Value(2.0), Value(3.0)
    c = a * b
    d = c.exp() + a
    d.backward()
    assert a.grad != 0 and b.grad != 0 and c.grad != 0
    d.zero_grad()
    assert (a.grad, b.grad, c.grad, d.grad) == (0.0, 0.0, 0.0, 0.0)
    d.backward()
    assert d.grad == 1.0 and b.grad == pytest.approx(a.data * c.exp().data)


def test_a_chain_of_a_million_operations() -> None:
    x = Value(1.0, label="x")
    y = x
    for _ in range(1_000_000):
        y = y + 1e-6
    y.backward()
    assert y.data == pytest.approx(2.0)
    assert x.grad == 1.0


def test_deep_chain_of_products_has_the_exact_gradient() -> None:
    x = Value(1.0)
    y = x
    for _ in range(20_000):
        y = y * 1.0001
    y.backward()
    assert x.grad == pytest.approx(1.0001**20_000, rel=1e-9)


def _build_graph() -> Value:
    x, w, b = Value(0.3), Value(-1.2), Value(0.1)
    out = (engine.dot([w, b], [x, 1.0]).sigmoid() - 1) ** 2 + engine.sum([x, w]).tanh()
    out.backward()
    return out


def _values_alive() -> int:
    return sum(1 for obj in gc.get_objects() if isinstance(obj, Value))


def test_dropped_graph_is_freed_without_the_cycle_collector() -> None:
    gc.collect()
    gc.disable()
    try:
        before = _values_alive()
        out = _build_graph()
        assert _values_alive() - before > 10
        del out
        assert _values_alive() == before, "a node outlived its graph: a reference cycle"
    finally:
        gc.enable()


def test_backward_creates_no_garbage_cycles() -> None:
    gc.collect()
    gc.disable()
    try:
        for _ in range(3):
            out = _build_graph()
            del out
        assert gc.collect() == 0
    finally:
        gc.enable()


def test_no_grad_restores_recording_even_after_an_error() -> None:
    with pytest.raises(ValueError), engine.no_grad():
        Value(-1.0).log()
    assert engine.is_grad_enabled()
    y = Value(2.0) * 3
    assert y.children != ()


def test_values_from_no_grad_are_constants_to_later_graphs() -> None:
    x = Value(3.0)
    with engine.no_grad():
        frozen = x * x
    out = frozen * x
    out.backward()
    assert x.grad == 9.0  # only the recorded path contributes
    assert frozen.grad == 3.0


def test_equality_and_hashing_stay_by_identity() -> None:
    a, b = Value(1.0), Value(1.0)
    assert a != b and a == a
    assert len({a, b}) == 2
    assert a <= b and a >= b and not a < b and a < 2 and a > 0 and b > 0.5


def test_every_node_prints_as_a_value_whatever_class_stores_it() -> None:
    x = Value(0.5, label="x")
    assert repr(x) == "Value(label='x', data=0.5, grad=0)"
    assert repr(x.relu()) == "Value(data=0.5, grad=0, op='relu')"
    assert repr(engine.dot([x], [2.0])) == "Value(data=1, grad=0, op='dot')"  # a DotNode
    assert repr(x * 3) == "Value(data=1.5, grad=0, op='*')"
    assert repr((x * 3).children[1]) == "Constant(data=3, grad=0)"


def test_no_grad_is_per_thread() -> None:
    inside, release = threading.Event(), threading.Event()

    def hold_no_grad() -> None:
        with engine.no_grad():
            inside.set()
            release.wait(10)

    other = threading.Thread(target=hold_no_grad)
    other.start()
    try:
        assert inside.wait(10)
        x = Value(3.0)
        y = x * x  # this thread still records while the other one is inside no_grad
        y.backward()
        assert x.grad == 6.0 and engine.is_grad_enabled()
    finally:
        release.set()
        other.join()
    assert engine.is_grad_enabled()


def test_dot_nodes_list_their_operands_in_order() -> None:
    x, w = Value(0.5), Value(-2.0)
    assert x.tanh().children == (x,)
    assert engine.dot([w, x], [x, 3.0]).children[:3] == (w, x, x)
    with engine.no_grad():
        assert x.tanh().children == () and engine.dot([w], [x]).children == ()


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.lists(st.floats(-3, 3), min_size=3, max_size=3), min_size=1, max_size=4),
    st.lists(st.lists(st.floats(-3, 3), min_size=3, max_size=3), min_size=1, max_size=3),
    st.booleans(),
)
def test_dots_builds_the_nodes_of_one_dot_per_row_and_vector(
    row_numbers: list[list[float]], vector_numbers: list[list[float]], checked_once: bool
) -> None:
    rows = [tuple(Value(n) for n in row) for row in row_numbers]
    vectors = [tuple(Value(n) for n in vector) for vector in vector_numbers]
    fast = engine.dots(engine.Rows(rows) if checked_once else rows, vectors)
    slow = [[engine.dot(row, vector) for row in rows] for vector in vectors]
    assert [[z.data for z in zs] for zs in fast] == [[z.data for z in zs] for zs in slow]
    assert all(z.children == s.children for zs, ss in zip(fast, slow) for z, s in zip(zs, ss))
    leaves = [v for row in rows for v in row] + [v for vector in vectors for v in vector]
    engine.sum([z for zs in fast for z in zs]).backward()
    fast_grads = [v.grad for v in leaves]
    for v in leaves:
        v.grad = 0.0
    engine.sum([z for zs in slow for z in zs]).backward()
    assert fast_grads == [v.grad for v in leaves]


def test_rows_are_checked_once_and_name_what_is_wrong() -> None:
    w = (Value(1.0), Value(2.0))
    rows = engine.Rows(row for row in [w, (Value(-1.0), 0.5)])  # any iterable; numbers become Constants
    assert rows[0] is w and isinstance(rows[1][1], engine.Constant) and rows.width == 2
    assert [z.data for z in engine.dots(rows, [(1.0, 2.0)])[0]] == [5.0, 0.0]
    with pytest.raises(ValueError, match=r"^Rows: every row must have the same non-zero length, rows\[1\] has 1$"):
        engine.Rows([w, (Value(1.0),)])
    with pytest.raises(ValueError, match=r"^dots: every row must have the same non-zero length, rows\[0\] has 0$"):
        engine.dots([()], [()])
    with pytest.raises(ValueError, match=r"^Rows: rows must not be empty$"):
        engine.Rows([])
    with pytest.raises(TypeError, match=r"^dots: rows must be an iterable of sequences, got 'ab'$"):
        engine.dots("ab", [(1.0,)])  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"^dots: rows\[0\]\[1\] must be a real number, got str"):
        engine.dots([(1.0, "x")], [(1.0, 2.0)])
    with pytest.raises(ValueError, match=r"^dots: vectors\[1\] must have 2 entries \(the rows' length\), got 3$"):
        engine.dots(rows, [(1.0, 2.0), (1.0, 2.0, 3.0)])


@settings(max_examples=80, deadline=None)
@given(
    st.lists(st.floats(-1e3, 1e3), min_size=1, max_size=4),
    st.lists(st.tuples(st.integers(0, 3), st.integers(0, 3)), min_size=1, max_size=6),
    st.floats(-5, 5),
)
def test_a_dot_node_adds_exactly_its_local_derivatives_times_its_gradient(
    numbers: list[float], pairs: list[tuple[int, int]], scale: float
) -> None:
    # The same Values on both sides and more than once, the case where the order of the additions
    # into one grad shows in the last bit: backward must add in the order of `children`.
    pool = [Value(x) for x in numbers]
    a = [pool[i % len(pool)] for i, _ in pairs]
    b = [pool[j % len(pool)] for _, j in pairs]
    out = engine.dot(a, b) * scale
    steps = out.backward_steps()
    replayed = {id(v): 0.0 for v in pool}
    for step in steps:
        for child, contribution in zip(step.node.children, step.contributions):
            if id(child) in replayed:
                replayed[id(child)] += contribution
    assert [v.grad for v in pool] == [replayed[id(v)] for v in pool]
