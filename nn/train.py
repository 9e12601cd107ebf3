"""Training: ``train_step`` takes one step of gradient descent; ``fit`` loops it over epochs.

One step is the whole of training, five lines::

    outputs = model.batch(X)       # the forward pass: [model(x) for x in X]
    loss = loss_fn(outputs, y)     # one Value (+ l2 · Σp²)
    optimizer.zero_grad()          # gradients accumulate, so clear last step's
    loss.backward()                # backprop fills in every parameter's grad
    optimizer.step()               # move each parameter against its gradient

``fit`` runs it on the whole data set (or on shuffled mini-batches) for some epochs, and keeps
a ``History`` of the loss, the accuracy and the gradients' size.

The loss function's convention
------------------------------
``loss_fn(outputs, targets) -> Value``: ``outputs`` is the list of the model's outputs for a
batch (one Value per example for a single-output model, one list of Values per example
otherwise) and ``targets`` the matching slice of ``y``. It returns one Value, the batch's loss (a
mean, so the loss and the learning rate do not depend on the batch size). The losses of the
``losses`` package have exactly this shape, so they plug in directly::

    from losses import hinge_loss
    history = fit(model, hinge_loss, X, y, epochs=100, optimizer=SGD(model.parameters(), lr=1.0))

Accuracy
--------
What counts as a correct prediction is fit's ``accuracy`` argument, never the loss function:

- ``"logit"`` (or its synonym ``"score"``): class 1 when the output is > 0, the sign of a raw
  score (hinge loss, logits);
- ``"probability"``: class 1 when the output is > 0.5 (a sigmoid's output);
- a number t: class 1 when the output is > t;
- ``"argmax"``: for several outputs, the class is the index of the largest one;
- ``None``: no accuracy (``History.accuracy`` stays empty);
- ``"auto"`` (the default) decides from the model's output activation and the labels alone: a
  sigmoid output is a probability; ±1 labels or a tanh output are read by their sign; several
  outputs with int labels take the argmax; targets that are not two classes are regression, with
  no accuracy. A linear (or relu) output with 0/1 labels could be either a logit or a
  probability, so fit refuses to guess: it raises ValueError before training, asking for
  ``accuracy="logit"`` or ``"probability"``.

For the threshold rules the labels must be 0/1 or ±1, and a prediction is correct when
``(output > threshold) == (label == 1)``. Accuracy is measured on each batch's outputs before the
step (as the loss is), so an epoch's figure describes the model during that epoch.

When training goes wrong
------------------------
An operation whose result or gradient would be NaN or infinite, or a step that would leave a
parameter so (usually a learning rate too large), stops fit with a ``DivergenceError`` naming the
epoch and the learning rate; its ``history`` holds the epochs before, and with nn's optimizers
the parameters keep the last finite step's numbers. An error in the very first step is raised
as it is (with a note saying so, from Python 3.11): that is a set-up problem (labels the loss
refuses, inputs that overflow, a learning rate that overflows at once), not divergence.

Speed
-----
``train_step`` calls ``model.batch(X)`` on an nn Module: the graph of ``[model(x) for x in X]``,
built faster. While fit runs, Python's cyclic garbage collector is paused (the engine's graphs
have no cycles to collect) and restored afterwards, even after an error.
"""

from __future__ import annotations

import gc
import math
import numbers
import random
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from operator import attrgetter
from typing import Any, TextIO

from engine import Value, dot
from engine.value import check_real

from .module import MLP, Layer, Module, Neuron, check_inputs, check_seed
from .optim import Optimizer
from .progress import ProgressBar
from .snapshots import Snapshots, output_is_activated

__all__ = ["DivergenceError", "History", "fit", "train_step"]

LossFn = Callable[[list[Any], Sequence[Any]], Value]
# An output as a float (one output) or a list of floats (several); a target; correct or not.
Rule = Callable[[Any, Any], bool]

# The names fit's `accuracy` takes, besides a threshold number and None (see the module docstring).
_RULE_NAMES = ("auto", "logit", "score", "probability", "argmax")
_RULES_TEXT = ", ".join(repr(name) for name in _RULE_NAMES)


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
    - ``seconds``: the epoch's wall-clock time;
    - ``snapshots``: with fit's ``record_every``, the `nn.snapshots.Snapshots` taken (the
      parameters, their gradients and each example's push; ``snapshots[i].epoch`` indexes the
      lists above); None otherwise. ``nn.replay.replay_page`` plays them back.
    """

    loss: list[float] = field(default_factory=list)
    accuracy: list[float] = field(default_factory=list)
    grad_mean_abs: list[float] = field(default_factory=list)
    lr: list[float] = field(default_factory=list)
    seconds: list[float] = field(default_factory=list)
    snapshots: Snapshots | None = None

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


# ---------------------------------------------------------------------------- one step


def train_step(
    model: Callable[[Any], Any],
    loss_fn: LossFn,
    X: Sequence[Any],
    y: Sequence[Any],
    optimizer: Optimizer,
    *,
    l2: float = 0.0,
    after_backward: Callable[[list[Any]], None] | None = None,
) -> tuple[float, list[Any]]:
    """Return the loss and the model's outputs, as plain numbers, after one step of training.

    The step: outputs = [model(x) for x in X] (``model.batch(X)`` for an nn Module: the same
    graph, built faster), loss = loss_fn(outputs, y) + l2 · Σp² over the optimizer's
    parameters, then zero the gradients, backpropagate and ``optimizer.step()``. The loss and the
    outputs are those before the step: a float, and one float per example (a list of floats per
    example for a model with several outputs). The step's graph is freed on return.

    Args:
      model: a callable on one input (an ``MLP``, ``Layer``, ``Neuron``, or anything like one).
      loss_fn: ``loss_fn(outputs, targets) -> Value`` (see the module docstring).
      X, y: the batch's inputs and targets.
      optimizer: an ``SGD``, ``Adam``, or anything with ``params``, ``zero_grad()``, ``step()``.
      l2: the weight of the L2 penalty l2 · Σp² (micrograd's ``alpha``); 0 for none.
      after_backward: called as ``after_backward(outputs)`` with the output nodes once backward
        has filled in the gradients, before the optimizer moves the parameters: the moment a
        snapshot reads (``fit(record_every=...)``).

    >>> from nn import MLP, SGD
    >>> model = MLP(1, [1], seed=0)
    >>> def squared_error(outputs, targets):
    ...     return sum((o - t) ** 2 for o, t in zip(outputs, targets)) / len(targets)
    >>> optimizer = SGD(model.parameters(), lr=0.1)
    >>> for step in range(3):  # learn y = 2x
    ...     loss, outputs = train_step(model, squared_error, [[1.0], [2.0]], [2.0, 4.0], optimizer)
    ...     print(f"loss {loss:.4f}, outputs {outputs[0]:.4f} {outputs[1]:.4f}")
    loss 4.2978, outputs 0.6888 1.3777
    loss 0.4556, outputs 1.7378 3.0822
    loss 0.0744, outputs 2.0656 3.6198
    """
    outputs = model.batch(X) if isinstance(model, Module) else [model(x) for x in X]
    loss = loss_fn(outputs, y)
    if not isinstance(loss, Value):
        raise TypeError(f"train_step: loss_fn must return one Value (a mean over the batch), got {type(loss).__name__}")
    if l2:
        params = optimizer.params
        loss = loss + l2 * dot(params, params)  # Σp² as one node, p·p
    optimizer.zero_grad()
    loss.backward()
    if after_backward is not None:
        after_backward(outputs)
    optimizer.step()
    return loss.data, [_numbers(out) for out in outputs]


def _numbers(output: Value | list[Value]) -> float | list[float]:
    """Return an output's number, or the numbers of a list of outputs."""
    return [v.data for v in output] if isinstance(output, list) else output.data


# ---------------------------------------------------------------------------- the loop


def fit(
    model: Callable[[Any], Any],
    loss_fn: LossFn,
    X: Sequence[Any],
    y: Sequence[Any],
    *,
    epochs: int,
    optimizer: Optimizer,
    l2: float = 0.0,
    lr_schedule: Callable[[int], float] | None = None,
    batch_size: int | None = None,
    seed: int | None = 0,
    accuracy: str | float | None = "auto",
    on_epoch: Callable[[int, History], bool | None] | None = None,
    progress: bool | TextIO = False,
    record_every: int | Snapshots | None = None,
) -> History:
    """Return the History of training model on (X, y) for a number of epochs of ``train_step``.

    Args:
      model: a callable on one input (an ``MLP``, ``Layer``, ``Neuron``, or anything like one).
      loss_fn: ``loss_fn(outputs, targets) -> Value`` (see the module docstring).
      X, y: the inputs and targets, sequences of the same non-zero length.
      epochs: how many passes over the data.
      optimizer: an ``SGD``, ``Adam``, or anything with ``params``, ``zero_grad()``, ``step()``.
        Its params must include some of an nn model's parameters (none is a ValueError: it
        would train nothing); a part of them trains that part, the rest stays frozen, and
        parameters that are not the model's (a loss's own, say) are trained too.
      l2: adds ``l2 · Σ p²`` over the optimizer's parameters to each batch loss.
      lr_schedule: ``lr_schedule(k) -> lr``, set before epoch k + 1 (k = 0, 1, ...: the number of
        epochs completed); micrograd's demo is ``lambda k: 1.0 - 0.9 * k / 100``.
      batch_size: examples per step; None (the default) for the whole data set, one step per
        epoch. Mini-batches are drawn from the examples shuffled each epoch by
        ``random.Random(seed)``.
      seed: the seed of that shuffle (an int >= 0 or None).
      accuracy: the rule for a correct prediction: "auto", "logit" (or "score"),
        "probability", "argmax", a threshold number, or None (see the module docstring).
      on_epoch: called as ``on_epoch(epoch, history)`` after each epoch (epochs counted from 1);
        returning True stops training there (early stopping).
      progress: draw an ``nn.ProgressBar``: True for standard error, or the stream to draw on.
      record_every: k to keep a `Snapshot` (``nn.snapshots``) of the model every k epochs and
        at the last one, in ``history.snapshots``: the parameters, their gradients and each
        example's logit and push, read off the step's graph. Memory is bounded: at most 500
        snapshots (past that, every other one is dropped and k doubles), each of
        2·parameters + 5·min(examples, 1000) + 1 floats. A `Snapshots` instead of k sets other
        bounds. Needs full-batch training (batch_size None): a snapshot holds every example.

    Raises:
      DivergenceError: after the first step, the loss, a gradient or a parameter would have
        become NaN or infinite; the message names the epoch and the learning rate.
      ValueError, TypeError: bad arguments, each named (empty data, wrong input width, an input
        that is not finite, an accuracy rule that does not fit the labels, non-positive
        epochs, an optimizer holding none of the model's parameters, ...).

    >>> from nn import MLP, SGD
    >>> model = MLP(1, [1], seed=0)
    >>> def squared_error(outputs, targets):
    ...     return sum((o - t) ** 2 for o, t in zip(outputs, targets)) / len(targets)
    >>> history = fit(model, squared_error, [[1.0], [2.0]], [2.0, 4.0], epochs=500,
    ...               optimizer=SGD(model.parameters(), lr=0.1))
    >>> round(history.loss[-1], 6), round(model.layers[0].neurons[0].w[0].data, 3)
    (0.0, 2.0)

    With snapshots, each epoch's model can be looked at again (or replayed, ``nn.replay``):

    >>> model = MLP(1, [1], seed=0)
    >>> history = fit(model, squared_error, [[1.0], [2.0]], [2.0, 4.0], epochs=500,
    ...               optimizer=SGD(model.parameters(), lr=0.1), record_every=100)
    >>> [snapshot.epoch for snapshot in history.snapshots]
    [0, 100, 200, 300, 400, 499]
    >>> history.snapshots[0].z  # the two outputs at the start, w = 0.688 and b = 0
    (0.688..., 1.377...)
    """
    _check_fit_arguments(model, loss_fn, X, y, epochs, optimizer, batch_size, l2, progress)
    y = [t.item() if hasattr(t, "item") else t for t in y]  # numpy scalars to Python numbers
    is_correct = _accuracy_rule(accuracy, model, y)
    params = optimizer.params
    rng = random.Random(check_seed("fit", seed))
    history = History(snapshots=_snapshots(record_every, batch_size, len(X)))
    recorder = _recorder(history.snapshots, params, output_is_activated(model), epochs)
    with _cyclic_collector_paused(), _progress_bar(progress, epochs, history) as bar:
        for epoch in range(1, epochs + 1):
            started = time.perf_counter()
            if lr_schedule is not None:
                optimizer.lr = lr_schedule(epoch - 1)
            loss_sum = 0.0
            correct = 0
            grad_means: list[float] = []  # one per step taken
            for inputs, targets in _batches(X, y, batch_size, rng):
                try:
                    loss, outputs = train_step(
                        model,
                        loss_fn,
                        inputs,
                        targets,
                        optimizer,
                        l2=l2,
                        after_backward=recorder(epoch - 1),
                    )
                    _check_finite(optimizer)  # nn's optimizers refuse such a step; others may not
                except (ValueError, OverflowError, ZeroDivisionError) as error:
                    if history.epochs == 0 and not grad_means:  # no step yet: a set-up problem
                        if sys.version_info >= (3, 11):  # shown under the traceback
                            error.add_note(_FIRST_STEP_NOTE)
                        raise
                    raise _diverged(history, epoch, epochs, optimizer, error) from error
                loss_sum += loss * (len(inputs) / len(X))  # weights summing to 1: no overflow
                grad_means.append(_mean([abs(p.grad) for p in params]))
                if is_correct is not None:
                    correct += sum(map(is_correct, outputs, targets))
            history.loss.append(loss_sum)
            if is_correct is not None:
                history.accuracy.append(correct / len(X))
            history.grad_mean_abs.append(_mean(grad_means))
            history.lr.append(float(getattr(optimizer, "lr", math.nan)))
            history.seconds.append(time.perf_counter() - started)
            if bar is not None:
                bar.update(epoch, _progress_note(history))
            if on_epoch is not None and on_epoch(epoch, history) is True:
                break
    return history


def _snapshots(record_every: object, batch_size: int | None, n: int) -> Snapshots | None:
    """Return the Snapshots that fit's record_every asks for (None: no snapshots), or raise."""
    if record_every is None:
        return None
    if batch_size is not None and batch_size < n:
        raise ValueError(
            f"fit: record_every needs full-batch training (batch_size=None), got batch_size="
            f"{batch_size}: a snapshot holds every example's numbers from one step"
        )
    if isinstance(record_every, Snapshots):
        if len(record_every):
            raise ValueError("fit: record_every must be an empty Snapshots, got one holding some")
        return record_every
    if isinstance(record_every, bool) or not isinstance(record_every, int) or record_every < 1:
        raise ValueError(f"fit: record_every must be an int >= 1, a Snapshots or None, got {record_every!r:.80}")
    return Snapshots(every=record_every)


def _recorder(
    snapshots: Snapshots | None, params: Sequence[Value], activated: bool, epochs: int
) -> Callable[[int], Callable[[list[Any]], None] | None]:
    """Return recorder(completed): train_step's after_backward when a snapshot is due, else None."""

    def recorder(completed: int) -> Callable[[list[Any]], None] | None:
        if snapshots is None or not (snapshots.due(completed) or completed == epochs - 1):
            return None
        kept = snapshots

        def record(outputs: list[Any]) -> None:
            kept.record(completed, params, outputs, activated=activated)

        return record

    return recorder


def _batches(
    X: Sequence[Any], y: Sequence[Any], batch_size: int | None, rng: random.Random
) -> Iterator[tuple[Sequence[Any], Sequence[Any]]]:
    """Yield (inputs, targets) of each step of an epoch: all of it, or shuffled mini-batches."""
    if batch_size is None or batch_size >= len(X):
        yield X, y
        return
    order = list(range(len(X)))
    rng.shuffle(order)
    for start in range(0, len(X), batch_size):
        batch = order[start : start + batch_size]
        yield [X[i] for i in batch], [y[i] for i in batch]


@contextmanager
def _cyclic_collector_paused() -> Iterator[None]:
    """Return a context in which Python's cyclic garbage collector is off, then restored.

    An optimisation, and fit's only one: the engine's graphs have no reference cycles, so
    reference counting frees each step's graph, and the collector would only walk the thousands
    of live nodes of the graph being built, again and again. Nothing is lost: whatever cycles
    the caller's code makes meanwhile are collected once the collector is back on. To see what
    it buys on a machine, time ``fit`` with this context and with ``contextlib.nullcontext``.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _progress_note(history: History) -> str:
    """Return the text after fit's progress bar: the last epoch's loss and accuracy."""
    if not history.loss:
        return ""
    note = f"loss {history.loss[-1]:.4g}"
    if history.accuracy:
        note += f"  accuracy {history.accuracy[-1]:.3f}"
    return note + f"  {math.fsum(history.seconds):.1f}s"


@contextmanager
def _progress_bar(progress: bool | TextIO, epochs: int, history: History) -> Iterator[ProgressBar | None]:
    """Return a context holding fit's progress bar (None for no bar), finished on the way out."""
    if progress is False:
        yield None
        return
    bar = ProgressBar(epochs, stream=sys.stderr if progress is True else progress, label="fit ")
    try:
        yield bar
    finally:  # stopped early or by an error too: the bar shows the epochs done
        bar.finish(_progress_note(history), done=history.epochs)


_FIRST_STEP_NOTE = (
    "fit: raised by the first step, before any training: a set-up problem (the data, the loss, "
    "the learning rate), not divergence"
)


def _check_finite(optimizer: Optimizer) -> None:
    """Raise OverflowError naming the first parameter the optimizer's step left NaN or infinite."""
    params = optimizer.params
    if all(map(math.isfinite, map(attrgetter("data"), params))):  # one pass in C
        return
    i, p = next((i, p) for i, p in enumerate(params) if not math.isfinite(p.data))
    name = f" ({p.label})" if p.label else ""
    raise OverflowError(f"{type(optimizer).__name__}.step: left params[{i}]{name} = {p.data}, not a finite number")


def _mean(values: Sequence[float]) -> float:
    """Return the mean of finite values: finite too, where their plain sum would overflow."""
    n = len(values)
    total = sum(values)
    if total - total != 0.0:  # only the sum overflowed: add the values already divided by n
        return sum(v / n for v in values)
    return total / n


def _diverged(history: History, epoch: int, epochs: int, optimizer: Optimizer, cause: BaseException) -> DivergenceError:
    """Return the DivergenceError for an arithmetic error during the given epoch."""
    lr = getattr(optimizer, "lr", None)
    at_lr = f" (lr={lr:g})" if isinstance(lr, float) else ""
    last = ""
    if history.loss:
        last = f"; the last finite loss was {history.loss[-1]:.6g} at epoch {history.epochs}"
    return DivergenceError(
        f"fit: training diverged at epoch {epoch} of {epochs}{at_lr}: {cause}{last}; "
        "a smaller learning rate usually fixes this",
        epoch,
        history,
    )


# ---------------------------------------------------------------------------- accuracy


def _accuracy_rule(accuracy: object, model: object, y: Sequence[Any]) -> Rule | None:
    """Return the function (output, target) -> correct? for fit's accuracy argument, or None."""
    if accuracy is None:
        return None
    if isinstance(accuracy, str):
        if accuracy not in _RULE_NAMES:
            raise ValueError(
                f"fit: accuracy must be one of {_RULES_TEXT}, a threshold number or None, got {accuracy!r}"
            )
        rule = _auto_accuracy(model, y) if accuracy == "auto" else accuracy
        if rule is None:
            return None
        if rule == "argmax":
            _check_class_labels(y)
            return _argmax_correct
        threshold = 0.5 if rule == "probability" else 0.0
        shown = f"accuracy={accuracy!r}" + (f" (here {rule!r})" if rule != accuracy else "")
    elif isinstance(accuracy, bool) or not isinstance(accuracy, numbers.Real):
        raise TypeError(
            f"fit: accuracy must be one of {_RULES_TEXT}, a threshold number or None, "
            f"got {type(accuracy).__name__}: {accuracy!r:.80}"
        )
    else:
        threshold = check_real(accuracy, "fit", "accuracy")
        shown = f"accuracy={accuracy!r}"
    _check_two_class_labels(shown, y)
    return _threshold_rule(shown, threshold)


def _auto_accuracy(model: object, y: Sequence[Any]) -> str | None:
    """Return the rule "auto" stands for, from the model's outputs and the labels, or None."""
    width, activation = _outputs_of(model)
    if not all(_is_number(t) for t in y):
        return None  # targets that are not numbers (one-hot lists, say): no rule to guess
    labels = set(y)
    if isinstance(width, int) and width > 1:
        several_classes = all(_is_int(t) and 0 <= t < width for t in y)
        return "argmax" if several_classes else None
    if not (labels <= {0, 1} or labels <= {-1, 1}):
        return None  # regression targets, or classes a single output cannot threshold
    if activation == "sigmoid":
        return "probability"
    if labels <= {-1, 1} or activation == "tanh":
        return "logit"
    what = f"a {activation!r} output" if activation else "a model that is not an nn Module"
    raise ValueError(
        f"fit: accuracy='auto' cannot tell a logit from a probability for {what} and 0/1 "
        "labels: pass accuracy='logit' (class 1 when the output > 0) or "
        "accuracy='probability' (class 1 when the output > 0.5)"
    )


def _outputs_of(model: object) -> tuple[int | None, str | None]:
    """Return an nn model's number of outputs and output activation; (None, None) for others."""
    if isinstance(model, MLP):
        return model.nouts[-1], model.output_activation
    if isinstance(model, Layer):
        return model.nout, model.activation
    if isinstance(model, Neuron):
        return 1, model.activation
    return None, None


def _is_number(t: object) -> bool:
    return isinstance(t, (int, float)) and not isinstance(t, bool)


def _is_int(t: object) -> bool:
    return isinstance(t, int) and not isinstance(t, bool)


def _check_two_class_labels(shown: str, y: Sequence[Any]) -> None:
    """Raise ValueError unless every label is 0/1 or every label is ±1 (a threshold's classes)."""
    zero_one = plus_minus_one = True
    for i, t in enumerate(y):
        if not _is_number(t) or t not in (0, 1, -1):
            raise ValueError(
                f"fit: {shown} needs labels 0/1 or -1/1, got y[{i}] = {t!r:.80} (pass accuracy=None for regression)"
            )
        zero_one &= t != -1
        plus_minus_one &= t != 0
    if not (zero_one or plus_minus_one):
        raise ValueError(f"fit: {shown} needs labels 0/1 or -1/1, got 0, 1 and -1 mixed")


def _check_class_labels(y: Sequence[Any]) -> None:
    """Raise ValueError unless every label is a class index (an int >= 0), as argmax needs."""
    for i, t in enumerate(y):
        if not _is_int(t) or t < 0:
            raise ValueError(f"fit: accuracy='argmax' needs int labels >= 0, got y[{i}] = {t!r:.80}")


def _threshold_rule(shown: str, threshold: float) -> Rule:
    """Return the rule: class 1 when the output is > threshold (`shown` names it in errors)."""

    def correct(output: float | list[float], target: float) -> bool:
        if isinstance(output, list):
            raise ValueError(
                f"fit: {shown} thresholds one output, but the model gives {len(output)}; pass accuracy='argmax' or None"
            )
        return (output > threshold) == (target == 1)

    return correct


def _argmax_correct(output: float | list[float], target: int) -> bool:
    """Return whether the largest of the outputs is the one at the target's index."""
    if not isinstance(output, list):
        raise ValueError("fit: accuracy='argmax' needs a model with several outputs, got one")
    return max(range(len(output)), key=output.__getitem__) == target


# ---------------------------------------------------------------------------- arguments


def _check_fit_arguments(
    model: Any,
    loss_fn: Any,
    X: Sequence[Any],
    y: Sequence[Any],
    epochs: object,
    optimizer: Any,
    batch_size: object,
    l2: object,
    progress: object,
) -> None:
    """Raise ValueError or TypeError, naming the argument, for anything fit cannot train on."""
    if not callable(model):
        raise TypeError(f"fit: model must be callable on one input, got {type(model).__name__}")
    if not callable(loss_fn):
        raise TypeError(f"fit: loss_fn must be callable as loss_fn(outputs, targets), got {type(loss_fn).__name__}")
    if not all(hasattr(optimizer, name) for name in ("params", "zero_grad", "step")):
        raise TypeError(f"fit: optimizer must have params, zero_grad() and step(), got {type(optimizer).__name__}")
    if not optimizer.params:
        raise ValueError("fit: the optimizer has no parameters to train (its params are empty)")
    if isinstance(model, Module):  # the optimizer may hold a part of them (the rest is frozen)
        owned = {id(p) for p in model.parameters()}
        if owned and not any(id(p) in owned for p in optimizer.params):
            raise ValueError(
                "fit: the optimizer holds none of the model's parameters, so training would "
                "change nothing: make it from this model, SGD(model.parameters(), lr=...)"
            )
    for name, data in (("X", X), ("y", y)):
        if not hasattr(data, "__len__") or isinstance(data, (str, bytes)):
            raise TypeError(
                f"fit: {name} must be a sequence (a list or an array), got {type(data).__name__}: {data!r:.80}"
            )
    if len(X) == 0:
        raise ValueError("fit: X must contain at least one example, got an empty list")
    if len(X) != len(y):
        raise ValueError(f"fit: X and y must have the same length, got {len(X)} and {len(y)}")
    for i, t in enumerate(y):  # a target the loss refused in a later batch would read as divergence
        if isinstance(t, numbers.Real):
            check_real(t, "fit", f"y[{i}]")
    nin = getattr(model, "nin", None)
    if isinstance(nin, int):  # every input, once: a bad one in a later batch is not divergence
        check_inputs("fit", X, nin)
    if isinstance(epochs, bool) or not isinstance(epochs, int) or epochs < 1:
        raise ValueError(f"fit: epochs must be an int >= 1, got {epochs!r}")
    if batch_size is not None and (isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1):
        raise ValueError(f"fit: batch_size must be None (the whole data set) or an int >= 1, got {batch_size!r}")
    # check_real names NaN, ±inf and numbers beyond the float range (10**400) itself.
    if isinstance(l2, bool) or not isinstance(l2, numbers.Real) or check_real(l2, "fit", "l2") < 0:
        raise ValueError(f"fit: l2 must be a number >= 0, got {l2!r:.80}")
    if not isinstance(progress, bool) and not hasattr(progress, "write"):
        raise TypeError(f"fit: progress must be True, False or a stream, got {type(progress).__name__}")
