"""Course sources: a valid module loads; each kind of mistake names the file, the line and the problem."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from scorm.authoring import END, House, Page, Scenario, load_course
from scorm.errors import SourceError
from scorm.quiz import Quiz

COURSE_YAML = """\
id: mini
version: "1.0.0"
default_language: fi
title: {fi: "Minikurssi", en: "Mini course"}
description: {fi: "Pieni testikurssi."}
estimated_minutes: 10
mastery_score: 80
competences: [KOHT-01]
objectives:
  fi:
    - "Tunnistat asian."
sources:
  - id: S0
    title: "Lähde nolla"
sequence:
  - page: 01-alku.md
  - house: talo.yaml
  - scenario: skenaario.yaml
  - quiz: tietovisa.yaml
"""

PAGE = """\
---
sources: [S0]
---
# Alku

Tekstiä ja **lihavointia**.
"""

SCENARIO = """\
title: "Tilanne"
sources: [S0]
intro: "Asiakas soittaa."
steps:
  - id: eka
    prompt: "Mitä teet?"
    choices:
      - {id: a, text: "Kuuntelen", feedback: "Hyvä.", best: true}
      - {id: b, text: "Lopetan puhelun", feedback: "Huono.", next: lisa}
  - id: lisa
    prompt: "Entä nyt?"
    choices:
      - {id: a, text: "Soitan takaisin", feedback: "Hyvä.", best: true, next: end}
      - {id: b, text: "En tee mitään", feedback: "Huono.", next: end}
outro: "Loppu."
"""

QUIZ = """\
title: "Tietovisa"
per_attempt: 1
questions:
  - id: q1
    objective: 1
    revisit: 01-alku.md
    type: single
    text: "Kysymys?"
    options:
      - {id: a, text: "Oikein", correct: true}
      - {id: b, text: "Väärin", feedback: "Tämä ei pidä paikkaansa."}
    explanation: "Siksi."
    sources: [S0]
  - id: q2
    objective: 1
    revisit: 01-alku.md
    type: multiple
    text: "Monta?"
    options:
      - {id: a, text: "Yksi", correct: true}
      - {id: b, text: "Kaksi", correct: true}
      - {id: c, text: "Ei", feedback: "Ei käy."}
    explanation: "Kaksi oikein."
"""

HOUSE = """\
title: "Talo"
intro: "Talon osat."
image_label: "Talo, jossa perustus ja kerros"
parts:
  - {id: perusta, title: "Perusta", place: foundation, text: "Pohja.", sources: [S0]}
  - {id: kerros, title: "Kerros", place: floor, text: "Kerros."}
"""


def make_course(root: Path, **overrides: str) -> Path:
    """Write the mini course; a keyword (file name, '.' and '-' as '_') replaces that file's text."""
    folder = root / "mini"
    files = {
        "course.yaml": COURSE_YAML,
        "fi/01-alku.md": PAGE,
        "fi/skenaario.yaml": SCENARIO,
        "fi/tietovisa.yaml": QUIZ,
        "fi/talo.yaml": HOUSE,
    }
    for key, text in overrides.items():
        name = next(n for n in files if n.rsplit("/", 1)[-1].replace(".", "_").replace("-", "_") == key)
        files[name] = text
    for name, text in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    return folder


def test_valid_course_loads_every_section(tmp_path: Path) -> None:
    course = load_course(make_course(tmp_path))
    assert [type(s) for s in course.sections] == [Page, House, Scenario, Quiz]
    page, house, scenario, quiz = course.sections
    assert isinstance(page, Page)
    assert page.title == "Alku"
    assert page.sources == ("S0",)
    assert isinstance(scenario, Scenario)
    assert [c.next for c in scenario.steps[0].choices] == ["lisa", "lisa"]
    assert scenario.steps[1].choices[0].next == END
    assert isinstance(quiz, Quiz)
    assert quiz.questions[1].correct_ids == ("a", "b")
    assert isinstance(house, House)
    assert [p.place for p in house.parts] == ["foundation", "floor"]
    assert course.title["fi"] == "Minikurssi"


@pytest.mark.parametrize(
    ("override", "file", "line", "message"),
    [
        (
            {"course_yaml": COURSE_YAML.replace("mastery_score: 80", "mastery_score: 180")},
            "course.yaml",
            7,
            "'mastery_score' must be a whole number from 0 to 100",
        ),
        (
            {"course_yaml": COURSE_YAML.replace("id: mini", "id: other")},
            "course.yaml",
            1,
            "must match the folder name",
        ),
        (
            {"course_yaml": COURSE_YAML.replace("  - quiz: tietovisa.yaml\n", "")},
            "course.yaml",
            15,
            "exactly one quiz",
        ),
        (
            {"course_yaml": COURSE_YAML.replace("page: 01-alku.md", "page: puuttuu.md")},
            "course.yaml",
            16,
            "'fi/puuttuu.md' not found",
        ),
        (
            {
                "course_yaml": COURSE_YAML.replace(
                    "estimated_minutes: 10", "estimated_minutes: 10\ncolor: red"
                )
            },
            "course.yaml",
            7,
            "unknown key 'color'",
        ),
        (
            {
                "tietovisa_yaml": QUIZ.replace(
                    '{id: b, text: "Väärin", feedback: "Tämä ei pidä paikkaansa."}',
                    '{id: b, text: "Väärin", correct: true}',
                )
            },
            "fi/tietovisa.yaml",
            9,
            "exactly one correct option (has 2)",
        ),
        (
            {"tietovisa_yaml": QUIZ.replace("{id: c, text:", "{id: cc, text:")},
            "fi/tietovisa.yaml",
            22,
            "an option id must be one letter a-z or digit (got 'cc')",
        ),
        (
            {"tietovisa_yaml": QUIZ.replace("id: q2", "id: q1")},
            "fi/tietovisa.yaml",
            14,
            "question id 'q1' is used twice",
        ),
        (
            {"tietovisa_yaml": QUIZ.replace("type: multiple", "type: many")},
            "fi/tietovisa.yaml",
            17,
            "'type' must be 'single' or 'multiple'",
        ),
        (
            {"tietovisa_yaml": QUIZ.replace("    sources: [S0]", "    sources: [S9]")},
            "fi/tietovisa.yaml",
            13,
            "source 'S9' is not listed",
        ),
        (
            {"tietovisa_yaml": QUIZ.replace('    text: "Kysymys?"', '    text: "Kysymys: mikä?" oops')},
            "fi/tietovisa.yaml",
            8,
            "not valid YAML",
        ),
        (
            {"skenaario_yaml": SCENARIO.replace(", best: true, next: end}", ", next: end}")},
            "fi/skenaario.yaml",
            12,
            "exactly one choice with 'best: true'",
        ),
        (
            {"skenaario_yaml": SCENARIO.replace("next: lisa", "next: nowhere")},
            "fi/skenaario.yaml",
            9,
            "'next: nowhere' is not a step id",
        ),
        (
            {
                "skenaario_yaml": SCENARIO.replace("next: lisa", "next: end").replace(
                    "best: true}", "best: true, next: end}", 1
                )
            },
            "fi/skenaario.yaml",
            4,
            "no choice leads to step(s) lisa",
        ),
        (
            {
                "skenaario_yaml": SCENARIO.replace(
                    '"Lopetan puhelun", feedback: "Huono."', '"Lopetan puhelun"'
                )
            },
            "fi/skenaario.yaml",
            9,
            "'feedback' is missing",
        ),
        (
            {"01_alku_md": PAGE.replace("# Alku", "Alku")},
            "fi/01-alku.md",
            4,
            "must start with one '# Heading'",
        ),
        ({"01_alku_md": PAGE + "\n# Toinen\n"}, "fi/01-alku.md", 8, "only one '# ' heading"),
        (
            {"01_alku_md": PAGE + "\n<script>alert(1)</script>\n"},
            "fi/01-alku.md",
            8,
            "raw HTML is not allowed",
        ),
        ({"01_alku_md": PAGE + "\n![](assets/x.svg)\n"}, "fi/01-alku.md", 8, "needs a text alternative"),
        ({"01_alku_md": PAGE.replace("sources: [S0]", "sources: [X1]")}, "fi/01-alku.md", 2, "source 'X1'"),
        (
            {"talo_yaml": HOUSE.replace("place: floor", "place: attic")},
            "fi/talo.yaml",
            6,
            "'place' must be one of",
        ),
        (
            {"talo_yaml": HOUSE.replace("perustus ja kerros", "perustus ja kerros, " + "sana " * 11)},
            "fi/talo.yaml",
            3,
            "'image_label' has 16 words",
        ),
        (
            {"talo_yaml": HOUSE.replace("place: foundation", "place: floor")},
            "fi/talo.yaml",
            4,
            "exactly one part with 'place: foundation'",
        ),
    ],
)
def test_mistakes_name_file_line_and_problem(
    tmp_path: Path, override: dict[str, str], file: str, line: int, message: str
) -> None:
    folder = make_course(tmp_path, **override)
    with pytest.raises(SourceError) as caught:
        load_course(folder)
    error = caught.value
    assert error.path == folder / file
    assert error.line == line
    assert message in error.message
    assert str(error).startswith(f"{folder / file}:{line}: ")


def test_non_utf8_file_is_reported(tmp_path: Path) -> None:
    folder = make_course(tmp_path)
    (folder / "fi" / "01-alku.md").write_bytes("# Äiti\n".encode("latin-1"))
    with pytest.raises(SourceError, match="not UTF-8 text"):
        load_course(folder)


def test_duplicate_yaml_key_is_reported_at_its_line(tmp_path: Path) -> None:
    folder = make_course(
        tmp_path, course_yaml=COURSE_YAML.replace("estimated_minutes: 10", "estimated_minutes: 10\nid: x")
    )
    with pytest.raises(SourceError) as caught:
        load_course(folder)
    assert caught.value.line == 7
    assert "appears twice" in caught.value.message
