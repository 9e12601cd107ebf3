"""Each loss declares what its first argument is, and the gradient helpers act on the declaration.

`input_kind` and the attribute ``takes`` replace any look at a function's ``__name__``: a loss of
probabilities or predictions handed to `grad_wrt_logit` is refused with a message that names the
function to use, while a loss of logits, one of `BINARY_LOSSES_ON_LOGIT`, and any undeclared
function of the logit are differentiated as before.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable

import pytest

import losses as L
from engine import Value

DECLARED = {
    "mse_loss": "predictions",
    "l1_loss": "predictions",
    "huber_loss": "predictions",
    "smooth_l1_loss": "predictions",
    "binary_cross_entropy": "probabilities",
    "binary_cross_entropy_with_logits": "logits",
    "focal_loss": "logits",
    "hinge_loss": "logits",
    "surprise": "probabilities",
    "entropy": "probabilities",
    "cross_entropy": "probabilities",
    "kl_divergence": "probabilities",
    "categorical_cross_entropy": "probabilities",
    "stable_categorical_ce": "logits",
    "softmax_cross_entropy": "logits",
    "nll_loss": "log_probabilities",
    "mse_through_sigmoid": "logits",
    "bce_through_sigmoid": "logits",
    "bce_on_logit": "logits",
    "focal_on_logit": "logits",
    "hinge_on_logit": "logits",
}
TRANSFORMS = {"sigmoid", "logit", "softmax", "log_softmax"}  # not losses: they declare nothing


@pytest.mark.parametrize(("name", "kind"), sorted(DECLARED.items()))
def test_every_loss_declares_its_input(name: str, kind: str) -> None:
    loss_fn = getattr(L, name)
    assert L.input_kind(loss_fn) == kind
    assert loss_fn.takes == kind


def test_the_table_lists_every_public_function() -> None:
    functions = {name for name in L.__all__ if callable(getattr(L, name))}
    helpers = {"grad_wrt_logit", "loss_and_grad_wrt_logit", "grad_wrt_logits", "takes"}
    helpers |= {"input_kind", "BinaryLossOnLogit", "InputKind", "Reduction"}
    assert functions - helpers == set(DECLARED) | TRANSFORMS
    assert all(L.input_kind(getattr(L, name)) is None for name in TRANSFORMS)
    assert set(L.INPUT_KINDS) == set(DECLARED.values())


def test_an_undeclared_callable_declares_nothing() -> None:
    assert L.input_kind(lambda z, y: L.hinge_loss(z, y)) is None
    assert L.input_kind(print) is None
    assert L.input_kind(3) is None

    class Impostor:
        takes = "scores"  # not a kind: read as no declaration

    assert L.input_kind(Impostor()) is None


def test_a_declaration_survives_partial_and_wraps() -> None:
    assert L.input_kind(functools.partial(L.focal_loss, gamma=0.0)) == "logits"
    assert L.input_kind(functools.partial(functools.partial(L.nll_loss), reduction="sum")) == ("log_probabilities")

    @functools.wraps(L.binary_cross_entropy)
    def logged(p: Value, y: float) -> Value:
        return L.binary_cross_entropy(p, y)

    assert L.input_kind(logged) == "probabilities"


def test_takes_declares_a_function_of_ones_own() -> None:
    def margin(z: Value, y: float) -> Value:
        return (1 - z * y).relu()

    declared = L.takes("logits")(margin)
    assert declared is margin and L.input_kind(margin) == "logits"
    with pytest.raises(ValueError, match=r"^takes: kind must be one of .*logits.*, got 'logit'$"):
        L.takes("logit")  # type: ignore[arg-type]


# ---------------------------------------------------------------- the gradient helpers


def test_mse_loss_at_a_logit_is_refused_with_the_function_to_use() -> None:
    with pytest.raises(ValueError) as caught:
        L.grad_wrt_logit(L.mse_loss, -4.5, 1)
    assert str(caught.value) == (
        "grad_wrt_logit: mse_loss takes predictions, not a logit; for squared error on σ(z) use mse_through_sigmoid"
    )
    assert f"{L.grad_wrt_logit(L.mse_through_sigmoid, -4.5, 1):.4f}" == "-0.0215"  # the post's


@pytest.mark.parametrize(
    ("loss_fn", "named", "advice"),
    [
        (L.binary_cross_entropy, "binary_cross_entropy takes probabilities", "bce_through_sigmoid"),
        (L.l1_loss, "l1_loss takes predictions", "pass a function of the logit z instead"),
        (L.surprise, "surprise takes probabilities", "pass a function of the logit z instead"),
        (L.nll_loss, "nll_loss takes log_probabilities", "pass a function of the logit z instead"),
    ],
)
@pytest.mark.parametrize("helper", [L.grad_wrt_logit, L.loss_and_grad_wrt_logit])
def test_every_loss_not_of_a_logit_is_refused(
    helper: Callable[..., object], loss_fn: Callable[..., object], named: str, advice: str
) -> None:
    with pytest.raises(ValueError) as caught:
        helper(loss_fn, 0.3, 1)
    message = str(caught.value)
    assert message.startswith(f"{helper.__name__}: {named}, not a logit; ")
    assert advice in message


@pytest.mark.parametrize(
    ("loss_fn", "expected"),
    [
        (L.binary_cross_entropy_with_logits, lambda p, y: p - y),
        (L.focal_loss, None),
        (functools.partial(L.focal_loss, alpha=None, gamma=0.0), lambda p, y: p - y),
        (L.bce_on_logit, lambda p, y: p - y),
        (L.bce_through_sigmoid, lambda p, y: p - y),
        (L.mse_through_sigmoid, lambda p, y: 2 * (p - y) * p * (1 - p)),
    ],
)
@pytest.mark.parametrize("z", [-4.5, 0.3, 2.0])
def test_losses_of_the_logit_are_differentiated(
    loss_fn: L.BinaryLossOnLogit, expected: Callable[[float, float], float] | None, z: float
) -> None:
    grad = L.grad_wrt_logit(loss_fn, z, 1.0)
    assert math.isfinite(grad) and grad < 0  # y = 1 pushes the logit up
    if expected is not None:
        p = Value(z).sigmoid().data
        assert math.isclose(grad, expected(p, 1.0), rel_tol=1e-12, abs_tol=1e-15)


def test_hinge_loss_takes_a_logit_directly() -> None:
    assert L.loss_and_grad_wrt_logit(L.hinge_loss, 0.25, 1) == (0.75, -1.0)
    assert L.loss_and_grad_wrt_logit(L.hinge_loss, -0.25, -1) == (0.75, 1.0)


def test_an_undeclared_function_is_taken_as_a_function_of_the_logit() -> None:
    # Squared error on the raw logit: what the function says, with no sigmoid put in.
    assert L.grad_wrt_logit(lambda z, y: (z - y) ** 2, -4.5, 1) == -11.0
    assert L.grad_wrt_logit(lambda z, y: L.mse_loss(z.sigmoid(), y), -4.5, 1) == (
        L.grad_wrt_logit(L.mse_through_sigmoid, -4.5, 1)
    )


def test_grad_wrt_logits_takes_logit_losses_and_refuses_the_others() -> None:
    z = [2.0, 1.0, 0.5, -1.0, 0.1]
    by_logits = L.grad_wrt_logits(L.softmax_cross_entropy, z, 2)
    assert by_logits == L.grad_wrt_logits(L.stable_categorical_ce, z, 2)
    two_steps = L.grad_wrt_logits(lambda v, c: L.nll_loss(L.log_softmax(v), c), z, 2)
    assert all(math.isclose(a, b, rel_tol=1e-12) for a, b in zip(by_logits, two_steps))
    with pytest.raises(ValueError, match=r"^grad_wrt_logits: nll_loss takes log_probabilities, "):
        L.grad_wrt_logits(L.nll_loss, z, 2)
    with pytest.raises(ValueError, match=r"categorical_cross_entropy takes probabilities, not logits"):
        L.grad_wrt_logits(L.categorical_cross_entropy, z, [0.0, 0.0, 1.0, 0.0, 0.0])
