"""``python -m demos``: the ``lossgrad`` command without installing its script."""

from .cli import main

raise SystemExit(main())
