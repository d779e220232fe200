"""Holdings: per (person, competence), what the effective completions add up to; kept by the writers.

`held_aggregate` is the definition: a completion is *effective* when it is not voided and no correction
supersedes it; a person holds a competence while one of their completions of it is effective, and the
holding carries the latest completion, the latest expiry, whether one record never expires and the newest
recorded_at. `status.py` applies the status rule to these rows.

Completions stay authoritative and append-only; the `holding` table is derived from them by the
completion writers in `service.py`, in the same transaction as the completion:

- a new completion only adds to the effective set, so it is *merged*: an upsert taking the later of each
  date and OR-ing `permanent`. The merge commutes, so concurrent writers of the same pair need no lock
  beyond the row lock `ON CONFLICT DO UPDATE` takes;
- a correction removes a record from the effective set (and may add one), which a max cannot undo, so the
  pair is *recomputed* from its completions (a few indexed rows).

`rebuild_holdings` recomputes the whole table (`lms-bridge completions rebuild-holdings`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from functools import cache
from typing import Any, cast

from sqlalchemy import (
    ColumnElement,
    FromClause,
    Integer,
    Select,
    Table,
    bindparam,
    case,
    delete,
    exists,
    func,
    insert,
    select,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, aliased

from lms_bridge.register.models import Completion, Holding

_TABLE = cast(Table, Holding.__table__)
# New holdings go in in primary-key order: a person's ~10 rows then share a page or two, so the status
# query's index scans read a third of the pages they read when rows came in hash-aggregate order.
_PAIR = (Completion.staff_id, Completion.competence_id)
_COLUMNS = ("staff_id", "competence_id", "completed_at", "expires_at", "permanent", "last_recorded_at")


def held_aggregate(
    *conditions: ColumnElement[bool],
) -> Select[int, int, dt.datetime, dt.datetime | None, bool, dt.datetime]:
    """Holding rows computed from scratch from the effective completions matching the conditions."""
    successor = aliased(Completion)
    return (
        select(
            Completion.staff_id,
            Completion.competence_id,
            func.max(Completion.completed_at),
            func.max(Completion.expires_at),
            # fewer expiring records than records: one of them never expires
            func.count(Completion.expires_at) < func.count(),
            func.max(Completion.recorded_at),
        )
        .where(
            Completion.voided.is_(False),
            # the IS NOT NULL lets PostgreSQL read only the few corrections, not hash every completion
            ~exists().where(successor.supersedes_id.is_not(None), successor.supersedes_id == Completion.id),
            *conditions,
        )
        .group_by(Completion.staff_id, Completion.competence_id)
    )


def _later(current: ColumnElement[Any], new: ColumnElement[Any]) -> ColumnElement[Any]:
    # NULL means "none" here; CASE rather than GREATEST/max() keeps that meaning on both databases
    # (PostgreSQL's GREATEST skips NULLs, SQLite's two-argument max() returns NULL).
    return case((current.is_(None), new), (new > current, new), else_=current)


def _merge(dialect: str) -> Any:
    """INSERT INTO holding ... ON CONFLICT DO UPDATE keeping the later dates: adds records to a holding."""
    # the Table, not the mapped class: with a list of rows an ORM-enabled INSERT takes the ORM bulk path,
    # which ran an upsert per row and doubled the time of a 100,000-row import
    stmt = postgresql.insert(_TABLE) if dialect == "postgresql" else sqlite.insert(_TABLE)
    current, new = _TABLE.c, stmt.excluded
    return stmt.on_conflict_do_update(
        index_elements=[current.staff_id, current.competence_id],
        set_={
            "completed_at": _later(current.completed_at, new.completed_at),
            "expires_at": _later(current.expires_at, new.expires_at),
            "permanent": current.permanent | new.permanent,
            "last_recorded_at": _later(current.last_recorded_at, new.last_recorded_at),
        },
    )


def _dialect(session: Session) -> str:
    return session.get_bind().dialect.name


# The statements of the per-record paths are built once per database, with bound parameters: building
# them on every call (an aliased entity, then a cache key) took longer than running them and halved
# record_completion's throughput.


@cache
def _merge_new(dialect: str) -> Any:
    new = held_aggregate(Completion.id.in_(bindparam("completion_ids", expanding=True)))
    return _merge(dialect).from_select(list(_COLUMNS), new.order_by(*_PAIR))


@cache
def _recompute(dialect: str) -> tuple[Any, Any]:
    staff_id, competence_id = bindparam("staff_id", type_=Integer), bindparam("competence_id", type_=Integer)
    recomputed = held_aggregate(Completion.staff_id == staff_id, Completion.competence_id == competence_id)
    return (
        delete(_TABLE).where(_TABLE.c.staff_id == staff_id, _TABLE.c.competence_id == competence_id),
        _merge(dialect).from_select(list(_COLUMNS), recomputed),
    )


def add_to_holdings(session: Session, completion_ids: Collection[int]) -> None:
    """Merge newly inserted completions (effective: nothing supersedes a new record) into their holdings."""
    if completion_ids:
        session.execute(_merge_new(_dialect(session)), {"completion_ids": list(completion_ids)})


def merge_inserted(inserted: FromClause) -> Any:
    """PostgreSQL: the holdings upsert fed by a data-modifying CTE of inserted completions (one statement).

    The aggregation of `held_aggregate`, over the CTE's RETURNING rows: the rest of the statement does not
    see the CTE's rows in the completion table yet.
    """
    c = inserted.c
    return _merge("postgresql").from_select(
        list(_COLUMNS),
        select(
            c.staff_id,
            c.competence_id,
            func.max(c.completed_at),
            func.max(c.expires_at),
            func.count(c.expires_at) < func.count(),
            func.max(c.recorded_at),
        )
        .group_by(c.staff_id, c.competence_id)
        .order_by(c.staff_id, c.competence_id),
    )


def recompute_holding(session: Session, *, staff_id: int, competence_id: int) -> None:
    """Recompute one pair's holding from its completions (after a correction removed a record)."""
    remove, recompute = _recompute(_dialect(session))
    pair = {"staff_id": staff_id, "competence_id": competence_id}
    # On PostgreSQL the DELETE waits for a concurrent writer holding the row lock, so the next statement's
    # snapshot includes that writer's completion. A writer that inserts the pair after the DELETE is
    # merged into (or merges into) the recomputed row: it only adds a record, so merging is exact.
    session.execute(remove, pair)
    session.execute(recompute, pair)


def rebuild_holdings(session: Session) -> int:
    """Recompute every holding from the completions; returns how many there are."""
    session.execute(delete(Holding))
    session.execute(insert(Holding).from_select(list(_COLUMNS), held_aggregate().order_by(*_PAIR)))
    return session.scalar(select(func.count()).select_from(Holding)) or 0
