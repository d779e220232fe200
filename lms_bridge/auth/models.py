"""Accounts (admins and supervisors) and API tokens. Which units a supervisor sees: the register."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import CheckConstraint, String
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
