"""``python -m demos``: the ``lossgrad`` command without installing its script."""

from .cli import main

if __name__ == "__main__":  # not when a doctest collector imports this module
    raise SystemExit(main())
