"""lossgrad's engine: a scalar autograd `Value`, n-ary nodes, gradcheck, and graph drawing.

>>> from engine import Value
>>> z = Value(-4.5, label="z")
>>> p = z.sigmoid()
>>> loss = (p - 1) ** 2
>>> loss.backward()
>>> print(f"p = {p:.6f}, loss = {loss:.6f}, dloss/dz = {z.grad:.6f}")
p = 0.010987, loss = 0.978147, dloss/dz = -0.021494

Drawing (`draw_graph`, `render_svg`, `step_through`, `RendererNotFoundError`) lives in
`engine.drawing`, which needs the graphviz package; it is imported the first time one of those
names is used.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from .gradcheck import GradcheckError, gradcheck
from .value import OPERATIONS, BackwardStep, Constant, Rows, Value, dot, dots, is_grad_enabled, no_grad, sum

if TYPE_CHECKING:
    from .drawing import RendererNotFoundError as RendererNotFoundError
    from .drawing import draw_graph as draw_graph
    from .drawing import render_svg as render_svg
    from .drawing import step_through as step_through

# The drawing names are left out of __all__, so `from engine import *` works without graphviz.
__all__ = [
    "OPERATIONS",
    "BackwardStep",
    "Constant",
    "GradcheckError",
    "Rows",
    "Value",
    "dot",
    "dots",
    "gradcheck",
    "is_grad_enabled",
    "no_grad",
    "sum",
]

_DRAWING_NAMES = {"draw_graph", "render_svg", "step_through", "RendererNotFoundError"}


def __getattr__(name: str) -> Any:
    # Loads engine.drawing (and graphviz) on first use of a drawing name, not on `import engine`.
    if name in _DRAWING_NAMES:
        return getattr(importlib.import_module(".drawing", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
