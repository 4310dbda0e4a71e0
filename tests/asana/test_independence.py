"""The Asana client stays plain Python: no module of categories/asana imports Django or any
other part of the project, so it can be read, tested and reused on its own."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "categories" / "asana"
OWN = "categories.asana"


def imported_modules(path: Path) -> list[str]:
    """Every module a file imports, anywhere in it (functions too), relative ones resolved."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            # `from . import x` and `from .errors import y` stay inside the package.
            found.append(OWN if node.level else node.module or "")
    return found


def outside_imports(path: Path) -> list[str]:
    return [
        module
        for module in imported_modules(path)
        if module.split(".")[0] in {"django", "config", "categories"}
        and module != OWN
        and not module.startswith(f"{OWN}.")
    ]


@pytest.mark.parametrize(
    "path", sorted(PACKAGE.rglob("*.py")), ids=lambda path: path.relative_to(PACKAGE).as_posix()
)
def test_the_asana_client_imports_no_django_and_nothing_else_of_the_project(path: Path) -> None:
    assert outside_imports(path) == []


def test_the_check_sees_a_forbidden_import(tmp_path: Path) -> None:
    module = tmp_path / "leaky.py"
    module.write_text(
        "from categories.asana.errors import AsanaError\n"
        "from . import retry\n"
        "def later():\n"
        "    from django.conf import settings\n"
        "    import categories.web.client\n"
    )

    assert outside_imports(module) == ["django.conf", "categories.web.client"]
