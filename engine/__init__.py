"""lossgrad's engine: a scalar autograd `Value`, n-ary nodes, gradcheck, and graph drawing.

>>> from engine import Value
>>> z = Value(-4.5, label="z")
>>> p = z.sigmoid()
>>> loss = (p - 1) ** 2
>>> loss.backward()
>>> print(f"p = {p:.6f}, loss = {loss:.6f}, dloss/dz = {z.grad:.6f}")
p = 0.010987, loss = 0.978147, dloss/dz = -0.021494
"""

from .gradcheck import GradcheckError, gradcheck
from .graph import RendererNotFoundError, draw_graph, render_svg
from .nary import dot, sum
from .value import Constant, Value, is_grad_enabled, no_grad

__all__ = [
    "Value",
    "Constant",
    "sum",
    "dot",
    "no_grad",
    "is_grad_enabled",
    "gradcheck",
    "GradcheckError",
    "draw_graph",
    "render_svg",
    "RendererNotFoundError",
]
