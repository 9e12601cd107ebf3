"""Write tests/fixtures/torch_losses.json: PyTorch's values and gradients for lossgrad's losses.

Run it only to regenerate the fixtures (it needs torch; the tests do not):

    pip install torch==2.13.0
    python tests/make_torch_fixtures.py

Every case names a function of `losses`, its positional arguments and keyword arguments (as JSON),
which positional arguments are differentiable, and PyTorch's result in float64: the value, and the
gradient of each differentiable argument. A loss that returns one Value is backpropagated from it;
a list of Values (softmax, reduction="none") is backpropagated from Σ_k w_k·out_k with the case's
`output_weights`, so that every output contributes a different amount.

PyTorch computes each loss with its own functions where it has the loss (mse_loss, huber_loss,
binary_cross_entropy_with_logits, cross_entropy with label_smoothing, nll_loss, kl_div, ...); the
sigmoid focal loss is written out as torchvision.ops.sigmoid_focal_loss computes it, and the
post's functions (entropy, cross-entropy on probabilities) as the post writes them with torch ops.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from torch import Tensor

OUT = Path(__file__).parent / "fixtures" / "torch_losses.json"


def torch_losses() -> dict[str, Callable[..., Tensor]]:
    """Return PyTorch's version of each loss, by its lossgrad name.

    torch is imported here rather than at the top, so that pytest's doctest collection (which
    imports every module under tests/) works where torch is not installed.
    """
    import torch
    import torch.nn.functional as F

    def _reduce(losses: Tensor, reduction: str) -> Tensor:
        if reduction == "mean":
            return losses.mean()
        if reduction == "sum":
            return losses.sum()
        return losses

    def _in_base(nats: Tensor, base: float) -> Tensor:
        return nats if base == math.e else nats / math.log(base)

    def _focal(
        logits: Tensor,
        targets: Tensor,
        alpha: float | None = 0.25,
        gamma: float = 2.0,
        reduction: str = "mean",
    ) -> Tensor:
        # torchvision.ops.sigmoid_focal_loss, with alpha=None for "no weighting"
        p = torch.sigmoid(logits)
        ce = F.binary_cross_entropy_with_logits(logits, targets, reduction="none")
        p_t = p * targets + (1 - p) * (1 - targets)
        loss = ce * (1 - p_t) ** gamma
        if alpha is not None:
            loss = (alpha * targets + (1 - alpha) * (1 - targets)) * loss
        return _reduce(loss, reduction)

    def _bce(p: Tensor, y: Tensor, eps: float = 1e-15, reduction: str = "mean") -> Tensor:
        return F.binary_cross_entropy(torch.clamp(p, eps, 1 - eps), y, reduction=reduction)

    def _bce_logits(z: Tensor, y: Tensor, pos_weight: Any = None, reduction: str = "mean") -> Tensor:
        weight = None if pos_weight is None else torch.as_tensor(pos_weight, dtype=torch.float64)
        return F.binary_cross_entropy_with_logits(z, y, pos_weight=weight, reduction=reduction)

    def _hinge(s: Tensor, y: Tensor, reduction: str = "mean") -> Tensor:
        return _reduce(torch.clamp(1 - y * s, min=0), reduction)

    def _entropy(p: Tensor, base: float = math.e, reduction: str = "mean") -> Tensor:
        return _reduce(_in_base(torch.special.entr(p).sum(-1), base), reduction)

    def _cross_entropy(
        p: Tensor, q: Tensor, base: float = math.e, eps: float = 1e-15, reduction: str = "mean"
    ) -> Tensor:
        return _reduce(_in_base(-(p * torch.log(torch.clamp(q, eps, 1.0))).sum(-1), base), reduction)

    def _kl(p: Tensor, q: Tensor, base: float = math.e, eps: float = 1e-15, reduction: str = "mean") -> Tensor:
        log_q = torch.log(torch.clamp(q, eps, 1.0))
        return _reduce(_in_base(F.kl_div(log_q, p, reduction="none").sum(-1), base), reduction)

    def _categorical(y: Tensor, q: Tensor, eps: float = 1e-15, reduction: str = "mean") -> Tensor:
        return _reduce(-(y * torch.log(torch.clamp(q, eps, 1.0))).sum(-1), reduction)

    def _class_weights(weight: Any) -> Tensor | None:
        return None if weight is None else torch.as_tensor(weight, dtype=torch.float64)

    def _softmax_ce(
        z: Tensor,
        target: Tensor,
        label_smoothing: float = 0.0,
        reduction: str = "mean",
        weight: Any = None,
        ignore_index: int | None = None,
    ) -> Tensor:
        # lossgrad's ignore_index=None ignores nothing; PyTorch's default -100 is out of range of
        # every case here
        return F.cross_entropy(
            z,
            target,
            label_smoothing=label_smoothing,
            reduction=reduction,
            weight=_class_weights(weight),
            ignore_index=-100 if ignore_index is None else ignore_index,
        )

    def _nll(
        log_probs: Tensor,
        target: Tensor,
        reduction: str = "mean",
        weight: Any = None,
        ignore_index: int | None = None,
    ) -> Tensor:
        return F.nll_loss(
            log_probs,
            target,
            reduction=reduction,
            weight=_class_weights(weight),
            ignore_index=-100 if ignore_index is None else ignore_index,
        )

    return {
        "mse_loss": lambda x, y, reduction="mean": F.mse_loss(x, y, reduction=reduction),
        "l1_loss": lambda x, y, reduction="mean": F.l1_loss(x, y, reduction=reduction),
        "huber_loss": lambda x, y, delta=1.0, reduction="mean": F.huber_loss(x, y, delta=delta, reduction=reduction),
        "smooth_l1_loss": lambda x, y, beta=1.0, reduction="mean": F.smooth_l1_loss(
            x, y, beta=beta, reduction=reduction
        ),
        "sigmoid": torch.sigmoid,
        "logit": torch.logit,
        "binary_cross_entropy": _bce,
        "binary_cross_entropy_with_logits": _bce_logits,
        "focal_loss": _focal,
        "hinge_loss": _hinge,
        "surprise": lambda p, base=math.e: _in_base(-torch.log(p), base),
        "entropy": _entropy,
        "cross_entropy": _cross_entropy,
        "kl_divergence": _kl,
        "softmax": lambda z: torch.softmax(z, -1),
        "log_softmax": lambda z: torch.log_softmax(z, -1),
        "categorical_cross_entropy": _categorical,
        "stable_categorical_ce": lambda z, c, reduction="mean": F.cross_entropy(z, c, reduction=reduction),
        "softmax_cross_entropy": _softmax_ce,
        "nll_loss": _nll,
    }


POST_LOGITS = [2.0, 1.0, 0.5, -1.0, 0.1]
BIG_LOGITS = [1e4, 0.0, -1e4, 9999.0, 5.0]
THREE_ROWS = [POST_LOGITS, [-3.0, 0.0, 3.0, 1.0, 1.0], [0.5, -0.5, 2.0, 0.0, 1.0]]
CLASS_WEIGHTS = [0.5, 2.0, 1.0, 3.0, 0.25]

# (function, positional args, keyword args, indices of the differentiable positional args)
CASES: list[tuple[str, list[Any], dict[str, Any], list[int]]] = [
    ("mse_loss", [[2.5, 0.0, 2.1, 7.8], [3.0, -0.5, 2.0, 7.5]], {}, [0, 1]),
    ("mse_loss", [[2.5, 0.0, 2.1, 7.8], [3.0, -0.5, 2.0, 7.5]], {"reduction": "sum"}, [0, 1]),
    ("mse_loss", [[2.5, 0.0, 2.1, 7.8], [3.0, -0.5, 2.0, 7.5]], {"reduction": "none"}, [0, 1]),
    ("mse_loss", [0.01098694263059318, 1.0], {}, [0]),
    ("l1_loss", [[2.5, 0.0, 2.0, -7.8], [3.0, -0.5, 2.0, 7.5]], {}, [0, 1]),
    ("l1_loss", [[2.5, 0.0, -7.8], [3.0, -0.5, 7.5]], {"reduction": "none"}, [0]),
    ("huber_loss", [[0.3, -0.9, 2.5, -40.0], [0.0, 0.0, 0.5, 2.0]], {}, [0, 1]),
    (
        "huber_loss",
        [[0.3, -0.9, 2.5, -40.0], [0.0, 0.0, 0.5, 2.0]],
        {"delta": 0.5, "reduction": "sum"},
        [0],
    ),
    ("huber_loss", [[0.3, -0.9, 2.5], [0.0, 0.0, 0.5]], {"delta": 2.5, "reduction": "none"}, [0]),
    ("smooth_l1_loss", [[0.3, -0.9, 2.5, -40.0], [0.0, 0.0, 0.5, 2.0]], {}, [0, 1]),
    ("smooth_l1_loss", [[0.3, -0.9, 2.5, -40.0], [0.0, 0.0, 0.5, 2.0]], {"beta": 0.0}, [0]),
    (
        "smooth_l1_loss",
        [[0.3, -0.9, 2.5], [0.0, 0.0, 0.5]],
        {"beta": 2.5, "reduction": "none"},
        [0],
    ),
    ("sigmoid", [-4.5], {}, [0]),
    ("sigmoid", [[-1000.0, -4.5, 0.0, 0.3, 30.0, 1000.0]], {}, [0]),
    ("logit", [[0.01, 0.2, 0.5, 0.95, 0.999]], {}, [0]),
    ("binary_cross_entropy", [0.011, 1.0], {}, [0]),
    (
        "binary_cross_entropy",
        [[0.011, 0.3, 0.5, 0.9, 0.999999], [1.0, 0.0, 0.5, 0.25, 1.0]],
        {},
        [0, 1],
    ),
    ("binary_cross_entropy", [[0.011, 0.3, 0.9], [1.0, 0.0, 0.25]], {"reduction": "none"}, [0]),
    (
        "binary_cross_entropy",
        [[0.011, 0.3, 0.9], [1.0, 0.0, 0.25]],
        {"eps": 1e-7, "reduction": "sum"},
        [0],
    ),
    ("binary_cross_entropy_with_logits", [-4.5, 1.0], {}, [0]),
    (
        "binary_cross_entropy_with_logits",
        [[-1000.0, -1000.0, 1000.0, 1000.0, 0.0, 0.0], [0.0, 1.0, 0.0, 1.0, 0.0, 1.0]],
        {"reduction": "none"},
        [0],
    ),
    (
        "binary_cross_entropy_with_logits",
        [[-40.0, -3.0, 0.0, 0.7, 12.0, 40.0], [1.0, 0.2, 0.5, 0.0, 1.0, 1.0]],
        {},
        [0, 1],
    ),
    (
        "binary_cross_entropy_with_logits",
        [[-40.0, -3.0, 0.0, 0.7, 12.0], [1.0, 0.2, 0.5, 0.0, 1.0]],
        {"pos_weight": 3.0, "reduction": "sum"},
        [0, 1],
    ),
    (
        "binary_cross_entropy_with_logits",
        [[-2.0, 0.5, 1000.0], [1.0, 0.0, 1.0]],
        {"pos_weight": [0.5, 2.0, 4.0], "reduction": "none"},
        [0],
    ),
    ("focal_loss", [-4.5, 1.0], {}, [0]),
    (
        "focal_loss",
        [[-1000.0, -4.5, -0.3, 0.0, 2.0, 1000.0], [1.0, 1.0, 0.0, 1.0, 0.0, 1.0]],
        {},
        [0],
    ),
    (
        "focal_loss",
        [[-4.5, -0.3, 0.0, 2.0], [1.0, 0.0, 1.0, 0.0]],
        {"alpha": None, "reduction": "sum"},
        [0],
    ),
    (
        "focal_loss",
        [[-4.5, -0.3, 0.0, 2.0], [1.0, 0.0, 1.0, 0.0]],
        {"alpha": 0.7, "gamma": 0.0, "reduction": "none"},
        [0],
    ),
    (
        "focal_loss",
        [[-4.5, -0.3, 3.0, 2.0], [1.0, 0.0, 1.0, 0.0]],
        {"gamma": 0.5, "reduction": "none"},
        [0],
    ),
    ("focal_loss", [[-4.5, -0.3, 3.0], [0.3, 0.9, 0.5]], {"alpha": None, "gamma": 1.5}, [0, 1]),
    ("focal_loss", [[-4.5, -0.3, 3.0, 1.0], [1.0, 0.0, 0.5, 1.0]], {"reduction": "sum"}, [0, 1]),
    ("hinge_loss", [[2.0, 0.5, -4.5, 0.2, -3.0], [1.0, 1.0, 1.0, -1.0, -1.0]], {}, [0]),
    (
        "hinge_loss",
        [[2.0, 0.5, -4.5, 0.2, -3.0], [1.0, 1.0, 1.0, -1.0, -1.0]],
        {"reduction": "none"},
        [0],
    ),
    ("surprise", [[0.999, 0.5, 0.001]], {}, [0]),
    ("surprise", [0.25], {"base": 2.0}, [0]),
    ("entropy", [[0.5, 0.5]], {}, [0]),
    ("entropy", [[0.99, 0.01]], {}, [0]),
    ("entropy", [[[0.9, 0.1], [0.25, 0.75]]], {"base": 2.0, "reduction": "none"}, [0]),
    ("entropy", [[[0.7, 0.2, 0.1], [0.1, 0.1, 0.8]]], {"reduction": "sum"}, [0]),
    ("entropy", [[1.0, 0.0]], {}, []),
    ("entropy", [[0.6, 0.0, 0.4]], {}, []),
    ("cross_entropy", [[0.9, 0.1], [0.8, 0.2]], {}, [0, 1]),
    ("cross_entropy", [[0.9, 0.1], [0.5, 0.5]], {}, [0, 1]),
    ("cross_entropy", [[0.9, 0.1], [0.8, 0.2]], {"base": 2.0}, [0, 1]),
    (
        "cross_entropy",
        [[[0.0, 1.0, 0.0], [0.2, 0.3, 0.5]], [[0.1, 0.6, 0.3], [0.0, 0.5, 0.5]]],
        {"reduction": "none"},
        [0, 1],
    ),
    ("kl_divergence", [[0.9, 0.1], [0.8, 0.2]], {}, [0, 1]),
    ("kl_divergence", [[0.9, 0.1], [0.5, 0.5]], {}, [0, 1]),
    (
        "kl_divergence",
        [[[0.9, 0.1], [0.3, 0.7]], [[0.5, 0.5], [0.6, 0.4]]],
        {"base": 2.0, "reduction": "sum"},
        [0, 1],
    ),
    ("kl_divergence", [[0.0, 0.4, 0.6], [0.2, 0.3, 0.5]], {}, [1]),
    ("softmax", [POST_LOGITS], {}, [0]),
    ("softmax", [BIG_LOGITS], {}, [0]),
    ("log_softmax", [POST_LOGITS], {}, [0]),
    ("log_softmax", [BIG_LOGITS], {}, [0]),
    (
        "categorical_cross_entropy",
        [[0.0, 0.0, 1.0, 0.0, 0.0], [0.5585, 0.2055, 0.1246, 0.0278, 0.0836]],
        {},
        [1],
    ),
    (
        "categorical_cross_entropy",
        [[[0.0, 1.0, 0.0], [0.2, 0.3, 0.5]], [[0.1, 0.6, 0.3], [0.25, 0.25, 0.5]]],
        {"reduction": "sum"},
        [0, 1],
    ),
    ("stable_categorical_ce", [POST_LOGITS, 2], {}, [0]),
    (
        "stable_categorical_ce",
        [[POST_LOGITS, BIG_LOGITS, [0.0, 0.0, 0.0, 0.0, 0.0]], [2, 2, 1]],
        {},
        [0],
    ),
    ("softmax_cross_entropy", [POST_LOGITS, 2], {}, [0]),
    ("softmax_cross_entropy", [POST_LOGITS, 2], {"label_smoothing": 0.1}, [0]),
    ("softmax_cross_entropy", [POST_LOGITS, [0.1, 0.0, 0.6, 0.3, 0.0]], {}, [0, 1]),
    (
        "softmax_cross_entropy",
        [POST_LOGITS, [0.1, 0.0, 0.6, 0.3, 0.0]],
        {"label_smoothing": 0.25},
        [0, 1],
    ),
    ("softmax_cross_entropy", [BIG_LOGITS, 2], {}, [0]),
    ("softmax_cross_entropy", [BIG_LOGITS, 0], {"label_smoothing": 1.0}, [0]),
    ("softmax_cross_entropy", [[POST_LOGITS, [-3.0, 0.0, 3.0, 1.0, 1.0]], [2, 4]], {}, [0]),
    (
        "softmax_cross_entropy",
        [[POST_LOGITS, [-3.0, 0.0, 3.0, 1.0, 1.0]], [2, 4]],
        {"label_smoothing": 0.2, "reduction": "sum"},
        [0],
    ),
    (
        "softmax_cross_entropy",
        [[POST_LOGITS, [-3.0, 0.0, 3.0, 1.0, 1.0]], [2, 4]],
        {"reduction": "none"},
        [0],
    ),
    (
        "softmax_cross_entropy",
        [[[1.0, 2.0, 3.0], [1e4, 0.0, -1e4]], [[0.2, 0.3, 0.5], [0.0, 0.5, 0.5]]],
        {"reduction": "none"},
        [0, 1],
    ),
    ("nll_loss", [[-0.5824, -1.5824, -2.0824, -3.5824, -2.4824], 2], {}, [0]),
    ("nll_loss", [[[-0.5, -1.2, -2.0], [-3.0, -0.1, -2.5]], [0, 2]], {"reduction": "sum"}, [0]),
    # class weights and ignore_index, with PyTorch's weighted mean
    ("softmax_cross_entropy", [THREE_ROWS, [2, 4, 1]], {"weight": CLASS_WEIGHTS}, [0]),
    (
        "softmax_cross_entropy",
        [THREE_ROWS, [2, 4, 1]],
        {"weight": CLASS_WEIGHTS, "reduction": "sum"},
        [0],
    ),
    (
        "softmax_cross_entropy",
        [THREE_ROWS, [2, 4, 1]],
        {"weight": CLASS_WEIGHTS, "label_smoothing": 0.2},
        [0],
    ),
    (
        "softmax_cross_entropy",
        [THREE_ROWS, [2, -100, 1]],
        {"weight": CLASS_WEIGHTS, "ignore_index": -100},
        [0],
    ),
    (
        "softmax_cross_entropy",
        [THREE_ROWS, [2, 4, 1]],
        {"ignore_index": 4, "label_smoothing": 0.1},
        [0],
    ),
    (
        "softmax_cross_entropy",
        [THREE_ROWS, [2, 4, 1]],
        {"weight": CLASS_WEIGHTS, "ignore_index": 1, "label_smoothing": 0.3, "reduction": "none"},
        [0],
    ),
    ("softmax_cross_entropy", [POST_LOGITS, 3], {"weight": CLASS_WEIGHTS}, [0]),
    ("softmax_cross_entropy", [POST_LOGITS, 3], {"weight": CLASS_WEIGHTS, "reduction": "sum"}, [0]),
    (
        "softmax_cross_entropy",
        [THREE_ROWS[:2], [[0.1, 0.0, 0.6, 0.3, 0.0], [0.2, 0.2, 0.2, 0.2, 0.2]]],
        {"weight": CLASS_WEIGHTS, "label_smoothing": 0.1},
        [0, 1],
    ),
    (
        "nll_loss",
        [[[-0.5, -1.2, -2.0], [-3.0, -0.1, -2.5], [-1.0, -1.0, -1.5]], [0, 2, 1]],
        {"weight": [2.0, 0.5, 1.5]},
        [0],
    ),
    (
        "nll_loss",
        [[[-0.5, -1.2, -2.0], [-3.0, -0.1, -2.5], [-1.0, -1.0, -1.5]], [0, 2, 1]],
        {"weight": [2.0, 0.5, 1.5], "ignore_index": 2, "reduction": "none"},
        [0],
    ),
    (
        "nll_loss",
        [[[-0.5, -1.2, -2.0], [-3.0, -0.1, -2.5], [-1.0, -1.0, -1.5]], [0, 2, 1]],
        {"ignore_index": 0},
        [0],
    ),
]


def _case_id(name: str, args: list[Any], kwargs: dict[str, Any], seen: dict[str, int]) -> str:
    kw = ",".join(f"{k}={v}" for k, v in sorted(kwargs.items()))
    base = f"{name}({kw})" if kw else name
    seen[base] = seen.get(base, 0) + 1
    return f"{base}#{seen[base]}"


def _is_index(x: Any) -> bool:
    """Return True for class indices: an int, or a list of ints (JSON keeps 2 and 2.0 apart)."""
    if isinstance(x, list):
        return bool(x) and all(_is_index(item) for item in x)
    return isinstance(x, int) and not isinstance(x, bool)


def _to_tensor(x: Any, differentiable: bool) -> Tensor:
    import torch

    if _is_index(x):
        return torch.tensor(x, dtype=torch.long)
    t = torch.tensor(x, dtype=torch.float64)
    if differentiable:
        t.requires_grad_(True)
    return t


def _as_json(t: Tensor | None) -> Any:
    if t is None:
        raise ValueError("make_torch_fixtures: a differentiable argument received no gradient")
    return t.detach().tolist()


def make_case(
    table: dict[str, Callable[..., Tensor]],
    name: str,
    args: list[Any],
    kwargs: dict[str, Any],
    grad_args: list[int],
) -> dict[str, Any]:
    """Return one fixture: the inputs and PyTorch's value and gradients."""
    import torch

    tensors = [_to_tensor(a, i in grad_args) for i, a in enumerate(args)]
    out = table[name](*tensors, **kwargs)
    case: dict[str, Any] = {
        "fn": name,
        "args": args,
        "kwargs": kwargs,
        "grad_args": grad_args,
        "value": _as_json(out),
    }
    if out.dim() == 0:
        root = out
    else:
        weights = [float(k + 1) for k in range(out.shape[0])]
        case["output_weights"] = weights
        root = (out * torch.tensor(weights, dtype=torch.float64)).sum()
    if grad_args:
        root.backward()
        case["grads"] = [_as_json(tensors[i].grad) for i in grad_args]
    return case


def main() -> None:
    import torch

    torch.set_default_dtype(torch.float64)
    table = torch_losses()
    seen: dict[str, int] = {}
    cases = {}
    for name, args, kwargs, grad_args in CASES:
        cases[_case_id(name, args, kwargs, seen)] = make_case(table, name, args, kwargs, grad_args)
    document = {
        "generated_by": "tests/make_torch_fixtures.py",
        "torch_version": torch.__version__,
        "cases": cases,
    }
    OUT.parent.mkdir(parents=True, exist_ok=True)
    tmp = OUT.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(document, sort_keys=True, indent=1) + "\n", encoding="utf-8")
    os.replace(tmp, OUT)
    print(f"wrote {len(cases)} cases to {OUT}")


if __name__ == "__main__":
    main()
