"""Files written whole or not at all: the one writer behind every file lossgrad writes.

A write goes to a temporary file in the target's folder, which ``os.replace`` then renames onto
the target. The rename is atomic, so a reader sees the old file or the new one, never half of one,
and a failure (a full disk, an exception while writing) leaves the target as it was and no
temporary file behind. Around that rename:

- a symlink is written through: the link stays a link and the file it points to gets the content;
- only a regular file is replaced: a folder, a device (``/dev/null``), a FIFO or a socket is
  refused, because renaming onto it would swap it for a plain file (run as root, ``/dev/full``
  would become an SVG file);
- an existing file keeps its permission bits (and, where allowed, its owner); a new file gets the
  bits any new file gets, 0o666 less the umask;
- every error names the path the caller gave, never the temporary file.

``check_writable`` runs the same checks without writing, so a program can refuse a bad path
before it starts a long computation.

>>> import os, tempfile
>>> with tempfile.TemporaryDirectory() as folder:
...     path = write_text(os.path.join(folder, "loss.txt"), "MSE: 0.1500")
...     print(path.name, path.read_text(encoding="utf-8"))
loss.txt MSE: 0.1500
"""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import TypeAlias

__all__ = ["NotAFileError", "atomic_path", "check_writable", "write_bytes", "write_text"]

PathArgument: TypeAlias = str | os.PathLike[str]


class NotAFileError(OSError):
    """The path names something other than a regular file: a folder, a device, a FIFO, a socket.

    Writing there would replace it with a plain file, so the writers refuse. ``filename`` is the
    path as given; ``kind`` says what it names ("a folder", "a character device", ...).
    """

    def __init__(self, path: str, kind: str, number: int | None = None) -> None:
        super().__init__(number, f"it is {kind}, not a regular file", path)
        self.kind = kind

    def __str__(self) -> str:
        return f"{self.filename!r} is {self.kind}, not a regular file; only regular files are written"

    def __reduce__(self) -> tuple[type[NotAFileError], tuple[str, str, int | None]]:
        return type(self), (self.filename, self.kind, self.errno)  # pickles despite its __init__


def check_writable(path: PathArgument) -> Path:
    """Return the file a write to ``path`` would create or replace, after checking that it can.

    Symlinks are resolved, so the result is the file a link points to. Nothing is written.

    Raises:
        NotAFileError: ``path`` is a folder, a device, a FIFO or a socket, or ends in a separator.
        FileNotFoundError: its folder does not exist.
        PermissionError: its folder is not writable, or the file is read-only.
        OSError: any other reason the file system gives (a name too long, a part of the path
            that is a file, a loop of symlinks); ``filename`` is always ``path`` as given.

    >>> check_writable(".")
    Traceback (most recent call last):
      ...
    engine.files.NotAFileError: '.' is a folder, not a regular file; only regular files are written
    """
    given = _path_text(path, "check_writable")
    real, _ = _inspect(given)
    return Path(real)


@contextlib.contextmanager
def atomic_path(path: PathArgument) -> Iterator[Path]:
    """Return (as a context) a temporary path beside ``path``, moved onto it if the block succeeds.

    The block writes the temporary file by any means (``open``, matplotlib's ``savefig``); when
    it ends normally the file is flushed to disk, given the target's permission bits and renamed
    onto ``path`` (onto the file ``path`` links to, for a symlink). When it raises, the temporary
    file is removed and ``path`` is left as it was. An OSError from the block about the
    temporary file is raised again naming ``path``.

    >>> import os, tempfile
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     target = os.path.join(folder, "out.txt")
    ...     with atomic_path(target) as temporary:
    ...         _ = temporary.write_text("whole", encoding="utf-8")
    ...         print(os.path.exists(target))
    ...     print(open(target, encoding="utf-8").read(), os.listdir(folder))
    False
    whole ['out.txt']
    """
    given = _path_text(path, "atomic_path")
    real, existing = _inspect(given)
    folder, name = os.path.split(real)
    # A bounded piece of the name, so a target near the file system's name limit still gets one.
    temporary = os.path.join(folder, f".{name[:32]}.{secrets.token_hex(6)}.tmp")
    try:
        # Created with 0o666 less the umask, as any new file is (mkstemp would give 0o600).
        os.close(os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
    except OSError as error:
        raise _naming(error, given) from None
    try:
        yield Path(temporary)
        _move_into_place(temporary, real, existing)
    except BaseException as error:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        if isinstance(error, OSError) and _is_about(error, temporary):
            raise _naming(error, given) from None
        raise


def write_bytes(path: PathArgument, data: bytes | bytearray | memoryview) -> Path:
    """Return ``path`` as a Path after writing ``data`` to it whole (see ``atomic_path``).

    >>> import os, tempfile
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = write_bytes(os.path.join(folder, "data.bin"), b"\\x89PNG")
    ...     path.read_bytes()
    b'\\x89PNG'
    """
    given = _path_text(path, "write_bytes")
    if not isinstance(data, (bytes, bytearray, memoryview)):
        hint = " (write_text writes a str)" if isinstance(data, str) else ""
        raise TypeError(f"write_bytes: data must be bytes, got {type(data).__name__}{hint}")
    with atomic_path(given) as temporary, open(temporary, "wb") as file:
        file.write(data)
    return Path(given)


def write_text(path: PathArgument, text: str, encoding: str = "utf-8") -> Path:
    """Return ``path`` as a Path after writing ``text`` to it whole, encoded, newlines as they are.

    The text is encoded before any file is touched, so an unencodable character leaves ``path``
    as it was.

    >>> import os, tempfile
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = write_text(os.path.join(folder, "sigma.txt"), "σ(z)")
    ...     path.read_bytes()
    b'\\xcf\\x83(z)'
    """
    given = _path_text(path, "write_text")
    if not isinstance(text, str):
        raise TypeError(f"write_text: text must be a str, got {type(text).__name__}")
    return write_bytes(given, text.encode(encoding))


# --- checks and errors ---------------------------------------------------------------------


def _path_text(path: object, where: str) -> str:
    """Return ``path`` as a str, or raise TypeError/ValueError naming ``where``."""
    try:
        text = os.fspath(path)  # type: ignore[call-overload]
    except TypeError:
        raise TypeError(f"{where}: path must be a str or os.PathLike, got {type(path).__name__}") from None
    if not isinstance(text, str):
        raise TypeError(f"{where}: path must be text, got {type(text).__name__} {text!r}")
    if not text:
        raise ValueError(f"{where}: path must name a file, got ''")
    return text


def _inspect(given: str) -> tuple[str, os.stat_result | None]:
    """Return the real path a write to ``given`` replaces and its status (None for a new file).

    Errors carry a reason that completes "cannot write '<path>': ..." as their ``strerror``.
    """
    if given.endswith(tuple(separator for separator in (os.sep, os.altsep) if separator)):
        raise NotAFileError(given, f"a folder name (it ends in {given[-1]!r})", errno.EISDIR)
    real = os.path.realpath(given)
    try:
        existing: os.stat_result | None = os.stat(real)
    except FileNotFoundError:
        existing = None
    except OSError as error:
        reason = _STAT_REASONS.get(error.errno or 0, error.strerror)
        raise OSError(error.errno, reason, given) from None
    if existing is not None and not stat.S_ISREG(existing.st_mode):
        number = errno.EISDIR if stat.S_ISDIR(existing.st_mode) else None
        raise NotAFileError(given, _kind(existing.st_mode), number)
    real_folder = os.path.dirname(real)
    # Errors name the folder as the caller wrote it, unless a symlink leads elsewhere.
    folder = (real_folder if os.path.islink(given) else os.path.dirname(given)) or os.curdir
    if existing is None and not os.path.isdir(real_folder):
        raise FileNotFoundError(errno.ENOENT, f"the folder {folder!r} does not exist", given)
    # The temporary file is created in the folder, so it must be writable (and searchable).
    if not os.access(real_folder, os.W_OK | os.X_OK):
        raise PermissionError(errno.EACCES, f"the folder {folder!r} is not writable", given)
    if existing is not None and not os.access(real, os.W_OK):
        raise PermissionError(errno.EACCES, "the file is read-only", given)
    return real, existing


# Why os.stat can fail on a path to be written, as a reason the caller can read.
_STAT_REASONS = {
    errno.ENAMETOOLONG: "the name is too long for the file system",
    errno.ENOTDIR: "a part of the path that should be a folder is a file",
    errno.EACCES: "a folder on the way to it cannot be searched (permission denied)",
    errno.ELOOP: "it goes through a loop of symbolic links",
}


def _kind(mode: int) -> str:
    """Return what a non-regular file is, for an error message."""
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISCHR(mode):
        return "a character device"
    if stat.S_ISBLK(mode):
        return "a block device"
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "a special file"


def _move_into_place(temporary: str, real: str, existing: os.stat_result | None) -> None:
    """Flush the temporary file to disk, give it the old file's owner and mode, rename it."""
    with open(temporary, "rb+") as file:
        # Without this a crash soon after the rename can leave an empty file where the old one was.
        os.fsync(file.fileno())
    if existing is not None:
        if hasattr(os, "chown") and (existing.st_uid, existing.st_gid) != _owner(temporary):
            # Root writing a user's file must not leave it owned by root; others cannot, need not.
            with contextlib.suppress(OSError):
                os.chown(temporary, existing.st_uid, existing.st_gid)
        os.chmod(temporary, stat.S_IMODE(existing.st_mode))  # after chown, which clears setuid bits
    os.replace(temporary, real)


def _owner(path: str) -> tuple[int, int]:
    status = os.stat(path)
    return status.st_uid, status.st_gid


def _is_about(error: OSError, temporary: str) -> bool:
    """Return whether an OSError concerns the temporary file (it names it, or names no file)."""
    return error.errno is not None and (error.filename is None or str(error.filename) == temporary)


def _naming(error: OSError, given: str) -> OSError:
    """Return the same error (same errno, so the same OSError subclass) naming the caller's path."""
    return OSError(error.errno, error.strerror, given)
