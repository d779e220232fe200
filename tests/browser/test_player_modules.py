"""Our four modules (SCORM 1.2 and 2004 builds) in the player: played to the end, the register shows the
competence; a reload resumes at the bookmark; a completed attempt opens for review."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.player_site import (
    PlayerSite,
    content_frame,
    expect_status,
    launch,
    module_competence,
    player_site_fixture,  # noqa: F401 - registers the fixture
    wait_saved,
)
from tests.browser.sco_driver import ScoDriver
from tests.browser.test_sco_run_time import walk_whole_module

pytestmark = pytest.mark.browser

MODULES = ["kohtaaminen", "hairiokysynta", "osallisuuden-tasot", "osallisuuden-talo"]
SLUGS = [*MODULES, *(f"{m}-2004" for m in MODULES)]


def open_module(page: Page, site: PlayerSite, slug: str) -> ScoDriver:
    launch(page, site, slug)
    sco = ScoDriver(content_frame(page), site.modules[slug.removesuffix("-2004")])
    sco.wait_ready()
    return sco


@pytest.mark.parametrize("slug", SLUGS)
def test_module_runs_to_completion_and_the_register_shows_it(page: Page, player_site: PlayerSite, slug: str):
    site = player_site
    staff = site.new_learner()
    site.sign_in(page.context, staff)
    code = module_competence(slug)
    assert site.register_status(staff, code) != "valid"

    sco = open_module(page, site, slug)
    walk_whole_module(sco, quiz_right=[True] * sco.course.quiz.per_attempt)
    expect_status(page, "Kurssi on suoritettu")
    wait_saved(page)

    assert site.register_status(staff, code) == "valid"
    (attempt,) = site.attempts(staff, slug)
    assert attempt.completed_at is not None
    assert attempt.completion_status == "completed"
    assert attempt.success_status == "passed"
    assert attempt.score == 100
    expect(page.locator("#player-progress")).to_have_text("suoritettu")
