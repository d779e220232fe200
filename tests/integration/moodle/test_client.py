"""The Moodle client against the fake Moodle: retries, timeouts, giving up, Moodle's errors, counting
calls, and never showing the token."""

from __future__ import annotations

import json
import logging
import socket
import time

import pytest

from lms_bridge.moodle.client import MATCHING_USER_FIELDS, MAX_VALUES_PER_CALL, MoodleClient
from lms_bridge.moodle.errors import (
    AccessException,
    InvalidParameter,
    InvalidToken,
    MoodleConnectionError,
    MoodleError,
    MoodleHTTPError,
    MoodleTimeout,
    UnexpectedReply,
)
from tests.fakes.moodle import REST_PATH, FakeMoodle

SITE_INFO = "core_webservice_get_site_info"


def client_for(fake: FakeMoodle, token: str | None = None, **options: float) -> MoodleClient:
    settings = {"connect_timeout": 5.0, "read_timeout": 30.0, "retries": 3, "backoff_factor": 0.0} | options
    return MoodleClient(fake.url, token or fake.token, **settings)  # type: ignore[arg-type]


def test_a_500_is_retried_until_moodle_answers(fake_moodle: FakeMoodle, moodle_client: MoodleClient):
    fake_moodle.fail_next(2)

    info = moodle_client.get_site_info()

    assert info.site_name == "Fake Moodle"
    assert [r.fault for r in fake_moodle.requests] == ["status", "status", None]
    assert (moodle_client.calls, moodle_client.stats.retries) == (1, 2)


def test_a_slow_reply_is_retried(fake_moodle: FakeMoodle):
    fake_moodle.delay_next(1, seconds=30)

    with client_for(fake_moodle, read_timeout=2) as client:
        info = client.get_site_info()

    assert info.username == "admin"
    assert [r.fault for r in fake_moodle.requests] == ["delay", None]
    assert client.stats.retries == 1


def test_a_dropped_connection_is_retried(fake_moodle: FakeMoodle, moodle_client: MoodleClient):
    fake_moodle.drop_next(1)

    assert moodle_client.get_site_info().username == "admin"
    assert [r.fault for r in fake_moodle.requests] == ["drop", None]


def test_the_client_gives_up_after_its_retries_with_a_clear_error(fake_moodle: FakeMoodle):
    fake_moodle.fail_next(10, status=503)

    with client_for(fake_moodle, retries=2) as client, pytest.raises(MoodleHTTPError) as raised:
        client.get_site_info()

    assert str(raised.value) == f"{SITE_INFO}: Moodle answered HTTP 503 (3 attempts)"
    assert (raised.value.status, raised.value.attempts, raised.value.function) == (503, 3, SITE_INFO)
    assert fake_moodle.calls() == 3


def test_timeouts_run_out_too(fake_moodle: FakeMoodle):
    fake_moodle.delay_next(10, seconds=3)

    with (
        client_for(fake_moodle, read_timeout=0.2, retries=1) as client,
        pytest.raises(MoodleTimeout) as raised,
    ):
        client.get_site_info()

    assert raised.value.attempts == 2
    assert "within the timeouts (connect 5.0 s, read 0.2 s)" in str(raised.value)
    assert fake_moodle.calls() == 2


def test_a_call_may_wait_longer_than_the_clients_read_timeout(fake_moodle: FakeMoodle):
    # The course-wide grade report of a big course takes Moodle a while.
    course = fake_moodle.data.add_course("C1")
    fake_moodle.delay_next(1, seconds=0.5)
    fake_moodle.delay_next(1, seconds=30)

    with client_for(fake_moodle, read_timeout=0.2, retries=0) as client:
        assert client.get_grade_items(course.id, read_timeout=10) == []  # no students yet
        with pytest.raises(MoodleTimeout, match=r"read 0\.3 s"):
            client.get_grade_items(course.id, read_timeout=0.3)


def test_nothing_listening_is_a_connection_error():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # closed again before the client connects

    with (
        MoodleClient(f"http://127.0.0.1:{port}", "t", retries=2, backoff_factor=0) as client,
        pytest.raises(MoodleConnectionError) as raised,
    ):
        client.get_site_info()

    assert str(raised.value).startswith(f"{SITE_INFO}: cannot connect to http://127.0.0.1:{port}{REST_PATH}")
    assert raised.value.attempts == 3


def test_retries_back_off_exponentially(fake_moodle: FakeMoodle):
    fake_moodle.fail_next(3)

    with client_for(fake_moodle, backoff_factor=0.1) as client:
        started = time.monotonic()
        client.get_site_info()

    # urllib3: no wait before the first retry, then 0.1 × 2^1 and 0.1 × 2^2 seconds.
    assert time.monotonic() - started >= 0.55


def test_moodles_own_errors_are_not_retried(fake_moodle: FakeMoodle):
    with client_for(fake_moodle, token="0" * 32) as client, pytest.raises(InvalidToken):
        client.get_site_info()

    assert fake_moodle.calls() == 1
    assert client.stats.retries == 0


def test_a_function_missing_from_the_service_shows_in_site_info_and_fails_when_called(
    fake_moodle: FakeMoodle, moodle_client: MoodleClient
):
    fake_moodle.remove_function("mod_scorm_get_scorm_sco_tracks")

    assert moodle_client.get_site_info().missing_functions == ("mod_scorm_get_scorm_sco_tracks",)
    with pytest.raises(AccessException) as raised:
        moodle_client.get_scorm_sco_tracks(2, 2)
    assert raised.value.errorcode == "accessexception"


def test_a_missing_capability_is_an_access_exception(fake_moodle: FakeMoodle, moodle_client: MoodleClient):
    data = fake_moodle.data
    course = data.add_course("C1")
    learner = data.add_user("learner", idnumber="E1")
    data.enrol(course.id, learner.id)
    scorm = data.add_scorm(course.id, "Module")
    fake_moodle.missing_capabilities.add("mod/scorm:viewreport")

    with pytest.raises(AccessException) as raised:
        moodle_client.get_scorm_sco_tracks(data.sco_ids(scorm.id)[0], learner.id)

    assert (raised.value.exception, raised.value.errorcode) == (
        "required_capability_exception",
        "nopermissions",
    )


def test_an_error_body_with_a_4xx_status_is_still_moodles_error(
    fake_moodle: FakeMoodle, moodle_client: MoodleClient
):
    # Moodle 4.3 sends its errors with HTTP 200; a newer release or a proxy may not.
    error = {
        "exception": "invalid_parameter_exception",
        "errorcode": "invalidparameter",
        "message": "Invalid",
    }
    fake_moodle.fail_next(1, status=400, body=json.dumps(error).encode(), content_type="application/json")

    with pytest.raises(InvalidParameter):
        moodle_client.get_site_info()
    assert fake_moodle.calls() == 1


def test_a_200_that_is_not_json_is_an_unexpected_reply(fake_moodle: FakeMoodle, moodle_client: MoodleClient):
    fake_moodle.fail_next(1, status=200, body=b"<html>Site under maintenance</html>")

    with pytest.raises(UnexpectedReply, match=r"reply is not JSON \('text/html', 35 bytes\)"):
        moodle_client.get_site_info()


def test_a_redirect_is_not_followed_so_the_token_stays_put(
    fake_moodle: FakeMoodle, moodle_client: MoodleClient
):
    with FakeMoodle() as elsewhere:
        fake_moodle.fail_next(1, status=307, headers={"Location": elsewhere.url + REST_PATH})

        with pytest.raises(MoodleHTTPError, match=r"HTTP 307, redirected to http://127\.0\.0\.1:") as raised:
            moodle_client.get_site_info()

        assert raised.value.status == 307
        assert elsewhere.requests == []


def test_calls_are_counted_once_however_often_they_were_retried(
    fake_moodle: FakeMoodle, moodle_client: MoodleClient
):
    course = fake_moodle.data.add_course("C1")
    fake_moodle.fail_next(1)

    moodle_client.get_site_info()
    moodle_client.get_enrolled_users(course.id)
    moodle_client.get_enrolled_users(course.id)
    with pytest.raises(MoodleError):
        moodle_client.get_enrolled_users(999)

    assert moodle_client.calls == 4
    assert moodle_client.stats.by_function == {SITE_INFO: 1, "core_enrol_get_enrolled_users": 3}
    assert fake_moodle.calls() == moodle_client.calls + moodle_client.stats.retries == 5


def test_the_token_is_never_logged_nor_shown(fake_moodle: FakeMoodle, caplog: pytest.LogCaptureFixture):
    caplog.set_level(logging.DEBUG)  # requests' and urllib3's loggers too
    shown: list[str] = []

    with client_for(fake_moodle, read_timeout=2, retries=1) as client:
        fake_moodle.fail_next(1)
        client.get_site_info()  # one 500, then fine
        fake_moodle.delay_next(2, seconds=30)
        # A timeout after the retry, then a Moodle error.
        for call in (client.get_site_info, lambda: client.get_enrolled_users(999)):
            with pytest.raises(MoodleError) as raised:
                call()
            shown += [str(raised.value), repr(raised.value)]
        shown.append(repr(client))
    with client_for(fake_moodle, token="f" * 32) as bad, pytest.raises(InvalidToken) as raised:
        bad.get_site_info()
    shown.append(str(raised.value))

    assert "Moodle core_webservice_get_site_info: HTTP 200" in caplog.text
    assert "Retry" in caplog.text  # urllib3 says it retries; with the path, not the form
    for secret in (fake_moodle.token, "f" * 32):
        assert secret not in caplog.text
        assert not any(secret in text for text in shown)


def test_long_value_lists_are_asked_in_parts(fake_moodle: FakeMoodle, moodle_client: MoodleClient):
    # PHP silently drops the fields past max_input_vars (1,000 by default).
    for number in range(1200):
        fake_moodle.data.add_user(f"user{number}", idnumber=f"E{number:05}")
    wanted = [f"E{number:05}" for number in range(1200)] + ["nobody"]

    users = moodle_client.get_users_by_field("idnumber", wanted)

    assert len(users) == 1200
    assert [u.id for u in users] == sorted(u.id for u in users)
    sizes = [len(r.params) - 1 for r in fake_moodle.requests]  # minus `field`
    assert sizes == [MAX_VALUES_PER_CALL, MAX_VALUES_PER_CALL, 201]
    assert moodle_client.get_users_by_field("email", []) == []
    assert fake_moodle.calls() == 3


def test_enrolled_users_with_only_the_fields_matching_needs(
    fake_moodle: FakeMoodle, moodle_client: MoodleClient
):
    data = fake_moodle.data
    course = data.add_course("C1")
    for user in (
        data.add_user("has_all", idnumber="E1"),
        data.add_user("no_idnumber"),
        data.add_user("no_email", idnumber="E3", email=""),
        data.add_user("teacher", idnumber="E4"),
    ):
        data.enrol(course.id, user.id, "editingteacher" if user.username == "teacher" else "student")

    users = moodle_client.get_enrolled_users(
        course.id, user_fields=MATCHING_USER_FIELDS, limit_from=0, limit_number=3
    )

    assert [(u.username, u.idnumber, u.email, u.roles) for u in users] == [
        ("has_all", "E1", "has_all@example.invalid", ("student",)),
        ("no_idnumber", None, "no_idnumber@example.invalid", ("student",)),
        ("no_email", "E3", None, ("student",)),
    ]
    assert fake_moodle.requests[-1].params == [
        ("courseid", str(course.id)),
        ("options[0][name]", "userfields"),
        ("options[0][value]", "id,username,idnumber,email,roles,lastcourseaccess"),
        ("options[1][name]", "limitnumber"),
        ("options[1][value]", "3"),
    ]


def test_moodle_430s_unset_flag_beside_the_stored_scorm_result(
    fake_moodle: FakeMoodle, moodle_client: MoodleClient
):
    """Issue 13's trap: a SCORM 1.2 package reporting "incomplete" then "passed" with a score leaves
    Moodle 4.3.0's completion flag unset; the SCO tracks hold the result."""
    data = fake_moodle.data
    course = data.add_course("C1")
    learner = data.add_user("learner", idnumber="E1")
    data.enrol(course.id, learner.id)
    scorm = data.add_scorm(course.id, "Module", completionstatusrequired=2)
    data.record_scorm_attempt(
        scorm.id, learner.id, time=1700000000, status="passed", score=90, complete=False
    )

    (flag,) = moodle_client.get_activities_completion_status(course.id, learner.id)
    tracks = moodle_client.get_scorm_sco_tracks(data.sco_ids(scorm.id)[0], learner.id)

    assert (flag.cmid, flag.complete) == (scorm.cmid, False)
    assert (tracks.attempt, tracks.lesson_status, tracks.score_raw) == (1, "passed", 90.0)


def test_the_fake_holds_ten_thousand_users_with_four_activities(
    fake_moodle: FakeMoodle, moodle_client: MoodleClient
):
    """The size the sync benchmark will use: bulk calls answer for all, per-user calls stay lookups."""
    data = fake_moodle.data
    course = data.add_course("BIG")
    scorms = [data.add_scorm(course.id, f"Module {number}") for number in range(4)]
    for number in range(10_000):
        user = data.add_user(f"u{number}", idnumber=f"E{number:05}")
        data.enrol(course.id, user.id)
        for index, scorm in enumerate(scorms):
            if (number + index) % 3:
                data.record_scorm_attempt(
                    scorm.id, user.id, time=1_700_000_000 + number, status="passed", score=80
                )
    last = data.users_by["idnumber"]["E09999"][0]

    users = moodle_client.get_enrolled_users(course.id, user_fields=MATCHING_USER_FIELDS)
    grades = moodle_client.get_grade_items(course.id)
    tracks = moodle_client.get_scorm_sco_tracks(data.sco_ids(scorms[1].id)[0], last)
    completion = moodle_client.get_course_completion_status(course.id, last)

    assert len(users) == len(grades) == 10_000
    assert (
        sum(item.grade_raw is not None for g in grades for item in g.items if item.item_type == "mod")
        == 26_666
    )
    assert (tracks.lesson_status, tracks.score_raw) == ("passed", 80.0)
    assert completion.completed is False  # (9999 + 0) % 3 == 0: no attempt at the first module
    assert fake_moodle.calls() == moodle_client.calls == 4


def test_latency_slows_every_request(fake_moodle: FakeMoodle, moodle_client: MoodleClient):
    fake_moodle.latency = 0.05

    started = time.monotonic()
    for _ in range(4):
        moodle_client.get_site_info()

    assert time.monotonic() - started >= 0.2
