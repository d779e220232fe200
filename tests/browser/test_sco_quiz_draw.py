"""The quiz as a question bank, in the browser: every try asks every learning objective, the draw and the
option order follow the try's seed (the same after a reload), a failed try names what to revisit and never
the correct options, a retry draws again."""

from __future__ import annotations

import json
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from scorm.authoring import Course
from tests.browser.conftest import Site
from tests.browser.sco_driver import ScoDriver, wrong_answer
from tests.browser.test_sco_run_time import close_sco, open_in_lms, stored

pytestmark = pytest.mark.browser

SEEDS = 300


def shown_order(sco: ScoDriver) -> list[tuple[str, list[str]]]:
    """The questions shown and each one's options, in screen order."""
    order: list[tuple[str, list[str]]] = sco.frame.evaluate(
        """() => [...document.querySelectorAll('.quiz-q:not([hidden])')].map(f =>
            [f.dataset.question, [...f.querySelectorAll('input')].map(i => i.value)])"""
    )
    return [(question, options) for question, options in order]


def test_every_draw_asks_every_objective_with_shuffled_options(
    page: Page, site: Site, course: Course
) -> None:
    quiz = course.quiz
    ScoDriver.standalone(page, site.sco_url(course.id, "scorm12"), course)
    by_id = {q.id: q for q in quiz.questions}
    draws: list[dict[str, Any]] = page.evaluate(
        "n => Array.from({length: n}, (_, i) => SCO.draw(1000 + i * 7919))", SEEDS
    )
    objectives = set(range(1, len(course.objectives) + 1))
    orders: dict[str, set[tuple[str, ...]]] = {}
    for drawn in draws:
        assert len(drawn["ids"]) == len(set(drawn["ids"])) == quiz.per_attempt
        assert {by_id[i].objective for i in drawn["ids"]} == objectives
        for qid, options in drawn["options"].items():
            assert sorted(options) == sorted(o.id for o in by_id[qid].options)
            orders.setdefault(qid, set()).add(tuple(options))
    # Every question of the bank turns up, and options come in more than one order.
    assert set(orders) == set(by_id)
    assert all(len(seen) > 1 for seen in orders.values())
    # The same seed gives the same draw.
    assert page.evaluate("() => JSON.stringify(SCO.draw(42)) === JSON.stringify(SCO.draw(42))")


def test_a_retry_avoids_the_questions_just_asked(page: Page, site: Site, course: Course) -> None:
    quiz = course.quiz
    ScoDriver.standalone(page, site.sco_url(course.id, "scorm12"), course)
    pairs: list[list[list[str]]] = page.evaluate(
        """n => Array.from({length: n}, (_, i) => {
            const first = SCO.draw(77 + i).ids;
            return [first, SCO.draw(99991 + i, first).ids];
        })""",
        SEEDS,
    )
    by_id = {q.id: q for q in quiz.questions}
    for first, second in pairs:
        for objective in range(1, len(course.objectives) + 1):
            unseen = [q.id for q in quiz.questions if q.objective == objective and q.id not in first]
            asked = [i for i in second if by_id[i].objective == objective]
            if unseen:  # the bank has another question for this objective: the retry asks one of those
                assert any(i in unseen for i in asked)


def test_the_try_is_the_same_after_a_reload_and_a_retry_draws_again(
    page: Page, site: Site, sample_course: Course, standard: str
) -> None:
    course = sample_course
    sco = open_in_lms(page, site, course, standard)
    sco.go_to(sco.index_of("quiz"))
    before = shown_order(sco)
    seed = sco.state()["q"]["r"]
    assert seed >= 1
    first = sco.drawn()[0]
    sco.answer(first, list(first.correct_ids))
    page.wait_for_function(
        "id => JSON.parse(window.lmsStored().cmi['cmi.suspend_data']).q.a[id] !== undefined", arg=first.id
    )
    assert json.loads(stored(page)["cmi"]["cmi.suspend_data"])["q"]["r"] == seed

    page.reload()
    sco = ScoDriver.in_lms(page, course)
    sco.expect_at(sco.index_of("quiz"))
    assert shown_order(sco) == before
    assert sco.state()["q"]["r"] == seed
    expect(sco.current().locator(f"#q-{first.id}-{first.correct_ids[0]}")).to_be_checked()

    sco.answer_quiz(course.quiz, [False] * course.quiz.per_attempt)
    sco.submit()
    sco.retry()
    state = sco.state()["q"]
    assert state["r"] != seed
    assert state["x"] == sorted((q for q, _ in before), key=[q.id for q in course.quiz.questions].index)
    assert shown_order(sco) != before
    close_sco(page)


def test_a_failed_try_names_what_to_revisit_and_never_the_correct_options(
    page: Page, site: Site, course: Course
) -> None:
    sco = open_in_lms(page, site, course, "scorm12")
    quiz = course.quiz
    sco.go_to(sco.index_of("quiz"))
    drawn = sco.answer_quiz(quiz, [False] * quiz.per_attempt)
    sco.submit()
    section = sco.current()
    expect(section.locator(".quiz-outcome")).to_have_text(
        sco.t["quiz_failed"].format(mastery=course.mastery_score)
    )
    expect(section.locator(".quiz-answer:visible")).to_have_count(0)
    expect(section.locator(".quiz-why:visible")).to_have_count(0)
    for question in drawn:
        # What the question says after checking does not name its correct option.
        said = section.locator(f"#q-{question.id} .quiz-feedback").inner_text().lower()
        for option in question.options:
            if option.correct:
                assert option.text.lower() not in said, (question.id, option.text)
        (chosen,) = wrong_answer(question)
        feedback = section.locator(f'#q-{question.id} .quiz-opt-fb[data-for="{chosen}"]')
        expect(feedback).to_be_visible()
        expect(section.locator(f"#q-{question.id} .quiz-revisit")).to_be_visible()
    objectives = section.locator(".quiz-objectives")
    expect(objectives).to_be_visible()
    expect(objectives.locator("li:visible")).to_have_count(len(course.objectives))
    for number, text in enumerate(course.objectives, start=1):
        expect(objectives.locator(f'li[data-objective="{number - 1}"]')).to_contain_text(text)
    # A page named for revisiting is one click away.
    sections = {s.id: s for s in course.sections}  # a page, the house or a scenario
    assert all(question.revisit in sections for question in drawn), [q.revisit for q in drawn]
    target = sections[drawn[0].revisit]
    section.locator(f"#q-{drawn[0].id} .quiz-revisit").get_by_role("button").click()
    sco.expect_at(course.sections.index(target) + 1)
    assert sco.errors() == []


def test_a_passed_try_shows_the_correct_option_of_a_question_answered_wrong(
    page: Page, site: Site, sample_course: Course
) -> None:
    course = sample_course
    sco = ScoDriver.standalone(page, site.sco_url(course.id, "scorm12"), course)
    sco.go_to(sco.index_of("quiz"))
    right = [True] * (course.quiz.per_attempt - 1) + [False]
    drawn = sco.answer_quiz(course.quiz, right)
    sco.submit()
    expect(sco.current().locator(".quiz-outcome")).to_have_text(
        sco.t["quiz_passed"].format(mastery=course.mastery_score)
    )
    wrong = drawn[-1]
    answer = sco.current().locator(f"#q-{wrong.id} .quiz-answer")
    expect(answer).to_be_visible()
    expect(answer).to_contain_text(next(o.text for o in wrong.options if o.correct))
    expect(sco.current().locator(f"#q-{wrong.id} .quiz-why")).to_be_visible()
