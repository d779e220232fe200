"""Who must hold which competence: job-title requirements from the framework file, and unit requirements."""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from lms_bridge.audit import record_event
from lms_bridge.catalog.framework import CompetenceSpec, FrameworkResult, load_competences
from lms_bridge.catalog.models import Competence
from lms_bridge.register.models import Requirement


def load_framework(session: Session, specs: list[CompetenceSpec], *, actor: str) -> FrameworkResult:
    """Bring competences (catalogue) and their job-title requirements (register) up to date with the file.

    Never deletes a competence; unit requirements stay. A competence whose requirements changed counts
    as updated.
    """
    result = load_competences(session, specs, actor=actor)
    ids = dict(session.execute(select(Competence.code, Competence.id)).all())
    requirements_changed = [
        spec.code for spec in specs if _sync_job_requirements(session, ids[spec.code], spec.required_for)
    ]
    for code in requirements_changed:
        if code in result.unchanged:
            result.unchanged.remove(code)
            result.updated.append(code)
    if requirements_changed:
        record_event(
            session,
            actor=actor,
            action="requirements.loaded",
            subject_type="competence_framework",
            details={"changed": requirements_changed},
        )
    return result


def _sync_job_requirements(session: Session, competence_id: int, job_titles: tuple[str, ...]) -> bool:
    """Make the competence's job-title-only requirements exactly `job_titles`; unit requirements stay."""
    current = set(
        session.scalars(
            select(Requirement.job_title).where(
                Requirement.competence_id == competence_id,
                Requirement.unit_id.is_(None),
                Requirement.job_title.is_not(None),
            )
        )
    )
    wanted = set(job_titles)
    removed = current - wanted
    if removed:
        session.execute(
            delete(Requirement).where(
                Requirement.competence_id == competence_id,
                Requirement.unit_id.is_(None),
                Requirement.job_title.in_(removed),
            )
        )
    session.add_all(
        Requirement(competence_id=competence_id, job_title=title) for title in sorted(wanted - current)
    )
    session.flush()
    return bool(removed or wanted - current)


def add_unit_requirement(
    session: Session, *, competence_id: int, unit_id: int, job_title: str | None = None
) -> Requirement:
    """Require a competence of everyone (or one job title) in a unit subtree; idempotent."""
    title = job_title.strip().lower() if job_title else None
    found = session.scalars(
        select(Requirement).where(
            Requirement.competence_id == competence_id,
            Requirement.unit_id == unit_id,
            Requirement.job_title.is_(None) if title is None else Requirement.job_title == title,
        )
    ).one_or_none()
    if found is not None:
        return found
    requirement = Requirement(competence_id=competence_id, unit_id=unit_id, job_title=title)
    session.add(requirement)
    session.flush()
    return requirement
