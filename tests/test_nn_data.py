"""Tests of nn.data: the toy data sets' shapes, label conventions, geometry, determinism, bad input."""

from __future__ import annotations

import math
import re
import warnings
from collections.abc import Callable

import numpy as np
import pytest

from nn.data import make_blobs, make_moons, make_xor

MAKERS = [make_moons, make_blobs, make_xor]


@pytest.mark.parametrize("make", MAKERS)
def test_returns_plain_lists_of_float_pairs_and_int_labels(make) -> None:  # type: ignore[no-untyped-def]
    X, y = make(50, seed=1)
    assert isinstance(X, list) and isinstance(y, list) and len(X) == len(y) == 50
    assert all(type(x) is tuple and len(x) == 2 and all(type(v) is float for v in x) for x in X)
    assert all(type(label) is int for label in y)


@pytest.mark.parametrize("make", MAKERS)
def test_labels_01_and_pm1_name_the_same_points(make) -> None:  # type: ignore[no-untyped-def]
    X01, y01 = make(60, seed=3, labels="01")
    Xpm, ypm = make(60, seed=3, labels="pm1")
    assert Xpm == X01
    assert set(y01) == {0, 1} and set(ypm) == {-1, 1}
    assert ypm == [2 * label - 1 for label in y01]


@pytest.mark.parametrize("make", MAKERS)
def test_same_seed_same_data_other_seed_other_data(make) -> None:  # type: ignore[no-untyped-def]
    assert make(40, seed=11) == make(40, seed=11)
    assert make(40, seed=11)[0] != make(40, seed=12)[0]


def test_moons_without_noise_lie_on_their_two_half_circles() -> None:
    X, y = make_moons(101, noise=0.0, seed=0)
    assert y.count(0) == 50 and y.count(1) == 51
    for (a, b), label in zip(X, y):
        if label == 0:  # upper moon: the unit half circle around (0, 0)
            assert math.hypot(a, b) == pytest.approx(1.0) and b >= -1e-12
        else:  # lower moon: the half circle around (1, 0.5), turned over
            assert math.hypot(a - 1.0, b - 0.5) == pytest.approx(1.0) and b <= 0.5 + 1e-12


def test_moons_are_shuffled() -> None:
    _, y = make_moons(100, noise=0.1, seed=0)
    assert y != sorted(y)


def test_moons_noise_moves_points_off_the_circles_by_about_noise() -> None:
    clean, _ = make_moons(400, noise=0.0, seed=5)
    noisy, _ = make_moons(400, noise=0.1, seed=5)
    # Same shuffle, then noise: the displacement has standard deviation 0.1 per coordinate.
    offsets = [a - c for p, q in zip(noisy, clean) for a, c in zip(p, q)]
    spread = math.sqrt(sum(o * o for o in offsets) / len(offsets))
    assert 0.08 < spread < 0.12


def test_xor_labels_follow_the_quadrants_without_noise() -> None:
    X, y = make_xor(300, noise=0.0, seed=2)
    assert all(-1.0 <= a <= 1.0 and -1.0 <= b <= 1.0 for a, b in X)
    assert all(label == (1 if a * b < 0 else 0) for (a, b), label in zip(X, y))


def test_xor_noise_lets_some_points_cross_the_axes() -> None:
    X, y = make_xor(300, noise=0.3, seed=2)
    assert any(label != (1 if a * b < 0 else 0) for (a, b), label in zip(X, y))


def test_blobs_gather_around_their_centers() -> None:
    centers = [(-4.0, 0.0), (4.0, 1.0)]
    X, y = make_blobs(400, centers=centers, spread=0.5, seed=0)
    assert y.count(0) == y.count(1) == 200
    for k, (cx, cy) in enumerate(centers):
        points = [p for p, label in zip(X, y) if label == k]
        assert sum(a for a, _ in points) / len(points) == pytest.approx(cx, abs=0.1)
        assert sum(b for _, b in points) / len(points) == pytest.approx(cy, abs=0.1)


def test_blobs_with_more_centers_label_by_cluster_index() -> None:
    _, y = make_blobs(10, centers=4, seed=0)
    assert sorted(set(y)) == [0, 1, 2, 3]
    assert [y.count(k) for k in range(4)] == [3, 3, 2, 2]


@pytest.mark.parametrize(
    "call, error, message",
    [
        (lambda: make_moons(0), ValueError, r"make_moons: n must be between 2 and 10_000_000, got 0"),
        (lambda: make_xor(0), ValueError, r"make_xor: n must be between 1 and 10_000_000, got 0"),
        (lambda: make_blobs(10**7 + 1), ValueError, r"make_blobs: n must be between 1 and 10_000_000, got 10000001"),
        (lambda: make_moons(10**400), ValueError, r"make_moons: n must be between .* got an int of 1329 bits"),
        (lambda: make_moons(10.5), TypeError, r"make_moons: n must be an int, got float"),
        (lambda: make_moons(10, noise=-0.1), ValueError, r"make_moons: noise must be a finite number >= 0, got -0.1"),
        (lambda: make_xor(10, noise=math.nan), ValueError, r"make_xor: noise must be a finite number >= 0, got nan"),
        (lambda: make_blobs(10, spread=-1), ValueError, r"make_blobs: spread must be a finite number >= 0, got -1.0"),
        (lambda: make_moons(10, labels="+-1"), ValueError, r"make_moons: labels must be '01' or 'pm1', got '\+-1'"),
        (
            lambda: make_blobs(10, centers=3, labels="pm1"),
            ValueError,
            r"make_blobs: labels='pm1' needs exactly 2 centers, got 3",
        ),
        (lambda: make_blobs(10, centers=0), ValueError, r"make_blobs: centers must be between 1 and 10_000_000"),
        (
            lambda: make_blobs(10, centers=[(10**400, 0.0)]),
            OverflowError,
            r"make_blobs: centers must be numbers in the float range, got \[\(1000",
        ),
        (
            lambda: make_blobs(10, centers=[(1.0, 2.0, 3.0)]),
            ValueError,
            r"make_blobs: centers must be an int or a non-empty list of \(x0, x1\) pairs",
        ),
        (
            lambda: make_blobs(10, centers=[(0.0, math.inf)]),
            ValueError,
            r"make_blobs: centers must be finite numbers, got \[\(0.0, inf\)\]",
        ),
        (
            lambda: make_blobs(10, centers="ab"),
            ValueError,
            r"make_blobs: centers must be an int or a non-empty list of \(x0, x1\) pairs",
        ),
        (lambda: make_moons(10, seed=-1), ValueError, r"make_moons: seed must be an int >= 0 or None, got -1"),
        (lambda: make_xor(10, seed=1.5), TypeError, r"make_xor: seed must be an int >= 0 or None, got float: 1.5"),
        (lambda: make_blobs(10, seed="7"), TypeError, r"make_blobs: seed must be an int >= 0 or None, got str: '7'"),
        (lambda: make_moons(10, seed=[1]), TypeError, r"make_moons: seed must be an int >= 0 or None, got list: \[1\]"),
        (lambda: make_xor(10, seed=True), TypeError, r"make_xor: seed must be an int >= 0 or None, got bool: True"),
        (
            lambda: make_blobs(10, seed=np.int64(-3)),
            ValueError,
            r"make_blobs: seed must be an int >= 0 or None, got -3",
        ),
        (lambda: make_moons(10, seed=np.float64(2.0)), TypeError, r"make_moons: seed must be .* got float64: "),
        (
            lambda: make_moons(10, noise=10**400),
            OverflowError,
            r"make_moons: noise is beyond the float range, got 1000",
        ),
        (
            lambda: make_xor(10, noise=-(10**400)),
            OverflowError,
            r"make_xor: noise is beyond the float range, got -1000",
        ),
        (
            lambda: make_blobs(10, spread=math.inf),
            ValueError,
            r"make_blobs: spread must be a finite number >= 0, got inf",
        ),
        (lambda: make_moons(10, noise="0.1"), TypeError, r"make_moons: noise must be a number, got str: '0.1'"),
        (lambda: make_moons(10, labels=["01"]), ValueError, r"make_moons: labels must be '01' or 'pm1', got \['01'\]"),
    ],
)
def test_bad_arguments_are_errors_naming_the_argument(call, error: type, message: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(error, match=message):
        call()


@pytest.mark.parametrize(
    ("call", "argument"),
    [
        (lambda: make_moons(50, noise=1e308), "noise=1e+308"),
        (lambda: make_xor(50, noise=1e308), "noise=1e+308"),
        (lambda: make_blobs(50, spread=1e308), "spread=1e+308"),
        (
            lambda: make_blobs(50, centers=[(1.7e308, 0.0), (-1.7e308, 0.0)], spread=1e307),
            "spread=1e+307 is too large for these centers",
        ),
    ],
    ids=["moons", "xor", "blobs", "blobs-centers"],
)
def test_a_scale_that_would_make_points_beyond_the_float_range_is_refused_by_name(
    call: Callable[[], object], argument: str
) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # nor does numpy's overflow warning come out first
        message = rf"^make_\w+: {re.escape(argument)}.*: some points would not be finite floats$"
        with pytest.raises(ValueError, match=message):
            call()


@pytest.mark.parametrize("make", MAKERS)
def test_large_finite_scales_and_numpy_seeds_still_make_finite_points(
    make: Callable[..., tuple[list[tuple[float, float]], list[int]]],
) -> None:
    scale = {"spread": 1e300} if make is make_blobs else {"noise": 1e300}
    X, _ = make(200, seed=np.int64(4), **scale)
    assert all(math.isfinite(v) for x in X for v in x)
    assert max(abs(v) for x in X for v in x) > 1e299  # the scale was used, not clipped
    assert make(20, seed=np.uint8(4)) == make(20, seed=4)
