"""`lms-bridge accounts ...`: create with units, disable (open sessions end), enable, reset a password."""

from __future__ import annotations

from sqlalchemy import select

from lms_bridge.auth.accounts import find_account
from lms_bridge.register.models import SupervisorUnit
from tests.factories.auth import PASSWORD


def test_a_supervisor_is_created_with_the_units_they_see(run, session, make_unit):
    unit = make_unit(code="KOHO-1")
    result = run(
        "accounts", "create", "esimies", "--role", "supervisor", "--unit", "KOHO-1", "--password", PASSWORD
    )
    assert result.exit_code == 0, result.output
    session.expire_all()
    account = find_account(session, "esimies")
    assert account is not None
    assert account.role == "supervisor"
    units = session.scalars(
        select(SupervisorUnit.unit_id).where(SupervisorUnit.account_id == account.id)
    ).all()
    assert units == [unit.id]


def test_an_unknown_unit_creates_nothing(run, session):
    result = run(
        "accounts", "create", "esimies", "--role", "supervisor", "--unit", "NOPE", "--password", PASSWORD
    )
    assert result.exit_code == 1
    assert "NOPE" in result.output
    session.expire_all()
    assert find_account(session, "esimies") is None


def test_disable_ends_open_sessions_and_enable_restores_sign_in(run, signed_in):
    client, account = signed_in()
    assert client.get("/admin/packages").status_code == 200
    assert run("accounts", "disable", account.username).exit_code == 0
    assert client.get("/admin/packages").status_code == 302
    assert run("accounts", "enable", account.username).exit_code == 0
    again = client.post("/auth/login", data={"username": account.username, "password": PASSWORD})
    assert again.status_code == 302


def test_reset_password_for_the_admin_who_lost_theirs(run, signed_in):
    client, account = signed_in()
    new = "uusi-kotihoidon-iltavuoro-salasana"
    result = run("accounts", "reset-password", account.username, "--password", new)
    assert result.exit_code == 0, result.output
    assert client.get("/admin/packages").status_code == 302  # the old session ended
    assert (
        client.post("/auth/login", data={"username": account.username, "password": PASSWORD}).status_code
        == 200
    )
    assert client.post("/auth/login", data={"username": account.username, "password": new}).status_code == 302


def test_commands_name_an_unknown_account(run):
    result = run("accounts", "disable", "nobody")
    assert result.exit_code == 1
    assert "nobody" in result.output
