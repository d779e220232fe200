"""Fixtures every test layer shares: the app on a temporary instance, and ../shared used in place."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from lms_bridge import PROJECT_ROOT, create_app

# Shared fixtures, one package each, loaded here and never imported from another folder's conftest: the
# factories (tests/factories/, one module per area) and the fakes of outside systems (tests/fakes/).
pytest_plugins = [
    "tests.factories.catalog",
    "tests.factories.register",
    "tests.factories.packages",
    "tests.factories.player",
    "tests.factories.auth",
    "tests.fakes.fixtures",
]

SHARED_DIR = Path(os.environ.get("LMS_BRIDGE_SHARED_DIR", PROJECT_ROOT.parent / "shared"))


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() == "true"


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """The team's shared fixtures folder (../shared), used in place and never copied.

    Absent: the test is skipped with the reason; under CI=true its absence fails the test.
    """
    if not (SHARED_DIR / "fixtures").is_dir():
        reason = f"../shared not found at {SHARED_DIR} (set LMS_BRIDGE_SHARED_DIR)"
        if in_ci():
            pytest.fail(reason + " - CI must have it")
        pytest.skip(reason)
    return SHARED_DIR


@pytest.fixture(scope="session")
def scorm_index(shared_dir: Path) -> dict[str, Any]:
    """../shared/fixtures/scorm/index.json: the recorded facts about each real third-party package."""
    index: dict[str, Any] = json.loads((shared_dir / "fixtures" / "scorm" / "index.json").read_text())
    return index


@pytest.fixture
def app(tmp_path: Path) -> Iterator[Flask]:
    app = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": f"sqlite:///{tmp_path / 'test.sqlite3'}",
            "DATA_DIR": str(tmp_path / "data"),
            "SECRET_KEY": "test-secret",
        },
        instance_path=str(tmp_path / "instance"),
    )
    yield app
    app.extensions["lms_bridge.engine"].dispose()
