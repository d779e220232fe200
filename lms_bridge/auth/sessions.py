"""Server-side sessions of admin and supervisor accounts: signing out ends every copy of the cookie."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from lms_bridge.auth.models import Account, AccountSession


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start_session(session: Session, account_id: int, *, now: dt.datetime, lifetime: dt.timedelta) -> str:
    """A new session for the account; returns the token for the cookie (only its hash is stored)."""
    session.execute(delete(AccountSession).where(AccountSession.expires_at <= now))
    token = secrets.token_urlsafe(32)
    session.add(
        AccountSession(
            token_hash=_digest(token), account_id=account_id, created_at=now, expires_at=now + lifetime
        )
    )
    session.flush()
    return token


def session_account(session: Session, token: str, *, now: dt.datetime) -> Account | None:
    """The active account of a live session, or None (signed out, expired, deactivated)."""
    return session.scalars(
        select(Account)
        .join(AccountSession, AccountSession.account_id == Account.id)
        .where(
            AccountSession.token_hash == _digest(token),
            AccountSession.expires_at > now,
            Account.active.is_(True),
        )
    ).one_or_none()


def end_session(session: Session, token: str) -> None:
    session.execute(delete(AccountSession).where(AccountSession.token_hash == _digest(token)))


def end_all_sessions(session: Session, account_id: int) -> int:
    """Sign the account out everywhere (deactivation, a password reset); returns how many ended."""
    result = session.execute(delete(AccountSession).where(AccountSession.account_id == account_id))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
