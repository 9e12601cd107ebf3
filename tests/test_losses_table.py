"""Every loss, in one table walked by the tests (MiniTorch style).

Each row has the loss as a function of Values (built from `losses`), the same loss written on
plain floats with `math`, and a hypothesis strategy that draws its scalar inputs, shifted away
from trouble (kinks of abs/relu, the clip of binary_cross_entropy, labels that must stay in
[0, 1]) so nothing flakes. The tests then check, for every row and many drawn inputs:
- the forward value equals the float formula;
- backprop's gradient passes `engine.gradcheck` (central differences);
- every node of the graph is one the engine's public operations make: rebuilt from its children
  and arguments by the same operation, it has the same number and the same local derivatives,
  i.e. the loss wrote no gradient rule of its own.
Distribution-valued inputs are drawn as free logits and passed through `softmax`, so a finite
difference never leaves the set of distributions.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import engine
import losses as L
from engine import Constant, Value, dot, gradcheck

# ---------------------------------------------------------------- plain-float versions


def f_sigmoid(z: float) -> float:
    return 1 / (1 + math.exp(-z)) if z >= 0 else math.exp(z) / (1 + math.exp(z))


def f_softplus(z: float) -> float:
    return max(z, 0.0) + math.log1p(math.exp(-abs(z)))


def f_softmax(zs: Sequence[float]) -> list[float]:
    m = max(zs)
    exps = [math.exp(z - m) for z in zs]
    return [e / math.fsum(exps) for e in exps]


def f_log_softmax(zs: Sequence[float]) -> list[float]:
    m = max(zs)
    lse = math.log(math.fsum(math.exp(z - m) for z in zs))
    return [z - m - lse for z in zs]


def f_mean(xs: Sequence[float]) -> float:
    return math.fsum(xs) / len(xs)


def f_huber(r: float, delta: float) -> float:
    return 0.5 * r * r if abs(r) < delta else delta * (abs(r) - 0.5 * delta)


def f_bce(p: float, y: float) -> float:
    return -(y * math.log(p) + (1 - y) * math.log(1 - p))


def f_focal(z: float, y: float, alpha: float | None, gamma: float) -> float:
    p = f_sigmoid(z)
    p_t = p * y + (1 - p) * (1 - y)
    loss = f_bce(p, y) * math.pow(1 - p_t, gamma)
    return loss if alpha is None else (alpha * y + (1 - alpha) * (1 - y)) * loss


def f_entropy(p: Sequence[float]) -> float:
    return -math.fsum(x * math.log(x) for x in p if x > 0)


def f_cross_entropy(p: Sequence[float], q: Sequence[float]) -> float:
    return -math.fsum(a * math.log(b) for a, b in zip(p, q))


# ---------------------------------------------------------------- the table


@dataclass(frozen=True)
class Row:
    name: str
    build: Callable[..., Value]  # Values in, a Value out
    reference: Callable[[list[float]], float]  # the same on floats
    inputs: st.SearchStrategy[list[float]]


def reals(lo: float, hi: float) -> st.SearchStrategy[float]:
    return st.floats(lo, hi, allow_nan=False, allow_infinity=False)


def vector(n: int, lo: float = -5.0, hi: float = 5.0) -> st.SearchStrategy[list[float]]:
    return st.lists(reals(lo, hi), min_size=n, max_size=n)


def away_from_kinks(n: int, kink_gap: float = 0.01) -> st.SearchStrategy[list[float]]:
    """Return predictions + targets for n pairs with |prediction - target| >= kink_gap."""
    pair = st.tuples(reals(-5, 5), reals(kink_gap, 5), st.sampled_from([-1.0, 1.0]))
    return st.lists(pair, min_size=n, max_size=n).map(
        lambda pairs: [a for a, _, _ in pairs] + [a - s * r for a, r, s in pairs]
    )


def hinge_scores(labels: Sequence[float]) -> st.SearchStrategy[list[float]]:
    """Return scores s with |1 - y·s| >= 0.01 for the given labels (relu's kink avoided)."""
    margin = st.tuples(reals(0.01, 4), st.sampled_from([-1.0, 1.0]))
    return st.lists(margin, min_size=len(labels), max_size=len(labels)).map(
        lambda ms: [(1 - sign * m) * y for (m, sign), y in zip(ms, labels)]
    )


HARD = [1.0, 0.0, 1.0]
HINGE_LABELS = [1.0, -1.0, 1.0]
SCALE = [1.0, 2.0, 3.0]  # weights of a vector output, so every entry matters

ROWS: list[Row] = [
    Row(
        "mse_loss",
        lambda *v: L.mse_loss(v[:3], v[3:]),
        lambda x: f_mean([(a - b) ** 2 for a, b in zip(x[:3], x[3:])]),
        vector(6),
    ),
    Row(
        "mse_loss sum",
        lambda *v: L.mse_loss(v[:3], v[3:], reduction="sum"),
        lambda x: math.fsum((a - b) ** 2 for a, b in zip(x[:3], x[3:])),
        vector(6),
    ),
    Row(
        "l1_loss",
        lambda *v: L.l1_loss(v[:3], v[3:]),
        lambda x: f_mean([abs(a - b) for a, b in zip(x[:3], x[3:])]),
        away_from_kinks(3),
    ),
    Row(
        "huber_loss",
        lambda *v: L.huber_loss(v[:3], v[3:]),
        lambda x: f_mean([f_huber(a - b, 1.0) for a, b in zip(x[:3], x[3:])]),
        vector(6),
    ),
    Row(
        "huber_loss delta=0.3",
        lambda *v: L.huber_loss(v[:3], v[3:], delta=0.3),
        lambda x: f_mean([f_huber(a - b, 0.3) for a, b in zip(x[:3], x[3:])]),
        vector(6),
    ),
    Row(
        "smooth_l1_loss",
        lambda *v: L.smooth_l1_loss(v[:3], v[3:]),
        lambda x: f_mean([f_huber(a - b, 1.0) for a, b in zip(x[:3], x[3:])]),
        vector(6),
    ),
    Row(
        "smooth_l1_loss beta=2",
        lambda *v: L.smooth_l1_loss(v[:3], v[3:], beta=2.0),
        lambda x: f_mean([f_huber(a - b, 2.0) / 2.0 for a, b in zip(x[:3], x[3:])]),
        vector(6),
    ),
    Row(
        "smooth_l1_loss beta=0",
        lambda *v: L.smooth_l1_loss(v[:3], v[3:], beta=0.0),
        lambda x: f_mean([abs(a - b) for a, b in zip(x[:3], x[3:])]),
        away_from_kinks(3),
    ),
    Row("sigmoid", lambda z: L.sigmoid(z), lambda x: f_sigmoid(x[0]), vector(1, -30, 30)),
    Row("logit", lambda p: L.logit(p), lambda x: math.log(x[0] / (1 - x[0])), vector(1, 0.01, 0.99)),
    Row(
        "binary_cross_entropy",
        lambda *v: L.binary_cross_entropy(v[:3], v[3:]),
        lambda x: f_mean([f_bce(p, y) for p, y in zip(x[:3], x[3:])]),
        st.tuples(vector(3, 0.01, 0.99), vector(3, 0.01, 0.99)).map(lambda t: t[0] + t[1]),
    ),
    Row(
        "binary_cross_entropy hard labels",
        lambda *v: L.binary_cross_entropy(v, HARD),
        lambda x: f_mean([f_bce(p, y) for p, y in zip(x, HARD)]),
        vector(3, 0.01, 0.99),
    ),
    Row(
        "binary_cross_entropy_with_logits",
        lambda *v: L.binary_cross_entropy_with_logits(v[:3], v[3:]),
        lambda x: f_mean([f_softplus(z) - y * z for z, y in zip(x[:3], x[3:])]),
        st.tuples(vector(3, -30, 30), vector(3, 0.01, 0.99)).map(lambda t: t[0] + t[1]),
    ),
    Row(
        "binary_cross_entropy_with_logits pos_weight",
        lambda z, y, w: L.binary_cross_entropy_with_logits(z, y, pos_weight=w),
        lambda x: x[2] * x[1] * f_softplus(-x[0]) + (1 - x[1]) * f_softplus(x[0]),
        st.tuples(vector(1, -30, 30), vector(1, 0.01, 0.99), vector(1, 0.01, 5)).map(lambda t: t[0] + t[1] + t[2]),
    ),
    Row(
        "focal_loss",
        lambda *v: L.focal_loss(v, HARD),
        lambda x: f_mean([f_focal(z, y, 0.25, 2.0) for z, y in zip(x, HARD)]),
        vector(3, -10, 10),
    ),
    Row(
        "focal_loss gamma=0.5 alpha=None",
        lambda *v: L.focal_loss(v, HARD, alpha=None, gamma=0.5),
        lambda x: f_mean([f_focal(z, y, None, 0.5) for z, y in zip(x, HARD)]),
        vector(3, -10, 10),
    ),
    Row(
        "focal_loss soft labels",
        lambda *v: L.focal_loss(v[:2], v[2:], alpha=0.6, gamma=1.5),
        lambda x: f_mean([f_focal(z, y, 0.6, 1.5) for z, y in zip(x[:2], x[2:])]),
        st.tuples(vector(2, -10, 10), vector(2, 0.01, 0.99)).map(lambda t: t[0] + t[1]),
    ),
    Row(
        "hinge_loss",
        lambda *v: L.hinge_loss(v, HINGE_LABELS),
        lambda x: f_mean([max(0.0, 1 - y * s) for s, y in zip(x, HINGE_LABELS)]),
        hinge_scores(HINGE_LABELS),
    ),
    Row("surprise", lambda p: L.surprise(p), lambda x: -math.log(x[0]), vector(1, 0.01, 0.99)),
    Row(
        "surprise bits",
        lambda p: L.surprise(p, base=2),
        lambda x: -math.log2(x[0]),
        vector(1, 0.01, 0.99),
    ),
    Row("entropy", lambda *a: L.entropy(L.softmax(a)), lambda x: f_entropy(f_softmax(x)), vector(3)),
    Row(
        "entropy bits",
        lambda *a: L.entropy(L.softmax(a), base=2),
        lambda x: f_entropy(f_softmax(x)) / math.log(2),
        vector(3),
    ),
    Row(
        "cross_entropy",
        lambda *a: L.cross_entropy(L.softmax(a[:3]), L.softmax(a[3:])),
        lambda x: f_cross_entropy(f_softmax(x[:3]), f_softmax(x[3:])),
        vector(6),
    ),
    Row(
        "kl_divergence",
        lambda *a: L.kl_divergence(L.softmax(a[:3]), L.softmax(a[3:])),
        lambda x: f_cross_entropy(f_softmax(x[:3]), f_softmax(x[3:])) - f_entropy(f_softmax(x[:3])),
        vector(6),
    ),
    Row(
        "softmax",
        lambda *a: dot(L.softmax(a), SCALE),
        lambda x: math.fsum(s * w for s, w in zip(f_softmax(x), SCALE)),
        vector(3, -20, 20),
    ),
    Row(
        "log_softmax",
        lambda *a: dot(L.log_softmax(a), SCALE),
        lambda x: math.fsum(s * w for s, w in zip(f_log_softmax(x), SCALE)),
        vector(3, -20, 20),
    ),
    Row(
        "categorical_cross_entropy",
        lambda *a: L.categorical_cross_entropy([0, 1, 0], L.softmax(a)),
        lambda x: -f_log_softmax(x)[1],
        vector(3),
    ),
    Row(
        "stable_categorical_ce",
        lambda *a: L.stable_categorical_ce(a, 1),
        lambda x: -f_log_softmax(x)[1],
        vector(3, -50, 50),
    ),
    Row(
        "softmax_cross_entropy",
        lambda *a: L.softmax_cross_entropy(a, 2),
        lambda x: -f_log_softmax(x)[2],
        vector(3, -50, 50),
    ),
    Row(
        "softmax_cross_entropy smoothing",
        lambda *a: L.softmax_cross_entropy(a, 2, label_smoothing=0.2),
        lambda x: -math.fsum(t * ls for t, ls in zip([0.2 / 3, 0.2 / 3, 0.8 + 0.2 / 3], f_log_softmax(x))),
        vector(3, -50, 50),
    ),
    Row(
        "softmax_cross_entropy probability target",
        lambda *a: L.softmax_cross_entropy(a[:3], L.softmax(a[3:])),
        lambda x: f_cross_entropy(f_softmax(x[3:]), f_softmax(x[:3])),
        vector(6),
    ),
    Row(
        "softmax_cross_entropy batch",
        lambda *a: L.softmax_cross_entropy([a[:3], a[3:]], [0, 2], label_smoothing=0.1),
        lambda x: f_mean(
            [
                -math.fsum(t * ls for t, ls in zip([0.9 + 0.1 / 3, 0.1 / 3, 0.1 / 3], f_log_softmax(x[:3]))),
                -math.fsum(t * ls for t, ls in zip([0.1 / 3, 0.1 / 3, 0.9 + 0.1 / 3], f_log_softmax(x[3:]))),
            ]
        ),
        vector(6, -50, 50),
    ),
    Row(
        "nll_loss",
        lambda *a: L.nll_loss(L.log_softmax(a), 0),
        lambda x: -f_log_softmax(x)[0],
        vector(3),
    ),
]

ROW_IDS = [row.name for row in ROWS]


@pytest.mark.parametrize("row", ROWS, ids=ROW_IDS)
@settings(max_examples=20, deadline=None)
@given(data=st.data())
def test_forward_equals_float_formula(row: Row, data: st.DataObject) -> None:
    xs = data.draw(row.inputs)
    value = row.build(*[Value(x) for x in xs]).data
    expected = row.reference(xs)
    assert math.isclose(value, expected, rel_tol=1e-9, abs_tol=1e-12), (
        row.name,
        xs,
        value,
        expected,
    )


@pytest.mark.parametrize("row", ROWS, ids=ROW_IDS)
@settings(max_examples=15, deadline=None)
@given(data=st.data())
def test_gradcheck(row: Row, data: st.DataObject) -> None:
    xs = data.draw(row.inputs)
    assert gradcheck(row.build, xs, eps=1e-6, atol=1e-5, rtol=1e-4)


# Each engine operation, made again from a node's children and args with the public API.
REBUILD: dict[str, Callable[[list[Value], tuple[float, ...]], Value]] = {
    "+": lambda c, args: c[0] + c[1],
    "-": lambda c, args: c[0] - c[1],
    "*": lambda c, args: c[0] * c[1],
    "/": lambda c, args: c[0] / c[1],
    # A number exponent is stored as a Constant; given back as a number it takes the same path.
    "**": lambda c, args: c[0] ** (c[1].data if isinstance(c[1], Constant) else c[1]),
    "neg": lambda c, args: -c[0],
    "abs": lambda c, args: abs(c[0]),
    "exp": lambda c, args: c[0].exp(),
    "log": lambda c, args: c[0].log(),
    "sqrt": lambda c, args: c[0].sqrt(),
    "tanh": lambda c, args: c[0].tanh(),
    "sigmoid": lambda c, args: c[0].sigmoid(),
    "relu": lambda c, args: c[0].relu(),
    "leaky_relu": lambda c, args: c[0].leaky_relu(*args),
    "softplus": lambda c, args: c[0].softplus(),
    "clip": lambda c, args: c[0].clip(*args),
    "sum": lambda c, args: engine.sum(c),
    "dot": lambda c, args: engine.dot(c[: len(c) // 2], c[len(c) // 2 :]),
}


def nodes_below(root: Value) -> list[Value]:
    """Return root and every node below it, each once, by walking `children`."""
    nodes, seen = [root], {id(root)}
    for node in nodes:  # the list grows as the walk finds new nodes
        for child in node.children:
            if id(child) not in seen:
                seen.add(id(child))
                nodes.append(child)
    return nodes


def foreign_nodes(root: Value) -> list[str]:
    """Return a description of every node below root that the engine's operations did not make."""
    found = []
    for node in nodes_below(root):
        children = list(node.children)
        if not node.op:
            if children or node.local_derivatives():
                found.append("a node with operands but no operation")
            continue
        if node.op not in engine.OPERATIONS:
            found.append(f"op {node.op!r}, not an engine operation")
            continue
        rebuilt = REBUILD[node.op](children, node.args)
        if rebuilt.data != node.data:
            found.append(f"op {node.op!r} gives {node.data!r} where the engine gives {rebuilt.data!r}")
        if rebuilt.local_derivatives() != node.local_derivatives():
            found.append(
                f"op {node.op!r} has local derivatives {node.local_derivatives()} "
                f"where the engine's are {rebuilt.local_derivatives()}"
            )
    return found


def test_every_engine_operation_can_be_rebuilt() -> None:
    assert set(REBUILD) == engine.OPERATIONS


@pytest.mark.parametrize("row", ROWS, ids=ROW_IDS)
@settings(max_examples=3, deadline=None)
@given(data=st.data())
def test_graph_is_made_of_engine_operations(row: Row, data: st.DataObject) -> None:
    xs = data.draw(row.inputs)
    assert foreign_nodes(row.build(*[Value(x) for x in xs])) == []


class HandWrittenSquare(Value):
    """A node that claims to be the engine's '**' but brings a derivative of its own."""

    __slots__ = ()

    def local_derivatives(self) -> tuple[float, ...]:
        return (3.0, 0.0)  # not 2x at x = 2


def test_a_hand_written_gradient_would_be_caught() -> None:
    x = Value(2.0)
    square = HandWrittenSquare(4.0)
    square.op, square.children = "**", (x, Constant(2.0))
    assert foreign_nodes(square + 1) == [
        "op '**' has local derivatives (3.0, 0.0) where the engine's are (4.0, 2.772588722239781)"
    ]
    made_up = Value(4.0)
    made_up.op, made_up.children = "square", (x,)
    assert foreign_nodes(made_up * 2) == ["op 'square', not an engine operation"]


def test_the_walk_checks_every_node_of_a_graph() -> None:
    x = Value(3.0)
    y = (x * 2 + x).relu()
    assert {node.op for node in nodes_below(y)} == {"relu", "+", "*", ""}
    assert foreign_nodes(y) == []


def test_table_covers_every_loss() -> None:
    on_logit_wrappers = {name for name in L.__all__ if getattr(L, name) in L.BINARY_LOSSES_ON_LOGIT.values()}
    declared = {name for name in L.__all__ if L.input_kind(getattr(L, name)) is not None}
    differentiable = declared - on_logit_wrappers | {"sigmoid", "logit", "softmax", "log_softmax"}
    covered = {row.name.split()[0] for row in ROWS}
    assert differentiable == covered, sorted(differentiable ^ covered)
