"""The Moodle sync's tables: sites, what each maps to a competence, runs, unmatched users, and the cursor.

Completions themselves are the register's: the sync writes them only through
`lms_bridge.register.service.record_completions_bulk` / `record_completion`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from lms_bridge.db import Base, utcnow

MAPPING_KINDS = ("course", "activity")
RUN_STATUSES = ("running", "ok", "failed")


class MoodleSite(Base):
    """A Moodle site the sync reads, with its web-service token encrypted at rest (moodle/tokens.py)."""

    __tablename__ = "moodle_site"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(50), unique=True)
    base_url: Mapped[str] = mapped_column(String(500))
    # Fernet ciphertext of the token under a key derived from SECRET_KEY; never shown, never logged.
    token_encrypted: Mapped[str] = mapped_column(Text)
    # The token's last 4 characters, so pages can tell tokens apart without decrypting.
    token_hint: Mapped[str] = mapped_column(String(4))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    # The sync lock (a lease): who holds it and when it last said it is alive (moodle/lock.py).
    lock_owner: Mapped[str | None] = mapped_column(String(100))
    lock_heartbeat_at: Mapped[dt.datetime | None]


class MoodleMapping(Base):
    """A Moodle course (its course completion) or activity (by course module id) that grants a competence."""

    __tablename__ = "moodle_mapping"
    __table_args__ = (
        CheckConstraint("kind IN ('course', 'activity')", name="kind"),
        CheckConstraint("kind = 'course' OR cmid IS NOT NULL", name="activity_cmid"),
        UniqueConstraint("site_id", "kind", "moodle_course_id", "cmid", "competence_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("moodle_site.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(10))
    moodle_course_id: Mapped[int]
    # For an activity: its course module id, module ("scorm", "quiz", ...) and name as Moodle had them.
    cmid: Mapped[int | None]
    modname: Mapped[str | None] = mapped_column(String(50))
    activity_name: Mapped[str | None] = mapped_column(String(300))
    competence_id: Mapped[int] = mapped_column(ForeignKey("competence.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class MoodleSyncRun(Base):
    """One sync of one site: when, how long, how many calls, what it added, what went wrong."""

    __tablename__ = "moodle_sync_run"
    __table_args__ = (
        CheckConstraint("status IN ('running', 'ok', 'failed')", name="status"),
        Index("ix_moodle_sync_run_site_started", "site_id", "started_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("moodle_site.id", ondelete="CASCADE"))
    started_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[dt.datetime | None]
    status: Mapped[str] = mapped_column(String(10), default="running")
    # "cli:<os user>" or "account:<id>": who started it.
    started_by: Mapped[str] = mapped_column(String(200))
    calls: Mapped[int] = mapped_column(default=0)
    retries: Mapped[int] = mapped_column(default=0)
    users_checked: Mapped[int] = mapped_column(default=0)
    records_added: Mapped[int] = mapped_column(default=0)
    unmatched_users: Mapped[int] = mapped_column(default=0)
    # Finnish messages, one per problem (a course without criteria, Moodle not answering, ...).
    errors: Mapped[list[Any]] = mapped_column(JSON, default=list)

    @property
    def duration(self) -> dt.timedelta | None:
        return None if self.finished_at is None else self.finished_at - self.started_at


class MoodleUnmatchedUser(Base):
    """A Moodle learner of a mapped course whom no staff member matched (for admins to fix in HR or Moodle).

    Replaced by every complete sync of the site; holds what admins need to find the person in Moodle.
    """

    __tablename__ = "moodle_unmatched_user"

    site_id: Mapped[int] = mapped_column(ForeignKey("moodle_site.id", ondelete="CASCADE"), primary_key=True)
    moodle_user_id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str | None] = mapped_column(String(100))
    fullname: Mapped[str] = mapped_column(String(300))
    idnumber: Mapped[str | None] = mapped_column(String(255))
    email: Mapped[str | None] = mapped_column(String(254))
    # "no_identifier", "not_found", "ambiguous": why no staff member matched.
    reason: Mapped[str] = mapped_column(String(20))
    course_ids: Mapped[list[Any]] = mapped_column(JSON, default=list)
    seen_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class MoodleSyncState(Base):
    """The cursor: per site, Moodle course and user, what the user's data looked like when last read.

    `signature` sums up what changes when a learner does something in the course (their last course access
    and their grades in the mapped activities, plus which mappings there are); a user whose signature is
    unchanged is not read again. A sync writes these rows in the same transaction as the completions they
    led to, so an interrupted sync resumes exactly where its last checkpoint left off.
    """

    __tablename__ = "moodle_sync_state"

    site_id: Mapped[int] = mapped_column(ForeignKey("moodle_site.id", ondelete="CASCADE"), primary_key=True)
    moodle_course_id: Mapped[int] = mapped_column(primary_key=True)
    moodle_user_id: Mapped[int] = mapped_column(primary_key=True)
    signature: Mapped[str] = mapped_column(String(64))
    checked_at: Mapped[dt.datetime]
    # Whether the course completion (if mapped) was seen complete; incomplete ones are read again for a
    # while after the learner's last activity, since Moodle marks course completion in its cron.
    course_completed: Mapped[bool] = mapped_column(default=False)
    last_activity_at: Mapped[dt.datetime | None]
