"""Player factories: a test client signed in as a learner, starting an attempt and opening an item as the
browser does (POSTs), and the body of a run-time commit."""

from __future__ import annotations

import re
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


def start_attempt(client: FlaskClient, slug: str) -> int:
    """Press the course page's button (a POST with its CSRF token); the attempt's id."""
    page = client.get(f"/play/{slug}")
    assert page.status_code == 200, page.status_code
    found = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert found, "no CSRF token on the course page"
    response = client.post(f"/play/{slug}", data={"csrf_token": found.group(1)})
    assert response.status_code == 303, response.status_code
    return int(response.location.rsplit("/", 1)[1])


def open_item(client: FlaskClient, attempt_id: int, staff_id: int, item: str | None = None) -> Any:
    """What the player page's script does before it loads the SCO: POST .../open; the JSON answer."""
    body = {"token": commit_token(SECRET, attempt_id=attempt_id, staff_id=staff_id), "item": item}
    response = client.post(f"/play/attempt/{attempt_id}/open", json=body)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.json
