"""Fixtures of the sync tests: the app's session in an app context, a registered site on a fake Moodle,
and a helper that runs the real sync (runner.run_sync) as the CLI does."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import text
from sqlalchemy.orm import Session

from lms_bridge.db import get_session
from lms_bridge.moodle.models import MoodleSite
from lms_bridge.moodle.plan import SyncReport
from lms_bridge.moodle.runner import run_sync
from lms_bridge.moodle.sites import save_site
from tests.fakes.moodle import FakeMoodle


@pytest.fixture
def app_session(db_app: Flask, session: Session) -> Iterator[Session]:
    """The app's own session (as the CLI's), inside an app context; it shares the test's transaction.

    The test's `session` opens its SAVEPOINT first, so the app session's commits (SAVEPOINT releases) nest
    inside it and the test's rollback undoes everything."""
    session.execute(text("SELECT 1"))
    db_app.config.update(MOODLE_RETRIES=2, MOODLE_READ_TIMEOUT_SECONDS=30, MOODLE_CONNECT_TIMEOUT_SECONDS=5)
    with db_app.app_context():
        yield get_session()


@pytest.fixture
def add_site(db_app: Flask, app_session: Session) -> Callable[..., MoodleSite]:
    def add(fake: FakeMoodle, name: str = "lab", token: str | None = None) -> MoodleSite:
        site = save_site(
            app_session,
            name=name,
            base_url=fake.url,
            token=token or fake.token,
            secret_key=db_app.config["SECRET_KEY"],
            actor="test",
        )
        app_session.commit()
        return site

    return add


@pytest.fixture
def sync(db_app: Flask, app_session: Session) -> Callable[..., SyncReport]:
    def run(site: MoodleSite, **options: Any) -> SyncReport:
        return run_sync(app_session, site, config=db_app.config, actor="test", **options)

    return run
