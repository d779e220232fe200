"""The quiz as a question bank (scorm/quiz.py): objectives, pages to revisit, feedback of wrong options, and
the check that every objective has enough questions; each mistake names the file, the line and the problem."""

from __future__ import annotations

from pathlib import Path

import pytest

from scorm.authoring import load_course
from scorm.errors import SourceError
from tests.unit.scorm.test_authoring import COURSE_YAML, QUIZ, make_course

BANK = QUIZ  # the mini course's quiz: a bank of two questions for its one objective


def test_a_bank_loads_with_objectives_pages_and_feedback(tmp_path: Path) -> None:
    quiz = load_course(make_course(tmp_path, tietovisa_yaml=BANK)).quiz
    assert quiz.per_attempt == 1
    assert [(q.id, q.objective, q.revisit) for q in quiz.questions] == [
        ("q1", 1, "01-alku"),
        ("q2", 1, "01-alku"),
    ]
    assert [o.feedback for o in quiz.questions[0].options] == ["", "Tämä ei pidä paikkaansa."]


@pytest.mark.parametrize(
    ("quiz", "line", "message"),
    [
        (
            BANK.replace("per_attempt: 1", "per_attempt: 3"),
            2,
            "'per_attempt' must be a whole number from 1 to 2",
        ),
        (
            BANK.replace("objective: 1", "objective: 2", 1),
            5,
            "'objective' must be a whole number from 1 to 1",
        ),
        (BANK.replace("    objective: 1\n", "", 1), 4, "'objective' must be a whole number"),
        (BANK.replace("    revisit: 01-alku.md\n", "", 1), 4, "'revisit' is missing"),
        (BANK.replace("per_attempt: 1\n", ""), 1, "'per_attempt' must be a whole number"),
        (
            BANK.replace("revisit: 01-alku.md", "revisit: 02-puuttuu.md", 1),
            6,
            "is not a page (or the house) of the sequence",
        ),
        (
            BANK.replace("revisit: 01-alku.md", "revisit: tietovisa.yaml", 1),
            6,
            "is not a page (or the house) of the sequence",
        ),
        (BANK.replace(', feedback: "Tämä ei pidä paikkaansa."', ""), 11, "'feedback' is missing"),
        (
            BANK.replace(
                'text: "Oikein", correct: true}', 'text: "Oikein", correct: true, feedback: "Hyvä."}'
            ),
            10,
            "a correct option has no 'feedback'",
        ),
        (
            BANK.replace('"Tämä ei pidä paikkaansa."', '"Oikein olisi ollut toinen."'),
            9,
            "the feedback of option 'b' names the correct option ('Oikein')",
        ),
        (
            BANK[: BANK.index("  - id: q2")],
            4,
            "learning objective 1 has 1 question(s) (q1); every objective needs at least 2",
        ),
    ],
)
def test_bank_mistakes_name_file_line_and_problem(tmp_path: Path, quiz: str, line: int, message: str) -> None:
    folder = make_course(tmp_path, tietovisa_yaml=quiz)
    with pytest.raises(SourceError) as caught:
        load_course(folder)
    assert (caught.value.path, caught.value.line) == (folder / "fi" / "tietovisa.yaml", line)
    assert message in caught.value.message


def test_the_page_to_revisit_may_be_the_house_but_its_title_must_not_give_the_answer_away(
    tmp_path: Path,
) -> None:
    quiz = load_course(
        make_course(tmp_path / "a", tietovisa_yaml=BANK.replace("01-alku.md", "talo.yaml", 1))
    ).quiz
    assert quiz.questions[0].revisit == "talo"
    folder = make_course(tmp_path / "b", tietovisa_yaml=BANK.replace('text: "Oikein"', 'text: "Alku"'))
    with pytest.raises(SourceError) as caught:
        load_course(folder)
    assert (caught.value.path, caught.value.line) == (folder / "fi" / "tietovisa.yaml", 4)
    assert (
        "question 'q1': the page to revisit, 'Alku', names the correct option ('Alku')"
        in caught.value.message
    )


def test_an_objective_no_question_tests_stops_the_build_at_the_questions_line(tmp_path: Path) -> None:
    two_objectives = COURSE_YAML.replace(
        '    - "Tunnistat asian."', '    - "Tunnistat asian."\n    - "Toinen."'
    )
    folder = make_course(
        tmp_path, course_yaml=two_objectives, tietovisa_yaml=BANK.replace("per_attempt: 1", "per_attempt: 2")
    )
    with pytest.raises(SourceError) as caught:
        load_course(folder)
    assert caught.value.line == 3
    assert "learning objective 2 has 0 question(s);" in caught.value.message


def test_each_try_must_have_room_for_every_objective(tmp_path: Path) -> None:
    two_objectives = COURSE_YAML.replace(
        '    - "Tunnistat asian."', '    - "Tunnistat asian."\n    - "Toinen."'
    )
    second_pair = BANK[BANK.index("  - id: q1") :].replace("objective: 1", "objective: 2")
    quiz = BANK + second_pair.replace("id: q1", "id: q3").replace("id: q2", "id: q4")
    folder = make_course(tmp_path, course_yaml=two_objectives, tietovisa_yaml=quiz)
    with pytest.raises(SourceError) as caught:
        load_course(folder)
    assert caught.value.line == 2
    assert "'per_attempt' (1) must be at least the number of learning objectives (2)" in caught.value.message
    fixed = make_course(
        tmp_path / "ok",
        course_yaml=two_objectives,
        tietovisa_yaml=quiz.replace("per_attempt: 1", "per_attempt: 2"),
    )
    assert load_course(fixed).quiz.per_attempt == 2
