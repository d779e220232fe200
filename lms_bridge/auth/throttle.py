"""Failed sign-ins: counted per account name and per client address, with a lockout an admin can lift.

An account name is counted whether or not such an account exists, so the answers do not tell an attacker
which names are real. Counts live in the database (`SignInThrottle`), shared by every app process.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from lms_bridge.auth.models import SignInThrottle
from lms_bridge.errors import DomainError


@dataclass(frozen=True)
class ThrottleRules:
    per_account: int
    per_address: int
    window: dt.timedelta
    lockout: dt.timedelta


class SignInLocked(DomainError):
    """Too many failures: the account name or the client address must wait (429)."""

    status = 429
    code = "locked"

    def __init__(self, message: object, *, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


def account_key(username: str) -> str:
    return f"account:{username.strip().lower()[:150]}"


def address_key(address: str) -> str:
    return f"address:{address[:150]}"


def check_allowed(session: Session, *, username: str, address: str, now: dt.datetime) -> None:
    """Raises SignInLocked while the account name or the address is locked out."""
    for key, message in (
        (account_key(username), _l("Tili on lukittu liian monen epäonnistuneen kirjautumisen vuoksi.")),
        (address_key(address), _l("Liian monta epäonnistunutta kirjautumista tästä osoitteesta.")),
    ):
        row = session.get(SignInThrottle, key)
        if row is not None and row.locked_until is not None and row.locked_until > now:
            wait = int((row.locked_until - now).total_seconds()) + 1
            raise SignInLocked(
                _l(
                    "%(reason)s Yritä uudelleen %(minutes)s minuutin kuluttua tai pyydä pääkäyttäjää "
                    "avaamaan lukitus.",
                    reason=message,
                    minutes=max(1, (wait + 59) // 60),
                ),
                retry_after=wait,
            )


def record_failure(
    session: Session, *, username: str, address: str, now: dt.datetime, rules: ThrottleRules
) -> bool:
    """Count one failure for both keys; returns whether the account name is now locked."""
    account_locked = _count(session, account_key(username), now, rules, limit=rules.per_account)
    _count(session, address_key(address), now, rules, limit=rules.per_address)
    return account_locked


def _count(session: Session, key: str, now: dt.datetime, rules: ThrottleRules, *, limit: int) -> bool:
    row = session.get(SignInThrottle, key, with_for_update=True)
    if row is None:
        try:
            with session.begin_nested():  # another process may count the same key's first failure
                row = SignInThrottle(key=key, failures=0, window_started_at=now)
                session.add(row)
                session.flush()
        except IntegrityError:
            row = session.get_one(SignInThrottle, key, with_for_update=True, populate_existing=True)
    if now - row.window_started_at > rules.window:
        row.failures, row.window_started_at = 0, now
    row.failures += 1
    if row.failures >= limit:
        row.locked_until = now + rules.lockout
    session.flush()
    return row.locked_until is not None and row.locked_until > now


def clear(session: Session, *, username: str) -> bool:
    """Forget an account name's failures and lift its lockout (after a success, or by an admin)."""
    result = session.execute(delete(SignInThrottle).where(SignInThrottle.key == account_key(username)))
    return bool(result.rowcount)  # type: ignore[attr-defined]


def locked_accounts(session: Session, *, now: dt.datetime) -> dict[str, dt.datetime]:
    """Account names locked out now, with when each lockout ends (the admin's list of accounts)."""
    rows = session.scalars(
        select(SignInThrottle).where(
            SignInThrottle.key.startswith("account:", autoescape=True), SignInThrottle.locked_until > now
        )
    )
    return {row.key.removeprefix("account:"): row.locked_until for row in rows if row.locked_until}
