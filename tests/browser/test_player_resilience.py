"""Nothing the learner does is lost: a network cut mid-attempt, a reload, two tabs on one attempt, and a
server restart, with one of our modules (SCORM 1.2) in the player."""

from __future__ import annotations

import re
import time
from typing import Any

import pytest
from playwright.sync_api import Page, Route, expect

from scorm.cmi import DataModel
from tests.browser.player_site import (
    PlayerSite,
    content_frame,
    expect_status,
    launch,
    lenient_page_fixture,  # noqa: F401 - registers the fixture
    only_commit_failures,
    player_site_fixture,  # noqa: F401 - registers the fixture
    wait_saved,
)
from tests.browser.sco_driver import ScoDriver

pytestmark = pytest.mark.browser

SLUG = "kohtaaminen"
MODEL = DataModel.for_version("1.2", strict=False)


def open_sco(page: Page, site: PlayerSite) -> ScoDriver:
    launch(page, site, SLUG)
    sco = ScoDriver(content_frame(page), site.modules[SLUG])
    sco.wait_ready()
    return sco


def browser_values(page: Page) -> dict[str, str]:
    """What scorm-again in the page holds: the values the server must end up with."""
    values: dict[str, str] = page.evaluate(
        "() => ({location: API.cmi.core.lesson_location, suspend: API.cmi.suspend_data})"
    )
    return values


def server_values(site: PlayerSite, staff: int) -> dict[str, Any]:
    (attempt,) = site.attempts(staff, SLUG)
    (item,) = site.items(attempt.id).values()
    assert item.state is not None
    return {
        "location": MODEL.get(item.state, "cmi.core.lesson_location"),
        "suspend": MODEL.get(item.state, "cmi.suspend_data"),
        "seq": item.seq,
        "state": item.state,
    }


def cut(route: Route) -> None:
    route.abort("connectionrefused")


def test_network_cut_mid_attempt_loses_nothing_and_a_reload_resumes(
    lenient_page: tuple[Page, list[str]], player_site: PlayerSite
):
    page, errors = lenient_page
    site = player_site
    staff = site.new_learner()
    site.sign_in(page.context, staff)
    sco = open_sco(page, site)
    sco.next()
    sco.next()
    wait_saved(page)

    page.context.route("**/commit", cut)
    sco.next()
    sco.next()
    expect_status(page, "Yhteys palvelimeen katkesi")
    assert page.evaluate("() => window.lmsbPlayer.queued()") > 0
    offline = browser_values(page)
    assert server_values(site, staff)["location"] != offline["location"]

    page.context.unroute("**/commit", cut)
    wait_saved(page, timeout=45_000)
    expect_status(page, "Yhteys palautui")
    saved = server_values(site, staff)
    assert (saved["location"], saved["suspend"]) == (offline["location"], offline["suspend"])

    at = sco.index()
    page.reload()
    sco = ScoDriver(content_frame(page), site.modules[SLUG])
    sco.wait_ready()
    sco.expect_at(at)
    assert page.evaluate("() => API.cmi.core.entry") == "resume"
    assert only_commit_failures(errors) == []


def test_commits_made_offline_survive_a_reload(lenient_page: tuple[Page, list[str]], player_site: PlayerSite):
    """The queue lives in localStorage: a page reloaded before its commits got through sends them first and
    only then loads the SCO, from the state they made."""
    page, errors = lenient_page
    site = player_site
    staff = site.new_learner()
    site.sign_in(page.context, staff)
    sco = open_sco(page, site)
    sco.next()
    wait_saved(page)
    page.context.route("**/commit", cut)
    sco.next()
    sco.next()
    at = sco.index()
    offline = browser_values(page)
    page.context.unroute("**/commit", cut)
    page.context.route("**/commit", cut)  # still cut while the page reloads
    page.reload()
    expect_status(page, "Yhteys palvelimeen katkesi")
    assert page.evaluate("() => window.lmsbPlayer.queued()") > 0
    expect(page.locator("#player-frame")).not_to_have_attribute("src", re.compile("."))  # the SCO waits
    page.context.unroute("**/commit", cut)
    sco = ScoDriver(content_frame(page), site.modules[SLUG])
    sco.wait_ready()
    sco.expect_at(at)
    wait_saved(page, timeout=45_000)
    saved = server_values(site, staff)
    assert saved["suspend"] == browser_values(page)["suspend"]
    assert saved["location"] == offline["location"]
    assert only_commit_failures(errors) == []


def test_two_tabs_on_one_attempt_do_not_corrupt_it(page: Page, player_site: PlayerSite):
    """Both tabs commit to the same SCO; the server applies each commit whole, in number order, so the state
    is always one a tab made, and the tab that leaves last decides where the learner resumes."""
    site = player_site
    staff = site.new_learner()
    site.sign_in(page.context, staff)
    first = open_sco(page, site)
    first.next()
    wait_saved(page)
    other = page.context.new_page()
    second = open_sco(other, site)
    for _ in range(3):
        first.next()
        second.next()
        second.next()
    wait_saved(page)
    wait_saved(other)
    saved = server_values(site, staff)
    assert (saved["location"], saved["suspend"]) == tuple(browser_values(other).values())
    assert MODEL.summary(saved["state"]).completion_status == "incomplete"  # a state the model reads
    other.close()

    last = browser_values(page)
    page.goto("about:blank")  # the first tab leaves last: its SCO saves and terminates on pagehide
    deadline = time.monotonic() + 15
    while server_values(site, staff)["location"] != last["location"] and time.monotonic() < deadline:
        time.sleep(0.1)
    saved = server_values(site, staff)
    (attempt,) = site.attempts(staff, SLUG)
    assert (saved["location"], saved["suspend"]) == (last["location"], last["suspend"])
    assert attempt.last_commit_seq == saved["seq"]

    launch(page, site, SLUG)  # one attempt still, opening where the last change left it
    sco = ScoDriver(content_frame(page), site.modules[SLUG])
    sco.wait_ready()
    assert sco.frame.evaluate("() => SCO.state().c") == last["location"]
    assert page.evaluate("() => API.cmi.core.entry") == "resume"
    assert len(site.attempts(staff, SLUG)) == 1


def test_server_restart_mid_attempt_loses_nothing(
    lenient_page: tuple[Page, list[str]], player_site: PlayerSite
):
    page, errors = lenient_page
    site = player_site
    staff = site.new_learner()
    site.sign_in(page.context, staff)
    sco = open_sco(page, site)
    sco.next()
    wait_saved(page)
    site.stop()
    try:
        sco.next()
        sco.next()
        expect_status(page, "Yhteys palvelimeen katkesi")
        offline = browser_values(page)
    finally:
        site.start_again()
    wait_saved(page, timeout=45_000)
    saved = server_values(site, staff)
    assert (saved["location"], saved["suspend"]) == (offline["location"], offline["suspend"])
    at = sco.index()
    page.reload()
    sco = ScoDriver(content_frame(page), site.modules[SLUG])
    sco.wait_ready()
    sco.expect_at(at)
    expect(page.locator("#player-status")).not_to_contain_text("katkesi")
    assert only_commit_failures(errors) == []
