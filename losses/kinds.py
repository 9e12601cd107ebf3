"""What a loss takes: every loss declares the kind of its first argument, so no code reads its name.

Code that feeds a model's output to a loss needs to know what the loss expects: a number to
regress (``"predictions"``), a probability (``"probabilities"``), a raw score to put through a
sigmoid or softmax, which a classifier thresholds at 0 (``"logits"``), or a log-probability
(``"log_probabilities"``). Every loss in this package says which with the `takes` decorator,
which sets the attribute ``loss.takes``; `input_kind` reads it back, and gives None for a function
that declares nothing, such as a lambda:

>>> from losses import hinge_loss, input_kind, mse_loss, takes
>>> input_kind(mse_loss), input_kind(hinge_loss), hinge_loss.takes
('predictions', 'logits', 'logits')
>>> print(input_kind(lambda z, y: hinge_loss(z, y)))
None
>>> margin = takes("logits")(lambda z, y: hinge_loss(z, y))  # a loss of your own declares itself
>>> input_kind(margin)
'logits'

The attribute is the whole protocol: code that does not import `losses` (nn's training loop) reads
``getattr(loss_fn, "takes", None)``. `functools.wraps` copies it onto a wrapper, and `input_kind`
looks through `functools.partial`.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Literal, TypeVar, get_args

__all__ = ["INPUT_KINDS", "InputKind", "input_kind", "takes"]

InputKind = Literal["predictions", "probabilities", "logits", "log_probabilities"]
"""What a loss's first argument is: predictions, probabilities, logits or log-probabilities."""

INPUT_KINDS: tuple[InputKind, ...] = get_args(InputKind)

F = TypeVar("F", bound=Callable[..., object])


def takes(kind: InputKind) -> Callable[[F], F]:
    """Return a decorator that declares what the first argument of a loss is (sets ``fn.takes``).

    Args:
      kind: "predictions", "probabilities", "logits" or "log_probabilities".

    >>> @takes("probabilities")
    ... def squared_error(p, y):
    ...     return (p - y) ** 2
    >>> squared_error.takes
    'probabilities'
    """
    if kind not in INPUT_KINDS:
        raise ValueError(f"takes: kind must be one of {', '.join(INPUT_KINDS)}, got {kind!r}")

    def declare(fn: F) -> F:
        setattr(fn, "takes", kind)  # noqa: B010 - a function's type does not list the attribute
        return fn

    return declare


def input_kind(fn: object) -> InputKind | None:
    """Return what the first argument of the loss fn is, as it declared with `takes`, or None.

    >>> from losses import binary_cross_entropy, nll_loss
    >>> input_kind(binary_cross_entropy), input_kind(nll_loss), input_kind(print)
    ('probabilities', 'log_probabilities', None)
    """
    while isinstance(fn, functools.partial):
        fn = fn.func
    declared = getattr(fn, "takes", None)
    for kind in INPUT_KINDS:
        if declared == kind:
            return kind
    return None
