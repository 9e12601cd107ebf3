"""Extreme magnitudes: every expression gives finite numbers and gradients, or an error naming its operation.

Hypothesis writes small programs over every primitive, on inputs from 1e-320 (subnormal) to 1e308,
of either sign. Each program either computes a finite value whose backward pass leaves finite
gradients everywhere, or raises an ArithmeticError or ValueError whose message starts with the name
of the operation that could not be computed. Nothing in between: no inf, no NaN, no raw
``math range error``.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import engine
from engine import Value

MAGNITUDES = st.one_of(
    st.floats(1e-320, 1e-300),
    st.floats(1e-300, 1e-3),
    st.floats(1e-3, 1e3),
    st.floats(1e3, 1e300),
    st.floats(1e300, 1e308),
    st.sampled_from([0.0, 1.0, 5e-324, 1.7976931348623157e308]),
)
NUMBERS = st.builds(lambda m, negative: -m if negative else m, MAGNITUDES, st.booleans())

UNARY: dict[str, Callable[[Value], Value]] = {
    "neg": lambda a: -a,
    "abs": abs,
    "exp": Value.exp,
    "log": Value.log,
    "sqrt": Value.sqrt,
    "tanh": Value.tanh,
    "sigmoid": Value.sigmoid,
    "relu": Value.relu,
    "leaky_relu": lambda a: a.leaky_relu(0.1),
    "softplus": Value.softplus,
    "clip": lambda a: a.clip(-1e300, 1e300),
}
BINARY: dict[str, Callable[[Value, Value], Value]] = {
    "+": lambda a, b: a + b,
    "-": lambda a, b: a - b,
    "*": lambda a, b: a * b,
    "/": lambda a, b: a / b,
    "**": lambda a, b: a**b,
    "sum": lambda a, b: engine.sum([a, b, a]),
    "dot": lambda a, b: engine.dot([a, b], [b, a]),
}
NUMBER_EXPONENT = "** number"

STEP = st.one_of(
    st.tuples(st.sampled_from(sorted(UNARY)), st.integers(0, 99)),
    st.tuples(st.sampled_from(sorted(BINARY)), st.integers(0, 99), st.integers(0, 99)),
    st.tuples(st.just(NUMBER_EXPONENT), st.integers(0, 99), st.sampled_from([-2.0, -0.5, 0.5, 2.0, 3.0, 1e-200])),
)


def _run(inputs: list[float], program: list[tuple]) -> tuple[list[Value], Value]:
    """Return (the input leaves, the last value) of running program on inputs; may raise."""
    leaves = [Value(x) for x in inputs]
    values: list[Value] = list(leaves)
    for step in program:
        name, *arguments = step
        if name == NUMBER_EXPONENT:
            index, exponent = arguments
            values.append(values[index % len(values)] ** exponent)
        elif name in UNARY:
            values.append(UNARY[name](values[arguments[0] % len(values)]))
        else:
            a, b = (values[i % len(values)] for i in arguments)
            values.append(BINARY[name](a, b))
    return leaves, values[-1]


def _names_an_operation(error: BaseException) -> bool:
    head = str(error).split(":", 1)[0]
    return head in engine.OPERATIONS


@settings(max_examples=400, deadline=None)
@given(st.lists(NUMBERS, min_size=1, max_size=3), st.lists(STEP, min_size=1, max_size=6))
def test_every_program_is_finite_or_names_its_operation(inputs: list[float], program: list[tuple]) -> None:
    try:
        leaves, out = _run(inputs, program)
    except (ArithmeticError, ValueError) as error:
        assert _names_an_operation(error), f"forward error names no operation: {error!r}"
        return
    assert math.isfinite(out.data)
    try:
        out.backward()
    except (ArithmeticError, ValueError) as error:
        assert _names_an_operation(error), f"backward error names no operation: {error!r}"
        return
    assert all(math.isfinite(leaf.grad) for leaf in leaves), [leaf.grad for leaf in leaves]


@pytest.mark.parametrize(
    ("make", "error", "message"),
    [
        (lambda: Value(float("inf")), ValueError, r"^Value: data must be finite, got inf$"),
        (lambda: Value(10**400), OverflowError, r"^Value: data is beyond the float range, got 1000000.*\(401 chars\)$"),
        (lambda: Value(1.0) * 10**400, OverflowError, r"^\*: operand is beyond the float range"),
        (lambda: Value(10**5000), OverflowError, r"^Value: data is beyond the float range, got an int of 16610 bits$"),
        (
            lambda: (1 / Value(1e-160)).backward(),
            OverflowError,
            r"^/: the gradient of operand 2 \(1e-160\) is not finite",
        ),
        (lambda: Value(1e-320).log().backward(), OverflowError, r"^log: the gradient of operand 1"),
    ],
)
def test_non_finite_numbers_are_refused_by_name(make: Callable[[], object], error: type, message: str) -> None:
    with pytest.raises(error, match=message):
        make()


def test_a_finite_power_derivative_stays_finite() -> None:
    x = Value(5e-324)
    y = x**1e-200  # about 1, and d/dx = 1e-200 · y / x, about 2e123: finite
    y.backward()
    assert math.isfinite(x.grad) and x.grad == pytest.approx(1e-200 * y.data / 5e-324, rel=1e-9)


def test_an_overflowing_gradient_into_a_constant_is_dropped_not_raised() -> None:
    x = Value(1e307)
    y = x ** Value(1.0)  # a Value exponent: d/d(exponent) = x·ln x, which overflows
    assert y.data == 1e307
    with pytest.raises(OverflowError, match=r"^\*\*: the gradient of operand 2"):
        y.backward()
    z = Value(1e307) ** 1.0  # a number exponent is a Constant: nobody asks for its gradient
    z.backward()
    assert z.children[0].grad == 1.0


def test_a_gradient_that_overflows_only_when_added_up_is_named_at_the_leaf() -> None:
    # Each contribution into w is finite (1e308); their sum is not.
    w = Value(1e-300, label="w")
    loss = w * 1e308 + w * 1e308
    w.grad = 0.5  # leaves accumulate: the message shows what was there before the second addition
    message = r"^\*: the gradient of operand 1 \(1e-300\) is not finite: .*added to 1e\+308"
    with pytest.raises(OverflowError, match=message):
        loss.backward()


def test_a_gradient_that_overflows_when_added_up_is_named_at_an_inner_node() -> None:
    w = Value(1e-300)
    h = w * 1.0  # an inner node: its gradient is the overflowing sum, reached before w
    loss = h * 1e308 + h * 1e308
    with pytest.raises(OverflowError, match=r"^\*: the gradient of operand 1 \(1e-300\) is not finite"):
        loss.backward()
    assert w.grad == 0.0  # the error came before anything reached the leaf


def test_an_overflow_into_a_constant_leaves_exactly_the_pass_without_it() -> None:
    w = Value(1e300)
    loss = (w * 1e-300) * 1e10  # the Constant 1e-300 would receive 1e300 · 1e10
    w.grad = 1e-290  # leaves accumulate: the pass adds its 1e-290 once, even though it ran twice
    steps = loss.backward_steps()
    assert w.grad == 2e-290
    assert [step.node.op for step in steps] == ["*", "*"]
    replayed = 1e-290
    for step in steps:
        for child, contribution in zip(step.node.children, step.contributions):
            if child is w:
                replayed += contribution
    assert replayed == w.grad
