"""The player's HTTP side on SQLite and PostgreSQL: launch, the page, opening an item, the commit endpoint
(authorisation, CSRF token, idempotency, stale numbers, invalid values), package files for the attempt's
own learner, and GETs that change nothing."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from sqlalchemy import func, select

from lms_bridge.catalog.models import Course
from lms_bridge.player.models import Attempt, AttemptItem
from lms_bridge.player.token import commit_token
from lms_bridge.register.models import Completion
from tests.factories.packages import sco_row
from tests.factories.player import SECRET, commit_body, open_item, start_attempt

CONTENT_ORIGIN = "http://localhost:5001"  # config/defaults.toml

FILES = {
    "index.html": b"<!doctype html><title>SCO</title><p>Hei</p>",
    "js/app.js": b"console.log(1)",
    "css/site.css": b"p{}",
    "media/pic.svg": b"<svg xmlns='http://www.w3.org/2000/svg'/>",
    "data.bin": b"\x00\x01",
}


@pytest.fixture
def played(db_app, session, make_version, learner):
    """A learner with an attempt at a one-SCO course whose files are in the store."""
    version = make_version(files=FILES, data_dir=Path(db_app.config["DATA_DIR"]))
    client, staff = learner()
    attempt_id = start_attempt(client, version.course.slug)
    return client, staff, attempt_id, version


def page_config(html: str) -> dict:
    match = re.search(r'<script type="application/json" id="player-config">(.*?)</script>', html, re.S)
    assert match, "no player config in the page"
    return json.loads(match.group(1))


def content_folder(client, attempt_id: int) -> str:
    """The attempt's signed content URL without a file (the frame page's URL without its query)."""
    config = page_config(client.get(f"/play/attempt/{attempt_id}").text)
    return config["content"].split("?", 1)[0]


def post(client, attempt_id, body, **kwargs):
    return client.post(f"/play/attempt/{attempt_id}/commit", json=body, **kwargs)


def test_launch_redirects_to_the_attempt_page_and_opening_gives_the_scos_state(played):
    client, staff, attempt_id, version = played
    response = client.get(f"/play/attempt/{attempt_id}")
    assert response.status_code == 200
    assert "Content-Security-Policy" in response.headers
    assert response.headers["Cache-Control"] == "no-store"
    config = page_config(response.text)
    assert "elements" not in config  # the state comes from POST .../open
    # the SCO runs on the content origin, in its frame page there, under a signed per-attempt prefix
    assert config["contentOrigin"] == CONTENT_ORIGIN
    assert config["content"].startswith(f"{CONTENT_ORIGIN}/play/attempt/{attempt_id}/content/")
    assert config["content"].endswith("/?sco=index.html")
    assert config["openUrl"] == f"/play/attempt/{attempt_id}/open"
    assert config["token"] == commit_token(SECRET, attempt_id=attempt_id, staff_id=staff.id)
    assert version.course.title in response.text
    opened = open_item(client, attempt_id, staff.id)
    assert opened["item"] == config["item"]
    assert opened["elements"]["cmi.core.student_id"] == staff.employee_number
    assert (opened["seq"], opened["review"]) == (0, False)


def test_commit_applies_once_and_stale_numbers_change_nothing(played, session):
    client, staff, attempt_id, _version = played
    changes = [["cmi.core.lesson_location", "p2"], ["cmi.core.lesson_status", "incomplete"]]
    first = post(client, attempt_id, commit_body(attempt_id, staff.id, 1_000, changes))
    assert first.status_code == 200
    assert first.json["applied"] is True
    assert first.json["errors"] == []
    assert first.json["attempt"]["completion_status"] == "incomplete"
    # a late answer (sent as a page unloads) must not put back an old session cookie
    assert "Set-Cookie" not in first.headers
    repeat = post(
        client, attempt_id, commit_body(attempt_id, staff.id, 1_000, [["cmi.core.lesson_location", "x"]])
    )
    stale = post(
        client, attempt_id, commit_body(attempt_id, staff.id, 999, [["cmi.core.lesson_location", "y"]])
    )
    assert (repeat.status_code, repeat.json["applied"]) == (200, False)
    assert (stale.status_code, stale.json["applied"]) == (200, False)
    state = open_item(client, attempt_id, staff.id)
    assert state["elements"]["cmi.core.lesson_location"] == "p2"
    assert state["seq"] == 1_000


def test_commit_reports_each_refused_value_and_keeps_the_rest(played):
    client, staff, attempt_id, _version = played
    changes = [
        ["cmi.core.lesson_location", "p3"],
        ["cmi.core.lesson_status", "finished"],
        ["cmi.core.score.raw", 101],
        ["cmi.core.student_name", "Someone Else"],
        ["cmi.core.score.raw", 42],
    ]
    answer = post(client, attempt_id, commit_body(attempt_id, staff.id, 5, changes)).json
    assert answer["applied"] is True
    assert [(e["element"], e["code"]) for e in answer["errors"]] == [
        ("cmi.core.lesson_status", 405),
        ("cmi.core.score.raw", 405),
        ("cmi.core.student_name", 403),
    ]
    elements = open_item(client, attempt_id, staff.id)["elements"]
    assert (elements["cmi.core.lesson_location"], elements["cmi.core.score.raw"]) == ("p3", "42")


def test_several_commits_in_one_request(played):
    client, staff, attempt_id, _version = played
    body = {
        "token": commit_token(SECRET, attempt_id=attempt_id, staff_id=staff.id),
        "commits": [
            {
                "seq": 10,
                # incomplete: a finish with no status would complete the attempt (then read-only)
                "changes": [
                    ["cmi.core.lesson_location", "a"],
                    ["cmi.core.lesson_status", "incomplete"],
                    ["cmi.core.exit", "suspend"],
                ],
                "finish": True,
            },
            {"seq": 20, "changes": [["cmi.core.lesson_location", "b"]], "finish": False},
        ],
    }
    answer = post(client, attempt_id, body).json
    assert answer["results"] == [True, True]
    assert post(client, attempt_id, body).json["results"] == [False, False]


@pytest.mark.parametrize(
    "body",
    [
        {"seq": "1", "changes": []},
        {"seq": -1, "changes": []},
        {"seq": True, "changes": []},
        {"seq": 1, "changes": "cmi.core.lesson_location=x"},
        {"seq": 1, "changes": [["cmi.core.lesson_location"]]},
        {"seq": 1, "changes": [[1, "x"]]},
        {"commits": []},
    ],
)
def test_malformed_commits_are_refused_with_400(played, body):
    client, staff, attempt_id, _version = played
    token = commit_token(SECRET, attempt_id=attempt_id, staff_id=staff.id)
    response = post(client, attempt_id, {**body, "token": token})
    assert response.status_code == 400
    assert response.json["error"]["code"] == "invalid_commit"


def test_not_json_is_refused(played):
    client, _staff, attempt_id, _version = played
    response = client.post(f"/play/attempt/{attempt_id}/commit", data="seq=1", content_type="text/plain")
    assert response.status_code == 400


def test_commit_needs_the_attempts_token(played):
    client, staff, attempt_id, _version = played
    body = commit_body(attempt_id, staff.id, 1, [["cmi.core.lesson_location", "x"]])
    for token in (
        None,
        "",
        "0" * 64,
        commit_token(SECRET, attempt_id=attempt_id + 1, staff_id=staff.id),
    ):
        response = post(client, attempt_id, {**body, "token": token})
        assert response.status_code == 403
        assert response.json["error"]["code"] == "csrf"


def test_commit_from_another_site_is_refused(played):
    client, staff, attempt_id, _version = played
    body = commit_body(attempt_id, staff.id, 1, [["cmi.core.lesson_location", "x"]])
    response = post(client, attempt_id, body, headers={"Origin": "https://evil.example"})
    assert (response.status_code, response.json["error"]["code"]) == (403, "csrf")
    same = post(client, attempt_id, body, headers={"Origin": "http://localhost"})
    assert same.status_code == 200


def test_commit_text_plain_body_as_a_beacon_sends_it(played):
    client, staff, attempt_id, _version = played
    body = commit_body(attempt_id, staff.id, 7, [["cmi.core.lesson_location", "beacon"]])
    response = client.post(
        f"/play/attempt/{attempt_id}/commit", data=json.dumps(body), content_type="text/plain;charset=UTF-8"
    )
    assert response.json["applied"] is True


def test_another_learner_can_neither_commit_nor_read_the_attempt(played, learner):
    _client, staff, attempt_id, _version = played
    other, other_staff = learner()
    # even with a valid token for the attempt's own learner, the session must be that learner's
    body = commit_body(attempt_id, staff.id, 1, [["cmi.core.lesson_location", "x"]])
    assert post(other, attempt_id, body).status_code == 403
    body = commit_body(attempt_id, other_staff.id, 1, [["cmi.core.lesson_location", "x"]])
    assert post(other, attempt_id, body).status_code == 403
    assert other.get(f"/play/attempt/{attempt_id}").status_code == 403
    opening = {"token": commit_token(SECRET, attempt_id=attempt_id, staff_id=other_staff.id)}
    assert other.post(f"/play/attempt/{attempt_id}/open", json=opening).status_code == 403


def test_signed_out_browser_gets_a_json_answer_it_can_retry_later(played, db_app):
    _client, staff, attempt_id, _version = played
    anonymous = db_app.test_client()
    response = post(anonymous, attempt_id, commit_body(attempt_id, staff.id, 1, []))
    assert (response.status_code, response.json["error"]["code"]) == (403, "signed_out")
    page = anonymous.get(f"/play/attempt/{attempt_id}")
    assert page.status_code == 403  # the demo sign-in is off: only Moodle can say who is learning
    assert "Moodle" in page.text


def test_unknown_attempt_is_404(played):
    client, staff, attempt_id, _version = played
    assert post(client, attempt_id + 999, commit_body(attempt_id + 999, staff.id, 1, [])).status_code == 404
    assert client.get(f"/play/attempt/{attempt_id + 999}").status_code == 404
    assert client.get("/play/no-such-course").status_code == 404


@pytest.mark.parametrize(
    ("path", "mimetype"),
    [
        ("index.html", "text/html"),
        ("js/app.js", "text/javascript"),
        ("css/site.css", "text/css"),
        ("media/pic.svg", "image/svg+xml"),
        ("data.bin", "application/octet-stream"),
    ],
)
def test_package_files_have_their_type_nosniff_and_a_csp(played, path, mimetype, db_app):
    client, _staff, attempt_id, _version = played
    folder = content_folder(client, attempt_id)
    response = db_app.test_client().get(folder + path)  # no cookie: the signed URL is the key
    assert response.status_code == 200
    assert response.mimetype == mimetype
    assert response.data == FILES[path]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]


@pytest.mark.parametrize(
    "path",
    [
        "../secret_key",
        "..%2fsecret_key",
        "%2e%2e/%2e%2e/secret_key",
        "js/../../secret_key",
        "%2e%2e%2f%2e%2e%2fsecret_key",
        "/etc/passwd",
        "..\\secret_key",
        "missing.html",
    ],
)
def test_no_way_out_of_the_package_folder(played, db_app, path):
    client, _staff, attempt_id, _version = played
    (Path(db_app.config["DATA_DIR"]) / "packages" / "secret_key").write_text("s3cret")
    # ("//etc/passwd" is first redirected to the same path inside the package: merged slashes)
    response = client.get(content_folder(client, attempt_id) + path, follow_redirects=True)
    assert response.status_code == 404
    assert b"s3cret" not in response.data


def test_completion_reaches_the_register_through_the_endpoint(played, session):
    client, staff, attempt_id, version = played
    changes = [["cmi.core.lesson_status", "completed"], ["cmi.core.score.raw", "77"]]
    answer = post(client, attempt_id, commit_body(attempt_id, staff.id, 3, changes, finish=True)).json
    assert answer["attempt"] == {
        "completion_status": "completed",
        "success_status": "unknown",
        "score": 77.0,
        "completed": True,
        "recorded": True,
    }
    session.expire_all()
    recorded = list(session.scalars(select(Completion).where(Completion.staff_id == staff.id)))
    assert len(recorded) == 1
    assert recorded[0].source == "player"
    assert recorded[0].source_ref.startswith(f"attempt:{attempt_id}:")
    assert session.get(Attempt, attempt_id).completed_at is not None
    # the next launch reviews the completed attempt (the course starts no new one)
    slug = session.get_one(Course, version.course_id).slug
    assert "Kertaa kurssia" in client.get(f"/play/{slug}").text
    assert start_attempt(client, slug) == attempt_id
    review = page_config(client.get(f"/play/attempt/{attempt_id}").text)
    assert review["review"] is True
    assert open_item(client, attempt_id, staff.id)["elements"]["cmi.core.lesson_mode"] == "review"


def test_a_course_granting_no_competence_completes_but_says_nothing_was_recorded(
    db_app, session, make_version, learner
):
    version = make_version(competences=[], files=FILES, data_dir=Path(db_app.config["DATA_DIR"]))
    client, staff = learner()
    attempt_id = start_attempt(client, version.course.slug)
    changes = [["cmi.core.lesson_status", "completed"], ["cmi.core.score.raw", "80"]]
    answer = post(client, attempt_id, commit_body(attempt_id, staff.id, 1, changes, finish=True)).json
    assert answer["attempt"]["completed"] is True
    assert answer["attempt"]["recorded"] is False  # the player must not say "recorded in the register"
    late = post(client, attempt_id, commit_body(attempt_id, staff.id, 2, changes)).json
    assert (late["code"], late["attempt"]["recorded"]) == ("attempt_completed", False)
    session.expire_all()
    assert session.scalars(select(Completion).where(Completion.staff_id == staff.id)).all() == []


def test_commit_to_a_completed_attempt_is_answered_and_changes_nothing(played, session):
    client, staff, attempt_id, _version = played
    passed = [["cmi.core.lesson_status", "passed"], ["cmi.core.score.raw", "95"]]
    assert post(client, attempt_id, commit_body(attempt_id, staff.id, 1, passed)).json["attempt"]["completed"]
    failed = [["cmi.core.lesson_status", "failed"], ["cmi.core.score.raw", "3"]]
    late = post(client, attempt_id, commit_body(attempt_id, staff.id, 2, failed, finish=True))
    # 200, so the browser drops the commit instead of retrying it, with a code saying why nothing changed
    assert late.status_code == 200
    assert (late.json["applied"], late.json["code"]) == (False, "attempt_completed")
    assert late.json["attempt"] == {
        "completion_status": "completed",
        "success_status": "passed",
        "score": 95.0,
        "completed": True,
        "recorded": True,
    }
    session.expire_all()
    assert session.get(Attempt, attempt_id).score == 95


def test_multi_sco_page_has_a_table_of_contents_and_flow_links(db_app, make_version, learner):
    structure = [
        sco_row("a", href="a.html"),
        sco_row("b", href="b.html?x=1"),
        sco_row("c", href="c.html", sco=False),
    ]
    version = make_version(structure=structure, has_sequencing=True)
    client, _staff = learner()
    attempt_page = f"/play/attempt/{start_attempt(client, version.course.slug)}"
    html = client.get(attempt_page + "?item=b").text
    config = page_config(html)
    assert config["item"] == "b"
    assert config["content"].endswith("/?sco=b.html%3Fx%3D1")
    assert config["previous"].endswith("item=a")
    assert config["next"].endswith("item=c")
    assert 'aria-current="page"' in html
    assert "Sisällysluettelo" in html
    assert "player-sequencing-note" in html
    assert client.get(attempt_page + "?item=zz").status_code == 404


def test_front_page_lists_the_learners_courses(db_app, make_version, learner):
    version = make_version()
    client, staff = learner()
    html = client.get("/").text
    assert version.course.title in html
    assert f"/play/{version.course.slug}" in html
    assert staff.first_name in html


def _snapshot(session, attempt_id: int | None = None) -> dict:
    """Row counts, and the attempt's place and status: what a GET must not change."""
    session.expire_all()
    counts = {m.__name__: session.scalar(select(func.count()).select_from(m)) for m in (Attempt, AttemptItem)}
    counts["Completion"] = session.scalar(select(func.count()).select_from(Completion))
    if attempt_id is None:
        return counts
    attempt = session.get_one(Attempt, attempt_id)
    items = session.scalars(select(AttemptItem).where(AttemptItem.attempt_id == attempt_id))
    return {
        **counts,
        "attempt": (attempt.current_item, attempt.completion_status, attempt.completed_at, attempt.score),
        "items": {row.item: (row.seq, row.state, row.completion_status) for row in items},
    }


def test_gets_change_nothing_a_link_previewer_or_prefetcher_may_fetch_any_page(
    db_app, session, make_version, make_competence, learner
):
    """GET /play/<slug> starts no attempt; GET of the attempt page (any item) opens nothing, finishes no
    session the browser left open and records no completion. Only the POSTs do."""
    structure = [sco_row("a", href="a.html"), sco_row("notes", href="notes.html", sco=False)]
    version = make_version(structure=structure, competences=[make_competence()])
    slug = version.course.slug
    client, staff = learner()

    before = _snapshot(session)
    assert client.get(f"/play/{slug}").status_code == 200
    assert _snapshot(session) == before  # no attempt

    attempt_id = start_attempt(client, slug)
    open_item(client, attempt_id, staff.id, "a")
    # the SCO saved but the browser never said it finished (no LMSFinish): the session stays open
    changes = [["cmi.core.lesson_location", "p1"]]
    assert post(client, attempt_id, commit_body(attempt_id, staff.id, 10, changes, item="a")).json["applied"]
    before = _snapshot(session, attempt_id)
    assert before["items"]["a"][1]["_meta"]["open"] is True

    for url in (
        f"/play/{slug}",
        f"/play/attempt/{attempt_id}",
        f"/play/attempt/{attempt_id}?item=a",  # opening it would finish that session: completed
        f"/play/attempt/{attempt_id}?item=notes",  # opening it would record the first visit
    ):
        assert client.get(url).status_code == 200, url
        assert _snapshot(session, attempt_id) == before, url

    # what the GETs did not do, the page's POSTs do: the asset's first visit; the open session is
    # finished, which completes the SCO (1.2: a finish with no status) and so the attempt and the register
    assert open_item(client, attempt_id, staff.id, "notes")["progress"] == "visited"
    open_item(client, attempt_id, staff.id, "a")
    after = _snapshot(session, attempt_id)
    assert after["attempt"][1] == "completed"
    assert after["Completion"] == before["Completion"] + 1


def test_opening_needs_the_attempts_token_and_its_learner(played, db_app):
    client, staff, attempt_id, _version = played
    url = f"/play/attempt/{attempt_id}/open"
    for token in (None, "", commit_token(SECRET, attempt_id=attempt_id + 1, staff_id=staff.id)):
        response = client.post(url, json={"token": token})
        assert (response.status_code, response.json["error"]["code"]) == (403, "csrf")
    good = {"token": commit_token(SECRET, attempt_id=attempt_id, staff_id=staff.id)}
    assert client.post(url, json=good, headers={"Origin": "https://evil.example"}).status_code == 403
    anonymous = db_app.test_client().post(url, json=good)
    assert (anonymous.status_code, anonymous.json["error"]["code"]) == (403, "signed_out")
    assert client.post(url, json={**good, "item": "no-such-item"}).status_code == 404
    assert client.get(f"/play/attempt/{attempt_id}/state").status_code == 404  # the old GET that wrote
