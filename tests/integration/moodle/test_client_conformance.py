"""The client sends exactly what was recorded and understands every recorded reply.

For each recording in ../shared/fixtures/moodle/ws: the client, pointed at the fake Moodle with the lab
data (whose replies equal the recordings, see test_fake_conformance), sends the recorded form fields
in the recorded order, and returns the reply parsed or raises the right typed error.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from lms_bridge.moodle.client import MoodleClient
from lms_bridge.moodle.errors import (
    AccessException,
    InvalidParameter,
    InvalidToken,
    MoodleWebServiceError,
    NoCriteriaSet,
    NotEnrolled,
    RecordMissing,
)
from tests.fakes.moodle import FakeMoodle
from tests.fakes.moodle_lab import LAB_SERVICE_FUNCTIONS, TOKEN_PLACEHOLDERS


def at(timestamp: int) -> datetime:
    return datetime.fromtimestamp(timestamp, tz=UTC)


def check_site_info(info: Any) -> None:
    assert (info.site_name, info.release, info.version) == ("Lab", "4.3 (Build: 20231009)", "2023100900")
    # lab_service lacks none of the functions the sync needs.
    assert info.missing_functions == ()
    assert info.functions == frozenset(LAB_SERVICE_FUNCTIONS)


def check_course_completed(status: Any) -> None:
    assert (status.completed, status.time_completed) == (True, at(1795445876))


def check_grades_of_all(usergrades: Any) -> None:
    assert [(g.user_id, g.for_cmid(2).grade_raw, g.course_total.grade_raw) for g in usergrades] == [
        (3, 85.0, 165.0),
        (4, None, 90.0),
        (5, 85.0, 85.0),
    ]


def check_tracks(tracks: Any) -> None:
    assert (tracks.attempted, tracks.lesson_status, tracks.score_raw, tracks.time_modified) == (
        True,
        "completed",
        85.0,
        at(1795445878),
    )


def check_user_data(reply: Any) -> None:
    # The learner's own token sees her own tracks; nobody else's could be read this way.
    userdata = {e["element"]: e["value"] for e in reply["data"][1]["userdata"]}
    assert (userdata["student_id"], userdata["cmi.core.lesson_status"]) == ("learner3", "completed")


Call = Callable[[MoodleClient], Any]
Expected = Callable[[Any], None] | type[MoodleWebServiceError]

# Recording stem -> (the call that makes that request, what it must return or raise).
CASES: dict[str, tuple[Call, Expected]] = {
    "core_webservice_get_site_info": (lambda c: c.get_site_info(), check_site_info),
    "core_enrol_get_enrolled_users__course2": (
        lambda c: c.get_enrolled_users(2),
        lambda users: (
            [(u.id, u.idnumber) for u in users]
            == [(3, "EMP1001"), (4, "EMP1002"), (5, "EMP1003"), (6, "EMP2001")]
            or pytest.fail(str(users))
        ),
    ),
    "core_user_get_users_by_field__idnumber": (
        lambda c: c.get_users_by_field("idnumber", ["EMP1001", "EMP1002", "EMP1003", "EMP9999"]),
        lambda users: [u.id for u in users] == [3, 4, 5] or pytest.fail(str(users)),
    ),
    "core_completion_get_course_completion_status__completed": (
        lambda c: c.get_course_completion_status(2, 5),
        check_course_completed,
    ),
    "core_completion_get_course_completion_status__not_completed": (
        lambda c: c.get_course_completion_status(2, 4),
        lambda status: (status.completed, status.time_completed) == (False, None) or pytest.fail(str(status)),
    ),
    "core_completion_get_course_completion_status__nocriteriaset": (
        lambda c: c.get_course_completion_status(3, 3),
        NoCriteriaSet,
    ),
    "core_completion_get_activities_completion_status__completed": (
        lambda c: c.get_activities_completion_status(2, 5),
        lambda statuses: (
            [(a.cmid, a.complete) for a in statuses] == [(2, True), (3, False)] or pytest.fail(str(statuses))
        ),
    ),
    "core_completion_get_activities_completion_status__not_completed": (
        lambda c: c.get_activities_completion_status(2, 4),
        lambda statuses: (
            [(a.cmid, a.complete) for a in statuses] == [(2, False), (3, False)] or pytest.fail(str(statuses))
        ),
    ),
    "mod_scorm_get_scorms_by_courses": (
        lambda c: c.get_scorms_by_courses([2]),
        lambda scorms: (
            [(s.id, s.cmid, s.version) for s in scorms] == [(1, 2, "SCORM_1.2")] or pytest.fail(str(scorms))
        ),
    ),
    "mod_scorm_get_scorm_attempt_count__one": (
        lambda c: c.get_scorm_attempt_count(1, 5),
        lambda count: count == 1 or pytest.fail(str(count)),
    ),
    "mod_scorm_get_scorm_attempt_count__zero": (
        lambda c: c.get_scorm_attempt_count(1, 4),
        lambda count: count == 0 or pytest.fail(str(count)),
    ),
    "mod_scorm_get_scorm_scoes": (
        lambda c: c.get_scorm_scoes(1),
        lambda scoes: [(s.id, s.is_sco) for s in scoes] == [(1, False), (2, True)] or pytest.fail(str(scoes)),
    ),
    "mod_scorm_get_scorm_sco_tracks": (lambda c: c.get_scorm_sco_tracks(2, 5, attempt=1), check_tracks),
    "mod_scorm_get_scorm_sco_tracks__no_attempt": (
        lambda c: c.get_scorm_sco_tracks(2, 4, attempt=1),
        lambda tracks: (tracks.attempted, tracks.tracks) == (False, ()) or pytest.fail(str(tracks)),
    ),
    "mod_scorm_get_scorm_user_data__learner_token": (
        # Not wrapped: the sync must not use it (it returns the caller's own data only).
        lambda c: c.call("mod_scorm_get_scorm_user_data", {"scormid": 1, "attempt": 1}),
        check_user_data,
    ),
    "gradereport_user_get_grade_items__user": (
        lambda c: c.get_grade_items(2, user_id=5),
        lambda usergrades: [g.user_id for g in usergrades] == [5] or pytest.fail(str(usergrades)),
    ),
    "gradereport_user_get_grade_items__all_users": (lambda c: c.get_grade_items(2), check_grades_of_all),
    "error__invalid_token": (lambda c: c.get_site_info(), InvalidToken),
    "error__function_not_in_service": (lambda c: c.call("core_course_get_courses"), AccessException),
    "error__invalid_parameter": (
        lambda c: c.call("core_completion_get_course_completion_status", {"courseid": "abc", "userid": 5}),
        InvalidParameter,
    ),
    "error__missing_parameter": (
        lambda c: c.call("core_completion_get_course_completion_status", {"courseid": 2}),
        InvalidParameter,
    ),
    "error__user_not_enrolled__course_completion": (
        lambda c: c.get_course_completion_status(3, 4),
        NotEnrolled,
    ),
    "error__user_not_enrolled__activities_completion": (
        lambda c: c.get_activities_completion_status(3, 4),
        lambda statuses: statuses == [] or pytest.fail(str(statuses)),
    ),
    "error__user_not_enrolled__grade_items": (
        lambda c: c.get_grade_items(3, user_id=4),
        lambda usergrades: (
            [i.item_type for i in usergrades[0].items] == ["course"] or pytest.fail(str(usergrades))
        ),
    ),
    "error__course_not_found": (lambda c: c.get_enrolled_users(999), RecordMissing),
    "error__function_does_not_exist": (lambda c: c.call("nosuch_function"), RecordMissing),
}


@pytest.fixture
def lab_client(lab_moodle: FakeMoodle) -> Iterator[Callable[[str], MoodleClient]]:
    clients: list[MoodleClient] = []

    def client_with(placeholder: str) -> MoodleClient:
        client = MoodleClient(lab_moodle.url, TOKEN_PLACEHOLDERS[placeholder], read_timeout=10, retries=0)
        clients.append(client)
        return client

    yield client_with
    for client in clients:
        client.close()


def test_every_recording_has_a_case(moodle_ws_recordings: dict[str, dict[str, Any]]):
    assert set(CASES) == set(moodle_ws_recordings)


@pytest.mark.parametrize("stem", CASES)
def test_the_client_sends_the_recorded_form_and_understands_the_reply(
    stem: str,
    moodle_ws_recordings: dict[str, dict[str, Any]],
    lab_moodle: FakeMoodle,
    lab_client: Callable[[str], MoodleClient],
):
    recording = moodle_ws_recordings[stem]
    recorded_form = list(recording["request"]["form"].items())
    client = lab_client(recorded_form[0][1])  # the recorded wstoken placeholder says whose token
    call, expected = CASES[stem]

    if isinstance(expected, type):
        with pytest.raises(expected) as raised:
            call(client)
        reply = recording["response"]
        assert type(raised.value) is expected
        assert (raised.value.exception, raised.value.errorcode, raised.value.moodle_message) == (
            reply["exception"],
            reply["errorcode"],
            reply["message"],
        )
    else:
        expected(call(client))

    (request,) = lab_moodle.requests
    token = TOKEN_PLACEHOLDERS[recorded_form[0][1]]
    assert list(request.form) == [(n, token if n == "wstoken" else v) for n, v in recorded_form]
    assert (request.method, request.content_type) == ("POST", recording["request"]["content_type"])
    assert client.calls == 1
