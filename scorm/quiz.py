"""The graded quiz of a module (`fi/tietovisa.yaml`): a question bank from which the SCO draws each try.

Every question tests one learning objective of course.yaml (`objective: N`) and names the page a wrong
answer sends the learner back to (`revisit: FILE`); every wrong option says why it is wrong (`feedback`).
`per_attempt` questions are drawn for each try, at least one per objective, so the bank must hold at least
`MIN_PER_OBJECTIVE` questions for every objective: a retry can then ask each objective with a question the
learner has not just seen. Mistakes raise SourceError with the file and line.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, cast

from scorm.errors import SourceError
from scorm.yamlsource import Reader, check_sources, load_yaml_file

OPTION_ID_RE = re.compile(r"^[a-z0-9]$")
MIN_PER_OBJECTIVE = 2


@dataclass(frozen=True)
class Option:
    id: str
    text: str
    correct: bool
    feedback: str = ""  # a wrong option: why it is wrong (shown when the learner chose it)


@dataclass(frozen=True)
class Question:
    id: str
    type: Literal["single", "multiple"]
    text: str
    options: tuple[Option, ...]
    explanation: str
    sources: tuple[str, ...]
    objective: int  # 1-based number of the learning objective in course.yaml it tests
    revisit: str  # id (file stem) of the page a wrong answer sends the learner back to
    line: int = field(default=0, compare=False)  # where it starts in the quiz file

    @property
    def correct_ids(self) -> tuple[str, ...]:
        return tuple(o.id for o in self.options if o.correct)


@dataclass(frozen=True)
class Quiz:
    id: str
    title: str
    intro: str
    questions: tuple[Question, ...]  # the bank
    per_attempt: int  # questions drawn for each try
    kind: Literal["quiz"] = "quiz"


@dataclass(frozen=True)
class QuizContext:
    """What a quiz file is checked against: course.yaml's sources and objectives, the sequence's pages."""

    sources: set[str]
    objectives: int
    pages: dict[str, str]  # file name in the sequence of a page (or the house) -> its section id


def load_quiz(path: Path, context: QuizContext) -> Quiz:
    """Read and check one quiz file. Raises SourceError on the first mistake."""
    reader = Reader(path, load_yaml_file(path), "quiz")
    reader.unknown_keys({"title", "intro", "per_attempt", "questions"})
    questions: list[Question] = []
    lines: dict[str, int] = {}
    for line, entry in reader.items("questions"):
        q = Reader(path, entry, f"question at line {line}")
        question = dataclasses.replace(_load_question(path, q, context), line=line)
        if question.id in lines:
            raise q.fail("id", f"question id '{question.id}' is used twice")
        questions.append(question)
        lines[question.id] = line
    per_attempt = reader.integer("per_attempt", 1, len(questions))
    _check_bank(reader, questions, lines, per_attempt, context.objectives)
    return Quiz(
        path.stem,
        reader.text("title"),
        reader.text("intro", required=False),
        tuple(questions),
        per_attempt,
    )


def _load_question(path: Path, q: Reader, context: QuizContext) -> Question:
    q.unknown_keys({"id", "objective", "revisit", "type", "text", "options", "explanation", "sources"})
    qid = q.identifier("id")
    objective = q.integer("objective", 1, context.objectives)
    name = q.text("revisit")
    if name not in context.pages:
        raise q.fail(
            "revisit", f"'revisit: {name}' is not a page (or the house) of the sequence in course.yaml"
        )
    revisit = context.pages[name]
    qtype = q.text("type")
    if qtype not in ("single", "multiple"):
        raise q.fail("type", f"'type' must be 'single' or 'multiple' (got '{qtype}')")
    options: list[Option] = []
    for oline, oentry in q.items("options"):
        o = Reader(path, oentry, f"question '{qid}', option at line {oline}")
        o.unknown_keys({"id", "text", "correct", "feedback"})
        oid = o.identifier("id")
        if not OPTION_ID_RE.match(oid):
            # SCORM 1.2 reports choice answers as single characters (a-z, 0-9), e.g. "a,c".
            raise o.fail("id", f"an option id must be one letter a-z or digit (got '{oid}')")
        if any(x.id == oid for x in options):
            raise o.fail("id", f"option id '{oid}' is used twice in question '{qid}'")
        correct = o.data.get("correct", False)
        if not isinstance(correct, bool):
            raise o.fail("correct", "'correct' must be true or false")
        if correct and "feedback" in o.data:
            raise o.fail(
                "feedback", "a correct option has no 'feedback'; the question's 'explanation' says why"
            )
        feedback = o.text("feedback", required=not correct)
        options.append(Option(oid, o.text("text"), correct, feedback))
    if len(options) < 2:
        raise q.fail("options", "a question needs at least two options")
    n_correct = sum(o.correct for o in options)
    if qtype == "single" and n_correct != 1:
        raise q.fail("options", f"a 'single' question needs exactly one correct option (has {n_correct})")
    if qtype == "multiple" and n_correct < 1:
        raise q.fail("options", "a 'multiple' question needs at least one correct option")
    _check_feedback_keeps_the_answer(q, options)
    return Question(
        qid,
        cast(Literal["single", "multiple"], qtype),
        q.text("text"),
        tuple(options),
        q.text("explanation"),
        check_sources(q, "sources", context.sources),
        objective,
        revisit,
    )


def _check_feedback_keeps_the_answer(q: Reader, options: list[Option]) -> None:
    """A wrong option's feedback is shown after a failed try: it may say why, but must not name the answer."""
    for option in options:
        said = option.feedback.casefold()
        for right in (o for o in options if o.correct):
            if said and right.text.casefold().rstrip(".") in said:
                raise q.fail(
                    "options",
                    f"the feedback of option '{option.id}' names the correct option ('{right.text}'); a "
                    "failed try shows it, so say why the option is wrong without giving the answer away",
                )


def _check_bank(
    reader: Reader, questions: list[Question], lines: dict[str, int], per_attempt: int, objectives: int
) -> None:
    """Enough questions for every objective, and room in each try to ask every objective once."""
    for number in range(1, objectives + 1):
        testing = [q.id for q in questions if q.objective == number]
        if len(testing) < MIN_PER_OBJECTIVE:
            line = lines[testing[0]] if testing else reader.line("questions")
            which = f" ({', '.join(testing)})" if testing else ""
            raise SourceError(
                reader.path,
                line,
                f"quiz: learning objective {number} has {len(testing)} question(s){which}; every objective "
                f"needs at least {MIN_PER_OBJECTIVE} so that a retry can ask it with another question",
            )
    if per_attempt < objectives:
        raise reader.fail(
            "per_attempt",
            f"'per_attempt' ({per_attempt}) must be at least the number of learning objectives "
            f"({objectives}): every try asks each objective",
        )


def check_revisit_titles(path: Path, quiz: Quiz, titles: dict[str, str]) -> None:
    """A failed try shows the title of the page to revisit: it must not name the correct option.

    Raises SourceError at the question.
    """
    for question in quiz.questions:
        title = titles[question.revisit]
        for right in (o for o in question.options if o.correct):
            if right.text.casefold().rstrip(".") in title.casefold():
                raise SourceError(
                    path,
                    question.line,
                    f"question '{question.id}': the page to revisit, '{title}', names the correct option "
                    f"('{right.text}'); a failed try shows that title, so send the learner to a page whose "
                    "title does not give the answer away",
                )
