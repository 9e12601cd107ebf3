"""A training loop: ``fit`` runs epochs of forward, backward and optimizer steps, and keeps a History.

The loss function's convention
------------------------------
``loss_fn(predictions, targets) -> Value``: ``predictions`` is the list of the model's outputs for
a batch (one Value per example for a single-output model, one list of Values per example
otherwise) and ``targets`` the matching slice of ``y``. It returns one Value, the batch's loss
(a mean, so the loss and the learning rate do not depend on the batch size). The losses of the
``losses`` package have exactly this shape, so they plug in directly::

    from losses import hinge_loss
    history = fit(model, hinge_loss, X, y, epochs=100, optimizer=SGD(model.parameters(), lr=1.0), l2=1e-4)

``l2=alpha`` adds ``alpha · Σ p²`` over the model's parameters to every batch loss (micrograd's
``alpha * sum(p*p for p in model.parameters())``), and the History's loss includes it.

Accuracy
--------
With ``accuracy="auto"`` (the default) fit reads the labels:

- targets all in {-1, 1}: a prediction counts as class 1 when the output is > 0 (the sign of a
  score, as micrograd's demo);
- targets all in {0, 1}: class 1 when the output is > 0.5, the middle of a probability, unless
  the loss takes logits (``hinge_loss``, ``binary_cross_entropy_with_logits``, ``focal_loss``)
  and then when it is > 0;
- a model with several outputs and integer targets: the class is the index of the largest output;
- anything else (regression targets): no accuracy, and ``History.accuracy`` stays empty.

``accuracy=<a number>`` sets the threshold between the two classes yourself, ``accuracy=None``
turns it off. Accuracy is measured on each batch's predictions before the step (as the loss is),
so the epoch's figure describes the model during the epoch.

When training goes wrong
------------------------
A loss or gradient that becomes NaN or infinite (usually a learning rate too large) stops fit with
a ``DivergenceError`` naming the epoch; its ``history`` holds the epochs before. While it trains,
fit pauses Python's cyclic garbage collector (``pause_gc=True``): the engine's graphs have no
reference cycles, so reference counting frees each one, and the collector would only re-scan the
live graph; the collector's state is restored on the way out, error or not.
"""

from __future__ import annotations

import functools
import gc
import math
import random
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, TextIO

from engine import Value, dot

from .module import Module
from .optim import Optimizer

__all__ = ["fit", "History", "DivergenceError"]

LossFn = Callable[[list[Any], Sequence[Any]], Value]

# Losses whose targets must follow a label convention, and losses that read raw scores (logits).
_PLUS_MINUS_ONE_LOSSES = {"hinge_loss"}
_ZERO_ONE_LOSSES = {"binary_cross_entropy", "binary_cross_entropy_with_logits", "focal_loss"}
_LOGIT_LOSSES = {"hinge_loss", "binary_cross_entropy_with_logits", "focal_loss"}


class DivergenceError(FloatingPointError):
    """Raised by ``fit`` when the loss or a gradient becomes NaN or infinite.

    ``epoch`` is the epoch (from 1) at which it happened, ``history`` the epochs completed before.
    """

    def __init__(self, message: str, epoch: int, history: History) -> None:
        super().__init__(message)
        self.epoch = epoch
        self.history = history


@dataclass
class History:
    """What ``fit`` records: one entry per completed epoch in each list.

    - ``loss``: the mean of the epoch's batch losses (weighted by batch size), ``l2`` included;
    - ``accuracy``: fraction of correct predictions over the epoch (empty if it does not apply);
    - ``grad_mean_abs``: mean |∂loss/∂p| over the parameters, averaged over the epoch's steps;
    - ``lr``: the learning rate used in the epoch;
    - ``seconds``: the epoch's wall-clock time.
    """

    loss: list[float] = field(default_factory=list)
    accuracy: list[float] = field(default_factory=list)
    grad_mean_abs: list[float] = field(default_factory=list)
    lr: list[float] = field(default_factory=list)
    seconds: list[float] = field(default_factory=list)

    @property
    def epochs(self) -> int:
        """Return the number of completed epochs."""
        return len(self.loss)

    def __len__(self) -> int:
        return len(self.loss)

    def epochs_to_accuracy(self, target: float) -> int | None:
        """Return the first epoch (from 1) whose accuracy is >= target, or None if none reached it."""
        for epoch, accuracy in enumerate(self.accuracy, start=1):
            if accuracy >= target:
                return epoch
        return None

    def as_dict(self) -> dict[str, list[float]]:
        """Return the history as a dict of lists (for JSON or a plot)."""
        return {
            "loss": list(self.loss),
            "accuracy": list(self.accuracy),
            "grad_mean_abs": list(self.grad_mean_abs),
            "lr": list(self.lr),
            "seconds": list(self.seconds),
        }

    def __repr__(self) -> str:
        if not self.loss:
            return "History(0 epochs)"
        text = f"History({len(self.loss)} epochs, loss {self.loss[0]:.4g} -> {self.loss[-1]:.4g}"
        if self.accuracy:
            text += f", accuracy {self.accuracy[0]:.3f} -> {self.accuracy[-1]:.3f}"
        return text + ")"


def _loss_name(loss_fn: Callable[..., Any]) -> str:
    """Return the name of the loss function (through functools.partial), or '' for a lambda."""
    while isinstance(loss_fn, functools.partial):
        loss_fn = loss_fn.func
    name = getattr(loss_fn, "__name__", "")
    return "" if name == "<lambda>" else name


def _label_set(y: Sequence[Any]) -> set[float] | None:
    """Return the set of target values when every target is a plain number, else None."""
    values: set[float] = set()
    for t in y:
        if isinstance(t, bool) or not isinstance(t, (int, float)):
            return None
        values.add(float(t))
        if len(values) > 64:
            return None
    return values


def _check_targets(loss_name: str, y: Sequence[Any]) -> None:
    """Raise ValueError when y does not follow the label convention of a known loss."""
    if loss_name in _PLUS_MINUS_ONE_LOSSES:
        for i, t in enumerate(y):
            if t not in (-1, 1):
                raise ValueError(
                    f"fit: y must be in {{-1, 1}} for {loss_name}, got y[{i}] = {t!r} "
                    "(the data makers give ±1 labels with labels='pm1')"
                )
    elif loss_name in _ZERO_ONE_LOSSES:
        for i, t in enumerate(y):
            if isinstance(t, (int, float)) and not 0 <= t <= 1:
                raise ValueError(
                    f"fit: y must be in [0, 1] for {loss_name}, got y[{i}] = {t!r} "
                    "(the data makers give 0/1 labels with labels='01')"
                )


def _accuracy_rule(
    accuracy: str | float | None, model: Any, loss_name: str, y: Sequence[Any], first_output: Any
) -> Callable[[Any, Any], bool] | None:
    """Return a function (output, target) -> correct?, or None where accuracy does not apply.

    An output is a float, or a list of floats for a model with several outputs.
    """
    if accuracy is None:
        return None
    if isinstance(first_output, list):  # several outputs: the largest one is the predicted class
        if accuracy != "auto":
            raise ValueError(f"fit: accuracy must be 'auto' or None for a model with several outputs, got {accuracy!r}")
        if not all(isinstance(t, int) and not isinstance(t, bool) and 0 <= t < len(first_output) for t in y):
            return None

        def argmax_correct(prediction: list[float], target: int) -> bool:
            return max(range(len(prediction)), key=prediction.__getitem__) == target

        return argmax_correct
    labels = _label_set(y)
    if isinstance(accuracy, (int, float)) and not isinstance(accuracy, bool):
        threshold = float(accuracy)
        if labels is None or len(labels) > 2:
            got = "targets that are not numbers" if labels is None else f"{len(labels)} distinct targets"
            raise ValueError(f"fit: accuracy={accuracy!r} (a threshold) needs targets of two classes, got {got}")
        high = max(labels)
    elif accuracy == "auto":
        output_activation = getattr(model, "output_activation", getattr(model, "activation", ""))
        probabilities = output_activation == "sigmoid" or loss_name in _ZERO_ONE_LOSSES
        if labels is None:
            return None
        if labels <= {-1.0, 1.0} and not (labels == {1.0} and probabilities):  # all-1 targets: read by the model
            threshold, high = 0.0, 1.0
        elif labels <= {0.0, 1.0}:
            logits = loss_name in _LOGIT_LOSSES and output_activation != "sigmoid"
            threshold, high = (0.0 if logits else 0.5), 1.0
        else:
            return None
    else:
        raise ValueError(f"fit: accuracy must be 'auto', a threshold number or None, got {accuracy!r}")

    def threshold_correct(prediction: float, target: float) -> bool:
        return (prediction > threshold) == (target == high)

    return threshold_correct


class _ProgressBar:
    """A one-line text progress bar on a stream (stderr), redrawn at most ten times a second."""

    def __init__(self, total: int, stream: TextIO, width: int = 24) -> None:
        self.total, self.stream, self.width = total, stream, width
        self.start = self.last_draw = time.perf_counter()

    def update(self, done: int, history: History, force: bool = False) -> None:
        now = time.perf_counter()
        if not force and now - self.last_draw < 0.1:
            return
        self.last_draw = now
        filled = self.width * done // self.total
        bar = "#" * filled + "-" * (self.width - filled)
        text = f"\rfit [{bar}] {done}/{self.total} loss {history.loss[-1]:.4g}"
        if history.accuracy:
            text += f" accuracy {history.accuracy[-1]:.3f}"
        text += f" {now - self.start:.1f}s"
        self.stream.write(text)
        self.stream.flush()

    def close(self) -> None:
        self.stream.write("\n")
        self.stream.flush()


def _check_fit_arguments(model: Any, loss_fn: Any, X: Sequence[Any], y: Sequence[Any], epochs: object,
                         optimizer: Any, batch_size: object, l2: object) -> None:
    """Raise ValueError or TypeError, naming the argument, for anything fit cannot train on."""
    if not callable(model):
        raise TypeError(f"fit: model must be callable on one input, got {type(model).__name__}")
    if not callable(loss_fn):
        raise TypeError(f"fit: loss_fn must be callable as loss_fn(predictions, targets), got {type(loss_fn).__name__}")
    if not hasattr(optimizer, "step") or not hasattr(optimizer, "zero_grad"):
        raise TypeError(f"fit: optimizer must have step() and zero_grad(), got {type(optimizer).__name__}")
    for name, data in (("X", X), ("y", y)):
        if not hasattr(data, "__len__") or isinstance(data, (str, bytes)):
            raise TypeError(f"fit: {name} must be a sequence (a list or an array), got {type(data).__name__}: {data!r:.80}")
    if len(X) == 0:
        raise ValueError("fit: X must contain at least one example, got an empty list")
    if len(X) != len(y):
        raise ValueError(f"fit: X and y must have the same length, got {len(X)} and {len(y)}")
    nin = getattr(model, "nin", None)
    if isinstance(nin, int):
        for i, x in enumerate(X):
            if not hasattr(x, "__len__") or len(x) != nin:
                got = len(x) if hasattr(x, "__len__") else type(x).__name__
                raise ValueError(f"fit: X[{i}] must have {nin} inputs (the model's nin), got {got}")
    if isinstance(epochs, bool) or not isinstance(epochs, int) or epochs < 1:
        raise ValueError(f"fit: epochs must be an int >= 1, got {epochs!r}")
    if batch_size is not None and (
        isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1
    ):
        raise ValueError(f"fit: batch_size must be None (the whole data set) or an int >= 1, got {batch_size!r}")
    if isinstance(l2, bool) or not isinstance(l2, (int, float)) or not 0 <= l2 < math.inf:
        raise ValueError(f"fit: l2 must be a number >= 0, got {l2!r}")


@contextmanager
def _cyclic_collector_paused(pause: bool) -> Iterator[None]:
    """Return a context in which Python's cyclic garbage collector is off (when pause), then restored.

    The engine's graphs have no reference cycles, so reference counting frees each one; the cyclic
    collector would only walk the thousands of live nodes of the graph being built, again and again
    (a fifth to a half of a training step of micrograd's moons MLP, measured on CPython 3.11).
    """
    was_enabled = gc.isenabled()
    if pause:
        gc.disable()
    try:
        yield
    finally:
        if pause and was_enabled:
            gc.enable()


def _forward_backward(
    model: Any,
    loss_fn: LossFn,
    batch_X: Sequence[Any],
    batch_y: Sequence[Any],
    l2: float,
    regularised: list[Value],
    optimizer: Any,
) -> tuple[float, list[Any]]:
    """Return the batch's loss and the model's outputs as floats, after backprop has set the gradients.

    The graph lives only inside this function: it is freed on return, before the next batch builds
    its own, so two graphs are never alive at once.
    """
    predictions = model.batch(batch_X) if isinstance(model, Module) else [model(x) for x in batch_X]
    loss = loss_fn(predictions, batch_y)
    if not isinstance(loss, Value):
        raise TypeError(f"fit: loss_fn must return one Value (a mean over the batch), got {type(loss).__name__}")
    if l2:
        loss = loss + l2 * dot(regularised, regularised)  # Σp² as one node: p·p
    if math.isfinite(loss.data):  # an infinite loss is reported by the caller, not backpropagated
        optimizer.zero_grad()
        loss.backward()
    outputs = [[v.data for v in p] if isinstance(p, list) else p.data for p in predictions]
    return loss.data, outputs


def fit(
    model: Any,
    loss_fn: LossFn,
    X: Sequence[Any],
    y: Sequence[Any],
    epochs: int,
    optimizer: Optimizer,
    batch_size: int | None = None,
    on_epoch: Callable[[int, History], bool | None] | None = None,
    progress: bool = False,
    *,
    l2: float = 0.0,
    lr_schedule: Callable[[int], float] | None = None,
    accuracy: str | float | None = "auto",
    shuffle: bool = True,
    seed: int | None = 0,
    stream: TextIO | None = None,
    pause_gc: bool = True,
) -> History:
    """Return the History of training model on (X, y) for a number of epochs.

    Each step: predictions = [model(x) for x in batch] (``model.batch(batch)`` for an nn Module:
    the same graphs, built faster), loss = loss_fn(predictions, targets) (+ l2 · Σp²), zero the
    gradients, backpropagate, record, ``optimizer.step()``.

    Args:
      model: a callable on one input (an ``MLP``, ``Layer``, ``Neuron``, or anything with the
        same call); its ``parameters()`` are regularised by ``l2``.
      loss_fn: ``loss_fn(predictions, targets) -> Value`` (see the module docstring).
      X, y: the inputs and targets, sequences of the same non-zero length.
      epochs: how many passes over the data.
      optimizer: an ``SGD``, ``Adam``, or anything with ``step()``, ``zero_grad()`` and ``params``.
      batch_size: examples per step (at most len(X)); None (the default) for the whole data set,
        one step per epoch.
      on_epoch: called as ``on_epoch(epoch, history)`` after each epoch (epochs counted from 1);
        returning True stops training there (early stopping).
      progress: draw a text progress bar on stderr (or ``stream``).
      l2: adds ``l2 · Σ p²`` over the model's parameters to each batch loss.
      lr_schedule: ``lr_schedule(k) -> lr``, set before epoch k + 1 (k = 0, 1, ...: the number of
        epochs completed); micrograd's demo is ``lambda k: 1.0 - 0.9 * k / 100``.
      accuracy: "auto", a threshold, or None (see the module docstring).
      shuffle, seed: with a batch_size, the examples are shuffled each epoch by random.Random(seed).
      stream: where the progress bar goes (default sys.stderr).
      pause_gc: pause Python's cyclic garbage collector while training (restored afterwards). The
        engine's graphs have no cycles, so nothing is left uncollected, and a step runs 1.2 to 2
        times as fast. Set False if your own code in on_epoch or loss_fn creates many reference cycles.

    Raises:
      DivergenceError: the loss or a gradient became NaN or infinite; the message names the epoch.
      ValueError: bad arguments, each named (empty data, wrong input width, labels of the wrong
        convention for a known loss, non-positive epochs, ...).

    >>> from nn import MLP, SGD
    >>> model = MLP(1, [1], seed=0)
    >>> squared_error = lambda predictions, targets: sum((p - t) ** 2 for p, t in zip(predictions, targets)) / len(targets)
    >>> history = fit(model, squared_error, [[1.0], [2.0]], [2.0, 4.0], epochs=500, optimizer=SGD(model.parameters(), lr=0.1))
    >>> round(history.loss[-1], 6), round(model.layers[0].neurons[0].w[0].data, 3)
    (0.0, 2.0)
    """
    _check_fit_arguments(model, loss_fn, X, y, epochs, optimizer, batch_size, l2)
    y = [t.item() if hasattr(t, "item") else t for t in y]  # numpy scalars to Python numbers
    loss_name = _loss_name(loss_fn)
    _check_targets(loss_name, y)
    params: list[Value] = list(getattr(optimizer, "params", None) or model.parameters())
    if not params:
        raise ValueError("fit: the optimizer has no parameters to train (optimizer.params is empty)")
    regularised = model.parameters() if hasattr(model, "parameters") else params
    n = len(X)
    size = n if batch_size is None else min(batch_size, n)
    order = list(range(n))
    rng = random.Random(seed)
    history = History()
    is_correct: Callable[[Any, Any], bool] | None = None
    bar = _ProgressBar(epochs, stream or sys.stderr) if progress else None

    def diverged(epoch: int, what: str, cause: BaseException | None = None) -> DivergenceError:
        lr = getattr(optimizer, "lr", None)
        at_lr = f" (lr={lr:g})" if isinstance(lr, float) else ""
        because = f": {cause}" if cause is not None else ""
        last = f"; the last finite loss was {history.loss[-1]:.6g} at epoch {epoch - 1}" if history.loss else ""
        return DivergenceError(
            f"fit: {what} at epoch {epoch} of {epochs}{at_lr}{because}{last}; a smaller learning rate usually fixes this",
            epoch,
            history,
        )

    with _cyclic_collector_paused(pause_gc):
        try:
            for epoch in range(1, epochs + 1):
                started = time.perf_counter()
                if lr_schedule is not None:
                    optimizer.lr = lr_schedule(epoch - 1)
                if size < n and shuffle:
                    rng.shuffle(order)
                loss_sum = grad_sum = 0.0
                correct = steps = 0
                for start in range(0, n, size):
                    if size == n:
                        batch_X, batch_y = X, y
                    else:
                        batch = order[start : start + size]
                        batch_X, batch_y = [X[i] for i in batch], [y[i] for i in batch]
                    try:
                        loss, outputs = _forward_backward(model, loss_fn, batch_X, batch_y, l2, regularised, optimizer)
                    except (ValueError, OverflowError, ZeroDivisionError) as error:
                        if epoch == 1 and start == 0:  # nothing trained yet: a set-up problem, not divergence
                            raise
                        raise diverged(epoch, "training diverged", error) from error
                    if not math.isfinite(loss):
                        raise diverged(epoch, f"the loss became {loss}")
                    grad_mean_abs = math.fsum(abs(p.grad) for p in params) / len(params)
                    if not math.isfinite(grad_mean_abs):
                        raise diverged(epoch, f"the mean |gradient| became {grad_mean_abs}")
                    if epoch == 1 and start == 0:  # the outputs' shape is known only now
                        is_correct = _accuracy_rule(accuracy, model, loss_name, y, outputs[0])
                    if is_correct is not None:
                        correct += sum(1 for output, target in zip(outputs, batch_y) if is_correct(output, target))
                    loss_sum += loss * len(batch_X)
                    grad_sum += grad_mean_abs
                    steps += 1
                    optimizer.step()
                history.loss.append(loss_sum / n)
                if is_correct is not None:
                    history.accuracy.append(correct / n)
                history.grad_mean_abs.append(grad_sum / steps)
                history.lr.append(float(getattr(optimizer, "lr", math.nan)))
                history.seconds.append(time.perf_counter() - started)
                if bar is not None:
                    bar.update(epoch, history, force=epoch == epochs)
                if on_epoch is not None and on_epoch(epoch, history) is True:
                    break
        finally:
            if bar is not None:
                bar.close()
    return history
