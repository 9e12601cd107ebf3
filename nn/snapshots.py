"""Snapshots of training: the parameters, their gradients and each example's push, every k epochs.

A `Snapshot` is read off one training step's graph after ``backward()``: the parameters as the
forward pass used them, their gradients, and for each example the numbers of the post's story,
taken from the output nodes themselves (never recomputed by a formula):

- ``z``: the output neuron's pre-activation (the logit), ``z_node.data``;
- ``p``: its activation, σ(z) for a sigmoid output, ``p_node.data``;
- ``dL_dp``: how the example's loss changes with p, from ``p_node.grad``;
- ``dp_dz``: the activation's slope, σ′(z) = p(1 − p) for a sigmoid: the engine's local
  derivative of the p node with respect to z (``p_node.local_derivatives()``);
- ``dL_dz``: the push on the logit, from ``z_node.grad``; backprop made it dL/dp × dp/dz.

A training loss is a mean over the batch, L = (1/n) Σ ℓ_i, so each example's own gradient is n
times the graph's: the gradients above are stored as ``n · node.grad``, those of ℓ_i. For
cross-entropy on a sigmoid, dL_dz is then the post's p − y. ``mean_abs_dL_dz`` is the mean over
the examples of |dℓ_i/dz_i|, the size of the push, which is Σ |∂L/∂z_i| of the graph.

A model whose output is linear (a raw score) has z and dL_dz only: its output is z.

`Snapshots` holds a run's snapshots in bounded memory: one every ``every`` epochs, at most
``limit`` of them, each keeping the examples' numbers for the first ``max_examples`` examples. A
snapshot holds 2·P + 5·E + 1 floats (P parameters, E = min(n, max_examples) examples), so a run
keeps at most ``limit · (2·P + 5·E + 1)`` of them. When a snapshot would exceed the limit, every
other one is dropped and ``every`` doubles, so the snapshots keep covering the whole run.

>>> from nn import Neuron
>>> neuron = Neuron(1, activation="sigmoid", seed=0)
>>> neuron.w[0].data, neuron.b.data = -4.5, 0.0
>>> p = neuron([1.0])  # one example, label 1: p = σ(-4.5), confidently wrong
>>> loss = (p - 1.0) ** 2  # squared error on p
>>> loss.backward()
>>> snapshots = Snapshots(every=1)
>>> snapshot = snapshots.record(0, neuron.parameters(), [p], activated=True)
>>> print(f"p {snapshot.p[0]:.4f}: dL/dp {snapshot.dL_dp[0]:.4f} x σ′(z) {snapshot.dp_dz[0]:.4f}"
...       f" = dL/dz {snapshot.dL_dz[0]:.6f}")
p 0.0110: dL/dp -1.9780 x σ′(z) 0.0109 = dL/dz -0.021494
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from engine import Value

from .module import ACTIVATIONS

__all__ = ["Snapshot", "Snapshots", "output_is_activated"]


@dataclass(frozen=True)
class Snapshot:
    """The model at one epoch: its parameters, their gradients, and each example's push.

    - ``epoch``: the epochs completed before it (0: the start), so it holds the model whose loss
      is ``history.loss[epoch]``;
    - ``parameters``, ``gradients``: each parameter's value as the step's forward pass read it,
      and ∂L/∂parameter from its backward pass (the step's whole loss, penalties included);
    - ``z``, ``dL_dz``: per example, the logit and the push on it, dℓ/dz (see the module
      docstring); empty when `Snapshots.record` is given a model with several outputs;
    - ``p``, ``dL_dp``, ``dp_dz``: per example, the output activation, dℓ/dp and dp/dz, with
      dL_dz = dL_dp × dp_dz; None for a linear output, whose output is z itself;
    - ``mean_abs_dL_dz``: the mean of |dℓ/dz| over all the step's examples (also those past
      ``max_examples``); None when there are no per-example numbers.

    A training loop of its own may record more than `Snapshots.record` does (``lossgrad
    stall``'s does): one K-tuple per example in z, dL_dz, p and dL_dp for K softmax outputs
    (dp_dz None), or dL_dp None for a loss of z that never reads p.
    """

    epoch: int
    parameters: tuple[float, ...]
    gradients: tuple[float, ...]
    z: tuple[Any, ...] = ()
    dL_dz: tuple[Any, ...] = ()
    p: tuple[Any, ...] | None = None
    dL_dp: tuple[Any, ...] | None = None
    dp_dz: tuple[float, ...] | None = None
    mean_abs_dL_dz: float | None = None

    def restore(self, parameters: Sequence[Value]) -> None:
        """Set each of the given parameters (the ones recorded, in order) to its value here.

        >>> from nn import Neuron
        >>> neuron = Neuron(2, seed=0)
        >>> Snapshot(0, parameters=(0.5, -1.0, 2.0), gradients=(0.0, 0.0, 0.0)).restore(
        ...     neuron.parameters())
        >>> [p.data for p in neuron.parameters()]
        [0.5, -1.0, 2.0]
        """
        if len(parameters) != len(self.parameters):
            raise ValueError(
                f"Snapshot.restore: the snapshot holds {len(self.parameters)} parameters, got {len(parameters)}"
            )
        for parameter, value in zip(parameters, self.parameters):
            parameter.data = value


def output_is_activated(model: Any) -> bool:
    """Return whether the model's output is an activation of one pre-activation (p = σ(z)).

    True for a ``Neuron`` or an ``MLP`` whose output activation is not "linear"; False for a
    linear output (the output is z itself) and for a model nn does not know.

    >>> from nn import MLP, Neuron
    >>> output_is_activated(Neuron(2, activation="sigmoid")), output_is_activated(MLP(2, [4, 1]))
    (True, False)
    """
    activation = getattr(model, "output_activation", getattr(model, "activation", None))
    return isinstance(activation, str) and ACTIVATIONS.get(activation) is not None


class Snapshots(Sequence[Snapshot]):
    """A training run's snapshots: one every ``every`` epochs, at most ``limit``, in bounded memory.

    ``labels`` are the recorded parameters' labels (set by the first snapshot), in the order of
    each snapshot's ``parameters``. See the module docstring for the memory bound.

    Args:
      every: record at the epochs (completed, from 0) that are multiples of it; doubles when the
        limit is reached.
      limit: the most snapshots kept (at least 2).
      max_examples: the most examples whose numbers a snapshot keeps (the first ones).
    """

    def __init__(self, every: int = 1, *, limit: int = 500, max_examples: int = 1000) -> None:
        self.every = _check_count("Snapshots", "every", every, 1)
        self.limit = _check_count("Snapshots", "limit", limit, 2)
        self.max_examples = _check_count("Snapshots", "max_examples", max_examples, 0)
        self.labels: tuple[str, ...] = ()
        self._snapshots: list[Snapshot] = []

    def due(self, epoch: int) -> bool:
        """Return whether a snapshot is due after `epoch` completed epochs (a multiple of every)."""
        return epoch % self.every == 0

    def record(
        self,
        epoch: int,
        parameters: Sequence[Value],
        outputs: Sequence[Value | Sequence[Value]],
        *,
        activated: bool,
    ) -> Snapshot:
        """Return the snapshot of one step's graph after backward(), and keep it.

        Args:
          epoch: the epochs completed before the step (0: the start); later than the last one's.
          parameters: the parameters the step trained, always the same ones in the same order.
          outputs: the model's output node for each example of the step (all of the data: a
            snapshot describes every example); a list of nodes per example for a model with
            several outputs, which records no per-example numbers.
          activated: whether each output is an activation of its one operand z (p = σ(z)), as
            ``output_is_activated(model)`` tells; False when the output is z itself.
        """
        if self._snapshots and epoch <= self._snapshots[-1].epoch:
            raise ValueError(
                f"Snapshots.record: epoch must be after the last snapshot's ({self._snapshots[-1].epoch}), got {epoch}"
            )
        labels = tuple(p.label for p in parameters)
        if not self._snapshots:
            self.labels = labels
        elif labels != self.labels:
            raise ValueError("Snapshots.record: the parameters differ from the first snapshot's")
        snapshot = Snapshot(
            epoch,
            parameters=tuple(p.data for p in parameters),
            gradients=tuple(p.grad for p in parameters),
            **_examples(outputs, activated, self.max_examples),
        )
        if len(self._snapshots) == self.limit:
            self._thin()
        self._snapshots.append(snapshot)
        return snapshot

    def _thin(self) -> None:
        """Drop every other snapshot, keeping the start, and double the interval."""
        self.every *= 2
        self._snapshots = [s for s in self._snapshots if s.epoch % self.every == 0]
        if len(self._snapshots) == self.limit:  # epochs recorded off the interval: halve anyway
            self._snapshots = self._snapshots[::2]

    def __len__(self) -> int:
        return len(self._snapshots)

    def __getitem__(self, index: int) -> Snapshot:  # type: ignore[override]
        return self._snapshots[index]

    def __iter__(self) -> Iterator[Snapshot]:
        return iter(self._snapshots)

    def __repr__(self) -> str:
        epochs = f", epochs {self[0].epoch}..{self[-1].epoch}" if self else ""
        return f"Snapshots({len(self)} kept, every {self.every}{epochs})"


def _examples(outputs: Sequence[Value | Sequence[Value]], activated: bool, max_examples: int) -> dict[str, Any]:
    """Return the per-example fields of a Snapshot, read off the output nodes after backward."""
    if any(not isinstance(out, Value) for out in outputs):
        return {}  # several outputs per example: no single logit to tell the story of
    nodes: list[Value] = list(outputs)  # type: ignore[arg-type]
    n = len(nodes)
    if activated and any(len(out.children) != 1 for out in nodes):
        raise ValueError(
            "Snapshots.record: activated=True needs each output to be an activation of one "
            "operand (under no_grad() there is no graph to read)"
        )
    # The output of an activation has one operand, its pre-activation z (see Neuron._output).
    logits = [out.children[0] for out in nodes] if activated else nodes
    fields: dict[str, Any] = {
        # Σ|∂L/∂z_i| over the graph's logits is the mean over the examples of |dℓ_i/dz_i|.
        "mean_abs_dL_dz": math.fsum(abs(z.grad) for z in logits),
    }
    kept_nodes, kept_logits = nodes[:max_examples], logits[:max_examples]
    fields["z"] = tuple(z.data for z in kept_logits)
    fields["dL_dz"] = tuple(n * z.grad for z in kept_logits)
    if activated:
        fields["p"] = tuple(out.data for out in kept_nodes)
        fields["dL_dp"] = tuple(n * out.grad for out in kept_nodes)
        fields["dp_dz"] = tuple(out.local_derivatives()[0] for out in kept_nodes)
    return fields


def _check_count(where: str, argument: str, value: object, minimum: int) -> int:
    """Return value as an int >= minimum, or raise naming the argument."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{where}: {argument} must be an int, got {type(value).__name__}: {value!r}")
    if value < minimum:
        raise ValueError(f"{where}: {argument} must be >= {minimum}, got {value}")
    return value
