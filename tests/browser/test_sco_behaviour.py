"""Behaviour of the sample module's parts in detail: branching, the quiz's messages, the LMS's own mastery
score, saving when the tab is hidden, and review mode."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from scorm.authoring import Course, Scenario
from tests.browser.conftest import Site
from tests.browser.sco_driver import ScoDriver, expected_score, wrong_answer

pytestmark = pytest.mark.browser


def log_of(page: Page) -> list[dict[str, Any]]:
    log: list[dict[str, Any]] = page.evaluate("() => window.lmsLog()")
    return log


def test_the_scenario_branches_by_choice_and_the_learner_may_try_another(
    page: Page, site: Site, sample_course: Course
) -> None:
    sco = ScoDriver.standalone(page, site.sco_url(sample_course.id, "scorm12"), sample_course)
    scenario = next(s for s in sample_course.sections if isinstance(s, Scenario))
    first, second = scenario.steps
    ending = next(c for c in first.choices if c.next == "end")
    best = next(c for c in first.choices if c.best)
    sco.go_to(sco.index_of("scenario"))
    end = sco.current().locator(".scn-end")
    expect(sco.step(second.id)).to_be_hidden()
    expect(end).to_be_hidden()

    feedback = sco.choose(scenario, first.id, ending.id)
    expect(feedback).to_contain_text(sco.t["scenario_not_best"])  # in words, not by colour alone
    expect(sco.step(second.id)).to_be_hidden()
    expect(end).to_be_visible()
    assert feedback.evaluate("el => el.closest('[aria-live]').getAttribute('aria-live')") == "polite"

    feedback = sco.choose(scenario, first.id, best.id)
    expect(feedback).to_contain_text(sco.t["scenario_best"])
    expect(sco.step(first.id).locator(f'.scn-fb[data-for="{ending.id}"]')).to_be_hidden()
    expect(sco.step(first.id).get_by_role("button", name=ending.text, exact=True)).to_have_attribute(
        "aria-pressed", "false"
    )
    expect(sco.step(second.id)).to_be_visible()
    expect(end).to_be_hidden()
    sco.choose(scenario, second.id, second.choices[0].id)
    expect(end).to_be_visible()
    assert sco.state()["s"] == {scenario.id: {first.id: best.id, second.id: second.choices[0].id}}


def test_the_quiz_names_unanswered_questions_and_submits_nothing(
    page: Page, site: Site, sample_course: Course
) -> None:
    sco = ScoDriver.standalone(page, site.sco_url(sample_course.id, "scorm12"), sample_course)
    sco.go_to(sco.index_of("quiz"))
    second = sco.drawn()[1]
    sco.answer(second, list(second.correct_ids))
    sco.current().get_by_role("button", name=sco.t["quiz_submit"], exact=True).click()
    error = sco.current().locator(".quiz-error")
    expect(error).to_have_text(sco.t["quiz_unanswered"].format(list="1, 3"))
    expect(error).to_be_focused()
    expect(sco.current().locator(".quiz-result")).to_be_hidden()
    assert sco.state()["q"]["d"] == 0


def test_a_mastery_score_set_in_the_lms_wins(
    page: Page, site: Site, sample_course: Course, standard: str
) -> None:
    # cmi.student_data.mastery_score (1.2, 0-100) / cmi.scaled_passing_score (2004, 0-1): here 100 %
    page.goto(site.lms_url(sample_course.id, standard, mastery="100" if standard == "scorm12" else "1.0"))
    sco = ScoDriver.in_lms(page, sample_course)
    quiz = sample_course.quiz
    right = [True, True, False]
    score = expected_score(2, 3)
    assert score >= sample_course.mastery_score  # the course's own mark would pass this
    sco.go_to(sco.index_of("quiz"))
    drawn = sco.answer_quiz(quiz, right)
    sco.submit()
    expect(sco.current().locator(".quiz-outcome")).to_have_text(sco.t["quiz_failed"].format(mastery=100))
    page.evaluate("() => { document.getElementById('sco-frame').src = 'about:blank'; }")
    page.wait_for_function("() => window.lmsStored() !== null && window.lmsStored().finished")
    cmi = page.evaluate("() => window.lmsStored().cmi")
    status = "cmi.core.lesson_status" if standard == "scorm12" else "cmi.success_status"
    response = "student_response" if standard == "scorm12" else "learner_response"
    assert cmi[status] == "failed"
    assert [i["result"] for i in cmi["interactions"]][:2] == ["correct", "correct"]
    assert [i["id"] for i in cmi["interactions"]] == [q.id for q in drawn]
    assert cmi["interactions"][2][response] == wrong_answer(drawn[2])[0]


def test_hiding_the_tab_saves_and_commits(
    page: Page, site: Site, sample_course: Course, standard: str
) -> None:
    page.goto(site.lms_url(sample_course.id, standard))
    sco = ScoDriver.in_lms(page, sample_course)
    sco.next()
    before = len(log_of(page))
    sco.frame.evaluate(
        """() => {
            Object.defineProperty(document, 'visibilityState', {value: 'hidden', configurable: true});
            document.dispatchEvent(new Event('visibilitychange'));
        }"""
    )
    new = [(c["fn"], c["args"][0] if c["args"] else "") for c in log_of(page)[before:]]
    time = "cmi.core.session_time" if standard == "scorm12" else "cmi.session_time"
    assert ("LMSSetValue" if standard == "scorm12" else "SetValue", time) in new
    assert new[-1][0] == ("LMSCommit" if standard == "scorm12" else "Commit")
    assert not any(fn in ("LMSFinish", "Terminate") for fn, _ in new)  # hidden is not closed


def test_in_review_mode_nothing_is_written(
    page: Page, site: Site, sample_course: Course, standard: str
) -> None:
    page.goto(site.lms_url(sample_course.id, standard, mode="review"))
    sco = ScoDriver.in_lms(page, sample_course)
    expect(sco.frame.get_by_role("status")).to_have_text(sco.t["review_banner"])
    sco.go_to(sco.index_of("quiz"))
    sco.answer_quiz(sample_course.quiz, [True] * sample_course.quiz.per_attempt)
    sco.submit()
    page.evaluate("() => { document.getElementById('sco-frame').src = 'about:blank'; }")
    page.wait_for_function("() => window.lmsStored() !== null && window.lmsStored().finished")
    names = {c["fn"] for c in log_of(page)}
    assert not names & {"LMSSetValue", "SetValue", "LMSCommit", "Commit"}
    assert names & {"LMSFinish", "Terminate"}
