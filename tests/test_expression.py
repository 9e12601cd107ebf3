"""Tests for demos.expression: a typed expression becomes an engine graph, and nothing else passes.

The graphs are compared with the same computation written with the engine and `losses` directly;
the refusals are one table, each case checking that the message quotes the offending part and
gives its column; and hypothesis feeds random text through the parser with `eval`, `exec`,
`__import__` and code-compiling `compile` switched off.
"""

from __future__ import annotations

import ast
import builtins
import string
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any
from unittest import mock

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import losses
from demos.expression import (
    FUNCTIONS,
    MAX_DEPTH,
    MAX_LENGTH,
    Expression,
    ExpressionError,
    parse_expression,
    parse_variables,
)
from engine import Constant, Value


def backpropagated(text: str, **variables: float) -> Expression:
    """Return the parsed expression after root.backward()."""
    expression = parse_expression(text, variables)
    expression.root.backward()
    return expression


def loss_and_grad(build: Callable[[Value], Value], z: float) -> tuple[float, float]:
    """Return (loss, dloss/dz) for a graph built directly from a leaf z."""
    leaf = Value(z, label="z")
    loss = build(leaf)
    loss.backward()
    return loss.data, leaf.grad


# ---------------------------------------------------------------------------- graphs


def test_the_posts_squared_error_through_the_sigmoid() -> None:
    expression = backpropagated("(sigmoid(z) - 1) ** 2", z=-4.5)
    assert f"{expression.root.data:.6f}" == "0.978147"
    assert f"{expression.leaves['z'].grad:.6f}" == "-0.021494"
    by_hand = loss_and_grad(lambda z: (z.sigmoid() - 1) ** 2, -4.5)
    assert (expression.root.data, expression.leaves["z"].grad) == by_hand


@given(st.floats(-30.0, 30.0), st.sampled_from([0.0, 1.0]))
def test_binary_cross_entropy_typed_is_the_losses_function(z: float, y: float) -> None:
    expression = backpropagated("binary_cross_entropy(sigmoid(z), y)", z=z, y=y)
    direct = loss_and_grad(lambda leaf: losses.binary_cross_entropy(losses.sigmoid(leaf), y), z)
    assert (expression.root.data, expression.leaves["z"].grad) == direct


@pytest.mark.parametrize(
    ("text", "build"),
    [
        ("bce_on_logit(z, 1)", lambda z: losses.binary_cross_entropy_with_logits(z, 1)),
        ("focal_loss(z, 1, gamma=2)", lambda z: losses.focal_loss(z, 1, gamma=2)),
        (
            "focal_loss(z, 0, alpha=0.5, gamma=0.5)",
            lambda z: losses.focal_loss(z, 0, alpha=0.5, gamma=0.5),
        ),
        ("huber_loss(z, 1, delta=2)", lambda z: losses.huber_loss(z, 1, delta=2)),
        ("surprise(sigmoid(z), base=2)", lambda z: losses.surprise(z.sigmoid(), base=2)),
        ("mse_through_sigmoid(z, 1)", lambda z: losses.mse_through_sigmoid(z, 1)),
        ("leaky_relu(z, slope=0.1) * 2", lambda z: z.leaky_relu(0.1) * 2),
        ("clip(z, -1, 1) + tanh(z)", lambda z: z.clip(-1, 1) + z.tanh()),
    ],
)
def test_calls_with_number_keywords_build_the_functions_graphs(
    text: str,
    build: Callable[[Value], Value],
) -> None:
    expression = backpropagated(text, z=-0.75)
    assert (expression.root.data, expression.leaves["z"].grad) == loss_and_grad(build, -0.75)


# One call of each function of the allow-list, and the same call made directly: adding a function
# to FUNCTIONS without an example here fails test_every_function_has_an_example.
EXAMPLES: dict[str, tuple[str, Callable[[Value], Value]]] = {
    "exp": ("exp(z)", lambda z: z.exp()),
    "log": ("log(z)", lambda z: z.log()),
    "sqrt": ("sqrt(z)", lambda z: z.sqrt()),
    "tanh": ("tanh(z)", lambda z: z.tanh()),
    "sigmoid": ("sigmoid(z)", lambda z: z.sigmoid()),
    "relu": ("relu(z)", lambda z: z.relu()),
    "leaky_relu": ("leaky_relu(z)", lambda z: z.leaky_relu()),
    "softplus": ("softplus(z)", lambda z: z.softplus()),
    "abs": ("abs(z)", lambda z: abs(z)),
    "clip": ("clip(z, 0, 0.2)", lambda z: z.clip(0, 0.2)),
    "mse_loss": ("mse_loss(z, 1)", lambda z: losses.mse_loss(z, 1)),
    "l1_loss": ("l1_loss(z, 1)", lambda z: losses.l1_loss(z, 1)),
    "huber_loss": ("huber_loss(z, 1)", lambda z: losses.huber_loss(z, 1)),
    "smooth_l1_loss": ("smooth_l1_loss(z, 1)", lambda z: losses.smooth_l1_loss(z, 1)),
    "logit": ("logit(z)", lambda z: losses.logit(z)),
    "binary_cross_entropy": (
        "binary_cross_entropy(z, 1)",
        lambda z: losses.binary_cross_entropy(z, 1),
    ),
    "binary_cross_entropy_with_logits": (
        "binary_cross_entropy_with_logits(z, 0)",
        lambda z: losses.binary_cross_entropy_with_logits(z, 0),
    ),
    "focal_loss": ("focal_loss(z, 1)", lambda z: losses.focal_loss(z, 1)),
    "hinge_loss": ("hinge_loss(z, -1)", lambda z: losses.hinge_loss(z, -1)),
    "surprise": ("surprise(z)", lambda z: losses.surprise(z)),
    "mse_through_sigmoid": ("mse_through_sigmoid(z, 0)", lambda z: (z.sigmoid() - 0) ** 2),
    "bce_through_sigmoid": ("bce_through_sigmoid(z, 1)", lambda z: -z.sigmoid().log()),
    "bce_on_logit": ("bce_on_logit(z, 1)", lambda z: losses.bce_on_logit(z, 1)),
    "focal_on_logit": ("focal_on_logit(z, 0)", lambda z: losses.focal_on_logit(z, 0)),
    "hinge_on_logit": ("hinge_on_logit(z, 1)", lambda z: losses.hinge_on_logit(z, 1)),
}


def test_every_function_has_an_example() -> None:
    assert set(EXAMPLES) == set(FUNCTIONS)


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_each_function_of_the_allow_list_computes_what_a_direct_call_does(name: str) -> None:
    text, build = EXAMPLES[name]
    expression = backpropagated(text, z=0.3)  # where every one of them is defined
    assert (expression.root.data, expression.leaves["z"].grad) == loss_and_grad(build, 0.3)


def test_the_allow_list_holds_the_engines_primitives_and_the_scalar_losses() -> None:
    primitives = {"exp", "log", "sqrt", "tanh", "sigmoid", "relu", "leaky_relu", "softplus"}
    primitives |= {"abs", "clip"}
    from_losses = set(FUNCTIONS) - primitives
    assert primitives <= set(FUNCTIONS)
    assert from_losses <= set(losses.__all__)
    for name in from_losses:
        assert FUNCTIONS[name] is getattr(losses, name)
    # vector losses and the gradient helpers (which take a function) stay out
    assert not {"softmax", "entropy", "kl_divergence", "grad_wrt_logit"} & set(FUNCTIONS)


def test_a_name_used_twice_is_one_leaf_labelled_with_its_name() -> None:
    expression = backpropagated("z * z", z=3.0)
    z = expression.leaves["z"]
    assert z.label == "z"
    assert expression.root.children == (z, z)
    assert z.grad == 6.0


def test_leaves_come_in_the_order_given() -> None:
    expression = backpropagated("y * z - y", z=2.0, y=-1.0)
    assert list(expression.leaves) == ["z", "y"]
    assert (expression.leaves["z"].grad, expression.leaves["y"].grad) == (-1.0, 1.0)


def test_numbers_alone_become_one_constant() -> None:
    expression = parse_expression("z * (2 * 3) + -1e-3 + 2.5e3", {"z": 1.0})
    product = expression.root.children[0].children[0]
    assert isinstance(product.children[1], Constant)
    assert product.children[1].data == 6.0
    assert expression.root.data == 1.0 * 6 - 1e-3 + 2.5e3


def test_an_expression_without_variables_gives_a_constant_root() -> None:
    expression = parse_expression("exp(0) + 2 ** 3", {})
    assert isinstance(expression.root, Constant)
    assert expression.root.data == 9.0
    assert expression.leaves == {}


def test_unary_plus_makes_no_node_and_leading_spaces_are_allowed() -> None:
    expression = parse_expression("  +z", {"z": 2.0})
    assert expression.root is expression.leaves["z"]


def test_a_variable_name_is_normalized_as_pythons_parser_does() -> None:
    expression = parse_expression("z + ｚ", {"ｚ": 2.0})  # fullwidth z is read as z
    assert list(expression.leaves) == ["z"]
    assert expression.root.data == 4.0


# ---------------------------------------------------------------------------- refusals


REFUSED = [
    # (expression, what the message says, the part it quotes, its column); the variable is z
    ("z.data", "attribute access is not allowed", "z.data", 1),
    ("sigmoid(z).grad", "attribute access is not allowed", "sigmoid(z).grad", 1),
    ("z[0]", "subscripts (indexing) are not allowed", "z[0]", 1),
    ("import os", "imports are not allowed", "import os", 1),
    ("from os import path", "imports are not allowed", "from os import path", 1),
    ("z = 1", "statements are not allowed", "z = 1", 1),
    ("z; 1", "a second expression is not allowed", "1", 4),
    ("y + z", "unknown name", "y", 1),
    ("z * open", "unknown name", "open", 5),
    ("sigmod(z)", "unknown function", "sigmod", 1),
    ("__import__('os')", "unknown function", "__import__", 1),
    ("[z for z in (1,)]", "comprehensions are not allowed", "[z for z in (1,)]", 1),
    ("sigmoid(z for w in z)", "comprehensions are not allowed", "(z for w in z)", 8),
    ("(lambda: z)()", "lambdas are not allowed", "lambda: z", 2),
    ("f'{z}'", "f-strings are not allowed", "f'{z}'", 1),
    ("z < 1", "comparisons are not allowed", "z < 1", 1),
    ("z and 1", "boolean operators (and, or) are not allowed", "z and 1", 1),
    ("not z", "the operator 'not' is not allowed", "not z", 1),
    ("~z", "the operator '~' is not allowed", "~z", 1),
    ("z // 2", "the operator '//' is not allowed", "z // 2", 1),
    ("z % 2", "the operator '%' is not allowed", "z % 2", 1),
    ("z if z else 1", "conditional expressions (x if c else y)", "z if z else 1", 1),
    ("sigmoid(*z)", "starred arguments (*) are not allowed", "*z", 9),
    ("sigmoid(**z)", "double-starred arguments (**) are not allowed", "**z", 9),
    ("(w := z)", "assignment expressions (:=) are not allowed", "w := z", 2),
    ("z + 'a'", "strings are not allowed", "'a'", 5),
    ("z + b'a'", "bytes are not allowed", "b'a'", 5),
    ("z + None", "None is not allowed", "None", 5),
    ("z * True", "True is not allowed", "True", 5),
    ("z * ...", "Ellipsis is not allowed", "...", 5),
    ("2j * z", "complex numbers are not allowed", "2j", 1),
    ("1e400 * z", "numbers beyond the float range are not allowed", "1e400", 1),
    ("z * 1" + "0" * 400, "numbers beyond the float range", "1" + "0" * 56 + "...", 5),
    ("[z]", "lists are not allowed", "[z]", 1),
    ("(z, 1)", "tuples are not allowed", "(z, 1)", 1),
    ("{z: 1}", "dicts are not allowed", "{z: 1}", 1),
    ("exp + z", "a function must be called", "exp", 1),
    ("z(1)", "calling a variable is not allowed", "z(1)", 1),
    ("sigmoid(z)(1)", "calling anything but a function by its name", "sigmoid(z)(1)", 1),
    ("focal_loss(z, 1, gamma=z)", "the keyword argument gamma must be a number", "gamma=z", 18),
    ("focal_loss(z, 1, reduction='sum')", "strings are not allowed", "'sum'", 28),
    ("focal_loss(z)", "focal_loss: missing a required argument: 'targets'", "focal_loss(z)", 1),
    ("focal_loss(z, 1, gama=2)", "keyword argument 'gama'", "focal_loss(z, 1, gama=2)", 1),
    ("sigmoid(z, 1)", "sigmoid: too many positional arguments", "sigmoid(z, 1)", 1),
    ("(sigmoid(z) - 1", "'(' was never closed", "(", 1),
    ("z)", "unmatched ')'", ")", 2),
    ("-" * MAX_DEPTH + "z", f"deeper than {MAX_DEPTH} levels", "z", MAX_DEPTH + 1),
    # errors of the engine and of the losses, raised while building: their own message
    ("z ** 1000", "**: -4.5 ** 1000.0 overflows a float", "z ** 1000", 1),
    ("z / (2 - 2)", "/: division by zero", "z / (2 - 2)", 1),
    ("sqrt(z)", "sqrt: operand must be >= 0, got -4.5", "sqrt(z)", 1),
    ("1 + logit(z)", "logit: p must be in (0, 1), got -4.5", "logit(z)", 5),
    ("2 * focal_loss(z, 1, gamma=-2)", "gamma must be >= 0", "focal_loss(z, 1, gamma=-2)", 5),
    ("z * exp(1000)", "exp: exp(1000.0) overflows a float", "exp(1000)", 5),
]


@pytest.mark.parametrize(
    ("text", "what", "segment", "column"),
    REFUSED,
    ids=[case[0][:30] for case in REFUSED],
)
def test_a_refused_expression_names_the_part_and_its_column(
    text: str,
    what: str,
    segment: str,
    column: int,
) -> None:
    with pytest.raises(ExpressionError) as caught:
        parse_expression(text, {"z": -4.5}, where="--expr")
    message = str(caught.value)
    assert message.startswith("--expr: ")
    assert what in message
    assert f"{segment!r} (column {column})" in message
    assert caught.value.column == column
    assert "\n" not in message


def test_the_table_refuses_each_kind_of_construct() -> None:
    assert len({what for _, what, _, _ in REFUSED}) >= 25


def test_an_unknown_name_lists_the_variables_given_and_close_matches() -> None:
    with pytest.raises(ExpressionError, match=r"variables: z, y1\); did you mean y1\?"):
        parse_expression("z + y", {"z": 1.0, "y1": 2.0})
    with pytest.raises(ExpressionError, match=r"unknown name: 'z' \(column 10\).*variables: none"):
        parse_expression("(sigmoid(z) - 1) ** 2", {})


def test_a_variable_given_but_not_used_is_refused() -> None:
    with pytest.raises(ExpressionError) as caught:
        parse_expression("z * 2", {"z": 1.0, "y": 2.0})
    assert str(caught.value) == "parse_expression: y is given but not used (it uses z)"


def test_numbers_alone_raise_the_engines_errors() -> None:
    with pytest.raises(ExpressionError) as caught:
        parse_expression("10 ** 400", {})
    overflow = "parse_expression: at '10 ** 400' (column 1): **: 10.0 ** 400.0 overflows a float"
    assert str(caught.value) == overflow
    with pytest.raises(ExpressionError, match=r"at '\(-8\) \*\* \(1/3\)' .*a negative base"):
        parse_expression("(-8) ** (1/3)", {})
    with pytest.raises(ExpressionError, match="division by zero"):
        parse_expression("1 / 0", {})


def test_positions_count_characters_lines_and_leading_spaces() -> None:
    cases = [
        ("é + é.x", {"é": 1.0}, "'é.x' (column 5)"),
        ("  z.x", {"z": 1.0}, "'z.x' (column 3)"),
        ("(z +\n  z.data)", {"z": 1.0}, "'z.data' (line 2, column 3)"),
    ]
    for text, variables, place in cases:
        with pytest.raises(ExpressionError) as caught:
            parse_expression(text, variables)
        assert place in str(caught.value)


def test_too_long_and_empty_expressions_are_refused() -> None:
    too_long = f"too long \\({MAX_LENGTH + 1} characters, at most {MAX_LENGTH}\\)"
    with pytest.raises(ExpressionError, match=too_long):
        parse_expression("z" + " + z" * (MAX_LENGTH // 4), {"z": 1.0})
    for text in ("", "   "):
        with pytest.raises(ExpressionError, match="the expression is empty"):
            parse_expression(text, {})
    with pytest.raises(ExpressionError, match="null bytes"):
        parse_expression("z\0", {"z": 1.0})
    with pytest.raises(ExpressionError, match="invalid syntax: '1 \\+' \\(at the end\\)"):
        parse_expression("1 +", {})


@pytest.mark.parametrize("text", ["-" * 100_000 + "z", "z" + " + z" * 100_000, "-" * 1500 + "z"])
def test_nesting_beyond_pythons_limits_is_refused_clearly(text: str) -> None:
    # Beyond the length limit, Python's parser (or the walk, given a huge max_depth) runs out of
    # stack: that is refused like any other expression.
    with pytest.raises(ExpressionError, match=r"^--expr: the expression is nested too deeply"):
        parse_expression(text, {"z": 1.0}, where="--expr", max_length=10**6, max_depth=10**6)


def test_bad_variables_are_refused_by_name() -> None:
    cases: list[tuple[dict[str, object], str]] = [
        ({"exp": 1.0}, "exp is the name of a function"),
        ({"1z": 1.0}, "must be an identifier"),
        ({"lambda": 1.0}, "must be an identifier"),
        ({"z": float("inf")}, "the variable z must be finite, got inf"),
        ({"z": "1"}, "the variable z must be a real number"),
        ({"z": 1.0, "ｚ": 2.0}, "z is given twice"),
    ]
    for variables, message in cases:
        with pytest.raises(ExpressionError, match=message):
            parse_expression("z", variables)


# ---------------------------------------------------------------------------- --var


def test_variables_parse_from_name_equals_value() -> None:
    assert parse_variables(["z=-4.5", "y = 1", "t=-1e-3", "u=2.5e3"]) == {
        "z": -4.5,
        "y": 1.0,
        "t": -0.001,
        "u": 2500.0,
    }
    assert parse_variables([]) == {}


@pytest.mark.parametrize(
    ("texts", "message"),
    [
        (["z"], "--var: expected NAME=VALUE, got 'z'"),
        (["=1"], "--var: expected NAME=VALUE, got '=1'"),
        (["z=abc"], "--var: the value of z must be a finite number, got 'z=abc'"),
        (["z=inf"], "--var: the value of z must be a finite number, got 'z=inf'"),
        (["z=nan"], "--var: the value of z must be a finite number, got 'z=nan'"),
        (["z=1e400"], "--var: the value of z must be a finite number, got 'z=1e400'"),
        (["sigmoid=1"], "--var: sigmoid is the name of a function; give the variable another name"),
        (["2z=1"], "--var: a variable's name must be an identifier (as z or y_1), got '2z'"),
        (["None=1"], "--var: a variable's name must be an identifier (as z or y_1), got 'None'"),
        (["z=1", "z=2"], "--var: z is given twice (z=1, z=2)"),
        (["ｚ=1", "z=2"], "--var: z is given twice (ｚ=1, z=2)"),
    ],
)
def test_bad_variables_are_refused_with_the_text_given(texts: list[str], message: str) -> None:
    with pytest.raises(ExpressionError) as caught:
        parse_variables(texts)
    assert str(caught.value) == message


# ---------------------------------------------------------------------------- any text at all


@contextmanager
def no_code_runs() -> Iterator[None]:
    """Within it, eval and exec fail, compile only parses (as ast.parse asks) and import loads
    nothing new (Python's parser itself imports the loaded unicodedata for a non-ASCII name)."""
    compile_, import_, loaded = builtins.compile, builtins.__import__, set(sys.modules)

    def refuse(source: object, *args: object, **kwargs: object) -> None:
        raise AssertionError(f"asked to run {source!r}")

    def parse_only(
        source: object, filename: object, mode: str, flags: int = 0, *args: object, **kwargs: object
    ) -> object:
        if not flags & ast.PyCF_ONLY_AST:
            raise AssertionError(f"compile() asked for code of {source!r}")
        return compile_(source, filename, mode, flags, *args, **kwargs)  # type: ignore

    def import_loaded(name: str, *args: Any, **kwargs: Any) -> object:
        if name not in loaded:
            raise AssertionError(f"asked to import {name}")
        return import_(name, *args, **kwargs)

    with (
        mock.patch.object(builtins, "eval", refuse),
        mock.patch.object(builtins, "exec", refuse),
        mock.patch.object(builtins, "__import__", import_loaded),
        mock.patch.object(builtins, "compile", parse_only),
    ):
        yield


def parses_or_refuses(text: str) -> None:
    """Assert that text gives an Expression or an ExpressionError, running no code on the way."""
    with no_code_runs():
        try:
            expression = parse_expression(text, {"z": -4.5})
        except ExpressionError:
            return
    assert isinstance(expression.root, Value)


TOKENS = [
    "z", "1", "0", "-4.5", "1e308", "2", "(", ")", ",", " ", "+", "-", "*", "/", "**", ".", "[",
    "sigmoid(", "exp(", "log(", "sqrt(", "clip(", "leaky_relu(", "focal_loss(", "hinge_loss(",
    "binary_cross_entropy(", "logit(", "surprise(", "gamma=", "alpha=", "base=", "lambda", ":",
    "'", "__import__", "open", "if", "else", "for", "in", "=", ":=", "j", "e", "\n", "]",
]  # fmt: skip


@settings(deadline=None)
@given(st.text(alphabet=string.printable, max_size=80))
def test_random_printable_text_only_ever_raises_expression_error(text: str) -> None:
    parses_or_refuses(text)


@settings(deadline=None)
@given(st.text(max_size=40))
def test_random_unicode_text_only_ever_raises_expression_error(text: str) -> None:
    parses_or_refuses(text)


@settings(deadline=None)
@given(st.lists(st.sampled_from(TOKENS), max_size=16).map("".join))
def test_random_expression_like_text_only_ever_raises_expression_error(text: str) -> None:
    parses_or_refuses(text)


def test_the_guard_sees_code_being_run() -> None:
    # the guard itself must be able to fail
    with no_code_runs(), pytest.raises(AssertionError, match="asked to run '1'"):
        eval("1")
    with no_code_runs(), pytest.raises(AssertionError, match="asked for code"):
        compile("1", "<test>", "eval")
    with no_code_runs(), pytest.raises(AssertionError, match="asked to import antigravity"):
        __import__("antigravity")


def test_a_call_that_would_run_code_is_refused_without_running_it() -> None:
    with no_code_runs(), pytest.raises(ExpressionError, match="attribute access is not allowed"):
        parse_expression("__import__('os').system('echo ran')", {})
    with no_code_runs(), pytest.raises(ExpressionError, match="unknown name: 'eval'"):
        parse_expression("sigmoid(eval)", {})
