"""Courses and the competences they grant: the catalogue's one writer and its reused queries."""

from __future__ import annotations

import re
import unicodedata

from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from lms_bridge import signals
from lms_bridge.audit import record_event
from lms_bridge.catalog.errors import CatalogError, NotInCatalog
from lms_bridge.catalog.models import Competence, Course, CourseAudience, CourseCompetence

SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,99}$")


def slugify(text: str) -> str:
    """A course slug from a title or identifier: ASCII letters, digits and '-'."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-")[:80]
    return slug or "kurssi"


def check_slug(slug: str) -> str:
    """Raises CatalogError unless `slug` can name a course."""
    if not SLUG.match(slug):
        raise CatalogError(_l("Kurssin tunnisteessa saa olla vain pieniä kirjaimia, numeroita ja viivoja."))
    return slug


def get_course_by_slug(session: Session, slug: str) -> Course | None:
    return session.scalars(select(Course).where(Course.slug == slug)).one_or_none()


def require_course(session: Session, slug: str) -> Course:
    """The course with this slug; raises NotInCatalog."""
    course = get_course_by_slug(session, slug)
    if course is None:
        raise NotInCatalog(_l("Kurssia %(slug)s ei löydy.", slug=slug))
    return course


def ensure_course(session: Session, *, slug: str, title: str) -> Course:
    """Return the course with this slug, creating it when missing (flushed, not committed)."""
    course = get_course_by_slug(session, check_slug(slug))
    if course is None:
        course = Course(slug=slug, title=title[:300])
        session.add(course)
        session.flush()
    return course


def list_courses(session: Session) -> list[Course]:
    return list(session.scalars(select(Course).order_by(Course.title)))


def course_slugs(session: Session) -> dict[str, int]:
    """Every course's id by slug (imports resolve a file's course column with one query)."""
    return dict(session.execute(select(Course.slug, Course.id)).all())


# ------------------------------------------------------------------------------------ competences


def get_competence_by_code(session: Session, code: str) -> Competence:
    """The competence with this code; raises NotInCatalog."""
    competence = session.scalars(select(Competence).where(Competence.code == code)).one_or_none()
    if competence is None:
        raise NotInCatalog(_l("Osaamista %(code)s ei ole osaamiskehyksessä.", code=code))
    return competence


def list_competences(session: Session) -> list[Competence]:
    """Every competence of the framework, by code."""
    return list(session.scalars(select(Competence).order_by(Competence.code)))


def missing_competence_codes(session: Session, codes: list[str] | tuple[str, ...]) -> list[str]:
    """Those of `codes` the framework does not have, in the given order."""
    known = set(session.scalars(select(Competence.code).where(Competence.code.in_(codes))))
    return [code for code in codes if code not in known]


# ------------------------------------------------------------------------------------ what a course grants


def grant_competence(session: Session, *, course_id: int, competence_id: int) -> None:
    """Record that completing the course grants the competence (idempotent)."""
    if session.get(CourseCompetence, (course_id, competence_id)) is None:
        session.add(CourseCompetence(course_id=course_id, competence_id=competence_id))
        session.flush()


def course_competence_codes(session: Session, course_id: int) -> list[str]:
    """The codes of the competences the course grants, sorted."""
    return list(
        session.scalars(
            select(Competence.code)
            .join(CourseCompetence, CourseCompetence.competence_id == Competence.id)
            .where(CourseCompetence.course_id == course_id)
            .order_by(Competence.code)
        )
    )


def set_course_rules(
    session: Session, *, course: Course, competence_codes: list[str], passing_score: int | None, actor: str
) -> list[str]:
    """Which competences the course grants, and the passing rule where its package sets none.

    Raises CatalogError for a passing score outside 0–100 and NotInCatalog for an unknown code.
    """
    if passing_score is not None and not 0 <= passing_score <= 100:
        raise CatalogError(_l("Hyväksymisrajan on oltava 0–100 prosenttia."))
    wanted = {get_competence_by_code(session, code).id: code for code in competence_codes}
    before = set(course_competence_codes(session, course.id))
    for mapping in session.scalars(select(CourseCompetence).where(CourseCompetence.course_id == course.id)):
        if mapping.competence_id not in wanted:
            session.delete(mapping)
    for competence_id in wanted:
        grant_competence(session, course_id=course.id, competence_id=competence_id)
    course.passing_score = passing_score
    course.competences_decided = True
    session.flush()
    codes = sorted(wanted.values())
    record_event(
        session,
        actor=actor,
        action="course.rules",
        subject_type="course",
        subject_id=course.id,
        details={"competences": codes, "passing_score": passing_score},
    )
    added = sorted(set(codes) - before)
    if added:
        signals.course_competences_changed.send(course, session=session, added=added)
    return codes


def courses_by_competence(session: Session) -> dict[int, list[Course]]:
    """The courses that grant each competence, by competence id (reports name where to learn it)."""
    found: dict[int, list[Course]] = {}
    rows = session.execute(
        select(CourseCompetence.competence_id, Course)
        .join(Course, Course.id == CourseCompetence.course_id)
        .order_by(Course.title)
    )
    for competence_id, course in rows:
        found.setdefault(competence_id, []).append(course)
    return found


# ------------------------------------------------------------------------------------ publishing

STATUSES = ("draft", "published", "hidden", "retired")


def set_audience(
    session: Session, course: Course, *, everyone: bool, unit_codes: list[str], job_titles: list[str]
) -> None:
    """Who the course is for: everyone, or these units (with their sub-units) and/or job titles. A unit
    and a job title given together mean anyone in those units or with those titles."""
    titles = sorted({t.strip().lower() for t in job_titles if t.strip()})
    codes = sorted({c.strip() for c in unit_codes if c.strip()})
    if not everyone and not titles and not codes:
        raise CatalogError(_l("Valitse kurssin kohderyhmä: kaikki, yksiköt tai tehtävänimikkeet."))
    course.for_everyone = everyone
    for row in session.scalars(select(CourseAudience).where(CourseAudience.course_id == course.id)):
        session.delete(row)
    session.flush()
    if not everyone:
        session.add_all(CourseAudience(course_id=course.id, unit_code=code) for code in codes)
        session.add_all(CourseAudience(course_id=course.id, job_title=title) for title in titles)
    session.flush()


def audience(session: Session, course_id: int) -> list[CourseAudience]:
    return list(
        session.scalars(
            select(CourseAudience)
            .where(CourseAudience.course_id == course_id)
            .order_by(CourseAudience.unit_code, CourseAudience.job_title)
        )
    )


def publish(
    session: Session,
    course: Course,
    *,
    actor: str,
    everyone: bool = True,
    unit_codes: list[str] | None = None,
    job_titles: list[str] | None = None,
    position: int | None = None,
) -> None:
    """Show the course to its audience. Raises CatalogError until its competences are decided."""
    if not course.competences_decided:
        raise CatalogError(
            _l(
                "Kurssia %(slug)s ei voi julkaista ennen kuin sen tuottamat osaamiset (tai ettei se tuota "
                "mitään) on valittu.",
                slug=course.slug,
            )
        )
    set_audience(session, course, everyone=everyone, unit_codes=unit_codes or [], job_titles=job_titles or [])
    if position is not None:
        course.position = position
    _set_status(session, course, "published", actor=actor)


def set_status(session: Session, course: Course, status: str, *, actor: str) -> None:
    """Hide, retire or return a course to draft; its attempts and completions stay. Publishing: publish()."""
    if status not in STATUSES or status == "published":
        raise CatalogError(_l("Tuntematon tila %(s)s.", s=status))
    _set_status(session, course, status, actor=actor)


def _set_status(session: Session, course: Course, status: str, *, actor: str) -> None:
    previous = course.status
    course.status = status
    session.flush()
    record_event(
        session,
        actor=actor,
        action="course.status",
        subject_type="course",
        subject_id=course.id,
        details={"from": previous, "to": status, "everyone": course.for_everyone},
    )


def courses_for_learner(session: Session, *, unit_codes: list[str], job_title: str) -> list[Course]:
    """The published courses meant for a learner whose unit path has these codes (their unit and every
    unit above it) and who has this job title, in the catalogue's order."""
    matching = (
        select(CourseAudience.course_id)
        .where(
            or_(CourseAudience.unit_code.is_(None), CourseAudience.unit_code.in_(unit_codes)),
            or_(CourseAudience.job_title.is_(None), CourseAudience.job_title == job_title.lower()),
        )
        .scalar_subquery()
    )
    return list(
        session.scalars(
            select(Course)
            .where(Course.status == "published", or_(Course.for_everyone.is_(True), Course.id.in_(matching)))
            .order_by(Course.position, Course.title)
        )
    )
