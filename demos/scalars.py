"""One helper for the demos: narrow a result that may be a Value or a list of Values to one Value."""

from __future__ import annotations

from engine import Value

__all__ = ["one"]


def one(result: Value | list[Value] | float, where: str) -> Value:
    """Return result when it is a single Value (a number is wrapped); raise TypeError for a list.

    The losses and models return a list for vector input (``reduction="none"``, a layer of
    several outputs); the demos always ask for one number, and say so if they get several.

    >>> one(Value(2.0), "demo").data
    2.0
    >>> one([Value(1.0), Value(2.0)], "demo")
    Traceback (most recent call last):
      ...
    TypeError: demo: expected one Value, got a list of 2
    """
    if isinstance(result, Value):
        return result
    if isinstance(result, (int, float)):
        return Value(result)
    raise TypeError(f"{where}: expected one Value, got a list of {len(result)}")
