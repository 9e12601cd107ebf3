"""The losses package writes no gradient: its source never sets `.grad` or defines a backward rule.

(tests/test_losses_table.py checks the same from the other side: every node of every loss's graph
is an engine operation whose backward rule lives in engine/.)
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import losses

SOURCES = sorted(Path(losses.__file__).parent.glob("*.py"))
ENGINE_INTERNALS = {"_node", "_backward", "_all_nodes"}


def test_there_is_source_to_check() -> None:
    names = {path.name for path in SOURCES}
    assert {"__init__.py", "regression.py", "classification.py", "information.py", "softmax.py", "gradients.py"} <= names


@pytest.mark.parametrize("path", SOURCES, ids=[p.name for p in SOURCES])
def test_no_gradient_is_written(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    problems = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr in {"grad", "_backward"} and not isinstance(node.ctx, ast.Load):
            problems.append(f"line {node.lineno}: assigns .{node.attr}")
        if isinstance(node, ast.Attribute) and node.attr == "_backward":
            problems.append(f"line {node.lineno}: touches ._backward")
        if isinstance(node, ast.Name) and node.id in ENGINE_INTERNALS:
            problems.append(f"line {node.lineno}: uses the engine's internal {node.id}")
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("engine."):
            problems.append(f"line {node.lineno}: imports from {node.module} instead of the engine's public API")
        if isinstance(node, ast.ClassDef):
            problems.append(f"line {node.lineno}: defines class {node.name} (a Value subclass could carry its own backward)")
    assert problems == []


def test_gradients_are_only_read_by_the_helpers_that_report_them() -> None:
    readers = set()
    for path in SOURCES:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        if any(isinstance(n, ast.Attribute) and n.attr == "grad" for n in ast.walk(tree)):
            readers.add(path.name)
    assert readers == {"gradients.py"}  # grad_wrt_logit(s) read the leaf's gradient after backward()
