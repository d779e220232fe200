"""Writes to completions and the lookups they need. `record_completion` is the only writer of completions.

Every path that records a completion (the player, the Moodle sync, CSV imports, the demo generator) ends
here: one event per (source, source_ref), append-only, corrections as superseding records. Each writer
also brings the derived holdings (`holdings.py`) up to date in the same transaction.
"""

from __future__ import annotations

import calendar
import datetime as dt
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, cast

from flask_babel import lazy_gettext as _l
from sqlalchemy import Table, column, select, table, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, aliased

from lms_bridge import signals
from lms_bridge.audit import record_event
from lms_bridge.catalog.models import Competence, Course
from lms_bridge.catalog.service import get_competence_by_code
from lms_bridge.db import REGION_TIMEZONE, utcnow
from lms_bridge.register.errors import CompletionConflict, RegisterError, UnknownRecord
from lms_bridge.register.holdings import add_to_holdings, merge_inserted, recompute_holding
from lms_bridge.register.models import Completion, Staff

logger = logging.getLogger(__name__)

CORRECTION_SOURCE = "correction"
_KEY_CHUNK = 500  # keys per IN (...) lookup; far below SQLite's bound-parameter limit
_INSERT_CHUNK = 5000


@dataclass(frozen=True)
class RecordResult:
    completion: Completion
    created: bool


@dataclass(frozen=True)
class NewCompletion:
    """One completion for the bulk path, with ids already resolved."""

    staff_id: int
    competence_id: int
    completed_at: dt.datetime
    source: str
    source_ref: str
    course_id: int | None = None
    score: Decimal | None = None


@dataclass
class Classified:
    """New rows, rows already recorded with the same data, and rows whose key is recorded with other data."""

    new: list[NewCompletion]
    already_recorded: list[NewCompletion]
    conflicting: list[NewCompletion]


def add_months(moment: dt.datetime, months: int) -> dt.datetime:
    """Calendar months on the Helsinki wall clock (31 Jan + 1 month = 28/29 Feb), returned in UTC."""
    local = moment.astimezone(REGION_TIMEZONE)
    year, month0 = divmod(local.month - 1 + months, 12)
    year += local.year
    day = min(local.day, calendar.monthrange(year, month0 + 1)[1])
    return local.replace(year=year, month=month0 + 1, day=day).astimezone(dt.UTC)


def expiry(completed_at: dt.datetime, validity_months: int | None) -> dt.datetime | None:
    """When a completion stops being valid: completed_at + validity; None = the competence never expires."""
    return None if validity_months is None else add_months(completed_at, validity_months)


def validate_event(
    *, completed_at: dt.datetime, source: str, source_ref: str, score: Decimal | None, now: dt.datetime
) -> None:
    """Check one completion event's own fields; raises RegisterError with a message saying what to fix."""
    if completed_at.tzinfo is None:
        raise RegisterError(_l("Suoritusajasta puuttuu aikavyöhyke."))
    if completed_at > now + dt.timedelta(days=1):
        raise RegisterError(_l("Suorituspäivä on tulevaisuudessa."))
    if not source.strip() or len(source) > 50:
        raise RegisterError(_l("Lähde (source) on pakollinen, enintään 50 merkkiä."))
    if not source_ref.strip() or len(source_ref) > 200:
        raise RegisterError(_l("Lähdetunniste (source_ref) on pakollinen, enintään 200 merkkiä."))
    if score is not None and not Decimal(0) <= score <= Decimal(100):
        raise RegisterError(_l("Pisteiden on oltava välillä 0–100."))


def _find(session: Session, source: str, source_ref: str) -> Completion | None:
    return session.scalars(
        select(Completion).where(Completion.source == source, Completion.source_ref == source_ref)
    ).one_or_none()


def _as_event(completion: Completion) -> NewCompletion:
    return NewCompletion(
        completion.staff_id,
        completion.competence_id,
        completion.completed_at,
        completion.source,
        completion.source_ref,
        completion.course_id,
        completion.score,
    )


def _same_event(a: NewCompletion, b: NewCompletion) -> bool:
    return (
        a.staff_id == b.staff_id
        and a.competence_id == b.competence_id
        and a.completed_at == b.completed_at
        and a.course_id == b.course_id
        and _cents(a.score) == _cents(b.score)
    )


def _cents(score: Decimal | None) -> Decimal | None:
    return None if score is None else Decimal(score).quantize(Decimal("0.01"))


def _existing_or_conflict(existing: Completion, event: NewCompletion) -> RecordResult:
    if not _same_event(_as_event(existing), event):
        raise CompletionConflict(
            _l(
                "Tapahtuma %(source)s/%(ref)s on jo kirjattu eri tiedoin. Korjaa kirjaus korjauksena.",
                source=event.source,
                ref=event.source_ref,
            )
        )
    return RecordResult(existing, created=False)


def record_completion(
    session: Session,
    *,
    staff_id: int,
    competence_code: str,
    completed_at: dt.datetime,
    source: str,
    source_ref: str,
    course_id: int | None = None,
    score: Decimal | None = None,
    recorded_by: str,
) -> RecordResult:
    """Record one completion event once; the same (source, source_ref) again returns the first record.

    Raises RegisterError (bad field), UnknownRecord (staff, competence or course) and CompletionConflict
    (the key is already recorded with other data).
    """
    if source == CORRECTION_SOURCE:
        raise RegisterError(_l("Lähde 'correction' on varattu korjauksille."))
    validate_event(completed_at=completed_at, source=source, source_ref=source_ref, score=score, now=utcnow())
    competence = get_competence_by_code(session, competence_code)
    if session.get(Staff, staff_id) is None:
        raise UnknownRecord(_l("Henkilöä ei löydy."))
    if course_id is not None and session.get(Course, course_id) is None:
        raise UnknownRecord(_l("Kurssia ei löydy."))
    event = NewCompletion(staff_id, competence.id, completed_at, source, source_ref, course_id, score)

    existing = _find(session, source, source_ref)
    if existing is not None:
        return _existing_or_conflict(existing, event)

    completion = Completion(
        staff_id=staff_id,
        competence_id=competence.id,
        course_id=course_id,
        completed_at=completed_at,
        expires_at=expiry(completed_at, competence.validity_months),
        score=score,
        source=source,
        source_ref=source_ref,
        recorded_at=utcnow(),
        recorded_by=recorded_by,
    )
    try:
        # A concurrent writer may insert the same key between our SELECT and INSERT: the unique
        # constraint stops the second one, and the SAVEPOINT keeps the caller's transaction usable.
        with session.begin_nested():
            session.add(completion)
            session.flush()
            add_to_holdings(session, [completion.id])
    except IntegrityError:
        existing = _find(session, source, source_ref)
        if existing is None:
            raise
        logger.info("Completion %s/%s was recorded concurrently; returning it", source, existing.id)
        return _existing_or_conflict(existing, event)
    logger.info(
        "Recorded completion %s (staff %s, competence %s, source %s)",
        completion.id,
        staff_id,
        competence.code,
        source,
    )
    signals.completion_recorded.send(source, session=session, keys=[(source, source_ref)])
    return RecordResult(completion, created=True)


def classify_completions(session: Session, events: Sequence[NewCompletion]) -> Classified:
    """Split events into new, already recorded (same data) and conflicting (same key, other data)."""
    existing: dict[tuple[str, str], NewCompletion] = {}
    by_source: dict[str, list[str]] = {}
    for event in events:
        by_source.setdefault(event.source, []).append(event.source_ref)
    columns = (
        Completion.staff_id,
        Completion.competence_id,
        Completion.completed_at,
        Completion.source,
        Completion.source_ref,
        Completion.course_id,
        Completion.score,
    )
    for source, refs in by_source.items():
        for start in range(0, len(refs), _KEY_CHUNK):
            chunk = refs[start : start + _KEY_CHUNK]
            rows = session.execute(
                select(*columns).where(Completion.source == source, Completion.source_ref.in_(chunk))
            )
            existing.update({(row.source, row.source_ref): NewCompletion(*row) for row in rows})
    result = Classified([], [], [])
    seen: dict[tuple[str, str], NewCompletion] = {}
    for event in events:
        key = (event.source, event.source_ref)
        if key in existing:
            target = result.already_recorded if _same_event(existing[key], event) else result.conflicting
            target.append(event)
        elif key in seen:
            target = result.already_recorded if _same_event(seen[key], event) else result.conflicting
            target.append(event)
        else:
            seen[key] = event
            result.new.append(event)
    return result


def record_completions_bulk(
    session: Session, events: Sequence[NewCompletion], *, recorded_by: str
) -> Classified:
    """The bulk variant of `record_completion` for imports and generated data: same rules, multi-row INSERTs.

    Inserts first (ON CONFLICT DO NOTHING RETURNING the keys) and looks up only the keys that were already
    there, so a large fresh load pays for no lookups. Raises RegisterError (a bad event; nothing written)
    and CompletionConflict (a key recorded with other data; roll the transaction back).
    """
    result = Classified([], [], [])
    unique: dict[tuple[str, str], NewCompletion] = {}
    for event in events:
        key = (event.source, event.source_ref)
        if key not in unique:
            unique[key] = event
        elif _same_event(unique[key], event):
            result.already_recorded.append(event)
        else:
            raise _conflict(event)
    now = utcnow()
    for event in unique.values():
        if event.source == CORRECTION_SOURCE:
            raise RegisterError(_l("Lähde 'correction' on varattu korjauksille."))
        validate_event(
            completed_at=event.completed_at,
            source=event.source,
            source_ref=event.source_ref,
            score=event.score,
            now=now,
        )
    validity = dict(session.execute(select(Competence.id, Competence.validity_months)).all())
    inserted = _insert_ignoring_duplicates(
        session,
        [
            {
                "staff_id": e.staff_id,
                "competence_id": e.competence_id,
                "course_id": e.course_id,
                "completed_at": e.completed_at,
                "expires_at": expiry(e.completed_at, validity[e.competence_id]),
                "score": e.score,
                "source": e.source,
                "source_ref": e.source_ref,
                "recorded_at": now,
                "recorded_by": recorded_by,
                "supersedes_id": None,
                "voided": False,
            }
            for e in unique.values()
        ],
    )
    skipped = [event for key, event in unique.items() if key not in inserted]
    result.new = [event for key, event in unique.items() if key in inserted]
    if skipped:
        existing = classify_completions(session, skipped)
        if existing.conflicting:
            raise _conflict(existing.conflicting[0])
        result.already_recorded += existing.already_recorded
    logger.info(
        "Recorded %s completions in bulk (%s already recorded)", len(result.new), len(result.already_recorded)
    )
    by_source: dict[str, list[tuple[str, str]]] = {}
    for event in result.new:
        by_source.setdefault(event.source, []).append((event.source, event.source_ref))
    for source, keys in by_source.items():
        signals.completion_recorded.send(source, session=session, keys=keys)
    return result


def _conflict(event: NewCompletion) -> CompletionConflict:
    return CompletionConflict(
        _l(
            "Tapahtuma %(source)s/%(ref)s on jo kirjattu eri tiedoin.",
            source=event.source,
            ref=event.source_ref,
        )
    )


_LOAD_COLUMNS = (
    "staff_id",
    "competence_id",
    "course_id",
    "completed_at",
    "expires_at",
    "score",
    "source",
    "source_ref",
    "recorded_at",
    "recorded_by",
    "supersedes_id",
    "voided",
)


def _insert_ignoring_duplicates(session: Session, rows: list[dict[str, Any]]) -> set[tuple[str, str]]:
    """INSERT ... ON CONFLICT (source, source_ref) DO NOTHING; returns the keys actually inserted.

    A row already there, also one a concurrent writer committed a moment ago, is skipped quietly.
    """
    if not rows:
        return set()
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        return _copy_insert_postgresql(session, rows)
    if dialect != "sqlite":  # pragma: no cover - only the two supported databases
        raise RuntimeError(f"unsupported database {dialect}")
    table = cast(Table, Completion.__table__)
    stmt = (
        sqlite.insert(table)
        .on_conflict_do_nothing(index_elements=["source", "source_ref"])
        .returning(table.c.id, table.c.source, table.c.source_ref)
    )
    inserted: set[tuple[str, str]] = set()
    for start in range(0, len(rows), _INSERT_CHUNK):
        # executemany with RETURNING: SQLAlchemy's "insertmanyvalues" sends multi-row VALUES batches
        returned = session.execute(stmt, rows[start : start + _INSERT_CHUNK]).all()
        # only the rows actually inserted: a skipped key may belong to a record since corrected or voided
        add_to_holdings(session, [row[0] for row in returned])
        inserted.update((row[1], row[2]) for row in returned)
    return inserted


def _copy_insert_postgresql(session: Session, rows: list[dict[str, Any]]) -> set[tuple[str, str]]:
    """COPY into a temporary table, then one INSERT ... SELECT ... ON CONFLICT DO NOTHING.

    Multi-row VALUES with named parameters spend most of their time in the driver's query conversion
    (statements of 10,000+ placeholders are not cached); COPY moves a million rows in seconds.
    """
    columns = ", ".join(_LOAD_COLUMNS)
    session.execute(
        text(
            f"CREATE TEMPORARY TABLE IF NOT EXISTS completion_load ON COMMIT DROP AS "  # noqa: S608 - constants
            f"SELECT {columns} FROM completion WITH NO DATA"
        )
    )
    session.execute(text("TRUNCATE completion_load"))
    driver = session.connection().connection.driver_connection
    with driver.cursor() as cursor, cursor.copy(f"COPY completion_load ({columns}) FROM STDIN") as copy:  # type: ignore[union-attr]
        for row in rows:
            copy.write_row(tuple(row[column] for column in _LOAD_COLUMNS))
    completion = cast(Table, Completion.__table__)
    load = table("completion_load", *(column(name) for name in _LOAD_COLUMNS))
    # One statement: the INSERT's RETURNING rows (only those actually inserted; a skipped key may belong to
    # a record since corrected or voided) feed the holdings upsert as a data-modifying CTE.
    inserted = (
        postgresql.insert(completion)
        .from_select(list(_LOAD_COLUMNS), select(*load.c))
        .on_conflict_do_nothing(index_elements=["source", "source_ref"])
        .returning(
            completion.c.source,
            completion.c.source_ref,
            completion.c.staff_id,
            completion.c.competence_id,
            completion.c.completed_at,
            completion.c.expires_at,
            completion.c.recorded_at,
        )
        .cte("inserted")
    )
    stmt = select(inserted.c.source, inserted.c.source_ref).add_cte(merge_inserted(inserted).cte("held"))
    return {(row[0], row[1]) for row in session.execute(stmt)}


def _is_superseded(session: Session, completion_id: int) -> bool:
    successor = select(Completion.id).where(Completion.supersedes_id == completion_id)
    return session.scalars(successor).first() is not None


def correct_completion(
    session: Session,
    *,
    completion_id: int,
    actor: str,
    reason: str,
    completed_at: dt.datetime | None = None,
    score: Decimal | None = None,
    void: bool = False,
) -> Completion:
    """Supersede a completion with a corrected (or voiding) record and log who did it and why.

    Raises UnknownRecord, RegisterError (no reason, bad field) and CompletionConflict (already corrected).
    """
    if not reason.strip():
        raise RegisterError(_l("Kerro korjauksen syy."))
    original = session.get(Completion, completion_id)
    if original is None:
        raise UnknownRecord(_l("Suoritusta %(id)s ei löydy.", id=completion_id))
    if _is_superseded(session, original.id):
        raise CompletionConflict(
            _l("Suoritus %(id)s on jo korjattu; korjaa uusin kirjaus.", id=completion_id)
        )
    new_completed_at = completed_at or original.completed_at
    new_score = original.score if score is None else score
    validate_event(
        completed_at=new_completed_at, source=CORRECTION_SOURCE, source_ref="x", score=new_score, now=utcnow()
    )
    competence = session.get_one(Competence, original.competence_id)
    correction = Completion(
        staff_id=original.staff_id,
        competence_id=original.competence_id,
        course_id=original.course_id,
        completed_at=new_completed_at,
        expires_at=expiry(new_completed_at, competence.validity_months),
        score=new_score,
        source=CORRECTION_SOURCE,
        source_ref=str(original.id),
        recorded_at=utcnow(),
        recorded_by=actor,
        supersedes_id=original.id,
        voided=void,
    )
    try:
        with session.begin_nested():
            session.add(correction)
            session.flush()
            recompute_holding(session, staff_id=original.staff_id, competence_id=original.competence_id)
    except IntegrityError as error:
        raise CompletionConflict(
            _l("Suoritus %(id)s on jo korjattu; korjaa uusin kirjaus.", id=completion_id)
        ) from error
    changes: dict[str, Any] = {"correction_id": correction.id, "voided": void}
    if completed_at is not None:
        changes["completed_at"] = [original.completed_at.isoformat(), new_completed_at.isoformat()]
    if score is not None:
        changes["score"] = [None if original.score is None else str(original.score), str(new_score)]
    record_event(
        session,
        actor=actor,
        action="completion.voided" if void else "completion.corrected",
        subject_type="completion",
        subject_id=original.id,
        reason=reason,
        details=changes,
    )
    logger.info("Completion %s superseded by %s (voided=%s)", original.id, correction.id, void)
    return correction


@dataclass(frozen=True)
class TranscriptRow:
    completion: Completion
    competence_code: str
    competence_name: str
    course_id: int | None
    superseded: bool  # a correction replaced it


def transcript(session: Session, staff_id: int) -> list[TranscriptRow]:
    """Every completion of a person, newest first, with what replaced or voided it (append-only record)."""
    correction = aliased(Completion)
    rows = session.execute(
        select(Completion, Competence.code, Competence.name_fi, correction.id.is_not(None))
        .join(Competence, Competence.id == Completion.competence_id)
        .outerjoin(correction, correction.supersedes_id == Completion.id)
        .where(Completion.staff_id == staff_id)
        .order_by(Completion.completed_at.desc(), Completion.id.desc())
    )
    return [TranscriptRow(c, code, name, c.course_id, bool(superseded)) for c, code, name, superseded in rows]
