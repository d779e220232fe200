"""The documented rollup rule (lms_bridge.player.rollup), and how one SCO's state is judged."""

from __future__ import annotations

from decimal import Decimal

import pytest

from lms_bridge.player.rollup import ItemStatus, item_status, roll_up
from scorm.cmi import DataModel

DONE = ItemStatus("completed", "unknown", None)
PASSED = ItemStatus("completed", "passed", 1.0)


def rollup(statuses, scos=("a", "b"), *, mastery=False, passing=None):
    return roll_up(statuses, sco_ids=list(scos), mastery_applies=mastery, passing_score=passing)


def test_no_sco_started_is_not_attempted():
    result = rollup({})
    assert (result.completion_status, result.success_status, result.score, result.completed) == (
        "not attempted",
        "unknown",
        None,
        False,
    )


def test_completed_only_when_every_sco_is():
    assert rollup({"a": DONE}).completion_status == "incomplete"
    assert not rollup({"a": DONE}).completed
    both = rollup({"a": DONE, "b": DONE})
    assert (both.completion_status, both.completed) == ("completed", True)


def test_score_is_the_mean_of_the_known_scaled_scores_in_per_cent():
    result = rollup(
        {"a": ItemStatus("completed", "unknown", 0.5), "b": ItemStatus("completed", "unknown", 0.755)}
    )
    assert result.score == Decimal("62.75")
    assert rollup({"a": ItemStatus("completed", "unknown", -0.5), "b": DONE}).score == Decimal("0.00")
    assert rollup({"a": DONE, "b": DONE}).score is None


def test_any_failed_sco_fails_the_package_and_it_is_not_registered():
    result = rollup({"a": PASSED, "b": ItemStatus("completed", "failed", 0.2)})
    assert (result.success_status, result.completed) == ("failed", False)


def test_a_mastery_score_needs_every_sco_passed():
    assert not rollup({"a": PASSED, "b": DONE}, mastery=True).completed
    assert rollup({"a": PASSED, "b": PASSED}, mastery=True).completed


@pytest.mark.parametrize(("scaled", "completed"), [(0.79, False), (0.8, True), (None, False)])
def test_course_passing_score_judges_the_mean_score(scaled, completed):
    statuses = {"a": ItemStatus("completed", "unknown", scaled)}
    assert rollup(statuses, ("a",), passing=80).completed is completed


def test_assets_only_is_never_completed():
    result = rollup({"page1": ItemStatus("not attempted", "unknown", None)}, scos=())
    assert (result.completion_status, result.completed) == ("incomplete", False)
    assert rollup({}, scos=()).completion_status == "not attempted"


def test_scorm12_passed_sco_is_judged_by_its_mastery_score_before_lmsfinish():
    model = DataModel.for_version("1.2", strict=False)
    state = model.initial_state(learner_id="1", learner_name="A, B", mastery_score=80)
    state = model.apply(state, [("cmi.core.lesson_status", "passed"), ("cmi.core.score.raw", "70")])
    status = item_status(model, state)
    assert (status.completion_status, status.success_status, status.score_scaled) == (
        "completed",
        "failed",
        0.7,
    )


def test_scorm12_sco_without_a_status_is_not_completed_before_lmsfinish():
    model = DataModel.for_version("1.2", strict=False)
    state = model.apply(
        model.initial_state(learner_id="1", learner_name="A, B"), [("cmi.core.lesson_location", "p2")]
    )
    assert item_status(model, state).completion_status == "not attempted"  # LMSFinish would say completed


def test_scorm2004_raw_score_without_scaled_is_scaled_within_min_and_max():
    model = DataModel.for_version("2004", strict=False)
    state = model.apply(
        model.initial_state(learner_id="1", learner_name="A"),
        [("cmi.score.raw", "15"), ("cmi.score.min", "10"), ("cmi.score.max", "20")],
    )
    assert item_status(model, state).score_scaled == 0.5
