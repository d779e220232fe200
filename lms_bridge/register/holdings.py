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
from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import ColumnElement, FromClause, Select, case, delete, exists, func, insert, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, aliased

from lms_bridge.register.models import Completion, Holding

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
    stmt = postgresql.insert(Holding) if dialect == "postgresql" else sqlite.insert(Holding)
    current, new = Holding.__table__.c, stmt.excluded
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


def add_to_holdings(session: Session, records: Iterable[Mapping[str, Any]]) -> None:
    """Merge newly inserted, effective completions (staff_id, competence_id, completed_at, expires_at,
    recorded_at) into their holdings."""
    merged: dict[tuple[int, int], dict[str, Any]] = {}
    for r in records:
        key = (r["staff_id"], r["competence_id"])
        row = merged.get(key)
        if row is None:
            merged[key] = {
                "staff_id": key[0],
                "competence_id": key[1],
                "completed_at": r["completed_at"],
                "expires_at": r["expires_at"],
                "permanent": r["expires_at"] is None,
                "last_recorded_at": r["recorded_at"],
            }
            continue
        # one statement may not update a row twice (PostgreSQL): merge a pair's records here first
        row["completed_at"] = max(row["completed_at"], r["completed_at"])
        if r["expires_at"] is None:
            row["permanent"] = True
        elif row["expires_at"] is None or r["expires_at"] > row["expires_at"]:
            row["expires_at"] = r["expires_at"]
        row["last_recorded_at"] = max(row["last_recorded_at"], r["recorded_at"])
    if merged:
        session.execute(_merge(_dialect(session)), list(merged.values()))


def merge_inserted(inserted: FromClause) -> Any:
    """PostgreSQL: the holdings upsert fed by a data-modifying CTE of inserted completions (one statement)."""
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
        ).group_by(c.staff_id, c.competence_id),
    )


def recompute_holding(session: Session, *, staff_id: int, competence_id: int) -> None:
    """Recompute one pair's holding from its completions (after a correction removed a record)."""
    pair = (Holding.staff_id == staff_id, Holding.competence_id == competence_id)
    # On PostgreSQL the DELETE waits for a concurrent writer holding the row lock, so the next statement's
    # snapshot includes that writer's completion. A writer that inserts the pair after the DELETE is
    # merged into (or merges into) the recomputed row: it only adds a record, so merging is exact.
    session.execute(delete(Holding).where(*pair))
    recomputed = held_aggregate(Completion.staff_id == staff_id, Completion.competence_id == competence_id)
    session.execute(_merge(_dialect(session)).from_select(list(_COLUMNS), recomputed))


def rebuild_holdings(session: Session) -> int:
    """Recompute every holding from the completions; returns how many there are."""
    session.execute(delete(Holding))
    session.execute(insert(Holding).from_select(list(_COLUMNS), held_aggregate()))
    return session.scalar(select(func.count()).select_from(Holding)) or 0
