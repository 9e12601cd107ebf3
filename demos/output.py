"""Output files for the demos: checked before any work starts, written whole or not at all.

``check_output_path`` runs while the command line is parsed, so a typo in a folder name or an
extension fails in a millisecond instead of after the training run, as an ``OutputError`` naming
the path (the CLI turns it into a usage error), never as an OSError traceback. It asks
``engine.files.check_writable``, the check the writer itself makes, so the two cannot disagree.

The writing is engine.files' (``atomic_path``, ``write_text``, re-exported here for the demos): a
temporary file in the same folder, renamed onto the target, so a reader sees the old file or the
new one and a failure leaves no stray file behind.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from engine.files import atomic_path, check_writable, write_text

__all__ = ["OutputError", "atomic_path", "check_output_path", "write_text"]

# How much of a very long path (one too long for the file system) an error shows: its start, and
# its end, where the file name is.
_SHOWN_HEAD, _SHOWN_TAIL = 80, 40


class OutputError(ValueError):
    """An output path the demos cannot write, with the reason: no such folder, a folder, ..."""


def check_output_path(path: str | os.PathLike[str], extensions: Sequence[str], what: str = "file") -> Path:
    """Return path as a Path after checking its extension and that a file can be written there.

    ``extensions`` are lower-case with the dot (``(".svg", ".png")``); the check ignores case.
    Raises OutputError, naming ``what`` and the path, for an unknown extension and for every
    reason the file could not be written: a missing or read-only folder, a folder above it that
    cannot be searched, a name too long for the file system, a path that is a folder, ends in
    a separator, or names a device, FIFO or socket. Nothing is written.

    >>> check_output_path("plot.svg", (".svg", ".png")).suffix
    '.svg'
    >>> check_output_path("plot.jpg", (".svg", ".png"), "plot")
    Traceback (most recent call last):
      ...
    demos.output.OutputError: plot 'plot.jpg' has an unknown extension '.jpg' (use .svg or .png)
    >>> check_output_path("nowhere/plot.svg", (".svg",), "plot")
    Traceback (most recent call last):
      ...
    demos.output.OutputError: plot 'nowhere/plot.svg': the folder 'nowhere' does not exist
    """
    text = os.fspath(path)
    shown = _shortened(text)
    target = Path(text)
    suffix = target.suffix.lower()
    if suffix not in extensions:
        *others, last = extensions
        choices = f"{', '.join(others)} or {last}" if others else last
        found = f"'{suffix}'" if suffix else "(none)"
        raise OutputError(f"{what} '{shown}' has an unknown extension {found} (use {choices})")
    try:
        check_writable(text)
    except OSError as error:  # its strerror says why, as in "the folder 'x' does not exist"
        raise OutputError(f"{what} '{shown}': {error.strerror}") from None
    return target


def _shortened(text: str) -> str:
    """Return text whole, or its start and end around '...' when too long to read in one line."""
    if len(text) <= _SHOWN_HEAD + _SHOWN_TAIL + 3:
        return text
    return f"{text[:_SHOWN_HEAD]}...{text[-_SHOWN_TAIL:]}"
