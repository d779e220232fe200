"""The LTI launch in real Chromium, as Moodle frames it: a page of the test platform on another site
(http://localhost vs the tool's http://127.0.0.1) frames the launch; the learner plays our module to the
end inside it; the score arrives at the platform's score endpoint and the competence in the register.
With third-party cookies blocked and no partitioned cookies, the tool offers a new window, and that
works."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select, update

from lms_bridge.catalog.framework import DEFAULT_FRAMEWORK, parse_framework
from lms_bridge.catalog.service import get_course_by_slug, publish, set_course_rules
from lms_bridge.db import transaction, utcnow
from lms_bridge.demo.generator import generate_demo
from lms_bridge.lti import platforms
from lms_bridge.packages.service import import_package
from lms_bridge.packages.store import PackageStore
from lms_bridge.player.models import Attempt
from lms_bridge.register.models import Staff
from lms_bridge.register.requirements import load_framework
from lms_bridge.register.status import StatusFilter, competence_statuses
from scorm.authoring import load_course
from scorm.build import build_package, default_schemas
from scorm.package import Limits
from tests.browser.conftest import SAMPLE_COURSE_DIR
from tests.browser.live_server import LiveServer
from tests.browser.sco_driver import ScoDriver
from tests.browser.test_sco_run_time import walk_whole_module
from tests.lti_platform import TestPlatform

pytestmark = pytest.mark.browser
logging.getLogger("werkzeug").setLevel(logging.WARNING)
SLUG = "naytemoduuli"


def _site(folder: Path, shared_dir: Path, *, partitioned: bool) -> tuple[LiveServer, TestPlatform]:
    server = LiveServer(
        folder,
        {
            "SESSION_COOKIE_SECURE": True,
            "SESSION_COOKIE_SAMESITE": "None",
            "SESSION_COOKIE_PARTITIONED": partitioned,
            "LTI_SEND_SCORES_AFTER_COMMIT": True,
        },
    )
    tool = server.start()
    moodle = TestPlatform(shared_dir, host="localhost")
    moodle.tool_login_url, moodle.tool_launch_url = f"{tool}/lti/login", f"{tool}/lti/launch"
    moodle.tool_jwks = f"{tool}/lti/jwks.json"
    moodle.start()
    course = load_course(SAMPLE_COURSE_DIR)
    archive = build_package(course, "scorm12", folder / "zips")
    app = server.app
    assert app is not None
    with app.app_context(), transaction() as session:
        load_framework(session, parse_framework(DEFAULT_FRAMEWORK.read_text(encoding="utf-8")), actor="test")
        generate_demo(session, staff=3, seed=3, completions_per_staff=0.0, now=utcnow(), actor="test")
        first = session.scalars(select(Staff.id).order_by(Staff.id)).first()
        session.execute(update(Staff).where(Staff.id == first).values(employee_number="EMP1002"))
        result = import_package(
            session,
            archive,
            store=PackageStore.under(app.config["DATA_DIR"]),
            schemas=default_schemas(),
            limits=Limits(),
            actor="test",
            origin="cli",
            course_slug=SLUG,
            new_course=get_course_by_slug(session, SLUG) is None,  # the demo made the built-in ones
        )
        set_course_rules(
            session,
            course=result.course,
            competence_codes=list(course.competences),
            passing_score=None,
            actor="test",
        )
        publish(session, result.course, actor="test")
        platforms.add_platform(
            session,
            name="Lab",
            deployment_ids=["1"],
            actor="test",
            now=utcnow(),
            **moodle.registration_values(),
        )
    moodle.custom = {"course": SLUG}
    return server, moodle


@pytest.fixture
def site(
    tmp_path: Path, shared_dir: Path, request: pytest.FixtureRequest
) -> Iterator[tuple[LiveServer, TestPlatform]]:
    server, moodle = _site(tmp_path / "server", shared_dir, partitioned=getattr(request, "param", True))
    try:
        yield server, moodle
    finally:
        moodle.stop()
        server.stop()


@pytest.fixture
def chromium(browser: Browser) -> Browser:
    """The suite's one Chromium (tests/browser/conftest.py): a second sync Playwright in the same worker
    cannot start while the first runs."""
    return browser


def block_third_party_cookies(page: Page) -> None:
    cdp = page.context.new_cdp_session(page)
    cdp.send(
        "Network.setCookieControls",
        {
            "enableThirdPartyCookieRestriction": True,
            "disableThirdPartyCookieMetadata": True,
            "disableThirdPartyCookieHeuristics": True,
        },
    )


def staff_id(server: LiveServer) -> int:
    with server.app.app_context(), transaction() as session:  # type: ignore[union-attr]
        return session.scalars(select(Staff.id).where(Staff.employee_number == "EMP1002")).one()


def register_status(server: LiveServer, staff: int, code: str) -> str:
    with server.app.app_context(), transaction() as session:  # type: ignore[union-attr]
        rows = competence_statuses(
            session, now=utcnow(), expiring_within_days=60, flt=StatusFilter(staff_id=staff)
        )
    return next((row.status for row in rows if row.competence_code == code), "absent")


def outbox(server: LiveServer) -> list[tuple]:
    from lms_bridge.lti.models import LtiGradeTarget, LtiScore

    with server.app.app_context(), transaction() as session:  # type: ignore[union-attr]
        rows = [(r.status, r.tries, r.last_error) for r in session.scalars(select(LtiScore))]
        return [*rows, ("targets", len(session.scalars(select(LtiGradeTarget)).all()))]


def wait_for_score(moodle: TestPlatform, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while not moodle.scores and time.monotonic() < deadline:
        time.sleep(0.1)


def play_to_the_end(page: Page) -> None:
    course = load_course(SAMPLE_COURSE_DIR)
    content = None
    for _ in range(200):
        # the SCO's own frame: inside the content origin's frame page (itself inside the player, which
        # Moodle's page frames), both under .../content/<token>/
        content = next(
            (
                f
                for f in page.frames
                if "/content/" in f.url and f.parent_frame is not None and "/content/" in f.parent_frame.url
            ),
            None,
        )
        if content is not None:
            break
        page.wait_for_timeout(50)
    assert content is not None, [f.url for f in page.frames]
    sco = ScoDriver(content, course)
    sco.wait_ready()
    walk_whole_module(sco, quiz_right=[True] * course.quiz.per_attempt)


def test_framed_launch_plays_to_the_end_and_the_score_reaches_the_platform(chromium: Browser, site):
    server, moodle = site
    context = chromium.new_context(viewport={"width": 1200, "height": 900})
    page = context.new_page()
    block_third_party_cookies(page)  # CHIPS still keeps the partitioned cookies
    page.goto(f"{moodle.base}/mod/lti/view.php?user=student")
    player = page.frame_locator("#contentframe")
    expect(player.locator("#player-status")).to_be_attached(timeout=15_000)
    assert any("/play/attempt/" in f.url for f in page.frames)
    play_to_the_end(page)
    expect(player.locator("#player-status")).to_contain_text("Kurssi on suoritettu", timeout=15_000)
    wait_for_score(moodle)
    assert moodle.scores, outbox(server)
    (score,) = moodle.scores
    assert score.status == 200
    assert score.body["userId"] == "4"
    assert score.body["scoreGiven"] == 100.0
    assert score.body["gradingProgress"] == "FullyGraded"
    staff = staff_id(server)
    assert register_status(server, staff, "OSAL-02") == "valid"
    with server.app.app_context(), transaction() as session:  # type: ignore[union-attr]
        (attempt,) = session.scalars(select(Attempt).where(Attempt.staff_id == staff)).all()
        assert attempt.launched_via == "lti"
        assert attempt.completed_at is not None
    context.close()


@pytest.mark.parametrize("site", [False], indirect=True)
def test_blocked_cookies_open_the_course_in_a_new_window_and_that_works(chromium: Browser, site):
    server, moodle = site
    context = chromium.new_context(viewport={"width": 1200, "height": 900})
    page = context.new_page()
    block_third_party_cookies(page)
    page.goto(f"{moodle.base}/mod/lti/view.php?user=student")
    frame = page.frame_locator("#contentframe")
    link = frame.get_by_role("link", name="Avaa kurssi uudessa ikkunassa")
    expect(link).to_be_visible(timeout=15_000)
    with context.expect_page() as popup_info:
        link.click()
    popup = popup_info.value
    expect(popup.locator("#player-status")).to_be_attached(timeout=15_000)
    assert "/play/attempt/" in popup.url
    play_to_the_end(popup)
    expect(popup.locator("#player-status")).to_contain_text("Kurssi on suoritettu", timeout=15_000)
    wait_for_score(moodle)
    assert [s.status for s in moodle.scores] == [200]
    assert register_status(server, staff_id(server), "OSAL-02") == "valid"
    context.close()
