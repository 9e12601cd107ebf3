"""``lossgrad sweep``: where squared error stalls, over how wrong the start is and the rate.

``lossgrad stall`` measures one point of a plane: one confidently wrong start and one learning
rate. The obvious reply to it is "squared error only needs a larger learning rate". This demo
measures the plane: for each start_p (the typical positive's predicted probability at the
start, the typical negative's being 1 - start_p) and each learning rate, it trains stall's
sigmoid neuron from that start under squared error and under cross-entropy, with stall's own
training loop (``demos.stall.train``), and counts the epochs each needs to reach the target
accuracy. A run stops at the epoch it gets there, or after ``--epochs``.

Everything else is stall's: the data (its seed included), how the start is computed from the
data, full-batch gradient descent, and the two losses of the post (the registry's ``mse`` and
``bce``). So the cell of stall's start and learning rate holds stall's numbers.
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from nn import ProgressBar

from .arguments import (
    MAX_EPOCHS,
    epoch_count,
    fraction,
    plot_path,
    positive_float,
    seed_number,
)
from .stall import Speedup, StallConfig, speedup_of, stall_losses, stall_setup, train
from .terminal import Style, bar_width, paragraph, table

__all__ = [
    "SWEEP_LRS",
    "SWEEP_START_PS",
    "SweepConfig",
    "SweepResult",
    "add_parser",
    "run",
    "run_sweep",
]

SWEEP_START_PS = (0.3, 0.1, 0.03, 0.01, 0.003, 0.001)
"""How confidently wrong the starts are: the typical positive's p, from mildly to badly wrong."""

SWEEP_LRS = (0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0, 20.0)
"""The learning rates, from timid to reckless for this neuron."""


@dataclass(frozen=True)
class SweepConfig:
    """The sweep's settings; the defaults are the command line's."""

    start_ps: tuple[float, ...] = SWEEP_START_PS
    lrs: tuple[float, ...] = SWEEP_LRS
    epochs: int = 1000  # the most epochs a run is given
    target: float = 0.95
    seed: int = 0  # of the data set, as stall's --seed


@dataclass
class SweepResult:
    """The epochs to the target for each loss, start and learning rate.

    ``epochs[key][i][j]`` is the first epoch at which the run under the loss ``key`` ("mse" or
    "bce"), started at ``config.start_ps[i]`` with ``config.lrs[j]``, reached the target
    accuracy; None where it did not within ``config.epochs``. ``titles`` and ``shorts`` give
    each loss's words (from the registry), ``seconds`` the time the sweep took.
    """

    config: SweepConfig
    epochs: dict[str, list[list[int | None]]]
    titles: dict[str, str]
    shorts: dict[str, str]
    seconds: float = 0.0

    def speedup(self, i: int, j: int) -> Speedup | None:
        """Return how many times fewer epochs BCE needed than MSE in cell (i, j), or None."""
        return speedup_of(self.epochs["mse"][i][j], self.epochs["bce"][i][j], self.config.epochs)

    def caught_up(self, i: int, j: int) -> bool:
        """Return whether MSE reached the target in cell (i, j) in no more epochs than BCE."""
        mse, bce = self.epochs["mse"][i][j], self.epochs["bce"][i][j]
        return mse is not None and bce is not None and mse <= bce

    def summary(self) -> str:
        """Return in one sentence what the grid shows: where, if anywhere, squared error catches up.

        It names, for each start where MSE needs no more epochs than BCE at some learning rates,
        those learning rates; then, for the most confidently wrong start, the fewest times more
        epochs MSE needed at any learning rate, rounded down, so "at least" holds at every one.
        """
        starts, lrs = self.config.start_ps, self.config.lrs
        rows, columns = range(len(starts)), range(len(lrs))
        everywhere = [j for j in columns if all(self.caught_up(i, j) for i in rows)]
        places = []
        for i in rows:
            caught = [j for j in columns if self.caught_up(i, j)]
            if caught:
                places.append(f"p = {starts[i]:g} at lr {_lrs_text(caught, lrs)}")
        cells = [(i, j) for i in rows for j in columns if self.caught_up(i, j)]
        # Where both take one epoch, squared error has not caught up so much as both are done.
        trivial = " (where both need a single epoch)" if all(self.epochs["bce"][i][j] == 1 for i, j in cells) else ""
        if everywhere:
            first = (
                f"squared error catches up with cross-entropy from every start at lr "
                f"{_lrs_text(everywhere, lrs)}{trivial}"
            )
        elif places:
            joined = places[0] if len(places) == 1 else f"{', '.join(places[:-1])} and {places[-1]}"
            first = f"squared error catches up with cross-entropy only from {joined}{trivial}"
        else:
            first = "squared error catches up with cross-entropy nowhere on the grid"
        worst = min(rows, key=lambda i: starts[i])
        speedups = [s for s in (self.speedup(worst, j) for j in columns) if s is not None]
        if not speedups:
            return first
        least = min(speedups, key=lambda s: s.ratio)
        if least.ratio < 1.0:
            return first
        at_least = Speedup(least.baseline, least.challenger, True)  # the minimum: a bound for all
        every = "every learning rate" if len(speedups) == len(lrs) else "every learning rate where it did"
        return (
            f"{first}; from p = {starts[worst]:g} it needs {at_least} cross-entropy's epochs "
            f"at {every} from {min(lrs):g} to {max(lrs):g}"
        )


def _lrs_text(chosen: Sequence[int], lrs: Sequence[float]) -> str:
    """Return the chosen learning rates as "≥ 5" when they are all from one rate up, else a list."""
    ordered = sorted(range(len(lrs)), key=lambda j: lrs[j])
    picked = sorted(chosen, key=lambda j: lrs[j])
    if picked == ordered[len(ordered) - len(picked) :]:
        return f"≥ {lrs[picked[0]]:g}" if len(picked) < len(lrs) else f"{min(lrs):g} to {max(lrs):g}"
    return "= " + ", ".join(f"{lrs[j]:g}" for j in picked)


def run_sweep(config: SweepConfig = SweepConfig(), on_cell: Callable[[int], None] | None = None) -> SweepResult:
    """Return the epochs to the target of MSE and BCE at every start and learning rate of config.

    Each run is stall's (``demos.stall.train``) without its snapshots, stopped at the target.
    ``on_cell(done)`` is called after each cell, with the number of cells done.
    """
    losses = stall_losses(StallConfig())  # stall's pair, MSE then BCE
    epochs: dict[str, list[list[int | None]]] = {loss.key: [] for loss in losses}
    began = time.perf_counter()
    done = 0
    for start_p in config.start_ps:
        setup = stall_setup(StallConfig(seed=config.seed, start_p=start_p))
        for loss in losses:
            epochs[loss.key].append([])
        for lr in config.lrs:
            for loss in losses:
                trained = train(loss, setup, lr, config.epochs, target=config.target)
                epochs[loss.key][-1].append(trained.epochs_to(config.target))
            done += 1
            if on_cell is not None:
                on_cell(done)
    titles = {loss.key: loss.title for loss in losses}
    shorts = {loss.key: loss.short for loss in losses}
    return SweepResult(config, epochs, titles, shorts, time.perf_counter() - began)


# ---------------------------------------------------------------------------- the command


def _number_list(
    parse: Callable[[str], float], check: Callable[[float], str | None]
) -> Callable[[str], tuple[float, ...]]:
    """Return an argparse type for comma-separated numbers: each parsed, then checked."""

    def parse_list(text: str) -> tuple[float, ...]:
        parts = [part.strip() for part in text.split(",") if part.strip()]
        if not parts:
            raise argparse.ArgumentTypeError(f"expected numbers separated by commas, got {text!r:.40}")
        values = []
        for part in parts:
            value = parse(part)
            problem = check(value)
            if problem:
                raise argparse.ArgumentTypeError(f"{problem}, got {part[:40]}")
            values.append(value)
        return tuple(dict.fromkeys(values))

    parse_list.__name__ = "list of numbers"
    return parse_list


def _start_p_problem(p: float) -> str | None:
    return None if 0.0 < p < 0.5 else "each start p must be between 0 and 0.5 (a wrong start)"


start_p_list = _number_list(positive_float, _start_p_problem)
lr_list = _number_list(positive_float, lambda lr: None)


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Return the ``sweep`` subcommand's parser, registered on subparsers."""
    defaults = SweepConfig()
    parser = subparsers.add_parser(
        "sweep",
        help="epochs to the target for MSE and cross-entropy over starts and learning rates",
        description=(
            "Train stall's sigmoid neuron under squared error (MSE) and under cross-entropy (BCE) "
            "from confidently wrong starts of every strength (the typical positive at p = START_P) "
            "and at every learning rate of a grid, and print the epochs each needed to reach the "
            "target accuracy: does any learning rate let squared error catch up?"
        ),
    )
    parser.add_argument(
        "--start-ps",
        type=start_p_list,
        default=defaults.start_ps,
        metavar="PS",
        help=(
            "the starts, comma-separated: the typical positive's p, in (0, 0.5) "
            f"(default: {','.join(f'{p:g}' for p in defaults.start_ps)})"
        ),
    )
    parser.add_argument(
        "--lrs",
        type=lr_list,
        default=defaults.lrs,
        metavar="LRS",
        help=(f"the learning rates, comma-separated (default: {','.join(f'{lr:g}' for lr in defaults.lrs)})"),
    )
    parser.add_argument(
        "--epochs",
        type=epoch_count,
        default=defaults.epochs,
        help=f"the most epochs of a run, 1 to {MAX_EPOCHS:,} (default: {defaults.epochs})",
    )
    parser.add_argument(
        "--target",
        type=fraction,
        default=defaults.target,
        help=f"target accuracy, as 0.95 or 95 (default: {defaults.target:g})",
    )
    parser.add_argument(
        "--seed",
        type=seed_number,
        default=defaults.seed,
        help=f"seed of the data set, 0 to 2**32 - 1 (default: {defaults.seed})",
    )
    parser.add_argument(
        "--plot",
        type=plot_path,
        default=None,
        metavar="FILE",
        help="draw both grids as heatmaps on one colour scale to FILE (.svg or .png)",
    )
    parser.add_argument("--json", action="store_true", help="print the settings and both grids as JSON")
    return parser


def run(args: argparse.Namespace) -> int:
    """Return 0 after running the sweep and printing its grids and what they show (or JSON)."""
    config = SweepConfig(
        start_ps=tuple(sorted(args.start_ps, reverse=True)),  # from mildly to badly wrong
        lrs=tuple(sorted(args.lrs)),
        epochs=args.epochs,
        target=args.target,
        seed=args.seed,
    )
    cells = len(config.start_ps) * len(config.lrs)
    note = f"  {2 * cells} runs in 10.0s"  # the bar's note, as wide as it will be
    width = bar_width(len("sweep ") + 2 + 2 * len(str(cells)) + 2 + len(note))
    bar = None if args.json else ProgressBar(cells, label="sweep ", width=width)
    result = run_sweep(config, on_cell=None if bar is None else bar.update)
    if bar is not None:
        bar.finish(f"{2 * cells} runs in {result.seconds:.1f}s")
    if args.json:
        print(json.dumps(_as_json(result), indent=2, ensure_ascii=False))
    else:
        print()
        _print_report(result, Style.for_stream())
    if args.plot is not None:
        from .plots import plot_sweep

        grids = [(result.titles[key], result.epochs[key]) for key in result.epochs]
        path = plot_sweep(config.start_ps, config.lrs, grids, config.epochs, args.plot, config.target)
        if not args.json:
            print(f"plot written to {path}")
    return 0


def _as_json(result: SweepResult) -> dict[str, Any]:
    """Return the result as JSON-able data: settings, both grids, the speed-ups, the summary."""
    config = result.config
    speedups = []
    for i in range(len(config.start_ps)):
        row = []
        for j in range(len(config.lrs)):
            found = result.speedup(i, j)
            row.append(None if found is None else {"ratio": found.ratio, "lower_bound": found.lower_bound})
        speedups.append(row)
    return {
        "config": {key: list(v) if isinstance(v, tuple) else v for key, v in asdict(config).items()},
        "epochs_to_target": result.epochs,
        "speedups": speedups,
        "summary": result.summary(),
        "seconds": result.seconds,
    }


def _print_report(result: SweepResult, style: Style) -> None:
    """Print the set-up, the grid of each loss, the grid of speed-ups, and the summary."""
    config = result.config
    target = f"{100 * config.target:g}%"
    print(style.bold(paragraph(f"Where squared error stalls: epochs to {target} accuracy")))
    print(
        paragraph(
            "one sigmoid neuron, stall's data and start: the typical positive at p = start p, "
            f"the typical negative at 1 - p; full-batch gradient descent, at most "
            f"{config.epochs} epochs a run ('>{config.epochs}': not within them)"
        )
    )
    headers = ["start p", *(f"{lr:g}" for lr in config.lrs)]
    groups = [("", 1), ("learning rate", len(config.lrs))]
    for key, grid in result.epochs.items():
        print()
        print(style.bold(paragraph(f"{result.titles[key]}: epochs to {target}")))
        rows = [
            [f"{p:g}", *(f">{config.epochs}" if e is None else str(e) for e in row)]
            for p, row in zip(config.start_ps, grid)
        ]
        for line in table(headers, rows, groups=groups):
            print(line)
    print()
    mse, bce = result.shorts["mse"], result.shorts["bce"]
    heading = f"{mse}'s epochs over {bce}'s ('≥': {mse} did not get there, so at least this)"
    print(style.bold(paragraph(heading)))
    rows = []
    for i, p in enumerate(config.start_ps):
        cells = []
        for j in range(len(config.lrs)):
            found = result.speedup(i, j)
            cells.append("-" if found is None else found.text(at_least="≥"))
        rows.append([f"{p:g}", *cells])
    for line in table(headers, rows, groups=groups):
        print(line)
    print()
    print(style.bold(paragraph(f"verdict: {result.summary()}")))
