"""`lossgrad graph --expr`: a typed expression drawn like a loss, refused with exit 2 when unsafe."""

from __future__ import annotations

from pathlib import Path

import pytest

from demos.cli import main


def test_the_posts_squared_error_through_a_sigmoid_as_an_expression(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "expr.svg"
    assert main(["graph", "--expr", "(sigmoid(z) - 1) ** 2", "--var", "z=-4.5", "-o", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "= 0.978147; d/dz = -0.021494" in printed
    svg = out.read_text(encoding="utf-8")
    assert svg.lstrip().startswith("<?xml") and "sigmoid" in svg


def test_an_expression_as_dot_text_needs_no_renderer(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["graph", "--expr", "bce_on_logit(z, y)", "--var", "z=-4.5", "--var", "y=1", "--dot"]) == 0
    captured = capsys.readouterr()
    assert captured.out.startswith("digraph") and "d/dz = -0.989013" in captured.err


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--expr", "z.data", "--var", "z=1"], "attribute access is not allowed: 'z.data'"),
        (["--expr", "__import__('os')", "--var", "z=1"], "__import__"),
        (["--expr", "z * w", "--var", "z=1"], "w"),
        (["--var", "z=1"], "--var gives a variable of --expr; add --expr"),
        (["bce", "--expr", "z", "--var", "z=1"], "--expr draws one expression"),
        (["--expr", "z", "--var", "z=nan"], "--var"),
    ],
)
def test_a_bad_expression_exits_2_with_one_line(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["graph", *argv]) == 2
    err = capsys.readouterr().err
    errors = [line for line in err.splitlines() if line.startswith("lossgrad graph: error:")]
    assert len(errors) == 1 and message in errors[0] and "Traceback" not in err
