"""The demos' command-line parser, and its argument types: each returns the parsed value or raises.

argparse turns an ``ArgumentTypeError`` into the usage line plus ``error: argument --lr: ...``
and exit status 2, so every bad value is reported before any work starts. ``CommandParser``
is argparse's parser with three differences a user of the demos meets:

- a negative number is a value wherever a number is, in any notation Python reads
  (``--logit -1e-3``, ``--logit -.5``, ``--logit -inf``, which is then refused as infinite);
  plain argparse reads ``-1e-3`` as an unknown option;
- ``--epochs=--`` is refused naming the option (plain argparse drops the ``--`` and hands the
  program an empty list instead of a number);
- an error shows at most about 80 characters of any one value (see ``error_text``).

Counts have upper bounds, printed in their options' help, so that a slip of the finger
(``--epochs 1000000``) is refused instead of starting a run that takes hours.

>>> parser = CommandParser(prog="demo")
>>> _ = parser.add_argument("--logit", type=finite_float)
>>> parser.parse_args(["--logit", "-1e-3"]).logit
-0.001
>>> epoch_count("20000")
Traceback (most recent call last):
  ...
argparse.ArgumentTypeError: must be from 1 to 10,000, got 20000
"""

from __future__ import annotations

import argparse
import importlib.util
import math
import re
from argparse import ArgumentTypeError
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, NoReturn

from .output import OutputError, check_output_path
from .registry import BINARY_LOSSES

__all__ = [
    "MATPLOTLIB_HINT",
    "MAX_EPOCHS",
    "MAX_POINTS",
    "MAX_SEED",
    "MAX_STEPS",
    "CommandParser",
    "UsageError",
    "binary_label",
    "binary_losses",
    "decimals",
    "epoch_count",
    "error_text",
    "finite_float",
    "fraction",
    "graph_path",
    "html_path",
    "nonnegative_float",
    "open_probability",
    "plot_path",
    "point_count",
    "positive_float",
    "seed_number",
    "step_count",
]

MATPLOTLIB_HINT = 'plotting needs matplotlib: pip install "lossgrad[plot]"'

# The largest counts the demos accept: at these a run takes minutes, not hours.
MAX_EPOCHS = 10_000  # epochs of a training run (stall, sweep), and stall's --every
MAX_STEPS = 1_000  # lossgrad moons: training steps (micrograd's demo takes 100)
MAX_POINTS = 1_000  # lossgrad moons: points of the data set, each one costs every step
MAX_SEED = 2**32 - 1  # seeds, as most libraries take them

# The characters of one value an error shows; a longer one shows its start and its end.
_SHOWN = 80
_SHOWN_TAIL = 20
# What would end an error's line, move the cursor or start an escape sequence on a terminal.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


class UsageError(ValueError):
    """Arguments each valid alone but not together; a demo's run raises it, and the usage line is shown."""


def error_text(message: str, quoted: bool = True) -> str:
    """Return message as an error line shows it: control characters escaped, long values cut.

    A control character (a newline, a carriage return, an escape) would break the line or drive
    the terminal, so it is shown as its Python escape. Every quoted value, and every other word,
    longer than 80 characters keeps its first and last characters around '...', so a long path
    still shows where it starts and its file name. With ``quoted=False`` only words are cut, for
    prose whose apostrophes are not quotes.

    >>> error_text("got '" + "9" * 5000 + "'")
    "got '99999999999999999999999999999999999999999999999999999999...9999999999999999999'"
    >>> print(error_text("page 'a\\rb.html' has no folder"))
    page 'a\\rb.html' has no folder
    """
    message = _CONTROL.sub(lambda control: repr(control.group())[1:-1], message)
    head = _SHOWN - _SHOWN_TAIL - 3

    def cut(match: re.Match[str]) -> str:
        piece = match.group(0)
        return piece if len(piece) <= _SHOWN else f"{piece[:head]}...{piece[-_SHOWN_TAIL:]}"

    # The pieces (quoted values, words, runs of spaces, lone quotes) make up the whole message.
    pieces = r"'[^']*'|\"[^\"]*\"|[^\s'\"]+|\s+|['\"]" if quoted else r"\S+|\s+"
    return re.sub(pieces, cut, message)


def _is_number(text: str) -> bool:
    """Return whether text reads as a number (float() takes it: -1e-3, -.5, -inf, -1_000)."""
    try:
        float(text)
    except ValueError:
        return False
    return True


class CommandParser(argparse.ArgumentParser):
    """argparse's parser: negative numbers are values, ``--opt=--`` is refused, errors cut values.

    Subcommand parsers made with ``add_subparsers().add_parser`` are of the same class.
    """

    # The two overrides below are argparse's own hooks for these decisions; the tests of the
    # demos' command line check each behaviour, so a Python release that changes a hook shows.

    def _parse_optional(self, arg_string: str) -> Any:
        # None means "a value, not an option". The demos have no option that looks like a
        # number, so a token that reads as a negative number (-1e-3, which argparse's own
        # pattern misses) is always a value.
        if arg_string.startswith("-") and _is_number(arg_string):
            return None
        return super()._parse_optional(arg_string)

    def _get_values(self, action: argparse.Action, arg_strings: list[str]) -> Any:
        # `--epochs=--` arrives as ["--"], which argparse would drop, giving the option [].
        if action.option_strings and action.nargs is None and arg_strings == ["--"]:
            raise argparse.ArgumentError(action, "expected a value, got '--'")
        return super()._get_values(action, arg_strings)

    def error(self, message: str) -> NoReturn:
        """Print the usage and the message (long values cut) to stderr, and exit with status 2."""
        super().error(error_text(message))


def _quoted(text: str) -> str:
    """Return text as an error quotes it: in quotes, cut when long."""
    return error_text(repr(text))


def _shown(text: str) -> str:
    """Return a number as an error shows it: as typed, without surrounding spaces, cut when long."""
    return error_text(text.strip())


def _number(text: str) -> float:
    """Return text as a finite float, or raise ArgumentTypeError."""
    try:
        value = float(text)
    except ValueError:
        raise ArgumentTypeError(f"expected a number, got {_quoted(text)}") from None
    if not math.isfinite(value):
        raise ArgumentTypeError(f"expected a finite number, got {_quoted(text)}")
    return value


def finite_float(text: str) -> float:
    """Return text as a finite float."""
    return _number(text)


def positive_float(text: str) -> float:
    """Return text as a float > 0."""
    value = _number(text)
    if value <= 0.0:
        raise ArgumentTypeError(f"must be > 0, got {_shown(text)}")
    return value


def nonnegative_float(text: str) -> float:
    """Return text as a float >= 0."""
    value = _number(text)
    if value < 0.0:
        raise ArgumentTypeError(f"must be >= 0, got {_shown(text)}")
    return value


def _whole_number(text: str, minimum: int, maximum: int) -> int:
    """Return text as an int from minimum to maximum, or raise ArgumentTypeError."""
    significant = re.fullmatch(r"\s*[-+]?0*(\d[\d_]*)\s*", text)
    if significant and len(significant.group(1).replace("_", "")) > len(str(maximum)):
        # Out of range whatever the digits are (and int() refuses a very long string of them).
        value = None
    else:
        try:
            value = int(text)
        except ValueError:
            raise ArgumentTypeError(f"expected a whole number, got {_quoted(text)}") from None
    if value is None or not minimum <= value <= maximum:
        bounds = f"from {minimum:,} to {maximum:,}"
        raise ArgumentTypeError(f"must be {bounds}, got {_shown(text)}")
    return value


def epoch_count(text: str) -> int:
    """Return text as a number of epochs, 1 to MAX_EPOCHS."""
    return _whole_number(text, 1, MAX_EPOCHS)


def step_count(text: str) -> int:
    """Return text as a number of training steps, 1 to MAX_STEPS."""
    return _whole_number(text, 1, MAX_STEPS)


def point_count(text: str) -> int:
    """Return text as a number of points, 2 (one of each class) to MAX_POINTS."""
    return _whole_number(text, 2, MAX_POINTS)


def seed_number(text: str) -> int:
    """Return text as a seed, 0 to MAX_SEED (numpy's generators take no negative one)."""
    return _whole_number(text, 0, MAX_SEED)


def decimals(text: str) -> int:
    """Return text as a number of digits after the point, 0 to 17 (a float holds no more)."""
    return _whole_number(text, 0, 17)


def open_probability(text: str) -> float:
    """Return text as a float strictly between 0 and 1 (a sigmoid output)."""
    value = _number(text)
    if not 0.0 < value < 1.0:
        reason = "must be a probability strictly between 0 and 1"
        raise ArgumentTypeError(f"{reason}, got {_shown(text)}")
    return value


def fraction(text: str) -> float:
    """Return text as a fraction in (0, 1]; a number above 1 and up to 100 is read as a percentage."""
    value = _number(text)
    if 1.0 < value <= 100.0:
        value /= 100.0
    if not 0.0 < value <= 1.0:
        reason = "must be a fraction in (0, 1] or a percentage in (1, 100]"
        raise ArgumentTypeError(f"{reason}, got {_shown(text)}")
    return value


def binary_label(text: str) -> int:
    """Return text as the label 0 or 1."""
    if text.strip() not in ("0", "1"):
        raise ArgumentTypeError(f"must be 0 or 1, got {_quoted(text)}")
    return int(text)


def binary_losses(text: str) -> list[str]:
    """Return the keys of a comma-separated list of the demos' binary losses ('all' for every one).

    A loss named twice is kept once; an empty list is refused.
    """
    keys = [part.strip() for part in text.split(",") if part.strip()]
    if not keys:
        raise ArgumentTypeError(f"expected loss names separated by commas, got {_quoted(text)}")
    if keys == ["all"]:
        return list(BINARY_LOSSES)
    for key in keys:
        if key not in BINARY_LOSSES:
            choices = f"{', '.join(BINARY_LOSSES)} (or 'all')"
            raise ArgumentTypeError(f"unknown loss {_quoted(key)}; choose from {choices}")
    return list(dict.fromkeys(keys))


def _path_type(
    extensions: Sequence[str],
    what: str,
    needs_matplotlib: bool = False,
) -> Callable[[str], Path]:
    """Return an argparse type that checks an output path's folder and extension (and matplotlib)."""

    def parse(text: str) -> Path:
        try:
            path = check_output_path(text, extensions, what)
        except OutputError as error:
            raise ArgumentTypeError(str(error)) from None
        if needs_matplotlib and importlib.util.find_spec("matplotlib") is None:
            raise ArgumentTypeError(MATPLOTLIB_HINT)
        return path

    parse.__name__ = f"{what} path"
    return parse


plot_path = _path_type((".svg", ".png"), "plot", needs_matplotlib=True)
graph_path = _path_type((".svg", ".dot", ".gv"), "graph")
html_path = _path_type((".html", ".htm"), "page")
