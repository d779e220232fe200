"""Bodies are limited by route class, also when sent chunked (no Content-Length), and bad JSON is a 400."""

from __future__ import annotations

import http.client
import io
import json
import threading
from collections.abc import Iterator

import pytest
from werkzeug.serving import make_server
from werkzeug.test import EnvironBuilder, run_wsgi_app

from lms_bridge.catalog.models import Course
from lms_bridge.db import utcnow
from lms_bridge.player import attempts
from lms_bridge.player.models import Attempt
from tests.factories.player import commit_body

MB = 1024 * 1024


class CountingStream(io.RawIOBase):
    """An endless body produced on demand: it remembers how much of it the server read."""

    def __init__(self, total: int) -> None:
        self.total = total
        self.read_bytes = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:  # type: ignore[no-untyped-def]
        n = min(len(buffer), self.total - self.read_bytes)
        buffer[:n] = b"a" * n
        self.read_bytes += n
        return n


class BytesStream(io.BytesIO):
    """A known body without a length, as a chunked request arrives."""


def chunked(client, path: str, stream: CountingStream, *, content_type: str) -> int:
    """POST without Content-Length, as a WSGI server hands a dechunked body to the app; the status."""
    environ = EnvironBuilder(path=path, method="POST", content_type=content_type).get_environ()
    environ.pop("CONTENT_LENGTH", None)
    environ["wsgi.input"] = stream
    environ["wsgi.input_terminated"] = True
    cookie = client.get_cookie("session")
    if cookie is not None:
        environ["HTTP_COOKIE"] = f"session={cookie.value}"
    _body, status, _headers = run_wsgi_app(client.application, environ, buffered=True)
    return int(status.split()[0])


@pytest.fixture
def attempt(session, make_version, learner):
    version = make_version()
    client, staff = learner()
    course = session.get_one(Course, version.course_id)
    found = attempts.resolve_attempt(
        session, staff_id=staff.id, course=course, launched_via="lti", now=utcnow()
    )
    session.flush()
    return client, staff, found.attempt.id


def test_a_300_mb_chunked_sign_in_is_refused_after_reading_at_most_the_form_limit(db_app) -> None:
    stream = CountingStream(300 * MB)
    status = chunked(
        db_app.test_client(), "/auth/login", stream, content_type="application/x-www-form-urlencoded"
    )
    assert status == 413
    assert stream.read_bytes <= db_app.config["MAX_FORM_BYTES"] + 64 * 1024


def test_a_200_mb_chunked_commit_is_refused_and_applies_nothing(db_app, attempt, session) -> None:
    client, _staff, attempt_id = attempt
    stream = CountingStream(200 * MB)
    status = chunked(client, f"/play/attempt/{attempt_id}/commit", stream, content_type="application/json")
    assert status == 413
    assert stream.read_bytes <= db_app.config["MAX_JSON_BYTES"] + 64 * 1024
    session.expire_all()
    assert session.get_one(Attempt, attempt_id).last_commit_seq == 0


def test_a_chunked_commit_within_the_json_limit_is_applied(attempt, session) -> None:
    client, staff, attempt_id = attempt
    body = json.dumps(commit_body(attempt_id, staff.id, 7, [["cmi.core.lesson_location", "p2"]])).encode()
    status = chunked(
        client, f"/play/attempt/{attempt_id}/commit", BytesStream(body), content_type="application/json"
    )
    assert status == 200
    session.expire_all()
    assert session.get_one(Attempt, attempt_id).last_commit_seq == 7


def test_json_nested_100000_deep_is_a_clear_400(attempt) -> None:
    client, _staff, attempt_id = attempt
    deep = "[" * 100_000 + "]" * 100_000
    response = client.post(f"/play/attempt/{attempt_id}/commit", data=deep, content_type="application/json")
    assert response.status_code == 400
    assert response.json["error"]["message"]


def test_a_large_upload_is_allowed_only_where_uploads_go(db_app) -> None:
    """The upload route reads more than a form may (its own limit), other forms do not."""
    client = db_app.test_client()
    big = b"x" * (db_app.config["MAX_FORM_BYTES"] + 1)
    assert client.post("/auth/login", data=big, content_type="application/octet-stream").status_code == 413
    # the upload route accepts the size (and then asks for a sign-in: no account here)
    upload = client.post("/admin/packages", data=big, content_type="application/octet-stream")
    assert upload.status_code != 413


@pytest.fixture
def real_server(db_app) -> Iterator[int]:
    server = make_server("127.0.0.1", 0, db_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_port
    server.shutdown()


def test_over_a_real_connection_a_chunked_flood_is_cut_off(real_server: int) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", real_server, timeout=30)

    def body() -> Iterator[bytes]:
        chunk = b"a" * (64 * 1024)
        for _ in range(300 * MB // len(chunk)):
            yield chunk

    try:
        connection.request(
            "POST",
            "/auth/login",
            body=body(),
            headers={"Content-Type": "application/x-www-form-urlencoded"},
            encode_chunked=True,
        )
        status = connection.getresponse().status
    except (BrokenPipeError, ConnectionResetError):
        status = 413  # the server answered and closed before the client finished sending
    finally:
        connection.close()
    assert status == 413
