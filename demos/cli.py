"""The ``lossgrad`` command: the post's demos, run on the engine, from a terminal.

Each subcommand lives in its own module, which provides ``add_parser(subparsers)`` (its options)
and ``run(args) -> int`` (the demo). ``main`` parses the command line and turns every error a
user can cause into one line on stderr and exit status 2; nobody sees a traceback.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from types import ModuleType

from engine.drawing import RendererNotFoundError, RenderError

from . import explore, graph, moons, post, showdown, stall
from .arguments import UsageError
from .plots import PlotError

__all__ = ["COMMANDS", "build_parser", "main"]

# In the order `lossgrad --help` lists them: the headline first.
COMMANDS: dict[str, ModuleType] = {
    "stall": stall,
    "showdown": showdown,
    "post": post,
    "graph": graph,
    "explore": explore,
    "moons": moons,
}

_EPILOG = """\
examples:
  lossgrad stall                        MSE stalls, cross-entropy learns: the post's claim, measured
  lossgrad showdown --losses focal      dL/dz of each loss at the post's probabilities
  lossgrad post                         every number of the post, recomputed and checked
  lossgrad graph bce --logit -4.5 --label 1 -o bce.svg
  lossgrad explore --p 0.01 --label 1   both losses and gradients at one point
  lossgrad explore --html explorer.html the post's Loss Function Explorer, as a page
  lossgrad moons --plot moons.png       micrograd's moons demo on lossgrad
"""

# Errors a user can cause: bad values reaching the library, unwritable files, a missing renderer
# or matplotlib. Any other RuntimeError (a RecursionError, say) is lossgrad's bug, not the user's.
_USER_ERRORS = (ValueError, TypeError, ArithmeticError, OSError, RendererNotFoundError, RenderError, PlotError)


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser of the ``lossgrad`` command with every subcommand registered."""
    parser = argparse.ArgumentParser(
        prog="lossgrad",
        description=(
            "Demos of 'Loss Functions from Scratch', every number computed by backprop through lossgrad's engine."
        ),
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
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

    0 on success, 1 when a demo's check failed (``post`` with an unexplained difference) or on
    an internal error, 2 for a usage error or an error from the library, 130 on Ctrl-C.
    """
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:  # argparse exits for --help (0) and for bad arguments (2)
        return exit_.code if isinstance(exit_.code, int) else (0 if exit_.code is None else 2)
    where = f"lossgrad {args.command}"
    try:
        return int(args.run(args))
    except KeyboardInterrupt:
        print(f"\n{where}: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader went away (`lossgrad stall | head`): stop quietly, and keep Python's
        # final flush of stdout from raising again.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
    except UsageError as error:  # as argparse reports a bad argument: the usage, then the reason
        args.parser.print_usage(sys.stderr)
        print(f"{where}: error: {_one_line(error)}", file=sys.stderr)
        return 2
    except _USER_ERRORS as error:
        print(f"{where}: error: {_one_line(error)}", file=sys.stderr)
        return 2
    except Exception as error:  # a bug in lossgrad: still one line, and a way to see more
        if os.environ.get("LOSSGRAD_DEBUG"):
            raise
        print(
            f"{where}: internal error: {type(error).__name__}: {_one_line(error)} "
            "(set LOSSGRAD_DEBUG=1 to see the traceback, and please report it)",
            file=sys.stderr,
        )
        return 1


def _one_line(error: BaseException) -> str:
    """Return an exception's message on one line (its lines joined, or its type when it has none)."""
    text = str(error).strip()
    if isinstance(error, OSError) and error.filename and error.strerror:
        text = f"{error.strerror}: '{error.filename}'"
    # Keep every line (a missing renderer's message lists the ways to install one), on one line.
    return " ".join(line.strip() for line in text.splitlines() if line.strip()) or type(error).__name__


if __name__ == "__main__":  # pragma: no cover - `python -m demos` goes through demos/__main__.py
    raise SystemExit(main())
