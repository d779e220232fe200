"""The whole SetValue/Commit sequence the SCO makes, SCORM 1.2 and 2004, captured in the test LMS: wrong
answers, then right answers, and leaving half-way. SCORM 1.2 runs also go through the Moodle 4.3 model
(tests/unit/scorm/moodle43.py): a passed module must become complete there, an unfinished one must not."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page

from scorm.authoring import Course
from tests.browser.conftest import Site
from tests.browser.sco_driver import ScoDriver
from tests.browser.test_sco_run_time import close_sco, lms_log, open_in_lms, refused, stored
from tests.unit.scorm.moodle43 import Moodle43Scorm12, scorm_calls

pytestmark = pytest.mark.browser

STATUS = {
    "scorm12": ("cmi.core.lesson_status",),
    "scorm2004": ("cmi.completion_status", "cmi.success_status"),
}
SCORE = {
    "scorm12": ("cmi.core.score.min", "cmi.core.score.max", "cmi.core.score.raw"),
    "scorm2004": ("cmi.score.min", "cmi.score.max", "cmi.score.raw", "cmi.score.scaled"),
}


def condensed(log: list[dict[str, Any]], standard: str) -> list[str]:
    """Status and score writes, commits (several in a row as one) and the end of the session, in order."""
    out: list[str] = []
    watched = STATUS[standard] + SCORE[standard]
    for call in log:
        fn, args = call["fn"], call["args"]
        if fn in ("LMSSetValue", "SetValue") and args[0] in watched:
            out.append(f"{args[0].rsplit('.', 1)[-1]}={args[1]}")
        elif fn in ("LMSCommit", "Commit") and (not out or out[-1] != "commit"):
            out.append("commit")
        elif fn in ("LMSFinish", "Terminate"):
            out.append("finish")
    return out


def submit(sco: ScoDriver, course: Course, *, right: bool) -> None:
    sco.answer_quiz(course.quiz, [right] * course.quiz.per_attempt)
    sco.submit()


def test_wrong_then_right_answers_commit_the_status_before_the_score(
    page: Page, site: Site, sample_course: Course, standard: str
) -> None:
    course = sample_course
    sco = open_in_lms(page, site, course, standard)
    sco.go_to(sco.index_of("quiz"))
    submit(sco, course, right=False)
    failed_log = lms_log(page)
    sco.retry()
    submit(sco, course, right=True)
    close_sco(page)
    log = lms_log(page)
    assert refused(log) == []

    if standard == "scorm12":
        assert condensed(log, standard) == [
            "lesson_status=incomplete",
            "commit",
            "lesson_status=failed",
            "commit",
            "min=0",
            "max=100",
            "raw=0",
            "lesson_status=failed",
            "commit",
            "lesson_status=passed",
            "commit",
            "min=0",
            "max=100",
            "raw=100",
            "lesson_status=passed",
            "commit",
            "finish",
        ]
        for rule in (frozenset({"passed"}), frozenset({"passed", "completed"})):
            assert not Moodle43Scorm12(status_required=rule).play(scorm_calls(failed_log)).complete
            moodle = Moodle43Scorm12(status_required=rule).play(scorm_calls(log))
            assert moodle.complete
            assert moodle.tracks["cmi.core.lesson_status"] == "passed"
            assert moodle.tracks["cmi.core.score.raw"] == "100"
    else:
        assert condensed(log, standard) == [
            "completion_status=incomplete",
            "commit",
            "completion_status=completed",
            "success_status=failed",
            "commit",
            "min=0",
            "max=100",
            "raw=0",
            "scaled=0",
            "completion_status=completed",
            "success_status=failed",
            "commit",
            "completion_status=completed",
            "success_status=passed",
            "commit",
            "min=0",
            "max=100",
            "raw=100",
            "scaled=1",
            "completion_status=completed",
            "success_status=passed",
            "commit",
            "finish",
        ]
    cmi = stored(page)["cmi"]
    if standard == "scorm12":
        assert (cmi["cmi.core.lesson_status"], cmi["cmi.core.score.raw"]) == ("passed", "100")
    else:
        assert (cmi["cmi.completion_status"], cmi["cmi.success_status"]) == ("completed", "passed")


def test_a_failed_2004_attempt_is_completed_and_failed(page: Page, site: Site, sample_course: Course) -> None:
    """Why the README says to require "passed" in Moodle for the 2004 build, never "completed" alone."""
    sco = open_in_lms(page, site, sample_course, "scorm2004")
    sco.go_to(sco.index_of("quiz"))
    submit(sco, sample_course, right=False)
    close_sco(page)
    cmi = stored(page)["cmi"]
    assert (cmi["cmi.completion_status"], cmi["cmi.success_status"]) == ("completed", "failed")


def test_leaving_half_way_stays_incomplete_and_resumes(
    page: Page, site: Site, sample_course: Course, standard: str
) -> None:
    course = sample_course
    sco = open_in_lms(page, site, course, standard)
    sco.next()
    sco.next()
    close_sco(page)
    first = lms_log(page)
    status = STATUS[standard][0]
    assert condensed(first, standard) == [f"{status.rsplit('.', 1)[-1]}=incomplete", "commit", "finish"]
    assert stored(page)["exit"] == "suspend"
    assert stored(page)["cmi"][status] == "incomplete"
    if standard == "scorm12":
        moodle = Moodle43Scorm12().play(scorm_calls(first))
        assert not moodle.complete
        assert moodle.tracks[status] == "incomplete"
        assert moodle.entry_on_return() == "resume"

    page.reload()
    sco = ScoDriver.in_lms(page, course)
    sco.expect_at(2)
    close_sco(page)
    second = [c for c in lms_log(page) if c["session"] == 2]
    # Back where the learner left, still incomplete: the status is read, not written again.
    assert condensed(second, standard) == ["commit", "finish"]
    assert stored(page)["cmi"][status] == "incomplete"
