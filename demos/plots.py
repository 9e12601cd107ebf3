"""Plots for the demos, drawn with matplotlib (an optional extra: ``pip install "lossgrad[plot]"``).

matplotlib runs on its Agg backend (no window, no display needed). The format follows the file's
extension, ``.svg`` or ``.png``; the figure is saved to a temporary file beside the target and
moved into place, so a failed plot never leaves half a file. SVG output is deterministic (no date,
fixed element ids), so the same run gives the same bytes.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from .arguments import MATPLOTLIB_HINT
from .output import atomic_path, check_output_path
from .registry import BINARY_LOSSES

__all__ = ["PlotError", "plot_decision_boundary", "plot_gradient_curves", "plot_stall", "pyplot", "save_figure"]

# The two classes of a decision boundary: +1 blue on a blue-tinted side, -1 red on a red-tinted one.
_CLASS_COLOURS = {1: "#1f6feb", -1: "#d1242f"}
_CLASS_TINTS = {1: "#d3e4ff", -1: "#ffd8d3"}


class PlotError(RuntimeError):
    """A plot could not be drawn: matplotlib is missing."""


def pyplot() -> Any:
    """Return matplotlib.pyplot on the Agg backend, or raise PlotError naming the extra to install."""
    try:
        import matplotlib
    except ImportError:
        raise PlotError(MATPLOTLIB_HINT) from None
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def save_figure(figure: Any, path: str | Path) -> Path:
    """Return path after saving figure to it as SVG or PNG (by extension), whole or not at all."""
    target = check_output_path(path, (".svg", ".png"), "plot")
    kind = target.suffix.lower().lstrip(".")
    plt = pyplot()
    metadata = {"Date": None} if kind == "svg" else {"Software": None}
    try:
        with plt.rc_context({"svg.hashsalt": "lossgrad"}), atomic_path(target) as temporary:
            figure.savefig(temporary, format=kind, dpi=144, bbox_inches="tight", metadata=metadata)
    finally:
        plt.close(figure)
    return target


def plot_stall(histories: Mapping[str, Mapping[str, Sequence[float]]], path: str | Path, target: float) -> Path:
    """Return path after drawing the stall demo: loss, accuracy and mean |dL/dz| per epoch for each run.

    ``histories`` maps a run's loss, by registry key ("mse", "bce"), to lists ``epoch``, ``loss``,
    ``accuracy`` and ``mean_abs_grad`` of equal length; the registry gives its title and colour.
    """
    plt = pyplot()
    figure, axes = plt.subplots(1, 3, figsize=(14, 4.2))
    for key, history in histories.items():
        style = {"color": BINARY_LOSSES[key].colour.hex, "label": BINARY_LOSSES[key].title, "linewidth": 2}
        axes[0].plot(history["epoch"], history["loss"], **style)
        axes[1].plot(history["epoch"], [100 * a for a in history["accuracy"]], **style)
        axes[2].plot(history["epoch"], history["mean_abs_grad"], **style)
    axes[0].set_title("training loss")
    axes[1].set_title("accuracy (%)")
    axes[1].axhline(100 * target, color="#57606a", linestyle="--", linewidth=1, label=f"target {100 * target:g}%")
    axes[1].set_ylim(-3, 103)
    axes[2].set_title("mean |dL/dz| over the examples")
    axes[2].set_yscale("log")
    for ax in axes:
        ax.set_xlabel("epoch")
        ax.grid(True, alpha=0.3)
        ax.legend()
    figure.suptitle("One sigmoid neuron from the same confidently wrong start: MSE stalls, cross-entropy learns")
    figure.tight_layout()
    return save_figure(figure, path)


def plot_gradient_curves(
    p: Sequence[float], curves: Mapping[int, Mapping[str, Sequence[float]]], path: str | Path
) -> Path:
    """Return path after drawing dL/dz against p for each loss, one panel per true label.

    ``curves[label][key]`` is the gradient at each p (labels 1 and 0) of the loss with that
    registry key; the registry gives its title and colour.
    """
    plt = pyplot()
    labels = sorted(curves, reverse=True)
    figure, axes = plt.subplots(1, len(labels), figsize=(6.5 * len(labels), 4.5), squeeze=False)
    for ax, label in zip(axes[0], labels):
        for key, gradient in curves[label].items():
            loss = BINARY_LOSSES[key]
            ax.plot(p, gradient, label=loss.title, color=loss.colour.hex, linewidth=2)
        ax.axhline(0.0, color="#57606a", linewidth=0.8)
        wrong = (0.0, 0.1) if label == 1 else (0.9, 1.0)
        ax.axvspan(*wrong, color="#fff8c5", zorder=0, label="confidently wrong")
        ax.set_title(f"true label y = {label}")
        ax.set_xlabel("predicted probability p = sigmoid(z)")
        ax.set_ylabel("dL/dz (by backprop)")
        ax.set_xlim(0, 1)
        ax.grid(True, alpha=0.3)
        ax.legend()
    figure.suptitle("Gradient with respect to the logit: how hard each loss pushes")
    figure.tight_layout()
    return save_figure(figure, path)


def plot_decision_boundary(
    score: Callable[[float, float], float],
    X: Sequence[Sequence[float]],
    y: Sequence[int],
    path: str | Path,
    title: str = "decision boundary",
    resolution: int = 50,
) -> Path:
    """Return path after drawing the sign of score(x0, x1) over the data's box, with the data on top."""
    plt = pyplot()
    xs0 = [point[0] for point in X]
    xs1 = [point[1] for point in X]
    lo0, hi0 = min(xs0) - 0.5, max(xs0) + 0.5
    lo1, hi1 = min(xs1) - 0.5, max(xs1) + 0.5
    grid0 = [lo0 + (hi0 - lo0) * i / (resolution - 1) for i in range(resolution)]
    grid1 = [lo1 + (hi1 - lo1) * j / (resolution - 1) for j in range(resolution)]
    scores = [[score(a, b) for a in grid0] for b in grid1]
    figure, ax = plt.subplots(figsize=(6, 5))
    tints = [_CLASS_TINTS[-1], _CLASS_TINTS[1]]  # below the 0 level, then above it
    ax.contourf(grid0, grid1, scores, levels=[-math.inf, 0.0, math.inf], colors=tints, alpha=0.9)
    ax.contour(grid0, grid1, scores, levels=[0.0], colors=["#57606a"], linewidths=1)
    for sign, name in ((1, "y = +1"), (-1, "y = -1")):
        members = [i for i, label in enumerate(y) if (label > 0) == (sign > 0)]
        ax.scatter(
            [xs0[i] for i in members],
            [xs1[i] for i in members],
            c=_CLASS_COLOURS[sign],
            s=22,
            label=name,
            edgecolors="white",
            linewidths=0.5,
        )
    ax.set_title(title)
    ax.legend(loc="upper right")
    figure.tight_layout()
    return save_figure(figure, path)
