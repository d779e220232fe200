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


@pytest.mark.parametrize(
    ("method", "path", "status", "finnish"),
    [
        ("get", "/ei-ole-olemassa", 404, "Sivua ei löydy"),
        ("delete", "/auth/login", 405, "väärä pyyntötapa"),
        ("post", "/auth/login", 400, "turvatarkiste puuttui"),
    ],
)
def test_http_errors_are_finnish_pages_in_the_sites_layout(
    db_app: Flask, method: str, path: str, status: int, finnish: str
) -> None:
    response = getattr(db_app.test_client(), method)(path)
    assert response.status_code == status
    assert finnish in response.text
    assert 'class="site-header"' in response.text  # the site's own layout
    assert "The requested URL" not in response.text
    if status == 405:
        assert "GET" in response.headers["Allow"]


def test_a_too_large_body_is_a_finnish_413(db_app: Flask) -> None:
    big = b"x" * (db_app.config["MAX_FORM_BYTES"] + 1)
    response = db_app.test_client().post("/auth/login", data=big, content_type="application/octet-stream")
    assert response.status_code == 413
    assert "liian suuri" in response.text
