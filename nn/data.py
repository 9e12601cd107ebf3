"""Toy two-dimensional data sets for classifiers: moons, blobs and XOR.

Each maker returns ``(X, y)`` as plain Python lists, ready to feed a model one point at a time:
``X`` is a list of ``(x0, x1)`` float pairs and ``y`` a list of int labels. The randomness comes
from ``numpy.random.default_rng(seed)``, so the same seed gives the same points on every machine.

Label convention (the ``labels`` argument, for the two-class sets):

- ``labels="01"`` (the default): classes are 0 and 1, what a sigmoid output trained with
  binary cross-entropy or squared error expects.
- ``labels="pm1"``: classes are -1 and +1, what a raw score trained with the hinge loss expects
  (micrograd's moons demo uses this: ``y = 2 * y - 1``).

Class 1 (or +1) is always the same set of points under both conventions; only the name changes.

What each maker refuses, by name: ``n`` that is not an int between the minimum and
``MAX_POINTS``; a ``noise`` or ``spread`` that is negative, NaN, infinite, beyond the float range,
or so large that some point would not be a finite float (``make_moons(50, noise=1e308)``); a
seed that is not an int >= 0 or None (nn's rule for seeds, `nn.module.check_seed`).

>>> X, y = make_moons(4, noise=0.0, seed=0)
>>> len(X), sorted(y)
(4, [0, 0, 1, 1])
>>> make_moons(4, noise=0.0, seed=0, labels="pm1")[1] == [2 * label - 1 for label in y]
True
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Sequence

import numpy as np

from engine.value import check_real

from .module import check_seed

__all__ = ["LABEL_CONVENTIONS", "MAX_POINTS", "make_blobs", "make_moons", "make_xor"]

Point = tuple[float, float]

LABEL_CONVENTIONS = ("01", "pm1")

# The most points a maker returns: as plain lists of float pairs, ten million take about 1.5 GB,
# and a scalar autograd engine trains on thousands. A larger n is a typo, refused by name.
MAX_POINTS = 10_000_000


def _check_n(where: str, n: object, minimum: int = 1) -> int:
    """Return n as an int, or raise naming the function when it is not a whole number >= minimum."""
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)):
        raise TypeError(f"{where}: n must be an int, got {type(n).__name__}: {n!r}")
    if not minimum <= n <= MAX_POINTS:
        raise ValueError(f"{where}: n must be between {minimum} and {MAX_POINTS:_}, got {_text(n)}")
    return int(n)


def _text(n: int | np.integer) -> str:
    """Return an int as text for a message: its digits, or its size when they would not fit."""
    n = int(n)
    return str(n) if n.bit_length() <= 256 else f"an int of {n.bit_length()} bits"


def _check_scale(where: str, argument: str, value: object) -> float:
    """Return value as a float, or raise naming the argument when it is negative or not finite."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{where}: {argument} must be a number, got {type(value).__name__}: {value!r:.80}")
    try:
        number = check_real(value, where, argument)  # beyond the float range: OverflowError
    except ValueError:
        number = math.nan
    if not number >= 0.0:
        raise ValueError(f"{where}: {argument} must be a finite number >= 0, got {float(value)!r}")
    return number


def _rng(where: str, seed: object) -> np.random.Generator:
    """Return numpy's generator for seed (an int >= 0, or None for fresh entropy), or raise naming it."""
    return np.random.default_rng(check_seed(where, seed))


def _moved(
    where: str,
    points: np.ndarray,
    rng: np.random.Generator,
    argument: str,
    scale: float,
    around: str = "",
) -> np.ndarray:
    """Return points moved by Gaussian noise of standard deviation scale, or raise if any overflows.

    The bound is on the points made, not on scale alone: a draw is unbounded, so whether
    ``noise=1e307`` overflows depends on the draws; the error then names the argument.
    """
    if scale == 0.0:
        return points
    with np.errstate(over="ignore", invalid="ignore"):  # checked just below, by name
        moved = points + rng.normal(scale=scale, size=points.shape)
    if not np.isfinite(moved).all():
        raise ValueError(f"{where}: {argument}={scale!r} is too large{around}: some points would not be finite floats")
    return moved


def _check_labels(where: str, labels: object) -> str:
    """Return the label convention, or raise naming the accepted ones."""
    if not isinstance(labels, str) or labels not in LABEL_CONVENTIONS:
        raise ValueError(f"{where}: labels must be '01' or 'pm1', got {labels!r:.80}")
    return labels


def _as_lists(points: np.ndarray, classes: np.ndarray, labels: str) -> tuple[list[Point], list[int]]:
    """Return numpy points and 0/1 classes as plain lists, classes renamed to the convention."""
    X = [(float(a), float(b)) for a, b in points]
    y = [int(c) for c in classes] if labels == "01" else [2 * int(c) - 1 for c in classes]
    return X, y


def make_moons(
    n: int = 100, noise: float = 0.1, seed: int | None = 0, labels: str = "01"
) -> tuple[list[Point], list[int]]:
    """Return n points on two interleaving half circles, and their class labels.

    The upper moon (class 0, or -1) is the half circle of radius 1 around (0, 0); the lower moon
    (class 1, or +1) is the same half circle turned over and shifted to (1, 0.5). The first moon
    gets ``n // 2`` points, the second the rest, evenly spaced along each arc, then shuffled and
    moved by Gaussian noise of standard deviation ``noise``. It is the data of micrograd's demo
    (which uses scikit-learn's ``make_moons(n_samples=100, noise=0.1)``; the points here differ,
    the shape does not).

    >>> X, y = make_moons(6, noise=0.0, seed=1, labels="pm1")
    >>> sorted(y)
    [-1, -1, -1, 1, 1, 1]
    >>> sorted((round(a, 3), round(b, 3)) for a, b in X)[:2]
    [(-1.0, 0.0), (0.0, 0.5)]
    """
    n = _check_n("make_moons", n, minimum=2)
    noise = _check_scale("make_moons", "noise", noise)
    labels = _check_labels("make_moons", labels)
    rng = _rng("make_moons", seed)
    n_upper = n // 2
    n_lower = n - n_upper
    upper_angles = np.linspace(0.0, math.pi, n_upper)
    lower_angles = np.linspace(0.0, math.pi, n_lower)
    upper = np.column_stack([np.cos(upper_angles), np.sin(upper_angles)])
    lower = np.column_stack([1.0 - np.cos(lower_angles), 0.5 - np.sin(lower_angles)])
    points = np.vstack([upper, lower])
    classes = np.concatenate([np.zeros(n_upper, dtype=int), np.ones(n_lower, dtype=int)])
    order = rng.permutation(n)
    points, classes = points[order], classes[order]
    return _as_lists(_moved("make_moons", points, rng, "noise", noise), classes, labels)


_CENTERS = "make_blobs: centers must be an int or a non-empty list of (x0, x1) pairs,"


def make_blobs(
    n: int = 100,
    centers: int | Sequence[Sequence[float]] = 2,
    spread: float = 1.0,
    seed: int | None = 0,
    labels: str = "01",
) -> tuple[list[Point], list[int]]:
    """Return n points in Gaussian clusters around the given centers, and each point's cluster index.

    ``centers`` is either a list of ``(x0, x1)`` centers or a number of centers, which are then
    drawn uniformly from the square [-5, 5]². ``spread`` is every cluster's standard deviation.
    Points are dealt to the clusters in turn (sizes differ by at most one), then shuffled.

    With two centers the labels follow ``labels`` ("01" or "pm1"). With more, a label is the
    cluster's index 0, 1, ..., k-1 (a class index, as a softmax classifier expects), and
    ``labels="pm1"`` is an error.

    >>> X, y = make_blobs(5, centers=[(0.0, 0.0), (3.0, 3.0), (-3.0, 3.0)], spread=0.0, seed=0)
    >>> sorted(zip(y, X))
    [(0, (0.0, 0.0)), (0, (0.0, 0.0)), (1, (3.0, 3.0)), (1, (3.0, 3.0)), (2, (-3.0, 3.0))]
    """
    n = _check_n("make_blobs", n)
    spread = _check_scale("make_blobs", "spread", spread)
    labels = _check_labels("make_blobs", labels)
    rng = _rng("make_blobs", seed)
    if isinstance(centers, (int, np.integer)) and not isinstance(centers, bool):
        if not 1 <= centers <= MAX_POINTS:
            raise ValueError(
                f"make_blobs: centers must be between 1 and {MAX_POINTS:_} (or a list of points), got {_text(centers)}"
            )
        center_points = rng.uniform(-5.0, 5.0, size=(int(centers), 2))
    else:
        try:
            center_points = np.asarray(centers, dtype=float)
        except OverflowError:
            raise OverflowError(
                f"make_blobs: centers must be numbers in the float range, got {centers!r:.80}"
            ) from None
        except (TypeError, ValueError):
            raise ValueError(f"{_CENTERS} got {centers!r:.80}") from None
        if center_points.ndim != 2 or center_points.shape[1] != 2 or len(center_points) == 0:
            raise ValueError(f"{_CENTERS} got {centers!r:.80}")
        if not np.all(np.isfinite(center_points)):
            raise ValueError(f"make_blobs: centers must be finite numbers, got {centers!r:.80}")
    k = len(center_points)
    if labels == "pm1" and k != 2:
        raise ValueError(f"make_blobs: labels='pm1' needs exactly 2 centers, got {k}")
    classes = np.arange(n) % k
    classes = classes[rng.permutation(n)]
    points = _moved("make_blobs", center_points[classes], rng, "spread", spread, " for these centers")
    return _as_lists(points, classes, labels)


def make_xor(
    n: int = 100, noise: float = 0.0, seed: int | None = 0, labels: str = "01"
) -> tuple[list[Point], list[int]]:
    """Return n points of the XOR problem, and their labels: class 1 where x0 and x1 differ in sign.

    Points are drawn uniformly from the square [-1, 1]², labelled by the quadrant they fall in
    (class 1, or +1, in the second and fourth quadrants), and only then moved by Gaussian noise of
    standard deviation ``noise``, so with noise > 0 some points lie across the axes from their
    class. No straight line separates the classes: a model needs a hidden layer.

    >>> X, y = make_xor(200, seed=3, labels="pm1")
    >>> all((a * b < 0) == (label == 1) for (a, b), label in zip(X, y))
    True
    """
    n = _check_n("make_xor", n)
    noise = _check_scale("make_xor", "noise", noise)
    labels = _check_labels("make_xor", labels)
    rng = _rng("make_xor", seed)
    points = rng.uniform(-1.0, 1.0, size=(n, 2))
    classes = ((points[:, 0] > 0) != (points[:, 1] > 0)).astype(int)
    return _as_lists(_moved("make_xor", points, rng, "noise", noise), classes, labels)
