"""Tests of nn.ProgressBar: printed once off a terminal, redrawn in place (at most ~10/s) on one."""

from __future__ import annotations

import io
import math
import time

import pytest

from nn import ProgressBar


class Terminal(io.StringIO):
    """A stream that says it is a terminal."""

    def isatty(self) -> bool:
        return True


class Clock:
    """A stand-in for time.monotonic that moves only when told to."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    fake = Clock()
    monkeypatch.setattr(time, "monotonic", fake)
    return fake


def test_off_a_terminal_only_the_finished_bar_is_printed() -> None:
    stream = io.StringIO()
    bar = ProgressBar(10, stream=stream, width=10)
    for step in range(1, 11):
        bar.update(step, note=f"step {step}")
        assert stream.getvalue() == ""
    bar.finish("done")
    assert stream.getvalue() == "[##########] 10/10  done\n"


def test_on_a_terminal_the_bar_is_redrawn_in_place(clock: Clock) -> None:
    stream = Terminal()
    bar = ProgressBar(4, stream=stream, width=4, label="train ")
    bar.update(1, "a")
    clock.now += 1.0
    bar.update(2, "b")
    bar.finish("c")
    assert stream.getvalue() == ("\rtrain [#...] 1/4  a\x1b[K\rtrain [##..] 2/4  b\x1b[K\rtrain [####] 4/4  c\x1b[K\n")


def test_on_a_terminal_redraws_closer_than_a_tenth_of_a_second_are_skipped(clock: Clock) -> None:
    stream = Terminal()
    bar = ProgressBar(1000, stream=stream)
    for step in range(1, 501):
        bar.update(step)
    assert stream.getvalue().count("\r") == 1  # the first update only: the clock has not moved
    clock.now += 0.05
    bar.update(501)
    assert stream.getvalue().count("\r") == 1
    clock.now += 0.06
    bar.update(502)
    assert stream.getvalue().count("\r") == 2 and stream.getvalue().endswith(" 502/1000\x1b[K")
    bar.finish()  # always drawn
    assert stream.getvalue().count("\r") == 3 and stream.getvalue().endswith("1000/1000\x1b[K\n")


def test_finish_at_fewer_steps_shows_how_far_the_work_got() -> None:
    stream = io.StringIO()
    bar = ProgressBar(10, stream=stream, width=10)
    bar.update(3)
    bar.finish("stopped", done=3)
    assert stream.getvalue() == "[###.......]  3/10  stopped\n"


def test_render_counts_are_aligned_and_clamped_to_the_total() -> None:
    bar = ProgressBar(100, stream=io.StringIO(), width=4)
    bar.update(7)
    assert bar.render() == "[....]   7/100"
    bar.update(250)
    assert bar.render("n") == "[####] 100/100  n"
    empty = ProgressBar(0, stream=io.StringIO(), width=2)  # nothing to do: shown as done at once
    empty.finish()
    assert empty.render() == "[##] 1/1"


def test_the_default_stream_is_standard_output(capsys: pytest.CaptureFixture[str]) -> None:
    ProgressBar(2, width=2).finish()
    assert capsys.readouterr().out == "[##] 2/2\n"


@pytest.mark.parametrize(
    ("arguments", "error", "message"),
    [
        ({"total": 2.5}, TypeError, r"ProgressBar: total must be an int, got float: 2.5"),
        ({"total": 3, "width": 0}, ValueError, r"ProgressBar: width must be an int >= 1, got 0"),
    ],
)
def test_bad_arguments_are_errors_naming_them(
    arguments: dict[str, object], error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=message):
        ProgressBar(**arguments)  # type: ignore[arg-type]


def test_a_dumb_terminal_gets_no_escape_codes(monkeypatch: pytest.MonkeyPatch) -> None:
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.setenv("TERM", "dumb")
    stream = Terminal()
    bar = ProgressBar(3, stream=stream, label="fit ")
    bar.update(1, note="a long note")
    bar._last_draw = -math.inf  # redraw now, whatever the clock says
    bar.update(2)
    bar.finish()
    text = stream.getvalue()
    assert "\x1b" not in text and text.count("\r") == 3
    first, second = text.split("\r")[1:3]
    assert len(second) >= len(first), "the shorter redraw is padded over the longer one"
