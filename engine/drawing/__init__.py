"""Drawing a Value's computation graph: DOT text through the graphviz package, then SVG.

This subpackage is the only part of lossgrad that imports the ``graphviz`` package, and only its
``graph`` module does: ``import engine`` loads none of it, and the drawing names below load
``graph`` (and graphviz) the first time they are used, so arithmetic and backward work where
graphviz is not installed.

- ``graph``: ``draw_graph`` (a ``ComputationGraph``, which displays inline in Jupyter),
  ``render_svg`` and the drawing size limit ``MAX_NODES``;
- ``player``: ``step_through``, a self-contained page that steps through a real backward pass
  on the drawing (``Panel``, ``Slider``, ``Toggle`` for several graphs and a precomputed slider);
- ``render``: finding a ``dot`` program (``LOSSGRAD_DOT``, a system Graphviz, or the
  pip-installed ``graphviz-pure``) and running it; needs no graphviz package.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from .render import RendererNotFoundError, RenderError, find_renderer

if TYPE_CHECKING:
    from .graph import MAX_NODES, ROLE_COLOURS, ComputationGraph, draw_graph, node_names, render_svg
    from .player import Panel, Slider, StepThrough, Toggle, gradient_stop, step_through

__all__ = [
    "MAX_NODES",
    "ROLE_COLOURS",
    "ComputationGraph",
    "Panel",
    "RenderError",
    "RendererNotFoundError",
    "Slider",
    "StepThrough",
    "Toggle",
    "draw_graph",
    "find_renderer",
    "gradient_stop",
    "node_names",
    "render_svg",
    "step_through",
]

_GRAPH_NAMES = {"MAX_NODES", "ROLE_COLOURS", "ComputationGraph", "draw_graph", "node_names", "render_svg"}
_PLAYER_NAMES = {"Panel", "Slider", "StepThrough", "Toggle", "gradient_stop", "step_through"}


def __getattr__(name: str) -> Any:
    # Loads the graph module (and graphviz) on first use of one of its names.
    if name in _GRAPH_NAMES:
        return getattr(importlib.import_module(".graph", __name__), name)
    if name in _PLAYER_NAMES:
        return getattr(importlib.import_module(".player", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
