"""Typed expressions: ``"(sigmoid(z) - 1) ** 2"`` at ``z = -4.5``, made into an engine graph safely.

`parse_expression` reads the text with Python's own parser (`ast.parse`, which builds a syntax
tree and runs nothing), then walks the tree and builds engine operations for the few kinds of node
it allows:

- numbers (``2``, ``0.5``, ``-1e-3``), and the variables given, each one leaf `Value` labelled
  with its name (a name used twice is the same leaf);
- ``+ - * / **``, unary ``-`` and ``+``, parentheses;
- calls of the functions in `FUNCTIONS` (the engine's primitives and the scalar losses), with
  keyword arguments only when they are numbers: ``focal_loss(z, 1, gamma=2)``.

Every other kind of node (attributes, subscripts, other names, comprehensions, lambdas, strings,
comparisons, ...) is refused with an `ExpressionError` that quotes the part and gives its column.
Everything is checked before anything is computed. The text is never given to `eval`, `exec` or
`compile`, and a name in it is looked up only among the variables given and in `FUNCTIONS`: a
name such as ``__import__`` or ``open`` is just an unknown name.

Arithmetic on numbers alone (``2 * 3``, ``exp(1)``) is done while building, by the engine, so its
errors apply (``1 / 0``, ``10 ** 400``), and it appears in the graph as one constant.

>>> expression = parse_expression("(sigmoid(z) - 1) ** 2", {"z": -4.5})
>>> expression.root.backward()
>>> print(f"loss = {expression.root:.6f}, dL/dz = {expression.leaves['z'].grad:.6f}")
loss = 0.978147, dL/dz = -0.021494
>>> parse_expression("z.data", {"z": -4.5}, where="--expr")
Traceback (most recent call last):
  ...
demos.expression.ExpressionError: --expr: attribute access is not allowed: 'z.data' (column 1)
"""

from __future__ import annotations

import ast
import difflib
import inspect
import keyword
import math
import operator
import re
import unicodedata
import warnings
from collections.abc import Callable, Iterable, Mapping
from types import MappingProxyType
from typing import NamedTuple, TypeVar, cast

import losses
from engine import Constant, Value
from engine.value import check_real

__all__ = [
    "FUNCTIONS",
    "MAX_DEPTH",
    "MAX_LENGTH",
    "Expression",
    "ExpressionError",
    "parse_expression",
    "parse_variables",
]

MAX_LENGTH = 500
"""The longest expression accepted, in characters: far more than a loss needs, and short enough
that Python's parser never nears its own limits."""

MAX_DEPTH = 100
"""The deepest nesting accepted (each operation, call or argument is one level)."""

Operand = Value | float  # a number stays a float until it meets a Value
T = TypeVar("T")


def _operand(x: Operand) -> Value:
    """Return x as a Value, wrapping a number as a Constant, so a primitive can be called on it."""
    return x if isinstance(x, Value) else Constant(x)


# The engine's primitives as functions of one operand (their number parameters after it).
_PRIMITIVES: dict[str, Callable[..., Value]] = {
    "exp": lambda x: _operand(x).exp(),
    "log": lambda x: _operand(x).log(),
    "sqrt": lambda x: _operand(x).sqrt(),
    "tanh": lambda x: _operand(x).tanh(),
    "sigmoid": lambda x: _operand(x).sigmoid(),  # the node losses.sigmoid makes for a scalar
    "relu": lambda x: _operand(x).relu(),
    "leaky_relu": lambda x, slope=0.01: _operand(x).leaky_relu(slope),
    "softplus": lambda x: _operand(x).softplus(),
    "abs": lambda x: abs(_operand(x)),
    "clip": lambda x, lo, hi: _operand(x).clip(lo, hi),
}

# The public functions of losses that take and give one number: losses of one example, and the
# binary losses on the logit (called as loss(z, y)). The distribution and softmax losses take
# vectors, which an expression cannot write, and are left out.
_LOSSES: dict[str, Callable[..., object]] = {
    "mse_loss": losses.mse_loss,
    "l1_loss": losses.l1_loss,
    "huber_loss": losses.huber_loss,
    "smooth_l1_loss": losses.smooth_l1_loss,
    "logit": losses.logit,
    "binary_cross_entropy": losses.binary_cross_entropy,
    "binary_cross_entropy_with_logits": losses.binary_cross_entropy_with_logits,
    "focal_loss": losses.focal_loss,
    "hinge_loss": losses.hinge_loss,
    "surprise": losses.surprise,
    "mse_through_sigmoid": losses.mse_through_sigmoid,
    "bce_through_sigmoid": losses.bce_through_sigmoid,
    "bce_on_logit": losses.bce_on_logit,
    "focal_on_logit": losses.focal_on_logit,
    "hinge_on_logit": losses.hinge_on_logit,
}

FUNCTIONS: Mapping[str, Callable[..., object]] = MappingProxyType({**_PRIMITIVES, **_LOSSES})
"""The functions an expression can call, by the name it calls them: the allow-list.

The engine's primitives (exp, log, sqrt, tanh, sigmoid, relu, leaky_relu(x, slope=0.01),
softplus, abs, clip(x, lo, hi)) and the scalar losses of `losses` (mse_loss, l1_loss, huber_loss,
smooth_l1_loss, logit, binary_cross_entropy, binary_cross_entropy_with_logits, focal_loss,
hinge_loss, surprise, and the binary losses on the logit mse_through_sigmoid, bce_through_sigmoid,
bce_on_logit, focal_on_logit, hinge_on_logit).
"""

_BINARY_OPERATORS: dict[type[ast.operator], Callable[[Operand, Operand], Operand]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.Pow: operator.pow,
}
_REFUSED_OPERATORS: dict[type[ast.AST], str] = {
    ast.FloorDiv: "//",
    ast.Mod: "%",
    ast.MatMult: "@",
    ast.LShift: "<<",
    ast.RShift: ">>",
    ast.BitOr: "|",
    ast.BitXor: "^",
    ast.BitAnd: "&",
    ast.Invert: "~",
    ast.Not: "not",
}
_OPERATORS_HINT = "the operators are + - * / ** and unary - and +"
# What each kind of node that an expression may not hold is called in the refusal.
_REFUSED_NODES: dict[type[ast.AST], str] = {
    ast.Attribute: "attribute access is not allowed",
    ast.Subscript: "subscripts (indexing) are not allowed",
    ast.ListComp: "comprehensions are not allowed",
    ast.SetComp: "comprehensions are not allowed",
    ast.DictComp: "comprehensions are not allowed",
    ast.GeneratorExp: "comprehensions are not allowed",
    ast.Lambda: "lambdas are not allowed",
    ast.JoinedStr: "f-strings are not allowed",
    ast.Compare: "comparisons are not allowed",
    ast.BoolOp: "boolean operators (and, or) are not allowed",
    ast.IfExp: "conditional expressions (x if c else y) are not allowed",
    ast.NamedExpr: "assignment expressions (:=) are not allowed",
    ast.Starred: "starred arguments (*) are not allowed",
    ast.List: "lists are not allowed",
    ast.Tuple: "tuples are not allowed",
    ast.Set: "sets are not allowed",
    ast.Dict: "dicts are not allowed",
    ast.Await: "await is not allowed",
}
# The errors the engine and the losses raise for bad numbers, each naming itself.
_LIBRARY_ERRORS = (ValueError, TypeError, ArithmeticError)
_SHOWN = 60  # the longest part of the text quoted in a message, in characters


class ExpressionError(ValueError):
    """An expression or a variable that `parse_expression` or `parse_variables` refuses.

    The message says what is wrong and quotes the part; ``segment`` is that part of the text,
    ``line`` and ``column`` (from 1, in characters) where it starts, each None when the error is
    not about one part (an expression too long, a variable given but not used).
    """

    def __init__(
        self,
        message: str,
        segment: str | None = None,
        line: int | None = None,
        column: int | None = None,
    ) -> None:
        super().__init__(message)
        self.segment = segment
        self.line = line
        self.column = column


class Expression(NamedTuple):
    """A parsed expression: its text, the root of its graph, and its leaves by variable name."""

    text: str
    root: Value  # computed, not yet backpropagated: the caller runs root.backward()
    leaves: dict[str, Value]  # one leaf per variable, labelled with its name, in the order given


def parse_expression(
    text: str,
    variables: Mapping[str, object],
    *,
    where: str = "parse_expression",
    max_length: int = MAX_LENGTH,
    max_depth: int = MAX_DEPTH,
) -> Expression:
    """Return the `Expression` whose root is the graph of text at the variables' values.

    Every variable given must be used, and every name used must be a variable or a function of
    `FUNCTIONS`. An expression without variables gives a Constant root.

    Args:
      text: the expression, such as ``"(sigmoid(z) - 1) ** 2"``.
      variables: the value of each variable, by name: finite numbers.
      where: what the error messages start with (the CLI's option, ``"--expr"``).
      max_length: the longest text accepted, in characters.
      max_depth: the deepest nesting accepted.

    Raises ExpressionError (a ValueError) for anything it refuses, and for an error that the
    engine or a loss raises while building (its own message, after the part of the text).

    >>> e = parse_expression("binary_cross_entropy(sigmoid(z), y)", {"z": -4.5, "y": 1})
    >>> e.root.backward()
    >>> print(f"{e.root:.4f} {e.leaves['z'].grad:.4f}")
    4.5110 -0.9890
    >>> parse_expression("sigmod(z)", {"z": 0.0}, where="--expr")
    Traceback (most recent call last):
      ...
    demos.expression.ExpressionError: --expr: unknown function: 'sigmod' (column 1); did you ...
    """
    if not isinstance(text, str):
        raise TypeError(f"{where}: text must be a str, got {type(text).__name__}")
    given = _checked_variables(variables, where)
    if len(text) > max_length:
        length = f"{len(text)} characters, at most {max_length}"
        raise ExpressionError(f"{where}: the expression is too long ({length})")
    if not text.strip():
        raise ExpressionError(f"{where}: the expression is empty")
    reader = _Reader(text, given, where, max_depth)
    tree = reader.parse()
    try:
        used = reader.check(tree.body, 1)
        unused = [name for name in given if name not in used]
        if unused:
            verb = "is" if len(unused) == 1 else "are"
            uses = ", ".join(used) or "no variables"
            message = f"{where}: {', '.join(unused)} {verb} given but not used (it uses {uses})"
            raise ExpressionError(message)
        result = reader.build(tree.body)
    except RecursionError:  # only with a max_depth near Python's recursion limit
        raise ExpressionError(f"{where}: the expression is nested too deeply") from None
    root = result if isinstance(result, Value) else Constant(result)
    return Expression(text, root, reader.leaves)


def parse_variables(texts: Iterable[str], where: str = "--var") -> dict[str, float]:
    """Return the variables given as ``NAME=VALUE`` texts, by name, in order.

    NAME is an identifier that is not a keyword or a function of `FUNCTIONS`; VALUE a finite
    number (``-4.5``, ``-1e-3``, ``2.5e3``). A name given twice is refused.

    >>> parse_variables(["z=-4.5", "y = 1"])
    {'z': -4.5, 'y': 1.0}
    >>> parse_variables(["z=1", "z=2"])
    Traceback (most recent call last):
      ...
    demos.expression.ExpressionError: --var: z is given twice (z=1, z=2)
    """
    values: dict[str, float] = {}
    first: dict[str, str] = {}
    for text in texts:
        name_text, equals, value_text = text.partition("=")
        if not equals or not name_text.strip():
            raise ExpressionError(f"{where}: expected NAME=VALUE, got {_quote(text)}")
        name = _variable_name(name_text.strip(), where)
        try:
            value = float(value_text)
        except ValueError:
            value = math.nan
        if not math.isfinite(value):
            message = f"{where}: the value of {name} must be a finite number, got {_quote(text)}"
            raise ExpressionError(message)
        if name in values:
            raise ExpressionError(f"{where}: {name} is given twice ({first[name]}, {text})")
        values[name] = value
        first[name] = text
    return values


# ---------------------------------------------------------------------------- checking and building


class _Reader:
    """The parse of one expression: check its tree, then build its graph, pointing at the text."""

    def __init__(self, text: str, variables: dict[str, float], where: str, max_depth: int) -> None:
        # Python's eval() drops leading spaces and tabs too; ast.parse calls them an indent.
        self.source = text.lstrip(" \t")
        self.indent = len(text) - len(self.source)
        self.lines = re.split(r"\r\n|\r|\n", self.source)  # the line breaks of Python's tokenizer
        self.variables = variables
        self.where = where
        self.max_depth = max_depth
        self.leaves = {name: Value(value, label=name) for name, value in variables.items()}

    # ------------------------------------------------------------------ parsing

    def parse(self) -> ast.Expression:
        """Return the syntax tree of the text, or raise ExpressionError for a syntax error."""
        try:
            with warnings.catch_warnings():
                # A SyntaxWarning (such as "invalid decimal literal") would print on the terminal.
                warnings.simplefilter("ignore")
                return ast.parse(self.source, mode="eval")
        except SyntaxError as error:
            self._refuse_statements()
            raise self._syntax_error(error) from None
        except (RecursionError, MemoryError):
            message = f"{self.where}: the expression is nested too deeply for Python's parser"
            raise ExpressionError(message) from None
        except ValueError as error:  # a lone surrogate character, a null byte in older Pythons
            message = f"{self.where}: the text cannot be read as an expression: {error}"
            raise ExpressionError(message) from None

    def _refuse_statements(self) -> None:
        """Raise a clear error if the text is statements (an import, an assignment), not one."""
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                module = ast.parse(self.source, mode="exec")  # parsing only: nothing runs
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            return
        for statement in module.body:
            if isinstance(statement, (ast.Import, ast.ImportFrom)):
                raise self._refusal(statement, "imports are not allowed", "give one expression")
            if not isinstance(statement, ast.Expr):
                raise self._refusal(statement, "statements are not allowed", "give one expression")
        if len(module.body) > 1:
            second = module.body[1]
            raise self._refusal(second, "a second expression is not allowed", "give one expression")

    def _syntax_error(self, error: SyntaxError) -> ExpressionError:
        """Return the ExpressionError for a SyntaxError, quoting the text where parsing stopped."""
        line_number = error.lineno or 1
        line = self.lines[line_number - 1] if 0 < line_number <= len(self.lines) else self.source
        if error.offset is None:  # an error about the whole text, such as a null byte in it
            return ExpressionError(f"{self.where}: {error.msg}: {_quote(self.source)}")
        start = error.offset - 1
        if not 0 <= start < len(line):
            message = f"{self.where}: {error.msg}: {_quote(self.source)} (at the end)"
            return ExpressionError(message, self.source)
        end = start + 1
        if error.end_offset and error.end_offset - 1 > start:
            end = error.end_offset - 1
        if error.end_lineno is not None and error.end_lineno != line_number:
            end = len(line)
        column = start + 1 + (self.indent if line_number == 1 else 0)
        return self._error(error.msg, line[start:end], line_number, column)

    # ------------------------------------------------------------------ messages

    def _position(self, node: ast.AST) -> tuple[int, int]:
        """Return the (line, column) where node starts, both from 1, the column in characters."""
        line_number = getattr(node, "lineno", 1)
        line = self.lines[line_number - 1] if 0 < line_number <= len(self.lines) else ""
        # ast gives the column in UTF-8 bytes; a message counts characters.
        offset = getattr(node, "col_offset", 0)
        column = len(line.encode("utf-8")[:offset].decode("utf-8", errors="replace")) + 1
        return line_number, column + (self.indent if line_number == 1 else 0)

    def _place(self, line: int, column: int) -> str:
        return f"line {line}, column {column}" if len(self.lines) > 1 else f"column {column}"

    def _error(
        self,
        what: str,
        segment: str,
        line: int,
        column: int,
        hint: str = "",
    ) -> ExpressionError:
        message = f"{self.where}: {what}: {_quote(segment)} ({self._place(line, column)})"
        return ExpressionError(message + (f"; {hint}" if hint else ""), segment, line, column)

    def _refusal(self, node: ast.AST, what: str, hint: str = "") -> ExpressionError:
        """Return the ExpressionError refusing node: what is wrong, the part quoted, its column."""
        segment = ast.get_source_segment(self.source, node) or ""
        return self._error(what, segment, *self._position(node), hint)

    def _operator_refusal(self, node: ast.expr, op: ast.AST) -> ExpressionError:
        symbol = _REFUSED_OPERATORS.get(type(op), type(op).__name__)
        return self._refusal(node, f"the operator {symbol!r} is not allowed", _OPERATORS_HINT)

    # ------------------------------------------------------------------ checking

    def check(self, node: ast.expr, depth: int) -> list[str]:
        """Return the variables node uses, in order, each once; raise for a part not allowed."""
        return list(dict.fromkeys(self._check(node, depth)))

    def _check(self, node: ast.expr, depth: int) -> list[str]:
        """Return the variables node uses, in order of use; raise for a part not allowed."""
        if depth > self.max_depth:
            raise self._refusal(node, f"nesting deeper than {self.max_depth} levels is not allowed")
        if isinstance(node, ast.Constant):
            self._check_number(node)
            return []
        if isinstance(node, ast.Name):
            self._check_name(node)
            return [node.id]
        if isinstance(node, ast.UnaryOp):
            if not isinstance(node.op, (ast.USub, ast.UAdd)):
                raise self._operator_refusal(node, node.op)
            return self._check(node.operand, depth + 1)
        if isinstance(node, ast.BinOp):
            if type(node.op) not in _BINARY_OPERATORS:
                raise self._operator_refusal(node, node.op)
            return self._check(node.left, depth + 1) + self._check(node.right, depth + 1)
        if isinstance(node, ast.Call):
            return self._check_call(node, depth)
        kind = type(node)
        raise self._refusal(node, _REFUSED_NODES.get(kind, f"{kind.__name__} is not allowed"))

    def _check_number(self, node: ast.Constant) -> None:
        value = node.value
        if type(value) is int or type(value) is float:  # not bool, an int that prints as True
            try:
                number = float(value)
            except OverflowError:
                number = math.inf
            if not math.isfinite(number):  # 1e400 parses as inf
                raise self._refusal(node, "numbers beyond the float range are not allowed")
            return
        if isinstance(value, str):
            raise self._refusal(node, "strings are not allowed")
        if isinstance(value, bytes):
            raise self._refusal(node, "bytes are not allowed")
        if isinstance(value, complex):
            raise self._refusal(node, "complex numbers are not allowed")
        if isinstance(value, bool):
            raise self._refusal(node, f"{value} is not allowed", "write 1 or 0")
        raise self._refusal(node, f"{value!r} is not allowed")  # None, ...

    def _check_name(self, node: ast.Name) -> None:
        if node.id in self.variables:
            return
        if node.id in FUNCTIONS:
            raise self._refusal(node, "a function must be called", f"write {node.id}(...)")
        else:
            given = ", ".join(self.variables) or "none"
            hint = f"it is not a function or a variable given (variables: {given})"
            names = [*self.variables, *FUNCTIONS]
            raise self._refusal(node, "unknown name", _did_you_mean(node.id, names, hint))

    def _check_call(self, node: ast.Call, depth: int) -> list[str]:
        function = node.func
        if not isinstance(function, ast.Name):
            self._check(function, depth + 1)  # refuses z.data(), (lambda: 1)(), ...
            raise self._refusal(node, "calling anything but a function by its name is not allowed")
        if function.id not in FUNCTIONS:
            if function.id in self.variables:
                hint = f"{function.id} is a number"
                raise self._refusal(node, "calling a variable is not allowed", hint)
            hint = _did_you_mean(function.id, list(FUNCTIONS))
            raise self._refusal(function, "unknown function", hint)
        used = []
        for argument in node.args:
            used += self._check(argument, depth + 1)  # a *argument is refused there, as starred
        for named in node.keywords:
            if named.arg is None:
                raise self._refusal(named, "double-starred arguments (**) are not allowed")
            if self._check(named.value, depth + 1):
                what = f"the keyword argument {named.arg} must be a number, not use a variable"
                raise self._refusal(named, what)
        signature = inspect.signature(FUNCTIONS[function.id])
        keywords = {named.arg: named.value for named in node.keywords if named.arg is not None}
        try:  # the number of arguments and the keywords' names, before anything is computed
            signature.bind(*node.args, **keywords)
        except TypeError as error:
            raise self._refusal(
                node, f"{function.id}: {error}", f"it takes {function.id}{_parameters(signature)}"
            ) from None
        return used

    # ------------------------------------------------------------------ building

    def build(self, node: ast.expr) -> Operand:
        """Return the Value (or, without variables, the number) of a checked node."""
        if isinstance(node, ast.Constant):
            return float(cast(float, node.value))  # check() let only int and float through
        if isinstance(node, ast.Name):
            return self.leaves[node.id]
        if isinstance(node, ast.UnaryOp):
            operand = self.build(node.operand)
            return operand if isinstance(node.op, ast.UAdd) else -operand
        if isinstance(node, ast.BinOp):
            left, right = self.build(node.left), self.build(node.right)
            apply = _BINARY_OPERATORS[type(node.op)]
            if isinstance(left, Value) or isinstance(right, Value):
                return self._computed(node, lambda: apply(left, right))
            # Numbers alone are computed by the engine too, with its checks and its errors.
            return _value(self._computed(node, lambda: apply(Constant(left), right)), "").data
        if isinstance(node, ast.Call):
            name = cast(ast.Name, node.func).id  # check() refuses any other kind of call
            arguments = [self.build(argument) for argument in node.args]
            named = {k.arg: self.build(k.value) for k in node.keywords if k.arg is not None}
            out = _value(self._computed(node, lambda: FUNCTIONS[name](*arguments, **named)), name)
            return out if any(isinstance(argument, Value) for argument in arguments) else out.data
        raise TypeError(f"an unchecked {type(node).__name__} node")  # check() refuses it first

    def _computed(self, node: ast.expr, compute: Callable[[], T]) -> T:
        """Return compute(), an engine operation or a loss, raising its error after node's text."""
        try:
            return compute()
        except _LIBRARY_ERRORS as error:
            segment = ast.get_source_segment(self.source, node) or ""
            line, column = self._position(node)
            message = f"{self.where}: at {_quote(segment)} ({self._place(line, column)}): {error}"
            raise ExpressionError(message, segment, line, column) from error


# ---------------------------------------------------------------------------- helpers


def _checked_variables(variables: Mapping[str, object], where: str) -> dict[str, float]:
    """Return the variables with checked names (normalized as Python's parser does) and values."""
    if not isinstance(variables, Mapping):
        kind = type(variables).__name__
        raise TypeError(f"{where}: variables must be a mapping of names to numbers, got {kind}")
    checked: dict[str, float] = {}
    for name, value in variables.items():
        if not isinstance(name, str):
            raise ExpressionError(f"{where}: a variable's name must be a str, got {name!r}")
        normal = _variable_name(name, where)
        if normal in checked:
            raise ExpressionError(f"{where}: {normal} is given twice")
        try:
            checked[normal] = check_real(value, where, f"the variable {normal}")
        except _LIBRARY_ERRORS as error:
            raise ExpressionError(str(error)) from error
    return checked


def _variable_name(name: str, where: str) -> str:
    """Return name as Python's parser reads it (NFKC), or raise unless it can name a variable."""
    normal = unicodedata.normalize("NFKC", name)  # so that a variable and its use match
    if not normal.isidentifier() or keyword.iskeyword(normal):
        message = f"{where}: a variable's name must be an identifier (as z or y_1), got {name!r}"
        raise ExpressionError(message)
    if normal in FUNCTIONS:
        message = f"{where}: {normal} is the name of a function; give the variable another name"
        raise ExpressionError(message)
    return normal


def _value(out: object, name: str) -> Value:
    """Return the result of an operation or of a function of FUNCTIONS, one Value for numbers."""
    if not isinstance(out, Value):  # never: each of them gives a Value for numbers
        raise TypeError(f"{name or 'an operation'} gave a {type(out).__name__}, not a Value")
    return out


def _did_you_mean(name: str, candidates: list[str], hint: str = "") -> str:
    """Return hint, followed by the close matches to name among candidates, if any."""
    matches = difflib.get_close_matches(name, candidates, n=3)
    suggestion = f"did you mean {' or '.join(matches)}?" if matches else ""
    return "; ".join(part for part in (hint, suggestion) if part)


def _parameters(signature: inspect.Signature) -> str:
    """Return a function's parameters as a reader writes them: ``(logits, targets, *, gamma=2)``."""
    empty = inspect.Parameter.empty
    bare = [parameter.replace(annotation=empty) for parameter in signature.parameters.values()]
    return str(signature.replace(parameters=bare, return_annotation=inspect.Signature.empty))


def _quote(text: str) -> str:
    """Return text quoted for a message, on one line and cut to about `_SHOWN` characters."""
    return repr(text if len(text) <= _SHOWN else text[: _SHOWN - 3] + "...")
