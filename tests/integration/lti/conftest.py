"""LTI fixtures: the test platform (tests/lti_platform.py, a real HTTP server) registered in the app,
and a Moodle-like browser flow through the real /lti/login and /lti/launch with Flask's test client."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from lms_bridge.db import Base, utcnow
from lms_bridge.lti import keys, platforms, scores
from lms_bridge.lti.toolconf import forget_key_sets
from tests.lti_platform import TestPlatform, parse_auto_post

TOOL = "http://localhost"
SECRET_KEY = "test-secret"  # db_app's: the tool's private keys are sealed with it


@pytest.fixture(autouse=True)
def _fresh_caches():
    forget_key_sets()
    scores.forget_tokens()
    yield
    forget_key_sets()
    scores.forget_tokens()


@pytest.fixture
def lti_app(db_app):
    db_app.config.update(LTI_TOOL_URL=TOOL, LTI_SEND_SCORES_AFTER_COMMIT=False, WTF_CSRF_ENABLED=False)
    return db_app


@pytest.fixture
def platform(shared_dir: Path, lti_app, session: Session):
    """The test platform, registered in the tool (as `lms-bridge lti platform add` would)."""
    moodle = TestPlatform(shared_dir)
    moodle.tool_login_url, moodle.tool_launch_url = f"{TOOL}/lti/login", f"{TOOL}/lti/launch"
    moodle.start()
    platforms.add_platform(
        session, name="Lab", deployment_ids=["1"], actor="test", now=utcnow(), **moodle.registration_values()
    )
    refresh_tool_jwks(moodle, session)
    yield moodle
    moodle.stop()


def refresh_tool_jwks(moodle: TestPlatform, session: Session) -> None:
    """The platform fetches the tool's key set (as Moodle does from /lti/jwks.json)."""
    current = keys.jwks(session, now=utcnow(), secret_key=SECRET_KEY)
    moodle.tool_jwks = lambda: current


@dataclass
class Flow:
    """One browser going through Moodle's launch: login initiation, the platform's auth.php, the launch."""

    client: FlaskClient
    platform: TestPlatform

    def login(self, user: str = "student", **extra: str) -> dict[str, str]:
        """POST the recorded login initiation; returns the query the tool sent to auth.php."""
        data = {**self.platform.login_initiation(user), "lti1p3_new_window": "1", **extra}
        response = self.client.post("/lti/login", data=data)
        assert response.status_code == 302, response.text
        location = response.headers["Location"]
        assert location.startswith(self.platform.base + "/mod/lti/auth.php?")
        return {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}

    def authorize(self, query: dict[str, str]) -> tuple[str, dict[str, str]]:
        """GET auth.php on the platform (real HTTP): the auto-post form back to the tool."""
        html = requests.get(f"{self.platform.base}/mod/lti/auth.php", params=query, timeout=10).text
        return parse_auto_post(html)

    def post_launch(self, fields: dict[str, Any]) -> Any:
        return self.client.post("/lti/launch", data=fields)

    def launch(self, user: str = "student") -> Any:
        action, fields = self.authorize(self.login(user))
        assert action == f"{TOOL}/lti/launch"
        return self.post_launch(fields)


@pytest.fixture
def flow(lti_app, platform):
    def make() -> Flow:
        return Flow(lti_app.test_client(), platform)

    return make


def table_counts(session: Session) -> dict[str, int]:
    """Rows in every table: what a refused launch must leave as it was."""
    session.expire_all()
    return {
        table.name: session.scalar(select(func.count()).select_from(table)) or 0
        for table in Base.metadata.sorted_tables
    }
