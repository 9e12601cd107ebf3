"""The binary losses the demos compare: one entry per loss, read by every demo.

Each entry gives a loss its one name (the key typed on the command line and used in JSON), the
words and colour the demos show it with, and its functions from ``losses``. ``lossgrad stall``,
``showdown``, ``explore``, ``graph`` and the plots all look a loss up here, so a loss is added,
renamed or recoloured in one place.

Two functions per loss, because the demos ask two questions:

- ``on_logit(z, y)``: the loss as a function of the logit z and the label y in {0, 1}, as
  ``losses.grad_wrt_logit`` takes it. The gradient tables and the graphs use it: the post
  measures every loss by how hard it pushes the logit.
- ``base``: the library loss that ``on_logit`` applies, with ``takes`` saying what it is given, in
  the words of ``losses.input_kind``: ``"probabilities"`` (``on_logit`` puts p = sigmoid(z) in
  front of it; ``mse_loss``, a regression loss, is given p as the post gives it) or ``"logits"``
  (it gets z itself). ``lossgrad stall`` trains a sigmoid neuron, whose output is already p, with
  the base loss of each entry that takes probabilities. That is the post's experiment as written
  (``mse_loss`` and ``binary_cross_entropy`` on p, averaged over the batch), so stall's graph,
  and the figures it prints, are the post's; a second table of training losses would be a second
  place to name and colour them. An entry that takes logits is trained on the neuron's logit z
  with ``on_logit``, averaged over the batch (``on_logit`` knows the labels its base wants).

>>> [entry.key for entry in BINARY_LOSSES.values()]
['mse', 'bce', 'bce_with_logits', 'focal', 'hinge', 'huber']
>>> mse = BINARY_LOSSES["mse"]
>>> print(mse.title, mse.colour.hex, mse.takes)
MSE (squared error) #1f6feb probabilities
>>> from losses import grad_wrt_logit
>>> print(f"{grad_wrt_logit(mse.on_logit, -4.5, 1):.6f}")
-0.021494
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from engine import Value
from losses import (
    BinaryLossOnLogit,
    bce_on_logit,
    bce_through_sigmoid,
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    focal_loss,
    focal_on_logit,
    hinge_loss,
    hinge_on_logit,
    huber_loss,
    mse_loss,
    mse_through_sigmoid,
    sigmoid,
    takes,
)

__all__ = [
    "BINARY_LOSSES",
    "POST_LOSSES",
    "BinaryLoss",
    "Colour",
    "binary_loss",
    "huber_through_sigmoid",
]


@dataclass(frozen=True)
class Colour:
    """One colour in two media: a hex code for plots and pages, an ANSI name for the terminal."""

    hex: str
    terminal: str  # a name demos.terminal.Style knows: "blue", "red", "green", "magenta", ...


@dataclass(frozen=True)
class BinaryLoss:
    """A binary loss as the demos show it: its name, its words, its colour, its functions."""

    key: str  # the one name: on the command line, in JSON, as a dict key
    short: str  # in a sentence or a column header: "MSE took N epochs"
    title: str  # over a table's columns and in a legend
    description: str  # what is computed, over a drawn graph
    colour: Colour
    on_logit: BinaryLossOnLogit  # loss(z, y) for a logit z and a label y in {0, 1}
    base: Callable[..., Value]  # the library loss on_logit applies (mean of a batch) ...
    takes: Literal["probabilities", "logits"]  # ... to p = sigmoid(z), or to z itself


@takes("logits")
def huber_through_sigmoid(z: Value, y: float) -> Value:
    """Return huber_loss(σ(z), y) with δ = 1, PyTorch's default: Huber on the probability.

    Huber is squared error near the target and absolute error beyond δ; on a probability every
    residual |p - y| is below δ = 1, so this is half the squared error, and its push on the
    logit fades with the sigmoid's derivative just as squared error's does.

    >>> from losses import grad_wrt_logit
    >>> print(f"{grad_wrt_logit(huber_through_sigmoid, -4.5, 1):.6f}")
    -0.010747
    """
    return huber_loss(sigmoid(z), y)


BINARY_LOSSES: dict[str, BinaryLoss] = {
    entry.key: entry
    for entry in (
        # The post's pair, in the colours of its explorer: MSE blue, cross-entropy red.
        BinaryLoss(
            key="mse",
            short="MSE",
            title="MSE (squared error)",
            description="squared error through the sigmoid",
            colour=Colour(hex="#1f6feb", terminal="blue"),
            on_logit=mse_through_sigmoid,
            base=mse_loss,
            takes="probabilities",
        ),
        BinaryLoss(
            key="bce",
            short="BCE",
            title="BCE (cross-entropy)",
            description="binary cross-entropy on p = sigmoid(z)",
            colour=Colour(hex="#d1242f", terminal="red"),
            on_logit=bce_through_sigmoid,
            base=binary_cross_entropy,
            takes="probabilities",
        ),
        BinaryLoss(
            key="bce_with_logits",
            short="BCE with logits",
            title="BCE with logits (no clip)",
            description="binary cross-entropy from the logit",
            colour=Colour(hex="#2da44e", terminal="green"),
            on_logit=bce_on_logit,
            base=binary_cross_entropy_with_logits,
            takes="logits",
        ),
        BinaryLoss(
            key="focal",
            short="focal",
            title="focal loss (α = 0.25, γ = 2)",
            description="sigmoid focal loss",
            colour=Colour(hex="#8250df", terminal="magenta"),
            on_logit=focal_on_logit,
            base=focal_loss,
            takes="logits",
        ),
        BinaryLoss(
            key="hinge",
            short="hinge",
            title="hinge loss",
            description="hinge loss on the logit",
            colour=Colour(hex="#bf8700", terminal="yellow"),
            on_logit=hinge_on_logit,
            base=hinge_loss,  # with labels in {-1, 1}: on_logit maps y to 2y - 1
            takes="logits",
        ),
        BinaryLoss(
            key="huber",
            short="Huber",
            title="Huber on p (δ = 1)",
            description="Huber loss on p = sigmoid(z)",
            colour=Colour(hex="#1b7c83", terminal="cyan"),
            on_logit=huber_through_sigmoid,
            base=huber_loss,
            takes="probabilities",
        ),
    )
}
"""Every binary loss the demos compare, by key, in the order they are listed and drawn."""

POST_LOSSES = ("mse", "bce")
"""The keys of the post's two losses, squared error then cross-entropy: what every demo compares."""


def binary_loss(key: str, where: str) -> BinaryLoss:
    """Return the entry of the loss named key, or raise a ValueError that names where and the choices.

    >>> binary_loss("focal", "demo").title
    'focal loss (α = 0.25, γ = 2)'
    >>> binary_loss("mse_sigmoid", "demo")  # doctest: +NORMALIZE_WHITESPACE
    Traceback (most recent call last):
      ...
    ValueError: demo: unknown loss 'mse_sigmoid';
    choose from mse, bce, bce_with_logits, focal, hinge, huber
    """
    entry = BINARY_LOSSES.get(key)
    if entry is None:
        raise ValueError(f"{where}: unknown loss {key!r}; choose from {', '.join(BINARY_LOSSES)}")
    return entry
