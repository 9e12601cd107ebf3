"""Terminal output for the demos: aligned tables and optional colour (the progress bar is nn's).

Colour is used only when standard output is a terminal and the ``NO_COLOR`` environment
variable is unset (https://no-color.org), so piped output and test captures are plain text.

Every line is meant to fit the terminal: `table` narrows a table to `terminal_width()` columns
(``COLUMNS``, or 80 when the output is not a terminal) and `paragraph` wraps a sentence to it,
so the terminal itself never breaks a row in the middle.
"""

from __future__ import annotations

import os
import re
import shutil
import sys
import textwrap
from collections.abc import Callable, Sequence
from typing import ClassVar, TextIO

__all__ = [
    "DEFAULT_WIDTH",
    "Style",
    "bar_width",
    "number_text",
    "paragraph",
    "table",
    "terminal_width",
    "visible_width",
]

DEFAULT_WIDTH = 80  # the columns assumed when the output is not a terminal and COLUMNS is unset

_ANSI = re.compile(r"\x1b\[[0-9;]*m")
# Text coloured as a whole: the codes before it, the text, the codes after it.
_PAINTED = re.compile(r"((?:\x1b\[[0-9;]*m)*)(.*?)((?:\x1b\[[0-9;]*m)*)", re.DOTALL)


def visible_width(text: str) -> int:
    """Return the number of columns text takes on screen, colour codes not counted."""
    return len(_ANSI.sub("", text))


class Style:
    """Colours for terminal text; every method returns its text unchanged when colour is off."""

    _CODES: ClassVar[dict[str, str]] = {
        "bold": "1",
        "dim": "2",
        "red": "31",
        "green": "32",
        "yellow": "33",
        "blue": "34",
        "magenta": "35",
        "cyan": "36",
    }

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled

    @classmethod
    def for_stream(cls, stream: TextIO | None = None) -> Style:
        """Return a Style that colours only if stream (default stdout) is a terminal taking colour.

        Colour is off when the ``NO_COLOR`` environment variable is set and not empty (as
        https://no-color.org says: an empty NO_COLOR does not count) and when ``TERM`` is
        ``dumb``, a terminal that shows escape codes as text.
        """
        stream = sys.stdout if stream is None else stream
        isatty = getattr(stream, "isatty", None)
        on_terminal = bool(isatty and isatty())
        no_color = os.environ.get("NO_COLOR", "") != ""
        return cls(on_terminal and not no_color and os.environ.get("TERM") != "dumb")

    def paint(self, text: str, *styles: str) -> str:
        """Return text wrapped in the ANSI codes of styles ('bold', 'red', ...) when colour is on."""
        if not self.enabled or not styles:
            return text
        codes = ";".join(self._CODES[s] for s in styles)
        return f"\x1b[{codes}m{text}\x1b[0m"

    def bold(self, text: str) -> str:
        """Return text in bold when colour is on."""
        return self.paint(text, "bold")

    def dim(self, text: str) -> str:
        """Return text dimmed when colour is on."""
        return self.paint(text, "dim")

    def good(self, text: str) -> str:
        """Return text in green when colour is on."""
        return self.paint(text, "green")

    def bad(self, text: str) -> str:
        """Return text in red when colour is on."""
        return self.paint(text, "red")

    def warn(self, text: str) -> str:
        """Return text in yellow when colour is on."""
        return self.paint(text, "yellow")


def terminal_width(stream: TextIO | None = None) -> int:
    """Return the number of columns the demos' output should fit in.

    On a terminal, its width (``shutil.get_terminal_size``, which lets ``COLUMNS`` override
    it); otherwise ``COLUMNS`` if it holds a whole number >= 1, else 80. ``stream`` is the
    output to ask about (default: standard output).
    """
    stream = sys.stdout if stream is None else stream
    isatty = getattr(stream, "isatty", None)
    if isatty and isatty():
        columns = shutil.get_terminal_size((DEFAULT_WIDTH, 24)).columns
        return columns if columns > 0 else DEFAULT_WIDTH
    text = os.environ.get("COLUMNS", "").strip()
    return int(text) if text.isdigit() and int(text) > 0 else DEFAULT_WIDTH


def bar_width(reserved: int, width: int | None = None) -> int:
    """Return the width of a progress bar that leaves `reserved` columns for its label and notes.

    From 10 to 30 (``nn.ProgressBar``'s default), so that the bar's line fits width columns
    (default: `terminal_width()`): a line wider than the terminal would wrap, and the bar's
    carriage return would then redraw only its last part.

    >>> bar_width(40, width=200), bar_width(40, width=60), bar_width(40, width=20)
    (30, 20, 10)
    """
    columns = terminal_width() if width is None else width
    return max(10, min(30, columns - reserved))


def number_text(x: float, decimals: int = 4) -> str:
    """Return x with the given decimals, or in scientific notation once |x| >= 1e5.

    A diverging loss of 2.1e34 would otherwise print as 35 digits, 30 of them noise.

    >>> number_text(0.93996), number_text(21245577329359374317456916450639872.0)
    ('0.9400', '2.125e+34')
    """
    if abs(x) >= 1e5:
        return f"{x:.{max(decimals - 1, 0)}e}"
    return f"{x:.{decimals}f}"


def paragraph(text: str, *, indent: str = "", hanging: str | None = None, width: int | None = None) -> str:
    """Return text wrapped at spaces to fit width columns (default: `terminal_width()`).

    The first line starts with indent, the others with hanging (default: indent). Text
    coloured as a whole (``style.bold(...)``) is coloured line by line; a word longer than a
    line is not broken.

    >>> print(paragraph("cross-entropy pushes the logit 90.0x harder", indent="  ", width=24))
      cross-entropy pushes
      the logit 90.0x harder
    >>> print(paragraph("w = (-2.65, -2.54), b = 0.36", indent="start: ", hanging=" " * 7,
    ...                 width=24))
    start: w = (-2.65,
           -2.54), b = 0.36
    """
    hanging = indent if hanging is None else hanging
    limit = terminal_width() if width is None else width
    room = max(limit - max(visible_width(indent), visible_width(hanging)), 1)
    lines = _wrapped(text, room)
    return "\n".join((indent if i == 0 else hanging) + line for i, line in enumerate(lines))


def table(
    headers: Sequence[str],
    rows: Sequence[Sequence[str]],
    align: str | None = None,
    groups: Sequence[tuple[str, int]] | None = None,
    *,
    width: int | None = None,
    indent: str = "",
) -> list[str]:
    """Return the lines of an aligned text table: group titles, headers, a rule, then rows.

    ``align`` has one letter per column, 'l' or 'r' (default: first column left, the rest right).
    ``groups`` optionally puts a title over consecutive columns: ``[("", 1), ("MSE", 3), ("BCE", 3)]``.
    Cells may contain colour codes; widths count only visible characters. Each line starts
    with ``indent``.

    The lines fit in ``width`` columns (default: `terminal_width()`), indent included. A table
    too wide for them is narrowed, each step taken only if the ones before were not enough:

    1. headers wrap at spaces ("mean |dL/dz|" over two lines), then group titles too;
    2. the text of left-aligned columns wraps inside its cells, a row taking several lines;
    3. the groups (each column is one when no ``groups`` are given) are dealt into as few
       tables as fit, one under the other, each repeating the first group (the rows' key,
       such as the epoch), narrowed by step 1 and 2 only as far as that number of tables needs.

    Numbers and words are never broken, so a table whose narrowest form is still too wide is
    printed in that form.

    >>> print("\\n".join(table(["p", "grad"], [["0.01", "-0.0196"], ["0.50", "-0.2500"]])))
    p        grad
    ----  -------
    0.01  -0.0196
    0.50  -0.2500
    >>> for line in table(["epoch", "mean |dL/dz|"], [["0", "0.0478"]], width=12):
    ...     print(line)
              mean
    epoch  |dL/dz|
    -----  -------
    0       0.0478
    """
    n = len(headers)
    align = align or "l" + "r" * (n - 1)
    if len(align) != n or set(align) - {"l", "r"}:
        raise ValueError(f"table: align must have one 'l' or 'r' per column ({n}), got {align!r}")
    for row in rows:
        if len(row) != n:
            raise ValueError(f"table: every row must have {n} cells, got {len(row)}: {row!r}")
    titled = bool(groups)
    spans = [(title, span) for title, span in groups] if groups else [("", 1)] * n
    if sum(span for _, span in spans) != n:
        raise ValueError(f"table: the groups must span the {n} columns, got {list(spans)!r}")
    starts = [sum(span for _, span in spans[:i]) for i in range(len(spans))]
    every = [(title, list(range(first, first + span))) for (title, span), first in zip(spans, starts)]
    limit = (terminal_width() if width is None else width) - visible_width(indent)

    def laid_out(chosen: Sequence[tuple[str, list[int]]], level: int) -> list[str]:
        return _laid_out(headers, rows, align, chosen, titled, level, limit)

    def fits(lines: list[str]) -> bool:
        return max(map(visible_width, lines)) <= limit

    for level in _LEVELS:
        lines = laid_out(every, level)
        if fits(lines):
            break
    else:
        if len(every) > 2:  # the fewest tables that fit, each as little narrowed as that allows
            dealings = [
                [laid_out(block, level) for block in _dealt(every, laid_out, level, limit)] for level in _LEVELS
            ]
            fitting = [tables for tables in dealings if all(map(fits, tables))]
            tables = min(fitting, key=len) if fitting else dealings[-1]
            lines = [line for i, block in enumerate(tables) for line in ([""] if i else []) + block]
    return [(indent + line).rstrip() if line else line for line in lines]


# How far a table is narrowed (see table): 0 not at all, 1 headers wrapped, 2 group titles too,
# 3 the text of left-aligned columns too.
_LEVELS = (0, 1, 2, 3)


def _laid_out(
    headers: Sequence[str],
    rows: Sequence[Sequence[str]],
    align: str,
    groups: Sequence[tuple[str, list[int]]],
    titled: bool,
    level: int,
    limit: int,
) -> list[str]:
    """Return the lines of the table of these groups' columns, narrowed to a level (see table)."""
    columns = [c for _, cs in groups for c in cs]
    gap = "  "
    widths = {c: max((visible_width(row[c]) for row in rows), default=0) for c in columns}
    for c in columns:
        header = _narrowest(headers[c]) if level >= 1 else visible_width(headers[c])
        widths[c] = max(widths[c], header)
    if level >= 3:  # left-aligned text gives way, the widest column first, down to its longest word
        text = [c for c in columns if align[c] == "l"]
        floor = {c: max(_narrowest(t) for t in [headers[c], *(r[c] for r in rows)]) for c in text}
        excess = sum(widths.values()) + len(gap) * (len(columns) - 1) - limit
        while excess > 0:
            shrinkable = [c for c in text if widths[c] > floor[c]]
            if not shrinkable:
                break
            widths[max(shrinkable, key=widths.__getitem__)] -= 1
            excess -= 1

    def span(cs: Sequence[int]) -> int:
        return sum(widths[c] for c in cs) + len(gap) * (len(cs) - 1)

    titles: list[list[str]] = []
    for title, cs in groups:  # a title wider than its columns widens them, evenly
        wrapped = _wrapped(title, span(cs)) if level >= 2 else [title]
        extra = max(0, max(map(visible_width, wrapped)) - span(cs))
        for k, c in enumerate(reversed(cs)):
            widths[c] += extra // len(cs) + (k < extra % len(cs))
        titles.append(wrapped)
    sides = [align[c] for c in columns]

    def joined(cells: Sequence[str]) -> str:
        out = []
        for cell, c, side in zip(cells, columns, sides):
            pad = " " * (widths[c] - visible_width(cell))
            out.append(cell + pad if side == "l" else pad + cell)
        return gap.join(out).rstrip()

    def bottom_aligned(stack: list[str], height: int, i: int) -> str:
        return stack[i - (height - len(stack))] if i >= height - len(stack) else ""

    lines: list[str] = []
    if titled:
        height = max(map(len, titles))
        for i in range(height):
            parts = []
            for (_, cs), wrapped in zip(groups, titles):
                title = bottom_aligned(wrapped, height, i)
                pad = max(0, span(cs) - visible_width(title))
                parts.append(" " * (pad // 2) + title + " " * (pad - pad // 2))  # centred
            lines.append(gap.join(parts).rstrip())
    stacks = [_wrapped(headers[c], widths[c]) if level >= 1 else [headers[c]] for c in columns]
    height = max(map(len, stacks))
    for i in range(height):  # the headers sit on the rule, a shorter one on its last lines
        lines.append(joined([bottom_aligned(stack, height, i) for stack in stacks]))
    lines.append(gap.join("-" * widths[c] for c in columns))
    for row in rows:
        cells = [_wrapped(row[c], widths[c]) if level >= 3 and align[c] == "l" else [row[c]] for c in columns]
        for i in range(max(map(len, cells))):
            lines.append(joined([cell[i] if i < len(cell) else "" for cell in cells]))
    return lines


def _dealt(
    groups: Sequence[tuple[str, list[int]]],
    laid_out: Callable[[Sequence[tuple[str, list[int]]], int], list[str]],
    level: int,
    limit: int,
) -> list[list[tuple[str, list[int]]]]:
    """Return the groups dealt into blocks that fit limit at a level, each led by the first one."""
    key = groups[0]
    blocks: list[list[tuple[str, list[int]]]] = []
    block = [key]
    for group in groups[1:]:
        trial = [*block, group]
        if len(block) > 1 and max(map(visible_width, laid_out(trial, level))) > limit:
            blocks.append(block)
            block = [key, group]
        else:
            block = trial
    blocks.append(block)
    return blocks


def _wrapped(text: str, width: int) -> list[str]:
    """Return text as lines of at most width visible columns, broken at spaces only.

    Text with colour codes inside it (not just around it) is not broken.
    """
    if visible_width(text) <= width:
        return [text]
    before, body, after = _PAINTED.fullmatch(text).groups()  # type: ignore[union-attr]
    if _ANSI.search(body):
        return [text]
    lines = textwrap.wrap(body, max(width, 1), break_long_words=False, break_on_hyphens=False)
    return [before + line + after for line in lines] or [text]


def _narrowest(text: str) -> int:
    """Return the fewest columns text wraps to: its longest word (all of it, if painted inside)."""
    return max(map(visible_width, _wrapped(text, 1)), default=0)
