"""The direction of dependency (docs/architecture.md), checked with import-linter's contracts in pyproject.

grimp reads every import statement, also those inside functions, so a hidden upward import fails too.
"""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from lms_bridge.config import PROJECT_ROOT

LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


def _lint(root: Path) -> subprocess.CompletedProcess[str]:
    """Run the project's contracts over the packages in `root` (not over the installed ones)."""
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", "--config", str(root / "pyproject.toml")],
        cwd=root,
        env={"PYTHONPATH": str(root), "PATH": str(Path(sys.executable).parent)},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_code_keeps_every_contract() -> None:
    result = _lint(PROJECT_ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "3 kept, 0 broken" in result.stdout


@pytest.fixture
def copy_of_the_code(tmp_path: Path) -> Path:
    for package in ("lms_bridge", "scorm"):
        shutil.copytree(
            PROJECT_ROOT / package, tmp_path / package, ignore=shutil.ignore_patterns("*.pyc", "__pycache__")
        )
    shutil.copy(PROJECT_ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def _add_import(module: Path, statement: str) -> None:
    """Append a function that imports `statement` (an import hidden inside a function still counts)."""
    module.write_text(module.read_text() + f"\n\ndef _smuggled() -> None:\n    {statement}  # noqa\n")


@pytest.mark.parametrize(
    ("module", "statement", "reported"),
    [
        # a lower layer importing an upper one
        ("catalog/service.py", "from lms_bridge.player import views", "lms_bridge.catalog is not allowed"),
        # two areas of one layer importing each other
        (
            "packages/service.py",
            "from lms_bridge.register import service",
            "lms_bridge.packages is not allowed",
        ),
        # the pure library importing the app
        ("../scorm/manifest.py", "import lms_bridge.db", "scorm is a plain library"),
    ],
)
def test_a_forbidden_import_breaks_the_build(
    copy_of_the_code: Path, module: str, statement: str, reported: str
) -> None:
    _add_import((copy_of_the_code / "lms_bridge" / module).resolve(), statement)
    result = _lint(copy_of_the_code)
    assert result.returncode == 1
    assert reported in result.stdout


def _area_of(path: Path) -> str:
    """The area (catalog, register, ...) or base module (audit, db, ...) a source file belongs to."""
    parts = path.relative_to(PROJECT_ROOT / "lms_bridge").with_suffix("").parts
    return parts[0]


def _model_owners() -> dict[str, str]:
    """Each mapped class's name and the area that defines it (and so owns its table)."""
    from lms_bridge import models  # noqa: F401 - every area's tables
    from lms_bridge.db import Base

    owners = {}
    for mapper in Base.registry.mappers:
        cls = mapper.class_
        owners[cls.__name__] = _area_of(Path(sys.modules[cls.__module__].__file__ or ""))
    return owners


def _writes(tree: ast.AST, models: set[str]) -> list[tuple[int, str]]:
    """(line, model) for each row a module writes: `Model(...)`, insert/update/delete(Model)."""
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
        if name in models:
            found.append((node.lineno, name))
        elif name in {"insert", "update", "delete"} and node.args:
            target = node.args[0]
            if isinstance(target, ast.Name) and target.id in models:
                found.append((node.lineno, target.id))
    return found


def test_every_table_has_one_writer_the_area_that_owns_it() -> None:
    owners = _model_owners()
    assert {"Course", "PackageVersion", "Completion", "Attempt", "Account"} <= set(owners)
    strays = []
    for path in sorted((PROJECT_ROOT / "lms_bridge").rglob("*.py")):
        if "migrations" in path.parts:
            continue
        for line, model in _writes(ast.parse(path.read_text(encoding="utf-8")), set(owners)):
            if _area_of(path) != owners[model]:
                strays.append(f"{path.relative_to(PROJECT_ROOT)}:{line} writes {model} ({owners[model]}'s)")
    assert strays == []
