"""What counts as a completed SCORM attempt, scores as per cent, and the register keys (no I/O)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from lms_bridge.moodle import evidence
from lms_bridge.moodle.replies import ReplyWarning, ScoTracks

AT = dt.datetime(2026, 9, 21, 12, 0, tzinfo=dt.UTC)


def tracks(elements: dict[str, str], *, when: dt.datetime = AT, attempt: int = 1) -> ScoTracks:
    return ScoTracks(attempt, (*elements.items(), ("timemodified", str(int(when.timestamp())))))


NOT_ATTEMPTED = ScoTracks(1, (), (ReplyWarning("attempt", 1, "notattempted", "Not attempted"),))


@pytest.mark.parametrize(
    ("elements", "done"),
    [
        ({"cmi.core.lesson_status": "passed"}, True),
        ({"cmi.core.lesson_status": "completed"}, True),
        ({"cmi.core.lesson_status": "failed"}, False),
        ({"cmi.core.lesson_status": "incomplete"}, False),
        ({"cmi.core.lesson_status": "browsed"}, False),
        ({"cmi.completion_status": "completed", "cmi.success_status": "passed"}, True),
        ({"cmi.completion_status": "completed", "cmi.success_status": "unknown"}, True),
        ({"cmi.completion_status": "completed", "cmi.success_status": "failed"}, False),
        ({"cmi.completion_status": "incomplete", "cmi.success_status": "passed"}, True),
        ({"cmi.completion_status": "incomplete"}, False),
    ],
)
def test_a_sco_is_done_by_its_scorm_version_s_rule(elements, done):
    assert evidence.sco_done(tracks(elements)) is done


def test_nothing_stored_is_not_done():
    assert evidence.sco_done(NOT_ATTEMPTED) is False
    assert evidence.scorm_result([NOT_ATTEMPTED]) is None


def test_a_result_needs_every_sco_and_takes_the_latest_time_and_the_mean_score():
    first = tracks({"cmi.core.lesson_status": "passed", "cmi.core.score.raw": "80"}, when=AT)
    second = tracks(
        {"cmi.core.lesson_status": "completed", "cmi.core.score.raw": "90"}, when=AT + dt.timedelta(hours=1)
    )
    unfinished = tracks({"cmi.core.lesson_status": "incomplete"})

    assert evidence.scorm_result([first, second]) == evidence.Result(
        AT + dt.timedelta(hours=1), Decimal("85.00")
    )
    assert evidence.scorm_result([first, unfinished]) is None


@pytest.mark.parametrize(
    ("elements", "score"),
    [
        ({"cmi.core.score.raw": "17", "cmi.core.score.max": "20"}, Decimal("85.00")),
        ({"cmi.core.score.raw": "85"}, Decimal("85.00")),
        ({"cmi.score.scaled": "0.756", "cmi.score.raw": "1"}, Decimal("75.60")),
        ({"cmi.core.score.raw": "130"}, Decimal("100")),
        ({}, None),
    ],
)
def test_scores_become_per_cent_within_0_to_100(elements, score):
    result = evidence.scorm_result([tracks({"cmi.core.lesson_status": "passed", **elements})])
    assert result is not None
    assert result.score == score


def test_register_keys_name_site_course_or_activity_user_time_and_competence():
    assert evidence.course_ref(1, 12, 345, AT, "KOHT-01") == "moodle:1:course:12:user:345:1789992000:KOHT-01"
    assert evidence.activity_ref(1, 7, 345, AT, "KOHT-01") == "moodle:1:cm:7:user:345:1789992000:KOHT-01"
    assert evidence.signature([1, None, 2.5]) == evidence.signature([1, None, 2.5])
    assert evidence.signature([1, None, 2.5]) != evidence.signature([1, 0, 2.5])
