"""Browser fixtures: Debian's Chromium driven by Playwright, and a real HTTP server on 127.0.0.1 serving the
test LMS page (tests/browser/lms/) beside every module's package, built with scorm.build and unzipped.

Tests taking `course_dir` run for every folder in courses/ with a course.yaml plus the sample course in
tests/data/courses; tests taking `standard` run for SCORM 1.2 and SCORM 2004.
"""

from __future__ import annotations

import os
import shutil
import threading
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache, partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from lms_bridge import PROJECT_ROOT
from scorm.authoring import Course, House, discover, load_course
from scorm.build import build_package
from tests.conftest import in_ci

CHROMIUM = Path(os.environ.get("LMS_BRIDGE_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
LMS_DIR = Path(__file__).parent / "lms"
AXE_JS = PROJECT_ROOT / "node_modules" / "axe-core" / "axe.min.js"
SAMPLE_COURSE_DIR = PROJECT_ROOT / "tests" / "data" / "courses" / "naytemoduuli"
COURSE_DIRS = discover(PROJECT_ROOT / "courses") + discover(SAMPLE_COURSE_DIR.parent)
STANDARDS = ("scorm12", "scorm2004")

# Measured suspend_data lengths, printed at the end of the run (see pytest_terminal_summary).
SUSPEND_REPORT: list[str] = []


@cache
def _has_house(folder: Path) -> bool:
    return any(isinstance(section, House) for section in load_course(folder).sections)


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "course_dir" in metafunc.fixturenames:
        metafunc.parametrize("course_dir", COURSE_DIRS, ids=[d.name for d in COURSE_DIRS])
    if "house_course_dir" in metafunc.fixturenames:
        dirs = [d for d in COURSE_DIRS if _has_house(d)]
        metafunc.parametrize("house_course_dir", dirs, ids=[d.name for d in dirs])
    if "standard" in metafunc.fixturenames:
        metafunc.parametrize("standard", STANDARDS)


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if SUSPEND_REPORT:
        terminalreporter.section("longest suspend_data per module")
        for line in SUSPEND_REPORT:
            terminalreporter.write_line(line)


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@dataclass(frozen=True)
class Site:
    """The test site: /lms/ (the test LMS page) and /pkg/<course>-<standard>/ (each unzipped package)."""

    base_url: str
    root: Path

    def sco_url(self, course_id: str, standard: str) -> str:
        return f"{self.base_url}/pkg/{course_id}-{standard}/index.html"

    def lms_url(self, course_id: str, standard: str, **extra: str | int) -> str:
        """The test LMS launching a package; extra: key (the attempt's storage key), nest, popup, mastery."""
        query = {"sco": f"/pkg/{course_id}-{standard}/index.html", "std": standard, "key": "attempt"}
        query.update({k: str(v) for k, v in extra.items()})
        return f"{self.base_url}/lms/index.html?{urlencode(query)}"


@pytest.fixture(scope="session")
def courses() -> dict[str, Course]:
    return {folder.name: load_course(folder) for folder in COURSE_DIRS}


@pytest.fixture
def course(course_dir: Path, courses: dict[str, Course]) -> Course:
    return courses[course_dir.name]


@pytest.fixture
def house_course(house_course_dir: Path, courses: dict[str, Course]) -> Course:
    return courses[house_course_dir.name]


@pytest.fixture
def sample_course(courses: dict[str, Course]) -> Course:
    """The small test module with every kind of section (tests/data/courses/naytemoduuli)."""
    return courses[SAMPLE_COURSE_DIR.name]


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory, courses: dict[str, Course]) -> Iterator[Site]:
    """Build every module in both formats with the real builder, unzip, and serve them over HTTP."""
    root = tmp_path_factory.mktemp("site")
    zips = tmp_path_factory.mktemp("zips")
    shutil.copytree(LMS_DIR, root / "lms")
    for course in courses.values():
        for standard in STANDARDS:
            archive = build_package(course, standard, zips)  # type: ignore[arg-type]
            with zipfile.ZipFile(archive) as package:
                package.extractall(root / "pkg" / f"{course.id}-{standard}")
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(_QuietHandler, directory=str(root)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield Site(f"http://127.0.0.1:{server.server_address[1]}", root)
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="session")
def axe_js() -> Path:
    if not AXE_JS.is_file():
        reason = f"axe-core not found at {AXE_JS} (scripts/setup runs npm ci)"
        if in_ci():
            pytest.fail(reason)
        pytest.skip(reason)
    return AXE_JS


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        reason = f"Chromium not found at {CHROMIUM} (scripts/setup --browser installs Debian's chromium)"
        if in_ci():
            pytest.fail(reason)
        pytest.skip(reason)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def _open_page(browser: Browser, width: int, height: int) -> Iterator[Page]:
    """A fresh context (own localStorage); any script error in any frame fails the test."""
    context = browser.new_context(viewport={"width": width, "height": height})
    context.set_default_timeout(10_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(f"{error}"))
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on(
        "response",
        lambda response: (
            errors.append(f"{response.status} {response.url}") if response.status >= 400 else None
        ),
    )
    yield page
    context.close()
    assert not errors, f"script errors in the page: {errors}"


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    yield from _open_page(browser, 1024, 800)


@pytest.fixture
def phone_page(browser: Browser) -> Iterator[Page]:
    """A 360 px wide viewport, as on a small phone."""
    yield from _open_page(browser, 360, 740)


@pytest.fixture
def phone_frame_page(browser: Browser) -> Iterator[Page]:
    """326 px wide: the module's frame inside its border in the player on a 360 px phone."""
    yield from _open_page(browser, 326, 740)
