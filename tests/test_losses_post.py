"""Every number the post prints for its loss functions, reproduced through `losses` and backprop.

The post's printed lines are kept as strings and compared with what the library prints, so a
reader can put the two side by side. Gradients are never computed by formula here: they are read
off Value leaves after `backward()`.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

from engine import Value
from losses import (
    bce_through_sigmoid,
    binary_cross_entropy,
    categorical_cross_entropy,
    cross_entropy,
    entropy,
    grad_wrt_logit,
    kl_divergence,
    log_softmax,
    logit,
    mse_loss,
    mse_through_sigmoid,
    nll_loss,
    sigmoid,
    softmax,
    softmax_cross_entropy,
    stable_categorical_ce,
    surprise,
)

POST_LOGITS = [2.0, 1.0, 0.5, -1.0, 0.1]


# ------------------------------------------------ Starting Simple: Mean Squared Error


def test_mse_house_prices() -> None:
    predictions = np.array([2.5, 0.0, 2.1, 7.8])
    targets = np.array([3.0, -0.5, 2.0, 7.5])
    assert f"MSE: {mse_loss(predictions, targets):.4f}" == "MSE: 0.1500"


def test_mse_gradient_by_backprop() -> None:
    predictions = [Value(x) for x in [2.5, 0.0, 2.1, 7.8]]
    mse_loss(predictions, [3.0, -0.5, 2.0, 7.5]).backward()
    assert f"Gradient: {predictions[0].grad:.4f}" == "Gradient: -0.2500"
    # (2/n)(ŷ - y) for every prediction, as the post derives it
    assert [round(p.grad, 12) for p in predictions] == [-0.25, 0.25, 0.05, 0.15]


# ------------------------------------------------ When Squared Error Meets Classification


def test_sigmoid_prediction() -> None:
    assert f"Prediction: {sigmoid(-4.5):.6f}" == "Prediction: 0.010987"


def test_mse_on_the_probability_and_its_gradient() -> None:
    p = sigmoid(-4.5)
    assert f"MSE loss: {mse_loss(p, 1):.6f}" == "MSE loss: 0.978147"
    grad = grad_wrt_logit(mse_through_sigmoid, -4.5, 1)
    assert f"Prediction: {p:.4f} | Target: 1 | MSE gradient: {grad:.6f}" == (
        "Prediction: 0.0110 | Target: 1 | MSE gradient: -0.021494"
    )


# The post's table of MSE's gradient through the sigmoid. Its rows lost their column separators in
# the text ("0.0110.0099" is p = 0.01 | y = 1 | 0.0099): the first row is at p = 0.01, not 0.011 as
# a reader might take it, and its numbers are those of p = 0.01 (at p = 0.011 the gradient is
# -0.0215).
VANISHING_ROWS = [
    # p, "σ′(z) = p(1−p)", "MSE gradient"
    (0.01, "0.0099", "−0.0196"),
    (0.10, "0.0900", "−0.1620"),
    (0.50, "0.2500", "−0.2500"),
    (0.90, "0.0900", "−0.0180"),
    (0.99, "0.0099", "−0.0002"),
]


def _post_minus(x: float, spec: str) -> str:
    """Return x formatted as the post's table prints it, with a typographic minus sign."""
    return format(x, spec).replace("-", "−")


@pytest.mark.parametrize(("p", "sigmoid_slope", "mse_grad"), VANISHING_ROWS)
def test_vanishing_gradient_table(p: float, sigmoid_slope: str, mse_grad: str) -> None:
    z = logit(p).data
    slope = grad_wrt_logit(lambda z, y: sigmoid(z), z, 1)  # ∂p/∂z by backprop
    assert _post_minus(slope, ".4f") == sigmoid_slope
    assert _post_minus(grad_wrt_logit(mse_through_sigmoid, z, 1), ".4f") == mse_grad


def test_vanishing_first_row_is_at_p_0_01_not_0_011() -> None:
    at_0_011 = grad_wrt_logit(mse_through_sigmoid, logit(0.011).data, 1)
    assert _post_minus(at_0_011, ".4f") != VANISHING_ROWS[0][2]  # the row's −0.0196 is not p = 0.011's
    assert f"{at_0_011:.4f}" == "-0.0215"


def test_p_0_01_is_about_12_times_weaker_than_p_0_5() -> None:
    weak = grad_wrt_logit(mse_through_sigmoid, logit(0.01).data, 1)
    strong = grad_wrt_logit(mse_through_sigmoid, 0.0, 1)
    assert 12 <= strong / weak < 13  # "12× weaker" (12.8)


# ------------------------------------------------ Cross-Entropy: The Logarithmic Fix

MINUS_LOG_TABLE = [
    (0.99, "  p=0.99 → loss = 0.0101"),
    (0.90, "  p=0.90 → loss = 0.1054"),
    (0.50, "  p=0.50 → loss = 0.6931"),
    (0.10, "  p=0.10 → loss = 2.3026"),
    (0.01, "  p=0.01 → loss = 4.6052"),
]


@pytest.mark.parametrize(("p", "line"), MINUS_LOG_TABLE)
def test_minus_log_table(p: float, line: str) -> None:
    assert f"  p={p:.2f} → loss = {binary_cross_entropy(p, 1):.4f}" == line
    assert f"  p={p:.2f} → loss = {surprise(p):.4f}" == line


def test_bce_at_the_rounded_prediction() -> None:
    assert f"BCE loss: {binary_cross_entropy(0.011, 1):.4f}" == "BCE loss: 4.5099"
    # at the unrounded sigmoid(-4.5) = 0.010987 the loss is a little higher
    assert f"{binary_cross_entropy(sigmoid(-4.5), 1):.4f}" == "4.5110"


def test_bce_gradient_versus_mse_gradient() -> None:
    z = logit(0.011).data  # the post's p = 0.011
    assert f"BCE gradient: {grad_wrt_logit(bce_through_sigmoid, z, 1):.4f}" == "BCE gradient: -0.9890"
    assert f"MSE gradient: {grad_wrt_logit(mse_through_sigmoid, z, 1):.4f}" == "MSE gradient: -0.0215"
    # the same four digits at the unrounded logit -4.5
    assert f"{grad_wrt_logit(bce_through_sigmoid, -4.5, 1):.4f}" == "-0.9890"
    assert f"{grad_wrt_logit(mse_through_sigmoid, -4.5, 1):.4f}" == "-0.0215"


# ---------------------------------------------------------------- The Information Theory Connection


def test_surprise_in_nats() -> None:
    assert f"Sun rises (p=0.999):  surprise = {surprise(0.999):.4f} nats" == (
        "Sun rises (p=0.999):  surprise = 0.0010 nats"
    )
    assert f"Snow in Miami (p=0.001): surprise = {surprise(0.001):.4f} nats" == (
        "Snow in Miami (p=0.001): surprise = 6.9078 nats"
    )


@pytest.mark.parametrize(
    ("dist", "printed"), [([0.5, 0.5], "0.6931"), ([0.99, 0.01], "0.0560"), ([1.0, 0.0], "0.0000")]
)
def test_entropies(dist: list[float], printed: str) -> None:
    assert f"{entropy(dist):.4f}" == printed  # the sure thing prints 0.0000, not -0.0000


def test_cross_entropies_and_kl() -> None:
    P, Q_good, Q_bad = [0.9, 0.1], [0.8, 0.2], [0.5, 0.5]
    assert f"Entropy of reality H(P):     {entropy(P):.4f} nats" == "Entropy of reality H(P):     0.3251 nats"
    assert f"Cross-entropy H(P, Q_good):  {cross_entropy(P, Q_good):.4f} nats" == (
        "Cross-entropy H(P, Q_good):  0.3618 nats"
    )
    assert f"Cross-entropy H(P, Q_bad):   {cross_entropy(P, Q_bad):.4f} nats" == (
        "Cross-entropy H(P, Q_bad):   0.6931 nats"
    )
    assert f"KL(P || Q_good): {kl_divergence(P, Q_good):.4f} nats" == "KL(P || Q_good): 0.0367 nats"
    assert f"KL(P || Q_bad):  {kl_divergence(P, Q_bad):.4f} nats" == "KL(P || Q_bad):  0.3681 nats"


# ---------------------------------------------------------------- Categorical Cross-Entropy


def test_softmax_probabilities_and_loss() -> None:
    logits = np.array(POST_LOGITS)
    y_true = np.array([0, 0, 1, 0, 0])
    probs = softmax(logits)
    loss = categorical_cross_entropy(y_true, probs)
    # numpy prints np.round(probs, 4) as [0.5585 0.2055 0.1246 0.0278 0.0835]
    assert f"Probabilities: [{' '.join(f'{p:.4f}' for p in probs)}]" == (
        "Probabilities: [0.5585 0.2055 0.1246 0.0278 0.0835]"
    )
    assert f"P(correct class): {probs[2]:.4f}" == "P(correct class): 0.1246"
    assert f"Loss: {loss:.4f}" == "Loss: 2.0824"


POST_GRADIENT_LINES = [
    "  class 0: ŷ=0.5585, y=0, grad=+0.5585",
    "  class 1: ŷ=0.2055, y=0, grad=+0.2055",
    "  class 2: ŷ=0.1246, y=1, grad=-0.8754 ← true class",
    "  class 3: ŷ=0.0278, y=0, grad=+0.0278",
    "  class 4: ŷ=0.0835, y=0, grad=+0.0835",
]


@pytest.mark.parametrize(
    "loss_of",
    [
        lambda z: categorical_cross_entropy([0, 0, 1, 0, 0], softmax(z)),
        lambda z: stable_categorical_ce(z, class_index=2),
        lambda z: softmax_cross_entropy(z, 2),
        lambda z: softmax_cross_entropy(z, [0.0, 0.0, 1.0, 0.0, 0.0]),
        lambda z: nll_loss(log_softmax(z), 2),
    ],
    ids=[
        "categorical_cross_entropy",
        "stable_categorical_ce",
        "softmax_cross_entropy",
        "probability_target",
        "nll",
    ],
)
def test_per_class_gradients(loss_of: Callable[[list[Value]], Value]) -> None:
    z = [Value(v) for v in POST_LOGITS]
    y_true = [0, 0, 1, 0, 0]
    loss = loss_of(z)
    assert f"{loss:.4f}" == "2.0824"
    loss.backward()
    probs = softmax(POST_LOGITS)
    lines = []
    for k in range(5):
        marker = " ← true class" if y_true[k] == 1 else ""
        lines.append(f"  class {k}: ŷ={probs[k]:.4f}, y={y_true[k]}, grad={z[k].grad:+.4f}{marker}")
    assert lines == POST_GRADIENT_LINES


def test_stable_loss() -> None:
    assert f"Stable loss: {stable_categorical_ce(np.array(POST_LOGITS), class_index=2):.4f}" == "Stable loss: 2.0824"


# ---------------------------------------------------------------- The Gradient Showdown

SHOWDOWN = """\
     p |   MSE grad |   BCE grad |    Ratio
--------------------------------------------
  0.01 |  -0.019602 |    -0.9900 |    50.5x
  0.05 |  -0.090250 |    -0.9500 |    10.5x
  0.20 |  -0.256000 |    -0.8000 |     3.1x
  0.50 |  -0.250000 |    -0.5000 |     2.0x
  0.80 |  -0.064000 |    -0.2000 |     3.1x
  0.95 |  -0.004750 |    -0.0500 |    10.5x
  0.99 |  -0.000198 |    -0.0100 |    50.5x"""


def test_gradient_showdown_table() -> None:
    lines = [f"{'p':>6} | {'MSE grad':>10} | {'BCE grad':>10} | {'Ratio':>8}", "-" * 44]
    for p in [0.01, 0.05, 0.20, 0.50, 0.80, 0.95, 0.99]:
        z = logit(p).data
        g_mse = grad_wrt_logit(mse_through_sigmoid, z, 1)
        g_bce = grad_wrt_logit(bce_through_sigmoid, z, 1)
        ratio = abs(g_bce / g_mse)
        lines.append(f"{p:6.2f} | {g_mse:+10.6f} | {g_bce:+10.4f} | {ratio:7.1f}x")
    assert "\n".join(lines) == SHOWDOWN
