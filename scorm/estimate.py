"""How long a module takes, estimated from what a learner reads and answers, against course.yaml's figure.

The estimate counts the words a learner reads once through: the title page (description and objectives),
every page, the scenario (every choice and its feedback, as learners try several), the house (each part
once: the panels and the text list below them say the same) and the quiz's introduction; it reads them at
`WORDS_PER_MINUTE` and adds `MINUTES_PER_QUESTION` for each question of one try. The build warns when the
declared `estimated_minutes` is further off than `FAR_OFF` of the estimate (and at least `FAR_OFF_MINUTES`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from scorm.authoring import Course, House, Page, Scenario
from scorm.quiz import Quiz

# Careful reading of Finnish study text with short "Pohdi" (reflect) prompts: slower than leisure reading.
WORDS_PER_MINUTE = 90
MINUTES_PER_QUESTION = 0.75  # read the question and four options, answer, read the feedback
FAR_OFF = 0.25
FAR_OFF_MINUTES = 5

WORD_RE = re.compile(r"[^\W\d_](?:[\w’'-]*\w)?")
MARKUP_RE = re.compile(r"!\[[^\]]*\]\([^)]*\)|\]\([^)]*\)|[#*_>|`\[\]]")


@dataclass(frozen=True)
class Figures:
    """One module's size and time: words read, quiz bank and try, declared and estimated minutes."""

    course: str
    words: int
    bank: int
    per_attempt: int
    declared: int
    estimated: int

    @property
    def far_off(self) -> bool:
        difference = abs(self.declared - self.estimated)
        return difference > max(FAR_OFF * self.estimated, FAR_OFF_MINUTES)


def count_words(text: str) -> int:
    """Words in a Markdown or plain text: letters (with inner hyphens or apostrophes); markup and urls not."""
    return len(WORD_RE.findall(MARKUP_RE.sub(" ", text)))


def reading_texts(course: Course) -> list[str]:
    """Everything a learner reads once through the module (see the module docstring)."""
    texts = [course.description.get(course.language, ""), *course.objectives]
    for section in course.sections:
        texts.append(section.title)
        if isinstance(section, Page):
            texts.append(section.body)
        elif isinstance(section, Scenario):
            texts += [section.intro, section.outro]
            for step in section.steps:
                texts += [step.prompt, step.context]
                texts += [part for choice in step.choices for part in (choice.text, choice.feedback)]
        elif isinstance(section, House):
            texts += [section.intro, *(f"{part.title} {part.text}" for part in section.parts)]
        elif isinstance(section, Quiz):
            texts.append(section.intro)
    return texts


def figures(course: Course) -> Figures:
    words = sum(count_words(text) for text in reading_texts(course))
    quiz = course.quiz
    minutes = words / WORDS_PER_MINUTE + quiz.per_attempt * MINUTES_PER_QUESTION
    return Figures(
        course=course.id,
        words=words,
        bank=len(quiz.questions),
        per_attempt=quiz.per_attempt,
        declared=course.estimated_minutes,
        estimated=max(1, round(minutes)),
    )


def duration_warning(found: Figures) -> str | None:
    """A sentence for the trainer when the declared time is far from the estimate, else None."""
    if not found.far_off:
        return None
    questions = "question" if found.per_attempt == 1 else "questions"
    return (
        f"{found.course}: course.yaml declares estimated_minutes: {found.declared}, far from the estimated "
        f"{found.estimated} min ({found.words} words, {found.per_attempt} {questions} per try); "
        "check estimated_minutes or shorten the module"
    )
