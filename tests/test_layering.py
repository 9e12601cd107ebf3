"""Dependencies point one way: demos -> nn -> losses -> engine (each may use those after it).

And only ``engine/drawing/`` imports graphviz, so the rest of the project works without it.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ["demos", "nn", "losses", "engine"]  # each may import only the ones after it
ALLOWED = {
    "demos": {"nn", "losses", "engine"},
    "nn": {"engine"},  # nn takes losses as functions; it never imports them
    "losses": {"engine"},
    "engine": set(),
}
DRAWING = ROOT / "engine" / "drawing"  # the one place that may import graphviz


def imported_modules(path: Path) -> set[str]:
    """Return the top-level names of the modules that the module at path imports (absolute only)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        else:
            continue
        found.update(name.split(".")[0] for name in names)
    return found


def imported_packages(path: Path) -> set[str]:
    """Return the project packages that the module at path imports (absolute imports only)."""
    return imported_modules(path) & set(PACKAGES)


def modules_of(package: str) -> list[Path]:
    """Return every module of a package, its subpackages' included."""
    return sorted((ROOT / package).rglob("*.py"))


@pytest.mark.parametrize("package", PACKAGES)
def test_a_package_imports_only_the_layers_below_it(package: str) -> None:
    sources = modules_of(package)
    assert sources, f"no modules found in {package}/"
    wrong = {
        f"{path.relative_to(ROOT)} imports {sorted(imports)}"
        for path in sources
        if (imports := imported_packages(path) - ALLOWED[package] - {package})
    }
    assert wrong == set()


def test_subpackages_are_checked_too() -> None:
    assert DRAWING / "graph.py" in modules_of("engine")


def test_only_engine_drawing_imports_graphviz() -> None:
    importers = {
        path.relative_to(ROOT).as_posix()
        for package in PACKAGES
        for path in modules_of(package)
        if "graphviz" in imported_modules(path)
    }
    assert importers, "engine/drawing should draw through graphviz"
    assert {name for name in importers if not name.startswith("engine/drawing/")} == set()


def test_the_check_sees_a_wrong_import(tmp_path: Path) -> None:
    module = tmp_path / "bad.py"
    module.write_text("import numpy\nfrom nn.module import MLP\nfrom .value import Value\n")
    assert imported_packages(module) == {"nn"}
    drawing_elsewhere = tmp_path / "engine" / "plot.py"
    drawing_elsewhere.parent.mkdir()
    drawing_elsewhere.write_text("from graphviz import Digraph\n", encoding="utf-8")
    assert "graphviz" in imported_modules(drawing_elsewhere)
