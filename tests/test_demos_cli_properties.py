"""Hypothesis over the ``lossgrad`` command line: every command, its own options, odd values.

Whatever the arguments (huge, negative, NaN and infinity, empty, ``--``, unicode, thousands of
characters long, exponent notation, an option given twice, as ``--opt value`` or ``--opt=value``),
``main`` returns 0 or 2, or 1 for ``post`` alone (a check that found an unexplained difference);
it never raises and never prints a traceback; and on exit 2 its stderr ends with exactly one
error line (after argparse's usage, for a bad argument) that shows no value whole beyond about
80 characters.

Counts that would be accepted are drawn small (a few epochs, steps and points), so every
example runs in milliseconds; large and malformed counts are drawn too, and must be refused.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from demos.cli import COMMANDS, main
from demos.registry import BINARY_LOSSES

LONG = 5000

# Text a number option may be given: valid, at the float's edges, beyond them, and not numbers.
ODD_NUMBERS = [
    "0",
    "-0",
    "0.5",
    "-4.5",
    "1e308",
    "-1e308",
    "1e-320",
    "1e400",
    "-1e400",
    "-1e-3",
    "2.5E+2",
    "-.5",
    "1_000",
    "0x10",
    "nan",
    "NaN",
    "-nan",
    "inf",
    "-inf",
    "Infinity",
    "",
    " ",
    "--",
    "-",
    "e5",
    "1e",
    "½",
    "٣",
    "9" * LONG,
    "-" + "9" * LONG,
    "1" * 400 + "e5",
    "x" * LONG,
]

numbers = st.one_of(
    st.sampled_from(ODD_NUMBERS),
    st.floats().map(repr),
    st.floats().map(lambda x: f"{x:e}"),
    st.integers(-(10**30), 10**30).map(str),
    st.text(max_size=12),
)


def _too_many(text: str, most: int) -> bool:
    """Return whether int() reads text as a whole number above most (a count too slow to run)."""
    try:
        return int(text) > most
    except ValueError:
        return False


REFUSED_COUNTS = ["0", "-1", "-5", "1.5", "1e3", "10001", str(2**64), "9" * LONG, "", "--", "ten"]


def counts(lowest: int, most: int) -> st.SearchStrategy[str]:
    """Return counts as text: small valid ones, and ones to refuse (never a large valid one)."""
    odd = st.one_of(numbers, st.text(max_size=8)).filter(lambda text: not _too_many(text, most))
    return st.one_of(st.integers(lowest, most).map(str), st.sampled_from(REFUSED_COUNTS), odd)


labels = st.one_of(
    st.sampled_from(["0", "1", " 1 ", "2", "-1", "01", "1.0", "", "true", "y" * LONG]),
    st.text(),
)
loss_lists = st.one_of(
    st.sampled_from(["all", "focal", "bce,focal", "hinge,hinge", ",", "", " , ", "w" * LONG]),
    st.lists(st.sampled_from([*BINARY_LOSSES, "all", "", "softmax"]), max_size=4).map(",".join),
    st.text(max_size=12),
)
loss_names = st.one_of(
    st.sampled_from([*BINARY_LOSSES, "softmax", "", "-1e-3", "z" * LONG]),
    st.text(max_size=8),
)
precisions = st.one_of(
    st.integers(-3, 25).map(str),
    st.sampled_from(["", "1e1", "4.0", "9" * LONG]),
)
expressions = st.one_of(
    st.sampled_from(
        [
            "sigmoid(z)",
            "(sigmoid(z) - 1) ** 2",
            "-1e-3",
            "exp(z) ** 1e3",
            "log(0)",
            "z / 0",
            "sqrt(-1)",
            "((((",
            "__import__('os')",
            "1e400",
            "z" * LONG,
            "",
        ]
    ),
    st.text(max_size=16),
)
variables = st.one_of(
    st.sampled_from(["z=1", "z=-4.5", "z=-1e-3", "z=", "=1", "z=nan", "z=1e400", "1=2", "z==1"]),
    st.text(max_size=10),
)


def number_lists(items: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    """Return comma-separated lists of a few items, and lists that are not lists."""
    joined = st.lists(items, max_size=3).map(",".join)
    return st.one_of(joined, st.sampled_from([",", " , ", ",,0.1", "0.1;0.2", "--"]))


def paths(extensions: list[str], writable: bool = True) -> st.SearchStrategy[str]:
    """Return output paths relative to the test's folder: each kind of problem, and writable ones.

    ``writable=False`` leaves out the writable ones, for the plots: matplotlib takes a second to
    draw one (their own tests draw them).
    """
    good = [f"out{extension}" for extension in extensions] + [f"ÜNÏ{extensions[0].upper()}"]
    bad = [
        "out.jpg",
        "out",
        "",
        "--",
        "missing/out.svg",
        "folder.svg",
        "out.svg/",
        "a" * 300 + extensions[0],
        "notes.txt/out.svg",
        "/" + "d" * LONG + "/out.svg",
    ]
    text = st.text(max_size=10).filter(lambda name: not name.lower().endswith(tuple(extensions)))
    return st.one_of(st.sampled_from(good + bad if writable else bad), text)


# Each command's options, as its add_parser declares them: the values they are drawn from, or
# None for a flag.
OPTIONS: dict[str, dict[str, st.SearchStrategy[str] | None]] = {
    "stall": {
        "--lr": numbers,
        "--epochs": counts(1, 12),
        "--target": numbers,
        "--seed": numbers,
        "--losses": loss_lists,
        "--classes": counts(2, 10),
        "--every": counts(1, 30),
        "--plot": paths([".svg", ".png"], writable=False),
        "--html": paths([".html", ".htm"]),
        "--json": None,
    },
    "showdown": {
        "--losses": loss_lists,
        "--label": labels,
        "--plot": paths([".svg", ".png"], writable=False),
        "--json": None,
    },
    "post": {"--no-training": None, "--json": None},
    "graph": {
        "--expr": expressions,
        "--var": variables,
        "--logit": numbers,
        "--label": labels,
        "-o": paths([".svg", ".dot", ".gv"]),
        "--output": paths([".svg", ".dot", ".gv"]),
        "--compare": None,
        "--no-shade": None,
        "--derivatives": None,
        "--precision": precisions,
        "--dot": None,
        "--html": paths([".html", ".htm"]),
    },
    "explore": {
        "--p": numbers,
        "--logit": numbers,
        "--label": labels,
        "--html": paths([".html", ".htm"]),
        "--json": None,
    },
    "sweep": {
        "--start-ps": number_lists(numbers),
        "--lrs": number_lists(numbers),
        "--epochs": counts(1, 5),
        "--target": numbers,
        "--seed": numbers,
        "--plot": paths([".svg", ".png"], writable=False),
        "--json": None,
    },
    "moons": {
        "--steps": counts(1, 3),
        "--lr": numbers,
        "--points": counts(2, 12),
        "--noise": numbers,
        "--seed": numbers,
        "--plot": paths([".svg", ".png"], writable=False),
        "--json": None,
        "--html": paths([".html", ".htm"]),
    },
}

# Counts small enough for a run in milliseconds, given first: a count drawn later replaces them.
SMALL = {
    "stall": ["--epochs=5"],
    "sweep": ["--epochs=5", "--start-ps=0.1", "--lrs=1"],
    "moons": ["--steps=2", "--points=10"],
    "post": ["--no-training"],
}

# Arguments no command has: an unknown option, an empty value for one, a stray word, help.
STRAYS = [["--opt=--"], ["--bogus"], ["-x"], ["--"], ["stray"], ["-1e-3"], ["--help"], [""]]


@st.composite
def command_lines(draw: st.DrawFn, command: str) -> list[str]:
    """Return a command line of command: some of its options (maybe twice), odd values, a stray."""
    options = OPTIONS[command]
    argv = [command, *SMALL.get(command, [])]
    if command == "graph" and draw(st.booleans()):
        argv.append(draw(loss_names))
    for option in draw(st.lists(st.sampled_from(sorted(options)), max_size=5)):
        values = options[option]
        if values is None:
            argv.append(option)
        elif draw(st.booleans()):
            argv.extend([option, draw(values)])
        else:
            argv.append(f"{option}={draw(values)}")
    if draw(st.integers(0, 9)) == 0:
        argv.extend(draw(st.sampled_from(STRAYS)))
    return argv


def _check_run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    """Run main(argv) and check its exit status and stderr."""
    capsys.readouterr()
    status = main(argv)
    err = capsys.readouterr().err
    assert "Traceback" not in err and "internal error" not in err, err
    assert status in ((0, 1, 2) if argv[:1] == ["post"] else (0, 2)), (status, err)
    if status != 2:
        return
    lines = err.splitlines()
    error_lines = [line for line in lines if re.match(r"lossgrad( \w+)?: error: ", line)]
    assert len(error_lines) == 1 and lines[-1] == error_lines[0], err
    longest_word = max(len(word) for word in error_lines[0].split())
    assert longest_word <= 90, error_lines[0]  # no value echoed whole
    if err.startswith("usage:"):  # a bad argument: the usage (argparse wraps it), then the error
        assert all(line.startswith(" ") for line in lines[1:-1]), err


@pytest.fixture
def workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Return a folder to run in (drawn paths are relative to it), holding a folder and a file."""
    monkeypatch.chdir(tmp_path)
    for folder in ("folder.svg", "folder.html"):
        (tmp_path / folder).mkdir()
    (tmp_path / "notes.txt").write_text("a file, not a folder", encoding="utf-8")
    return tmp_path


@pytest.mark.parametrize("command", list(COMMANDS))
def test_any_command_line_exits_0_or_2_with_one_error_line(
    command: str, workspace: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    @settings(
        max_examples=10 if command == "post" else 60,  # post has two flags, and takes longest
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(argv=command_lines(command))
    def check(argv: list[str]) -> None:
        _check_run(argv, capsys)

    check()


TOP_LEVEL_WORDS = ["--version", "--help", "-h", "--", "-1e-3", "stal", "--bogus", "--opt=--"]


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(argv=st.lists(st.one_of(st.sampled_from(TOP_LEVEL_WORDS), st.text()), max_size=3))
def test_any_top_level_command_line_exits_0_or_2(
    argv: list[str],
    capsys: pytest.CaptureFixture[str],
) -> None:
    if any(word in COMMANDS for word in argv):
        argv = ["--bogus", *argv]  # each command has a test of its own, above
    _check_run(argv, capsys)


@pytest.mark.parametrize("command", list(COMMANDS))
def test_the_strategies_draw_every_option_of_every_command(
    command: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert command in OPTIONS, f"OPTIONS has no entry for lossgrad {command}: add its options"
    assert main([command, "--help"]) == 0
    listed = set()
    for line in capsys.readouterr().out.splitlines():  # "  -o FILE, --output FILE   help..."
        declared = re.match(r" {2}(-.*?)(?: {2,}|$)", line)
        if declared:
            listed |= {spelling.split()[0] for spelling in declared.group(1).split(", ")}
    assert listed - {"-h", "--help"} == set(OPTIONS[command])
