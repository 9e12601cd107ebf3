"""Drawing a Value's computation graph: DOT text through the graphviz package, SVG without a system Graphviz.

This subpackage is the only part of the engine that needs the ``graphviz`` package; ``import
engine`` does not load it until a drawing function is first used, so arithmetic and backward work
where graphviz is not installed.

- ``graph``: ``draw_graph`` (a ``ComputationGraph``, which displays inline in Jupyter) and
  ``render_svg``;
- ``render``: finding a ``dot`` program (``LOSSGRAD_DOT``, a system Graphviz, or the
  pip-installed ``graphviz-pure``) and running it.
"""

from .graph import ROLE_COLOURS, ComputationGraph, draw_graph, render_svg
from .render import RendererNotFoundError, RenderError, find_renderer

__all__ = [
    "ROLE_COLOURS",
    "ComputationGraph",
    "RenderError",
    "RendererNotFoundError",
    "draw_graph",
    "find_renderer",
    "render_svg",
]
