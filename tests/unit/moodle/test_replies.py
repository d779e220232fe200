"""The reply parsers on Moodle 4.3's recorded replies (../shared/fixtures/moodle/ws), and on the edge cases
the recordings do not show."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from lms_bridge.moodle import replies
from lms_bridge.moodle.errors import UnexpectedReply
from lms_bridge.moodle.replies import CompletionCriterion, CourseCompletionStatus


def at(timestamp: int) -> datetime:
    return datetime.fromtimestamp(timestamp, tz=UTC)


@pytest.fixture
def reply(moodle_ws_recordings: dict[str, dict[str, Any]]) -> Any:
    def recorded(stem: str) -> Any:
        return moodle_ws_recordings[stem]["response"]

    return recorded


def test_site_info_names_the_site_release_and_the_services_functions(reply):
    info = replies.parse_site_info(reply("core_webservice_get_site_info"))

    assert (info.site_name, info.release, info.version) == ("Lab", "4.3 (Build: 20231009)", "2023100900")
    assert (info.user_id, info.username, info.site_url) == (2, "admin", "http://127.0.0.1:8080")
    assert len(info.functions) == 13
    assert "mod_scorm_get_scorm_sco_tracks" in info.functions


def test_enrolled_users_carry_what_matching_needs_and_their_course_roles(reply):
    users = replies.parse_users(reply("core_enrol_get_enrolled_users__course2"))

    assert [(u.id, u.idnumber, u.email, u.roles) for u in users] == [
        (3, "EMP1001", "learner1@example.invalid", ("student",)),
        (4, "EMP1002", "learner2@example.invalid", ("student",)),
        (5, "EMP1003", "learner3@example.invalid", ("student",)),
        (6, "EMP2001", "teacher1@example.invalid", ("editingteacher",)),
    ]
    assert users[0].fullname == "Ada Learner"
    assert users[0].username == "learner1"


def test_users_by_field_leave_unknown_values_out(reply):
    users = replies.parse_users(reply("core_user_get_users_by_field__idnumber"))

    assert [u.idnumber for u in users] == ["EMP1001", "EMP1002", "EMP1003"]  # EMP9999 is simply missing
    assert users[0].suspended is False


def test_users_without_idnumber_or_email_have_none_to_match_on():
    # Moodle leaves an empty idnumber out of the reply and sends an empty e-mail as "".
    (user,) = replies.parse_users([{"id": 9, "fullname": "No Body", "email": ""}])

    assert (user.idnumber, user.email, user.username, user.roles) == (None, None, None, ())


def test_grade_items_of_all_users_come_in_one_reply(reply):
    usergrades = replies.parse_grade_items(reply("gradereport_user_get_grade_items__all_users"))

    assert [g.user_id for g in usergrades] == [3, 4, 5]  # students only: teacher1 is not graded
    learner1, learner2, learner3 = usergrades
    scorm = learner1.for_cmid(2)
    assert scorm is not None
    assert (scorm.item_module, scorm.grade_raw, scorm.grade_max, scorm.date_graded) == (
        "scorm",
        85.0,
        100.0,
        at(1795445290),
    )
    assert learner1.course_total is not None
    assert learner1.course_total.grade_raw == 165.0
    assert learner1.user_idnumber == "EMP1001"
    # learner2 never opened the SCORM; learner3's LTI score is Pending: a date but no grade.
    assert learner2.for_cmid(2).grade_raw is None  # type: ignore[union-attr]
    pending = learner3.for_cmid(3)
    assert pending is not None
    assert (pending.grade_raw, pending.date_graded) == (None, at(1795446133))


def test_grade_items_of_a_user_not_enrolled_are_the_course_total_only(reply):
    (usergrades,) = replies.parse_grade_items(reply("error__user_not_enrolled__grade_items"))

    assert [item.item_type for item in usergrades.items] == ["course"]
    assert usergrades.course_total is not None
    assert usergrades.course_total.grade_raw is None


def test_course_completion_time_is_derived_from_its_criteria(reply):
    done = replies.parse_course_completion_status(
        reply("core_completion_get_course_completion_status__completed")
    )
    not_done = replies.parse_course_completion_status(
        reply("core_completion_get_course_completion_status__not_completed")
    )

    assert (done.completed, done.aggregation, done.time_completed) == (True, 1, at(1795445876))
    assert done.criteria[0].type == 4
    assert (not_done.completed, not_done.time_completed) == (False, None)
    assert not_done.criteria[0].time_completed is None


def criterion(complete: bool, time: int | None) -> CompletionCriterion:
    return CompletionCriterion(4, "Activity completion", "Yes", complete, at(time) if time else None)


def test_all_criteria_complete_the_course_at_the_last_any_at_the_first():
    criteria = (criterion(True, 200), criterion(True, 100), criterion(False, None))

    assert CourseCompletionStatus(True, replies.AGGREGATION_ALL, criteria).time_completed == at(200)
    assert CourseCompletionStatus(True, replies.AGGREGATION_ANY, criteria).time_completed == at(100)
    # Completed by other means (e.g. marked complete) with no criterion time: no time to give.
    assert CourseCompletionStatus(True, 1, (criterion(False, None),)).time_completed is None


def test_activity_completion_flags(reply):
    done = replies.parse_activities_completion(
        reply("core_completion_get_activities_completion_status__completed")
    )
    not_done = replies.parse_activities_completion(
        reply("core_completion_get_activities_completion_status__not_completed")
    )

    assert [(a.cmid, a.modname, a.complete, a.time_completed, a.tracking) for a in done] == [
        (2, "scorm", True, at(1795445876), 2),
        (3, "lti", False, None, 1),
    ]
    assert not any(a.complete for a in not_done)
    assert replies.parse_activities_completion(reply("error__user_not_enrolled__activities_completion")) == []


def test_scorm_activities_and_their_scos(reply):
    (scorm,) = replies.parse_scorms(reply("mod_scorm_get_scorms_by_courses"))
    organisation, sco = replies.parse_scoes(reply("mod_scorm_get_scorm_scoes"))

    assert (scorm.id, scorm.cmid, scorm.course_id, scorm.version) == (1, 2, 2, "SCORM_1.2")
    assert (scorm.max_grade, scorm.completion_status_required, scorm.completion_score_required) == (
        100,
        6,
        None,
    )
    assert (organisation.is_sco, organisation.identifier) == (False, "LAB_ORG")
    assert (sco.id, sco.is_sco, sco.identifier, sco.launch) == (2, True, "LAB_ITEM1", "index.html")


def test_attempt_counts(reply):
    assert replies.parse_attempt_count(reply("mod_scorm_get_scorm_attempt_count__one")) == 1
    assert replies.parse_attempt_count(reply("mod_scorm_get_scorm_attempt_count__zero")) == 0


def test_sco_tracks_keep_every_value_as_text_whatever_type_moodle_sent(reply):
    tracks = replies.parse_sco_tracks(reply("mod_scorm_get_scorm_sco_tracks"))

    assert tracks.attempted
    assert (tracks.attempt, tracks.lesson_status, tracks.score_raw, tracks.score_max) == (
        1,
        "completed",
        85,
        100,
    )
    assert tracks.get("score_raw") == "85"  # a JSON number in the reply
    assert tracks.get("userid") == "5"  # also a number
    assert tracks.get("cmi.core.score.raw") == "85"  # a string
    assert tracks.time_modified == at(1795445878)
    assert tracks.completion_status is None


def test_sco_tracks_of_an_attempt_never_made_say_so(reply):
    tracks = replies.parse_sco_tracks(reply("mod_scorm_get_scorm_sco_tracks__no_attempt"))

    assert not tracks.attempted
    assert tracks.tracks == ()
    assert [(w.item, w.item_id, w.code) for w in tracks.warnings] == [("attempt", 1, "notattempted")]


def test_scorm_2004_tracks():
    tracks = replies.parse_sco_tracks(
        {
            "data": {
                "attempt": 2,
                "tracks": [
                    {"element": "cmi.completion_status", "value": "completed"},
                    {"element": "cmi.success_status", "value": "passed"},
                    {"element": "cmi.score.raw", "value": "72.5"},
                    {"element": "cmi.score.scaled", "value": "0.725"},
                    {"element": "score_raw", "value": 72.5},
                ],
            },
            "warnings": [],
        }
    )

    assert (tracks.completion_status, tracks.success_status, tracks.score_raw, tracks.score_scaled) == (
        "completed",
        "passed",
        72.5,
        0.725,
    )
    assert tracks.get("score_raw") == "72.5"


def test_a_reply_in_another_shape_is_an_unexpected_reply():
    with pytest.raises(
        UnexpectedReply, match=r"^core_webservice_get_site_info: reply not in the documented shape"
    ):
        replies.parse("core_webservice_get_site_info", {"sitename": "x"}, replies.parse_site_info)
    with pytest.raises(UnexpectedReply):
        replies.parse("core_enrol_get_enrolled_users", {"users": []}, replies.parse_users)
