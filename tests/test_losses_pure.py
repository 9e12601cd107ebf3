"""The losses package writes no gradient and uses only the engine's public names.

Read from the source: no module of `losses` assigns `.grad`, defines a class (a Value subclass
could carry a rule of its own), or imports or reads an underscore name of another package; and no
module outside `losses` imports its private `_inputs`. (tests/test_losses_table.py checks the same
from the other side: every node of every loss's graph is one the engine's operations make.)
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import losses

ROOT = Path(losses.__file__).resolve().parent.parent
SOURCES = sorted(Path(losses.__file__).parent.glob("*.py"))
OTHER_SOURCES = sorted(
    path for package in ("engine", "nn", "demos", "benchmarks", "tests") for path in (ROOT / package).rglob("*.py")
)


def _private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def problems_in(source: str) -> list[str]:
    """Return what a module of losses does that a loss must not: write gradients, use internals."""
    problems = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Attribute):
            if node.attr == "grad" and not isinstance(node.ctx, ast.Load):
                problems.append((node.lineno, "assigns .grad"))
            if _private(node.attr):
                problems.append((node.lineno, f"reads the private attribute .{node.attr}"))
        if isinstance(node, ast.ImportFrom) and node.level == 0:
            module = node.module or ""
            for alias in node.names:
                if any(_private(part) for part in [*module.split("."), alias.name]):
                    problems.append((node.lineno, f"imports {module}.{alias.name}"))
        if isinstance(node, ast.ClassDef):
            problems.append((node.lineno, f"defines class {node.name}"))
    return [f"line {line}: {what}" for line, what in sorted(problems)]


def test_there_is_source_to_check() -> None:
    names = {path.name for path in SOURCES}
    modules = {"regression", "classification", "information", "softmax", "gradients", "kinds"}
    assert {"__init__.py", "_inputs.py"} | {f"{m}.py" for m in modules} <= names
    assert any(path.name == "test_losses_pure.py" for path in OTHER_SOURCES)


@pytest.mark.parametrize("path", SOURCES, ids=[p.name for p in SOURCES])
def test_no_gradient_is_written_and_no_internal_is_used(path: Path) -> None:
    assert problems_in(path.read_text(encoding="utf-8")) == []


def test_the_check_sees_each_kind_of_problem() -> None:
    source = (
        "from engine.value import _node\n"
        "def f(x):\n"
        "    x.grad = 1.0\n"
        "    return x._derivatives\n"
        "class Hand:\n"
        "    pass\n"
    )
    assert problems_in(source) == [
        "line 1: imports engine.value._node",
        "line 3: assigns .grad",
        "line 4: reads the private attribute ._derivatives",
        "line 5: defines class Hand",
    ]
    assert problems_in("from engine.value import check_real\nfrom ._inputs import paired\n") == []


def test_gradients_are_only_read_by_the_helpers_that_report_them() -> None:
    readers = set()
    for path in SOURCES:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        if any(isinstance(n, ast.Attribute) and n.attr == "grad" for n in ast.walk(tree)):
            readers.add(path.name)
    assert readers == {"gradients.py"}  # grad_wrt_logit(s) read the leaf's gradient after backward()


def imports_of_inputs(source: str) -> list[int]:
    """Return the lines where a module outside losses imports losses._inputs."""
    lines = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            names = [f"{node.module}.{alias.name}" for alias in node.names]
        else:
            continue
        if any(name.startswith("losses._inputs") for name in names):
            lines.append(node.lineno)
    return lines


def test_no_other_package_imports_the_private_inputs_module() -> None:
    found = {
        str(path.relative_to(ROOT)): lines
        for path in OTHER_SOURCES
        if (lines := imports_of_inputs(path.read_text(encoding="utf-8")))
    }
    assert found == {}
    assert imports_of_inputs("import losses._inputs\nfrom losses import _inputs\n") == [1, 2]
