"""WCAG 2.1 AA on the player's own pages (axe-core), the table of contents by keyboard alone, a 360 px phone,
and the demo sign-in used through its form. The packages' own pages are not ours: our modules' pages are
checked in test_sco_accessibility.py."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page, expect

from tests.browser.player_site import (
    PlayerSite,
    content_frame,
    fixture_slug,
    launch,
    player_site_fixture,  # noqa: F401 - registers the fixture
    press_launch,
    wait_saved,
)
from tests.browser.sco_driver import ScoDriver
from tests.browser.test_sco_accessibility import AXE_TAGS
from tests.browser.test_sco_run_time import walk_whole_module

pytestmark = pytest.mark.browser

MULTI_SCO = fixture_slug("golf-runtime-minimum-multisco-scorm12.zip")
ASSETS = fixture_slug("golf-cp-onefilepersco-scorm12.zip")
SEQUENCED = fixture_slug("golf-seq-simpleremediation-scorm2004-3rd.zip")
# As test_sco_accessibility's run, on this page only: the content frame holds a package's own pages.
AXE_RUN = """async tags => {
    const rules = {'heading-order': {enabled: true}, 'region': {enabled: true}};
    const result = await axe.run(document, {runOnly: {type: 'tag', values: tags}, rules, iframes: false});
    return result.violations.map(
        v => ({id: v.id, help: v.help, nodes: v.nodes.map(n => n.target.join(' '))}));
}"""


def _console_errors(errors: list[str]) -> Callable[[ConsoleMessage], None]:
    def record(message: ConsoleMessage) -> None:
        # A failed load is judged by its response below (the browser's own favicon request has none, and a
        # commit aborted on purpose has none either).
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            errors.append(message.text)

    return record


def _open(browser: Browser, width: int, height: int) -> Iterator[Page]:
    # The player page allows no inline script; Playwright injects axe as one, so this context bypasses CSP.
    context = browser.new_context(viewport={"width": width, "height": height}, bypass_csp=True)
    context.set_default_timeout(10_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", _console_errors(errors))
    page.on("response", lambda r: errors.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    yield page
    context.close()
    assert not errors, f"script errors in the page: {errors}"


@pytest.fixture
def csp_free_page(browser: Browser) -> Iterator[Page]:
    yield from _open(browser, 1024, 800)


@pytest.fixture
def csp_free_phone(browser: Browser) -> Iterator[Page]:
    yield from _open(browser, 360, 740)


def violations(page: Page, axe_js: Path, where: str) -> list[str]:
    if not page.evaluate("() => typeof axe !== 'undefined'"):
        page.add_script_tag(path=str(axe_js))
    found: list[dict[str, Any]] = page.evaluate(AXE_RUN, AXE_TAGS)
    return [f"{where}: {v['id']} ({v['help']}) at {v['nodes'][:3]}" for v in found]


def play(page: Page, site: PlayerSite, slug: str, staff: int | None = None) -> int:
    staff = staff or site.new_learner()
    site.sign_in(page.context, staff)
    launch(page, site, slug)
    content_frame(page)
    return staff


def test_player_pages_have_no_axe_violations(csp_free_page: Page, player_site: PlayerSite, axe_js: Path):
    page, site = csp_free_page, player_site
    found: list[str] = []
    staff = play(page, site, "kohtaaminen")
    found += violations(page, axe_js, "one SCO")
    for slug, where in ((MULTI_SCO, "table of contents"), (ASSETS, "assets only"), (SEQUENCED, "sequencing")):
        play(page, site, slug, staff)
        found += violations(page, axe_js, where)
    page.wait_for_function("() => window.lmsbPlayer && window.lmsbPlayer.initialized()")
    page.context.route("**/commit", lambda route: route.abort())
    # The SCO left behind finishes and the next part opens: the commit kept from the first page fails there.
    with page.expect_navigation(url=re.compile(r"item=")):
        page.get_by_role("link", name="Seuraava osa").click()
    expect(page.locator("#player-status")).to_contain_text("katkesi")
    found += violations(page, axe_js, "connection problem shown")
    page.context.unroute("**/commit")
    assert found == []


def test_completed_module_in_review_has_no_axe_violations(
    csp_free_page: Page, player_site: PlayerSite, axe_js: Path
):
    page, site = csp_free_page, player_site
    play(page, site, "osallisuuden-tasot")
    sco = ScoDriver(content_frame(page), site.modules["osallisuuden-tasot"])
    sco.wait_ready()
    walk_whole_module(sco, quiz_right=[True] * sco.course.quiz.per_attempt)
    expect(page.locator("#player-status")).to_contain_text("suoritettu")
    found = violations(page, axe_js, "completed")
    wait_saved(page)
    launch(page, site, "osallisuuden-tasot")
    # review mode says so once: the note above the content, not the status line as well
    expect(page.get_by_text("Kertaat suoritettua kurssia")).to_have_count(1)
    expect(page.locator("#player-status")).to_have_text("")
    found += violations(page, axe_js, "review")
    assert found == []


def test_table_of_contents_works_by_keyboard_alone(page: Page, player_site: PlayerSite):
    play(page, player_site, MULTI_SCO)
    toc = page.get_by_role("navigation", name="Sisällysluettelo")
    links = toc.get_by_role("list").get_by_role("link")
    expect(links.first).to_have_attribute("aria-current", "page")
    target = links.nth(2)
    title = target.inner_text()
    for _ in range(40):  # Tab from the top of the page until the third item has focus
        page.keyboard.press("Tab")
        if target.evaluate("element => element === document.activeElement"):
            break
    else:
        raise AssertionError("the third TOC item never got keyboard focus")
    page.keyboard.press("Enter")
    expect(links.nth(2)).to_have_attribute("aria-current", "page")
    expect(page.locator("#player-frame")).to_have_attribute("title", f"Kurssin sisältö: {title}")
    page.wait_for_function("() => window.lmsbPlayer && window.lmsbPlayer.initialized()")
    # the previous and next links are keyboard links too
    previous = toc.get_by_role("link", name="Edellinen osa")
    previous.focus()
    page.keyboard.press("Enter")
    expect(links.nth(1)).to_have_attribute("aria-current", "page")
    page.wait_for_function("() => window.lmsbPlayer && window.lmsbPlayer.initialized()")


def test_player_fits_a_phone(csp_free_phone: Page, player_site: PlayerSite, axe_js: Path):
    page = csp_free_phone
    play(page, player_site, MULTI_SCO)
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
    toc_box = page.get_by_role("navigation", name="Sisällysluettelo").bounding_box()
    frame_box = page.locator("#player-frame").bounding_box()
    assert toc_box is not None
    assert frame_box is not None
    assert frame_box["y"] >= toc_box["y"] + toc_box["height"]  # one column: contents first, then content
    assert violations(page, axe_js, "phone") == []


def test_demo_sign_in_through_its_form(csp_free_page: Page, player_site: PlayerSite, axe_js: Path):
    page, site = csp_free_page, player_site
    page.goto(site.url("/play/hairiokysynta"))
    expect(page).to_have_url(re.compile("/dev/sign-in"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Harjoituskirjautuminen")
    found = violations(page, axe_js, "sign-in")
    chooser = page.get_by_label("Henkilö", exact=True)
    value = chooser.locator("option").nth(5).get_attribute("value")
    assert value is not None
    chooser.select_option(value)
    page.get_by_role("button", name="Kirjaudu henkilönä").click()
    # on to the course the learner asked for: its page says what opening it does, and its button does it
    expect(page.get_by_role("heading", level=1)).to_have_text("Häiriökysyntä")
    found += violations(page, axe_js, "course page")
    press_launch(page)
    frame = content_frame(page)
    assert "/content/" in frame.url
    page.goto(site.url("/"))
    expect(page.get_by_role("heading", name="Kurssisi")).to_be_visible()
    expect(page.locator('a[href="/play/hairiokysynta"]')).to_have_text("Häiriökysyntä")
    found += violations(page, axe_js, "front page")
    page.get_by_role("button", name=re.compile(r"^Kirjaudu ulos \(")).click()
    expect(
        page.get_by_role("link", name="Kirjaudu demohenkilönä ja suorita kursseja (kehitystila)")
    ).to_be_visible()
    assert found == []
