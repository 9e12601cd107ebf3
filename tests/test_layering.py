"""Dependencies point one way: demos -> nn -> losses -> engine (each package may use those after it)."""

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


def imported_packages(path: Path) -> set[str]:
    """Return the project packages that the module at path imports (absolute imports only)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        else:
            continue
        found.update(name.split(".")[0] for name in names if name.split(".")[0] in PACKAGES)
    return found


@pytest.mark.parametrize("package", PACKAGES)
def test_a_package_imports_only_the_layers_below_it(package: str) -> None:
    sources = sorted((ROOT / package).glob("*.py"))
    assert sources, f"no modules found in {package}/"
    wrong = {
        f"{path.relative_to(ROOT)} imports {sorted(imports)}"
        for path in sources
        if (imports := imported_packages(path) - ALLOWED[package] - {package})
    }
    assert wrong == set()


def test_the_check_sees_a_wrong_import(tmp_path: Path) -> None:
    module = tmp_path / "bad.py"
    module.write_text("import numpy\nfrom nn.module import MLP\nfrom .value import Value\n", encoding="utf-8")
    assert imported_packages(module) == {"nn"}
