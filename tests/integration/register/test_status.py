"""Competence status for a person and a unit subtree, from one query."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import event

from lms_bridge.register.service import correct_completion
from lms_bridge.register.status import StatusFilter, competence_statuses
from tests.factories import NOW


def _statuses(session, **filters):
    rows = competence_statuses(session, now=NOW, expiring_within_days=60, flt=StatusFilter(**filters))
    return {(r.employee_number, r.competence_code): r.status for r in rows}


def test_each_status_for_one_person(session, make_staff, make_competence, make_requirement, make_completion):
    person = make_staff(job_title="asiakasohjaaja")
    valid, expiring, expired, missing, optional = (make_competence(validity_months=12) for _ in range(5))
    for competence in (valid, expiring, expired, missing):
        make_requirement(competence, job_title="asiakasohjaaja")
    make_completion(staff=person, competence=valid, completed_at=NOW - dt.timedelta(days=30))
    make_completion(staff=person, competence=expiring, completed_at=NOW - dt.timedelta(days=330))
    make_completion(staff=person, competence=expired, completed_at=NOW - dt.timedelta(days=400))

    got = _statuses(session, staff_id=person.id)

    number = person.employee_number
    assert got[(number, valid.code)] == "valid"
    assert got[(number, expiring.code)] == "expiring"
    assert got[(number, expired.code)] == "expired"
    assert got[(number, missing.code)] == "missing"
    assert got[(number, optional.code)] == "not_required"


def test_a_later_completion_renews_and_never_expiring_stays_valid(
    session, make_staff, make_competence, make_completion
):
    person = make_staff()
    renewed, permanent = make_competence(validity_months=12), make_competence(validity_months=None)
    make_completion(staff=person, competence=renewed, completed_at=NOW - dt.timedelta(days=800))
    make_completion(staff=person, competence=renewed, completed_at=NOW - dt.timedelta(days=10))
    make_completion(staff=person, competence=permanent, completed_at=NOW - dt.timedelta(days=3000))

    rows = competence_statuses(
        session, now=NOW, expiring_within_days=60, flt=StatusFilter(staff_id=person.id)
    )
    by_code = {r.competence_code: r for r in rows}

    assert by_code[renewed.code].status == "valid"
    assert by_code[renewed.code].completed_at == NOW - dt.timedelta(days=10)
    assert by_code[permanent.code].status == "valid"
    assert by_code[permanent.code].expires_at is None


def test_voided_record_no_longer_counts(
    session, make_staff, make_competence, make_requirement, make_completion
):
    person = make_staff()
    competence = make_competence()
    make_requirement(competence, job_title=person.job_title)
    wrong = make_completion(staff=person, competence=competence)
    assert _statuses(session, staff_id=person.id)[(person.employee_number, competence.code)] == "valid"

    correct_completion(session, completion_id=wrong.id, actor="cli:x", reason="väärä henkilö", void=True)

    assert _statuses(session, staff_id=person.id)[(person.employee_number, competence.code)] == "missing"


def test_subtree_includes_descendants_only_and_unit_requirements_apply_below(
    session, make_unit, make_staff, make_competence, make_requirement, make_completion
):
    region = make_unit(kind="region")
    area = make_unit(kind="service_area", parent=region, name="Kotihoito")
    unit = make_unit(parent=area)
    team = make_unit(kind="team", parent=unit, name="Tiimi 1")
    other = make_unit(kind="service_area", parent=region, name="Ikäkeskus")
    in_team, in_unit, elsewhere = make_staff(unit=team), make_staff(unit=unit), make_staff(unit=other)
    leaver = make_staff(unit=team, active=False)
    competence = make_competence()
    make_requirement(competence, unit=area)  # everyone in home care
    make_completion(staff=in_unit, competence=competence)

    got = _statuses(session, unit_path=area.path, competence_id=competence.id)

    assert got == {
        (in_team.employee_number, competence.code): "missing",
        (in_unit.employee_number, competence.code): "valid",
    }
    assert (elsewhere.employee_number, competence.code) not in got
    assert (leaver.employee_number, competence.code) not in got
    assert (
        _statuses(session, unit_path=other.path)[(elsewhere.employee_number, competence.code)]
        == "not_required"
    )


def test_subtree_status_is_one_query(
    session, connection, make_unit, make_staff, make_competence, make_completion
):
    unit = make_unit()
    people = [make_staff(unit=unit) for _ in range(5)]
    competences = [make_competence() for _ in range(3)]
    for person in people:
        make_completion(staff=person, competence=competences[0])
    statements: list[str] = []

    def count(*args):
        statements.append(args[2])

    event.listen(connection, "before_cursor_execute", count)
    try:
        rows = competence_statuses(
            session, now=NOW, expiring_within_days=60, flt=StatusFilter(unit_path=unit.path)
        )
    finally:
        event.remove(connection, "before_cursor_execute", count)

    assert len(rows) == 5 * 3
    # one data query (PostgreSQL also gets a `SET LOCAL jit = off` first)
    assert len([s for s in statements if not s.startswith(("SAVEPOINT", "RELEASE", "SET LOCAL"))]) == 1


def test_status_filter_and_keyset_pages(session, make_unit, make_staff, make_competence, make_completion):
    unit = make_unit()
    people = [make_staff(unit=unit) for _ in range(3)]
    competence = make_competence(validity_months=12)
    make_completion(staff=people[1], competence=competence, completed_at=NOW - dt.timedelta(days=500))

    expired = _statuses(session, unit_path=unit.path, statuses=("expired",))
    assert expired == {(people[1].employee_number, competence.code): "expired"}

    page1 = competence_statuses(
        session, now=NOW, expiring_within_days=60, flt=StatusFilter(unit_path=unit.path), limit=2
    )
    last = page1[-1]
    page2 = competence_statuses(
        session,
        now=NOW,
        expiring_within_days=60,
        flt=StatusFilter(unit_path=unit.path, after=(last.staff_id, last.competence_id)),
    )
    seen = [(r.staff_id, r.competence_id) for r in page1 + page2]
    assert len(seen) == len(set(seen)) == 3 * len({r.competence_id for r in page1 + page2})
