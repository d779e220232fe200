"""Competence status: valid / expiring / expired / missing / not_required, computed in one SQL query.

`status_select` is the one place the rule lives. It serves one person, a unit subtree, a competence, or a
page of the API, always as a single statement:

- a competence is *held* when the person has an effective completion of it (not superseded by a
  correction, not voided); the latest expiry of those counts, and one without expiry never expires;
- held: expired when that expiry has passed, expiring when it falls within `expiring_within_days`,
  otherwise valid — also when the competence is not required;
- not held: missing when a requirement applies (the person's job title, a unit on their path, or both),
  otherwise not_required.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    and_,
    case,
    exists,
    func,
    or_,
    select,
    text,
    true,
    type_coerce,
)
from sqlalchemy.orm import Session, aliased

from lms_bridge.db import UTCDateTime
from lms_bridge.register.models import Competence, Completion, OrgUnit, Requirement, Staff

STATUSES = ("valid", "expiring", "expired", "missing", "not_required")


@dataclass(frozen=True)
class StatusRow:
    staff_id: int
    employee_number: str
    unit_code: str
    competence_id: int
    competence_code: str
    status: str
    required: bool
    completed_at: dt.datetime | None
    expires_at: dt.datetime | None
    last_recorded_at: dt.datetime | None


@dataclass(frozen=True)
class StatusFilter:
    """What to compute the status for; every field narrows the result."""

    unit_path: str | None = None
    staff_id: int | None = None
    competence_id: int | None = None
    statuses: Collection[str] | None = None
    changed_since: dt.datetime | None = None
    include_inactive: bool = False
    after: tuple[int, int] | None = None  # keyset cursor: (staff_id, competence_id)


def _people(flt: StatusFilter) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if not flt.include_inactive:
        conditions.append(Staff.active.is_(True))
    if flt.unit_path is not None:
        conditions.append(OrgUnit.path.startswith(flt.unit_path, autoescape=True))
    if flt.staff_id is not None:
        conditions.append(Staff.id == flt.staff_id)
    return conditions


def status_select(*, now: dt.datetime, expiring_within_days: int, flt: StatusFilter) -> Select[Any]:
    """The statement computing StatusRow columns for every (person, competence) pair the filter selects."""
    successor = aliased(Completion)
    held_staff = select(Staff.id).join(OrgUnit, Staff.unit_id == OrgUnit.id).where(*_people(flt))
    held_conditions: list[ColumnElement[bool]] = [
        Completion.voided.is_(False),
        # the IS NOT NULL lets PostgreSQL read only the few corrections, not hash every completion
        ~exists().where(successor.supersedes_id.is_not(None), successor.supersedes_id == Completion.id),
        Completion.staff_id.in_(held_staff),
    ]
    if flt.competence_id is not None:
        held_conditions.append(Completion.competence_id == flt.competence_id)
    held = (
        select(
            Completion.staff_id,
            Completion.competence_id,
            func.max(Completion.completed_at).label("completed_at"),
            func.max(Completion.expires_at).label("max_expires_at"),
            func.max(Completion.recorded_at).label("last_recorded_at"),
            # fewer expiring rows than rows: one completion never expires
            (func.count(Completion.expires_at) < func.count()).label("permanent"),
        )
        .where(*held_conditions)
        .group_by(Completion.staff_id, Completion.competence_id)
        .subquery("held")
    )

    # Requirements are few; join them to the people once instead of testing each (person, competence) pair.
    req_unit = aliased(OrgUnit)
    required = (
        select(Staff.id.label("staff_id"), Requirement.competence_id)
        .select_from(Staff)
        .join(OrgUnit, Staff.unit_id == OrgUnit.id)
        .join(Requirement, or_(Requirement.job_title.is_(None), Requirement.job_title == Staff.job_title))
        .outerjoin(req_unit, Requirement.unit_id == req_unit.id)
        .where(*_people(flt), or_(Requirement.unit_id.is_(None), OrgUnit.path.startswith(req_unit.path)))
        .group_by(Staff.id, Requirement.competence_id)
        .subquery("required")
    )

    conditions = _people(flt)
    if flt.competence_id is not None:
        conditions.append(Competence.id == flt.competence_id)
    if flt.after is not None:
        staff_id, competence_id = flt.after
        conditions.append(or_(Staff.id > staff_id, and_(Staff.id == staff_id, Competence.id > competence_id)))
    # The pairs with what the status needs; the requirement test is evaluated once per pair here.
    pairs = (
        select(
            Staff.id.label("staff_id"),
            Staff.employee_number,
            OrgUnit.code.label("unit_code"),
            Competence.id.label("competence_id"),
            Competence.code.label("competence_code"),
            required.c.staff_id.is_not(None).label("required"),
            held.c.staff_id.is_not(None).label("held"),
            held.c.permanent,
            held.c.completed_at,
            held.c.max_expires_at,
            held.c.last_recorded_at,
            Staff.updated_at,
        )
        .select_from(Staff)
        .join(OrgUnit, Staff.unit_id == OrgUnit.id)
        .join(Competence, true())
        .outerjoin(held, and_(held.c.staff_id == Staff.id, held.c.competence_id == Competence.id))
        .outerjoin(required, and_(required.c.staff_id == Staff.id, required.c.competence_id == Competence.id))
        .where(*conditions)
        .subquery("pairs")
    )
    p = pairs.c
    soon = now + dt.timedelta(days=expiring_within_days)
    status = case(
        (~p.held, case((p.required, "missing"), else_="not_required")),
        (p.permanent, "valid"),
        (p.max_expires_at <= now, "expired"),
        (p.max_expires_at <= soon, "expiring"),
        else_="valid",
    )
    expires_at = type_coerce(case((p.permanent, None), else_=p.max_expires_at), UTCDateTime())
    outer: list[ColumnElement[bool]] = []
    if flt.statuses:
        outer.append(status.in_(list(flt.statuses)))
    if flt.changed_since is not None:
        outer.append(or_(p.last_recorded_at >= flt.changed_since, p.updated_at >= flt.changed_since))
    return (
        select(
            p.staff_id,
            p.employee_number,
            p.unit_code,
            p.competence_id,
            p.competence_code,
            status.label("status"),
            p.required,
            p.completed_at,
            expires_at.label("expires_at"),
            p.last_recorded_at,
        )
        .where(*outer)
        .order_by(p.staff_id, p.competence_id)
    )


def competence_statuses(
    session: Session,
    *,
    now: dt.datetime,
    expiring_within_days: int,
    flt: StatusFilter,
    limit: int | None = None,
) -> list[StatusRow]:
    """Status rows for the filter, ordered by (staff id, competence id); one query."""
    stmt = status_select(now=now, expiring_within_days=expiring_within_days, flt=flt)
    if session.get_bind().dialect.name == "postgresql":
        # The planner's cost for this query crosses jit_above_cost, and compiling it takes ~1 s, far more
        # than running it (tens of ms): JIT pays off for long analytics, not for a status page.
        session.execute(text("SET LOCAL jit = off"))
        # a 2,000-person subtree aggregates ~70,000 completions: sort them in memory, not on disk
        session.execute(text("SET LOCAL work_mem = '32MB'"))
    if limit is not None:
        stmt = stmt.limit(limit)
    return [
        StatusRow(
            staff_id=row[0],
            employee_number=row[1],
            unit_code=row[2],
            competence_id=row[3],
            competence_code=row[4],
            status=row[5],
            required=bool(row[6]),
            completed_at=row[7],
            expires_at=row[8],
            last_recorded_at=row[9],
        )
        for row in session.execute(stmt)
    ]
