"""No page can be framed by another site, unless the page names the origins allowed to frame it."""

from __future__ import annotations

import pytest
from flask import Flask

from lms_bridge.headers import allow_framing_by


@pytest.mark.parametrize(
    "path", ["/", "/auth/login", "/healthz", "/api/v1/openapi.json", "/admin/packages", "/nowhere"]
)
def test_every_page_forbids_framing(db_app: Flask, path: str) -> None:
    response = db_app.test_client().get(path)
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_an_existing_policy_gets_the_directive_added(signed_in) -> None:
    client, _account = signed_in()
    response = client.get("/admin/packages")
    assert response.headers["Content-Security-Policy"].count("frame-ancestors") == 1


def test_a_page_moodle_frames_allows_only_the_named_origins(app: Flask) -> None:
    def framed() -> str:
        allow_framing_by(["https://moodle.example.fi", "https://moodle.example.fi"])
        return "ok"

    app.add_url_rule("/framed", view_func=framed)
    response = app.test_client().get("/framed")
    assert response.headers["Content-Security-Policy"] == "frame-ancestors 'self' https://moodle.example.fi"
    assert "X-Frame-Options" not in response.headers


def test_origins_given_as_a_function_are_looked_up_only_for_a_page(app: Flask) -> None:
    lookups: list[str] = []

    def origins() -> list[str]:
        lookups.append("looked up")
        return ["https://moodle.example.fi"]

    def page() -> str:
        allow_framing_by(origins)
        return "<p>ok</p>"

    def answer() -> dict[str, bool]:
        allow_framing_by(origins)
        return {"applied": True}

    app.add_url_rule("/framed-page", view_func=page)
    app.add_url_rule("/framed-answer", view_func=answer)
    client = app.test_client()
    answered = client.get("/framed-answer")
    assert answered.headers["Content-Security-Policy"] == "frame-ancestors 'none'"
    assert lookups == []
    shown = client.get("/framed-page")
    assert shown.headers["Content-Security-Policy"] == "frame-ancestors 'self' https://moodle.example.fi"
    assert lookups == ["looked up"]
