"""Package content on its own origin, over HTTP on SQLite and PostgreSQL: signed per-attempt URLs that need
no cookie, expire and fit only their attempt; content only on the content host and app pages only on the
app host; the headers that keep one learner's content private and framed only by the app."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

import pytest
from flask import Flask

from lms_bridge.packages.content import CONTENT_SANDBOX, ContentGrant, sign_grant
from tests.factories.player import start_attempt

CONTENT = "http://localhost:5001"  # CONTENT_ORIGIN in config/defaults.toml
APP = "http://localhost"  # the test client's own origin
FILES = {"index.html": b"<!doctype html><title>SCO</title><p>Hei</p>", "js/app.js": b"console.log(1)"}


@pytest.fixture
def played(db_app, make_version, learner):
    """A learner's attempt at a one-SCO course whose files are in the store."""
    version = make_version(files=FILES, data_dir=Path(db_app.config["DATA_DIR"]))
    client, staff = learner()
    return client, staff, start_attempt(client, version.course.slug), version


def frame_url(client, attempt_id: int) -> str:
    html = client.get(f"/play/attempt/{attempt_id}").text
    found = re.search(r'<script type="application/json" id="player-config">(.*?)</script>', html, re.S)
    assert found
    url: str = json.loads(found.group(1))["content"]
    return url


def folder_of(url: str) -> str:
    return url.split("?", 1)[0]


def token_of(url: str) -> str:
    return folder_of(url).rstrip("/").rsplit("/", 1)[1]


def test_a_signed_content_url_needs_no_cookie_and_is_private(played, db_app: Flask):
    client, _staff, attempt_id, _version = played
    url = frame_url(client, attempt_id)
    anonymous = db_app.test_client()  # the content origin never gets the app's cookies

    page = anonymous.get(folder_of(url) + "index.html")
    assert page.status_code == 200
    assert page.data == FILES["index.html"]
    assert "private" in page.headers["Cache-Control"]
    assert "public" not in page.headers["Cache-Control"]
    assert page.headers["Referrer-Policy"] == "no-referrer"  # the token is in the URL
    assert "Set-Cookie" not in page.headers
    csp = page.headers["Content-Security-Policy"]
    assert f"frame-ancestors 'self' {APP};" in csp  # under the frame page (this origin) in the app page
    assert "connect-src 'self'" in csp
    assert "form-action 'self'" in csp

    frame = anonymous.get(url)
    assert frame.status_code == 200
    assert "private" in frame.headers["Cache-Control"]
    assert f"frame-ancestors {APP};" in frame.headers["Content-Security-Policy"]  # the app page only
    assert "script-src 'self';" in frame.headers["Content-Security-Policy"]
    assert '/content-scripts/cross-frame-api.min.js"' in frame.text
    config = re.search(r'id="content-config">(.*?)</script>', frame.text, re.S)
    assert config
    assert json.loads(config.group(1)) == {"appOrigin": APP, "standard": "scorm12"}
    assert anonymous.get(f"{CONTENT}/content-scripts/content-frame.js").status_code == 200


def test_content_answers_only_on_the_content_host_and_the_app_only_on_its_own(played, db_app: Flask):
    client, _staff, attempt_id, version = played
    url = folder_of(frame_url(client, attempt_id))
    on_app_host = url.removeprefix(CONTENT)
    assert client.get(on_app_host + "index.html").status_code == 404
    assert client.get(on_app_host).status_code == 404
    assert client.get("/content-scripts/content-frame.js").status_code == 404

    for path in (
        "/",
        "/healthz",
        f"/play/{version.course.slug}",
        f"/play/attempt/{attempt_id}",
        "/admin/packages",
        "/auth/login",
        "/static/site.css",
        "/vendor/scorm-again.min.js",
        "/api/v1/openapi.json",
    ):
        # the learner's own cookie does not help either: no app page answers on the content host
        response = client.get(CONTENT + path)
        assert response.status_code == 404, path
        assert response.mimetype == "text/plain", path  # not the app's error page
    commit = client.post(f"{CONTENT}/play/attempt/{attempt_id}/commit", json={"seq": 1, "changes": []})
    assert commit.status_code == 404
    opening = client.post(f"{CONTENT}/play/attempt/{attempt_id}/open", json={})
    assert opening.status_code == 404


def test_a_content_url_fits_only_its_own_attempt(played, db_app: Flask, learner):
    client, _staff, attempt_id, version = played
    mine = token_of(frame_url(client, attempt_id))
    other_client, _other = learner()
    other_id = start_attempt(other_client, version.course.slug)
    theirs = token_of(frame_url(other_client, other_id))
    anonymous = db_app.test_client()

    def status(ident: int, token: str, path: str = "index.html") -> int:
        return anonymous.get(f"{CONTENT}/play/attempt/{ident}/content/{token}/{path}").status_code

    assert status(attempt_id, mine) == 200
    # another attempt's token (of the same package, even) opens nothing of this attempt, nor the reverse
    assert status(attempt_id, theirs) == 403
    assert status(other_id, mine) == 403
    # tampered, or signed for the preview of a version with the same id
    tampered = mine[:-2] + ("AA" if not mine.endswith("AA") else "BB")
    assert status(attempt_id, tampered, "") == 403
    with db_app.test_request_context():
        as_version = sign_grant(ContentGrant("version", attempt_id, version.storage_key, "scorm12", APP))
    assert status(attempt_id, as_version, "") == 403
    assert anonymous.get(f"{CONTENT}/admin/versions/{attempt_id}/content/{mine}/").status_code == 403


def test_a_content_url_expires_and_needs_this_apps_key(played, db_app: Flask):
    client, _staff, attempt_id, _version = played
    url = frame_url(client, attempt_id)
    anonymous = db_app.test_client()
    assert anonymous.get(folder_of(url) + "index.html").status_code == 200

    max_age = db_app.config["CONTENT_URL_MAX_AGE"]
    db_app.config["CONTENT_URL_MAX_AGE"] = 0  # the same URL, read a second after it was signed
    time.sleep(1.05)
    assert anonymous.get(folder_of(url) + "index.html").status_code == 403
    assert "vanhentunut" in anonymous.get(url).text
    db_app.config["CONTENT_URL_MAX_AGE"] = max_age
    assert anonymous.get(folder_of(url) + "index.html").status_code == 200

    db_app.config["SECRET_KEY"] = "another-key"  # e.g. a URL made by some other installation
    assert anonymous.get(folder_of(url) + "index.html").status_code == 403


def test_the_player_frames_only_the_content_origin_in_a_sandbox(played):
    client, _staff, attempt_id, _version = played
    response = client.get(f"/play/attempt/{attempt_id}")
    csp = response.headers["Content-Security-Policy"]
    assert f"frame-src {CONTENT};" in csp
    assert "script-src 'self';" in csp
    frame = re.search(r'<iframe id="player-frame"[^>]*>', response.text)
    assert frame
    assert f'sandbox="{CONTENT_SANDBOX}"' in frame.group(0)
    assert "allow-top-navigation" not in CONTENT_SANDBOX
