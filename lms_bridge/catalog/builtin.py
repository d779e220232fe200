"""The built-in modules (courses/<slug>/course.yaml): their slugs, titles and the competences they grant.

course.yaml is the one place that says what a built-in module grants; the package install and the demo
generator read it here.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.orm import Session

from lms_bridge.catalog.models import Course
from lms_bridge.catalog.service import (
    course_competence_codes,
    missing_competence_codes,
    publish,
    set_course_rules,
)
from scorm.authoring import discover, load_course


@dataclass(frozen=True)
class BuiltinCourse:
    slug: str
    title: str
    competence_codes: tuple[str, ...]
    language: str = "fi"
    minutes: int | None = None  # the author's estimate of the time it takes


def builtin_course(courses_dir: Path, slug: str) -> BuiltinCourse | None:
    """The module in `courses_dir/slug`, or None when there is no such module (raises SourceError on a
    broken course.yaml)."""
    folder = courses_dir / slug
    if not (folder / "course.yaml").is_file():
        return None
    course = load_course(folder)
    return BuiltinCourse(
        course.id,
        course.localized_title(),
        tuple(course.competences),
        course.language,
        course.estimated_minutes,
    )


def builtin_courses(courses_dir: Path) -> list[BuiltinCourse]:
    """Every module in `courses_dir`, in folder order."""
    found = (builtin_course(courses_dir, folder.name) for folder in discover(courses_dir))
    return [course for course in found if course is not None]


@dataclass(frozen=True)
class GrantOutcome:
    applied: tuple[str, ...] = ()  # codes now granted
    kept: tuple[str, ...] = ()  # an admin had already chosen these; left as they were
    missing: tuple[str, ...] = ()  # codes the framework lacks: nothing was changed


def grant_builtin_competences(
    session: Session, course: Course, builtin: BuiltinCourse, *, actor: str
) -> GrantOutcome:
    """A built-in module grants what its course.yaml says, unless an admin has already chosen otherwise."""
    chosen = course_competence_codes(session, course.id)
    if chosen:
        if not course.competences_decided and set(chosen) == set(builtin.competence_codes):
            # granted as course.yaml says by an earlier demo that left the course undecided: the same choice
            course.competences_decided = True
        return GrantOutcome(kept=tuple(chosen))
    missing = missing_competence_codes(session, builtin.competence_codes)
    if missing:
        return GrantOutcome(missing=tuple(missing))
    codes = set_course_rules(
        session,
        course=course,
        competence_codes=list(builtin.competence_codes),
        passing_score=None,
        actor=actor,
    )
    return GrantOutcome(applied=tuple(codes))


ORDER_FILE = "order.txt"


def teaching_order(courses_dir: Path) -> dict[str, int]:
    """The built-in modules' positions in the learners' lists (courses/order.txt: one slug a line)."""
    path = courses_dir / ORDER_FILE
    if not path.is_file():
        return {}
    slugs = [line.strip() for line in path.read_text(encoding="utf-8").splitlines()]
    return {
        slug: (index + 1) * 10 for index, slug in enumerate(s for s in slugs if s and not s.startswith("#"))
    }


def publish_builtin(session: Session, course: Course, *, courses_dir: Path, actor: str) -> bool:
    """Publish a built-in module to everyone in its teaching order, unless an admin has already published,
    hidden or retired it (only a draft is touched). Returns whether it was published now."""
    if course.status != "draft" or not course.competences_decided:
        return False
    publish(
        session, course, actor=actor, everyone=True, position=teaching_order(courses_dir).get(course.slug)
    )
    return True
