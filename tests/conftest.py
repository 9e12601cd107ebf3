"""Shared test settings: in CI, hypothesis draws the same examples on every run."""

from __future__ import annotations

import os

from hypothesis import settings

# A property test that finds a bug should find it on a developer's machine (random examples,
# remembered in .hypothesis/), not fail one CI run in ten: CI replays a fixed set of examples.
settings.register_profile("ci", derandomize=True, database=None)
if os.environ.get("CI"):
    settings.load_profile("ci")
