"""Argument types for the demos' command line: each returns the parsed value or raises argparse's error.

argparse turns an ``ArgumentTypeError`` into the usage line plus ``error: argument --lr: ...``
and exit status 2, so every bad value is reported before any work starts.
"""

from __future__ import annotations

import argparse
import importlib.util
import math
from collections.abc import Callable
from pathlib import Path

from .output import OutputError, check_output_path
from .registry import BINARY_LOSSES

__all__ = [
    "MATPLOTLIB_HINT",
    "UsageError",
    "binary_label",
    "binary_losses",
    "decimals",
    "finite_float",
    "fraction",
    "graph_path",
    "html_path",
    "nonnegative_float",
    "nonnegative_int",
    "open_probability",
    "plot_path",
    "positive_float",
    "positive_int",
    "two_or_more",
]

MATPLOTLIB_HINT = 'plotting needs matplotlib: pip install "lossgrad[plot]"'


class UsageError(ValueError):
    """Arguments each valid alone but not together; a demo's run raises it, and the usage line is shown."""


def _number(text: str) -> float:
    """Return text as a finite float, or raise ArgumentTypeError."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"expected a finite number, got {text!r}")
    return value


def finite_float(text: str) -> float:
    """Return text as a finite float."""
    return _number(text)


def positive_float(text: str) -> float:
    """Return text as a float > 0."""
    value = _number(text)
    if value <= 0.0:
        raise argparse.ArgumentTypeError(f"must be > 0, got {text}")
    return value


def nonnegative_float(text: str) -> float:
    """Return text as a float >= 0."""
    value = _number(text)
    if value < 0.0:
        raise argparse.ArgumentTypeError(f"must be >= 0, got {text}")
    return value


def _whole_number(text: str, minimum: int, maximum: int | None = None) -> int:
    """Return text as an int in [minimum, maximum] (no upper bound when maximum is None), or raise ArgumentTypeError."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if maximum is not None and not minimum <= value <= maximum:
        raise argparse.ArgumentTypeError(f"must be from {minimum} to {maximum}, got {text}")
    if value < minimum:
        raise argparse.ArgumentTypeError(f"must be >= {minimum}, got {text}")
    return value


def positive_int(text: str) -> int:
    """Return text as an int >= 1."""
    return _whole_number(text, 1)


def nonnegative_int(text: str) -> int:
    """Return text as an int >= 0 (a seed: numpy's generators take no negative one)."""
    return _whole_number(text, 0)


def decimals(text: str) -> int:
    """Return text as a number of digits after the point, 0 to 17 (a float holds no more)."""
    return _whole_number(text, 0, 17)


def two_or_more(text: str) -> int:
    """Return text as an int >= 2 (a count of points that must hold both classes)."""
    return _whole_number(text, 2)


def open_probability(text: str) -> float:
    """Return text as a float strictly between 0 and 1 (a sigmoid output)."""
    value = _number(text)
    if not 0.0 < value < 1.0:
        raise argparse.ArgumentTypeError(f"must be a probability strictly between 0 and 1, got {text}")
    return value


def fraction(text: str) -> float:
    """Return text as a fraction in (0, 1]; a number above 1 and up to 100 is read as a percentage."""
    value = _number(text)
    if 1.0 < value <= 100.0:
        value /= 100.0
    if not 0.0 < value <= 1.0:
        raise argparse.ArgumentTypeError(f"must be a fraction in (0, 1] or a percentage in (1, 100], got {text}")
    return value


def binary_label(text: str) -> int:
    """Return text as the label 0 or 1."""
    if text.strip() not in ("0", "1"):
        raise argparse.ArgumentTypeError(f"must be 0 or 1, got {text!r}")
    return int(text)


def binary_losses(text: str) -> list[str]:
    """Return the keys of a comma-separated list of the demos' binary losses ('all' for every one)."""
    keys = [part.strip() for part in text.split(",") if part.strip()]
    if keys == ["all"]:
        return list(BINARY_LOSSES)
    for key in keys:
        if key not in BINARY_LOSSES:
            choices = ", ".join(BINARY_LOSSES)
            raise argparse.ArgumentTypeError(f"unknown loss {key!r}; choose from {choices} (or 'all')")
    return keys


def _path_type(extensions: tuple[str, ...], what: str, needs_matplotlib: bool = False) -> Callable[[str], Path]:
    """Return an argparse type that checks an output path's folder and extension (and matplotlib)."""

    def parse(text: str) -> Path:
        try:
            path = check_output_path(text, extensions, what)
        except OutputError as error:
            raise argparse.ArgumentTypeError(str(error)) from None
        if needs_matplotlib and importlib.util.find_spec("matplotlib") is None:
            raise argparse.ArgumentTypeError(MATPLOTLIB_HINT)
        return path

    parse.__name__ = f"{what} path"
    return parse


plot_path = _path_type((".svg", ".png"), "plot", needs_matplotlib=True)
graph_path = _path_type((".svg", ".dot", ".gv"), "graph")
html_path = _path_type((".html", ".htm"), "page")
