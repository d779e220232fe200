"""A small region with two service areas, people, requirements and completions; supervisors of each."""

from __future__ import annotations

import datetime as dt
import socket
from dataclasses import dataclass

import pytest

from lms_bridge.register.scopes import assign_units, set_supervised_units


@dataclass
class Region:
    region: object
    area_a: object
    team_a: object
    area_b: object
    ea: object  # required of kotihoitaja, 12 months
    koht: object  # never expires
    nurses_a: list
    counsellor_b: object
    sup_a: object  # an account seeing area A
    sup_b: object
    boss_b: object  # a staff member supervising area B (arrives by LTI)


@pytest.fixture
def region(session, make_unit, make_staff, make_competence, make_requirement, make_completion, make_account):
    region = make_unit(kind="region", code="SATA", name="Satakunta")
    area_a = make_unit(kind="service_area", code="KOHO", name="Kotihoito", parent=region)
    team_a = make_unit(
        kind="team",
        code="KOHO-T1",
        name="Kotihoito Pori, tiimi 1",
        parent=make_unit(code="KOHO-1", name="Kotihoito Pori", parent=area_a),
    )
    area_b = make_unit(kind="service_area", code="ASOH", name="Asiakasohjaus", parent=region)
    ea = make_competence(code="EA-01", name_fi="Ensiapu", validity_months=12)
    koht = make_competence(code="KOHT-01", name_fi="Kohtaaminen", validity_months=None)
    make_requirement(ea, job_title="kotihoitaja")
    make_requirement(koht, unit=area_b)
    now = dt.datetime.now(dt.UTC)
    nurses_a = [make_staff(unit=team_a, last_name=f"Hoitaja{i}", first_name="Aino") for i in range(3)]
    make_completion(staff=nurses_a[0], competence=ea, completed_at=now - dt.timedelta(days=20))
    make_completion(staff=nurses_a[1], competence=ea, completed_at=now - dt.timedelta(days=340))
    make_completion(staff=nurses_a[2], competence=koht, completed_at=now - dt.timedelta(days=5))
    counsellor_b = make_staff(
        unit=area_b, last_name="Ohjaaja", first_name="Bertta", job_title="asiakasohjaaja"
    )
    boss_b = make_staff(unit=area_b, last_name="Esihenkilö", first_name="Carita", job_title="esihenkilö")
    sup_a = make_account(role="supervisor", username="esihenkilo-a")
    assign_units(session, account_id=sup_a.id, unit_ids=[area_a.id], actor="test")
    sup_b = make_account(role="supervisor", username="esihenkilo-b")
    assign_units(session, account_id=sup_b.id, unit_ids=[area_b.id], actor="test")
    set_supervised_units(session, staff_id=boss_b.id, unit_ids=[area_b.id], actor="test")
    return Region(region, area_a, team_a, area_b, ea, koht, nurses_a, counsellor_b, sup_a, sup_b, boss_b)


@pytest.fixture
def as_account(db_app):
    """A test client signed in (through the form) as the account; the factory's password."""
    from tests.factories.auth import PASSWORD

    def make(account):
        db_app.config["WTF_CSRF_ENABLED"] = False
        client = db_app.test_client()
        response = client.post("/auth/login", data={"username": account.username, "password": PASSWORD})
        assert response.status_code == 302
        return client

    return make


@pytest.fixture
def as_lti_staff(db_app):
    def make(staff):
        client = db_app.test_client()
        with client.session_transaction() as cookie:
            cookie["staff_id"] = staff.id
            cookie["staff_via"] = "lti"
        return client

    return make


@dataclass
class Inbox:
    host: str
    port: int
    messages: list


@pytest.fixture
def smtp_server():
    """A real SMTP server on 127.0.0.1 (aiosmtpd) keeping every message it receives."""
    from email import message_from_bytes
    from email.policy import default

    from aiosmtpd.controller import Controller

    inbox = Inbox("127.0.0.1", 0, [])

    class Keep:
        async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
            message = message_from_bytes(envelope.original_content, policy=default)
            inbox.messages.append((envelope.rcpt_tos, message))
            return "250 OK"

    with socket.socket() as probe:  # aiosmtpd checks its own start on the port it was given: pick one
        probe.bind(("127.0.0.1", 0))
        inbox.port = probe.getsockname()[1]
    controller = Controller(Keep(), hostname="127.0.0.1", port=inbox.port)
    controller.start()
    yield inbox
    controller.stop()
