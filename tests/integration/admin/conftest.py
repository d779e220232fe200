"""The admin register pages' fixtures: a small register, and clients as a learner or with CSRF on."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest

from lms_bridge.auth.tokens import create_token
from lms_bridge.register.scopes import assign_units


@dataclass
class World:
    region: object
    unit: object
    team: object
    nurse: object
    competence: object
    completion: object
    supervisor: object


@pytest.fixture
def world(session, make_unit, make_staff, make_competence, make_completion, make_account):
    region = make_unit(kind="region", code="SATA", name="Satakunnan hyvinvointialue")
    unit = make_unit(
        code="KOHO-1",
        name="Kotihoito Pori",
        parent=make_unit(kind="service_area", code="KOHO", parent=region),
    )
    team = make_unit(kind="team", code="KOHO-1-T1", name="Pori tiimi 1", parent=unit)
    nurse = make_staff(
        unit=team, employee_number="1001", first_name="Äiniö", last_name="Öhman", job_title="kotihoitaja"
    )
    competence = make_competence(code="EA-01", name_fi="Ensiapu", validity_months=12)
    completion = make_completion(
        staff=nurse,
        competence=competence,
        completed_at=dt.datetime(2025, 3, 5, 10, tzinfo=dt.UTC),
        source="excel-2024",
        source_ref="rivi-1",
        score=85,
    )
    supervisor = make_account(role="supervisor", username="esihenkilo")
    assign_units(session, account_id=supervisor.id, unit_ids=[unit.id], actor="test")
    create_token(session, "moodle-raportit", actor="test")
    return World(region, unit, team, nurse, competence, completion, supervisor)


@pytest.fixture
def as_learner(db_app):
    """A client acting for a staff member who arrived by an LTI launch (a learner: no account)."""

    def make(staff):
        client = db_app.test_client()
        with client.session_transaction() as cookie:
            cookie["staff_id"] = staff.id
            cookie["staff_via"] = "lti"
        return client

    return make
