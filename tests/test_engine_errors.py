"""Bad input and undefined math: each raises the right exception with a message a person can act on."""

from __future__ import annotations

import math
import re

import numpy as np
import pytest

import engine
from engine import GradcheckError, Value, gradcheck

BAD_DATA = [
    ("a string", "1.0", "str"),
    ("None", None, "NoneType"),
    ("a complex number", 1 + 2j, "complex"),
    ("a list", [1.0], "list"),
    ("a 3-element array", np.array([1.0, 2.0, 3.0]), "ndarray of shape (3,)"),
    ("a complex numpy scalar", np.complex128(1.0), "complex128"),
]


@pytest.mark.parametrize(("case", "data", "type_name"), BAD_DATA, ids=[c[0] for c in BAD_DATA])
def test_value_rejects_non_real_data(case: str, data: object, type_name: str) -> None:
    with pytest.raises(TypeError, match=re.escape(type_name)) as info:
        Value(data)
    assert str(info.value).startswith("Value:")


def test_a_value_of_a_value_is_a_new_leaf_with_its_number() -> None:
    x = Value(2.0)
    y = Value(x * 3.0, label="y")
    assert y.data == 6.0 and y.children == () and y.label == "y"
    y.backward()
    assert x.grad == 0.0  # the graph below the argument is not copied


def test_value_rejects_nan() -> None:
    with pytest.raises(ValueError, match="Value: data must not be NaN"):
        Value(math.nan)
    with pytest.raises(ValueError, match="NaN"):
        Value(np.float64("nan"))


def test_value_rejects_a_non_string_label() -> None:
    with pytest.raises(TypeError, match="label must be a str"):
        Value(1.0, label=3)  # type: ignore[arg-type]


@pytest.mark.parametrize("bad", ["2", None, [1.0], 1j])
def test_operators_reject_non_numbers(bad: object) -> None:
    x = Value(1.0)
    for op in (lambda: x + bad, lambda: bad * x, lambda: x / bad, lambda: x < bad):
        with pytest.raises(TypeError, match="must be a real number"):
            op()


UNDEFINED = [
    ("log of 0", lambda: Value(0.0).log(), ValueError, r"log: operand must be > 0, got 0\.0"),
    ("log of a negative", lambda: Value(-2.0).log(), ValueError, r"log: operand must be > 0, got -2\.0"),
    ("sqrt of a negative", lambda: Value(-1.0).sqrt(), ValueError, r"sqrt: operand must be >= 0, got -1\.0"),
    ("division by zero", lambda: Value(1.0) / 0, ZeroDivisionError, r"/: division by zero \(1\.0 / 0\.0\)"),
    ("number / zero Value", lambda: 2 / Value(0.0), ZeroDivisionError, r"/: division by zero"),
    (
        "0 to a negative power",
        lambda: Value(0.0) ** -1,
        ZeroDivisionError,
        r"\*\*: 0\.0 cannot be raised to a negative power",
    ),
    ("negative base, fractional power", lambda: Value(-8.0) ** (1 / 3), ValueError, r"\*\*: a negative base \(-8\.0\)"),
    (
        "Value exponent, negative base",
        lambda: Value(-2.0) ** Value(2.0),
        ValueError,
        r"\*\*: a Value exponent needs a positive base, got base -2\.0",
    ),
    ("number base 0, Value exponent", lambda: 0 ** Value(2.0), ValueError, r"positive base, got base 0\.0"),
    (
        "exp overflow",
        lambda: Value(710.0).exp(),
        OverflowError,
        r"exp: exp\(710\.0\) overflows.*log_softmax.*binary_cross_entropy_with_logits",
    ),
    ("pow overflow", lambda: Value(10.0) ** 400, OverflowError, r"\*\*: 10\.0 \*\* 400\.0 overflows"),
    ("an infinite operand", lambda: Value(1.0) * math.inf, ValueError, r"\*: operand must be finite, got inf"),
    (
        "a product that overflows",
        lambda: Value(1e308) * 10,
        OverflowError,
        r"\*: the result overflows a float .* 1e\+308, 10\.0",
    ),
    ("a sum that overflows", lambda: Value(1e308) + Value(1e308), OverflowError, r"\+: the result overflows"),
    ("a quotient that overflows", lambda: Value(1.0) / 5e-324, OverflowError, r"/: the result overflows"),
    ("an n-ary sum that overflows", lambda: engine.sum([1e308, 1e308]), OverflowError, r"sum: the result overflows"),
    ("a dot that overflows", lambda: engine.dot([1e200], [1e200]), OverflowError, r"dot: the result overflows"),
    (
        "clip with lo > hi",
        lambda: Value(0.0).clip(1.0, -1.0),
        ValueError,
        r"clip: lo must be <= hi, got lo=1\.0, hi=-1\.0",
    ),
    ("clip with a NaN bound", lambda: Value(0.0).clip(math.nan, 1.0), ValueError, r"clip: lo must not be NaN"),
]


@pytest.mark.parametrize(("case", "make", "error", "message"), UNDEFINED, ids=[c[0] for c in UNDEFINED])
def test_undefined_math_raises_a_named_error(case: str, make, error: type, message: str) -> None:
    with pytest.raises(error, match=message) as info:
        make()
    assert "math domain error" not in str(info.value)


def test_an_overflow_message_shows_a_few_operands_of_a_big_node() -> None:
    with pytest.raises(OverflowError) as info:
        engine.dot([1e200] + [1.0] * 99, [1e200] + [0.0] * 99)
    message = str(info.value)
    assert message.startswith("dot: the result overflows a float (got inf) for operand(s) 1e+200, 1.0, 1.0")
    assert message.endswith("... (200 operands)") and len(message) < 140


def test_infinite_derivatives_raise_in_backward() -> None:
    x = Value(0.0)
    y = x.sqrt()
    assert y.data == 0.0
    with pytest.raises(
        OverflowError, match=r"sqrt: the gradient of operand 1 \(0\.0\) is not finite: local derivative inf"
    ):
        y.backward()
    with pytest.raises(OverflowError, match=r"\*\*: the gradient of operand 1 \(0\.0\) is not finite"):
        (Value(0.0) ** 0.5).backward()


def test_n_ary_nodes_reject_bad_operands() -> None:
    with pytest.raises(ValueError, match="sum: values must not be empty"):
        engine.sum([])
    with pytest.raises(TypeError, match=r"sum: values\[1\] must be a real number, got str"):
        engine.sum([1.0, "x"])
    with pytest.raises(TypeError, match="sum: values must be a sequence"):
        engine.sum(Value(1.0))  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="dot: a and b must have the same length, got 2 and 3"):
        engine.dot([1.0, 2.0], [1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="dot: a and b must not be empty"):
        engine.dot([], [])


def test_gradcheck_reports_a_wrong_gradient_as_a_table() -> None:
    def square_with_a_detached_factor(x: Value) -> Value:
        # x·x with one factor computed under no_grad: backprop sees d/dx = x, the truth is 2x.
        with engine.no_grad():
            frozen = x * 1.0
        return x * frozen

    with pytest.raises(GradcheckError) as info:
        gradcheck(square_with_a_detached_factor, [2.0])
    lines = str(info.value).splitlines()
    assert "analytic" in lines[1] and "numeric" in lines[1]
    assert lines[2].split()[1:5] == ["2", "2", "4", "2"] and lines[2].endswith("FAIL")


def test_gradcheck_checks_its_arguments() -> None:
    with pytest.raises(TypeError, match="gradcheck: fn must return a Value, got float"):
        gradcheck(lambda x: 1.0, [1.0])
    with pytest.raises(ValueError, match="gradcheck: inputs must not be empty"):
        gradcheck(lambda: Value(1.0), [])
    with pytest.raises(ValueError, match="gradcheck: eps must be > 0, got 0"):
        gradcheck(lambda x: x, [1.0], eps=0)
    with pytest.raises(ValueError, match="gradcheck: eps must be > 0, got nan"):
        gradcheck(lambda x: x, [1.0], eps=math.nan)
    with pytest.raises(ValueError, match="gradcheck: rtol must be >= 0, got -1"):
        gradcheck(lambda x: x, [1.0], rtol=-1)
    with pytest.raises(TypeError, match=r"gradcheck: inputs\[0\] must be a real number, got str"):
        gradcheck(lambda x: x, ["a"])


def test_gradcheck_accepts_values_and_returns_true() -> None:
    assert gradcheck(lambda a, b: (a * b).sigmoid().log(), [Value(0.4), -1.3]) is True
