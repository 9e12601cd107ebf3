"""Output files for the demos: checked before any work starts, written whole or not at all.

Every file a demo writes goes through here. ``check_output_path`` runs first, while parsing the
command line, so a typo in a folder name or an extension fails in a millisecond instead of after
the training run; the writers then put the bytes in a temporary file in the same folder and
``os.replace`` it onto the target, which is atomic: a reader sees the old file or the new one,
never half of one, and a failure leaves no stray file behind.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

__all__ = ["OutputError", "atomic_path", "check_output_path", "write_text"]


class OutputError(ValueError):
    """An output path the demos cannot write: its folder is missing or read-only, or its extension is unknown."""


def check_output_path(path: str | os.PathLike[str], extensions: Sequence[str], what: str = "file") -> Path:
    """Return path as a Path after checking its folder exists and its extension is one of extensions.

    ``extensions`` are lower-case with the dot (``(".svg", ".png")``); the check ignores case.

    >>> check_output_path("plot.svg", (".svg", ".png")).suffix
    '.svg'
    >>> check_output_path("plot.jpg", (".svg", ".png"), "plot")
    Traceback (most recent call last):
      ...
    demos.output.OutputError: plot 'plot.jpg' has an unknown extension '.jpg' (use .svg or .png)
    """
    target = Path(path)
    suffix = target.suffix.lower()
    if suffix not in extensions:
        choices = extensions[0] if len(extensions) == 1 else ", ".join(extensions[:-1]) + " or " + extensions[-1]
        shown = f"'{suffix}'" if suffix else "(none)"
        raise OutputError(f"{what} '{path}' has an unknown extension {shown} (use {choices})")
    folder = target.parent
    if not folder.is_dir():
        raise OutputError(f"{what} '{path}': the folder '{folder}' does not exist")
    if not os.access(folder, os.W_OK):
        raise OutputError(f"{what} '{path}': the folder '{folder}' is not writable")
    if target.is_dir():
        raise OutputError(f"{what} '{path}' is a folder, not a file name")
    return target


def _default_mode() -> int:
    """Return the permission bits a newly created file gets under the current umask."""
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


@contextmanager
def atomic_path(path: str | os.PathLike[str]) -> Iterator[Path]:
    """Return (as a context) a temporary path beside path, moved onto path only if the block succeeds.

    The caller writes the temporary file by any means (matplotlib's ``savefig``, ``open``);
    on an exception the temporary file is removed and path is left as it was.
    """
    target = Path(path)
    try:
        handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    except OSError as error:  # name the file the user asked for, not a temporary name they never typed
        raise OSError(error.errno, error.strerror, str(target)) from None
    os.close(handle)
    try:
        yield Path(temporary)
        os.chmod(temporary, _default_mode())  # mkstemp makes the file private (0600)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def write_text(path: str | os.PathLike[str], text: str) -> Path:
    """Return path after writing text to it (UTF-8) whole, or leaving it untouched on failure."""
    with atomic_path(path) as temporary:
        temporary.write_text(text, encoding="utf-8")
    return Path(path)
