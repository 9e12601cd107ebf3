"""Optimizers: update parameters from their gradients, with PyTorch's update rules.

An optimizer holds a list of parameters (leaf Values). After ``loss.backward()`` has filled in
each parameter's ``grad``, ``step()`` moves the parameters, and ``zero_grad()`` sets the gradients
back to 0 before the next backward pass (gradients accumulate, as in PyTorch).

>>> from engine import Value
>>> w = Value(3.0, label="w")
>>> optimizer = SGD([w], lr=0.1)
>>> for _ in range(3):
...     optimizer.zero_grad()
...     loss = (w - 1.0) ** 2
...     loss.backward()
...     optimizer.step()
>>> round(w.data, 6)
2.024
"""

from __future__ import annotations

import math
from collections.abc import Iterable

from engine import Value

from .module import Module

__all__ = ["SGD", "Adam", "Optimizer"]


def _check_number(
    where: str, argument: str, value: object, expected: str, low: float, high: float | None = None
) -> float:
    """Return value as a float, or raise ValueError naming the argument unless low <= value (< high)."""
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise ValueError(f"{where}: {argument} must be {expected}, got {value!r}") from None
    in_range = low <= number and (high is None or number < high)
    if isinstance(value, (bool, str, bytes)) or not in_range or math.isinf(number):
        raise ValueError(f"{where}: {argument} must be {expected}, got {value!r}")
    return number


class Optimizer:
    """Base class: holds the parameters and the learning rate, zeroes gradients; subclasses define ``step()``.

    ``params`` is an iterable of leaf Values (for example ``model.parameters()``) or a Module.
    """

    __slots__ = ("_lr", "params")

    params: list[Value]

    def __init__(self, params: Iterable[Value] | Module, lr: float) -> None:
        where = type(self).__name__
        params = list(params.parameters() if isinstance(params, Module) else params)
        if not params:
            raise ValueError(f"{where}: params must contain at least one Value, got an empty list")
        seen: set[int] = set()
        for i, p in enumerate(params):
            if not isinstance(p, Value):
                raise TypeError(f"{where}: params[{i}] must be a Value, got {type(p).__name__}: {p!r:.80}")
            if id(p) in seen:
                raise ValueError(f"{where}: params[{i}] appears twice in params ({p!r})")
            seen.add(id(p))
        self.params = params
        self.lr = lr

    @property
    def lr(self) -> float:
        """The learning rate (a positive number); a schedule may change it between steps."""
        return self._lr

    @lr.setter
    def lr(self, value: float) -> None:
        try:
            lr = float(value)
        except (TypeError, ValueError):
            lr = math.nan
        if isinstance(value, (bool, str, bytes)) or not (0.0 < lr < math.inf):
            raise ValueError(f"{type(self).__name__}: lr must be a positive number, got {value!r}")
        self._lr = lr

    def zero_grad(self) -> None:
        """Set every parameter's gradient to 0 (gradients accumulate across backward passes)."""
        for p in self.params:
            p.grad = 0.0

    def step(self) -> None:
        """Update every parameter from its gradient."""
        raise NotImplementedError


class SGD(Optimizer):
    """Stochastic gradient descent, with optional momentum and weight decay, as ``torch.optim.SGD``.

    Each step, for each parameter p (with velocity b when ``momentum`` m > 0):

        g ← grad + weight_decay · p
        b ← m · b + g        (b ← g on the first step)
        p ← p - lr · b       (p ← p - lr · g without momentum)

    ``weight_decay`` adds ``weight_decay · p`` to the gradient, which is an L2 penalty of
    ``weight_decay / 2 · p²`` in the loss.

    >>> from engine import Value
    >>> w = Value(1.0)
    >>> optimizer = SGD([w], lr=0.5, momentum=0.9)
    >>> for _ in range(2):
    ...     w.grad = 1.0  # a constant gradient
    ...     optimizer.step()
    >>> round(w.data, 6)  # 1 - 0.5·1 - 0.5·(0.9·1 + 1)
    -0.45
    """

    __slots__ = ("_velocity", "momentum", "weight_decay")

    momentum: float
    weight_decay: float

    def __init__(
        self, params: Iterable[Value] | Module, lr: float, momentum: float = 0.0, weight_decay: float = 0.0
    ) -> None:
        super().__init__(params, lr)
        self.momentum = _check_number("SGD", "momentum", momentum, "a number in [0, 1)", 0.0, 1.0)
        self.weight_decay = _check_number("SGD", "weight_decay", weight_decay, "a number >= 0", 0.0)
        self._velocity: list[float] | None = None

    def step(self) -> None:
        """Move every parameter against its gradient (see the class docstring for the rule)."""
        lr, momentum, weight_decay = self._lr, self.momentum, self.weight_decay
        params = self.params
        if momentum == 0.0:
            if weight_decay == 0.0:
                for p in params:  # the hot loop of plain SGD: nothing but the update
                    p.data -= lr * p.grad
            else:
                for p in params:
                    p.data -= lr * (p.grad + weight_decay * p.data)
            return
        velocity = self._velocity
        if velocity is None:  # first step: the velocity starts as the gradient itself (PyTorch)
            velocity = self._velocity = [p.grad + weight_decay * p.data for p in params]
        else:
            for i, p in enumerate(params):
                velocity[i] = momentum * velocity[i] + (p.grad + weight_decay * p.data)
        for p, b in zip(params, velocity):
            p.data -= lr * b

    def __repr__(self) -> str:
        extras = "".join(
            f", {name}={value:g}"
            for name, value in (("momentum", self.momentum), ("weight_decay", self.weight_decay))
            if value
        )
        return f"SGD({len(self.params)} parameters, lr={self._lr:g}{extras})"


class Adam(Optimizer):
    """Adam, as ``torch.optim.Adam`` (Kingma & Ba, 2015, https://arxiv.org/abs/1412.6980).

    Each parameter keeps running means of its gradient (m) and squared gradient (v); at step t:

        g ← grad + weight_decay · p
        m ← β1 · m + (1 - β1) · g
        v ← β2 · v + (1 - β2) · g²
        p ← p - lr / (1 - β1^t) · m / (√v / √(1 - β2^t) + eps)

    The two ``1 - β^t`` factors undo the bias of m and v towards their zero start, so the first
    steps are about ``lr`` in size whatever the scale of the gradient.

    >>> from engine import Value
    >>> w = Value(1.0)
    >>> optimizer = Adam([w], lr=0.1)
    >>> w.grad = 0.001  # a small gradient still makes a full-size first step
    >>> optimizer.step()
    >>> round(w.data, 4)
    0.9
    """

    __slots__ = ("_m", "_t", "_v", "betas", "eps", "weight_decay")

    betas: tuple[float, float]
    eps: float
    weight_decay: float

    def __init__(
        self,
        params: Iterable[Value] | Module,
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
    ) -> None:
        super().__init__(params, lr)
        try:
            beta1, beta2 = betas
        except (TypeError, ValueError):
            raise ValueError(f"Adam: betas must be a pair (beta1, beta2), got {betas!r}") from None
        self.betas = (
            _check_number("Adam", "betas[0]", beta1, "a number in [0, 1)", 0.0, 1.0),
            _check_number("Adam", "betas[1]", beta2, "a number in [0, 1)", 0.0, 1.0),
        )
        self.eps = _check_number("Adam", "eps", eps, "a number >= 0", 0.0)
        self.weight_decay = _check_number("Adam", "weight_decay", weight_decay, "a number >= 0", 0.0)
        self._m = [0.0] * len(self.params)
        self._v = [0.0] * len(self.params)
        self._t = 0

    def step(self) -> None:
        """Move every parameter by its bias-corrected Adam step (see the class docstring)."""
        self._t += 1
        beta1, beta2 = self.betas
        eps, weight_decay = self.eps, self.weight_decay
        # The same operations in the same order as PyTorch's Adam, so trajectories agree to the last bits.
        step_size = self._lr / (1.0 - beta1**self._t)
        bias_correction2_sqrt = (1.0 - beta2**self._t) ** 0.5
        m, v = self._m, self._v
        for i, p in enumerate(self.params):
            g = p.grad + weight_decay * p.data if weight_decay else p.grad
            m[i] = m_i = m[i] + (1.0 - beta1) * (g - m[i])
            v[i] = v_i = v[i] * beta2 + (1.0 - beta2) * g * g
            p.data -= step_size * (m_i / (math.sqrt(v_i) / bias_correction2_sqrt + eps))

    def __repr__(self) -> str:
        decay = f", weight_decay={self.weight_decay:g}" if self.weight_decay else ""
        return (
            f"Adam({len(self.params)} parameters, lr={self._lr:g}, "
            f"betas=({self.betas[0]:g}, {self.betas[1]:g}), eps={self.eps:g}{decay})"
        )
