"""Unexpected errors: a test sees the traceback; a user sees a Finnish page (or JSON under /api/)."""

from __future__ import annotations

import pytest
from flask import Flask


def _boom() -> str:
    raise RuntimeError("a bug")


@pytest.fixture
def app_with_bug(app: Flask) -> Flask:
    app.add_url_rule("/boom", view_func=_boom)
    app.add_url_rule("/api/v1/boom", endpoint="api_boom", view_func=_boom)
    return app


def test_in_tests_an_unexpected_error_raises_with_its_traceback(app_with_bug: Flask) -> None:
    with pytest.raises(RuntimeError, match="a bug"):
        app_with_bug.test_client().get("/boom")


def test_users_get_the_generic_page_and_the_error_is_logged(
    app_with_bug: Flask, caplog: pytest.LogCaptureFixture
) -> None:
    app_with_bug.testing = False
    client = app_with_bug.test_client()
    page = client.get("/boom")
    assert page.status_code == 500
    assert "Odottamaton virhe" in page.text
    assert "a bug" not in page.text
    api = client.get("/api/v1/boom")
    assert api.status_code == 500
    assert api.json["error"]["code"] == "internal"
    assert "a bug" not in api.text
    assert any("Unhandled error on /boom" in r.getMessage() for r in caplog.records)
