"""The learner's pages as a home-care nurse uses them, at 1280 and 360 px: who is signed in and the way
out, the way back to "Kurssisi", the module sized to its content (one scroll bar), the table of contents
folded away on a phone, and notices that tell only what the browser really blocked and stay until
dismissed. Every page: axe-core clean and no sideways scrolling."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Frame, Page, expect

from tests.browser.layout import words_too_wide
from tests.browser.player_site import (
    PlayerSite,
    content_frame,
    expect_notice,
    launch,
    player_site_fixture,  # noqa: F401 - registers the fixture
    press_launch,
    wait_saved,
)
from tests.browser.test_player_accessibility import violations

pytestmark = pytest.mark.browser

NOTICES = "learner-notices-scorm12"  # tests/data/packages
WIDTHS = [1280, 360]


def open_context(browser: Browser, width: int, *, bypass_csp: bool) -> Iterator[tuple[Page, list[str]]]:
    context = browser.new_context(viewport={"width": width, "height": 800}, bypass_csp=bypass_csp)
    context.set_default_timeout(10_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page, errors
    context.close()


@pytest.fixture(params=WIDTHS, ids=lambda w: f"{w}px")
def axe_page(request: pytest.FixtureRequest, browser: Browser) -> Iterator[tuple[Page, list[str]]]:
    """axe is injected as an inline script, which the pages' CSP forbids: this context bypasses it."""
    yield from open_context(browser, request.param, bypass_csp=True)


@pytest.fixture
def csp_page(browser: Browser) -> Iterator[tuple[Page, list[str]]]:
    """The content CSP in force, as for a learner: it is what blocks another server's script."""
    yield from open_context(browser, 1024, bypass_csp=False)


@pytest.fixture
def csp_phone(browser: Browser) -> Iterator[tuple[Page, list[str]]]:
    yield from open_context(browser, 360, bypass_csp=False)


def fits(page: Page) -> bool:
    """No sideways scrolling, and no heading word that could only break mid-word."""
    wide = page.evaluate("() => document.documentElement.scrollWidth > window.innerWidth")
    return not wide and not words_too_wide(page)


def frame_height(page: Page) -> float:
    box = page.locator("#player-frame").bounding_box()
    assert box is not None
    return float(box["height"])


def open_item(page: Page, title: str) -> Frame:
    page.get_by_role("navigation", name="Sisällysluettelo").get_by_role("link", name=title).click()
    page.wait_for_url(re.compile(r"item="))
    frame = content_frame(page)
    expect(frame.get_by_role("heading", level=1)).to_have_text(title)
    return frame


def test_every_learner_page_fits_and_passes_axe(
    axe_page: tuple[Page, list[str]], player_site: PlayerSite, axe_js: Path
) -> None:
    page, errors = axe_page
    site = player_site
    width = page.viewport_size["width"] if page.viewport_size else 0
    found: list[str] = []
    page.goto(site.url("/"))
    found += violations(page, axe_js, f"front page, signed out, {width}")
    assert fits(page), "front page"
    page.get_by_role("link", name="Kirjaudu demohenkilönä ja suorita kursseja (kehitystila)").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Harjoituskirjautuminen")
    page.get_by_label("Nimi tai henkilönumero").fill("a")
    page.get_by_role("button", name="Hae", exact=True).click()
    found += violations(page, axe_js, f"demo sign-in, {width}")
    assert fits(page), "demo sign-in"
    page.get_by_label("Henkilö", exact=True).select_option(index=1)
    page.get_by_role("button", name="Kirjaudu henkilönä").click()
    # the header names the learner and offers the way out; the front page lists their courses
    expect(page.get_by_role("button", name=re.compile(r"^Kirjaudu ulos \(.+\)$"))).to_be_visible()
    expect(page.get_by_role("heading", name="Kurssisi")).to_be_visible()
    found += violations(page, axe_js, f"front page, learner, {width}")
    assert fits(page), "front page, learner"
    page.goto(site.url(f"/play/{NOTICES}"))
    found += violations(page, axe_js, f"course page, {width}")
    assert fits(page), "course page"
    press_launch(page)
    content_frame(page)
    wait_saved(page)
    found += violations(page, axe_js, f"player, {width}")
    assert fits(page), "player"
    page.goto(site.url("/reports/me"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Oma osaamiseni")
    found += violations(page, axe_js, f"my competence, {width}")
    assert fits(page), "my competence"
    # back from the player to the course list, then out
    launch(page, site, NOTICES)
    page.get_by_role("link", name="← Kurssisi").click()
    expect(page.get_by_role("heading", name="Kurssisi")).to_be_visible()
    page.get_by_role("button", name=re.compile(r"^Kirjaudu ulos \(")).click()
    expect(page.get_by_text("Olet kirjautunut ulos.")).to_be_visible()
    expect(page.get_by_role("heading", name="Kurssisi")).to_have_count(0)
    assert found == []
    assert errors == []


def test_the_module_is_as_tall_as_its_page_and_follows_it(
    csp_page: tuple[Page, list[str]], player_site: PlayerSite
) -> None:
    page, _errors = csp_page
    player_site.sign_in(page.context, player_site.new_learner())
    launch(page, player_site, NOTICES)
    frame = content_frame(page)
    expect(frame.get_by_role("heading", level=1)).to_have_text("Pitkä sivu")
    page.wait_for_function("() => document.getElementById('player-frame').classList.contains('is-sized')")
    page.wait_for_function(
        "() => document.getElementById('player-frame').getBoundingClientRect().height > 2400"
    )
    # one scroll bar, the page's: the SCO's page has nothing left to scroll inside the frame
    assert frame.evaluate("() => document.documentElement.scrollHeight <= window.innerHeight + 1")
    before = frame_height(page)
    frame.get_by_role("button", name="Lisää sisältöä").click()
    page.wait_for_function(
        "before => document.getElementById('player-frame').getBoundingClientRect().height >= before + 900",
        arg=before,
    )
    # and shrinks with a shorter page
    open_item(page, "Lyhyt sivu")
    page.wait_for_function(
        "() => { const f = document.getElementById('player-frame');"
        " return f.classList.contains('is-sized') && f.getBoundingClientRect().height < 500; }"
    )


def test_a_licence_link_is_no_alarm_but_a_blocked_script_is_and_stays(
    csp_page: tuple[Page, list[str]], player_site: PlayerSite
) -> None:
    page, _errors = csp_page
    player_site.sign_in(page.context, player_site.new_learner())
    launch(page, player_site, NOTICES)
    frame = content_frame(page)
    expect(frame.get_by_role("heading", level=1)).to_have_text("Pitkä sivu")
    wait_saved(page)
    page.wait_for_timeout(500)  # a report would have crossed by now
    expect(page.locator("#player-notices .notice")).to_have_count(0)

    open_item(page, "Estetty kirjasto")
    expect_notice(page, "127.0.0.1:9")
    # the save that follows says so in the status line, and the notice is still there
    wait_saved(page)
    expect_notice(page, "estetty")
    dismiss = page.locator("#player-notices").get_by_role("button", name="Sulje ilmoitus")
    dismiss.focus()
    page.keyboard.press("Enter")
    expect(page.locator("#player-notices .notice")).to_have_count(0)
    assert page.evaluate("() => document.activeElement && document.activeElement.id") == "player-frame"


def test_the_table_of_contents_folds_away_on_a_phone(
    csp_phone: tuple[Page, list[str]], player_site: PlayerSite
) -> None:
    page, errors = csp_phone
    player_site.sign_in(page.context, player_site.new_learner())
    launch(page, player_site, NOTICES)
    content_frame(page)
    toggle = page.get_by_role("button", name="Näytä kaikki osat (3)")
    parts = page.locator("#player-toc-list")
    expect(toggle).to_be_visible()
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(parts).to_be_hidden()
    expect(page.get_by_role("link", name="Seuraava osa")).to_be_visible()  # moving on needs no unfolding
    toggle.focus()
    page.keyboard.press("Enter")
    expect(toggle).to_have_attribute("aria-expanded", "true")
    expect(parts.get_by_role("link", name="Lyhyt sivu")).to_be_visible()
    assert fits(page)
    # a wide screen shows the contents beside the module, without the button
    page.set_viewport_size({"width": 1280, "height": 800})
    expect(toggle).to_be_hidden()
    expect(parts).to_be_visible()
    assert errors == []
