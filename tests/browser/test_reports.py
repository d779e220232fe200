"""Supervisor reports and the learner's own page in real Chromium, at 1280 and 360 px, with axe-core."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.live_server import DEMO_PASSWORD, LiveServer, add_demo_region, live_server
from tests.browser.test_sco_accessibility import axe_violations

pytestmark = pytest.mark.browser
PASSWORD = DEMO_PASSWORD
WIDTHS = (1280, 360)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    folder = tmp_path_factory.mktemp("reports")
    with live_server(folder / "server", ENV="development", DEV_SIGN_IN=True) as running:
        add_demo_region(running)
        yield running


def open_page(browser: Browser, width: int) -> tuple[Page, list[str]]:
    context = browser.new_context(viewport={"width": width, "height": 800})
    context.set_default_timeout(15_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    return page, errors


def sign_in(page: Page, server: LiveServer, username: str) -> None:
    page.goto(server.url + "/auth/login")
    page.get_by_label("Käyttäjätunnus").fill(username)
    page.get_by_label("Salasana").fill(PASSWORD)
    page.get_by_role("button", name="Kirjaudu").click()


def check(page: Page, axe_js: Path, where: str) -> list[str]:
    """axe-core's violations, and whether the page is wider than the screen (sideways scrolling)."""
    found = axe_violations(page, axe_js, where)
    overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    if overflow > 0:
        found.append(f"{where}: {overflow} px wider than the viewport")
    return found


@pytest.mark.parametrize("width", WIDTHS)
def test_a_supervisor_walks_the_reports(
    browser: Browser, server: LiveServer, axe_js: Path, width: int
) -> None:
    page, errors = open_page(browser, width)
    sign_in(page, server, "esihenkilo")
    page.get_by_role("link", name="Raportit").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Kotihoito")
    found = check(page, axe_js, f"overview {width}")

    # drill down to a sub-unit, filter, sort
    page.get_by_role("region", name="Alayksiköittäin").get_by_role("link").first.click()
    expect(page.get_by_role("navigation", name="Yksikköpolku")).to_contain_text("Kotihoito")
    page.get_by_label("Tila").select_option("problem")
    page.get_by_label("Järjestys").select_option("job_title")
    page.get_by_role("button", name="Näytä").click()
    expect(page.get_by_text("henkilöä, sivu 1 /")).to_be_visible()
    found += check(page, axe_js, f"filtered sub-unit {width}")

    # a person's transcript from the matrix
    page.get_by_role("region", name="Henkilöt").get_by_role("row").nth(1).get_by_role("link").click()
    expect(page.get_by_role("heading", name="Kaikki suoritukset")).to_be_visible()
    found += check(page, axe_js, f"transcript {width}")

    page.go_back()
    page.get_by_role("navigation", name="Yksikköpolku").get_by_role("link", name="Kotihoito").click()
    for link, heading in (
        ("Puuttuvat osaamiset", "Puuttuvat osaamiset"),
        ("Vanhenevat", "Vanhenevat osaamiset"),
        ("Vanhentuneet", "Vanhentuneet osaamiset"),
        ("Kehitys kuukausittain", "Pakollisten osaamisten voimassaolo"),
    ):
        page.get_by_role("link", name=link, exact=True).click()
        expect(page.get_by_role("heading", level=1)).to_contain_text(heading)
        found += check(page, axe_js, f"{link} {width}")
        page.go_back()

    # an export downloads from the page, with the same filters
    with page.expect_download() as download:
        page.get_by_role("link", name="CSV").first.click()
    assert download.value.suggested_filename == "osaaminen-KOHO.csv"

    page.goto(server.url + "/reports/settings")
    page.get_by_label("Sähköpostiosoite").fill("esihenkilo@satakunta.fi")
    page.get_by_label("Lähetä minulle viikoittain kooste", exact=False).check()
    page.get_by_role("button", name="Tallenna").click()
    expect(page.get_by_role("status")).to_contain_text("Asetukset tallennettiin")
    found += check(page, axe_js, f"settings {width}")

    # another service area is not there, even by typing its address
    response = page.goto(server.url + "/reports/units/ASOH")
    assert response is not None
    assert response.status == 404
    assert found == [], found
    assert errors == []
    page.context.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_an_admin_assigns_a_supervisor_and_sees_the_region(
    browser: Browser, server: LiveServer, axe_js: Path, width: int
) -> None:
    page, errors = open_page(browser, width)
    sign_in(page, server, "paakayttaja")
    page.get_by_role("link", name="Raportit").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Satakunnan hyvinvointialue")
    found = check(page, axe_js, f"region {width}")
    page.get_by_role("link", name="Ylläpito").click()  # the header's one admin link
    page.get_by_role("link", name="Esihenkilöt").click()
    field = page.get_by_label("Yksiköt, joita esihenkilö näkee")
    expect(field).to_have_value("KOHO")
    found += check(page, axe_js, f"supervisors {width}")
    field.fill("KOHO, EI-OLE")
    page.get_by_role("button", name="Tallenna esihenkilo").click()
    expect(page.get_by_text("Yksikköä EI-OLE ei löydy.")).to_be_visible()
    found += check(page, axe_js, f"supervisors refused {width}")
    assert found == [], found
    assert errors == []
    page.context.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_a_learner_sees_their_own_page(
    browser: Browser, server: LiveServer, axe_js: Path, width: int
) -> None:
    page, errors = open_page(browser, width)
    page.goto(server.url + "/dev/sign-in")
    page.get_by_label("Henkilö", exact=True).select_option(index=3)
    page.get_by_role("button").filter(has_text="Kirjaudu").click()
    page.goto(server.url + "/reports/me")
    expect(page.get_by_role("heading", level=1)).to_have_text("Oma osaamiseni")
    expect(page.get_by_role("heading", name="Tehtävänä")).to_be_visible()
    found = check(page, axe_js, f"my page {width}")
    page.goto(server.url + "/reports/units/SATA")
    expect(page).to_have_url(server.url + "/reports/me")
    assert found == [], found
    assert errors == []
    page.context.close()
