"""Terminal output for the demos: aligned tables and optional colour (the progress bar is nn's).

Colour is used only when standard output is a terminal and the ``NO_COLOR`` environment
variable is unset (https://no-color.org), so piped output and test captures are plain text.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Sequence
from typing import ClassVar, TextIO

__all__ = ["Style", "table", "visible_width"]

_ANSI = re.compile(r"\x1b\[[0-9;]*m")


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
        """Return a Style that colours only if stream (default stdout) is a terminal and NO_COLOR is unset."""
        stream = sys.stdout if stream is None else stream
        isatty = getattr(stream, "isatty", None)
        on_terminal = bool(isatty and isatty())
        return cls(on_terminal and "NO_COLOR" not in os.environ and os.environ.get("TERM") != "dumb")

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


def table(
    headers: Sequence[str],
    rows: Sequence[Sequence[str]],
    align: str | None = None,
    groups: Sequence[tuple[str, int]] | None = None,
) -> list[str]:
    """Return the lines of an aligned text table: headers, a rule, then rows.

    ``align`` has one letter per column, 'l' or 'r' (default: first column left, the rest right).
    ``groups`` optionally puts a title over consecutive columns: ``[("", 1), ("MSE", 3), ("BCE", 3)]``.
    Cells may contain colour codes; widths count only visible characters.

    >>> print("\\n".join(table(["p", "grad"], [["0.01", "-0.0196"], ["0.50", "-0.2500"]])))
    p        grad
    ----  -------
    0.01  -0.0196
    0.50  -0.2500
    """
    n = len(headers)
    align = align or "l" + "r" * (n - 1)
    widths = [visible_width(h) for h in headers]
    for row in rows:
        if len(row) != n:
            raise ValueError(f"table: every row must have {n} cells, got {len(row)}: {row!r}")
        widths = [max(w, visible_width(cell)) for w, cell in zip(widths, row)]
    gap = "  "

    def line(cells: Sequence[str]) -> str:
        out = []
        for cell, width, side in zip(cells, widths, align):
            pad = " " * (width - visible_width(cell))
            out.append(cell + pad if side == "l" else pad + cell)
        return gap.join(out).rstrip()

    lines: list[str] = []
    if groups:
        parts = []
        column = 0
        for title, span in groups:
            width = sum(widths[column : column + span]) + len(gap) * (span - 1)
            pad = max(0, width - visible_width(title))
            parts.append(" " * (pad // 2) + title + " " * (pad - pad // 2))  # centred by visible width
            column += span
        lines.append(gap.join(parts).rstrip())
    lines.append(line(headers))
    lines.append(gap.join("-" * w for w in widths))
    lines.extend(line(row) for row in rows)
    return lines
