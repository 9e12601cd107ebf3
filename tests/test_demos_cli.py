"""The ``lossgrad`` command as a user meets it: help, bad arguments, errors, files, explore and graph."""

from __future__ import annotations

import importlib.metadata
import importlib.util
import io
import json
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from importlib.metadata import entry_points
from pathlib import Path

import pytest

import demos.__main__
from demos.cli import ASCII_FALLBACK, COMMANDS, build_parser, main
from demos.explore import explorer_curves, explorer_html, gradients_at
from demos.output import OutputError, atomic_path, check_output_path, write_text
from demos.plots import PlotError
from demos.registry import BINARY_LOSSES
from demos.terminal import Style, table, visible_width
from engine.drawing import RendererNotFoundError

REPO = Path(__file__).resolve().parents[1]
SVG = "{http://www.w3.org/2000/svg}"


def run_module(*args: str) -> subprocess.CompletedProcess[str]:
    """Return the finished `python -m demos args...`, run from the repository as a user would."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    env.pop("NO_COLOR", None)
    return subprocess.run(
        [sys.executable, "-m", "demos", *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
        check=False,
    )


def svg_texts(path_or_text: Path | str) -> list[str]:
    """Return every text of an SVG document (parsing it as XML, which fails on an invalid file)."""
    text = path_or_text.read_text(encoding="utf-8") if isinstance(path_or_text, Path) else path_or_text
    root = ET.fromstring(text.encode("utf-8"))
    assert root.tag == f"{SVG}svg"
    return ["".join(element.itertext()) for element in root.iter(f"{SVG}text")]


# --- the command line ----------------------------------------------------------------------------


def test_help_lists_every_command_in_a_subprocess() -> None:
    result = run_module("--help")
    assert result.returncode == 0, result.stderr
    # The commands section lists each as "    NAME  help"; the examples below it would name them anyway.
    listed = re.findall(r"^ {4}(\w+) ", result.stdout, flags=re.MULTILINE)
    assert listed == list(COMMANDS) and listed[0] == "stall"  # the headline first
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("command", list(COMMANDS))
def test_every_command_has_help(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([command, "--help"]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"usage: lossgrad {command}")


@pytest.mark.parametrize(
    "argv, complaint",
    [
        (["nonsense"], "invalid choice: 'nonsense'"),
        (["stall", "--lr", "-1"], "argument --lr: must be > 0, got -1"),
        (["stall", "--lr", "fast"], "argument --lr: expected a number, got 'fast'"),
        (["stall", "--epochs", "0"], "argument --epochs: must be from 1 to 10,000, got 0"),
        (["stall", "--epochs", "10001"], "argument --epochs: must be from 1 to 10,000, got 10001"),
        (["stall", "--every", "10001"], "argument --every: must be from 1 to 10,000, got 10001"),
        (["moons", "--steps", "1001"], "argument --steps: must be from 1 to 1,000, got 1001"),
        (["moons", "--points", "1001"], "argument --points: must be from 2 to 1,000, got 1001"),
        (
            ["stall", "--seed", str(2**32)],
            "argument --seed: must be from 0 to 4,294,967,295, got 4294967296",
        ),
        (["stall", "--epochs=--"], "argument --epochs: expected a value, got '--'"),
        (["explore", "--p=--"], "argument --p: expected a value, got '--'"),
        (["graph", "-o--"], "argument -o/--output: expected a value, got '--'"),
        (["stall", "--lr="], "argument --lr: expected a number, got ''"),
        (["stall", "--epochs", ""], "argument --epochs: expected a whole number, got ''"),
        (
            ["showdown", "--losses="],
            "argument --losses: expected loss names separated by commas, got ''",
        ),
        (
            ["showdown", "--losses", " , "],
            "argument --losses: expected loss names separated by commas",
        ),
        (["explore", "--label="], "argument --label: must be 0 or 1, got ''"),
        (["graph", "--logit", "-inf"], "argument --logit: expected a finite number, got '-inf'"),
        (["graph", "--logit=-1e400"], "argument --logit: expected a finite number, got '-1e400'"),
        (["stall", "--opt=--"], "unrecognized arguments: --opt=--"),
        (["stall", "--target", "150"], "argument --target: must be a fraction"),
        (
            ["explore", "--p", "1.5"],
            "argument --p: must be a probability strictly between 0 and 1, got 1.5",
        ),
        (["explore", "--label", "2"], "argument --label: must be 0 or 1, got '2'"),
        (["explore", "--p", "0.3", "--logit", "1"], "not allowed with argument"),
        (["graph", "softmax"], "invalid choice: 'softmax'"),
        (["graph", "--logit", "nan"], "argument --logit: expected a finite number, got 'nan'"),
        (["showdown", "--losses", "bogus"], "unknown loss 'bogus'"),
        (
            ["showdown", "--losses", "mse_sigmoid"],
            f"unknown loss 'mse_sigmoid'; choose from {', '.join(BINARY_LOSSES)} (or 'all')",
        ),
        (["graph", "mse_sigmoid"], "invalid choice: 'mse_sigmoid'"),
        (["moons", "--noise", "-0.1"], "argument --noise: must be >= 0, got -0.1"),
        (["moons", "--points", "1"], "argument --points: must be from 2 to 1,000, got 1"),
        (["moons", "--seed", "-5"], "argument --seed: must be from 0 to 4,294,967,295, got -5"),
        (["stall", "--seed", "1.5"], "argument --seed: expected a whole number, got '1.5'"),
        (["graph", "--precision", "18"], "argument --precision: must be from 0 to 17, got 18"),
    ],
)
def test_bad_arguments_exit_2_with_usage_and_one_line_reason(
    argv: list[str], complaint: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(argv) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith("usage: lossgrad")
    error_lines = [line for line in captured.err.splitlines() if "error:" in line]
    assert len(error_lines) == 1 and complaint in error_lines[0]


@pytest.mark.parametrize(
    "argv_tail, complaint",
    [
        (["stall", "--plot", "{missing}/curves.svg"], "does not exist"),
        (["stall", "--plot", "{tmp}/curves.jpg"], "unknown extension '.jpg' (use .svg or .png)"),
        (["showdown", "--plot", "{tmp}/curves"], "unknown extension (none)"),
        (["graph", "-o", "{tmp}/bce.png"], "unknown extension '.png' (use .svg, .dot or .gv)"),
        (["explore", "--html", "{missing}/page.html"], "does not exist"),
        (["moons", "--plot", "{tmp}"], "unknown extension"),
    ],
)
def test_bad_output_paths_are_refused_before_any_work_and_nothing_is_written(
    argv_tail: list[str], complaint: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = [part.format(tmp=tmp_path, missing=tmp_path / "no-such-folder") for part in argv_tail]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert complaint in err and "usage:" in err
    assert list(tmp_path.iterdir()) == []


def test_plot_without_matplotlib_names_the_extra(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    real_find_spec = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util,
        "find_spec",
        lambda name, *a: None if name == "matplotlib" else real_find_spec(name, *a),
    )
    assert main(["stall", "--plot", str(tmp_path / "curves.png")]) == 2
    assert 'pip install "lossgrad[plot]"' in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_plot_helpers_without_matplotlib_raise_the_same_hint(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from demos.plots import PlotError, pyplot

    for name in [m for m in sys.modules if m == "matplotlib" or m.startswith("matplotlib.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # import matplotlib now raises ImportError
    with pytest.raises(PlotError, match=r'pip install "lossgrad\[plot\]"'):
        pyplot()


def test_library_errors_become_one_line_and_exit_2(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def fails(*args: object, **kwargs: object) -> None:
        raise ValueError("binary_cross_entropy: p must be in [0, 1],\ngot 1.5")

    monkeypatch.setattr("demos.stall.run_stall", fails)
    assert main(["stall"]) == 2
    err = capsys.readouterr().err
    assert err == "lossgrad stall: error: binary_cross_entropy: p must be in [0, 1], got 1.5\n"


@pytest.mark.parametrize(
    ("error", "status"),
    [
        (RendererNotFoundError("no dot-compatible renderer found"), 2),
        (PlotError('pip install "lossgrad[plot]"'), 2),
        (
            RecursionError("maximum recursion depth exceeded"),
            1,
        ),  # a RuntimeError, but lossgrad's own bug
        (RuntimeError("something lossgrad did not expect"), 1),
    ],
)
def test_only_the_runtime_errors_a_user_can_cause_exit_2(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    error: Exception,
    status: int,
) -> None:
    def fails(*args: object, **kwargs: object) -> None:
        raise error

    monkeypatch.setattr("demos.stall.run_stall", fails)
    monkeypatch.delenv("LOSSGRAD_DEBUG", raising=False)
    assert main(["stall"]) == status
    err = capsys.readouterr().err
    assert ("internal error" in err) == (status == 1) and str(error) in err and "Traceback" not in err


def test_ctrl_c_is_one_line_and_exit_130(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    def interrupted(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr("demos.stall.run_stall", interrupted)
    assert main(["stall"]) == 130
    assert capsys.readouterr().err == "lossgrad stall: interrupted\n"


def test_an_internal_error_is_one_line_exit_1_and_debuggable(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    class Surprise(Exception):
        pass

    def fails(*args: object, **kwargs: object) -> None:
        raise Surprise("a bug")

    monkeypatch.setattr("demos.showdown.showdown_rows", fails)
    monkeypatch.delenv("LOSSGRAD_DEBUG", raising=False)
    assert main(["showdown"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("lossgrad showdown: internal error: Surprise: a bug") and "Traceback" not in err
    monkeypatch.setenv("LOSSGRAD_DEBUG", "1")
    with pytest.raises(Surprise):
        main(["showdown"])


def test_entry_point_is_declared_for_the_lossgrad_script() -> None:
    pyproject = (REPO / "pyproject.toml").read_text(encoding="utf-8")
    assert 'lossgrad = "demos.__main__:main"' in pyproject
    (script,) = entry_points(group="console_scripts", name="lossgrad")  # as pip installed it
    assert script.load() is demos.__main__.main


def test_lossgrad_alone_prints_the_help_and_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 0
    captured = capsys.readouterr()
    assert captured.out.startswith("usage: lossgrad") and "commands:" in captured.out
    assert captured.err == ""
    result = run_module()  # the same from a shell
    assert result.returncode == 0 and result.stdout == captured.out and result.stderr == ""


def test_version_comes_from_the_installed_package(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    installed = importlib.metadata.version("lossgrad")
    assert main(["--version"]) == 0
    assert capsys.readouterr().out == f"lossgrad {installed}\n"

    def not_installed(name: str) -> str:
        raise importlib.metadata.PackageNotFoundError(name)

    monkeypatch.setattr(importlib.metadata, "version", not_installed)  # a checkout never installed
    assert main(["--version"]) == 0
    pyproject = (REPO / "pyproject.toml").read_text(encoding="utf-8")
    declared = re.search(r'^version = "(.+)"$', pyproject, re.MULTILINE)
    assert declared and capsys.readouterr().out == f"lossgrad {declared.group(1)}\n"


@pytest.mark.parametrize(
    "argv, shown",
    [
        (["graph", "--logit", "-1e-3", "--dot"], "z = -0.001, y = 1"),
        (["graph", "--logit=-1e-3", "--dot"], "z = -0.001, y = 1"),
        (["graph", "--logit", "-1E+1", "--dot"], "z = -10, y = 1"),
        (["graph", "--logit", "-.5", "--dot"], "z = -0.5, y = 1"),
        (["graph", "--logit", "-2_5", "--dot"], "z = -25, y = 1"),
        (["graph", "--expr", "-1e-3", "--dot"], "-1e-3 = -0.001000"),
        (["explore", "--logit", "-4.5e0", "--json"], '"z": -4.5'),
    ],
)
def test_negative_numbers_in_any_notation_are_values(
    argv: list[str], shown: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(argv) == 0
    captured = capsys.readouterr()
    assert shown in captured.out + captured.err


def test_a_negative_number_is_refused_by_its_option_not_read_as_one(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["stall", "--lr", "-1e-3"]) == 2
    err = capsys.readouterr().err
    assert err.endswith("lossgrad stall: error: argument --lr: must be > 0, got -1e-3\n")


@pytest.mark.parametrize(
    "command, option, bounds, lowest, highest",
    [
        ("stall", "--epochs", "1 to 10,000", 1, 10_000),
        ("stall", "--every", "1 to 10,000", 1, 10_000),
        ("stall", "--seed", "0 to 2**32 - 1", 0, 2**32 - 1),
        ("moons", "--steps", "1 to 1,000", 1, 1_000),
        ("moons", "--points", "2 to 1,000", 2, 1_000),
        ("moons", "--seed", "0 to 2**32 - 1", 0, 2**32 - 1),
    ],
)
def test_counts_have_upper_bounds_documented_in_the_help(
    command: str,
    option: str,
    bounds: str,
    lowest: int,
    highest: int,
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main([command, "--help"]) == 0
    help_text = " ".join(capsys.readouterr().out.split())  # argparse wraps lines
    assert re.search(rf"{option} \w+ [^-]*{re.escape(bounds)}", help_text)
    parsed = build_parser().parse_args([command, f"{option}={highest}"])
    assert getattr(parsed, option[2:]) == highest  # the bound itself is allowed
    assert main([command, f"{option}={highest + 1}"]) == 2
    assert main([command, f"{option}={lowest - 1}"]) == 2


@pytest.mark.parametrize(
    "argv",
    [
        ["stall", "--seed", "9" * 5000],  # beyond int()'s own limit of 4,300 digits
        ["stall", "--epochs", "1" * 400],
        ["stall", "--lr", "x" * 5000],
        ["explore", "--label", "y" * 5000],
        ["graph", "z" * 5000],  # argparse's own "invalid choice"
        ["showdown", "--losses", "w" * 5000],
        ["graph", "--logit=-" + "9" * 5000 + "x"],
        ["stall", "--epochs", "5", "u" * 5000],  # "unrecognized arguments"
        ["graph", "-o", f"/{'d' * 5000}/graph.svg"],
    ],
)
def test_errors_show_at_most_about_80_characters_of_a_value(
    argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(argv) == 2
    (error_line,) = [line for line in capsys.readouterr().err.splitlines() if ": error: " in line]
    assert len(error_line) < 250 and max(len(word) for word in error_line.split()) <= 90
    longest_value = max(argv, key=len).split("=")[-1].lstrip("-")
    assert longest_value[:20] in error_line and longest_value[-19:] in error_line  # start and end
    assert "..." in error_line  # the value is cut, and says so


# --- Ctrl-C, and a standard output that is closed, gone or not UTF-8 ---------------------------

# Run by `python -c` in a fresh interpreter: the lossgrad script's entry point, as pip installed it,
# with an import hook that interrupts the first import of numpy, the way a Ctrl-C in the first
# fraction of a second lands in the imports.
CLOSED = "standard output is closed; nothing could be printed"

INTERRUPTED_WHILE_IMPORTING = """
import os, signal, sys
from importlib.metadata import entry_points

class InterruptNumpy:
    def find_spec(self, name, path=None, target=None):
        if name == "numpy":
            sys.meta_path.remove(self)
            {interrupt}
        return None

sys.meta_path.insert(0, InterruptNumpy())
(script,) = entry_points(group="console_scripts", name="lossgrad")
sys.argv = ["lossgrad", "stall"]
sys.exit(script.load()())
"""


@pytest.mark.parametrize(
    "interrupt",
    [
        "raise KeyboardInterrupt",
        "os.kill(os.getpid(), signal.SIGINT)",  # the signal itself, to Python's default handler
    ],
)
def test_ctrl_c_while_the_command_imports_exits_130_with_one_line(interrupt: str) -> None:
    code = INTERRUPTED_WHILE_IMPORTING.format(interrupt=interrupt)
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
        check=False,
    )
    assert result.returncode == 130, result.stderr
    assert result.stderr == "lossgrad: interrupted\n" and result.stdout == ""


@pytest.mark.parametrize("command", list(COMMANDS))
def test_a_closed_stdout_is_refused_before_any_work(
    command: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(sys, "stdout", None)  # what Python sets when started without a descriptor 1
    assert main([command]) == 2
    assert capsys.readouterr().err == f"lossgrad: error: {CLOSED}\n"


def test_a_closed_stdout_from_a_shell() -> None:
    python = f"'{sys.executable}' -m demos"
    result = subprocess.run(
        ["sh", "-c", f"{python} graph >&-; echo $?; {python} stall >&-"],
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.stdout == "2\n" and result.returncode == 2
    assert result.stderr == f"lossgrad: error: {CLOSED}\n" * 2


class GonePipe(io.StringIO):
    """Standard output whose reader went away (`lossgrad post | head -1`)."""

    def write(self, text: str) -> int:
        raise BrokenPipeError(32, "Broken pipe")


def test_a_reader_that_goes_away_ends_the_command_quietly(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(sys, "stdout", GonePipe())
    assert main(["post", "--no-training"]) == 0
    assert capsys.readouterr().err == ""
    process = subprocess.Popen(
        [sys.executable, "-m", "demos", "post", "--no-training"],
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
    )
    assert process.stdout is not None and process.stderr is not None
    process.stdout.close()  # the reader leaves before reading a byte
    err = process.stderr.read().decode()
    assert process.wait(timeout=120) == 0 and err == ""


def run_on_stdout(
    argv: list[str],
    encoding: str,
    monkeypatch: pytest.MonkeyPatch,
) -> tuple[int, str]:
    """Return the status of main(argv) and its output, on a standard output of that encoding."""
    raw = io.BytesIO()
    stream = io.TextIOWrapper(raw, encoding=encoding, newline="\n", write_through=True)
    monkeypatch.setattr(sys, "stdout", stream)
    status = main(argv)
    stream.flush()
    return status, raw.getvalue().decode(encoding)


def masked(text: str) -> str:
    """Return text with its numbers replaced by N (timings differ from run to run)."""
    return re.sub(r"\d+(\.\d+)?", "N", text)


@pytest.mark.parametrize(
    "argv",
    [
        ["stall", "--epochs", "30"],
        ["showdown", "--losses", "all"],
        ["post", "--no-training"],
        ["graph", "--compare"],
        ["graph", "focal", "--derivatives", "--dot"],
        ["graph", "--expr", "sigmoid(z) * 2 - 1", "--var", "z=0.5"],
        ["explore"],
        ["moons", "--steps", "2", "--points", "10"],
    ],
)
def test_every_command_prints_its_whole_report_on_an_ascii_stdout(
    argv: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    status, unicode_text = run_on_stdout(argv, "utf-8", monkeypatch)
    assert status == 0
    status, ascii_text = run_on_stdout(argv, "ascii", monkeypatch)
    assert status == 0
    assert ascii_text.isascii()
    # Line for line what a UTF-8 terminal shows, each symbol spelt in ASCII.
    spelt = unicode_text.encode("ascii", ASCII_FALLBACK).decode("ascii")
    assert masked(ascii_text) == masked(spelt)


@pytest.mark.parametrize(
    "environment",
    [{"PYTHONIOENCODING": "ascii"}, {"LC_ALL": "C", "PYTHONUTF8": "0", "PYTHONCOERCECLOCALE": "0"}],
)
def test_post_on_a_terminal_that_is_not_utf8(environment: dict[str, str]) -> None:
    env = {**os.environ, "PYTHONPATH": str(REPO), **environment}
    env.pop("LANG", None)
    command = [sys.executable, "-m", "demos", "post", "--no-training"]
    result = subprocess.run(command, cwd=REPO, env=env, capture_output=True, timeout=120)
    assert result.returncode == 0 and result.stderr == b""
    last_line = result.stdout.decode("ascii").splitlines()[-1]
    assert re.fullmatch(r"\d+ numbers checked: .* 0 unexplained X", last_line)


def test_every_symbol_in_lossgrads_code_has_an_ascii_spelling() -> None:
    symbols: set[str] = set()
    for package in ("demos", "engine", "losses", "nn"):
        for source in (REPO / package).rglob("*.py"):
            symbols |= {c for c in source.read_text(encoding="utf-8") if not c.isascii()}
    assert "σ" in symbols  # the scan sees the code
    spelt = {symbol: symbol.encode("ascii", ASCII_FALLBACK).decode() for symbol in sorted(symbols)}
    assert {symbol: spelling for symbol, spelling in spelt.items() if spelling in ("", "?")} == {}
    assert [spelt[symbol] for symbol in "σ✓²ŷ"] == ["sigma", "ok", "^2", "y_hat"]


# --- output paths, end to end: exit 2 naming the path, nothing written ----------------------------


def refused(argv: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    """Return the one error line of main(argv), after checking it exited 2 with the usage."""
    assert main(argv) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err.startswith("usage: lossgrad")
    assert "Traceback" not in captured.err
    (error_line,) = [line for line in captured.err.splitlines() if ": error: " in line]
    return error_line


@pytest.mark.parametrize(
    "argv",
    [
        ["graph", "-o", "{path}"],
        ["stall", "--plot", "{path}"],
        ["showdown", "--plot", "{path}"],
        ["explore", "--html", "{path}"],
        ["graph", "--html", "{path}"],
        ["moons", "--plot", "{path}"],
    ],
)
@pytest.mark.parametrize("problem", ["too long", "a folder", "ends in a slash", "under a file"])
def test_every_output_path_problem_exits_2_naming_the_path(
    argv: list[str], problem: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    extension = ".html" if "--html" in argv else ".svg"
    text = str(tmp_path / f"out{extension}")
    if problem == "too long":
        text = str(tmp_path / ("a" * 300 + extension))
    elif problem == "a folder":
        Path(text).mkdir()
    elif problem == "ends in a slash":
        text += "/"
    else:
        (tmp_path / "notes.txt").write_text("a file", encoding="utf-8")
        text = str(tmp_path / "notes.txt" / f"out{extension}")
    before = sorted(tmp_path.iterdir())
    error_line = refused([part.format(path=text) for part in argv], capsys)
    assert text[-15:] in error_line  # the path, or at least its end
    assert sorted(tmp_path.iterdir()) == before


def test_an_output_folder_that_cannot_be_searched_exits_2_naming_the_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    locked = tmp_path / "locked"
    (locked / "inner").mkdir(parents=True)
    locked.chmod(0)
    try:
        if os.geteuid() == 0:  # permissions do not stop root: refuse the search as the kernel would
            real_stat = os.stat

            def stat(path: object, *args: object, **kwargs: object) -> os.stat_result:
                if str(path).startswith(f"{locked}{os.sep}"):
                    raise PermissionError(13, "Permission denied", str(path))
                return real_stat(path, *args, **kwargs)  # type: ignore[arg-type]

            monkeypatch.setattr(os, "stat", stat)
        target = locked / "inner" / "bce.svg"
        error_line = refused(["graph", "-o", str(target)], capsys)
    finally:
        locked.chmod(0o755)
    assert error_line.startswith("lossgrad graph: error: argument -o/--output: graph '/tmp")
    assert str(target)[:40] in error_line and str(target)[-19:] in error_line  # its start and end


# --- files: checked early, written whole -------------------------------------------------------


def test_check_output_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert check_output_path(tmp_path / "a.SVG", (".svg", ".png")) == tmp_path / "a.SVG"
    (tmp_path / "dir.svg").mkdir()
    with pytest.raises(OutputError, match="is a folder"):
        check_output_path(tmp_path / "dir.svg", (".svg",))
    with pytest.raises(OutputError, match=r"the folder .* does not exist"):
        check_output_path(tmp_path / "missing" / "a.svg", (".svg",))
    with monkeypatch.context() as patch:  # a read-only folder (chmod does not stop root, so pretend)
        patch.setattr(os, "access", lambda folder, mode: False)
        with pytest.raises(OutputError, match=r"the folder .* is not writable"):
            check_output_path(tmp_path / "a.svg", (".svg",))
    with pytest.raises(FileNotFoundError) as raised:  # the writer itself names the target, not its temporary
        write_text(tmp_path / "missing" / "a.svg", "<svg/>")
    assert raised.value.filename == str(tmp_path / "missing" / "a.svg")


def test_atomic_write_replaces_whole_or_leaves_the_old_file(tmp_path: Path) -> None:
    target = tmp_path / "out.txt"
    write_text(target, "first version\n")
    with pytest.raises(RuntimeError, match="disk on fire"), atomic_path(target) as temporary:
        temporary.write_text("half a fi", encoding="utf-8")
        raise RuntimeError("disk on fire")
    assert target.read_text(encoding="utf-8") == "first version\n"
    assert [p.name for p in tmp_path.iterdir()] == ["out.txt"]  # no temporary left behind
    write_text(target, "second version\n")
    assert target.read_text(encoding="utf-8") == "second version\n"
    umask = os.umask(0)
    os.umask(umask)
    assert target.stat().st_mode & 0o777 == 0o666 & ~umask  # the usual permissions, not mkstemp's 0600


# --- terminal ----------------------------------------------------------------------------------


class FakeTerminal:
    def isatty(self) -> bool:
        return True


class TerminalCapture(io.StringIO):
    """Standard output that says it is a terminal, and keeps what was written."""

    def isatty(self) -> bool:
        return True


def test_colour_only_on_a_terminal_without_no_color(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("TERM", "xterm-256color")
    assert Style.for_stream(FakeTerminal()).enabled  # type: ignore[arg-type]
    with open(os.devnull, "w") as pipe_like:
        assert not Style.for_stream(pipe_like).enabled
    monkeypatch.setenv("NO_COLOR", "1")
    assert not Style.for_stream(FakeTerminal()).enabled  # type: ignore[arg-type]
    painted = Style(True).bad("x")
    assert painted != "x" and visible_width(painted) == 1


@pytest.mark.parametrize(
    ("no_color", "term", "coloured"),
    [
        (None, "xterm-256color", True),
        ("", "xterm-256color", True),  # no-color.org: set *and not empty* turns colour off
        ("1", "xterm-256color", False),
        ("false", "xterm-256color", False),  # any non-empty value, even this one
        (None, "dumb", False),
        ("", "dumb", False),
    ],
)
def test_no_color_and_a_dumb_terminal_get_no_escape_codes(
    no_color: str | None, term: str, coloured: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    if no_color is None:
        monkeypatch.delenv("NO_COLOR", raising=False)
    else:
        monkeypatch.setenv("NO_COLOR", no_color)
    monkeypatch.setenv("TERM", term)
    assert Style.for_stream(FakeTerminal()).enabled is coloured  # type: ignore[arg-type]
    for argv in (["explore"], ["showdown"], ["post", "--no-training"], ["stall", "--epochs", "5"]):
        screen = TerminalCapture()
        monkeypatch.setattr(sys, "stdout", screen)
        assert main(argv) == 0
        assert ("\x1b[" in screen.getvalue()) is coloured, argv


def test_table_aligns_visible_columns_even_with_colour() -> None:
    lines = table(["a", "bb"], [[Style(True).good("1"), "22"], ["333", "4"]])
    assert [visible_width(line) for line in lines] == [7, 7, 7, 7]
    plain = table(["x", "a", "b"], [["1", "2", "3"]], groups=[("", 1), ("AB", 2)])
    coloured = table(["x", "a", "b"], [["1", "2", "3"]], groups=[("", 1), (Style(True).bad("AB"), 2)])
    assert plain[0] == "    AB" and visible_width(coloured[0]) == len(plain[0])
    with pytest.raises(ValueError, match="every row must have 2 cells"):
        table(["a", "b"], [["1"]])


# --- explore -----------------------------------------------------------------------------------


def test_explore_prints_both_losses_and_both_gradients(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["explore", "--p", "0.01", "--label", "1"]) == 0
    out = capsys.readouterr().out
    for number in (
        "0.980100",
        "4.605170",
        "-1.980000",
        "-100.000000",
        "-0.019602",
        "-0.990000",
        "50.5x",
    ):
        assert number in out
    assert "\x1b[" not in out  # captured output is not a terminal: no colour


def test_explore_says_where_the_clip_stops_cross_entropys_gradient(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["explore", "--p", "1e-18", "--label", "1"]) == 0  # below binary_cross_entropy's eps = 1e-15
    out = capsys.readouterr().out
    assert "cross-entropy's gradient with respect to the logit is exactly 0 here" in out
    assert "harder than MSE" not in out  # no "0.0x harder" verdict


def test_explore_at_the_posts_logit_as_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["explore", "--logit", "-4.5", "--label", "1", "--json"]) == 0
    point = json.loads(capsys.readouterr().out)
    assert f"{point['p']:.6f}" == "0.010987"
    assert f"{point['mse_loss']:.6f}" == "0.978147" and f"{point['mse_grad_z']:.6f}" == "-0.021494"
    assert f"{point['bce_loss']:.4f}" == "4.5110"
    assert point["bce_grad_z"] == pytest.approx(point["p"] - 1, abs=1e-15)  # the cancellation: p - y


def test_explorer_data_comes_from_backprop_and_shows_the_cancellation() -> None:
    data = explorer_curves(points=99)
    assert len(data["p"]) == 99 and data["initial_label"] == 1
    assert data["p"][data["initial_index"]] == pytest.approx(0.01)
    for label in (0, 1):
        curves = data["curves"][str(label)]
        for p, bce_dz, mse_dz in zip(data["p"], curves["bce_grad_z"], curves["mse_grad_z"]):
            assert bce_dz == pytest.approx(p - label, abs=1e-9)
            assert mse_dz == pytest.approx(2 * (p - label) * p * (1 - p), abs=1e-9)
    point = gradients_at(0, p=0.3)
    assert point.mse_grad_p == pytest.approx(0.6) and point.bce_grad_p == pytest.approx(1 / 0.7)


def test_explore_html_is_self_contained(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    page = tmp_path / "explorer.html"
    assert main(["explore", "--p", "0.2", "--label", "0", "--html", str(page)]) == 0
    assert "wrote the explorer page" in capsys.readouterr().out
    html = page.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>") and "<!-- data -->" not in html
    # No resource from anywhere: the only URL is the SVG namespace the script creates elements in.
    assert html.count("http://") == 1 and "http://www.w3.org/2000/svg" in html and "https://" not in html
    for forbidden in ("<link", "src=", "@import", "url("):
        assert forbidden not in html
    opening = '<script type="application/json" id="page-data">'
    start = html.index(opening) + len(opening)
    data = json.loads(html[start : html.index("</script>", start)])
    assert data["initial_label"] == 0 and data["p"][data["initial_index"]] == pytest.approx(0.2)
    for element_id in (
        "p-slider",
        "label-toggle",
        "mse-loss",
        "bce-loss",
        "mse-grad-z",
        "bce-grad-z",
        "grad-ratio",
    ):
        assert f'id="{element_id}"' in html
    assert explorer_html() == explorer_html()  # deterministic


# --- graph -------------------------------------------------------------------------------------


def test_graph_of_bce_at_the_posts_point(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "bce.svg"
    assert main(["graph", "bce", "--logit", "-4.5", "--label", "1", "-o", str(out)]) == 0
    assert "dL/dz = -0.989013" in capsys.readouterr().out
    texts = svg_texts(out)
    assert "z" in texts and "p" in texts and "loss" in texts
    assert "data -4.5000" in texts and "grad -0.9890" in texts  # the leaf z and its gradient, p - y
    assert "data 4.5110" in texts and "grad 1.0000" in texts  # the root


@pytest.mark.parametrize(
    "loss, z_grad",
    [
        ("mse", "-0.0215"),
        ("bce_with_logits", "-0.9890"),
        ("focal", "-0.2661"),
        ("hinge", "-1.0000"),
    ],
)
def test_graph_of_other_losses(loss: str, z_grad: str, tmp_path: Path) -> None:
    out = tmp_path / f"{loss}.svg"
    assert main(["graph", loss, "--logit", "-4.5", "--label", "1", "-o", str(out), "--derivatives"]) == 0
    assert f"grad {z_grad}" in svg_texts(out)


def test_graph_compare_puts_mse_and_bce_side_by_side(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "compare.svg"
    assert main(["graph", "--compare", "-o", str(out)]) == 0
    assert "46.0x" in capsys.readouterr().out
    root = ET.parse(out).getroot()
    panels = root.findall(f"{SVG}svg")
    assert len(panels) == 2
    assert float(panels[1].get("x", "0")) > float(panels[0].get("x", "0")) + float(panels[0].get("width", "0"))
    titles = [t.text for t in root.findall(f"{SVG}text[@class='panel-title']")]
    assert titles == ["squared error through the sigmoid", "binary cross-entropy on p = sigmoid(z)"]
    first, second = ("".join(e.itertext()) for e in panels)
    assert "grad -0.0215" in first and "grad -0.9890" in second


def test_graph_dot_and_stdout(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "mse.dot"
    assert main(["graph", "mse", "-o", str(out)]) == 0
    assert out.read_text(encoding="utf-8").startswith("digraph {")
    capsys.readouterr()
    assert main(["graph", "mse", "--logit", "0"]) == 0
    captured = capsys.readouterr()
    assert "grad -0.2500" in svg_texts(captured.out)  # 2(p - 1)·p(1 - p) at p = 0.5
    assert "dL/dz = -0.250000" in captured.err
    assert main(["graph", "--dot", "-o", str(tmp_path / "x.svg")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("usage: lossgrad graph") and "lossgrad graph: error: --dot gives DOT text" in err
    assert not (tmp_path / "x.svg").exists()


def test_combine_svgs_reads_sizes_from_width_and_height_without_a_viewbox() -> None:
    from demos.graph import combine_svgs

    drawing = '<svg xmlns="http://www.w3.org/2000/svg" width="100pt" height="40pt"><text>a</text></svg>'
    root = ET.fromstring(combine_svgs([("A", "first", drawing), ("B", "second", drawing)], gap=10.0).encode("utf-8"))
    assert root.get("viewBox") == "0 0 230.00 91.00"  # 10 + 100 + 10 + 100 + 10 wide; 46 + 40 + 5 high
    assert [panel.get("x") for panel in root.findall(f"{SVG}svg")] == ["10.00", "120.00"]
