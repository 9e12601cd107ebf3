"""The ``lossgrad`` command: the post's demos, run on the engine, from a terminal.

Each subcommand lives in its own module, which provides ``add_parser(subparsers)`` (its options)
and ``run(args) -> int`` (the demo). ``main`` parses the command line and turns every error a
user can cause into one line on stderr and exit status 2; nobody sees a traceback. What a user
meets besides the demos:

- ``lossgrad`` alone prints the help and exits 0 (it asks what the command does, and that is no
  mistake); ``lossgrad --version`` prints the version;
- Ctrl-C exits 130 with one line, at any moment (``demos.__main__``, the script's entry point,
  covers the imports before this module runs);
- a closed standard output (``lossgrad stall >&-``) is refused before any work, and a reader
  that goes away (``lossgrad post | head``) ends the command quietly with status 0;
- on a standard output that is not UTF-8 (``PYTHONIOENCODING=ascii``, an old terminal) each
  symbol the demos print that it cannot show is spelt in ASCII (σ as sigma, ✓ as ok, · as *),
  so a report is printed whole; ``ASCII_FALLBACK`` names the codec error handler that does it.

>>> "σ'(z) = p(1−p) ✓".encode("ascii", ASCII_FALLBACK)
b"sigma'(z) = p(1-p) ok"
"""

from __future__ import annotations

import argparse
import codecs
import contextlib
import importlib.metadata
import io
import itertools
import os
import re
import sys
import unicodedata
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType

from engine.drawing import RendererNotFoundError, RenderError

from . import explore, graph, moons, post, showdown, stall, sweep
from .arguments import CommandParser, UsageError, error_text
from .plots import PlotError

__all__ = ["ASCII_FALLBACK", "COMMANDS", "build_parser", "main", "version"]

# In the order `lossgrad --help` lists them: the headline first.
COMMANDS: dict[str, ModuleType] = {
    "stall": stall,
    "sweep": sweep,
    "showdown": showdown,
    "post": post,
    "graph": graph,
    "explore": explore,
    "moons": moons,
}

_EPILOG = """\
examples:
  lossgrad stall                        MSE stalls, cross-entropy learns: the post's claim, measured
  lossgrad stall --html stall.html      replay both trainings epoch by epoch, as a page
  lossgrad stall --losses mse,bce,focal,hinge   the loss zoo from the same start
  lossgrad sweep                        does any learning rate rescue squared error?
  lossgrad showdown --losses focal      dL/dz of each loss at the post's probabilities
  lossgrad post                         every number of the post, recomputed and checked
  lossgrad graph bce --logit -4.5 --label 1 -o bce.svg
  lossgrad graph --compare --html backprop.html   step through backprop, MSE next to BCE
  lossgrad graph --expr "(sigmoid(z) - 1) ** 2" --var z=-4.5 -o mse.svg
  lossgrad explore --p 0.01 --label 1   both losses and gradients at one point
  lossgrad explore --html explorer.html the post's Loss Function Explorer, as a page
  lossgrad moons --plot moons.png       micrograd's moons demo on lossgrad

exit status: 0 done, 1 a check of `lossgrad post` failed (or a bug in lossgrad), 2 a usage or
input error (one line on stderr says which), 130 interrupted (Ctrl-C).
"""

# Errors a user can cause: bad values reaching the library, unwritable files, a missing renderer
# or matplotlib. Any other RuntimeError (a RecursionError, say) is lossgrad's bug, not the user's.
_USER_ERRORS = (
    ValueError,
    TypeError,
    ArithmeticError,
    OSError,
    RendererNotFoundError,
    RenderError,
    PlotError,
)

ASCII_FALLBACK = "lossgrad-ascii"

# How the demos' symbols read in ASCII, for a standard output that cannot encode them.
_ASCII_SPELLINGS = {
    "✓": "ok",
    "✗": "X",
    "≈": "~=",
    "·": "*",
    "×": "x",
    "−": "-",
    "±": "+/-",
    "∓": "-/+",
    "≤": "<=",
    "≥": ">=",
    "≠": "!=",
    "←": "<-",
    "→": "->",
    "²": "^2",
    "³": "^3",
    "½": "1/2",
    "√": "sqrt",
    "∂": "d",
    "Σ": "sum",
    "∞": "inf",
    "′": "'",
    "…": "...",
    "–": "-",
    "—": "--",
    "‘": "'",
    "’": "'",
    "“": '"',
    "”": '"',
    "ŷ": "y_hat",
    "ỹ": "y_tilde",
    "ℓ": "l",
    "α": "alpha",
    "β": "beta",
    "γ": "gamma",
    "δ": "delta",
    "Δ": "Delta",
    "ε": "eps",
    "η": "eta",
    "θ": "theta",
    "λ": "lambda",
    "μ": "mu",
    "σ": "sigma",
    "τ": "tau",
}


def _ascii_spelling(character: str) -> str:
    """Return an ASCII spelling of character: its entry above, its letter unaccented, or '?'."""
    if character in _ASCII_SPELLINGS:
        return _ASCII_SPELLINGS[character]
    plain = unicodedata.normalize("NFKD", character).encode("ascii", "ignore").decode("ascii")
    return plain or "?"


def _spell_in_ascii(error: UnicodeError) -> tuple[str | bytes, int]:
    """Return the ASCII spelling of the characters an encoder failed on, and where to go on."""
    if not isinstance(error, UnicodeEncodeError):
        raise error
    text = error.object[error.start : error.end]
    # Bytes that were not text (a file name read with surrogateescape) go out as they came in.
    raw = list(itertools.takewhile(_is_raw_byte, text))
    if raw:
        return bytes(ord(c) - 0xDC00 for c in raw), error.start + len(raw)
    symbols = list(itertools.takewhile(lambda c: not _is_raw_byte(c), text))
    return "".join(map(_ascii_spelling, symbols)), error.start + len(symbols)


def _is_raw_byte(character: str) -> bool:
    """Return whether character stands for an undecodable byte (as surrogateescape reads one)."""
    return "\udc80" <= character <= "\udcff"


codecs.register_error(ASCII_FALLBACK, _spell_in_ascii)


def version() -> str:
    """Return lossgrad's version: the installed package's, else the checkout's pyproject.toml's."""
    try:
        return importlib.metadata.version("lossgrad")
    except importlib.metadata.PackageNotFoundError:  # run from a checkout that was never installed
        pyproject = Path(__file__).resolve().parents[1] / "pyproject.toml"
        try:
            text = pyproject.read_text(encoding="utf-8")
        except OSError:
            return "unknown"
        found = re.search(r'^version\s*=\s*"([^"]+)"', text, re.MULTILINE)
        return found.group(1) if found else "unknown"


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser of the ``lossgrad`` command with every subcommand registered."""
    parser = CommandParser(
        prog="lossgrad",
        description=(
            "Demos of 'Loss Functions from Scratch', every number computed by backprop through lossgrad's engine."
        ),
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {version()}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", title="commands")
    subparsers.required = True
    for name, module in COMMANDS.items():
        sub = module.add_parser(subparsers)
        sub.set_defaults(run=module.run, parser=sub)
        if sub.prog != f"lossgrad {name}":  # each module registers itself under its own name
            raise RuntimeError(f"demos.{module.__name__} registered {sub.prog!r}, expected 'lossgrad {name}'")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Return the exit status of running the ``lossgrad`` command line argv (default: sys.argv[1:]).

    0 on success (and for no arguments at all, which prints the help), 1 when a demo's check
    failed (``post`` with an unexplained difference) or on an internal error, 2 for a usage
    error or an error from the library, 130 on Ctrl-C.
    """
    if sys.stdout is None:  # started with no file descriptor 1 (`lossgrad stall >&-`)
        _report("lossgrad: error: standard output is closed; nothing could be printed")
        return 2
    for stream in (sys.stdout, sys.stderr):
        _spell_unencodable_in_ascii(stream)
    argv = sys.argv[1:] if argv is None else list(argv)
    where = "lossgrad"
    usage: argparse.ArgumentParser | None = None
    try:
        parser = build_parser()
        if not argv:
            parser.print_help()
            status = 0
        else:
            try:
                args = parser.parse_args(argv)
            except SystemExit as exit_:  # argparse exits: --help, --version (0), bad arguments (2)
                code = exit_.code
                status = code if isinstance(code, int) else (0 if code is None else 2)
            else:
                where, usage = f"lossgrad {args.command}", args.parser
                status = int(args.run(args))
        sys.stdout.flush()  # now, so a full disk or a closed pipe is reported here, not at exit
        return status
    except KeyboardInterrupt:
        # On a terminal the ^C (or a progress bar) is on the current line: start a new one.
        _report(("\n" if _is_terminal(sys.stderr) else "") + f"{where}: interrupted")
        return 130
    except BrokenPipeError:
        # The reader went away (`lossgrad stall | head`): stop quietly, and keep Python's
        # final flush of stdout from raising again.
        _discard_stdout()
        return 0
    except UsageError as error:  # as argparse reports a bad argument: the usage, then the reason
        if usage is not None and sys.stderr is not None:
            usage.print_usage(sys.stderr)
        _report(f"{where}: error: {_one_line(error)}")
        return 2
    except _USER_ERRORS as error:
        _report(f"{where}: error: {_one_line(error)}")
        return 2
    except Exception as error:  # a bug in lossgrad: still one line, and a way to see more
        if os.environ.get("LOSSGRAD_DEBUG"):
            raise
        _report(
            f"{where}: internal error: {type(error).__name__}: {_one_line(error)} "
            "(set LOSSGRAD_DEBUG=1 to see the traceback, and please report it)"
        )
        return 1


def _spell_unencodable_in_ascii(stream: object) -> None:
    """Make a text stream that is not UTF-8 write the ASCII spelling of what it cannot encode."""
    if not isinstance(stream, io.TextIOWrapper):
        return
    try:
        unicode = codecs.lookup(stream.encoding).name.startswith("utf")
    except LookupError:
        unicode = False
    if not unicode:
        stream.reconfigure(errors=ASCII_FALLBACK)


def _report(line: str) -> None:
    """Print line on stderr, if there is a stderr to print on."""
    if sys.stderr is None:
        return
    with contextlib.suppress(OSError):  # stderr is gone too: the exit status is all that is left
        print(line, file=sys.stderr)


def _is_terminal(stream: object) -> bool:
    """Return whether stream is a terminal."""
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def _discard_stdout() -> None:
    """Point stdout's file descriptor at the null device, so Python's final flush cannot fail."""
    try:
        descriptor = sys.stdout.fileno()
    except (AttributeError, OSError, ValueError):  # not a file (a test's capture): nothing to do
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, descriptor)
    os.close(devnull)


def _one_line(error: BaseException) -> str:
    """Return an exception's message on one line, long words cut (its type, when it has none)."""
    text = str(error).strip()
    if isinstance(error, OSError) and error.filename and error.strerror:
        text = f"{error.strerror}: '{error.filename}'"
    # Keep every line (a missing renderer's message lists the ways to install one), on one line.
    joined = " ".join(line.strip() for line in text.splitlines() if line.strip())
    return error_text(joined, quoted=False) or type(error).__name__


if __name__ == "__main__":  # pragma: no cover - `python -m demos` goes through demos/__main__.py
    raise SystemExit(main())
