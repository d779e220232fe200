"""One sync per site at a time, across processes and servers: a lease on the site's row.

Why a lease in the database: every app server and cron host shares the database, not an instance folder
(a file lock would let two servers sync the same site at once), and it works the same on SQLite and
PostgreSQL. Taking it is one conditional UPDATE, atomic on both (PostgreSQL row lock; SQLite's single
writer). A sync renews the lease at every checkpoint; a crashed one's lease runs out after LEASE and the
next sync takes over and resumes from the cursor. The caller commits after acquire/release.
"""

from __future__ import annotations

import datetime as dt
import os
import secrets
import socket

from flask_babel import lazy_gettext as _l
from sqlalchemy import CursorResult, or_, update
from sqlalchemy.orm import Session

from lms_bridge.db import utcnow
from lms_bridge.moodle.models import MoodleSite
from lms_bridge.moodle.problems import SyncRunning

# Longer than the longest gap between checkpoints: a batch of calls, each with its retries and timeouts.
LEASE = dt.timedelta(minutes=15)


def new_owner() -> str:
    """Who holds a lock: host, process and a random part (one process may run several syncs)."""
    return f"{socket.gethostname()[:60]}:{os.getpid()}:{secrets.token_hex(4)}"


def acquire(session: Session, site: MoodleSite, owner: str, *, now: dt.datetime | None = None) -> None:
    """Take the site's sync lock for `owner`; raises SyncRunning while another holder's lease is fresh."""
    now = now or utcnow()
    result: CursorResult[tuple[()]] = session.execute(  # type: ignore[assignment]
        update(MoodleSite)
        .where(
            MoodleSite.id == site.id,
            or_(MoodleSite.lock_heartbeat_at.is_(None), MoodleSite.lock_heartbeat_at < now - LEASE),
        )
        .values(lock_owner=owner, lock_heartbeat_at=now)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        session.refresh(site)
        raise SyncRunning(
            _l(
                "Moodle-sivuston %(name)s synkronointi on jo käynnissä (%(owner)s, viimeksi elossa "
                "%(at)s UTC). Odota sen päättymistä; keskeytyneen synkronoinnin lukko vapautuu %(minutes)s "
                "minuutissa.",
                name=site.name,
                owner=site.lock_owner,
                at=site.lock_heartbeat_at.strftime("%Y-%m-%d %H:%M") if site.lock_heartbeat_at else "?",
                minutes=int(LEASE.total_seconds() // 60),
            )
        )
    session.refresh(site)


def renew(session: Session, site_id: int, owner: str) -> None:
    """Renew the lease; raises SyncRunning when another sync took the lock over (ours had run out)."""
    result: CursorResult[tuple[()]] = session.execute(  # type: ignore[assignment]
        update(MoodleSite)
        .where(MoodleSite.id == site_id, MoodleSite.lock_owner == owner)
        .values(lock_heartbeat_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise SyncRunning(_l("Toinen synkronointi otti lukon; tämä lopetetaan."))


def release(session: Session, site_id: int, owner: str) -> None:
    session.execute(
        update(MoodleSite)
        .where(MoodleSite.id == site_id, MoodleSite.lock_owner == owner)
        .values(lock_owner=None, lock_heartbeat_at=None)
        .execution_options(synchronize_session=False)
    )


def is_running(site: MoodleSite, *, now: dt.datetime | None = None) -> bool:
    """Whether a sync holds the site's lock with a fresh lease (for pages)."""
    now = now or utcnow()
    return site.lock_heartbeat_at is not None and site.lock_heartbeat_at >= now - LEASE
