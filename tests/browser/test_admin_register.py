"""The register, imports, accounts and API tokens in real Chromium, as an admin uses them: every page at
1280 and 360 px with axe-core and a check that nothing scrolls sideways; the CSV upload flow end to end."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Locator, Page, expect
from sqlalchemy import select

from lms_bridge.db import get_session
from lms_bridge.register.models import Staff
from tests.browser.live_server import DEMO_PASSWORD, LiveServer, add_demo_region, live_server
from tests.browser.test_sco_accessibility import axe_violations

pytestmark = pytest.mark.browser
PASSWORD = DEMO_PASSWORD
WIDTHS = (1280, 360)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    folder = tmp_path_factory.mktemp("admin-register")
    with live_server(folder / "server") as running:
        add_demo_region(running)
        yield running


@pytest.fixture
def staff_numbers(server: LiveServer) -> list[str]:
    assert server.app is not None
    with server.app.app_context():
        return list(get_session().scalars(select(Staff.employee_number).order_by(Staff.id).limit(3)))


def open_admin(browser: Browser, server: LiveServer, width: int) -> tuple[Page, list[str]]:
    context = browser.new_context(viewport={"width": width, "height": 800})
    context.set_default_timeout(15_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(server.url + "/auth/login")
    page.get_by_label("Käyttäjätunnus").fill("paakayttaja")
    page.get_by_label("Salasana").fill(PASSWORD)
    page.get_by_role("button", name="Kirjaudu").click()
    expect(page.get_by_role("link", name="Ylläpito")).to_be_visible()
    return page, errors


def check(page: Page, axe_js: Path, where: str) -> list[str]:
    """axe-core's violations, and whether the page is wider than the screen (sideways scrolling)."""
    found = axe_violations(page, axe_js, where)
    overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    if overflow > 0:
        found.append(f"{where}: {overflow} px wider than the viewport")
    return found


@pytest.mark.parametrize("width", WIDTHS)
def test_an_admin_finds_a_person_and_corrects_a_completion(
    browser: Browser, server: LiveServer, axe_js: Path, width: int
) -> None:
    page, errors = open_admin(browser, server, width)
    page.get_by_role("link", name="Ylläpito").click()
    expect(page.get_by_role("heading", name="Ylläpito", level=1)).to_be_visible()
    found = check(page, axe_js, f"index {width}")

    page.get_by_role("link", name="Henkilöstö").click()
    page.get_by_label("Yksikkö alayksiköineen").select_option("KOHO")
    page.get_by_role("button", name="Hae").click()
    expect(page.get_by_role("status")).to_contain_text("henkilöä, sivu 1 /")
    found += check(page, axe_js, f"staff search {width}")
    page.get_by_role("link", name="Seuraava sivu").click()
    expect(page.get_by_role("status")).to_contain_text("sivu 2 /")
    page.get_by_label("Nimi, henkilönumero tai yksikkö").fill("aino")
    page.get_by_role("button", name="Hae").click()
    page.get_by_role("region", name="Henkilöt sukunimen mukaan").get_by_role("link").first.click()
    expect(page.get_by_role("heading", name="Kaikki suoritukset")).to_be_visible()
    found += check(page, axe_js, f"person {width}")

    page.get_by_role("link", name="Korjaa").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Korjaa suoritus")
    found += check(page, axe_js, f"correction {width}")
    page.get_by_role("button", name="Tallenna korjaus").click()  # no reason, no change
    expect(page.get_by_text("Kerro korjauksen syy: se tallentuu muutoslokiin.")).to_be_visible()
    found += check(page, axe_js, f"correction refused {width}")
    page.get_by_label("Oikeat pisteet").fill("91")
    page.get_by_label("Korjauksen syy").fill("Pisteet kirjattu väärin")
    page.get_by_role("button", name="Tallenna korjaus").click()
    expect(page.get_by_role("status")).to_contain_text("korjattu; uusi kirjaus")
    expect(page.get_by_text("korvattu korjauksella").first).to_be_visible()

    page.get_by_role("link", name="Ylläpito").first.click()
    page.get_by_role("link", name="Yksiköt").click()
    expect(page.get_by_role("heading", name="Yksiköt", level=1)).to_be_visible()
    found += check(page, axe_js, f"units {width}")
    page.get_by_role("link", name="Pori 1, tiimi 1").click()
    expect(page.get_by_label("Yksikkö alayksiköineen")).to_have_value("KOHO-001-T1")
    assert found == [], found
    assert errors == []
    page.context.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_a_csv_file_is_previewed_then_imported_and_a_bad_one_refused(
    browser: Browser, server: LiveServer, axe_js: Path, width: int, tmp_path: Path, staff_numbers: list[str]
) -> None:
    page, errors = open_admin(browser, server, width)
    page.goto(server.url + "/admin/imports")
    found = check(page, axe_js, f"imports {width}")
    completions = section(page, "Suoritukset")

    good = tmp_path / "suoritukset.csv"
    good.write_text(
        "employee_number;competence_code;completed_at;source;source_ref;score\n"
        + "".join(
            f"{number};KOHT-01;5.3.2024;selaintesti;{width}-{i};85,5\n"
            for i, number in enumerate(staff_numbers)
        ),
        encoding="utf-8",
    )
    completions.get_by_label("CSV-tiedosto").set_input_files(str(good))
    completions.get_by_role("button", name="Esikatsele: suoritukset").click()
    expect(page.get_by_role("heading", name="Esikatselu: Suoritukset")).to_be_visible()
    expect(page.get_by_role("status")).to_have_text(
        "Koeajo, ei tallennettu: 3 uutta suoritusta, 0 jo kirjattu."
    )
    page.get_by_text("Uudet (3)").click()  # the list of rows opens
    expect(page.get_by_text(f"rivi 2: {staff_numbers[0]} KOHT-01 5.3.2024")).to_be_visible()
    found += check(page, axe_js, f"preview {width}")
    page.get_by_role("button", name="Vahvista ja tuo").click()
    expect(page.get_by_role("status")).to_have_text(
        "Suoritukset tuotiin tiedostosta suoritukset.csv: 3 uutta suoritusta, 0 jo kirjattu."
    )

    bad = tmp_path / "virheet.csv"
    bad.write_text(
        "employee_number;competence_code;completed_at;source;source_ref\n"
        f"{staff_numbers[0]};KOHT-01;31.2.2024;selaintesti;{width}-x1\n"
        f"EI-OLE;KOHT-01;1.3.2024;selaintesti;{width}-x2\n"
        f"{staff_numbers[1]};EI-OLE-01;1.3.2024;selaintesti;{width}-x3\n",
        encoding="utf-8",
    )
    completions = section(page, "Suoritukset")
    completions.get_by_label("CSV-tiedosto").set_input_files(str(bad))
    completions.get_by_role("button", name="Esikatsele: suoritukset").click()
    expect(page.get_by_role("alert")).to_have_text(
        "Tuonti hylättiin: 3 riviä 3 rivistä on virheellisiä. Tietokantaa ei muutettu."
    )
    rows = page.get_by_role("region", name="3 hylättyä riviä").get_by_role("row")
    expect(rows).to_have_count(4)
    expect(rows.nth(1)).to_contain_text("31.2.2024")
    expect(rows.nth(2)).to_contain_text("henkilönumeroa EI-OLE ei löydy")
    found += check(page, axe_js, f"refused {width}")
    assert found == [], found
    assert errors == []
    page.context.close()


def section(page: Page, heading: str) -> Locator:
    return page.locator("section").filter(has=page.get_by_role("heading", name=heading, exact=True))


@pytest.mark.parametrize("width", WIDTHS)
def test_a_staff_import_deactivating_many_asks_first(
    browser: Browser, server: LiveServer, axe_js: Path, width: int, tmp_path: Path
) -> None:
    page, errors = open_admin(browser, server, width)
    page.goto(server.url + "/admin/imports")
    small = tmp_path / "henkilosto.csv"
    small.write_text(
        "employee_number,first_name,last_name,job_title,unit_code\n9001,Testi,Henkilö,kotihoitaja,KOHO\n",
        encoding="utf-8",
    )
    staff = section(page, "Henkilöstö")
    staff.get_by_label("CSV-tiedosto").set_input_files(str(small))
    staff.get_by_role("button", name="Esikatsele: henkilöstö").click()
    # everyone but the one in the file: the demo's active staff
    expect(
        page.get_by_text(re.compile(r"Tuonti passivoisi (\d+) henkilöä \1 aktiivisesta \(100 %\)"))
    ).to_be_visible()
    found = check(page, axe_js, f"mass deactivation {width}")
    page.get_by_role("button", name="Vahvista ja tuo").click()
    expect(page.get_by_role("alert")).to_contain_text("Tuontia ei tehty. Vahvista passivointi")
    expect(page.get_by_label("Tiedosto on oikein: passivoi nämä henkilöt", exact=False)).not_to_be_checked()
    found += check(page, axe_js, f"mass deactivation refused {width}")
    page.get_by_role("button", name="Peru tuonti").click()
    expect(page.get_by_role("status")).to_contain_text("Tuonti peruttiin")
    assert found == [], found
    assert errors == []
    page.context.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_accounts_and_tokens(browser: Browser, server: LiveServer, axe_js: Path, width: int) -> None:
    page, errors = open_admin(browser, server, width)
    page.goto(server.url + "/admin/accounts")
    found = check(page, axe_js, f"accounts {width}")
    name = f"uusi.esihenkilo{width}"
    page.get_by_label("Käyttäjätunnus").fill(name)
    page.get_by_label("Esihenkilö: näkee annettujen yksiköiden raportit").check()
    page.get_by_label("Uusi salasana").fill("lyhyt")
    page.get_by_label("Salasana uudelleen").fill("lyhyt")
    page.get_by_role("button", name="Luo tili").click()
    expect(page.get_by_text("Salasanassa on oltava vähintään 12 merkkiä.")).to_be_visible()
    found += check(page, axe_js, f"account refused {width}")
    page.get_by_label("Uusi salasana").fill(PASSWORD)
    page.get_by_label("Salasana uudelleen").fill(PASSWORD)
    page.get_by_label("Yksiköt, joita esihenkilö näkee").fill("KOHO-001")
    page.get_by_role("button", name="Luo tili").click()
    expect(page.get_by_role("status")).to_have_text(f"Tili {name} luotu.")
    found += check(page, axe_js, f"account {width}")
    page.get_by_role("button", name=f"Poista tili {name} käytöstä").click()
    expect(page.get_by_role("status")).to_contain_text("poistettu käytöstä; sen istunnot päättyivät")
    expect(page.get_by_role("button", name=f"Ota tili {name} käyttöön")).to_be_visible()

    page.get_by_role("link", name="Ylläpito").first.click()
    page.get_by_role("link", name="API-tunnukset").click()
    page.get_by_label("Tunnuksen nimi").fill(f"raportointi-{width}")
    page.get_by_role("button", name="Luo tunnus").click()
    expect(page.get_by_label("Tunnus", exact=True)).to_have_value(re.compile(r"^lmsb_[A-Za-z0-9_-]{40,}$"))
    found += check(page, axe_js, f"token shown {width}")
    page.goto(server.url + "/admin/tokens")  # shown once: not on the list's own page
    expect(page.get_by_label("Tunnus", exact=True)).to_have_count(0)
    page.get_by_role("button", name=f"Peru raportointi-{width}").click()
    expect(page.get_by_role("status")).to_contain_text(f"Tunnus raportointi-{width} peruttiin")
    found += check(page, axe_js, f"tokens {width}")
    assert found == [], found
    assert errors == []
    page.context.close()


def test_a_supervisor_has_no_admin_link_and_is_refused(browser: Browser, server: LiveServer) -> None:
    context = browser.new_context(viewport={"width": 360, "height": 800})
    page = context.new_page()
    page.goto(server.url + "/auth/login")
    page.get_by_label("Käyttäjätunnus").fill("esihenkilo")
    page.get_by_label("Salasana").fill(PASSWORD)
    page.get_by_role("button", name="Kirjaudu").click()
    expect(page.get_by_role("link", name="Raportit")).to_be_visible()
    expect(page.get_by_role("link", name="Ylläpito")).to_have_count(0)
    response = page.goto(server.url + "/admin/staff")
    assert response is not None
    assert response.status == 403
    context.close()
