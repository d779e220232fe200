"""record_completion: the one writer of completions — idempotent, append-only, with expiry and corrections."""

from __future__ import annotations

import datetime as dt
import threading
from decimal import Decimal

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from lms_bridge.audit import AuditEvent
from lms_bridge.catalog.models import Competence
from lms_bridge.errors import NotFound
from lms_bridge.register.errors import CompletionConflict, RegisterError, UnknownRecord
from lms_bridge.register.models import Completion, OrgUnit, Staff
from lms_bridge.register.service import correct_completion, record_completion
from tests.factories import NOW


def _count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Completion)) or 0


def test_records_a_completion_with_expiry_in_calendar_months(session, make_staff, make_competence):
    staff = make_staff()
    competence = make_competence(validity_months=12)
    completed = dt.datetime(2024, 2, 29, 10, 0, tzinfo=dt.UTC)

    result = record_completion(
        session,
        staff_id=staff.id,
        competence_code=competence.code,
        completed_at=completed,
        source="moodle",
        source_ref="site1:cmid42:user7",
        score=Decimal("87.5"),
        recorded_by="sync:moodle",
    )

    assert result.created
    session.expire_all()  # read back what the database stored, not the objects in the session
    stored = session.get_one(Completion, result.completion.id)
    assert stored.completed_at == completed
    assert stored.expires_at == dt.datetime(2025, 2, 28, 10, 0, tzinfo=dt.UTC)  # no 29 Feb in 2025
    assert stored.score == Decimal("87.50")
    assert stored.recorded_by == "sync:moodle"


def test_never_expiring_competence_has_no_expiry(session, make_completion, make_competence):
    completion = make_completion(competence=make_competence(validity_months=None))
    session.expire_all()
    assert session.get_one(Completion, completion.id).expires_at is None


def test_same_event_twice_is_recorded_once(session, make_staff, make_competence):
    staff, competence = make_staff(), make_competence()
    kwargs = {
        "staff_id": staff.id,
        "competence_code": competence.code,
        "completed_at": NOW,
        "source": "moodle",
        "source_ref": "attempt-1",
        "recorded_by": "test",
    }
    first = record_completion(session, **kwargs)
    second = record_completion(session, **kwargs)

    assert first.created
    assert not second.created
    assert second.completion.id == first.completion.id
    assert _count(session) == 1


def test_same_key_with_other_data_is_a_conflict(session, make_completion, make_competence):
    competence = make_competence()
    completion = make_completion(source="csv", source_ref="row-1", competence=competence)
    with pytest.raises(CompletionConflict, match="eri tiedoin"):
        record_completion(
            session,
            staff_id=completion.staff_id,
            competence_code=competence.code,
            completed_at=completion.completed_at - dt.timedelta(days=1),
            source="csv",
            source_ref="row-1",
            recorded_by="test",
        )


@pytest.mark.parametrize(
    ("override", "error", "message"),
    [
        ({"competence_code": "NOPE-99"}, NotFound, "NOPE-99"),
        ({"completed_at": NOW + dt.timedelta(days=3650)}, RegisterError, "tulevaisuudessa"),
        ({"completed_at": dt.datetime(2024, 1, 1)}, RegisterError, "aikavyöhyke"),
        ({"source": ""}, RegisterError, "source"),
        ({"source": "correction"}, RegisterError, "varattu"),
        ({"score": Decimal(101)}, RegisterError, "0–100"),
        ({"staff_id": 987654}, UnknownRecord, "Henkilöä"),
    ],
)
def test_bad_input_is_refused_and_writes_nothing(
    session, make_staff, make_competence, override, error, message
):
    staff, competence = make_staff(), make_competence()
    kwargs = {
        "staff_id": staff.id,
        "competence_code": competence.code,
        "completed_at": NOW,
        "source": "test",
        "source_ref": "x",
        "recorded_by": "test",
        **override,
    }
    with pytest.raises(error, match=message):
        record_completion(session, **kwargs)
    assert _count(session) == 0


def test_correction_supersedes_and_logs_who_and_why(session, make_completion, make_competence):
    original = make_completion(competence=make_competence(validity_months=12))
    corrected_date = original.completed_at - dt.timedelta(days=100)

    correction = correct_completion(
        session,
        completion_id=original.id,
        actor="cli:trainer",
        reason="Väärä päivä Excelissä",
        completed_at=corrected_date,
    )

    session.expire_all()
    assert session.get(Completion, original.id) is not None  # append-only: the original stays
    stored = session.get_one(Completion, correction.id)
    assert stored.supersedes_id == original.id
    assert stored.completed_at == corrected_date
    assert stored.expires_at == corrected_date.replace(year=corrected_date.year + 1)
    event = session.scalars(select(AuditEvent).where(AuditEvent.action == "completion.corrected")).one()
    assert (event.actor, event.reason, event.subject_id) == (
        "cli:trainer",
        "Väärä päivä Excelissä",
        str(original.id),
    )
    assert event.details["correction_id"] == correction.id

    with pytest.raises(CompletionConflict, match="jo korjattu"):
        correct_completion(session, completion_id=original.id, actor="cli:x", reason="toinen")


def test_correction_needs_a_reason(session, make_completion):
    completion = make_completion()
    with pytest.raises(RegisterError, match="syy"):
        correct_completion(session, completion_id=completion.id, actor="cli:x", reason="  ")


def test_two_processes_recording_the_same_event_make_one_row(fresh_database):
    """Committed data on a separate database: two threads race to insert the same (source, source_ref)."""
    db = fresh_database()
    db.migrate()
    with Session(db.engine) as setup:
        region = OrgUnit(code="R", name="Alue", kind="region", path="/")
        setup.add(region)
        setup.flush()
        region.path = f"/{region.id}/"
        staff = Staff(
            employee_number="1", first_name="A", last_name="B", job_title="kotihoitaja", unit_id=region.id
        )
        setup.add_all(
            [staff, Competence(code="KOHT-01", name_fi="a", name_sv="b", name_en="c", validity_months=36)]
        )
        setup.commit()
        staff_id = staff.id

    barrier = threading.Barrier(2)
    results: list[tuple[int, bool]] = []
    errors: list[BaseException] = []

    def writer() -> None:
        try:
            with Session(db.engine) as s:
                barrier.wait()
                result = record_completion(
                    s,
                    staff_id=staff_id,
                    competence_code="KOHT-01",
                    completed_at=NOW,
                    source="lti",
                    source_ref="attempt-77",
                    recorded_by="test",
                )
                s.commit()
                results.append((result.completion.id, result.created))
        except BaseException as error:  # reported below; a thread must not swallow it
            errors.append(error)

    threads = [threading.Thread(target=writer) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)

    assert errors == []
    assert len(results) == 2
    assert results[0][0] == results[1][0]  # both callers got the same record
    assert sorted(created for _, created in results) == [False, True]
    with Session(db.engine) as check:
        assert check.scalar(select(func.count()).select_from(Completion)) == 1
