"""The catalogue's writer: which competences a course grants and its passing score; built-in modules."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from lms_bridge.audit import AuditEvent
from lms_bridge.catalog.builtin import builtin_course, builtin_courses, grant_builtin_competences
from lms_bridge.catalog.errors import CatalogError, NotInCatalog
from lms_bridge.catalog.framework import DEFAULT_FRAMEWORK, parse_framework
from lms_bridge.catalog.service import (
    course_competence_codes,
    ensure_course,
    get_competence_by_code,
    grant_competence,
    set_course_rules,
)
from lms_bridge.config import PROJECT_ROOT
from lms_bridge.register.requirements import load_framework

COURSES = PROJECT_ROOT / "courses"


@pytest.fixture
def framework(session: Session) -> None:
    load_framework(session, parse_framework(DEFAULT_FRAMEWORK.read_text(encoding="utf-8")), actor="test")


@pytest.mark.usefixtures("framework")
def test_course_rules_map_competences_and_passing_score(session: Session, make_course) -> None:
    course = make_course(slug="kohtaaminen")
    codes = set_course_rules(
        session, course=course, competence_codes=["KOHT-01", "HAIR-01"], passing_score=70, actor="test"
    )
    assert codes == ["HAIR-01", "KOHT-01"]
    session.expire_all()
    assert course_competence_codes(session, course.id) == ["HAIR-01", "KOHT-01"]
    assert course.passing_score == 70
    set_course_rules(session, course=course, competence_codes=["KOHT-01"], passing_score=None, actor="t")
    session.expire_all()
    assert course_competence_codes(session, course.id) == ["KOHT-01"]
    assert course.passing_score is None
    audited = session.scalars(select(AuditEvent.action).where(AuditEvent.subject_id == str(course.id))).all()
    assert audited.count("course.rules") == 2


@pytest.mark.usefixtures("framework")
def test_bad_rules_change_nothing(session: Session, make_course) -> None:
    course = make_course()
    set_course_rules(session, course=course, competence_codes=["KOHT-01"], passing_score=80, actor="t")
    with pytest.raises(CatalogError):
        set_course_rules(session, course=course, competence_codes=[], passing_score=101, actor="t")
    with pytest.raises(NotInCatalog):
        set_course_rules(session, course=course, competence_codes=["NOPE-99"], passing_score=None, actor="t")
    session.expire_all()
    assert course_competence_codes(session, course.id) == ["KOHT-01"]
    assert course.passing_score == 80


def test_built_in_modules_come_from_course_yaml() -> None:
    found = {course.slug: course for course in builtin_courses(COURSES)}
    assert found["kohtaaminen"].competence_codes == ("KOHT-01",)
    assert found["osallisuuden-talo"].competence_codes == ("OSAL-02",)
    assert len(found) == len(list(COURSES.glob("*/course.yaml")))
    assert builtin_course(COURSES, "no-such-module") is None


@pytest.mark.usefixtures("framework")
def test_built_in_grants_apply_once_and_never_override_an_admin(session: Session) -> None:
    builtin = builtin_course(COURSES, "hairiokysynta")
    assert builtin is not None
    course = ensure_course(session, slug=builtin.slug, title=builtin.title)
    assert grant_builtin_competences(session, course, builtin, actor="t").applied == ("HAIR-01",)
    set_course_rules(session, course=course, competence_codes=["KOHT-01"], passing_score=None, actor="admin")
    outcome = grant_builtin_competences(session, course, builtin, actor="t")
    assert outcome.kept == ("KOHT-01",)
    assert course_competence_codes(session, course.id) == ["KOHT-01"]


def test_built_in_grants_wait_for_the_framework(session: Session) -> None:
    builtin = builtin_course(COURSES, "kohtaaminen")
    assert builtin is not None
    course = ensure_course(session, slug=builtin.slug, title=builtin.title)
    outcome = grant_builtin_competences(session, course, builtin, actor="t")
    assert outcome.missing == ("KOHT-01",)
    assert course_competence_codes(session, course.id) == []


@pytest.mark.usefixtures("framework")
def test_a_course_granting_what_its_yaml_says_but_left_undecided_becomes_decided(session: Session) -> None:
    """An instance made by an older demo (competences granted by hand, never decided) still gets its
    built-in modules published; a course granting something else stays as the admin left it."""
    builtin = builtin_course(COURSES, "kohtaaminen")
    assert builtin is not None
    same = ensure_course(session, slug="kohtaaminen", title="K")
    other = ensure_course(session, slug="toinen", title="T")
    for course, code in ((same, builtin.competence_codes[0]), (other, "HAIR-01")):
        grant_competence(session, course_id=course.id, competence_id=get_competence_by_code(session, code).id)
    assert grant_builtin_competences(session, same, builtin, actor="test").kept == builtin.competence_codes
    assert grant_builtin_competences(session, other, builtin, actor="test").kept == ("HAIR-01",)
    session.flush()
    session.expire_all()
    assert same.competences_decided is True
    assert other.competences_decided is False
