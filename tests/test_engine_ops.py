"""Every engine primitive, checked from one table (MiniTorch style).

Each row gives an operation twice: on plain floats (the reference) and on Values. The tests walk
the table: hypothesis draws inputs from the row's domain, which keeps them off kinks and poles, the
forward value is compared with the float version, and backprop's gradient with a central difference.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import engine
from engine import Value, gradcheck


def floats(lo: float, hi: float) -> st.SearchStrategy[float]:
    return st.floats(lo, hi, allow_nan=False, allow_infinity=False)


def away_from(strategy: st.SearchStrategy[float], point: float, gap: float = 1e-2) -> st.SearchStrategy[float]:
    """Inputs at least `gap` from a kink, so the central difference never straddles it."""
    return strategy.filter(lambda x: abs(x - point) > gap)


def ref_sigmoid(x: float) -> float:
    return 1 / (1 + math.exp(-x))


@dataclass(frozen=True)
class Op:
    name: str
    on_floats: Callable[..., float]
    on_values: Callable[..., Value]
    domain: tuple[st.SearchStrategy[float], ...]


ANY = floats(-5, 5)
POSITIVE = floats(0.05, 10)

UNARY_AND_BINARY = [
    Op("add", lambda a, b: a + b, lambda a, b: a + b, (ANY, ANY)),
    Op("radd", lambda a: 2.5 + a, lambda a: 2.5 + a, (ANY,)),
    Op("sub", lambda a, b: a - b, lambda a, b: a - b, (ANY, ANY)),
    Op("rsub", lambda a: 2.5 - a, lambda a: 2.5 - a, (ANY,)),
    Op("mul", lambda a, b: a * b, lambda a, b: a * b, (ANY, ANY)),
    Op("rmul", lambda a: -1.5 * a, lambda a: -1.5 * a, (ANY,)),
    Op("div", lambda a, b: a / b, lambda a, b: a / b, (ANY, away_from(ANY, 0.0, 0.2))),
    Op("rdiv", lambda a: 3.0 / a, lambda a: 3.0 / a, (away_from(ANY, 0.0, 0.2),)),
    Op("neg", lambda a: -a, lambda a: -a, (ANY,)),
    Op("abs", abs, abs, (away_from(ANY, 0.0),)),
    Op("square", lambda a: a**2, lambda a: a**2, (ANY,)),
    Op("cube", lambda a: a**3, lambda a: a**3, (ANY,)),
    Op("pow -1", lambda a: a**-1, lambda a: a**-1, (away_from(ANY, 0.0, 0.2),)),
    Op("pow 0.5", lambda a: a**0.5, lambda a: a**0.5, (POSITIVE,)),
    Op("pow 0", lambda a: a**0, lambda a: a**0, (ANY,)),
    Op("pow value", lambda a, b: a**b, lambda a, b: a**b, (POSITIVE, floats(-2, 2))),
    Op("rpow", lambda a: 2.0**a, lambda a: 2.0**a, (ANY,)),
    Op("exp", math.exp, Value.exp, (ANY,)),
    Op("log", math.log, Value.log, (POSITIVE,)),
    Op("sqrt", math.sqrt, Value.sqrt, (POSITIVE,)),
    Op("tanh", math.tanh, Value.tanh, (ANY,)),
    Op("sigmoid", ref_sigmoid, Value.sigmoid, (ANY,)),
    Op("relu", lambda a: max(a, 0.0), Value.relu, (away_from(ANY, 0.0),)),
    Op("leaky_relu", lambda a: a if a > 0 else 0.01 * a, Value.leaky_relu, (away_from(ANY, 0.0),)),
    Op("leaky_relu 0.2", lambda a: a if a > 0 else 0.2 * a, lambda a: a.leaky_relu(0.2), (away_from(ANY, 0.0),)),
    Op("softplus", lambda a: math.log(1 + math.exp(a)), Value.softplus, (ANY,)),
    Op("clip", lambda a: min(max(a, -1.0), 2.0), lambda a: a.clip(-1.0, 2.0), (away_from(away_from(ANY, -1.0), 2.0),)),
    Op("sum", lambda a, b, c: a + b + c, lambda a, b, c: engine.sum([a, b, c]), (ANY, ANY, ANY)),
    Op("sum with number", lambda a, b: a + 4.0 + b, lambda a, b: engine.sum([a, 4.0, b]), (ANY, ANY)),
    Op("dot", lambda a, b, c, d: a * c + b * d, lambda a, b, c, d: engine.dot([a, b], [c, d]), (ANY, ANY, ANY, ANY)),
    Op("dot reused", lambda a, b: a * a + b * a, lambda a, b: engine.dot([a, b], [a, a]), (ANY, ANY)),
]

IDS = [op.name for op in UNARY_AND_BINARY]


def inputs_for(op: Op) -> st.SearchStrategy[tuple[float, ...]]:
    return st.tuples(*op.domain)


@pytest.mark.parametrize("op", UNARY_AND_BINARY, ids=IDS)
@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_forward_matches_float_version(op: Op, data: st.DataObject) -> None:
    xs = data.draw(inputs_for(op))
    out = op.on_values(*(Value(x) for x in xs))
    assert isinstance(out, Value)
    assert out.data == pytest.approx(op.on_floats(*xs), rel=1e-12, abs=1e-12)


@pytest.mark.parametrize("op", UNARY_AND_BINARY, ids=IDS)
@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_gradient_matches_central_difference(op: Op, data: st.DataObject) -> None:
    xs = data.draw(inputs_for(op))
    assert gradcheck(op.on_values, list(xs), eps=1e-6, atol=1e-5, rtol=1e-4)


@pytest.mark.parametrize("op", UNARY_AND_BINARY, ids=IDS)
def test_no_grad_builds_no_graph(op: Op) -> None:
    xs = [Value(0.7 + 0.3 * i) for i in range(len(op.domain))]
    with engine.no_grad():
        out = op.on_values(*xs)
    assert out.children == () and out.local_derivatives() == ()
    out.backward()
    assert [x.grad for x in xs] == [0.0] * len(xs)  # nothing recorded, so nothing flows back
    assert engine.is_grad_enabled()


# ---------------------------------------------------------------- exact gradients worked by hand


def test_post_single_neuron_gradient() -> None:
    # The post: z = -4.5, y = 1, MSE through a sigmoid. dL/dz = 2(p - y)·p(1 - p).
    z = Value(-4.5)
    p = z.sigmoid()
    loss = (p - 1) ** 2
    loss.backward()
    assert f"{p:.6f}" == "0.010987"
    assert f"{loss:.6f}" == "0.978147"
    assert f"{z.grad:.6f}" == "-0.021494"
    assert z.grad == pytest.approx(2 * (p.data - 1) * p.data * (1 - p.data), rel=1e-15)


def test_micrograd_neuron_by_hand() -> None:
    # tanh(x1·w1 + x2·w2 + b) with the numbers of micrograd's walkthrough.
    x1, x2, w1, w2 = Value(2.0), Value(0.0), Value(-3.0), Value(1.0)
    b = Value(6.8813735870195432)
    o = (x1 * w1 + x2 * w2 + b).tanh()
    o.backward()
    assert o.data == pytest.approx(0.7071067811865476, rel=1e-12)
    local = 1 - o.data**2  # 0.5
    assert (x1.grad, w1.grad, x2.grad, w2.grad, b.grad) == pytest.approx(
        (w1.data * local, x1.data * local, w2.data * local, x2.data * local, local), rel=1e-12
    )


def test_a_plus_a_counts_twice() -> None:
    a = Value(3.0)
    b = a + a
    b.backward()
    assert a.grad == 2.0


def test_x_times_x() -> None:
    x = Value(-3.0)
    (x * x).backward()
    assert x.grad == -6.0


def test_reused_intermediate_node() -> None:
    a, b = Value(-2.0), Value(3.0)
    d = a * b
    e = a + b
    f = d * e  # f = ab(a + b); df/da = b(a + b) + ab, df/db = a(a + b) + ab
    f.backward()
    assert (a.grad, b.grad, d.grad, e.grad) == (-3.0, -8.0, 1.0, -6.0)


def test_children_keep_operand_order() -> None:
    a, b = Value(1.0, label="a"), Value(2.0, label="b")
    assert (b - a).children == (b, a)
    assert (a / b).children == (a, b)
    assert engine.dot([a, b], [b, a]).children == (a, b, b, a)
    c = 3 - a
    assert c.children[1] is a and isinstance(c.children[0], engine.Constant) and c.children[0].data == 3.0


def test_op_names() -> None:
    x = Value(0.5)
    names = {
        "+": x + 1,
        "-": x - 1,
        "*": x * 2,
        "/": x / 2,
        "neg": -x,
        "abs": abs(x),
        "**": x**2,
        "exp": x.exp(),
        "log": x.log(),
        "sqrt": x.sqrt(),
        "tanh": x.tanh(),
        "sigmoid": x.sigmoid(),
        "relu": x.relu(),
        "softplus": x.softplus(),
        "clip": x.clip(0, 1),
        "sum": engine.sum([x, x]),
        "dot": engine.dot([x], [x]),
        "leaky_relu": x.leaky_relu(),
    }
    for op, value in names.items():
        assert value.op == op
    assert set(names) == engine.OPERATIONS  # every operation has a name, and the list is complete
    assert x.op == ""
    assert (x**x).op == "**"


def test_a_number_exponent_is_a_constant_operand() -> None:
    x = Value(-3.0)
    y = x**2
    base, exponent = y.children
    assert base is x and isinstance(exponent, engine.Constant) and exponent.data == 2.0
    y.backward()
    assert x.grad == -6.0  # a negative base is fine with a number exponent; ln of it is never taken


def test_relu_abs_clip_at_their_kinks() -> None:
    # The conventions at the kink match PyTorch: relu'(0) = 0, |x|'(0) = 0, clip passes the bounds.
    for make, expected in [
        (lambda v: v.relu(), 0.0),
        (lambda v: abs(v), 0.0),
        (lambda v: v.clip(0.0, 1.0), 1.0),
        (lambda v: v.clip(-1.0, 0.0), 1.0),
    ]:
        x = Value(0.0)
        make(x).backward()
        assert x.grad == expected
    outside = Value(3.0)
    outside.clip(-1.0, 1.0).backward()
    assert outside.grad == 0.0


# ---------------------------------------------------------------- stable numerics


def test_sigmoid_and_tanh_saturate_without_overflow() -> None:
    assert Value(-1000.0).sigmoid().data == pytest.approx(0.0, abs=1e-300)
    assert Value(1000.0).sigmoid().data == 1.0
    assert Value(-1000.0).tanh().data == -1.0
    assert Value(1000.0).tanh().data == 1.0
    z = Value(-1000.0)
    z.sigmoid().backward()
    assert z.grad == 0.0


def test_softplus_is_stable_at_both_ends() -> None:
    big, small = Value(1000.0), Value(-1000.0)
    assert big.softplus().data == 1000.0
    assert 0.0 <= small.softplus().data < 1e-300
    big.softplus().backward()
    small.softplus().backward()
    assert (big.grad, small.grad) == (1.0, pytest.approx(0.0, abs=1e-300))
    # Away from the ends it agrees with the textbook formula to the last bits.
    assert Value(0.3).softplus().data == pytest.approx(math.log1p(math.exp(0.3)), rel=1e-15)


def test_an_operation_keeps_its_number_parameters_for_its_rule() -> None:
    x = Value(-2.0)
    leaky = x.leaky_relu(0.25)
    clipped = x.clip(-1.0, 3.0)
    assert leaky.args == (0.25,) and clipped.args == (-1.0, 3.0) and (x * 2).args == ()
    assert leaky.local_derivatives() == (0.25,)  # the slope, read back by the rule
    assert clipped.local_derivatives() == (0.0,)  # outside the bounds: nothing passes
    leaky.backward()
    assert x.grad == 0.25


def test_local_derivatives_are_what_backward_multiplies() -> None:
    a, b, c, d = Value(3.0), Value(-0.5), Value(1.5), Value(2.0)
    for out in [a * b, a / b, a**b, engine.dot([a, b], [c, d]), (a * b).tanh()]:
        expected = []
        for child in out.children:  # d out / d child by a central difference, one operand at a time
            saved = child.data
            child.data = saved + 1e-6
            up = _recompute(out)
            child.data = saved - 1e-6
            down = _recompute(out)
            child.data = saved
            expected.append((up - down) / 2e-6)
        assert out.local_derivatives() == pytest.approx(expected, rel=1e-6, abs=1e-8)


def _recompute(out: Value) -> float:
    """Return out's number recomputed from its operands' current numbers (for the ops used above)."""
    c = [child.data for child in out.children]
    return {
        "*": lambda: c[0] * c[1],
        "/": lambda: c[0] / c[1],
        "**": lambda: c[0] ** c[1],
        "dot": lambda: c[0] * c[2] + c[1] * c[3],
        "tanh": lambda: math.tanh(c[0]),
    }[out.op]()


def test_numpy_inputs_are_stored_as_python_floats() -> None:
    for raw in [np.float64(1.5), np.float32(1.5), np.int64(3), np.array(2.5), np.bool_(True), True, 7]:
        v = Value(raw)
        assert type(v.data) is float
        assert v.data == float(raw)
