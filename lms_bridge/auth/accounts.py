"""Accounts: create, change, authenticate (throttled), and who is signed in. Roles: admin, supervisor.

The services take plain arguments and a session; the Flask-facing functions at the end (sign_in,
sign_out, current_account, require_role) keep the browser's cookie and the server-side session together.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import re
from collections.abc import Callable
from typing import Any, TypeVar

from flask import current_app, g, redirect, request, session, url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from lms_bridge.audit import record_event
from lms_bridge.auth import sessions, throttle
from lms_bridge.auth.models import ROLES, Account
from lms_bridge.auth.passwords import check_password
from lms_bridge.db import get_session, utcnow
from lms_bridge.errors import DomainError, Forbidden, NotFound

logger = logging.getLogger(__name__)

USERNAME = re.compile(r"^[a-z0-9][a-z0-9_.@-]{1,99}$")
# Checked when a username does not exist, so a wrong username costs as long as a wrong password.
_DUMMY_HASH = generate_password_hash("timing-equaliser")
_COOKIE_KEY = "account_session"

F = TypeVar("F", bound=Callable[..., Any])


class AccountError(DomainError):
    pass


def create_account(
    session: Session, *, username: str, password: str, role: str, actor: str, min_password_length: int = 12
) -> Account:
    """Create an account (flushed). Raises AccountError for a bad name or unknown role, WeakPassword."""
    username = username.strip().lower()
    if not USERNAME.match(username):
        raise AccountError(_l("Käyttäjätunnuksessa saa olla vain pieniä kirjaimia, numeroita ja merkit _.@-"))
    if role not in ROLES:
        raise AccountError(_l("Tuntematon rooli %(role)s (sallitut: admin, supervisor).", role=role))
    check_password(password, username=username, min_length=min_password_length)
    if find_account(session, username) is not None:
        raise AccountError(_l("Käyttäjätunnus %(name)s on jo käytössä.", name=username), status=409)
    account = Account(username=username, password_hash=generate_password_hash(password), role=role)
    session.add(account)
    session.flush()
    record_event(
        session,
        actor=actor,
        action="account.create",
        subject_type="account",
        subject_id=account.id,
        details={"role": role},
    )
    return account


def find_account(session: Session, username: str) -> Account | None:
    return session.scalars(select(Account).where(Account.username == username.strip().lower())).first()


def require_account(session: Session, username: str) -> Account:
    """Raises NotFound."""
    account = find_account(session, username)
    if account is None:
        raise NotFound(_l("Tiliä %(name)s ei ole.", name=username))
    return account


def list_accounts(session: Session, *, role: str | None = None) -> list[Account]:
    query = select(Account).order_by(Account.username)
    return list(session.scalars(query.where(Account.role == role) if role else query))


def has_admin(session: Session) -> bool:
    return session.scalars(select(Account.id).where(Account.role == "admin").limit(1)).first() is not None


def set_password(
    session: Session, account: Account, password: str, *, actor: str, min_password_length: int = 12
) -> None:
    """A new password; every session of the account ends. Raises WeakPassword."""
    check_password(password, username=account.username, min_length=min_password_length)
    account.password_hash = generate_password_hash(password)
    sessions.end_all_sessions(session, account.id)
    throttle.clear(session, username=account.username)
    session.flush()
    record_event(
        session, actor=actor, action="account.password", subject_type="account", subject_id=account.id
    )


def set_active(session: Session, account: Account, active: bool, *, actor: str) -> None:
    """Enable or disable an account; disabling ends its sessions at once."""
    account.active = active
    if not active:
        sessions.end_all_sessions(session, account.id)
    session.flush()
    record_event(
        session,
        actor=actor,
        action="account.enable" if active else "account.disable",
        subject_type="account",
        subject_id=account.id,
    )


def update_digest_settings(
    session: Session, account_id: int, *, email: str | None, weekly_digest: bool
) -> None:
    """The account's own e-mail address and whether it wants the weekly digest (needs an address)."""
    account = session.get_one(Account, account_id)
    if weekly_digest and not email:
        raise AccountError(_l("Anna sähköpostiosoite, johon viikkokooste lähetetään."))
    account.email, account.weekly_digest = email, weekly_digest
    session.flush()
    record_event(
        session,
        actor=f"account:{account_id}",
        action="account.digest",
        subject_type="account",
        subject_id=account_id,
        details={"weekly_digest": weekly_digest},
    )


def set_employee_number(
    session: Session, account: Account, employee_number: str | None, *, actor: str
) -> None:
    """Link the account to the staff member it belongs to (their units follow HR's supervisor column)."""
    account.employee_number = employee_number or None
    session.flush()
    record_event(session, actor=actor, action="account.link", subject_type="account", subject_id=account.id)


def unlock(session: Session, username: str, *, actor: str) -> bool:
    """Lift a sign-in lockout of an account name; returns whether there was anything to lift."""
    lifted = throttle.clear(session, username=username)
    account = find_account(session, username)
    record_event(
        session,
        actor=actor,
        action="account.unlock",
        subject_type="account",
        subject_id=account.id if account else None,
        details={"lifted": lifted},
    )
    return lifted


def authenticate(session: Session, username: str, password: str) -> Account | None:
    """The active account with this username and password, or None (same cost either way)."""
    account = find_account(session, username)
    if account is None or not account.active:
        check_password_hash(_DUMMY_HASH, password)
        return None
    if not check_password_hash(account.password_hash, password):
        return None
    return account


def sign_in_with_password(
    session: Session,
    *,
    username: str,
    password: str,
    address: str,
    now: dt.datetime,
    rules: throttle.ThrottleRules,
) -> Account | None:
    """Check a sign-in: None for wrong credentials (counted and audited). Raises SignInLocked while the
    account name or the client address is locked out, before the password is even checked."""
    throttle.check_allowed(session, username=username, address=address, now=now)
    account = authenticate(session, username, password)
    if account is None:
        known = find_account(session, username)
        locked = throttle.record_failure(session, username=username, address=address, now=now, rules=rules)
        record_event(
            session,
            actor=f"address:{address}",
            action="account.sign_in_failed",
            subject_type="account",
            subject_id=known.id if known else None,
            details={"locked": locked},
        )
        logger.info("Failed sign-in (account %s, locked %s)", known.id if known else "-", locked)
        return None
    throttle.clear(session, username=username)
    account.last_login_at = now
    session.flush()
    return account


# ------------------------------------------------------------------------------------ the browser


def throttle_rules() -> throttle.ThrottleRules:
    config = current_app.config
    return throttle.ThrottleRules(
        per_account=config["SIGN_IN_MAX_FAILURES_PER_ACCOUNT"],
        per_address=config["SIGN_IN_MAX_FAILURES_PER_ADDRESS"],
        window=dt.timedelta(minutes=config["SIGN_IN_WINDOW_MINUTES"]),
        lockout=dt.timedelta(minutes=config["SIGN_IN_LOCKOUT_MINUTES"]),
    )


def sign_in(db: Session, account: Account) -> None:
    """Start a server-side session for the account and put its token in a fresh cookie (no fixation)."""
    token = sessions.start_session(
        db, account.id, now=utcnow(), lifetime=current_app.permanent_session_lifetime
    )
    session.clear()
    session[_COOKIE_KEY] = token
    session.permanent = True


def sign_out(db: Session) -> None:
    """End the server-side session too: a copy of the cookie taken before is worthless."""
    token = session.get(_COOKIE_KEY)
    if isinstance(token, str):
        sessions.end_session(db, token)
    session.clear()


def current_account() -> Account | None:
    if "account" not in g:
        token = session.get(_COOKIE_KEY)
        g.account = (
            sessions.session_account(get_session(), token, now=utcnow()) if isinstance(token, str) else None
        )
    result: Account | None = g.account
    return result


def require_role(*roles: str) -> Callable[[F], F]:
    """View decorator: signed in with one of these roles, else to the sign-in page (or 403)."""

    def decorator(view: F) -> F:
        @functools.wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            account = current_account()
            if account is None:
                return redirect(url_for("auth.login", next=request.full_path))
            if account.role not in roles:
                raise Forbidden(_l("Sinulla ei ole oikeutta tälle sivulle."))
            return view(*args, **kwargs)

        return wrapped  # type: ignore[return-value]

    return decorator
