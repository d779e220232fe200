"""What the reminders have sent, so a daily or weekly run never sends the same message twice."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from lms_bridge.db import Base, utcnow


class DigestSent(Base):
    """A supervisor's weekly digest for one ISO week ("2026-W49")."""

    __tablename__ = "digest_sent"

    account_id: Mapped[int] = mapped_column(ForeignKey("account.id", ondelete="CASCADE"), primary_key=True)
    week: Mapped[str] = mapped_column(String(10), primary_key=True)
    sent_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class ReminderSent(Base):
    """A learner's reminder that one holding of a competence is about to expire (renewed: a new expiry)."""

    __tablename__ = "reminder_sent"

    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id", ondelete="CASCADE"), primary_key=True)
    competence_id: Mapped[int] = mapped_column(ForeignKey("competence.id"), primary_key=True)
    expires_at: Mapped[dt.datetime] = mapped_column(primary_key=True)
    sent_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
