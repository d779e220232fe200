"""Every real third-party package of ../shared/fixtures/scorm in the player, as INDEX.md describes it
("What a player can do with each package"):

- the three that call the run-time API are played to completion and the register shows it;
- the one that needs jQuery from a CDN says clearly that content from another server was blocked;
- the six that never call the API open, show their pages, navigate, and are never completed;
- the asset-only package is navigable and the player says nothing in it is tracked.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Frame, Page, expect

from tests.browser.player_site import (
    FIXTURE_COMPETENCE,
    PlayerSite,
    content_frame,
    expect_notice,
    expect_status,
    fixture_slug,
    launch,
    lenient_page_fixture,  # noqa: F401 - registers the fixture
    player_site_fixture,  # noqa: F401 - registers the fixture
    wait_saved,
)

pytestmark = pytest.mark.browser

COMPLETABLE = [
    "golf-runtime-basic-scorm2004-3rd.zip",
    "golf-runtime-minimum-multisco-scorm12.zip",
    "golf-seq-simpleremediation-scorm2004-3rd.zip",
]
NEEDS_NETWORK = ["golf-seq-posttestrollup-scorm2004-4th.zip"]
NO_API = [
    "golf-cp-metadata-scorm2004-3rd.zip",
    "golf-cp-singlesco-scorm12.zip",
    "golf-cp-singlesco-scorm2004-2nd.zip",
    "scorm12-external-metadata.zip",
    "scorm12-nested-items-subfolder.zip",
    "scorm12-prerequisites.zip",
]
ASSETS_ONLY = ["golf-cp-onefilepersco-scorm12.zip"]
NEXT_ITEM = "Seuraava osa"


def start(page: Page, site: PlayerSite, zip_name: str) -> tuple[int, str]:
    staff = site.new_learner()
    site.sign_in(page.context, staff)
    slug = fixture_slug(zip_name)
    launch(page, site, slug)
    return staff, slug


def click_through(frame: Frame) -> None:
    """Press the golf launch page's own Next button until it is disabled (the SCO's last page)."""
    button = frame.locator("#butNext")
    expect(button).to_be_visible()
    for _ in range(40):
        if button.is_disabled():
            return
        button.click()
    raise AssertionError("the SCO's Next button never became disabled")


def next_item(page: Page) -> None:
    current = page.url
    page.get_by_role("link", name=NEXT_ITEM, exact=True).click()
    page.wait_for_url(lambda url: url != current)


def answer_quiz_right(frame: Frame) -> None:
    """The golf assessment page, inside the launch page: pick the right answers, as a learner would."""
    quiz = None
    for _ in range(200):  # the launch page navigates its inner frame to the quiz
        quiz = next((f for f in frame.child_frames if "assessmenttemplate" in f.url), None)
        if quiz is not None:
            break
        frame.page.wait_for_timeout(50)
    assert quiz is not None, [f.url for f in frame.child_frames]
    # The page document.write()s one questions.js per topic; they run one by one while it parses, so the
    # list is complete only when the frame has loaded (reading it earlier left questions unanswered).
    quiz.wait_for_load_state("load")
    quiz.wait_for_function("() => typeof test !== 'undefined' && test.Questions.length > 0")
    answers = quiz.evaluate(
        """() => test.Questions.map(q => {
            const id = `question_${q.Id}_`;
            if (q.Type === QUESTION_TYPE_CHOICE) return ['check', id + q.Answers.indexOf(q.CorrectAnswer)];
            if (q.Type === QUESTION_TYPE_TF) return ['check', id + (q.CorrectAnswer ? 'True' : 'False')];
            return ['fill', id + 'Text', String(q.CorrectAnswer)];
        })"""
    )
    for action, element_id, *value in answers:
        field = quiz.locator(f'[id="{element_id}"]')
        if action == "check":
            field.check()
        else:
            field.fill(value[0])
    quiz.get_by_role("button", name="Submit Answers").click()
    expect(quiz.get_by_text("Score: 100")).to_be_visible()


def test_every_fixture_package_is_covered(player_site: PlayerSite) -> None:
    assert sorted(COMPLETABLE + NEEDS_NETWORK + NO_API + ASSETS_ONLY) == player_site.fixtures


def test_runtime_basic_2004_completes_and_reaches_the_register(page: Page, player_site: PlayerSite) -> None:
    site = player_site
    staff, slug = start(page, site, "golf-runtime-basic-scorm2004-3rd.zip")
    expect(page.locator("#player-sequencing-note")).to_be_visible()
    frame = content_frame(page)
    click_through(frame)  # the last page sets completion_status "completed"
    answer_quiz_right(frame)
    expect_status(page, "Kurssi on suoritettu")
    wait_saved(page)
    (attempt,) = site.attempts(staff, slug)
    assert attempt.completed_at is not None
    assert attempt.score == 100
    assert site.register_status(staff, FIXTURE_COMPETENCE) == "valid"


def test_minimum_calls_multisco_12_completes_when_every_sco_was_visited(
    page: Page, player_site: PlayerSite
) -> None:
    """Each of the 18 SCOs calls LMSInitialize on load and LMSFinish on unload, nothing else: LMSFinish
    without a status means "completed" (SCORM 1.2 RTE), so visiting every SCO completes the package."""
    site = player_site
    staff, slug = start(page, site, "golf-runtime-minimum-multisco-scorm12.zip")
    toc = page.get_by_role("navigation", name="Sisällysluettelo")
    links = toc.get_by_role("list").get_by_role("link")
    expect(links).to_have_count(18)
    for index in range(18):
        content_frame(page)
        page.wait_for_function("() => window.lmsbPlayer && window.lmsbPlayer.initialized()")
        if index < 17:
            next_item(page)
    (attempt,) = site.attempts(staff, slug)
    assert attempt.completed_at is None  # the 18th SCO has not finished yet
    with page.expect_navigation(url=re.compile(r"item=")):  # not the page being left: it is still initialised
        links.first.click()  # leaving the last SCO finishes it
    page.wait_for_function("() => window.lmsbPlayer && window.lmsbPlayer.initialized()")
    wait_saved(page)
    page.reload()
    expect(toc.get_by_text("valmis", exact=True)).to_have_count(18)
    (attempt,) = site.attempts(staff, slug)
    assert attempt.completed_at is not None
    assert attempt.completion_status == "completed"
    assert site.register_status(staff, FIXTURE_COMPETENCE) == "valid"


def test_simple_remediation_2004_completes_through_its_eight_scos(
    page: Page, player_site: PlayerSite
) -> None:
    """Four content SCOs (read to the end: completed and passed) and four tests (answered right)."""
    site = player_site
    staff, slug = start(page, site, "golf-seq-simpleremediation-scorm2004-3rd.zip")
    expect(page.locator("#player-sequencing-note")).to_be_visible()
    for index in range(8):
        frame = content_frame(page)
        page.wait_for_function("() => window.lmsbPlayer && window.lmsbPlayer.initialized()")
        if "assessment" in frame.url:
            answer_quiz_right(frame)
        else:
            click_through(frame)
        if index < 7:
            next_item(page)
    expect_status(page, "Kurssi on suoritettu")
    wait_saved(page)
    (attempt,) = site.attempts(staff, slug)
    assert attempt.completed_at is not None
    assert attempt.score == 100
    assert len(site.items(attempt.id)) == 8
    assert site.register_status(staff, FIXTURE_COMPETENCE) == "valid"


def test_package_needing_a_cdn_says_what_was_blocked(
    lenient_page: tuple[Page, list[str]], player_site: PlayerSite
) -> None:
    page, errors = lenient_page
    staff, slug = start(page, player_site, NEEDS_NETWORK[0])
    content_frame(page)
    expect_notice(page, "ajax.googleapis.com", timeout=5_000)
    expect_notice(page, "estetty")
    assert any("$ is not defined" in e or "jQuery" in e for e in errors), errors
    # the rest of the player still works: the learner can move on
    next_item(page)
    content_frame(page)
    (attempt,) = player_site.attempts(staff, slug)
    assert attempt.completed_at is None


@pytest.mark.parametrize("zip_name", NO_API)
def test_package_that_never_calls_the_api_opens_and_is_never_completed(
    page: Page, player_site: PlayerSite, zip_name: str
) -> None:
    site = player_site
    staff, slug = start(page, site, zip_name)
    shown = 0
    for _ in range(10):
        frame = content_frame(page)
        frame.wait_for_load_state()
        # each page shows text, or at least its title (scorm12-external-metadata is an empty app shell)
        assert frame.title().strip() or frame.locator("body").inner_text().strip()
        shown += 1
        if page.get_by_role("link", name=NEXT_ITEM, exact=True).count() == 0:
            break
        next_item(page)
    expect_notice(page, "ei ole ottanut yhteyttä", timeout=10_000)
    assert shown >= 1
    (attempt,) = site.attempts(staff, slug)
    assert attempt.completed_at is None
    assert attempt.completion_status in ("not attempted", "incomplete")
    assert site.register_status(staff, FIXTURE_COMPETENCE) != "valid"


def test_asset_only_package_is_navigable_and_tracks_nothing(page: Page, player_site: PlayerSite) -> None:
    site = player_site
    staff, slug = start(page, site, ASSETS_ONLY[0])
    expect(page.locator("#player-untracked-note")).to_be_visible()
    toc = page.get_by_role("navigation", name="Sisällysluettelo")
    count = toc.get_by_role("list").get_by_role("link").count()
    assert count == 18
    for index in range(count):
        expect(content_frame(page).locator("body")).not_to_be_empty()
        if index < count - 1:
            next_item(page)
    expect(toc.get_by_text("avattu", exact=True)).to_have_count(18)
    (attempt,) = site.attempts(staff, slug)
    assert attempt.completed_at is None
    assert attempt.score is None
    assert len(site.items(attempt.id)) == 18
    assert site.register_status(staff, FIXTURE_COMPETENCE) != "valid"


def test_fixture_files_are_used_in_place(shared_dir: Path, player_site: PlayerSite) -> None:
    assert all((shared_dir / "fixtures" / "scorm" / name).is_file() for name in player_site.fixtures)
