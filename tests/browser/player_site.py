"""The player's browser-test site: the real app on 127.0.0.1 (tests/browser/live_server.py: werkzeug in a
thread, a committed SQLite file) with demo staff, our four modules (SCORM 1.2 and 2004 builds) and every
package of ../shared/fixtures/scorm imported through `packages.service.import_package`.

The server can be stopped and started again on the same port and database (a restart mid-attempt), and a
learner is signed in by giving the browser a session cookie signed with the app's key, as the demo
sign-in would (one test goes through the sign-in page itself).
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import shutil
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from flask import Flask
from playwright.sync_api import Browser, BrowserContext, Frame, Page, expect
from sqlalchemy import select
from sqlalchemy.orm import Session

from lms_bridge import PROJECT_ROOT
from lms_bridge.catalog.builtin import builtin_course
from lms_bridge.catalog.framework import DEFAULT_FRAMEWORK, parse_framework
from lms_bridge.catalog.models import Competence
from lms_bridge.catalog.service import get_course_by_slug, publish, set_course_rules
from lms_bridge.db import transaction, utcnow
from lms_bridge.demo.generator import generate_demo
from lms_bridge.packages.service import import_package
from lms_bridge.packages.store import PackageStore
from lms_bridge.player.models import Attempt, AttemptItem
from lms_bridge.register.models import Staff
from lms_bridge.register.requirements import load_framework
from lms_bridge.register.status import StatusFilter, competence_statuses
from scorm.authoring import Course, discover, load_course
from scorm.build import build_package, default_schemas
from scorm.package import Limits
from tests.browser.live_server import LiveServer

MODULE_DIRS = discover(PROJECT_ROOT / "courses")
FIXTURE_COMPETENCE = "PLAYER-FX"
logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no request log lines in the test output


def fixture_slug(zip_name: str) -> str:
    return "fx-" + zip_name.removesuffix(".zip")


@dataclass
class PlayerSite:
    """The running app (tests/browser/live_server.py) and what was imported into it."""

    server: LiveServer
    modules: dict[str, Course]  # slug -> course source (the 1.2 build is course <slug>, 2004 <slug>-2004)
    fixtures: list[str]  # zip file names in ../shared/fixtures/scorm
    _staff: Iterator[int] = field(init=False)
    _port: int = 0

    @property
    def app(self) -> Flask:
        assert self.server.app is not None
        return self.server.app

    @property
    def base_url(self) -> str:
        return self.server.url

    def url(self, path: str) -> str:
        return self.base_url + path

    def stop(self) -> None:
        self._port = self.server.port
        self.server.stop()

    def start_again(self) -> None:
        """A new app instance (a restarted process) on the same port and database."""
        self.server.start(self._port)

    # ------------------------------------------------------------------ data

    def db(self) -> Session:
        return Session(self.app.extensions["lms_bridge.engine"], expire_on_commit=False)

    def new_learner(self) -> int:
        """A staff member no other test has used (attempts are per learner and course)."""
        return next(self._staff)

    def sign_in(self, context: BrowserContext, staff_id: int) -> None:
        serializer = self.app.session_interface.get_signing_serializer(self.app)  # type: ignore[attr-defined]
        cookie = serializer.dumps({"staff_id": staff_id, "staff_via": "dev"})
        context.add_cookies([{"name": "session", "value": cookie, "url": self.base_url}])

    def attempts(self, staff_id: int, slug: str) -> list[Attempt]:
        from lms_bridge.packages.models import Course as CourseRow

        with self.db() as s:
            return list(
                s.scalars(
                    select(Attempt)
                    .join(CourseRow, CourseRow.id == Attempt.course_id)
                    .where(Attempt.staff_id == staff_id, CourseRow.slug == slug)
                    .order_by(Attempt.number)
                )
            )

    def items(self, attempt_id: int) -> dict[str, AttemptItem]:
        with self.db() as s:
            rows = s.scalars(select(AttemptItem).where(AttemptItem.attempt_id == attempt_id))
            return {row.item: row for row in rows}

    def register_status(self, staff_id: int, competence_code: str) -> str:
        """The competence's status for the person, as the register computes it."""
        with self.db() as s:
            rows = competence_statuses(
                s, now=utcnow(), expiring_within_days=60, flt=StatusFilter(staff_id=staff_id)
            )
        return next((row.status for row in rows if row.competence_code == competence_code), "absent")


def module_competence(slug: str) -> str:
    builtin = builtin_course(PROJECT_ROOT / "courses", slug.removesuffix("-2004"))
    assert builtin is not None, slug
    return builtin.competence_codes[0]


def _load(app: Flask, root: Path, fixtures_dir: Path) -> tuple[dict[str, Course], list[str]]:
    modules = {folder.name: load_course(folder) for folder in MODULE_DIRS}
    zips = root / "zips"
    zips.mkdir()
    fixtures = sorted(path.name for path in fixtures_dir.glob("*.zip"))
    store = PackageStore.under(app.config["DATA_DIR"])
    limits = Limits(max_files=10000, max_total_bytes=1 << 30, max_ratio=200)
    schemas = default_schemas()
    with app.app_context(), transaction() as session:
        framework = DEFAULT_FRAMEWORK.read_text(encoding="utf-8")
        load_framework(session, parse_framework(framework), actor="test")
        generate_demo(session, staff=150, seed=7, completions_per_staff=0.0, now=utcnow(), actor="test")
        session.add(
            Competence(
                code=FIXTURE_COMPETENCE,
                name_fi="Testipaketit",
                name_sv="Testpaket",
                name_en="Test packages",
                validity_months=None,
            )
        )
        session.flush()

        def add(path: Path, slug: str, competence: str) -> None:
            result = import_package(
                session,
                path,
                store=store,
                schemas=schemas,
                limits=limits,
                actor="test",
                origin="cli",
                course_slug=slug,
                new_course=get_course_by_slug(session, slug) is None,  # the demo made the built-in ones
            )
            set_course_rules(
                session, course=result.course, competence_codes=[competence], passing_score=None, actor="test"
            )
            publish(session, result.course, actor="test")

        for slug, course in modules.items():
            add(build_package(course, "scorm12", zips), slug, module_competence(slug))
            add(build_package(course, "scorm2004", zips), f"{slug}-2004", module_competence(slug))
        for name in fixtures:
            add(fixtures_dir / name, fixture_slug(name), FIXTURE_COMPETENCE)
        for folder in sorted(
            p for p in (PROJECT_ROOT / "tests" / "data" / "packages").iterdir() if p.is_dir()
        ):
            add(_zipped(folder, zips), folder.name, FIXTURE_COMPETENCE)
    return modules, fixtures


def _zipped(folder: Path, into: Path) -> Path:
    """A package of tests/data/packages as the zip an admin would upload."""
    target = into / f"{folder.name}.zip"
    with zipfile.ZipFile(target, "w") as archive:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                archive.write(path, path.relative_to(folder).as_posix())
    return target


@pytest.fixture(scope="session", name="player_site")
def player_site_fixture(tmp_path_factory: pytest.TempPathFactory, shared_dir: Path) -> Iterator[PlayerSite]:
    root = tmp_path_factory.mktemp("player-site")
    server = LiveServer(root / "server", {"ENV": "development", "DEV_SIGN_IN": True})
    server.start()
    try:
        modules, fixtures = _load(server.app, root, shared_dir / "fixtures" / "scorm")  # type: ignore[arg-type]
        site = PlayerSite(server, modules, fixtures)
        with site.db() as s:
            site._staff = iter(
                s.scalars(select(Staff.id).where(Staff.active.is_(True)).order_by(Staff.id)).all()
            )
        yield site
    finally:
        server.stop()
        shutil.rmtree(root / "server" / "data", ignore_errors=True)


@pytest.fixture(name="lenient_page")
def lenient_page_fixture(browser: Browser) -> Iterator[tuple[Page, list[str]]]:
    """A page whose script and network errors are collected for the test to judge (a cut network, or
    third-party content, logs some on purpose)."""
    context = browser.new_context(viewport={"width": 1024, "height": 800})
    context.set_default_timeout(10_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    yield page, errors
    context.close()


def only_commit_failures(errors: list[str]) -> list[str]:
    """The errors that are not a commit failing while the network or server is away."""
    return [e for e in errors if "ERR_CONNECTION_REFUSED" not in e and "net::ERR_FAILED" not in e]


# ---------------------------------------------------------------------- driving the player page

LAUNCH_BUTTON = re.compile(r"^(Aloita kurssi|Jatka kurssia|Kertaa kurssia|Aloita uusi suorituskerta)$")


def press_launch(page: Page) -> None:
    """On a course page (/play/<slug>), press its button: only that POST starts or resumes an attempt."""
    page.get_by_role("button", name=LAUNCH_BUTTON).click()
    page.wait_for_url(re.compile(r"/play/attempt/\d+"))


def launch(page: Page, site: PlayerSite, slug: str) -> None:
    """Open a course as a learner does: its page, then its button."""
    page.goto(site.url(f"/play/{slug}"))
    press_launch(page)


def content_frame(page: Page) -> Frame:
    """The SCO's frame, once it shows a package page: inside the player's frame, which holds the frame page
    of the content origin (lms_bridge/packages/content.py)."""
    for _ in range(200):
        frame = next(
            (
                sco
                for holder in page.main_frame.child_frames
                for sco in holder.child_frames
                if "/content/" in sco.url
            ),
            None,
        )
        if frame is not None:
            return frame
        page.wait_for_timeout(50)
    raise AssertionError(f"no content frame in {[f.url for f in page.frames]}")


def wait_saved(page: Page, timeout: float = 15_000) -> None:
    """Every commit the page made has been answered by the server."""
    page.wait_for_function("() => window.lmsbPlayer && window.lmsbPlayer.queued() === 0", timeout=timeout)


def expect_status(page: Page, text: str, timeout: float = 15_000) -> None:
    expect(page.locator("#player-status")).to_contain_text(text, timeout=timeout)


def expect_notice(page: Page, text: str, timeout: float = 15_000) -> None:
    """A notice that stays until the learner dismisses it (content blocked, no API, a refused save)."""
    expect(page.locator("#player-notices .notice").filter(has_text=text)).to_have_count(1, timeout=timeout)


def now() -> dt.datetime:
    return utcnow()
