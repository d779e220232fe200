"""Each built module, in both formats, played inside the test LMS: what it reports, and that it resumes."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from scorm.authoring import Course, House, Scenario
from scorm.quiz import Question, Quiz
from tests.browser.conftest import Site
from tests.browser.sco_driver import ScoDriver, expected_score, wrong_answer

pytestmark = pytest.mark.browser

SETTERS = {
    "LMSInitialize",
    "LMSSetValue",
    "LMSCommit",
    "LMSFinish",
    "Initialize",
    "SetValue",
    "Commit",
    "Terminate",
}
SESSION_TIME = {
    "scorm12": re.compile(r"^\d{4}:\d{2}:\d{2}\.\d{2}$"),
    "scorm2004": re.compile(r"^PT\d+H\d+M\d+\.\d{2}S$"),
}


def open_in_lms(page: Page, site: Site, course: Course, standard: str, **extra: str | int) -> ScoDriver:
    page.goto(site.lms_url(course.id, standard, **extra))
    return ScoDriver.in_lms(page, course)


def close_sco(page: Page) -> None:
    """Leave the SCO as an LMS does when the learner closes the activity: its frame navigates away."""
    page.evaluate("() => { document.getElementById('sco-frame').src = 'about:blank'; }")
    page.wait_for_function("() => window.lmsStored() !== null && window.lmsStored().finished")


def lms_log(page: Page) -> list[dict[str, Any]]:
    log: list[dict[str, Any]] = page.evaluate("() => window.lmsLog()")
    return log


def stored(page: Page) -> dict[str, Any]:
    data: dict[str, Any] = page.evaluate("() => window.lmsStored()")
    return data


def refused(log: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [c for c in log if c["fn"] in SETTERS and c["result"] != "true"]


def calls(log: list[dict[str, Any]], *names: str) -> list[dict[str, Any]]:
    return [c for c in log if c["fn"] in names]


def set_values(log: list[dict[str, Any]], element: str) -> list[str]:
    return [c["args"][1] for c in calls(log, "LMSSetValue", "SetValue") if c["args"][0] == element]


def got_values(log: list[dict[str, Any]], element: str) -> list[str]:
    return [c["result"] for c in calls(log, "LMSGetValue", "GetValue") if c["args"] == [element]]


def score_of(cmi: dict[str, Any], prefix: str) -> tuple[str, str, str]:
    return cmi[f"{prefix}.raw"], cmi[f"{prefix}.min"], cmi[f"{prefix}.max"]


def interactions(cmi: dict[str, Any]) -> list[dict[str, str]]:
    found: list[dict[str, str]] = cmi.get("interactions", [])
    return found


def walk_whole_module(sco: ScoDriver, *, quiz_right: list[bool] | None) -> list[Question]:
    """Visit every section in order: open every house part, play the scenario, answer and submit the quiz.

    Returns the questions the quiz drew, in the order shown."""
    drawn: list[Question] = []
    for index in range(1, len(sco.sections)):
        sco.next()
        section = sco.sections[index]
        if isinstance(section, House):
            for part in section.parts:
                sco.open_part(section, part)
        elif isinstance(section, Scenario):
            sco.play_scenario(section)
        elif isinstance(section, Quiz) and quiz_right is not None:
            drawn = sco.answer_quiz(section, quiz_right)
            sco.submit()
    return drawn


def check_interactions(cmi: dict[str, Any], drawn: list[Question], right: list[bool], standard: str) -> None:
    sep = "," if standard == "scorm12" else "[,]"
    response_key = "student_response" if standard == "scorm12" else "learner_response"
    wrong = "wrong" if standard == "scorm12" else "incorrect"
    recorded = interactions(cmi)
    assert len(recorded) == len(drawn)
    for item, question, ok in zip(recorded, drawn, right, strict=True):
        given = list(question.correct_ids) if ok else wrong_answer(question)
        assert item["id"] == question.id
        assert item["type"] == "choice"
        assert item["weighting"] == "1"
        assert item["correct_responses.0.pattern"] == sep.join(question.correct_ids)
        assert item[response_key] == sep.join(given)
        assert item["result"] == ("correct" if ok else wrong)
        if standard == "scorm2004":
            assert item["description"] == question.text[:250]
            assert re.match(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{2}Z$", item["timestamp"])
        else:
            assert re.match(r"^\d{2}:\d{2}:\d{2}$", item["time"])


def test_quiz_answered_right_ends_completed_and_passed_with_100(
    page: Page, site: Site, course: Course, standard: str
) -> None:
    sco = open_in_lms(page, site, course, standard)
    right = [True] * course.quiz.per_attempt
    drawn = walk_whole_module(sco, quiz_right=right)
    sco.go_to(sco.index_of("quiz"))
    n = len(right)
    expect(sco.current().locator(".quiz-score")).to_have_text(
        sco.t["quiz_result_score"].format(correct=n, total=n, score=100)
    )
    expect(sco.current().locator(".quiz-outcome")).to_have_text(
        sco.t["quiz_passed"].format(mastery=course.mastery_score)
    )
    sco.go_to(len(sco.sections) - 1)
    assert sco.errors() == []
    close_sco(page)

    log, saved = lms_log(page), stored(page)
    cmi = saved["cmi"]
    assert refused(log) == []
    assert len(calls(log, "LMSInitialize", "Initialize")) == 1
    assert len(calls(log, "LMSFinish", "Terminate")) == 1
    if standard == "scorm12":
        assert cmi["cmi.core.lesson_status"] == "passed"
        assert score_of(cmi, "cmi.core.score") == ("100", "0", "100")
        assert cmi["cmi.core.lesson_location"] == course.sections[-1].id
        assert saved["exit"] == ""
        assert set_values(log, "cmi.core.lesson_status")[0] == "incomplete"
    else:
        assert cmi["cmi.completion_status"] == "completed"
        assert cmi["cmi.success_status"] == "passed"
        assert cmi["cmi.score.scaled"] == "1"
        assert score_of(cmi, "cmi.score") == ("100", "0", "100")
        assert cmi["cmi.location"] == course.sections[-1].id
        assert saved["exit"] == "normal"
        assert set_values(log, "cmi.completion_status")[0] == "incomplete"
    assert SESSION_TIME[standard].match(saved["lastSessionTime"])
    check_interactions(cmi, drawn, right, standard)

    # The bookmark followed every page, and the suspend data holds the whole finished state.
    location = "cmi.core.lesson_location" if standard == "scorm12" else "cmi.location"
    assert list(dict.fromkeys(set_values(log, location))) == ["_start", *(s.id for s in course.sections)]
    state = json.loads(cmi["cmi.suspend_data"])
    assert state["q"]["d"] == 1
    assert state["q"]["b"] == 100
    assert state["v"] == ["_start", *(s.id for s in course.sections)]
    # Each change was committed as it happened, not only at the end.
    assert len(calls(log, "LMSCommit", "Commit")) >= len(course.sections) + 1


def test_quiz_answered_wrong_ends_failed_with_the_right_score(
    page: Page, site: Site, course: Course, standard: str
) -> None:
    sco = open_in_lms(page, site, course, standard)
    quiz = course.quiz
    right = [i == 0 for i in range(quiz.per_attempt)]  # only the first question right
    score = expected_score(1, len(right))
    assert score < course.mastery_score, "this test needs a quiz where one right answer is not enough"
    sco.go_to(sco.index_of("quiz"))
    drawn = sco.answer_quiz(quiz, right)
    sco.submit()
    expect(sco.current().locator(".quiz-score")).to_have_text(
        sco.t["quiz_result_score"].format(correct=1, total=len(right), score=score)
    )
    expect(sco.current().locator(".quiz-outcome")).to_have_text(
        sco.t["quiz_failed"].format(mastery=course.mastery_score)
    )
    # Every question says in words whether it was right; a right one explains why, a wrong one says why the
    # chosen option is wrong and which page to revisit, and never which option is right.
    for question, ok in zip(drawn, right, strict=True):
        feedback = sco.current().locator(f"#q-{question.id} .quiz-feedback")
        expect(feedback).to_contain_text(sco.t["quiz_correct"] if ok else sco.t["quiz_incorrect"])
        expect(feedback.locator(".quiz-why")).to_be_visible(visible=ok)
        expect(feedback.locator(".quiz-answer")).to_be_hidden()
        if not ok:
            (chosen_wrong,) = wrong_answer(question)
            expect(feedback.locator(f'.quiz-opt-fb[data-for="{chosen_wrong}"]')).to_be_visible()
            expect(feedback.locator(".quiz-revisit")).to_be_visible()
        # The learner's own choice is marked in words too (disabled controls look pale).
        chosen = next(
            o for o in question.options if o.id == (question.correct_ids if ok else wrong_answer(question))[0]
        )
        label = f"{chosen.text} ({sco.t['quiz_your_choice']})"
        fieldset = sco.current().locator(f"#q-{question.id}")
        box = fieldset.get_by_role(
            "checkbox" if question.type == "multiple" else "radio", name=label, exact=True
        )
        expect(box).to_be_checked()
    close_sco(page)

    log, saved = lms_log(page), stored(page)
    cmi = saved["cmi"]
    assert refused(log) == []
    if standard == "scorm12":
        assert cmi["cmi.core.lesson_status"] == "failed"
        assert cmi["cmi.core.score.raw"] == str(score)
    else:
        assert cmi["cmi.completion_status"] == "completed"
        assert cmi["cmi.success_status"] == "failed"
        assert cmi["cmi.score.raw"] == str(score)
        assert float(cmi["cmi.score.scaled"]) == pytest.approx(score / 100)
    assert saved["exit"] == "suspend"  # not finished: the learner may come back and try again
    check_interactions(cmi, drawn, right, standard)


def test_reload_mid_module_resumes_at_the_bookmark_with_answers_kept(
    page: Page, site: Site, course: Course, standard: str
) -> None:
    sco = open_in_lms(page, site, course, standard)
    house = next((s for s in course.sections if isinstance(s, House)), None)
    if house:
        sco.go_to(course.sections.index(house) + 1)
        sco.open_part(house, house.parts[0])
    scenario = next(s for s in course.sections if isinstance(s, Scenario))
    sco.go_to(course.sections.index(scenario) + 1)
    first_step = scenario.steps[0]
    sco.choose(scenario, first_step.id, first_step.choices[0].id)
    quiz = course.quiz
    sco.go_to(sco.index_of("quiz"))
    drawn = sco.drawn()
    first, second = drawn[0], drawn[1]
    sco.answer(first, list(first.correct_ids))
    sco.answer(second, wrong_answer(second))
    before = sco.state()
    # Already committed: a tab closed now would lose nothing.
    page.wait_for_function(
        "expected => JSON.parse(window.lmsStored().cmi['cmi.suspend_data']).q.a[expected] !== undefined",
        arg=second.id,
    )
    assert json.loads(stored(page)["cmi"]["cmi.suspend_data"]) == before

    page.reload()
    sco = ScoDriver.in_lms(page, course)
    sco.expect_at(sco.index_of("quiz"))
    assert sco.state() == before
    assert sco.drawn() == drawn  # the same try: same questions, same order
    for question, given in ((first, first.correct_ids), (second, wrong_answer(second))):
        fieldset = sco.current().locator(f"#q-{question.id}")
        for option in question.options:
            box = fieldset.get_by_label(option.text, exact=True)
            expect(box).to_be_checked(checked=option.id in given)
    second_session = [c for c in lms_log(page) if c["session"] == 2]
    entry = "cmi.core.entry" if standard == "scorm12" else "cmi.entry"
    assert got_values(second_session, entry) == ["resume"]
    assert [json.loads(text) for text in got_values(second_session, "cmi.suspend_data")] == [before]

    # Earlier sections kept their state too.
    sco.go_to(course.sections.index(scenario) + 1)
    chosen = sco.step(first_step.id).get_by_role("button", name=first_step.choices[0].text, exact=True)
    expect(chosen).to_have_attribute("aria-pressed", "true")
    expect(sco.step(first_step.id).locator(f'.scn-fb[data-for="{first_step.choices[0].id}"]')).to_be_visible()
    if house:
        sco.go_to(course.sections.index(house) + 1)
        expect(sco.current().locator(".house-count")).to_have_text(
            sco.t["house_opened"].format(opened=1, total=len(house.parts))
        )

    # The resumed session finishes and reports like any other.
    sco.go_to(sco.index_of("quiz"))
    sco.answer_quiz(quiz, [True] * quiz.per_attempt)
    sco.submit()
    close_sco(page)
    cmi = stored(page)["cmi"]
    assert refused(lms_log(page)) == []
    status = "cmi.core.lesson_status" if standard == "scorm12" else "cmi.success_status"
    assert cmi[status] == "passed"


def test_retry_clears_answers_and_the_best_score_is_reported(
    page: Page, site: Site, sample_course: Course, standard: str
) -> None:
    course = sample_course
    sco = open_in_lms(page, site, course, standard)
    quiz = course.quiz
    n = quiz.per_attempt
    sco.go_to(sco.index_of("quiz"))
    sco.answer_quiz(quiz, [False] * n)
    sco.submit()
    sco.retry()
    expect(sco.current().locator("input:checked")).to_have_count(0)
    expect(sco.current().locator(".quiz-feedback:visible")).to_have_count(0)
    sco.answer_quiz(quiz, [True] * n)
    sco.submit()
    # Practising after passing cannot lower the result.
    sco.current().get_by_role("button", name=sco.t["quiz_retry"], exact=True).click()
    sco.answer_quiz(quiz, [False] * n)
    sco.submit()
    expect(sco.current().locator(".quiz-best")).to_have_text(sco.t["quiz_best"].format(score=100))
    close_sco(page)

    cmi = stored(page)["cmi"]
    assert refused(lms_log(page)) == []
    assert len(interactions(cmi)) == 3 * n  # every submission journaled
    results = [i["result"] for i in interactions(cmi)]
    assert results[n : 2 * n] == ["correct"] * n
    if standard == "scorm12":
        assert (cmi["cmi.core.lesson_status"], cmi["cmi.core.score.raw"]) == ("passed", "100")
    else:
        assert (cmi["cmi.success_status"], cmi["cmi.score.raw"]) == ("passed", "100")
