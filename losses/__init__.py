"""lossgrad's losses: every loss of "Loss Functions from Scratch", and the ones it left out.

Each loss is a composition of engine operations on `Value`s; none writes its own gradient, so the
post's hand-derived gradients (and the cancellation that leaves p - y) come out of `backward()`:

>>> from engine import Value
>>> from losses import binary_cross_entropy, sigmoid
>>> z = Value(-4.5)
>>> loss = binary_cross_entropy(sigmoid(z), 1)
>>> loss.backward()
>>> print(f"loss = {loss:.4f}, dL/dz = {z.grad:.4f} = p - y = {sigmoid(-4.5):.4f} - 1")
loss = 4.5110, dL/dz = -0.9890 = p - y = 0.0110 - 1

Modules, by kind (the post's functions where its reader will look for them):
- regression: mse_loss (the post), l1_loss, huber_loss, smooth_l1_loss.
- classification: sigmoid, binary_cross_entropy (the post), binary_cross_entropy_with_logits,
  focal_loss, hinge_loss, logit.
- information: surprise, entropy, cross_entropy, kl_divergence (the post's detour).
- softmax: softmax, log_softmax, categorical_cross_entropy, stable_categorical_ce (the post),
  softmax_cross_entropy, nll_loss.
- gradients: grad_wrt_logit and the binary losses on the logit that the demos compare.

Inputs are Values, numbers, sequences of either, or numpy arrays; losses over several examples take
`reduction="mean" | "sum" | "none"` with PyTorch's meaning.
"""

from .classification import (
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    focal_loss,
    hinge_loss,
    logit,
    sigmoid,
)
from .gradients import (
    BINARY_LOSSES_ON_LOGIT,
    BinaryLossOnLogit,
    bce_on_logit,
    bce_through_sigmoid,
    focal_on_logit,
    grad_wrt_logit,
    grad_wrt_logits,
    hinge_on_logit,
    loss_and_grad_wrt_logit,
    mse_through_sigmoid,
)
from .information import cross_entropy, entropy, kl_divergence, surprise
from .regression import huber_loss, l1_loss, mse_loss, smooth_l1_loss
from .softmax import (
    categorical_cross_entropy,
    log_softmax,
    nll_loss,
    softmax,
    softmax_cross_entropy,
    stable_categorical_ce,
)

__all__ = [  # noqa: RUF022 - grouped by kind, in the order of the post
    # regression
    "mse_loss",
    "l1_loss",
    "huber_loss",
    "smooth_l1_loss",
    # binary classification
    "sigmoid",
    "logit",
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "focal_loss",
    "hinge_loss",
    # information theory
    "surprise",
    "entropy",
    "cross_entropy",
    "kl_divergence",
    # multi-class classification
    "softmax",
    "log_softmax",
    "categorical_cross_entropy",
    "stable_categorical_ce",
    "softmax_cross_entropy",
    "nll_loss",
    # gradients with respect to the logit
    "grad_wrt_logit",
    "loss_and_grad_wrt_logit",
    "grad_wrt_logits",
    "BinaryLossOnLogit",
    "BINARY_LOSSES_ON_LOGIT",
    "mse_through_sigmoid",
    "bce_through_sigmoid",
    "bce_on_logit",
    "focal_on_logit",
    "hinge_on_logit",
]
