"""Finding the LMS: parents at any depth, the opener, or none (preview mode); the test LMS's strictness."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from scorm.authoring import Course
from tests.browser.conftest import Site
from tests.browser.sco_driver import ScoDriver

pytestmark = pytest.mark.browser


def test_without_an_lms_the_module_runs_in_a_labelled_preview_mode(
    page: Page, site: Site, sample_course: Course, standard: str
) -> None:
    course = sample_course
    sco = ScoDriver.standalone(page, site.sco_url(course.id, standard), course)
    expect(page.get_by_role("status")).to_have_text(sco.t["preview_banner"])
    assert page.evaluate("() => SCO.mode()") == "preview"
    sco.go_to(sco.index_of("quiz"))
    sco.answer_quiz(course.quiz, [True] * course.quiz.per_attempt)
    sco.submit()
    expect(sco.current().locator(".quiz-outcome")).to_have_text(
        sco.t["quiz_passed"].format(mastery=course.mastery_score)
    )
    assert sco.state()["q"]["b"] == 100  # everything works, only nothing is sent anywhere


def test_the_api_is_found_through_nested_frames(
    page: Page, site: Site, sample_course: Course, standard: str
) -> None:
    page.goto(site.lms_url(sample_course.id, standard, nest=3))
    sco = ScoDriver.in_lms(page, sample_course)
    assert sco.frame.evaluate("() => SCO.mode()") == "lms"
    expect(sco.frame.locator("#sco-status")).to_be_empty()
    log = page.evaluate("() => window.lmsLog()")
    initialize = "LMSInitialize" if standard == "scorm12" else "Initialize"
    assert [c["result"] for c in log if c["fn"] == initialize] == ["true"]


def test_the_api_is_found_through_the_opener(
    page: Page, site: Site, sample_course: Course, standard: str
) -> None:
    page.goto(site.lms_url(sample_course.id, standard, popup=1))
    with page.expect_popup() as popup_info:
        page.get_by_role("button", name="Open the module").click()
    popup = popup_info.value
    sco = ScoDriver(popup.main_frame, sample_course)
    sco.wait_ready()
    assert popup.evaluate("() => SCO.mode()") == "lms"
    sco.next()
    popup.close()  # pagehide: save and terminate
    page.wait_for_function("() => window.lmsStored() !== null && window.lmsStored().finished")
    location = "cmi.core.lesson_location" if standard == "scorm12" else "cmi.location"
    assert page.evaluate("() => window.lmsStored().cmi")[location] == sample_course.sections[0].id


CHECKS: dict[str, list[tuple[str, list[str], str, str]]] = {
    # (function, arguments, expected result, expected error code)
    "scorm12": [
        ("LMSGetValue", ["cmi.core.lesson_status"], "", "301"),
        ("LMSInitialize", [""], "true", "0"),
        ("LMSSetValue", ["cmi.core.lesson_status", "done"], "false", "405"),
        ("LMSSetValue", ["cmi.core.session_time", "1:00"], "false", "405"),
        ("LMSSetValue", ["cmi.suspend_data", "x" * 4097], "false", "405"),
        ("LMSSetValue", ["cmi.core.entry", "resume"], "false", "403"),
        ("LMSGetValue", ["cmi.core.exit"], "", "404"),
        ("LMSSetValue", ["cmi.interactions.1.id", "q1"], "false", "201"),
        ("LMSSetValue", ["cmi.interactions.0.id", "q1"], "true", "0"),
        ("LMSSetValue", ["cmi.interactions.0.type", "choice"], "true", "0"),
        ("LMSSetValue", ["cmi.interactions.0.student_response", "a[,]c"], "false", "405"),
        ("LMSSetValue", ["cmi.interactions.0.result", "incorrect"], "false", "405"),
        ("LMSGetValue", ["cmi.interactions._count"], "1", "0"),
        ("LMSFinish", [""], "true", "0"),
        ("LMSCommit", [""], "false", "301"),
    ],
    "scorm2004": [
        ("GetValue", ["cmi.completion_status"], "", "122"),
        ("Initialize", [""], "true", "0"),
        ("Initialize", [""], "false", "103"),
        ("SetValue", ["cmi.success_status", "ok"], "false", "406"),
        ("SetValue", ["cmi.session_time", "PT"], "false", "406"),
        ("SetValue", ["cmi.session_time", "0000:00:01.00"], "false", "406"),
        ("SetValue", ["cmi.score.scaled", "1.5"], "false", "406"),
        ("SetValue", ["cmi.interactions.0.type", "choice"], "false", "408"),
        ("SetValue", ["cmi.interactions.0.id", "q1"], "true", "0"),
        ("SetValue", ["cmi.interactions.0.learner_response", "a"], "false", "408"),
        ("SetValue", ["cmi.interactions.0.type", "choice"], "true", "0"),
        ("SetValue", ["cmi.interactions.0.learner_response", "a[,]a"], "false", "406"),
        ("SetValue", ["cmi.interactions.0.result", "wrong"], "false", "406"),
        ("GetValue", ["cmi.exit"], "", "405"),
        ("Terminate", [""], "true", "0"),
        ("SetValue", ["cmi.location", "x"], "false", "133"),
    ],
}


def test_the_test_lms_refuses_what_a_strict_lms_refuses(page: Page, site: Site, standard: str) -> None:
    """The run-time tests rely on the test LMS refusing wrong values; this shows that it does."""
    page.goto(f"{site.base_url}/lms/index.html?sco=about:blank&std={standard}&key=strict")
    api = "API" if standard == "scorm12" else "API_1484_11"
    last_error = "LMSGetLastError" if standard == "scorm12" else "GetLastError"
    outcomes: list[Any] = page.evaluate(
        """([api, lastError, checks]) => checks.map(([fn, args]) => {
            const result = window[api][fn](...args);
            return [result, window[api][lastError]()];
        })""",
        [api, last_error, [[fn, args] for fn, args, _, _ in CHECKS[standard]]],
    )
    expected = [[result, code] for _, _, result, code in CHECKS[standard]]
    assert outcomes == expected
