"""Fixtures for tests that talk to Moodle, loaded with `pytest_plugins = ["tests.fakes.fixtures"]`.

- `fake_moodle`: a running FakeMoodle with an empty site (the admin only); build the data a test
  needs on `fake_moodle.data`, before or between calls.
- `moodle_client`: a MoodleClient on it with no backoff, so fault tests are quick.
- `lab_moodle`: a running FakeMoodle with the recorded lab site, its tokens and its service.
- `moodle_ws_recordings`: ../shared/fixtures/moodle/ws/*.json by file stem; skipped (failed under
  CI=true) where ../shared is absent, through the `shared_dir` fixture of tests/conftest.py.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from lms_bridge.moodle.client import MoodleClient
from tests.fakes.moodle import FakeMoodle
from tests.fakes.moodle_lab import LAB_LEARNER_TOKEN, LAB_SERVICE_FUNCTIONS, LAB_TOKEN, lab_data


@pytest.fixture
def fake_moodle() -> Iterator[FakeMoodle]:
    with FakeMoodle() as fake:
        yield fake


@pytest.fixture
def moodle_client(fake_moodle: FakeMoodle) -> Iterator[MoodleClient]:
    # Timeouts only cost time when they fire; short ones make loaded CI machines retry calls by surprise.
    with MoodleClient(
        fake_moodle.url, fake_moodle.token, connect_timeout=5, read_timeout=30, retries=3, backoff_factor=0
    ) as client:
        yield client


@pytest.fixture
def lab_moodle() -> Iterator[FakeMoodle]:
    data = lab_data()
    tokens = {LAB_TOKEN: data.admin.id, LAB_LEARNER_TOKEN: data.users_by["username"]["learner3"][0]}
    with FakeMoodle(data, tokens=tokens, service_functions=LAB_SERVICE_FUNCTIONS) as fake:
        yield fake


@pytest.fixture(scope="session")
def moodle_ws_recordings(shared_dir: Path) -> dict[str, dict[str, Any]]:
    """The recorded Moodle 4.3 web-service exchanges, read in place (never copied into the project)."""
    folder = shared_dir / "fixtures" / "moodle" / "ws"
    recordings = {path.stem: json.loads(path.read_text()) for path in sorted(folder.glob("*.json"))}
    assert recordings, f"no recordings in {folder}"
    return recordings
