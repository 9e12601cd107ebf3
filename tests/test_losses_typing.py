"""The losses' annotations say what each call returns, checked by running mypy on typical calls.

One snippet, one mypy run: every line must type-check except those marked ``# error``, and those
must not. An annotated assignment fails unless the call's type is exactly that kind of thing:
``Value | list[Value]`` is assignable to neither ``Value`` nor ``list[Value]``, so a line such as
``x: Value = mse_loss(...)`` passes only because the overloads pick ``Value`` for that call.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

SNIPPET = """\
import functools
from collections.abc import Sequence

import numpy as np

from engine import Value
from losses import (
    InputKind,
    Reduction,
    bce_on_logit,
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    categorical_cross_entropy,
    cross_entropy,
    entropy,
    focal_loss,
    grad_wrt_logit,
    grad_wrt_logits,
    hinge_loss,
    huber_loss,
    input_kind,
    kl_divergence,
    l1_loss,
    log_softmax,
    logit,
    mse_loss,
    mse_through_sigmoid,
    nll_loss,
    sigmoid,
    smooth_l1_loss,
    softmax,
    softmax_cross_entropy,
    stable_categorical_ce,
    surprise,
    takes,
)

z = Value(-4.5)
zs = [Value(1.0), Value(-2.0)]
rows = [[1.0, 2.0, 0.5], [0.0, 1.0, 3.0]]

# a single example: a Value whatever the reduction
a1: Value = mse_loss(sigmoid(z), 1)
a2: Value = mse_loss(2.5, 3.0, reduction="none")
a3: Value = binary_cross_entropy(sigmoid(z), 1, reduction="none")
a4: Value = binary_cross_entropy_with_logits(z, 1.0, pos_weight=2.0)
a5: Value = focal_loss(z, 1.0, gamma=0.5, reduction="sum")
a6: Value = hinge_loss(z, -1)
a7: Value = softmax_cross_entropy([2.0, 1.0, 0.1], 0, reduction="none")
a8: Value = stable_categorical_ce([2.0, 1.0], class_index=1)
a9: Value = nll_loss(log_softmax([2.0, 1.0]), 0, reduction="none")
a10: Value = entropy([0.5, 0.5], base=2, reduction="none")
a11: Value = cross_entropy([0.9, 0.1], [0.8, 0.2])
a12: Value = kl_divergence([0.9, 0.1], softmax(zs))
a13: Value = categorical_cross_entropy([0, 1], softmax(zs), reduction="none")
a14: Value = sigmoid(-4.5) + logit(0.25) + surprise(0.5, base=2)
a15: Value = huber_loss(0.5, 0.0, delta=2.0) + smooth_l1_loss(0.5, 0.0, beta=0.0) + l1_loss(1, 0)
a16: Value = categorical_cross_entropy(np.array([0, 1]), softmax(zs))  # the post's call
a17: Value = cross_entropy(np.array([0.9, 0.1]), [0.8, 0.2])

# a batch: a Value for "mean" and "sum", a list for "none"
b1: Value = mse_loss([2.5, 0.0], [3.0, -0.5])
b2: Value = mse_loss(np.array([2.5, 0.0]), np.array([3.0, -0.5]), reduction="sum")
b3: list[Value] = mse_loss(zs, [1.0, 2.0], reduction="none")
b4: list[Value] = mse_loss(np.array([2.5, 0.0]), [3.0, -0.5], reduction="none")
b5: list[Value] = huber_loss(zs, [0.0, 0.0], delta=0.5, reduction="none")
b6: list[Value] = binary_cross_entropy([0.2, 0.9], [1, 0], eps=1e-7, reduction="none")
b7: list[Value] = focal_loss(zs, [1, 0], alpha=None, reduction="none")
b8: Value = softmax_cross_entropy(rows, [0, 2], label_smoothing=0.1, weight=[1.0, 2.0, 1.0])
b9: list[Value] = softmax_cross_entropy(np.array(rows), [0, 2], reduction="none")
b10: list[Value] = nll_loss(rows, [0, 1], reduction="none", ignore_index=1)
b11: list[Value] = entropy([[0.5, 0.5], [1.0, 0.0]], reduction="none")
b12: list[Value] = kl_divergence([[0.5, 0.5]], [[0.9, 0.1]], reduction="none")
b13: list[Value] = sigmoid(zs) + logit([0.1, 0.9]) + surprise(np.array([0.5]))
b14: list[Value] = softmax(zs) + log_softmax(np.array([1.0, 2.0]))


# a reduction chosen at run time gives either
def per_reduction(reduction: Reduction) -> Value | list[Value]:
    return mse_loss(zs, [1.0, 2.0], reduction=reduction)


# the gradient helpers take the losses that take logits, and any function of the logit
c1: float = grad_wrt_logit(mse_through_sigmoid, -4.5, 1)
c2: float = grad_wrt_logit(binary_cross_entropy_with_logits, -4.5, 1)
c3: float = grad_wrt_logit(lambda v, y: (v.sigmoid() - y) ** 2, -4.5, 1)
c4: list[float] = grad_wrt_logits(softmax_cross_entropy, [2.0, 1.0], 0)


# a declaration keeps the function's type, and reads back as an InputKind
@takes("logits")
def margin(v: Value, y: float) -> Value:
    return (1 - v * y).relu()


d1: Value = margin(z, 1.0)
d2: InputKind | None = input_kind(functools.partial(focal_loss, gamma=0.0))
d3: float = grad_wrt_logit(margin, 0.5, 1)

# what must not type-check
e1: Value = mse_loss([1.0], [2.0], reduction="none")  # error
e2: list[Value] = mse_loss([1.0], [2.0])  # error
e3: list[Value] = mse_loss(1.0, 2.0, reduction="none")  # error
e4 = mse_loss([1.0], [2.0], reduction="avg")  # error
text_reduction: str = "mean"
e5 = mse_loss([1.0], [2.0], reduction=text_reduction)  # error
e6 = huber_loss([1.0], [2.0], 0.5)  # error
e7 = huber_loss(pred=[1.0], target=[2.0])  # error
e8: Value = sigmoid([1.0, 2.0])  # error
e9: Value = softmax_cross_entropy(rows, [0, 1], reduction="none")  # error
e10: Value = softmax([1.0, 2.0])  # error
e11: Sequence[Value] = entropy([[0.5, 0.5]])  # error
e12 = takes("scores")  # error
"""


def test_the_overloads_give_each_call_its_type(tmp_path: Path) -> None:
    snippet = tmp_path / "typing_losses.py"
    snippet.write_text(SNIPPET, encoding="utf-8")
    expected_errors = {number for number, line in enumerate(SNIPPET.splitlines(), 1) if line.endswith("# error")}
    command = [
        sys.executable, "-m", "mypy", "--strict", "--follow-imports=silent", "--no-incremental",
        "--cache-dir", str(tmp_path / "cache"), "--python-version", "3.10", str(snippet),
    ]  # fmt: skip
    environment = {**os.environ, "MYPYPATH": str(ROOT)}
    try:
        run = subprocess.run(command, cwd=ROOT, env=environment, capture_output=True, text=True, timeout=120)
    except FileNotFoundError:
        pytest.fail(f"cannot run {sys.executable} -m mypy")
    output = run.stdout + run.stderr
    assert "No module named mypy" not in output, output
    errors = {int(match.group(1)) for match in re.finditer(rf"^{re.escape(str(snippet))}:(\d+): error:", output, re.M)}
    assert errors == expected_errors, output
