"""Accounts (admins and supervisors) and API tokens. Which units a supervisor sees: the register."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from lms_bridge.db import Base, utcnow

ROLES = ("admin", "supervisor")


class ApiToken(Base):
    """API tokens. Only a SHA-256 digest of each token is stored; the token itself is shown once."""

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    # hex SHA-256 of the token; unique so a bearer token is found with one indexed lookup
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[dt.datetime | None]
    last_used_at: Mapped[dt.datetime | None]


class Account(Base):
    """A person who signs in to the bridge itself: an admin, or a supervisor scoped to units."""

    __tablename__ = "account"
    __table_args__ = (CheckConstraint("role IN ('admin', 'supervisor')", name="role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(100), unique=True)
    # werkzeug.security hash (scrypt): salted and slow on purpose
    password_hash: Mapped[str] = mapped_column(String(300))
    role: Mapped[str] = mapped_column(String(20))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[dt.datetime | None]
    # The person in the register this account belongs to (their units, via HR's supervisor column); a
    # natural key, as auth sits below the register and refers to none of its tables.
    employee_number: Mapped[str | None] = mapped_column(String(50), index=True)
    # Where the weekly digest of the supervisor's units goes, if they asked for it.
    email: Mapped[str | None] = mapped_column(String(254))
    weekly_digest: Mapped[bool] = mapped_column(default=False)


class AccountSession(Base):
    """A signed-in browser of an account. The cookie holds a random token; only its SHA-256 is stored.

    Signing out deletes the row, so a copy of the cookie taken before is worthless; so does deactivating
    the account. Rows past `expires_at` are ignored and removed at the next sign-in.
    """

    __tablename__ = "account_session"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("account.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(index=True)


class SignInThrottle(Base):
    """Recent failed sign-ins of one account name or one client address, and its lockout.

    In the database, so every app process sees the same counts (the embedded default has no Redis) and an
    admin can lift a lockout with one command.
    """

    __tablename__ = "sign_in_throttle"

    # "account:<username>" or "address:<ip>"
    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    failures: Mapped[int] = mapped_column(default=0)
    window_started_at: Mapped[dt.datetime]
    locked_until: Mapped[dt.datetime | None]
