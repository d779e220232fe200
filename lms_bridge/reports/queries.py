"""What the supervisor reports show, computed from the register's status rule (register/status.py).

Nothing here decides a status: `status_counts` and `competence_statuses` do. This module shapes their
answers into a unit's overview (summary per competence and per sub-unit, a page of the people ×
competences matrix), the lists of missing / expiring / expired competences, a person's transcript and the
trend of the completion rate. Every function takes a unit the caller has already checked is in the
viewer's scope (lms_bridge.reports.scope).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from lms_bridge.catalog.models import Competence, Course
from lms_bridge.catalog.service import courses_by_competence, list_competences
from lms_bridge.register.models import OrgUnit, Staff
from lms_bridge.register.service import TranscriptRow, transcript
from lms_bridge.register.status import (
    STATUSES,
    StatusFilter,
    StatusRow,
    competence_statuses,
    status_cells,
    status_counts,
    valid_share_over_time,
)

PAGE_SIZE = 50
__all__ = ["STATUSES"]  # the views offer the status filter's values
SORTS = ("name", "unit", "job_title")
PROBLEMS = ("missing", "expiring", "expired")
LIST_KINDS = ("missing", "expiring", "expired")
EXPIRING_WINDOWS = (30, 60, 90)


@dataclass(frozen=True)
class Filters:
    job_title: str | None = None
    status: str | None = None  # one of STATUSES, or "problem": missing, expiring or expired
    sort: str = "name"
    page: int = 1

    def statuses(self) -> tuple[str, ...] | None:
        if self.status == "problem":
            return PROBLEMS
        return (self.status,) if self.status in STATUSES else None


@dataclass
class Summary:
    """Counts of a set of (person, competence) pairs by status, and the completion rate of the required."""

    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(STATUSES, 0))
    required: int = 0
    held_required: int = 0  # valid or expiring among the required

    def add(self, status: str, required: bool, people: int) -> None:
        self.counts[status] += people
        if required:
            self.required += people
            if status in ("valid", "expiring"):
                self.held_required += people

    @property
    def rate(self) -> float | None:
        """Completion rate in per cent, or None when nothing is required."""
        return None if not self.required else 100 * self.held_required / self.required


@dataclass(frozen=True)
class ChildRow:
    unit: OrgUnit
    people: int
    summary: Summary


@dataclass(frozen=True)
class PersonRow:
    staff: Staff
    unit_name: str
    cells: dict[int, StatusRow]  # by competence id


@dataclass(frozen=True)
class Overview:
    unit: OrgUnit
    trail: list[OrgUnit]  # from the viewer's top unit down to this one
    competences: list[Competence]
    by_competence: dict[int, Summary]
    total: Summary
    children: list[ChildRow]
    people: list[PersonRow]
    people_total: int
    filters: Filters
    pages: int
    job_titles: list[str]

    @property
    def people_in_unit(self) -> int:
        """Everyone in the subtree (with the job title filter): each has one status per competence."""
        return sum(self.total.counts.values()) // (len(self.competences) or 1)


def _subtree(unit: OrgUnit) -> StatusFilter:
    return StatusFilter(unit_path=unit.path)


def unit_overview(
    session: Session,
    unit: OrgUnit,
    *,
    trail: list[OrgUnit],
    now: dt.datetime,
    expiring_within_days: int,
    filters: Filters,
) -> Overview:
    """The unit's summary, its sub-units and one page of its people (sorted and filtered)."""
    competences = list_competences(session)
    flt = StatusFilter(unit_path=unit.path, job_title=filters.job_title)
    children = list(
        session.scalars(select(OrgUnit).where(OrgUnit.parent_id == unit.id, OrgUnit.active.is_(True)))
    )
    child_of = _child_of(session, unit, children)
    by_competence = {c.id: Summary() for c in competences}
    by_child = {c.id: Summary() for c in children}
    total = Summary()
    for count in status_counts(session, now=now, expiring_within_days=expiring_within_days, flt=flt):
        by_competence[count.competence_id].add(count.status, count.required, count.people)
        total.add(count.status, count.required, count.people)
        child = child_of.get(count.unit_id)
        if child is not None:
            by_child[child].add(count.status, count.required, count.people)
    per_person = len(competences) or 1
    child_rows = sorted(
        (ChildRow(c, sum(by_child[c.id].counts.values()) // per_person, by_child[c.id]) for c in children),
        key=lambda row: row.unit.name,
    )
    people_total, page_rows = _people_page(session, unit, filters, now, expiring_within_days)
    return Overview(
        unit=unit,
        trail=trail,
        competences=competences,
        by_competence=by_competence,
        total=total,
        children=child_rows,
        people=page_rows,
        people_total=people_total,
        filters=filters,
        pages=max(1, math.ceil(people_total / PAGE_SIZE)),
        job_titles=job_titles(session, unit),
    )


def _child_of(session: Session, unit: OrgUnit, children: list[OrgUnit]) -> dict[int, int]:
    """Each unit id of the subtree (but the unit itself) → the id of the child it belongs under."""
    result: dict[int, int] = {}
    prefixes = [(child.path, child.id) for child in children]
    for unit_id, path in session.execute(
        select(OrgUnit.id, OrgUnit.path).where(OrgUnit.path.startswith(unit.path, autoescape=True))
    ):
        for prefix, child_id in prefixes:
            if path.startswith(prefix):
                result[unit_id] = child_id
                break
    return result


def job_titles(session: Session, unit: OrgUnit) -> list[str]:
    return list(
        session.scalars(
            select(Staff.job_title)
            .distinct()
            .join(OrgUnit, OrgUnit.id == Staff.unit_id)
            .where(Staff.active.is_(True), OrgUnit.path.startswith(unit.path, autoescape=True))
            .order_by(Staff.job_title)
        )
    )


def _people_select(unit: OrgUnit, filters: Filters, matching: set[int] | None) -> Select[Staff, str]:
    conditions = [Staff.active.is_(True), OrgUnit.path.startswith(unit.path, autoescape=True)]
    if filters.job_title:
        conditions.append(Staff.job_title == filters.job_title)
    if matching is not None:
        conditions.append(Staff.id.in_(matching))
    return select(Staff, OrgUnit.name).join(OrgUnit, OrgUnit.id == Staff.unit_id).where(*conditions)


_ORDER = {
    "name": (Staff.last_name, Staff.first_name, Staff.employee_number),
    "unit": (OrgUnit.name, Staff.last_name, Staff.first_name, Staff.employee_number),
    "job_title": (Staff.job_title, Staff.last_name, Staff.first_name, Staff.employee_number),
}


def _matching_people(
    session: Session, unit: OrgUnit, filters: Filters, now: dt.datetime, expiring_within_days: int
) -> set[int] | None:
    """The people with a competence in the chosen status (None: no status filter)."""
    statuses = filters.statuses()
    if statuses is None:
        return None
    rows = competence_statuses(
        session,
        now=now,
        expiring_within_days=expiring_within_days,
        flt=StatusFilter(unit_path=unit.path, job_title=filters.job_title, statuses=statuses),
    )
    return {row.staff_id for row in rows}


def _people_page(
    session: Session, unit: OrgUnit, filters: Filters, now: dt.datetime, expiring_within_days: int
) -> tuple[int, list[PersonRow]]:
    matching = _matching_people(session, unit, filters, now, expiring_within_days)
    base = _people_select(unit, filters, matching)
    total = session.scalar(select(func.count()).select_from(base.subquery())) or 0
    page = max(1, filters.page)
    people = session.execute(
        base.order_by(*_ORDER.get(filters.sort, _ORDER["name"]))
        .offset((page - 1) * PAGE_SIZE)
        .limit(PAGE_SIZE)
    ).all()
    return total, _person_rows(session, people, now, expiring_within_days)


def _person_rows(
    session: Session, people: Sequence[Any], now: dt.datetime, expiring_within_days: int
) -> list[PersonRow]:
    if not people:
        return []
    cells: dict[int, dict[int, StatusRow]] = {}
    for row in competence_statuses(
        session,
        now=now,
        expiring_within_days=expiring_within_days,
        flt=StatusFilter(staff_ids=[staff.id for staff, _name in people]),
    ):
        cells.setdefault(row.staff_id, {})[row.competence_id] = row
    return [PersonRow(staff, unit_name, cells.get(staff.id, {})) for staff, unit_name in people]


@dataclass(frozen=True)
class MatrixLine:
    """A person's row of an exported matrix: who, where, and the status of each competence."""

    employee_number: str
    last_name: str
    first_name: str
    unit_name: str
    job_title: str
    statuses: dict[int, str]  # by competence id


def matrix_rows(
    session: Session, unit: OrgUnit, *, filters: Filters, now: dt.datetime, expiring_within_days: int
) -> list[MatrixLine]:
    """Every person of the overview's filtered matrix (all pages), for exports: columns, not objects, since
    a region has 30,000 people."""
    matching = _matching_people(session, unit, filters, now, expiring_within_days)
    people = _people_select(unit, filters, matching).with_only_columns(
        Staff.id,
        Staff.employee_number,
        Staff.last_name,
        Staff.first_name,
        OrgUnit.name,
        Staff.job_title,
        maintain_column_froms=True,
    )
    statuses: dict[int, dict[int, str]] = {}
    for staff_id, competence_id, status in status_cells(
        session,
        now=now,
        expiring_within_days=expiring_within_days,
        flt=StatusFilter(unit_path=unit.path, job_title=filters.job_title),
    ):
        statuses.setdefault(staff_id, {})[competence_id] = status
    return [
        MatrixLine(number, last, first, unit_name, title, statuses.get(staff_id, {}))
        for staff_id, number, last, first, unit_name, title in session.execute(
            people.order_by(*_ORDER.get(filters.sort, _ORDER["name"]))
        )
    ]


# ------------------------------------------------------------------------------------------ lists


@dataclass(frozen=True)
class ListRow:
    staff: Staff
    unit_name: str
    competence: Competence
    status: StatusRow
    courses: list[Course]


def status_list(
    session: Session, unit: OrgUnit, *, kind: str, within_days: int, now: dt.datetime, job_title: str | None
) -> list[ListRow]:
    """The people of the subtree whose competence is `kind` (missing, expiring within `within_days`, or
    expired), each with their unit and the courses that grant the competence; by name."""
    rows = competence_statuses(
        session,
        now=now,
        expiring_within_days=within_days,
        flt=StatusFilter(unit_path=unit.path, job_title=job_title, statuses=(kind,)),
    )
    if not rows:
        return []
    people = {
        staff.id: (staff, name)
        for staff, name in session.execute(
            select(Staff, OrgUnit.name)
            .join(OrgUnit, OrgUnit.id == Staff.unit_id)
            .where(Staff.id.in_({row.staff_id for row in rows}))
        )
    }
    competences = {c.id: c for c in list_competences(session)}
    courses = courses_by_competence(session)
    result = [
        ListRow(
            people[row.staff_id][0],
            people[row.staff_id][1],
            competences[row.competence_id],
            row,
            courses.get(row.competence_id, []),
        )
        for row in rows
    ]
    result.sort(
        key=lambda r: (r.staff.last_name, r.staff.first_name, r.staff.employee_number, r.competence.code)
    )
    return result


# ------------------------------------------------------------------------------------------ a person


@dataclass(frozen=True)
class Transcript:
    staff: Staff
    unit: OrgUnit
    statuses: list[tuple[Competence, StatusRow]]
    records: list[TranscriptRow]
    courses: dict[int, Course]


def person_transcript(
    session: Session, staff: Staff, unit: OrgUnit, *, now: dt.datetime, expiring_within_days: int
) -> Transcript:
    competences = {c.id: c for c in list_competences(session)}
    statuses = [
        (competences[row.competence_id], row)
        for row in competence_statuses(
            session,
            now=now,
            expiring_within_days=expiring_within_days,
            flt=StatusFilter(staff_id=staff.id, include_inactive=True),
        )
    ]
    records = transcript(session, staff.id)
    course_ids = {r.course_id for r in records if r.course_id is not None}
    courses = {c.id: c for c in session.scalars(select(Course).where(Course.id.in_(course_ids)))}
    return Transcript(staff, unit, statuses, records, courses)


# ------------------------------------------------------------------------------------------ the trend


def month_ends(now: dt.datetime, months: int) -> list[dt.datetime]:
    """The last `months` month ends before now, oldest first, and now itself."""
    moments = [now]
    year, month = now.year, now.month
    for _ in range(months - 1):
        first = dt.datetime(year, month, 1, tzinfo=dt.UTC)
        moments.append(first - dt.timedelta(seconds=1))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return list(reversed(moments))


@dataclass(frozen=True)
class TrendPoint:
    moment: dt.datetime
    held: int
    required: int

    @property
    def rate(self) -> float | None:
        return None if not self.required else 100 * self.held / self.required


def completion_trend(
    session: Session, unit: OrgUnit, *, now: dt.datetime, months: int = 12
) -> list[TrendPoint]:
    return [
        TrendPoint(moment, held, required)
        for moment, held, required in valid_share_over_time(
            session, unit_path=unit.path, moments=month_ends(now, months)
        )
    ]
