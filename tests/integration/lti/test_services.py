"""Deep linking, grades to the platform's gradebook (AGS), the roster (NRPS), key rotation mid-run and
dynamic registration — against the test platform over real HTTP."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
import requests
from sqlalchemy import select
from sqlalchemy.orm import object_session

from lms_bridge.db import utcnow
from lms_bridge.lti import keys, scores
from lms_bridge.lti.models import LtiPlatform, LtiScore
from lms_bridge.player.models import Attempt
from lms_bridge.register.scopes import assign_units
from tests.factories.player import commit_body
from tests.integration.lti.conftest import SECRET_KEY, TOOL, refresh_tool_jwks
from tests.lti_platform import parse_auto_post

FILES = {"index.html": b"<!doctype html><title>SCO</title><p>Hei</p>"}


@pytest.fixture
def course(make_version, lti_app, platform):
    version = make_version(
        files=FILES, data_dir=Path(lti_app.config["DATA_DIR"]), new_attempt_after_completion=True
    )
    platform.custom = {"course": version.course.slug}
    return version


def complete(client, attempt_url: str, staff_id: int, score: str) -> int:
    attempt_id = int(attempt_url.rsplit("/", 1)[1])
    assert client.get(attempt_url).status_code == 200
    changes = [["cmi.core.lesson_status", "completed"], ["cmi.core.score.raw", score]]
    body = commit_body(attempt_id, staff_id, 10, changes, finish=True)
    answer = client.post(f"/play/attempt/{attempt_id}/commit", json=body).json
    assert answer["attempt"]["completed"] is True, answer
    return attempt_id


def send(session) -> scores.SendSummary:
    summary = scores.send_due(session, now=utcnow(), http=scores.http_session(), secret_key=SECRET_KEY)
    session.flush()
    return summary


def test_deep_linking_picker_and_response_reach_the_platform(flow, platform, course, session):
    browser = flow()
    picker = browser.launch("deep_linking")
    assert picker.status_code == 200, picker.text
    assert course.course.title in picker.text
    assert 'type="checkbox"' in picker.text  # accept_multiple: true
    posted = browser.client.post("/lti/deep-link", data={"course": course.course.slug})
    assert posted.status_code == 200
    action, form = parse_auto_post(posted.text)
    assert action.startswith(f"{platform.base}/mod/lti/contentitem_return.php?course=2&id=1")
    answer = requests.post(action, data=form, timeout=10)
    assert answer.status_code == 200
    assert "Content added" in answer.text
    (claims,) = platform.deep_link_responses
    assert claims["iss"] == platform.client_id
    assert claims["aud"] == [platform.issuer]
    assert claims["https://purl.imsglobal.org/spec/lti/claim/message_type"] == "LtiDeepLinkingResponse"
    assert claims["https://purl.imsglobal.org/spec/lti/claim/deployment_id"] == "1"
    assert "https://purl.imsglobal.org/spec/lti-dl/claim/data" not in claims
    (item,) = claims["https://purl.imsglobal.org/spec/lti-dl/claim/content_items"]
    assert item["type"] == "ltiResourceLink"
    assert item["title"] == course.course.title
    assert item["url"] == f"{TOOL}/lti/launch"
    assert item["custom"] == {"course": course.course.slug}
    assert item["lineItem"]["scoreMaximum"] == 100


def test_a_learner_cannot_make_a_deep_linking_choice(flow, platform, course, lti_app):
    browser = flow()
    response = browser.client.post("/lti/deep-link", data={"course": course.course.slug})
    assert response.status_code == 400
    assert "vanhentunut" in response.text


def test_completed_attempt_score_arrives_fully_graded_and_improvements_follow(
    flow, platform, course, make_staff, session
):
    staff = make_staff(employee_number="EMP1002")
    browser = flow()
    complete(browser.client, browser.launch("student").headers["Location"], staff.id, "70")
    assert send(session).sent == 1, session.scalars(select(LtiScore)).one().last_error
    (first,) = platform.scores
    assert first.status == 200
    assert first.body["userId"] == "4"
    assert first.body["scoreGiven"] == 70.0
    assert first.body["scoreMaximum"] == 100
    assert first.body["activityProgress"] == "Completed"
    assert first.body["gradingProgress"] == "FullyGraded"
    assert platform.results()[0]["resultScore"] == 70.0

    # a new attempt (the course allows one) with a better score is sent again, newer timestamp
    again = flow()
    complete(again.client, again.launch("student").headers["Location"], staff.id, "90")
    assert send(session).sent == 1
    second = platform.scores[-1]
    assert second.status == 200
    assert second.body["scoreGiven"] == 90.0
    assert dt.datetime.fromisoformat(second.body["timestamp"]) > dt.datetime.fromisoformat(
        first.body["timestamp"]
    )
    assert platform.results()[0]["resultScore"] == 90.0

    # a worse attempt changes nothing in the gradebook
    worse = flow()
    complete(worse.client, worse.launch("student").headers["Location"], staff.id, "50")
    assert send(session).sent == 0
    assert len(platform.scores) == 2


def test_timestamps_strictly_increase_within_one_second(platform, course, make_staff, session, flow):
    staff = make_staff(employee_number="EMP1002")
    browser = flow()
    attempt_id = complete(browser.client, browser.launch("student").headers["Location"], staff.id, "60")
    attempt = session.get_one(Attempt, attempt_id)
    from lms_bridge.lti.models import LtiUser

    user = session.scalars(select(LtiUser)).one()
    now = utcnow()
    a = scores.queue_score(
        session,
        user=user,
        lineitem_url=platform.lineitem_url,
        score=Decimal(80),
        attempt_id=attempt.id,
        now=now,
    )
    b = scores.queue_score(
        session,
        user=user,
        lineitem_url=platform.lineitem_url,
        score=Decimal(81),
        attempt_id=attempt.id,
        now=now,
    )
    assert a is not None
    assert b is not None
    assert b.timestamp > a.timestamp
    assert b.timestamp - a.timestamp == dt.timedelta(seconds=1)
    assert a.status == "superseded"
    assert send(session).sent == 1
    assert [s.status for s in platform.scores] == [200]


def test_a_409_gets_a_newer_timestamp_and_goes_through(flow, platform, course, make_staff, session):
    staff = make_staff(employee_number="EMP1002")
    browser = flow()
    complete(browser.client, browser.launch("student").headers["Location"], staff.id, "75")
    # the gradebook holds a grade stamped in the future (a teacher's override, a clock step)
    platform.grades["4"] = {
        "timemodified": int(utcnow().timestamp()) + 5,
        "grade": 10,
        "max": 100,
        "timestamp": "x",
    }
    assert send(session).sent == 0
    row = session.scalars(select(LtiScore)).one()
    assert platform.scores[-1].status == 409
    assert row.status == "failing"
    assert row.tries == 1
    assert "409" in row.last_error
    later = utcnow() + dt.timedelta(minutes=2)  # past the first backoff
    scores.send_due(session, now=later, http=scores.http_session(), secret_key=SECRET_KEY)
    assert row.status == "sent"
    assert platform.scores[-1].status == 200


def test_a_401_is_explained_to_admins_and_the_score_waits_with_backoff(
    flow, platform, course, make_staff, session, signed_in
):
    staff = make_staff(employee_number="EMP1002")
    browser = flow()
    complete(browser.client, browser.launch("student").headers["Location"], staff.id, "88")
    platform.services_enabled = False
    assert send(session).failed == 1
    row = session.scalars(select(LtiScore)).one()
    assert row.status == "failing"
    assert row.next_try_at > utcnow()
    problem = session.scalars(select(LtiPlatform)).one().service_problem
    assert "IMS LTI Assignment and Grade Services" in problem
    assert "401" in problem
    admin, _ = signed_in("admin")
    page = admin.get("/lti/admin/").text
    assert "IMS LTI Assignment and Grade Services" in page
    assert "epäonnistui, yritetään uudelleen" in page
    # nothing is due yet; once the admin switches services on and asks, it goes
    assert send(session).failed == 0
    platform.services_enabled = True
    response = admin.post("/lti/admin/scores/retry")
    assert response.status_code == 302
    session.expire_all()
    assert session.scalars(select(LtiScore)).one().status == "sent"
    assert session.scalars(select(LtiPlatform)).one().service_problem is None


def test_the_admin_who_is_not_gradable_is_refused_and_not_retried(
    platform, session, flow, make_staff, course
):
    staff = make_staff(employee_number="EMP1002")
    browser = flow()
    complete(browser.client, browser.launch("student").headers["Location"], staff.id, "80")
    from lms_bridge.lti.models import LtiUser

    user = session.scalars(select(LtiUser)).one()
    user.sub = "2"  # Moodle's admin: not a student of the course
    session.flush()
    assert send(session).rejected == 1
    assert platform.scores[-1].status == 400
    assert session.scalars(select(LtiScore)).one().status == "rejected"


def test_scores_are_queued_in_the_completing_transaction_and_sent_by_the_worker(
    flow, platform, course, make_staff, session, run
):
    staff = make_staff(employee_number="EMP1002")
    browser = flow()
    complete(browser.client, browser.launch("student").headers["Location"], staff.id, "66")
    row = session.scalars(select(LtiScore)).one()
    assert row.status == "pending"
    assert row.score_given == Decimal(66)
    result = run("lti", "scores", "send")
    assert result.exit_code == 0, result.output
    assert "1 sent" in result.output
    assert platform.scores[-1].body["scoreGiven"] == 66.0


def test_supervisor_reads_the_course_roster_with_short_role_names(
    flow, platform, course, make_staff, make_account, make_unit, session
):
    make_staff(employee_number="EMP2001")
    learner = make_staff(employee_number="EMP1001")
    account = make_account(username="emp2001", role="supervisor")
    assign_units(session, account_id=account.id, unit_ids=[make_unit().id], actor="test")
    browser = flow()
    assert browser.launch("editingteacher").headers["Location"] == "/reports/"
    page = browser.client.get("/lti/roster")
    assert page.status_code == 200, page.text
    assert "Ada Learner" in page.text
    assert "Cy Learner" in page.text
    assert "Tea Cher" in page.text
    assert "Learner" in page.text
    assert "Instructor" in page.text
    assert "ei aloittanut" in page.text  # Ada (EMP1001) is in the register and has not started
    assert "ei osaamisrekisterissä" in page.text  # Ben and Cy are not
    assert learner.id


def test_key_rotation_mid_run(flow, platform, course, make_staff, session, lti_app, monkeypatch):
    """The tool's key: the next one is published before it signs, the old one stays published after.
    The platform's key: a new kid is fetched on the next launch."""
    staff = make_staff(employee_number="EMP1002")
    browser = flow()
    complete(browser.client, browser.launch("student").headers["Location"], staff.id, "70")
    old = keys.signing_key(session, now=utcnow(), secret_key=SECRET_KEY)
    upcoming = keys.rotate(
        session,
        now=utcnow(),
        publish_ahead=dt.timedelta(minutes=60),
        retire_after=dt.timedelta(minutes=120),
        actor="t",
        secret_key=SECRET_KEY,
    )
    published = [k["kid"] for k in browser.client.get("/lti/jwks.json").json["keys"]]
    assert published == [old.kid, upcoming.kid]
    assert send(session).sent == 1
    assert platform.token_requests[-1]["kid"] == old.kid  # not used before its time
    # the switch: the platform refetches our key set and sees the new kid signing
    switch = utcnow() + dt.timedelta(minutes=61)
    scores.forget_tokens()
    refresh_tool_jwks(platform, session)
    assert keys.signing_key(session, now=switch, secret_key=SECRET_KEY).kid == upcoming.kid
    again = flow()
    complete(again.client, again.launch("student").headers["Location"], staff.id, "95")
    scores.send_due(session, now=switch, http=scores.http_session(), secret_key=SECRET_KEY)
    assert platform.token_requests[-1]["kid"] == upcoming.kid
    assert platform.scores[-1].status == 200
    assert old.kid in [
        k["kid"] for k in keys.jwks(session, now=switch, secret_key=SECRET_KEY)["keys"]
    ]  # still checkable
    assert old.kid not in [
        k["kid"]
        for k in keys.jwks(session, now=switch + dt.timedelta(minutes=121), secret_key=SECRET_KEY)["keys"]
    ]
    # the platform rotates its own key mid-run: the tool fetches the key set again for the new kid (the
    # flood guard's few seconds between refetches would only slow this test down)
    monkeypatch.setattr("lms_bridge.lti.toolconf.KEY_SET_REFETCH_AFTER", 0.0)
    platform.rotate_key()
    third = flow().launch("student")
    assert third.status_code == 302, third.text


def test_dynamic_registration_registers_the_platform_once(platform, lti_app, session, signed_in, shared_dir):
    from tests.lti_platform import TestPlatform

    other = TestPlatform(shared_dir, client_id="dyn-client-7", deployment_id="7").start()
    try:
        admin, _ = signed_in("admin")
        page = admin.post("/lti/admin/registration-url")
        import re

        url = (
            re.search(r'<code id="registration-url">([^<]+)</code>', page.text).group(1).replace("&amp;", "&")
        )
        assert url.startswith(f"{TOOL}/lti/register?token=")
        config_url = f"{other.base}/mod/lti/openid-configuration.php"
        client = lti_app.test_client()
        token = url.split("token=", 1)[1]
        path = "/lti/register"
        done = client.get(
            path,
            query_string={
                "token": token,
                "openid_configuration": config_url,
                "registration_token": "reg-tok",
            },
        )
        assert done.status_code == 200, done.text
        assert "on nyt rekisteröity" in done.text
        (registration,) = other.registrations
        assert registration["authorization"] == "Bearer reg-tok"
        body = registration["body"]
        assert body["initiate_login_uri"] == f"{TOOL}/lti/login"
        assert body["redirect_uris"] == [f"{TOOL}/lti/launch"]
        assert body["jwks_uri"] == f"{TOOL}/lti/jwks.json"
        assert "custom_parameters" not in body["https://purl.imsglobal.org/spec/lti-tool-configuration"]
        registered = session.scalars(select(LtiPlatform).where(LtiPlatform.client_id == "dyn-client-7")).one()
        assert registered.issuer == other.issuer
        assert registered.auth_token_url == f"{other.base}/mod/lti/token.php"
        again = client.get(path, query_string={"token": token, "openid_configuration": config_url})
        assert again.status_code == 403
    finally:
        other.stop()


def test_platform_add_command_takes_moodles_values(run, session):
    result = run(
        "lti",
        "platform",
        "add",
        "--issuer",
        "https://moodle.example.fi",
        "--client-id",
        "abc123",
        "--deployment-id",
        "3",
    )
    assert result.exit_code == 0, result.output
    platform = session.scalars(select(LtiPlatform).where(LtiPlatform.client_id == "abc123")).one()
    assert platform.auth_login_url == "https://moodle.example.fi/mod/lti/auth.php"
    assert platform.key_set_url == "https://moodle.example.fi/mod/lti/certs.php"
    assert object_session(platform) is session
