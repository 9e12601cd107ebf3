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

__all__ = [
    "PlotError",
    "plot_decision_boundary",
    "plot_gradient_curves",
    "plot_stall",
    "plot_sweep",
    "pyplot",
    "save_figure",
]

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


def plot_stall(
    runs: Sequence[tuple[str, str, Mapping[str, Sequence[float]]]],
    path: str | Path,
    target: float,
    *,
    title: str = "One sigmoid neuron, one wrong start: MSE stalls, cross-entropy learns",
) -> Path:
    """Return path after drawing the stall demo: loss, accuracy and mean |dL/dz| per epoch for each run.

    ``runs`` holds one ``(legend, colour, history)`` per run: its title, its colour as
    ``"#rrggbb"``, and lists ``epoch``, ``loss``, ``accuracy`` and ``mean_abs_grad`` of equal
    length (``demos.stall.Run.history()``).
    """
    plt = pyplot()
    figure, axes = plt.subplots(1, 3, figsize=(14, 4.2))
    for i, (legend, colour, history) in enumerate(runs):
        # The post's pair solid; the others dashed, so that a loss drawn over another shows both.
        dashes = "-" if i < 2 else "--"
        style = {"color": colour, "label": legend, "linewidth": 2, "linestyle": dashes}
        axes[0].plot(history["epoch"], history["loss"], **style)
        axes[1].plot(history["epoch"], [100 * a for a in history["accuracy"]], **style)
        axes[2].plot(history["epoch"], history["mean_abs_grad"], **style)
    axes[0].set_title("training loss")
    axes[1].set_title("accuracy (%)")
    target_line = f"target {100 * target:g}%"
    axes[1].axhline(100 * target, color="#57606a", linestyle=":", linewidth=1, label=target_line)
    axes[1].set_ylim(-3, 103)
    axes[2].set_title("mean |dL/dz| over the examples")
    axes[2].set_yscale("log")
    for ax in axes:
        ax.set_xlabel("epoch")
        ax.grid(True, alpha=0.3)
    figure.suptitle(title)
    if len(runs) <= 2:
        for ax in axes:
            ax.legend()
        figure.tight_layout()
    else:  # one legend for the three panels, under them
        handles, labels = axes[1].get_legend_handles_labels()
        figure.tight_layout(rect=(0, 0.1, 1, 1))
        figure.legend(handles, labels, loc="lower center", ncol=min(len(labels), 4), frameon=False)
    return save_figure(figure, path)


def plot_sweep(
    start_ps: Sequence[float],
    lrs: Sequence[float],
    grids: Sequence[tuple[str, Sequence[Sequence[int | None]]]],
    max_epochs: int,
    path: str | Path,
    target: float,
) -> Path:
    """Return path after drawing one heatmap per loss of the epochs to the target accuracy.

    ``grids`` holds one ``(title, epochs)`` per loss, ``epochs[i][j]`` the epochs it needed from
    start_ps[i] at lrs[j], None where it did not get there within max_epochs (drawn hatched, as
    more than max_epochs). Every map shares one logarithmic colour scale, so a colour means the
    same number of epochs in each, and each cell is labelled with its number.
    """
    plt = pyplot()
    from matplotlib.colors import LogNorm

    scale = LogNorm(vmin=1, vmax=max_epochs + 1)
    figure, axes = plt.subplots(1, len(grids), figsize=(6.2 * len(grids), 4.6), squeeze=False, sharey=True)
    image = None
    for ax, (title, epochs) in zip(axes[0], grids):
        # A run that did not get there took more than max_epochs: drawn as max_epochs + 1.
        shown = [[max_epochs + 1 if e is None else max(e, 1) for e in row] for row in epochs]
        image = ax.imshow(shown, norm=scale, cmap="viridis_r", aspect="auto")
        for i, row in enumerate(epochs):
            for j, e in enumerate(row):
                text = f">{max_epochs}" if e is None else str(e)
                dark = shown[i][j] > math.sqrt(max_epochs)  # the map is dark where runs are long
                ax.text(
                    j,
                    i,
                    text,
                    ha="center",
                    va="center",
                    fontsize=8,
                    color="white" if dark else "black",
                )
                if e is None:
                    ax.add_patch(plt.Rectangle((j - 0.5, i - 0.5), 1, 1, fill=False, hatch="///", edgecolor="#d0d7de"))
        ax.set_xticks(range(len(lrs)), [f"{lr:g}" for lr in lrs])
        ax.set_yticks(range(len(start_ps)), [f"{p:g}" for p in start_ps])
        ax.set_xlabel("learning rate")
        ax.set_title(f"{title}: epochs to {100 * target:g}% accuracy")
    axes[0][0].set_ylabel("start: typical positive at p =")
    figure.colorbar(image, ax=axes[0].tolist(), label="epochs (one scale for both maps)")
    figure.suptitle("Where squared error stalls: the same neuron, the same start, every learning rate")
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
