"""The ``lossgrad`` script's entry point (and ``python -m demos``): Ctrl-C-safe from the start.

Importing the command (the engine, numpy, graphviz, every demo) takes a moment a user can
interrupt. This module imports nothing of it at the top, so a Ctrl-C during those imports
reaches ``main``'s handler and ends the command as a Ctrl-C anywhere else does: exit status
130 and one line on stderr, no traceback.
"""

from __future__ import annotations

import sys

__all__ = ["main"]


def main() -> int:
    """Return the ``lossgrad`` command's exit status on sys.argv[1:]: 130 on Ctrl-C, imports too."""
    try:
        from .cli import main as run_command

        return run_command()
    except KeyboardInterrupt:
        if sys.stderr is not None:
            print("lossgrad: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # not when a doctest collector imports this module
    raise SystemExit(main())
