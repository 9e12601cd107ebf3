"""Bad input raises ValueError or TypeError with a message naming the function, argument and value.

One table, one test: each row is a call that must fail, the exception type, and the pieces its
message must contain.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable

import numpy as np
import pytest

import losses as L
from engine import Value

NAN = float("nan")
INF = float("inf")


def _diverged() -> Value:
    """Return a Value whose number became infinite after it was made (as a diverging step can)."""
    v = Value(1.0)
    v.data = INF
    return v


# (id, call, exception type, substrings of the message: function, argument, offending value)
BAD_CALLS: list[tuple[str, Callable[[], object], type[Exception], list[str]]] = [
    # mismatched lengths and empty sequences
    (
        "mse lengths",
        lambda: L.mse_loss([1.0, 2.0], [1.0]),
        ValueError,
        ["mse_loss:", "predictions and targets", "2 values and 1 value"],
    ),
    (
        "mse scalar vs vector",
        lambda: L.mse_loss(1.0, [1.0, 2.0]),
        ValueError,
        ["mse_loss:", "a single value and 2 values"],
    ),
    ("l1 empty", lambda: L.l1_loss([], []), ValueError, ["l1_loss:", "predictions", "empty"]),
    (
        "bce lengths",
        lambda: L.binary_cross_entropy([0.5], [1, 0]),
        ValueError,
        ["binary_cross_entropy:", "p and y"],
    ),
    (
        "kl shapes",
        lambda: L.kl_divergence([0.5, 0.5], [0.5, 0.5, 0.0]),
        ValueError,
        ["kl_divergence:", "p_true and q_predicted", "vector of 3"],
    ),
    (
        "ce batch vs vector",
        lambda: L.cross_entropy([[0.5, 0.5]], [0.5, 0.5]),
        ValueError,
        ["cross_entropy:", "same shape"],
    ),
    ("softmax empty", lambda: L.softmax([]), ValueError, ["softmax:", "logits", "empty"]),
    (
        "ragged batch",
        lambda: L.softmax_cross_entropy([[1.0, 2.0, 3.0], [1.0, 2.0]], [0, 1]),
        ValueError,
        ["softmax_cross_entropy:", "logits", "3 and 2"],
    ),
    (
        "targets per example",
        lambda: L.nll_loss([[-1.0, -2.0], [-1.0, -2.0]], [0]),
        ValueError,
        ["nll_loss:", "targets", "one class index per example (2), got 1"],
    ),
    (
        "pos_weight length",
        lambda: L.binary_cross_entropy_with_logits([1.0, 2.0], [1, 0], pos_weight=[1, 2, 3]),
        ValueError,
        ["binary_cross_entropy_with_logits:", "pos_weight", "3"],
    ),
    (
        "pos_weight list for one example",
        lambda: L.binary_cross_entropy_with_logits(1.0, 1.0, pos_weight=[2.0]),
        ValueError,
        [
            "binary_cross_entropy_with_logits:",
            "pos_weight",
            "one number for a single example",
            "sequence of 1",
        ],
    ),
    (
        "probability target shape",
        lambda: L.softmax_cross_entropy([1.0, 2.0, 3.0], [0.5, 0.5]),
        ValueError,
        ["softmax_cross_entropy:", "targets", "of 2"],
    ),
    # probabilities outside [0, 1]
    (
        "bce p > 1",
        lambda: L.binary_cross_entropy(1.5, 1),
        ValueError,
        ["binary_cross_entropy:", "p must be in [0, 1]", "1.5"],
    ),
    (
        "bce p[1] < 0",
        lambda: L.binary_cross_entropy([0.5, -0.1], [1, 0]),
        ValueError,
        ["binary_cross_entropy:", "p[1]", "-0.1"],
    ),
    (
        "bce y",
        lambda: L.binary_cross_entropy(0.5, 2),
        ValueError,
        ["binary_cross_entropy:", "y must be in [0, 1]", "2.0"],
    ),
    (
        "bce Value p",
        lambda: L.binary_cross_entropy(Value(1.25), 1),
        ValueError,
        ["binary_cross_entropy:", "p", "1.25"],
    ),
    (
        "bce-logits targets",
        lambda: L.binary_cross_entropy_with_logits([0.0, 1.0], [1.0, 1.5]),
        ValueError,
        ["binary_cross_entropy_with_logits:", "targets[1]", "1.5"],
    ),
    (
        "focal targets",
        lambda: L.focal_loss(0.0, -1.0),
        ValueError,
        ["focal_loss:", "targets", "-1.0"],
    ),
    (
        "surprise of 0",
        lambda: L.surprise(0.0),
        ValueError,
        ["surprise:", "p must be in (0, 1]", "0.0"],
    ),
    ("logit of 1", lambda: L.logit(1.0), ValueError, ["logit:", "p must be in (0, 1)", "1.0"]),
    # class index out of range, or not an int
    (
        "index too big",
        lambda: L.softmax_cross_entropy([1.0, 2.0, 3.0], 3),
        ValueError,
        ["softmax_cross_entropy:", "targets", "[0, 3)", "3"],
    ),
    (
        "index negative",
        lambda: L.stable_categorical_ce([1.0, 2.0], -1),
        ValueError,
        ["stable_categorical_ce:", "class_index", "-1"],
    ),
    (
        "index in batch",
        lambda: L.nll_loss([[-1.0, -2.0], [-1.0, -2.0]], [0, 2]),
        ValueError,
        ["nll_loss:", "targets[1]", "2"],
    ),
    (
        "float index",
        lambda: L.softmax_cross_entropy([1.0, 2.0, 3.0], 2.0),
        TypeError,
        ["softmax_cross_entropy:", "targets", "int", "2.0"],
    ),
    (
        "bool index",
        lambda: L.nll_loss([-1.0, -2.0], True),
        TypeError,
        ["nll_loss:", "targets", "True"],
    ),
    # class weights and ignore_index
    (
        "weight length",
        lambda: L.softmax_cross_entropy([1.0, 2.0, 3.0], 0, weight=[1.0, 2.0]),
        ValueError,
        ["softmax_cross_entropy:", "weight", "one weight per class (3)", "got 2"],
    ),
    (
        "weight negative",
        lambda: L.nll_loss([-1.0, -2.0], 0, weight=[1.0, -0.5]),
        ValueError,
        ["nll_loss:", "weight[1]", ">= 0", "-0.5"],
    ),
    (
        "weight nan",
        lambda: L.nll_loss([-1.0, -2.0], 0, weight=[NAN, 1.0]),
        ValueError,
        ["nll_loss:", "weight[0]", "NaN"],
    ),
    (
        "weight a number",
        lambda: L.softmax_cross_entropy([1.0, 2.0], 0, weight=2.0),
        TypeError,
        ["softmax_cross_entropy:", "weight", "sequence of 2", "2.0"],
    ),
    (
        "weight a Value",
        lambda: L.softmax_cross_entropy([1.0, 2.0], 0, weight=[Value(1.0), 1.0]),
        TypeError,
        ["softmax_cross_entropy:", "weight[0]", "Value"],
    ),
    (
        "ignore_index float",
        lambda: L.nll_loss([-1.0, -2.0], 0, ignore_index=1.0),
        TypeError,
        ["nll_loss:", "ignore_index", "int", "1.0"],
    ),
    (
        "ignore_index with probabilities",
        lambda: L.softmax_cross_entropy([1.0, 2.0], [0.5, 0.5], ignore_index=0),
        ValueError,
        ["softmax_cross_entropy:", "ignore_index", "class-index targets only"],
    ),
    (
        "index out of range, another ignored",
        lambda: L.nll_loss([[-1.0, -2.0], [-1.0, -2.0]], [-100, 2], ignore_index=-100),
        ValueError,
        ["nll_loss:", "targets[1]", "[0, 2)", "2"],
    ),
    (
        "mean of all ignored",
        lambda: L.softmax_cross_entropy([[1.0, 2.0], [3.0, 4.0]], [-1, -1], ignore_index=-1),
        ValueError,
        ["softmax_cross_entropy:", "mean is undefined", "every target is ignore_index (-1)"],
    ),
    (
        "mean of zero weights",
        lambda: L.nll_loss([[-1.0, -2.0], [-1.0, -2.0]], [1, 1], weight=[1.0, 0.0]),
        ValueError,
        ["nll_loss:", "mean is undefined", "weights", "sum to 0"],
    ),
    # distributions that do not sum to 1
    (
        "entropy sum",
        lambda: L.entropy([0.5, 0.4]),
        ValueError,
        ["entropy:", "p_dist", "sum to 1", "0.9"],
    ),
    ("entropy entry", lambda: L.entropy([1.5, -0.5]), ValueError, ["entropy:", "p_dist[0]", "1.5"]),
    (
        "entropy batch row",
        lambda: L.entropy([[0.5, 0.5], [0.5, 0.6]]),
        ValueError,
        ["entropy:", "p_dist[1]", "1.1"],
    ),
    (
        "cross-entropy q",
        lambda: L.cross_entropy([0.5, 0.5], [0.9, 0.2]),
        ValueError,
        ["cross_entropy:", "q_predicted", "1.1"],
    ),
    (
        "kl p",
        lambda: L.kl_divergence([0.5, 0.6], [0.5, 0.5]),
        ValueError,
        ["kl_divergence:", "p_true", "1.1"],
    ),
    (
        "categorical y_pred",
        lambda: L.categorical_cross_entropy([0, 1], [0.3, 0.6]),
        ValueError,
        ["categorical_cross_entropy:", "y_pred", "0.89"],
    ),
    (
        "probability target sum",
        lambda: L.softmax_cross_entropy([1.0, 2.0], [0.5, 0.6]),
        ValueError,
        ["softmax_cross_entropy:", "targets", "1.1"],
    ),
    # hinge labels
    (
        "hinge label 0",
        lambda: L.hinge_loss([1.0, 2.0], [1, 0]),
        ValueError,
        ["hinge_loss:", "targets[1]", "-1 or 1", "0.0"],
    ),
    # unknown reduction
    (
        "reduction avg",
        lambda: L.mse_loss([1.0], [1.0], reduction="avg"),
        ValueError,
        ["mse_loss:", "reduction", "'avg'"],
    ),
    (
        "reduction batchmean",
        lambda: L.kl_divergence([0.5, 0.5], [0.5, 0.5], reduction="batchmean"),
        ValueError,
        ["kl_divergence:", "reduction", "'batchmean'"],
    ),
    (
        "reduction None",
        lambda: L.softmax_cross_entropy([1.0, 2.0], 0, reduction=None),
        ValueError,
        ["softmax_cross_entropy:", "reduction", "None"],
    ),
    # NaN and infinity anywhere
    (
        "nan prediction",
        lambda: L.mse_loss([1.0, NAN], [1.0, 2.0]),
        ValueError,
        ["mse_loss:", "predictions[1]", "NaN"],
    ),
    (
        "nan target",
        lambda: L.mse_loss([1.0, 2.0], [NAN, 2.0]),
        ValueError,
        ["mse_loss:", "targets[0]", "NaN"],
    ),
    (
        "inf prediction",
        lambda: L.huber_loss([1.0, INF], [1.0, 2.0]),
        ValueError,
        ["huber_loss:", "predictions[1]", "finite", "inf"],
    ),
    (
        "Value made infinite",
        lambda: L.l1_loss(_diverged(), 1.0),
        ValueError,
        ["l1_loss:", "predictions", "finite", "inf"],
    ),
    (
        "nan in array",
        lambda: L.binary_cross_entropy_with_logits(np.array([1.0, np.nan]), [1, 0]),
        ValueError,
        ["binary_cross_entropy_with_logits:", "logits[1]", "NaN"],
    ),
    ("nan logit", lambda: L.softmax([1.0, NAN]), ValueError, ["softmax:", "logits[1]", "NaN"]),
    (
        "nan in batch",
        lambda: L.softmax_cross_entropy([[1.0, 2.0], [NAN, 0.0]], [0, 1]),
        ValueError,
        ["softmax_cross_entropy:", "logits[1][0]", "NaN"],
    ),
    (
        "nan distribution",
        lambda: L.entropy([NAN, 0.5]),
        ValueError,
        ["entropy:", "p_dist[0]", "NaN"],
    ),
    (
        "nan keyword",
        lambda: L.huber_loss(1.0, 2.0, delta=NAN),
        ValueError,
        ["huber_loss:", "delta", "NaN"],
    ),
    ("inf base", lambda: L.entropy([0.5, 0.5], base=INF), ValueError, ["entropy:", "base", "inf"]),
    (
        "nan label",
        lambda: L.grad_wrt_logit(L.bce_on_logit, 0.0, NAN),
        ValueError,
        ["grad_wrt_logit:", "y", "NaN"],
    ),
    # keyword arguments out of range
    (
        "huber delta 0",
        lambda: L.huber_loss(1.0, 2.0, delta=0),
        ValueError,
        ["huber_loss:", "delta", "0.0"],
    ),
    (
        "smooth beta < 0",
        lambda: L.smooth_l1_loss(1.0, 2.0, beta=-1),
        ValueError,
        ["smooth_l1_loss:", "beta", "-1.0"],
    ),
    (
        "bce eps",
        lambda: L.binary_cross_entropy(0.5, 1, eps=0.0),
        ValueError,
        ["binary_cross_entropy:", "eps", "0.0"],
    ),
    (
        "focal alpha",
        lambda: L.focal_loss(1.0, 1.0, alpha=2.0),
        ValueError,
        ["focal_loss:", "alpha", "2.0"],
    ),
    (
        "focal gamma",
        lambda: L.focal_loss(1.0, 1.0, gamma=-1.0),
        ValueError,
        ["focal_loss:", "gamma", "-1.0"],
    ),
    (
        "pos_weight < 0",
        lambda: L.binary_cross_entropy_with_logits(1.0, 1.0, pos_weight=-1.0),
        ValueError,
        ["binary_cross_entropy_with_logits:", "pos_weight", ">= 0", "-1.0"],
    ),
    (
        "smoothing",
        lambda: L.softmax_cross_entropy([1.0, 2.0], 1, label_smoothing=1.5),
        ValueError,
        ["softmax_cross_entropy:", "label_smoothing", "1.5"],
    ),
    ("base 1", lambda: L.entropy([0.5, 0.5], base=1), ValueError, ["entropy:", "base", "1.0"]),
    ("base -2", lambda: L.surprise(0.5, base=-2), ValueError, ["surprise:", "base", "-2.0"]),
    # wrong types
    (
        "string predictions",
        lambda: L.mse_loss("abc", [1.0]),
        TypeError,
        ["mse_loss:", "predictions", "'abc'"],
    ),
    (
        "string element",
        lambda: L.mse_loss([1.0, "a"], [1.0, 2.0]),
        TypeError,
        ["mse_loss:", "predictions[1]", "'a'"],
    ),
    ("None", lambda: L.sigmoid(None), TypeError, ["sigmoid:", "z", "None"]),
    (
        "nested list for a scalar loss",
        lambda: L.l1_loss([[1.0]], [[1.0]]),
        TypeError,
        ["l1_loss:", "predictions[0]", "list"],
    ),
    (
        "2-D array for a scalar loss",
        lambda: L.mse_loss(np.ones((2, 2)), np.ones((2, 2))),
        ValueError,
        ["mse_loss:", "predictions", "(2, 2)"],
    ),
    (
        "batch to softmax",
        lambda: L.softmax([[1.0, 2.0], [3.0, 4.0]]),
        ValueError,
        ["softmax:", "logits", "one vector", "batch of 2"],
    ),
    (
        "one index for a batch",
        lambda: L.nll_loss([[-1.0, -2.0]], 5),
        TypeError,
        ["nll_loss:", "targets", "sequence of class indices", "int: 5"],
    ),
    (
        "scalar logits",
        lambda: L.softmax_cross_entropy(1.0, 0),
        ValueError,
        ["softmax_cross_entropy:", "logits", "scalar"],
    ),
    (
        "batch with one target",
        lambda: L.softmax_cross_entropy([[1.0, 2.0, 3.0]], 1),
        TypeError,
        ["softmax_cross_entropy:", "targets", "1"],
    ),
    (
        "Value keyword",
        lambda: L.huber_loss(1.0, 2.0, delta=Value(1.0)),
        TypeError,
        ["huber_loss:", "delta", "Value"],
    ),
    ("complex", lambda: L.mse_loss(1j, 1.0), TypeError, ["mse_loss:", "predictions", "complex"]),
    (
        "loss_fn not callable",
        lambda: L.grad_wrt_logit(3, 1.0, 1.0),
        TypeError,
        ["grad_wrt_logit:", "loss_fn", "int"],
    ),
    (
        "loss_fn returns float",
        lambda: L.grad_wrt_logit(lambda z, y: 3.0, 1.0, 1.0),
        TypeError,
        ["grad_wrt_logit:", "loss_fn", "float"],
    ),
    (
        "grad_wrt_logits string",
        lambda: L.grad_wrt_logits(L.softmax_cross_entropy, "abc", 0),
        TypeError,
        ["grad_wrt_logits:", "logits", "str"],
    ),
    # a loss declared to take something other than logits, given to a gradient-wrt-logit helper
    (
        "mse_loss at a logit",
        lambda: L.grad_wrt_logit(L.mse_loss, -4.5, 1),
        ValueError,
        ["grad_wrt_logit:", "mse_loss takes predictions, not a logit", "mse_through_sigmoid"],
    ),
    (
        "bce at a logit",
        lambda: L.loss_and_grad_wrt_logit(L.binary_cross_entropy, 0.0, 1),
        ValueError,
        [
            "loss_and_grad_wrt_logit:",
            "binary_cross_entropy takes probabilities",
            "bce_through_sigmoid",
            "bce_on_logit",
        ],
    ),
    (
        "l1 at a logit",
        lambda: L.grad_wrt_logit(functools.partial(L.l1_loss, reduction="sum"), 0.0, 1),
        ValueError,
        ["grad_wrt_logit:", "l1_loss takes predictions", "function of the logit z"],
    ),
    (
        "nll at the logits",
        lambda: L.grad_wrt_logits(L.nll_loss, [1.0, 2.0], 0),
        ValueError,
        [
            "grad_wrt_logits:",
            "nll_loss takes log_probabilities, not logits",
            "softmax_cross_entropy",
        ],
    ),
    (
        "categorical at the logits",
        lambda: L.grad_wrt_logits(L.categorical_cross_entropy, [1.0, 2.0], [0.0, 1.0]),
        ValueError,
        [
            "grad_wrt_logits:",
            "categorical_cross_entropy takes probabilities",
            "softmax_cross_entropy",
        ],
    ),
    (
        "unknown input kind",
        lambda: L.takes("scores"),
        ValueError,
        ["takes:", "kind", "logits", "'scores'"],
    ),
]


@pytest.mark.parametrize(("call", "error", "pieces"), [row[1:] for row in BAD_CALLS], ids=[row[0] for row in BAD_CALLS])
def test_bad_input_is_named(call: Callable[[], object], error: type[Exception], pieces: list[str]) -> None:
    with pytest.raises(error) as caught:
        call()
    message = str(caught.value)
    for piece in pieces:
        assert piece in message, f"{piece!r} not in {message!r}"
    assert type(caught.value) is error  # not a subclass standing in, e.g. ZeroDivisionError for ValueError


def test_the_style_guide_example_message() -> None:
    with pytest.raises(ValueError, match=r"^binary_cross_entropy: p must be in \[0, 1\], got 1\.5$"):
        L.binary_cross_entropy(1.5, 1)


@pytest.mark.parametrize("z", [-1e4, -1000.0, -40.0, 0.0, 40.0, 1000.0, 1e4])
@pytest.mark.parametrize("y", [0.0, 1.0])
def test_no_loss_returns_nan_or_inf_at_extreme_logits(z: float, y: float) -> None:
    for name, loss_fn in L.BINARY_LOSSES_ON_LOGIT.items():
        value, grad = L.loss_and_grad_wrt_logit(loss_fn, z, y)
        assert math.isfinite(value) and math.isfinite(grad), (name, z, y, value, grad)
    for gamma in (0.0, 0.5, 2.0):
        value, grad = L.loss_and_grad_wrt_logit(lambda v, t, g=gamma: L.focal_loss(v, t, gamma=g), z, y)
        assert math.isfinite(value) and math.isfinite(grad), ("focal", gamma, z, y, value, grad)
    logits = [Value(z), Value(0.0), Value(-z)]
    loss = L.softmax_cross_entropy(logits, 0, label_smoothing=0.1)
    loss.backward()
    assert math.isfinite(loss.data) and all(math.isfinite(v.grad) for v in logits)


# ---------------------------------------------------------------- text, bytes and dicts

# A valid call of every loss: (positional arguments, keyword arguments, the positional names).
VALID_CALLS: dict[str, tuple[list[object], dict[str, object], list[str]]] = {
    "mse_loss": ([[1.0, 2.0], [1.5, 2.5]], {}, ["predictions", "targets"]),
    "l1_loss": ([[1.0, 2.0], [1.5, 2.5]], {}, ["predictions", "targets"]),
    "huber_loss": ([[1.0, 2.0], [1.5, 2.5]], {"delta": 1.0}, ["predictions", "targets"]),
    "smooth_l1_loss": ([[1.0, 2.0], [1.5, 2.5]], {"beta": 1.0}, ["predictions", "targets"]),
    "sigmoid": ([[0.5, -1.0]], {}, ["z"]),
    "logit": ([[0.25, 0.5]], {}, ["p"]),
    "binary_cross_entropy": ([[0.25, 0.5], [1.0, 0.0]], {"eps": 1e-7}, ["p", "y"]),
    "binary_cross_entropy_with_logits": (
        [[0.5, -1.0], [1.0, 0.0]],
        {"pos_weight": [1.0, 2.0]},
        ["logits", "targets"],
    ),
    "focal_loss": ([[0.5, -1.0], [1.0, 0.0]], {"alpha": 0.25, "gamma": 2.0}, ["logits", "targets"]),
    "hinge_loss": ([[0.5, -1.0], [1.0, -1.0]], {}, ["logits", "targets"]),
    "surprise": ([[0.25, 0.5]], {"base": 2.0}, ["p"]),
    "entropy": ([[[0.5, 0.5], [0.25, 0.75]]], {"base": 2.0}, ["p_dist"]),
    "cross_entropy": (
        [[[0.5, 0.5], [0.25, 0.75]], [[0.5, 0.5], [0.5, 0.5]]],
        {"base": 2.0, "eps": 1e-7},
        ["p_true", "q_predicted"],
    ),
    "kl_divergence": (
        [[[0.5, 0.5], [0.25, 0.75]], [[0.5, 0.5], [0.5, 0.5]]],
        {"base": 2.0, "eps": 1e-7},
        ["p_true", "q_predicted"],
    ),
    "categorical_cross_entropy": (
        [[[0.0, 1.0], [1.0, 0.0]], [[0.5, 0.5], [0.5, 0.5]]],
        {"eps": 1e-7},
        ["y_true", "y_pred"],
    ),
    "softmax": ([[1.0, 2.0]], {}, ["logits"]),
    "log_softmax": ([[1.0, 2.0]], {}, ["logits"]),
    "stable_categorical_ce": ([[[1.0, 2.0], [0.5, 0.0]], [0, 1]], {}, ["logits", "class_index"]),
    "softmax_cross_entropy": (
        [[[1.0, 2.0], [0.5, 0.0]], [0, 1]],
        {"label_smoothing": 0.1, "weight": [1.0, 2.0]},
        ["logits", "targets"],
    ),
    "nll_loss": (
        [[[-1.0, -2.0], [-0.5, -1.5]], [0, 1]],
        {"weight": [1.0, 2.0]},
        ["log_probs", "targets"],
    ),
}

NOT_NUMBERS: list[object] = [b"ab", bytearray(b"ab"), memoryview(b"ab"), "ab", {0: 0.5, 1: 0.5}]
NOT_NUMBER_IDS = ["bytes", "bytearray", "memoryview", "str", "dict"]


def test_every_loss_has_a_valid_call() -> None:
    differentiable = {name for name in L.__all__ if L.input_kind(getattr(L, name)) is not None}
    wrappers = {name for name in L.__all__ if getattr(L, name) in L.BINARY_LOSSES_ON_LOGIT.values()}
    assert differentiable - wrappers | {"sigmoid", "logit", "softmax", "log_softmax"} == set(VALID_CALLS)
    for name, (args, kwargs, _) in VALID_CALLS.items():
        getattr(L, name)(*args, **kwargs)


def _calls_with(bad: object) -> list[tuple[str, Callable[[], object], str]]:
    """Return (id, call, the argument its error must name) for bad in every argument slot."""
    calls = []
    for name, (args, kwargs, names) in VALID_CALLS.items():
        fn = getattr(L, name)
        for i, arg_name in enumerate(names):
            whole = [*args[:i], bad, *args[i + 1 :]]
            calls.append((f"{name} {arg_name}", functools.partial(fn, *whole, **kwargs), arg_name))
            first = args[i]
            if isinstance(first, list):  # bad as the first entry of the argument
                inner = [bad, *first[1:]]
                element = [*args[:i], inner, *args[i + 1 :]]
                calls.append(
                    (
                        f"{name} {arg_name}[0]",
                        functools.partial(fn, *element, **kwargs),
                        f"{arg_name}[0]",
                    )
                )
        for option in kwargs:
            changed = {**kwargs, option: bad}
            calls.append((f"{name} {option}", functools.partial(fn, *args, **changed), option))
    return calls


@pytest.mark.parametrize("bad", NOT_NUMBERS, ids=NOT_NUMBER_IDS)
def test_text_bytes_and_dicts_are_refused_naming_the_argument(bad: object) -> None:
    for case, call, argument in _calls_with(bad):
        with pytest.raises(TypeError) as caught:
            call()
        name = case.split()[0]
        assert str(caught.value).startswith(f"{name}: {argument}"), (case, str(caught.value))


@pytest.mark.parametrize("bad", NOT_NUMBERS, ids=NOT_NUMBER_IDS)
def test_the_gradient_helpers_refuse_them_too(bad: object) -> None:
    with pytest.raises(TypeError, match=r"^grad_wrt_logits: logits must be a sequence"):
        L.grad_wrt_logits(L.softmax_cross_entropy, bad, 0)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"^grad_wrt_logit: z "):
        L.grad_wrt_logit(L.bce_on_logit, bad, 1.0)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"^grad_wrt_logit: y "):
        L.grad_wrt_logit(L.bce_on_logit, 0.0, bad)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("weight", "pieces"),
    [
        (np.ones((2, 2)), ["weight must be a vector of 2 class weights", "shape (2, 2)"]),
        (np.ones((1, 2)), ["weight must be a vector of 2 class weights", "shape (1, 2)"]),
        ([[1.0, 2.0]], ["weight must be a vector of 2 class weights", "nested", "[1.0, 2.0]"]),
        ([[1.0], [2.0]], ["weight must be a vector of 2 class weights", "weight[0] is [1.0]"]),
        ([1.0, 2.0, 3.0], ["weight must have one weight per class (2), got 3"]),
        (np.ones(3), ["weight must have one weight per class (2), got 3"]),
        (2.0, ["weight must be a sequence of 2 class weights", "float"]),
    ],
    ids=[
        "2x2 array",
        "1x2 array",
        "nested row",
        "nested columns",
        "too long",
        "array of 3",
        "number",
    ],
)
def test_class_weights_of_the_wrong_shape_are_refused_by_name(weight: object, pieces: list[str]) -> None:
    for fn, call in [
        (
            "softmax_cross_entropy",
            lambda: L.softmax_cross_entropy([[1.0, 2.0]], [0], weight=weight),
        ),
        (
            "softmax_cross_entropy",
            lambda: L.softmax_cross_entropy([1.0, 2.0], [0.5, 0.5], weight=weight),
        ),
        ("nll_loss", lambda: L.nll_loss([-1.0, -2.0], 1, weight=weight)),
    ]:
        with pytest.raises((TypeError, ValueError)) as caught:
            call()
        message = str(caught.value)
        assert message.startswith(f"{fn}: weight"), message
        for piece in pieces:
            assert piece in message, (piece, message)


def test_clipping_margins_whose_reciprocal_or_complement_is_not_a_float_are_refused() -> None:
    with pytest.raises(ValueError, match=r"^binary_cross_entropy: eps must be in \[1\.11022e-16"):
        L.binary_cross_entropy(1.0, 1.0, eps=1e-17)  # 1 - eps would round to 1: log(0)
    assert L.binary_cross_entropy(1.0, 1.0, eps=2.0**-53).data < 1e-15
    for fn, call in [
        ("cross_entropy", lambda: L.cross_entropy([1.0, 0.0], [0.0, 1.0], eps=1e-310)),
        ("kl_divergence", lambda: L.kl_divergence([1.0, 0.0], [0.0, 1.0], eps=1e-310)),
        (
            "categorical_cross_entropy",
            lambda: L.categorical_cross_entropy([1.0, 0.0], [0.0, 1.0], eps=1e-310),
        ),
    ]:
        with pytest.raises(ValueError, match=rf"^{fn}: eps must be in \[1e-308, 1\), got 1e-310$"):
            call()
