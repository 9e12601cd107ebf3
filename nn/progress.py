"""A one-line text progress bar: the one that ``fit(progress=True)`` and the demos draw.

On a terminal the bar is redrawn in place (a carriage return, then the new text), at most about
ten times a second however often it is updated, so a fast loop does not spend its time writing.
Anywhere else (a pipe, a log file, a test capture) only the finished bar is printed, once, so
logs are not flooded with partial bars.

>>> import io
>>> stream = io.StringIO()  # not a terminal: nothing until finish()
>>> bar = ProgressBar(4, stream=stream, width=8, label="train ")
>>> for step in range(1, 5):
...     bar.update(step, note=f"loss {1 / step:.2f}")
>>> stream.getvalue()
''
>>> bar.finish("loss 0.25")
>>> print(stream.getvalue(), end="")
train [########] 4/4  loss 0.25
"""

from __future__ import annotations

import math
import os
import sys
import time
from typing import TextIO

__all__ = ["ProgressBar"]

# Redraws closer together than this are skipped on a terminal (a finish is always drawn).
_REDRAW_SECONDS = 0.1
_CLEAR_TO_END_OF_LINE = "\x1b[K"


class ProgressBar:
    """A progress bar of ``total`` steps on ``stream`` (default: standard output).

    ``update(done, note)`` records that ``done`` steps are complete; ``finish(note)`` draws the
    last bar and ends its line. The text reads ``label[#####.....] done/total  note``, the bar
    ``width`` characters wide.
    """

    def __init__(self, total: int, stream: TextIO | None = None, width: int = 30, label: str = "") -> None:
        if isinstance(total, bool) or not isinstance(total, int):
            raise TypeError(f"ProgressBar: total must be an int, got {type(total).__name__}: {total!r}")
        if isinstance(width, bool) or not isinstance(width, int) or width < 1:
            raise ValueError(f"ProgressBar: width must be an int >= 1, got {width!r}")
        self.total = max(1, total)
        self.stream = sys.stdout if stream is None else stream
        self.width = width
        self.label = label
        isatty = getattr(self.stream, "isatty", None)
        self.live = bool(isatty and isatty())  # a terminal: redraw in place
        # A dumb terminal has the carriage return but no escape codes: pad with spaces instead.
        self._dumb = os.environ.get("TERM") == "dumb"
        self._drawn = 0
        self.done = 0
        self._last_draw = -math.inf

    def render(self, note: str = "") -> str:
        """Return the bar's text for the steps done so far, with an optional note after it."""
        filled = round(self.width * self.done / self.total)
        bar = "#" * filled + "." * (self.width - filled)
        text = f"{self.label}[{bar}] {self.done:>{len(str(self.total))}}/{self.total}"
        return f"{text}  {note}" if note else text

    def update(self, done: int, note: str = "") -> None:
        """Record that done steps are complete, and redraw the bar on a terminal (at most ~10/s)."""
        self.done = max(0, min(done, self.total))
        if not self.live:
            return
        now = time.monotonic()
        if now - self._last_draw < _REDRAW_SECONDS:
            return
        self._last_draw = now
        self.stream.write("\r" + self._redrawn(self.render(note)))
        self.stream.flush()

    def _redrawn(self, text: str) -> str:
        """Return text with what clears the rest of the line the bar drew last."""
        if not self._dumb:
            return text + _CLEAR_TO_END_OF_LINE
        padded, self._drawn = text.ljust(self._drawn), len(text)
        return padded

    def finish(self, note: str = "", *, done: int | None = None) -> None:
        """Draw the bar at done steps (default: all of them) and end its line.

        Pass ``done`` when the work stopped early, so the bar shows how far it got.
        """
        self.done = self.total if done is None else max(0, min(done, self.total))
        if self.live:
            self.stream.write("\r" + self._redrawn(self.render(note)) + "\n")
        else:
            self.stream.write(self.render(note) + "\n")
        self.stream.flush()
