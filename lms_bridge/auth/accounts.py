"""Accounts: create, authenticate, and who is signed in. Roles: admin, supervisor (unit-scoped)."""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Callable
from typing import Any, TypeVar

from flask import g, redirect, request, session, url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from lms_bridge.audit import record_event
from lms_bridge.auth.models import ROLES, Account
from lms_bridge.db import get_session, utcnow
from lms_bridge.errors import DomainError, Forbidden

logger = logging.getLogger(__name__)

USERNAME = re.compile(r"^[a-z0-9][a-z0-9_.@-]{1,99}$")
MIN_PASSWORD = 12
# Checked when a username does not exist, so a wrong username costs as long as a wrong password.
_DUMMY_HASH = generate_password_hash("timing-equaliser")

F = TypeVar("F", bound=Callable[..., Any])


class AccountError(DomainError):
    pass


def create_account(
    session: Session,
    *,
    username: str,
    password: str,
    role: str,
    actor: str,
) -> Account:
    """Create an account (flushed). Raises AccountError for a bad name, weak password or unknown role."""
    username = username.strip().lower()
    if not USERNAME.match(username):
        raise AccountError(_l("Käyttäjätunnuksessa saa olla vain pieniä kirjaimia, numeroita ja merkit _.@-"))
    if role not in ROLES:
        raise AccountError(_l("Tuntematon rooli %(role)s (sallitut: admin, supervisor).", role=role))
    if len(password) < MIN_PASSWORD:
        raise AccountError(_l("Salasanassa on oltava vähintään %(n)s merkkiä.", n=MIN_PASSWORD))
    if session.scalars(select(Account).where(Account.username == username)).first() is not None:
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


def has_admin(session: Session) -> bool:
    return session.scalars(select(Account.id).where(Account.role == "admin").limit(1)).first() is not None


def authenticate(session: Session, username: str, password: str) -> Account | None:
    """The active account with this username and password, or None (same cost either way)."""
    account = session.scalars(select(Account).where(Account.username == username.strip().lower())).first()
    if account is None or not account.active:
        check_password_hash(_DUMMY_HASH, password)
        return None
    if not check_password_hash(account.password_hash, password):
        return None
    account.last_login_at = utcnow()
    return account


def sign_in(account: Account) -> None:
    session.clear()  # a fresh session on sign-in: no fixation
    session["account_id"] = account.id
    session.permanent = True


def sign_out() -> None:
    session.clear()


def current_account() -> Account | None:
    if "account" not in g:
        account_id = session.get("account_id")
        account = get_session().get(Account, account_id) if account_id else None
        g.account = account if account is not None and account.active else None
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
