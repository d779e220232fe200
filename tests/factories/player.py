"""Player factories: a test client signed in as a learner, and the body of a run-time commit."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from lms_bridge.player.token import commit_token
from lms_bridge.register.models import Staff

SECRET = "test-secret"  # db_app's SECRET_KEY


@pytest.fixture
def learner(db_app: Flask, make_staff) -> Callable[..., tuple[FlaskClient, Staff]]:
    """A test client signed in as a (new) staff member, as the LTI launch leaves it."""

    def make(staff: Staff | None = None) -> tuple[FlaskClient, Staff]:
        staff = staff or make_staff()
        client = db_app.test_client()
        with client.session_transaction() as cookie:
            cookie["staff_id"] = staff.id
            cookie["staff_via"] = "lti"  # the production path; a "dev" session needs the demo sign-in on
        return client, staff

    return make


def commit_body(attempt_id: int, staff_id: int, seq: int, changes: list, **extra: Any) -> dict[str, Any]:
    return {
        "token": commit_token(SECRET, attempt_id=attempt_id, staff_id=staff_id),
        "seq": seq,
        "changes": changes,
        "finish": False,
        **extra,
    }
