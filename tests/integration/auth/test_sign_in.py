"""Signing in as an attacker would try it: throttling, lockout, sessions that really end, roles."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import func, select

from lms_bridge.audit import AuditEvent
from lms_bridge.auth import accounts, sessions, throttle
from lms_bridge.auth.models import AccountSession
from tests.factories.auth import PASSWORD


def login(client, username, password, address="198.51.100.7"):
    return client.post(
        "/auth/login",
        data={"username": username, "password": password},
        environ_overrides={"REMOTE_ADDR": address},
    )


@pytest.fixture
def client(db_app):
    db_app.config["WTF_CSRF_ENABLED"] = False
    return db_app.test_client()


def failures_audited(session) -> int:
    session.expire_all()
    query = select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "account.sign_in_failed")
    return session.scalar(query) or 0


def test_sign_in_and_out_ends_the_session_on_the_server(db_app, client, make_account, session):
    account = make_account()
    assert login(client, account.username, PASSWORD).status_code == 302
    assert client.get("/admin/packages").status_code == 200
    copied = client.get_cookie("session").value  # an attacker copies the cookie before sign-out

    client.post("/auth/logout")
    assert client.get("/admin/packages").status_code == 302  # to the sign-in page
    thief = db_app.test_client()
    thief.set_cookie("session", copied)
    assert thief.get("/admin/packages").status_code == 302
    session.expire_all()
    assert session.scalar(select(func.count()).select_from(AccountSession)) == 0


def test_disabling_an_account_ends_its_open_sessions(db_app, client, make_account, session):
    account = make_account()
    login(client, account.username, PASSWORD)
    assert client.get("/admin/packages").status_code == 200
    accounts.set_active(session, account, False, actor="test")
    assert client.get("/admin/packages").status_code == 302
    assert login(client, account.username, PASSWORD).status_code == 200  # no sign-in while disabled


def test_session_cookie_is_httponly_and_has_the_configured_flags(db_app, client, make_account):
    account = make_account()
    db_app.config.update(SESSION_COOKIE_SECURE=True, SESSION_COOKIE_SAMESITE="Strict")
    response = login(client, account.username, PASSWORD)
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "Secure" in cookie
    assert "SameSite=Strict" in cookie
    expires = re.search(r"Expires=([^;]+)", cookie)
    assert expires  # a lifetime of hours, checked in test_an_account_session_expires_after_its_hours


def test_an_account_session_expires_after_its_hours(session, make_account):
    account = make_account()
    now = dt.datetime(2026, 1, 1, 8, tzinfo=dt.UTC)
    token = sessions.start_session(session, account.id, now=now, lifetime=dt.timedelta(hours=8))
    assert sessions.session_account(session, token, now=now + dt.timedelta(hours=7)) is not None
    assert sessions.session_account(session, token, now=now + dt.timedelta(hours=8, seconds=1)) is None


def test_five_wrong_passwords_lock_the_account_even_for_the_right_one(client, make_account, session, run):
    account = make_account()
    for _ in range(5):
        assert login(client, account.username, "wrong-password-123").status_code == 200
    locked = login(client, account.username, PASSWORD)
    assert locked.status_code == 429
    assert int(locked.headers["Retry-After"]) > 0
    assert "lukittu" in locked.text
    assert failures_audited(session) == 5  # the refused attempt while locked checks no password

    result = run("accounts", "unlock", account.username)
    assert result.exit_code == 0, result.output
    assert "lukitus avattu" in result.output
    assert login(client, account.username, PASSWORD).status_code == 302


def test_an_unknown_name_locks_like_a_real_one(client, session):
    for _ in range(5):
        assert login(client, "nobody-here", "wrong-password-123").status_code == 200
    assert login(client, "nobody-here", "wrong-password-123").status_code == 429
    assert failures_audited(session) == 5


def test_one_address_trying_many_names_is_stopped(db_app, client, make_account):
    db_app.config["SIGN_IN_MAX_FAILURES_PER_ADDRESS"] = 6
    account = make_account()
    for n in range(6):
        login(client, f"guess{n}", "wrong-password-123", address="203.0.113.9")
    assert login(client, account.username, PASSWORD, address="203.0.113.9").status_code == 429
    assert login(client, account.username, PASSWORD, address="192.0.2.44").status_code == 302


def test_a_lockout_ends_by_itself_and_a_success_resets_the_count(session, make_account):
    account = make_account()
    rules = throttle.ThrottleRules(3, 100, dt.timedelta(minutes=15), dt.timedelta(minutes=15))
    now = dt.datetime(2026, 1, 1, 8, tzinfo=dt.UTC)

    def attempt(password, at):
        return accounts.sign_in_with_password(
            session, username=account.username, password=password, address="a", now=at, rules=rules
        )

    assert attempt("wrong-password-123", now) is None
    assert attempt("wrong-password-123", now) is None
    assert attempt(PASSWORD, now) is not None  # the count starts again
    for _ in range(3):
        attempt("wrong-password-123", now)
    with pytest.raises(throttle.SignInLocked):
        attempt(PASSWORD, now + dt.timedelta(minutes=14))
    assert attempt(PASSWORD, now + dt.timedelta(minutes=16)) is not None


def test_roles_admin_pages_refuse_a_supervisor(signed_in):
    supervisor, _account = signed_in("supervisor")
    assert supervisor.get("/admin/packages").status_code == 403
    admin, _account = signed_in("admin")
    assert admin.get("/admin/packages").status_code == 200


def test_the_sign_in_form_needs_its_csrf_token(db_app, make_account):
    account = make_account()
    client = db_app.test_client()
    refused = client.post("/auth/login", data={"username": account.username, "password": PASSWORD})
    assert refused.status_code == 400


def test_behind_a_trusted_proxy_the_forwarded_address_is_counted(db_app, client, make_account):
    """X-Forwarded-For counts only when TRUSTED_PROXY_HOPS says a proxy sets it (else a client forges it)."""
    from lms_bridge import create_app

    db_app.config["SIGN_IN_MAX_FAILURES_PER_ADDRESS"] = 3
    account = make_account()
    for n in range(3):  # no proxy trusted: the forged header changes nothing, the real address is counted
        client.post(
            "/auth/login",
            data={"username": f"x{n}", "password": "wrong-password-123"},
            headers={"X-Forwarded-For": f"10.0.0.{n}"},
            environ_overrides={"REMOTE_ADDR": "198.51.100.1"},
        )
    assert login(client, account.username, PASSWORD, address="198.51.100.1").status_code == 429

    proxied = create_app({**db_app.config, "TRUSTED_PROXY_HOPS": 1, "TESTING": True})
    proxied.extensions["lms_bridge.sessionmaker"] = db_app.extensions["lms_bridge.sessionmaker"]
    behind = proxied.test_client()
    response = behind.post(
        "/auth/login",
        data={"username": account.username, "password": PASSWORD},
        headers={"X-Forwarded-For": "192.0.2.80"},
        environ_overrides={"REMOTE_ADDR": "198.51.100.1"},  # the proxy's own address, locked above
    )
    assert response.status_code == 302
