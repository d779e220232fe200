"""The admin's Moodle pages in real Chromium at 1280 and 360 px, with axe-core: add a site, test it, sync
now (a real background thread against a fake Moodle on 127.0.0.1), read the run and the unmatched list."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect
from sqlalchemy import select

from lms_bridge.db import get_session
from lms_bridge.register.models import Staff
from tests.browser.live_server import LiveServer, add_demo_region, live_server
from tests.browser.test_reports import check, open_page, sign_in
from tests.fakes.moodle import FakeMoodle

pytestmark = pytest.mark.browser
T0 = 1790000000


@pytest.fixture(scope="module")
def moodle() -> Iterator[FakeMoodle]:
    with FakeMoodle() as fake:
        yield fake


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, moodle: FakeMoodle) -> Iterator[LiveServer]:
    folder = tmp_path_factory.mktemp("moodle-pages")
    with live_server(folder / "server", ENV="development") as running:
        add_demo_region(running, supervisor_unit=None)
        assert running.app is not None
        with running.app.app_context():
            numbers = get_session().scalars(select(Staff.employee_number).limit(3)).all()
        data = moodle.data
        course = data.add_course("KOHT", "Vaikuttava asiakaskohtaaminen")
        scorm = data.add_scorm(course.id, "Kohtaaminen (SCORM 1.2)")
        for n, number in enumerate(numbers):
            user = data.add_user(f"hoitaja{n}", idnumber=number)
            data.enrol(course.id, user.id)
            data.record_scorm_attempt(scorm.id, user.id, time=T0 + n, status="passed", score=90)
        # Unmatched learners with long names and addresses: the table must scroll in its own box at 360 px.
        for n in range(3):
            user = data.add_user(
                f"tuntematon.kayttaja.numero{n}",
                firstname="Maria-Kristiina",
                lastname=f"Pitkänimisenhenkilönsukunimi{n}",
                email=f"maria-kristiina.pitkanimisenhenkilonsukunimi{n}@hyvinvointialue.example.invalid",
                idnumber=f"ULKOPUOLINEN-{n:05d}",
            )
            data.enrol(course.id, user.id)
        token_file = folder / "token"
        token_file.write_text(moodle.token)
        running.cli(
            "moodle", "site", "add", "satakunta", "--url", moodle.url, "--token-file", str(token_file)
        )
        running.cli("moodle", "map", "satakunta", "--activity", str(scorm.cmid), "--competence", "KOHT-01")
        yield running


@pytest.mark.parametrize("width", [1280, 360])
def test_an_admin_tests_and_syncs_a_site_and_reads_the_result(
    browser: Browser, server: LiveServer, moodle: FakeMoodle, axe_js: Path, width: int
) -> None:
    page, errors = open_page(browser, width)
    sign_in(page, server, "paakayttaja")
    page.get_by_role("link", name="Ylläpito").click()
    page.get_by_role("link", name="Moodle-sivustot").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Moodle-sivustot")
    expect(
        page.get_by_role("table", name="Moodle-sivustot ja niiden viimeisin synkronointi")
    ).to_contain_text(f"…{moodle.token[-4:]}")
    found = check(page, axe_js, f"sites {width}")

    page.get_by_role("link", name="satakunta").click()
    page.get_by_role("button", name="Testaa yhteys").click()
    expect(page.get_by_role("heading", name="Yhteys toimii")).to_be_visible()
    expect(page.get_by_text("4.3 (Build: 20231009)")).to_be_visible()
    found += check(page, axe_js, f"connection {width}")

    page.get_by_role("button", name="Synkronoi nyt").click()
    expect(page.get_by_role("status")).to_contain_text("Synkronointi käynnistyi")
    runs = page.get_by_role(
        "table",
        name="Synkronoinnit: aika, kesto, kutsut, uudet suoritukset, tunnistamattomat käyttäjät ja virheet",
    )
    for _ in range(50):  # the sync runs in the server's background thread
        page.reload()
        if (
            runs.count()
            and "ei vielä" not in runs.inner_text()
            and "käynnissä" not in page.inner_text("main > p")
        ):
            break
        page.wait_for_timeout(200)
    expect(runs).to_be_visible()
    expect(page.get_by_role("table", name="Tunnistamattomat käyttäjät ja syy")).to_contain_text(
        "ULKOPUOLINEN-00002"
    )
    found += check(page, axe_js, f"site after sync {width}")
    assert moodle.token not in page.content()

    assert found == []
    assert errors == []
