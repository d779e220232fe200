"""Running a site's sync with everything around it: the lock, the run record, commits at checkpoints,
and Moodle's errors turned into a failed run with a Finnish message. Used by the CLI and the admin's
"sync now" button (in a background thread, started by `start_in_background`).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping
from typing import Any

from flask import Flask
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from lms_bridge.db import get_session
from lms_bridge.errors import DomainError
from lms_bridge.moodle import lock
from lms_bridge.moodle.errors import MoodleError
from lms_bridge.moodle.models import MoodleSite, MoodleSyncRun
from lms_bridge.moodle.plan import SyncReport
from lms_bridge.moodle.problems import MoodleProblem, explain
from lms_bridge.moodle.runs import finish_run, start_run
from lms_bridge.moodle.sites import client_for
from lms_bridge.moodle.sync import SiteSync

logger = logging.getLogger(__name__)

UNEXPECTED = _l("Odottamaton virhe synkronoinnissa; katso palvelimen loki.")


def run_sync(
    session: Session,
    site: MoodleSite,
    *,
    config: Mapping[str, Any],
    actor: str,
    dry_run: bool = False,
    owner: str | None = None,
    batch_size: int = 200,
) -> SyncReport:
    """Sync one site and commit as it goes; returns the report (its errors list says what went wrong).

    Takes the site's lock (raises SyncRunning) unless `owner` already holds it; always releases it. A dry
    run takes no lock, writes nothing and rolls back. Raises MoodleProblem/TokenUnreadable when the sync
    could not run at all; errors past that point end up in the report and the run record.
    """
    client = client_for(site, config)  # raises TokenUnreadable before anything is locked
    if dry_run:
        try:
            sync = _site_sync(session, site, client, config, actor, None, None, batch_size, dry_run=True)
            try:
                return sync.run()
            except MoodleError as error:
                sync.report.error(explain(error))
                return sync.report
        finally:
            session.rollback()
            client.close()

    if owner is None:
        owner = lock.new_owner()
        lock.acquire(session, site, owner)
        session.commit()
    site_id = site.id
    run = start_run(session, site_id, started_by=actor)
    session.commit()
    sync = _site_sync(session, site, client, config, actor, run, owner, batch_size)
    try:
        sync.run()
        _finish(session, run.id, sync.report, failed=False)
    except (MoodleError, DomainError) as error:
        session.rollback()  # the unfinished batch; earlier ones are committed
        message = explain(error) if isinstance(error, MoodleError) else str(error.message)
        logger.warning("Moodle sync of site %s stopped: %s", site_id, type(error).__name__)
        sync.report.error(message)
        _finish(session, run.id, sync.report, failed=True)
    except Exception:
        session.rollback()
        logger.exception("Moodle sync of site %s failed", site_id)
        sync.report.error(str(UNEXPECTED))
        _finish(session, run.id, sync.report, failed=True)
        raise
    finally:
        lock.release(session, site_id, owner)
        session.commit()
        client.close()
    return sync.report


def _site_sync(
    session: Session,
    site: MoodleSite,
    client: Any,
    config: Mapping[str, Any],
    actor: str,
    run: MoodleSyncRun | None,
    owner: str | None,
    batch_size: int,
    *,
    dry_run: bool = False,
) -> SiteSync:
    site_id = site.id

    def progress(report: SyncReport) -> None:
        if run is not None:
            _copy(run, report)

    return SiteSync(
        session,
        site,
        client,
        match_order=config["MOODLE_MATCH_ORDER"],
        recorded_by=f"moodle-sync:{site.name}",
        checkpoint=session.commit if not dry_run else (lambda: None),
        renew=(lambda: lock.renew(session, site_id, owner)) if owner else (lambda: None),
        on_progress=progress,
        dry_run=dry_run,
        batch_size=batch_size,
    )


def _copy(run: MoodleSyncRun, report: SyncReport) -> None:
    run.calls = report.calls
    run.retries = report.retries
    run.users_checked = report.users_checked
    run.records_added = report.records_added
    run.unmatched_users = report.unmatched
    run.errors = list(report.errors)


def _finish(session: Session, run_id: int, report: SyncReport, *, failed: bool) -> None:
    run = session.get_one(MoodleSyncRun, run_id)
    _copy(run, report)
    finish_run(run, failed=failed)
    session.commit()


# --- "sync now" from a page --------------------------------------------------------------------------

Starter = Callable[[Flask, int, str, str], None]


def start_in_background(app: Flask, site_id: int, owner: str, actor: str) -> None:
    """Run the sync of a site whose lock `owner` already holds, in a thread of this process.

    The page returns at once and shows the lock ("running") and then the run. If the process ends
    first, the lease runs out and the next sync resumes from the cursor.
    """
    thread = threading.Thread(
        target=run_in_app, args=(app, site_id, owner, actor), name=f"moodle-sync-{site_id}", daemon=True
    )
    thread.start()


def run_in_app(app: Flask, site_id: int, owner: str, actor: str) -> None:
    with app.app_context():
        session = get_session()
        site = session.get_one(MoodleSite, site_id)
        try:
            run_sync(session, site, config=app.config, actor=actor, owner=owner)
        except (DomainError, MoodleProblem):
            logger.warning("Moodle sync of site %s could not start", site_id)
            lock.release(session, site_id, owner)
            session.commit()
        except Exception:
            logger.exception("Moodle sync of site %s failed", site_id)


def starter(app: Flask) -> Starter:
    """How this app starts a sync from a page (tests put an inline one in app.extensions)."""
    found: Starter = app.extensions.get("lms_bridge.moodle.starter", start_in_background)
    return found
