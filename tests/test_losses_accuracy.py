"""binary_cross_entropy_with_logits and focal_loss against exact arithmetic, at large logits.

The reference is the loss and its derivative written out in 60-digit decimal arithmetic
(Python's `decimal`), from the float inputs exactly as given; lossgrad's value is compared with
the first and its backprop gradient with the second. The grid is where the familiar form
softplus(z) - y·z cancels: |z| from 40 to 1e6, soft labels within 1e-15 to 1e-6 of 0 and 1.
"""

from __future__ import annotations

from decimal import Context, Decimal, localcontext

import pytest

import losses as L
from engine import Value

EXACT = Context(prec=60, Emax=999_999_999, Emin=-999_999_999)
REL = 1e-13  # measured: below 1e-15 on this grid

LOGITS = [sign * size for size in (40.0, 100.0, 1e3, 1e4, 1e6) for sign in (1.0, -1.0)]
LABELS = [1e-15, 1e-12, 1e-9, 1e-6, 1 - 1e-6, 1 - 1e-9, 1 - 1e-12, 1 - 1e-15]


def softplus(x: Decimal) -> Decimal:
    """ln(1 + e^x), exponentiating only numbers <= 0."""
    return (x if x > 0 else Decimal(0)) + (1 + (-abs(x)).exp()).ln()


def sigmoid(x: Decimal) -> Decimal:
    return 1 / (1 + (-x).exp())


def exact_bce(z: float, y: float, w: float) -> tuple[Decimal, Decimal]:
    """Return -[w·y·log σ(z) + (1 - y)·log(1 - σ(z))] and its derivative in z."""
    with localcontext(EXACT):
        zd, yd, wd = Decimal(z), Decimal(y), Decimal(w)
        loss = wd * yd * softplus(-zd) + (1 - yd) * softplus(zd)
        grad = (1 - yd) * sigmoid(zd) - wd * yd * sigmoid(-zd)
        return +loss, +grad


def exact_focal(z: float, y: float, alpha: float | None, gamma: float) -> tuple[Decimal, Decimal]:
    """Return α_t·(1 - p_t)^γ·CE and its derivative in z, 1 - p_t = y·σ(-z) + (1 - y)·σ(z)."""
    with localcontext(EXACT):
        zd, yd, g = Decimal(z), Decimal(y), Decimal(gamma)
        s, s_minus = sigmoid(zd), sigmoid(-zd)
        ce = yd * softplus(-zd) + (1 - yd) * softplus(zd)
        d_ce = s - yd
        wrong = yd * s_minus + (1 - yd) * s
        d_wrong = (1 - 2 * yd) * s * s_minus
        factor = (g * wrong.ln()).exp()
        d_factor = g * factor / wrong * d_wrong
        a = Decimal(1) if alpha is None else Decimal(alpha) * yd + (1 - Decimal(alpha)) * (1 - yd)
        return +(a * factor * ce), +(a * (d_factor * ce + factor * d_ce))


def relative_error(ours: float, exact: Decimal) -> float:
    with localcontext(EXACT):
        return float(abs((Decimal(ours) - exact) / exact))


@pytest.mark.parametrize("pos_weight", [None, 0.5, 100.0])
def test_bce_with_logits_is_accurate_at_large_logits_and_soft_labels(
    pos_weight: float | None,
) -> None:
    for z in LOGITS:
        for y in LABELS:
            leaf = Value(z)
            loss = L.binary_cross_entropy_with_logits(leaf, y, pos_weight=pos_weight)
            loss.backward()
            value, grad = exact_bce(z, y, 1.0 if pos_weight is None else pos_weight)
            assert relative_error(loss.data, value) < REL, (z, y, loss.data, value)
            assert relative_error(leaf.grad, grad) < REL, (z, y, leaf.grad, grad)


def test_the_example_that_was_1_percent_off() -> None:
    value, _ = exact_bce(1e4, 1 - 1e-12, 100.0)
    loss = L.binary_cross_entropy_with_logits(1e4, 1 - 1e-12, pos_weight=100.0)
    assert relative_error(loss.data, value) < 1e-15


@pytest.mark.parametrize("alpha", [None, 0.25])
@pytest.mark.parametrize("gamma", [0.5, 2.0, 5.0])
def test_focal_loss_is_accurate_at_large_logits_and_soft_labels(alpha: float | None, gamma: float) -> None:
    for z in LOGITS:
        for y in LABELS:
            leaf = Value(z)
            loss = L.focal_loss(leaf, y, alpha=alpha, gamma=gamma)
            loss.backward()
            value, grad = exact_focal(z, y, alpha, gamma)
            assert relative_error(loss.data, value) < REL, (z, y, loss.data, value)
            assert relative_error(leaf.grad, grad) < REL, (z, y, leaf.grad, grad)


@pytest.mark.parametrize(("z", "y"), [(1e4, 1e-20), (1e3, 1e-17), (40.0, 1e-30)])
def test_focal_loss_where_one_minus_p_t_rounds_to_1(z: float, y: float) -> None:
    # 1 - p_t = 1 - 1e-20 is 1.0 in floating point, but (1 - p_t)^γ = e^(-0.01) for γ = 1e18.
    leaf = Value(z)
    loss = L.focal_loss(leaf, y, alpha=None, gamma=1e18)
    loss.backward()
    value, grad = exact_focal(z, y, None, 1e18)
    assert relative_error(loss.data, value) < REL, (loss.data, value)
    assert relative_error(leaf.grad, grad) < 1e-12, (leaf.grad, grad)
