"""The client sends exactly what was recorded and understands every recorded reply.

For each recording in ../shared/fixtures/moodle/ws: the client, pointed at the fake Moodle with the lab
data (whose replies equal the recordings, see test_fake_conformance), sends the recorded form fields
in the recorded order, and returns the reply parsed or raises the right typed error.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
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
from lms_bridge.moodle.replies import MoodleUser
from tests.fakes.moodle import FakeMoodle
from tests.fakes.moodle_lab import LAB_SERVICE_FUNCTIONS, TOKEN_PLACEHOLDERS


def at(timestamp: int) -> datetime:
    return datetime.fromtimestamp(timestamp, tz=UTC)


@dataclass(frozen=True)
class Case:
    """A call that makes a recorded request, and what it must give: `seen(result) == expected`, or,
    when `expected` is an error class, that error with the recorded exception, errorcode and message."""

    call: Callable[[MoodleClient], Any]
    expected: Any
    seen: Callable[[Any], Any] = lambda result: result


def ids(users: list[MoodleUser]) -> list[tuple[int, str | None]]:
    return [(user.id, user.idnumber) for user in users]


def user_data_of_learner3(reply: Any) -> tuple[str, str]:
    # The learner's own token sees her own tracks; nobody else's could be read this way.
    userdata = {entry["element"]: entry["value"] for entry in reply["data"][1]["userdata"]}
    return userdata["student_id"], userdata["cmi.core.lesson_status"]


LEARNERS = [(3, "EMP1001"), (4, "EMP1002"), (5, "EMP1003")]

CASES: dict[str, Case] = {
    "core_webservice_get_site_info": Case(
        lambda c: c.get_site_info(),
        # lab_service lacks none of the functions the sync needs.
        ("Lab", "4.3 (Build: 20231009)", "2023100900", (), frozenset(LAB_SERVICE_FUNCTIONS)),
        lambda i: (i.site_name, i.release, i.version, i.missing_functions, i.functions),
    ),
    "core_enrol_get_enrolled_users__course2": Case(
        lambda c: c.get_enrolled_users(2), [*LEARNERS, (6, "EMP2001")], ids
    ),
    "core_user_get_users_by_field__idnumber": Case(
        lambda c: c.get_users_by_field("idnumber", ["EMP1001", "EMP1002", "EMP1003", "EMP9999"]),
        LEARNERS,
        ids,
    ),
    "core_completion_get_course_completion_status__completed": Case(
        lambda c: c.get_course_completion_status(2, 5),
        (True, at(1795445876)),
        lambda s: (s.completed, s.time_completed),
    ),
    "core_completion_get_course_completion_status__not_completed": Case(
        lambda c: c.get_course_completion_status(2, 4),
        (False, None),
        lambda s: (s.completed, s.time_completed),
    ),
    "core_completion_get_course_completion_status__nocriteriaset": Case(
        lambda c: c.get_course_completion_status(3, 3), NoCriteriaSet
    ),
    "core_completion_get_activities_completion_status__completed": Case(
        lambda c: c.get_activities_completion_status(2, 5),
        [(2, True, at(1795445876)), (3, False, None)],
        lambda statuses: [(a.cmid, a.complete, a.time_completed) for a in statuses],
    ),
    "core_completion_get_activities_completion_status__not_completed": Case(
        lambda c: c.get_activities_completion_status(2, 4),
        [(2, False), (3, False)],
        lambda statuses: [(a.cmid, a.complete) for a in statuses],
    ),
    "mod_scorm_get_scorms_by_courses": Case(
        lambda c: c.get_scorms_by_courses([2]),
        [(1, 2, "SCORM_1.2")],
        lambda scorms: [(s.id, s.cmid, s.version) for s in scorms],
    ),
    "mod_scorm_get_scorm_attempt_count__one": Case(lambda c: c.get_scorm_attempt_count(1, 5), 1),
    "mod_scorm_get_scorm_attempt_count__zero": Case(lambda c: c.get_scorm_attempt_count(1, 4), 0),
    "mod_scorm_get_scorm_scoes": Case(
        lambda c: c.get_scorm_scoes(1),
        [(1, False), (2, True)],
        lambda scoes: [(s.id, s.is_sco) for s in scoes],
    ),
    "mod_scorm_get_scorm_sco_tracks": Case(
        lambda c: c.get_scorm_sco_tracks(2, 5, attempt=1),
        (True, "completed", 85.0, at(1795445878)),
        lambda t: (t.attempted, t.lesson_status, t.score_raw, t.time_modified),
    ),
    "mod_scorm_get_scorm_sco_tracks__no_attempt": Case(
        lambda c: c.get_scorm_sco_tracks(2, 4, attempt=1), (False, ()), lambda t: (t.attempted, t.tracks)
    ),
    "mod_scorm_get_scorm_user_data__learner_token": Case(
        # Not wrapped: the sync must not use it (it returns the caller's own data only).
        lambda c: c.call("mod_scorm_get_scorm_user_data", {"scormid": 1, "attempt": 1}),
        ("learner3", "completed"),
        user_data_of_learner3,
    ),
    "gradereport_user_get_grade_items__user": Case(
        lambda c: c.get_grade_items(2, user_id=5),
        [(5, 85.0, None, 85.0)],
        lambda grades: [
            (g.user_id, g.for_cmid(2).grade_raw, g.for_cmid(3).grade_raw, g.course_total.grade_raw)
            for g in grades
        ],
    ),
    "gradereport_user_get_grade_items__all_users": Case(
        lambda c: c.get_grade_items(2),
        [(3, 85.0, 165.0), (4, None, 90.0), (5, 85.0, 85.0)],
        lambda grades: [(g.user_id, g.for_cmid(2).grade_raw, g.course_total.grade_raw) for g in grades],
    ),
    "error__invalid_token": Case(lambda c: c.get_site_info(), InvalidToken),
    "error__function_not_in_service": Case(lambda c: c.call("core_course_get_courses"), AccessException),
    "error__invalid_parameter": Case(
        lambda c: c.call("core_completion_get_course_completion_status", {"courseid": "abc", "userid": 5}),
        InvalidParameter,
    ),
    "error__missing_parameter": Case(
        lambda c: c.call("core_completion_get_course_completion_status", {"courseid": 2}), InvalidParameter
    ),
    "error__user_not_enrolled__course_completion": Case(
        lambda c: c.get_course_completion_status(3, 4), NotEnrolled
    ),
    "error__user_not_enrolled__activities_completion": Case(
        lambda c: c.get_activities_completion_status(3, 4), []
    ),
    "error__user_not_enrolled__grade_items": Case(
        lambda c: c.get_grade_items(3, user_id=4),
        [["course"]],
        lambda grades: [[item.item_type for item in g.items] for g in grades],
    ),
    "error__course_not_found": Case(lambda c: c.get_enrolled_users(999), RecordMissing),
    "error__function_does_not_exist": Case(lambda c: c.call("nosuch_function"), RecordMissing),
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
    case = CASES[stem]

    if isinstance(case.expected, type) and issubclass(case.expected, MoodleWebServiceError):
        with pytest.raises(case.expected) as raised:
            case.call(client)
        reply = recording["response"]
        error = raised.value
        assert type(error) is case.expected
        assert (error.exception, error.errorcode, error.moodle_message) == (
            reply["exception"],
            reply["errorcode"],
            reply["message"],
        )
    else:
        assert case.seen(case.call(client)) == case.expected

    (request,) = lab_moodle.requests
    token = TOKEN_PLACEHOLDERS[recorded_form[0][1]]
    assert list(request.form) == [(n, token if n == "wstoken" else v) for n, v in recorded_form]
    assert (request.method, request.content_type) == ("POST", recording["request"]["content_type"])
    assert client.calls == 1
