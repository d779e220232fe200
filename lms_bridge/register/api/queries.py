"""Read queries the API (and later the reports) share: keyset-paginated lists with the register's filters."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from lms_bridge.catalog.models import Competence, Course
from lms_bridge.catalog.service import get_competence_by_code
from lms_bridge.register.lookups import get_staff_by_employee_number, get_unit_by_code
from lms_bridge.register.models import Completion, OrgUnit, Staff
from lms_bridge.register.status import StatusFilter, StatusRow, competence_statuses


@dataclass(frozen=True)
class ListParams:
    limit: int = 100
    after: tuple[int, ...] | None = None
    unit: str | None = None  # unit code; includes its descendants
    competence: str | None = None
    statuses: tuple[str, ...] | None = None
    changed_since: dt.datetime | None = None
    employee_number: str | None = None
    active: bool | None = None


@dataclass(frozen=True)
class Page:
    items: list[Any]
    next_key: tuple[int, ...] | None


def _page(rows: list[Any], limit: int, key: Any) -> Page:
    if len(rows) > limit:
        rows = rows[:limit]
        return Page(rows, key(rows[-1]))
    return Page(rows, None)


def _unit_prefix(session: Session, params: ListParams) -> str | None:
    return None if params.unit is None else get_unit_by_code(session, params.unit).path


def units_page(session: Session, params: ListParams) -> Page:
    parent = OrgUnit.__table__.alias("parent")
    conditions: list[ColumnElement[bool]] = []
    prefix = _unit_prefix(session, params)
    if prefix is not None:
        conditions.append(OrgUnit.path.startswith(prefix, autoescape=True))
    if params.changed_since is not None:
        conditions.append(OrgUnit.updated_at >= params.changed_since)
    if params.after is not None:
        conditions.append(OrgUnit.id > params.after[0])
    stmt = (
        select(OrgUnit, parent.c.code)
        .outerjoin(parent, OrgUnit.parent_id == parent.c.id)
        .where(*conditions)
        .order_by(OrgUnit.id)
        .limit(params.limit + 1)
    )
    return _page(list(session.execute(stmt)), params.limit, lambda row: (row[0].id,))


def staff_page(session: Session, params: ListParams) -> Page:
    conditions: list[ColumnElement[bool]] = []
    prefix = _unit_prefix(session, params)
    if prefix is not None:
        conditions.append(OrgUnit.path.startswith(prefix, autoescape=True))
    if params.changed_since is not None:
        conditions.append(Staff.updated_at >= params.changed_since)
    if params.active is not None:
        conditions.append(Staff.active.is_(params.active))
    if params.employee_number is not None:
        conditions.append(Staff.employee_number == params.employee_number)
    if params.after is not None:
        conditions.append(Staff.id > params.after[0])
    stmt = (
        select(Staff, OrgUnit.code)
        .join(OrgUnit, Staff.unit_id == OrgUnit.id)
        .where(*conditions)
        .order_by(Staff.id)
        .limit(params.limit + 1)
    )
    return _page(list(session.execute(stmt)), params.limit, lambda row: (row[0].id,))


def competences_page(session: Session, params: ListParams) -> Page:
    conditions: list[ColumnElement[bool]] = []
    if params.changed_since is not None:
        conditions.append(Competence.updated_at >= params.changed_since)
    if params.after is not None:
        conditions.append(Competence.id > params.after[0])
    stmt = select(Competence).where(*conditions).order_by(Competence.id).limit(params.limit + 1)
    return _page(list(session.scalars(stmt)), params.limit, lambda row: (row.id,))


def completions_page(session: Session, params: ListParams) -> Page:
    """Every record, corrections included (`supersedes`), so a client can mirror the append-only log."""
    conditions: list[ColumnElement[bool]] = []
    prefix = _unit_prefix(session, params)
    if prefix is not None:
        conditions.append(OrgUnit.path.startswith(prefix, autoescape=True))
    if params.competence is not None:
        conditions.append(Completion.competence_id == get_competence_by_code(session, params.competence).id)
    if params.employee_number is not None:
        conditions.append(
            Completion.staff_id == get_staff_by_employee_number(session, params.employee_number).id
        )
    if params.changed_since is not None:
        conditions.append(Completion.recorded_at >= params.changed_since)
    if params.after is not None:
        conditions.append(Completion.id > params.after[0])
    stmt = (
        select(Completion, Staff.employee_number, Competence.code, Course.slug)
        .join(Staff, Completion.staff_id == Staff.id)
        .join(OrgUnit, Staff.unit_id == OrgUnit.id)
        .join(Competence, Completion.competence_id == Competence.id)
        .outerjoin(Course, Completion.course_id == Course.id)
        .where(*conditions)
        .order_by(Completion.id)
        .limit(params.limit + 1)
    )
    return _page(list(session.execute(stmt)), params.limit, lambda row: (row[0].id,))


def statuses_page(
    session: Session, params: ListParams, *, now: dt.datetime, expiring_within_days: int
) -> Page:
    staff_id = None
    if params.employee_number is not None:
        staff_id = get_staff_by_employee_number(session, params.employee_number).id
    flt = StatusFilter(
        unit_path=_unit_prefix(session, params),
        staff_id=staff_id,
        competence_id=None
        if params.competence is None
        else get_competence_by_code(session, params.competence).id,
        statuses=params.statuses,
        changed_since=params.changed_since,
        after=(params.after[0], params.after[1]) if params.after is not None else None,
    )
    rows = competence_statuses(
        session, now=now, expiring_within_days=expiring_within_days, flt=flt, limit=params.limit + 1
    )

    def key(row: StatusRow) -> tuple[int, ...]:
        return (row.staff_id, row.competence_id)

    return _page(rows, params.limit, key)
