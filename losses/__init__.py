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
- kinds: `takes` and `input_kind`, what each loss declares its first argument to be.

Argument names. The post's functions keep the post's names and order: mse_loss(predictions,
targets), binary_cross_entropy(p, y), entropy(p_dist), cross_entropy(p_true, q_predicted),
kl_divergence(p_true, q_predicted), categorical_cross_entropy(y_true, y_pred),
stable_categorical_ce(logits, class_index), sigmoid(z), softmax(logits), log_softmax(logits). Every
other loss takes (what the model gives, targets), the first argument named for what it is, as in
PyTorch: `predictions` for a regression loss (l1_loss, huber_loss, smooth_l1_loss), `logits` for a
loss of raw scores (binary_cross_entropy_with_logits, focal_loss, hinge_loss,
softmax_cross_entropy), `log_probs` for nll_loss; the second is always `targets`. Everything after
those is keyword-only (``reduction=``, ``eps=``, ``delta=``, ``weight=``, ...).

Declared inputs. Each loss says what its first argument is, in the attribute ``loss.takes``
("predictions", "probabilities", "logits" or "log_probabilities"); `input_kind(loss_fn)` reads it,
None for a callable that declares nothing. Code never needs a loss's ``__name__`` to decide how
to treat it, and `grad_wrt_logit` refuses a loss of probabilities or predictions instead of
differentiating it at the raw logit:

>>> from losses import hinge_loss, input_kind, mse_loss
>>> input_kind(hinge_loss), input_kind(mse_loss)
('logits', 'predictions')

Numbers. Every result is a finite float, and so is every gradient backward() gives the loss's
inputs. Where the true result is a float, it is computed so, in a form that does not overflow on
the way (the mean of squares near 1e308, softmax of logits 2e308 apart); where it is not, the loss
raises an error naming itself and the example, never the engine's operation from three calls
down: ``mse_loss: predictions[0] = 1e+200, targets[0] = 0.0: the squared error overflows a
float``. A gradient that would not be a float is refused the same way, at the call, rather than
in backward():

>>> from losses import surprise
>>> surprise(5e-324).data > 744  # the smallest float is very surprising
True
>>> surprise(Value(5e-324))  # doctest: +NORMALIZE_WHITESPACE
Traceback (most recent call last):
  ...
OverflowError: surprise: p = 5e-324: the surprise is finite (744.44) but its gradient with respect
to p overflows a float

Inputs and return types. Inputs are Values, numbers, sequences of either, or numpy arrays.
`reduction` is a `Reduction`, ``Literal["mean", "sum", "none"]``, with PyTorch's meaning, and the
annotations say what comes back, so a caller never casts: one example (a scalar, or one vector for
a multi-class loss) gives a `Value` whatever the reduction; a batch gives a `Value` for "mean" and
"sum" and a ``list[Value]``, one per example, for "none". `sigmoid`, `logit` and `surprise` give a
Value for a scalar and a list for a vector; `softmax` and `log_softmax` a list. A type checker
cannot see how many dimensions a numpy array has, so the annotations take an array for a vector
(a batch, for a multi-class loss); only reduction="none" on a 0-d array (or on one 1-D array, for
a multi-class loss) gives a Value where they say list.
"""

from ._inputs import Reduction
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
from .kinds import INPUT_KINDS, InputKind, input_kind, takes
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
    # what a loss takes, and the type of reduction
    "takes",
    "input_kind",
    "InputKind",
    "INPUT_KINDS",
    "Reduction",
]
