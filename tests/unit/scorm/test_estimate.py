"""scorm.estimate: the words a learner reads, the estimated minutes, a warning when course.yaml is far off."""

from __future__ import annotations

import dataclasses
import logging
from pathlib import Path

import pytest

from scorm.authoring import discover, load_course
from scorm.build import build_all
from scorm.estimate import (
    MINUTES_PER_QUESTION,
    WORDS_PER_MINUTE,
    count_words,
    duration_warning,
    figures,
    reading_texts,
)
from scorm.schemas import SchemaSet
from tests.unit.scorm.test_authoring import COURSE_YAML, make_course

ROOT = Path(__file__).resolve().parents[3]
MODULES = discover(ROOT / "courses")


def test_words_are_counted_without_markup_urls_or_numbers() -> None:
    text = (
        "## Otsikko\n\n- **Kivijalka:** osallisuus [omaan palveluun](https://thl.fi/x-y) 80 %\n| a-b | c |\n"
    )
    assert count_words(text) == 7  # Otsikko Kivijalka osallisuus omaan palveluun a-b c
    assert count_words("![Kuva talosta](assets/talo.svg) Vuoropuhelu") == 1
    assert count_words("kotihoidon asiakas- ja palveluohjaaja") == 4


def test_what_a_learner_reads_once_counts_and_the_quiz_bank_does_not(tmp_path: Path) -> None:
    course = load_course(make_course(tmp_path))
    texts = reading_texts(course)
    assert "Tekstiä ja **lihavointia**.\n" in texts  # the page
    assert "Huono." in texts  # scenario feedback: learners try several choices
    assert any(t.startswith("Perusta") for t in texts)  # each house part once
    assert not any("Kysymys?" in t for t in texts)  # questions are timed per try, not read as text
    found = figures(course)
    assert found.words == sum(count_words(t) for t in texts)
    assert (found.bank, found.per_attempt, found.declared) == (2, 1, 10)
    expected = found.words / WORDS_PER_MINUTE + found.per_attempt * MINUTES_PER_QUESTION
    assert found.estimated == max(1, round(expected))


def test_a_declared_time_far_from_the_estimate_is_named_in_a_warning(tmp_path: Path) -> None:
    found = figures(load_course(make_course(tmp_path)))
    assert found.far_off
    warning = duration_warning(found)
    assert warning is not None
    assert warning.startswith("mini: course.yaml declares estimated_minutes: 10, far from the estimated ")
    close = dataclasses.replace(found, declared=found.estimated + 4)
    assert duration_warning(close) is None
    assert duration_warning(dataclasses.replace(found, declared=found.estimated + 6)) is not None


@pytest.mark.parametrize("folder", MODULES, ids=[f.name for f in MODULES])
def test_every_module_declares_about_the_time_it_takes(folder: Path) -> None:
    found = figures(load_course(folder))
    assert not found.far_off, duration_warning(found)
    assert found.bank >= 2 * found.per_attempt  # the bank is about twice what one try asks


def test_the_build_warns_and_still_builds(
    tmp_path: Path, schemas: SchemaSet, caplog: pytest.LogCaptureFixture
) -> None:
    sources = tmp_path / "courses"
    make_course(sources)
    with caplog.at_level(logging.WARNING, logger="scorm.build"):
        paths = build_all(sources, tmp_path / "out", schemas=schemas)
    assert len(paths) == 2
    assert [r.getMessage() for r in caplog.records] == [
        duration_warning(figures(load_course(sources / "mini")))
    ]
    caplog.clear()
    fixed = COURSE_YAML.replace("estimated_minutes: 10", "estimated_minutes: 2")
    (sources / "mini" / "course.yaml").write_text(fixed, encoding="utf-8")
    with caplog.at_level(logging.WARNING, logger="scorm.build"):
        build_all(sources, tmp_path / "out", schemas=schemas)
    assert caplog.records == []
