"""Competence status: valid / expiring / expired / missing / not_required, computed in one SQL query.

`status_select` is the one place the rule lives. It serves one person, a unit subtree, a competence, or a
page of the API, always as a single statement:

- a competence is *held* when the person has an effective completion of it (not superseded by a
  correction, not voided); the latest expiry of those counts, and one without expiry never expires.
  The writers keep that per (person, competence) in the `holding` table (`holdings.py` defines it);
- held: expired when that expiry has passed, expiring when it falls within `expiring_within_days`,
  otherwise valid — also when the competence is not required;
- not held: missing when a requirement applies (the person's job title, a unit on their path, or both),
  otherwise not_required.

Speed (issue 4: a 2,000-person subtree, 24,000 rows, in under 100 ms on PostgreSQL): the statement reads
the subtree's people once, their holdings by primary key, and tests requirements once per (unit, job
title) rather than per person; `competence_statuses` builds rows with no per-value Python work.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, NamedTuple, cast

import sqlalchemy as sa
from sqlalchemy import (
    Boolean,
    ColumnElement,
    Integer,
    Select,
    and_,
    case,
    func,
    or_,
    select,
    true,
    type_coerce,
)
from sqlalchemy.orm import Session, aliased

from lms_bridge.catalog.models import Competence
from lms_bridge.db import UTCDateTime
from lms_bridge.register.models import Completion, Holding, OrgUnit, Requirement, Staff

if TYPE_CHECKING:
    import psycopg
    from psycopg.rows import RowMaker

STATUSES = ("valid", "expiring", "expired", "missing", "not_required")


class StatusRow(NamedTuple):
    # A NamedTuple, not a dataclass: a subtree's 24,000 rows are built with the C-level tuple constructor
    # (`_make`), where a frozen dataclass's __init__ cost more than running the query.
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
    staff_ids: Collection[int] | None = None  # a page of people (reports)
    job_title: str | None = None
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
    if flt.staff_ids is not None:
        conditions.append(Staff.id.in_(list(flt.staff_ids)))
    if flt.job_title is not None:
        conditions.append(Staff.job_title == flt.job_title)
    if flt.after is not None:
        # implied by the keyset condition below; here it also narrows the holdings and requirements read
        conditions.append(Staff.id >= flt.after[0])
    return conditions


def status_select(
    *, now: dt.datetime, expiring_within_days: int, flt: StatusFilter, limit: int | None = None
) -> Select[Any]:
    """The statement computing StatusRow columns for every (person, competence) pair the filter selects."""
    # The people, once: the pairs, their holdings and their requirements all start from them.
    people_select = (
        select(
            Staff.id,
            Staff.employee_number,
            Staff.unit_id,
            Staff.job_title,
            Staff.updated_at,
            OrgUnit.code.label("unit_code"),
            OrgUnit.path,
        )
        .join(OrgUnit, Staff.unit_id == OrgUnit.id)
        .where(*_people(flt))
    )
    if limit is not None and not flt.statuses and flt.changed_since is None:
        # A page of an API list over a large subtree: without a status or change filter every person has a
        # row per competence, so the first `limit` rows after the cursor come from the next `limit + 1`
        # people (the cursor's own person may have none left) - no need to pair up the whole subtree.
        people_select = people_select.order_by(Staff.id).limit(limit + 1)
    people = people_select.cte("people")
    person = people.c

    # Only these people's holdings, read by primary key: joining the pairs to the whole table would read
    # every person's holdings (a 2,000-person subtree of 30,000 people: 20,000 of 270,000 rows).
    held_conditions: list[ColumnElement[bool]] = [Holding.staff_id.in_(select(person.id))]
    if flt.competence_id is not None:
        held_conditions.append(Holding.competence_id == flt.competence_id)
    held = select(Holding).where(*held_conditions).subquery("held")

    # Requirements by (unit, job title): a subtree has a few dozen such groups, so each requirement is
    # tested against those instead of against every person (2,000 people x 40 requirements).
    group = select(person.unit_id, person.job_title, person.path).distinct().subquery("grp")
    required = _required(group)

    conditions: list[ColumnElement[bool]] = []
    if flt.competence_id is not None:
        conditions.append(Competence.id == flt.competence_id)
    if flt.after is not None:
        staff_id, competence_id = flt.after
        conditions.append(
            or_(person.id > staff_id, and_(person.id == staff_id, Competence.id > competence_id))
        )
    # The pairs with what the status needs; the requirement test is evaluated once per pair here.
    pairs = (
        select(
            person.id.label("staff_id"),
            person.employee_number,
            person.unit_code,
            Competence.id.label("competence_id"),
            Competence.code.label("competence_code"),
            required.c.unit_id.is_not(None).label("required"),
            held.c.staff_id.is_not(None).label("held"),
            held.c.permanent,
            held.c.completed_at,
            held.c.expires_at.label("max_expires_at"),
            held.c.last_recorded_at,
            person.updated_at,
        )
        .select_from(people)
        .join(Competence, true())
        .outerjoin(held, and_(held.c.staff_id == person.id, held.c.competence_id == Competence.id))
        .outerjoin(
            required,
            and_(
                required.c.unit_id == person.unit_id,
                required.c.job_title == person.job_title,
                required.c.competence_id == Competence.id,
            ),
        )
        .where(*conditions)
        .subquery("pairs")
    )
    p = pairs.c
    soon = now + dt.timedelta(days=expiring_within_days)
    status = case(
        (~p.held, _not_held_status(p.required)),
        else_=_held_status(p.permanent, p.max_expires_at, now=now, soon=soon),
    )
    expires_at = type_coerce(case((p.permanent, None), else_=p.max_expires_at), UTCDateTime())
    outer: list[ColumnElement[bool]] = []
    if flt.statuses:
        outer.append(status.in_(list(flt.statuses)))
    if flt.changed_since is not None:
        outer.append(or_(p.last_recorded_at >= flt.changed_since, p.updated_at >= flt.changed_since))
    stmt = (
        select(
            p.staff_id,
            p.employee_number,
            p.unit_code,
            p.competence_id,
            p.competence_code,
            status.label("status"),
            # SQLite answers IS NOT NULL with 0/1
            type_coerce(p.required, Boolean()).label("required"),
            p.completed_at,
            expires_at.label("expires_at"),
            p.last_recorded_at,
        )
        .where(*outer)
        .order_by(p.staff_id, p.competence_id)
    )
    return stmt if limit is None else stmt.limit(limit)


def _required(group: Any) -> Any:
    """(unit_id, job_title, competence_id) for each group of the people that a requirement applies to:
    the job title's, a unit's on the group's path, or both."""
    req_unit = aliased(OrgUnit)
    return (
        select(group.c.unit_id, group.c.job_title, Requirement.competence_id)
        .distinct()
        .select_from(group)
        .join(Requirement, or_(Requirement.job_title.is_(None), Requirement.job_title == group.c.job_title))
        .outerjoin(req_unit, Requirement.unit_id == req_unit.id)
        .where(or_(Requirement.unit_id.is_(None), group.c.path.startswith(req_unit.path)))
        .subquery("required")
    )


def _held_status(permanent: Any, expires_at: Any, *, now: dt.datetime, soon: dt.datetime) -> Any:
    """The status of a held competence: its latest expiry against now (one permanent record: valid)."""
    return case(
        (permanent, "valid"),
        (expires_at <= now, "expired"),
        (expires_at <= soon, "expiring"),
        else_="valid",
    )


def _not_held_status(required: Any) -> Any:
    return case((required, "missing"), else_="not_required")


class StatusCount(NamedTuple):
    unit_id: int
    competence_id: int
    status: str
    required: bool
    people: int


def status_counts(
    session: Session, *, now: dt.datetime, expiring_within_days: int, flt: StatusFilter
) -> list[StatusCount]:
    """How many people of each unit have each status of each competence — the same rule as
    `status_select`, counted by (unit, job title) groups instead of pairing every person.

    For a whole region (30,000 people x 12 competences) this reads the people once and the holdings once,
    and never builds the 360,000 pairs: the people who hold nothing are the group's size minus those who
    hold something.
    """
    soon = now + dt.timedelta(days=expiring_within_days)
    people_filter = _people(flt)
    groups = (
        select(Staff.unit_id, Staff.job_title, OrgUnit.path, func.count().label("n"))
        .join(OrgUnit, Staff.unit_id == OrgUnit.id)
        .where(*people_filter)
        .group_by(Staff.unit_id, Staff.job_title, OrgUnit.path)
        .subquery("groups")
    )
    required = _required(groups)
    held_status = _held_status(Holding.permanent, Holding.expires_at, now=now, soon=soon)
    held = (
        select(
            Staff.unit_id,
            Staff.job_title,
            Holding.competence_id,
            held_status.label("status"),
            func.count().label("n"),
        )
        .join(Staff, Staff.id == Holding.staff_id)
        .join(OrgUnit, Staff.unit_id == OrgUnit.id)
        .where(*people_filter)
        .group_by(Staff.unit_id, Staff.job_title, Holding.competence_id, held_status)
        .cte("held")  # read twice below: a CTE is computed once
    )
    held_total = (
        select(held.c.unit_id, held.c.job_title, held.c.competence_id, func.sum(held.c.n).label("n"))
        .group_by(held.c.unit_id, held.c.job_title, held.c.competence_id)
        .subquery("held_total")
    )
    is_required = required.c.competence_id.is_not(None)

    def requirement_join(target: Any) -> Any:
        return and_(
            required.c.unit_id == target.c.unit_id,
            required.c.job_title == target.c.job_title,
            required.c.competence_id == target.c.competence_id,
        )

    held_rows = select(
        held.c.unit_id,
        held.c.competence_id,
        held.c.status,
        type_coerce(is_required, Boolean()).label("required"),
        held.c.n,
    ).outerjoin(required, requirement_join(held))
    pairs = select(
        groups.c.unit_id, groups.c.job_title, groups.c.n, Competence.id.label("competence_id")
    ).join(Competence, true())
    if flt.competence_id is not None:
        pairs = pairs.where(Competence.id == flt.competence_id)
    pair = pairs.subquery("pair")
    not_held = func.coalesce(held_total.c.n, 0)
    not_held_rows = (
        select(
            pair.c.unit_id,
            pair.c.competence_id,
            _not_held_status(is_required).label("status"),
            type_coerce(is_required, Boolean()).label("required"),
            (pair.c.n - not_held).label("n"),
        )
        .outerjoin(
            held_total,
            and_(
                held_total.c.unit_id == pair.c.unit_id,
                held_total.c.job_title == pair.c.job_title,
                held_total.c.competence_id == pair.c.competence_id,
            ),
        )
        .outerjoin(required, requirement_join(pair))
        .where(pair.c.n - not_held > 0)
    )
    both = held_rows.union_all(not_held_rows).subquery("counted")
    stmt = select(
        both.c.unit_id,
        both.c.competence_id,
        both.c.status,
        both.c.required,
        sa.cast(func.sum(both.c.n), Integer),  # an integer, not PostgreSQL's numeric: no Decimal per row
    ).group_by(both.c.unit_id, both.c.competence_id, both.c.status, both.c.required)
    if flt.competence_id is not None:
        stmt = stmt.where(both.c.competence_id == flt.competence_id)
    # A region's holdings are a few hundred thousand rows: below the planner's default thresholds for a
    # parallel scan, yet scanning and grouping them in two workers takes a quarter less time.
    connection = _tuned_connection(session, parallel=True)
    return [StatusCount(u, c, s, bool(r), n) for u, c, s, r, n in connection.execute(stmt).all()]


def required_pairs(unit_path: str) -> Select[Any]:
    """(staff_id, competence_id) of every requirement that applies to an active person of the subtree."""
    people = (
        select(Staff.id, Staff.unit_id, Staff.job_title, OrgUnit.path)
        .join(OrgUnit, Staff.unit_id == OrgUnit.id)
        .where(*_people(StatusFilter(unit_path=unit_path)))
        .subquery("people")
    )
    group = select(people.c.unit_id, people.c.job_title, people.c.path).distinct().subquery("grp")
    required = _required(group)
    return select(people.c.id.label("staff_id"), required.c.competence_id).join(
        required, and_(required.c.unit_id == people.c.unit_id, required.c.job_title == people.c.job_title)
    )


def valid_share_over_time(
    session: Session, *, unit_path: str, moments: Sequence[dt.datetime]
) -> list[tuple[dt.datetime, int, int]]:
    """For each moment: (moment, required pairs held validly then, required pairs) for today's active
    people of the subtree and today's requirements. A pair is held validly at t when an effective record
    (not voided, not superseded) was completed by t and had not expired at t."""
    pairs = required_pairs(unit_path).subquery("pairs")
    total = session.scalar(select(func.count()).select_from(pairs)) or 0
    correction = aliased(Completion)
    result = []
    for moment in moments:
        valid_then = (
            select(Completion.staff_id, Completion.competence_id)
            .distinct()
            .join(
                pairs,
                and_(
                    pairs.c.staff_id == Completion.staff_id, pairs.c.competence_id == Completion.competence_id
                ),
            )
            .outerjoin(correction, correction.supersedes_id == Completion.id)
            .where(
                correction.id.is_(None),
                Completion.voided.is_(False),
                Completion.completed_at <= moment,
                or_(Completion.expires_at.is_(None), Completion.expires_at > moment),
            )
            .subquery("valid_then")
        )
        held = session.scalar(select(func.count()).select_from(valid_then))
        result.append((moment, int(held or 0), int(total)))
    return result


# PostgreSQL, per transaction: JIT compiling this statement takes ~1 s, far more than running it (tens of
# ms) - it pays off for long analytics, not for a status page; the aggregations and the sort stay in
# memory; and in UTC, psycopg returns the timestamps as the aware UTC datetimes UTCDateTime would make
# (tzinfo datetime.timezone.utc), so the rows need no per-value conversion in Python.
_PARALLEL_SETTINGS = (
    "; SET LOCAL parallel_setup_cost = 0; SET LOCAL parallel_tuple_cost = 0; "
    "SET LOCAL min_parallel_table_scan_size = 0"
)
_POSTGRESQL_SETTINGS = "SET LOCAL jit = off; SET LOCAL work_mem = '32MB'; SET LOCAL TimeZone = 'UTC'"


def _tuned_connection(session: Session, *, parallel: bool = False) -> sa.Connection:
    """The session's connection, with the settings above for this transaction on PostgreSQL."""
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql(_POSTGRESQL_SETTINGS + (_PARALLEL_SETTINGS if parallel else ""))
    return connection


def competence_statuses(
    session: Session,
    *,
    now: dt.datetime,
    expiring_within_days: int,
    flt: StatusFilter,
    limit: int | None = None,
) -> list[StatusRow]:
    """Status rows for the filter, ordered by (staff id, competence id); one query."""
    stmt = status_select(now=now, expiring_within_days=expiring_within_days, flt=flt, limit=limit)
    connection = _tuned_connection(session)
    if connection.dialect.name != "postgresql":
        return list(map(StatusRow._make, connection.execute(stmt)))
    result = connection.execute(stmt)
    try:
        # psycopg makes each StatusRow from its values as they are (see _POSTGRESQL_SETTINGS): SQLAlchemy's
        # per-value result processing was a third of the time for a 2,000-person subtree, and a second
        # list of 24,000 intermediate tuples costs another 10 ms.
        cursor = cast("psycopg.Cursor[StatusRow]", result.cursor)
        cursor.row_factory = _status_row_maker
        return cursor.fetchall()
    finally:
        result.close()


def status_cells(
    session: Session, *, now: dt.datetime, expiring_within_days: int, flt: StatusFilter
) -> list[tuple[int, int, str]]:
    """(staff id, competence id, status) for the filter: the status alone, for a whole region's matrix.

    The same statement as `competence_statuses`, but only three columns leave the database: an export of
    30,000 people x 12 competences spent more than half its time turning the three timestamps of 350,000
    rows into datetimes it never showed."""
    rows = status_select(now=now, expiring_within_days=expiring_within_days, flt=flt).subquery("status")
    result = _tuned_connection(session).execute(select(rows.c.staff_id, rows.c.competence_id, rows.c.status))
    return cast("list[tuple[int, int, str]]", result.all())


def _status_row_maker(_cursor: Any) -> RowMaker[StatusRow]:
    """A psycopg row factory (https://www.psycopg.org/psycopg3/docs/advanced/rows.html)."""
    return StatusRow._make
