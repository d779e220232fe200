"""Drive one SCO the way a learner does (buttons and labels found by role and text), in the test LMS's frame
or opened on its own (preview mode)."""

from __future__ import annotations

import math
import re
from typing import Any

from playwright.sync_api import Frame, Locator, Page, expect

from scorm.authoring import Course, House, HousePart, Scenario
from scorm.quiz import Question, Quiz
from scorm.render import load_messages


def expected_score(correct: int, total: int) -> int:
    """The SCO's score: correct / questions x 100, rounded half up (JavaScript's Math.round)."""
    return math.floor(correct / total * 100 + 0.5)


def wrong_answer(question: Question) -> list[str]:
    """Option ids that answer the question wrongly."""
    wrong = [o.id for o in question.options if not o.correct]
    if wrong:
        return wrong[:1]
    return list(question.correct_ids[:1])  # a multiple question whose every option is correct


class ScoDriver:
    def __init__(self, frame: Frame, course: Course) -> None:
        self.frame = frame
        self.course = course
        self.t = load_messages(course.language)
        self.sections = ["title", *course.sections]

    @classmethod
    def in_lms(cls, page: Page, course: Course) -> ScoDriver:
        """The SCO inside the test LMS page (at whatever frame depth)."""
        frame = None
        for _ in range(100):
            frame = next((f for f in page.frames if "/pkg/" in f.url), None)
            if frame is not None:
                break
            page.wait_for_timeout(50)
        assert frame is not None, f"no SCO frame in {[f.url for f in page.frames]}"
        driver = cls(frame, course)
        driver.wait_ready()
        return driver

    @classmethod
    def standalone(cls, page: Page, url: str, course: Course) -> ScoDriver:
        page.goto(url)
        driver = cls(page.main_frame, course)
        driver.wait_ready()
        return driver

    def wait_ready(self) -> None:
        self.frame.wait_for_function("() => window.SCO !== undefined")

    # --- navigation

    def current(self) -> Locator:
        return self.frame.locator(".sco-section:not([hidden])")

    def index(self) -> int:
        script = "() => [...document.querySelectorAll('.sco-section')].findIndex(s => !s.hidden)"
        return int(self.frame.evaluate(script))

    def title_of(self, index: int) -> str:
        section = self.sections[index]
        return self.course.localized_title() if isinstance(section, str) else section.title

    def next(self) -> None:
        expected = self.index() + 1
        self.wait_frame_settled()
        self.frame.get_by_role("button", name=self.t["next"], exact=True).click()
        self.expect_at(expected)

    def previous(self) -> None:
        expected = self.index() - 1
        self.wait_frame_settled()
        self.frame.get_by_role("button", name=self.t["previous"], exact=True).click()
        self.expect_at(expected)

    def wait_frame_settled(self) -> None:
        """In the player, the module's frame follows its page's height a moment after a section changes, and
        the page scrolls with it: a click in that moment can land beside its button (seen in CI under load).
        Waits until the frame's height has held for one polling interval; at once outside the player."""
        self.frame.page.wait_for_function(
            """() => {
                const frame = document.getElementById('player-frame');
                if (!frame) return true;
                const height = frame.getBoundingClientRect().height;
                const same = window.__lmsbTestHeight === height;
                window.__lmsbTestHeight = height;
                return same;
            }""",
            polling=250,
        )

    def expect_at(self, index: int) -> None:
        expect(self.current().get_by_role("heading", level=1)).to_have_text(self.title_of(index))
        total = len(self.sections)
        progress = self.t["progress"].format(current=index + 1, total=total)
        expect(self.frame.locator("#sco-progress")).to_have_text(progress)

    def go_to(self, index: int) -> None:
        while self.index() < index:
            self.next()
        while self.index() > index:
            self.previous()

    def index_of(self, kind: str) -> int:
        return next(i for i, s in enumerate(self.sections) if not isinstance(s, str) and s.kind == kind)

    # --- scenario

    def step(self, step_id: str) -> Locator:
        return self.current().locator(f'.scn-step[data-step="{step_id}"]')

    def choose(self, scenario: Scenario, step_id: str, choice_id: str) -> Locator:
        """Click a choice; returns the feedback shown for it."""
        step = next(s for s in scenario.steps if s.id == step_id)
        choice = next(c for c in step.choices if c.id == choice_id)
        button = self.step(step_id).get_by_role("button", name=choice.text, exact=True)
        button.click()
        expect(button).to_have_attribute("aria-pressed", "true")
        feedback = self.step(step_id).locator(f'.scn-fb[data-for="{choice_id}"]')
        expect(feedback).to_be_visible()
        expect(feedback).to_contain_text(choice.feedback)
        return feedback

    def play_scenario(self, scenario: Scenario, *, best: bool = True) -> list[tuple[str, str]]:
        """Follow the scenario to its end, choosing the best (or the first other) choice at every step."""
        path = []
        steps = {s.id: s for s in scenario.steps}
        at = scenario.steps[0].id
        while at != "end":
            choice = next(c for c in steps[at].choices if c.best == best)
            self.choose(scenario, at, choice.id)
            path.append((at, choice.id))
            at = choice.next
        expect(self.current().locator(".scn-end")).to_be_visible()
        return path

    # --- house

    def house_button(self, house: House, part: HousePart) -> Locator:
        picture = self.current().get_by_role("group", name=house.image_label, exact=True)
        return picture.get_by_role("button", name=re.compile(re.escape(part.title)))

    def open_part(self, house: House, part: HousePart) -> Locator:
        button = self.house_button(house, part)
        button.click()
        expect(button).to_have_attribute("aria-expanded", "true")
        panel = self.frame.locator(f"#{button.get_attribute('aria-controls')}")
        expect(panel).to_be_visible()
        return panel

    # --- quiz

    def answer(self, question: Question, option_ids: list[str]) -> None:
        fieldset = self.current().locator(f"#q-{question.id}")
        for option in question.options:
            box = fieldset.get_by_label(option.text, exact=True)
            if option.id in option_ids:
                box.check()
            elif question.type == "multiple":
                box.uncheck()

    def drawn(self) -> list[Question]:
        """This try's questions as the quiz shows them, in their order."""
        ids: list[str] = self.frame.evaluate(
            "() => [...document.querySelectorAll('.quiz-q:not([hidden])')].map(f => f.dataset.question)"
        )
        by_id = {q.id: q for q in self.course.quiz.questions}
        return [by_id[i] for i in ids]

    def answer_quiz(self, quiz: Quiz, right: list[bool]) -> list[Question]:
        """Answer this try's questions, right or wrong in the order shown; returns them in that order."""
        drawn = self.drawn()
        assert len(drawn) == quiz.per_attempt
        for question, ok in zip(drawn, right, strict=True):
            self.answer(question, list(question.correct_ids) if ok else wrong_answer(question))
        return drawn

    def submit(self) -> Locator:
        self.current().get_by_role("button", name=self.t["quiz_submit"], exact=True).click()
        result = self.current().locator(".quiz-result")
        expect(result).to_be_visible()
        return result

    def retry(self) -> None:
        """Press the result's retry button: the answers are cleared for a new try."""
        result = self.current().locator(".quiz-result")
        result.get_by_role("button", name=self.t["quiz_retry"], exact=True).click()
        expect(result).to_be_hidden()

    # --- state

    def state(self) -> dict[str, Any]:
        state: dict[str, Any] = self.frame.evaluate("() => SCO.state()")
        return state

    def errors(self) -> list[str]:
        errors: list[str] = self.frame.evaluate("() => SCO.errors()")
        return errors
