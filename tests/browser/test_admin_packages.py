"""An admin imports course packages in a real browser: upload with progress, summary, a second version,
rollback to the first, preview, and a refused zip — with axe-core on every page."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from lms_bridge import PROJECT_ROOT
from scorm.authoring import load_course
from scorm.build import build_package
from tests.browser.live_server import LiveServer, live_server
from tests.browser.test_sco_accessibility import axe_violations
from tests.unit.scorm.test_package import minimal_files, zip_of

pytestmark = pytest.mark.browser
PASSWORD = "selaintestin-salasana"


@pytest.fixture
def server(tmp_path: Path) -> Iterator[LiveServer]:
    with live_server(tmp_path / "server") as running:
        running.cli("accounts", "create", "paakayttaja", "--role", "admin", "--password", PASSWORD)
        yield running


@pytest.fixture
def admin_page(browser: Browser) -> Iterator[Page]:
    # The preview page allows no inline script; Playwright injects axe as one, so this context bypasses CSP.
    context = browser.new_context(viewport={"width": 1024, "height": 800}, bypass_csp=True)
    context.set_default_timeout(15_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    context.close()
    assert errors == []


def module_zips(tmp_path: Path) -> tuple[Path, Path]:
    course = load_course(PROJECT_ROOT / "courses" / "kohtaaminen")
    first = build_package(course, "scorm12", tmp_path / "v1")
    second = build_package(dataclasses.replace(course, version="1.1.0"), "scorm12", tmp_path / "v2")
    return first, second


def upload(page: Page, zip_path: Path, course: str, *, new_course: bool = False) -> None:
    page.get_by_label("SCORM-paketti (zip)").set_input_files(str(zip_path))
    page.get_by_label("Kurssin tunniste (vapaaehtoinen)").fill(course)
    if new_course:
        page.get_by_label("Luo uusi kurssi tällä tunnisteella").check()
    page.get_by_role("button", name="Tuo paketti").click()


def test_import_version_rollback_and_preview(
    server: LiveServer, admin_page: Page, axe_js: Path, tmp_path: Path
) -> None:
    page = admin_page
    found: list[str] = []
    page.goto(f"{server.url}/admin/packages")
    expect(page.get_by_role("heading", name="Kirjaudu sisään", level=1)).to_be_visible()
    found += axe_violations(page, axe_js, "sign-in")
    page.get_by_label("Käyttäjätunnus").fill("paakayttaja")
    page.get_by_label("Salasana").fill(PASSWORD)
    page.get_by_role("button", name="Kirjaudu").click()
    expect(page.get_by_role("heading", name="Kurssipaketit", level=1)).to_be_visible()
    found += axe_violations(page, axe_js, "packages")

    first, second = module_zips(tmp_path)
    upload(page, first, "kohtaaminen", new_course=True)
    expect(page.get_by_role("heading", name="Vaikuttava asiakaskohtaaminen – versio 1")).to_be_visible()
    expect(
        page.get_by_text(
            "Paketista tehtiin uusi kurssi Vaikuttava asiakaskohtaaminen (luonnos).", exact=False
        )
    ).to_be_visible()
    found += axe_violations(page, axe_js, "version summary")

    page.get_by_role("link", name="Ylläpito").click()  # the header's one admin link
    page.get_by_role("link", name="Kurssipaketit").click()
    upload(page, second, "kohtaaminen")
    expect(page.get_by_role("heading", name="Vaikuttava asiakaskohtaaminen – versio 2")).to_be_visible()

    page.get_by_role("link", name="Kurssi: Vaikuttava asiakaskohtaaminen").click()
    rows = page.get_by_role("row")
    expect(rows.filter(has_text="versio 2")).to_contain_text("Käytössä")
    found += axe_violations(page, axe_js, "course")
    page.get_by_role("button", name="Ota versio 1 käyttöön").click()
    expect(page.get_by_text("Uudet suorituskerrat käyttävät nyt versiota 1.")).to_be_visible()
    expect(rows.filter(has_text="versio 1")).to_contain_text("Käytössä")
    expect(page.get_by_role("button", name="Ota versio 2 käyttöön")).to_be_visible()

    page.get_by_role("link", name="Esikatsele versiota 1").click()
    # the package, on the content origin, inside the frame page that gives it the API
    frame = page.frame_locator("#preview-frame").frame_locator("#sco-frame")
    expect(frame.get_by_role("heading", name="Vaikuttava asiakaskohtaaminen", level=1)).to_be_visible()
    # as tall as the module's page: the preview page has the only scroll bar
    page.wait_for_function("() => document.getElementById('preview-frame').classList.contains('is-sized')")
    sco = page.frame_locator("#preview-frame").frame_locator("#sco-frame").locator("html")
    assert sco.evaluate("html => html.scrollHeight <= window.innerHeight + 1")
    found += axe_violations(page, axe_js, "preview")
    assert found == []


def test_refused_zip_is_explained_and_nothing_is_stored(
    server: LiveServer, admin_page: Page, tmp_path: Path
) -> None:
    page = admin_page
    page.goto(f"{server.url}/auth/login?next=/admin/packages")
    page.get_by_label("Käyttäjätunnus").fill("paakayttaja")
    page.get_by_label("Salasana").fill(PASSWORD)
    page.get_by_role("button", name="Kirjaudu").click()
    bad = tmp_path / "paha.zip"
    bad.write_bytes(zip_of({**minimal_files(), "../evil.html": b"<script>alert(1)</script>"}))
    upload(page, bad, "")
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("Pakettia ei tuotu.")
    expect(alert).to_contain_text("Zip-paketissa on polku, joka osoittaa paketin ulkopuolelle: ../evil.html.")
    expect(page.get_by_text("Kursseja ei ole vielä tuotu.")).to_be_visible()
    store = tmp_path / "server" / "data" / "packages"
    assert not store.exists() or [p.name for p in store.iterdir()] == []
