"""WCAG 2.1 AA on every section of every module (axe-core), a 360 px phone, the house by keyboard alone."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from scorm.authoring import Course, House, Scenario
from scorm.quiz import Quiz
from tests.browser.conftest import Site
from tests.browser.layout import words_too_wide
from tests.browser.sco_driver import ScoDriver

pytestmark = pytest.mark.browser

AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
AXE_RUN = """async tags => {
    // WCAG 2.1 A/AA, and two best-practice rules the brief asks for: headings in order, landmarks.
    const rules = {'heading-order': {enabled: true}, 'region': {enabled: true}};
    const result = await axe.run(document, {runOnly: {type: 'tag', values: tags}, rules});
    return result.violations.map(
        v => ({id: v.id, help: v.help, nodes: v.nodes.map(n => n.target.join(' '))}));
}"""


def axe_violations(page: Page, axe_js: Path, where: str) -> list[str]:
    if not page.evaluate("() => typeof axe !== 'undefined'"):
        page.add_script_tag(path=str(axe_js))
    violations: list[dict[str, Any]] = page.evaluate(AXE_RUN, AXE_TAGS)
    return [f"{where}: {v['id']} ({v['help']}) at {v['nodes'][:3]}" for v in violations]


def test_no_axe_violations_on_any_section_in_any_state(
    page: Page, site: Site, course: Course, axe_js: Path
) -> None:
    sco = ScoDriver.standalone(page, site.sco_url(course.id, "scorm12"), course)
    found = axe_violations(page, axe_js, "title page")
    for index in range(1, len(sco.sections)):
        sco.next()
        section = sco.sections[index]
        assert not isinstance(section, str)
        where = f"section {index} '{section.id}'"
        found += axe_violations(page, axe_js, where)
        if isinstance(section, House):
            sco.open_part(section, section.parts[0])
            found += axe_violations(page, axe_js, f"{where} with a part open")
        elif isinstance(section, Scenario):
            sco.play_scenario(section, best=False)
            found += axe_violations(page, axe_js, f"{where} with feedback shown")
        elif isinstance(section, Quiz):
            sco.current().get_by_role("button", name=sco.t["quiz_submit"], exact=True).click()
            expect(sco.current().locator(".quiz-error")).to_be_visible()
            expect(sco.current().locator(".quiz-error")).to_be_focused()
            found += axe_violations(page, axe_js, f"{where} with the unanswered message")
            sco.answer_quiz(section, [i % 2 == 0 for i in range(section.per_attempt)])
            sco.submit()
            found += axe_violations(page, axe_js, f"{where} after submitting")
    assert found == []


def test_readable_on_a_360_px_phone_without_horizontal_scroll(
    phone_page: Page, site: Site, course: Course
) -> None:
    page = phone_page
    sco = ScoDriver.standalone(page, site.sco_url(course.id, "scorm12"), course)
    overflow = "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    wide = []
    for index in range(len(sco.sections)):
        if index:
            sco.next()
        section = sco.sections[index]
        if isinstance(section, House):
            for part in section.parts:
                sco.open_part(section, part)
                box = sco.house_button(section, part).bounding_box()
                assert box is not None
                if box["x"] < 0 or box["x"] + box["width"] > 360 or page.evaluate(overflow) > 0:
                    wide.append(f"house part {part.id}")
        elif isinstance(section, Scenario):
            sco.play_scenario(section, best=False)
        elif isinstance(section, Quiz):
            sco.answer_quiz(section, [False] * section.per_attempt)
            sco.submit()
        if page.evaluate(overflow) > 0:
            wide.append(f"section {index}")
    assert wide == []


def test_heading_words_fit_whole_in_the_players_frame_on_a_phone(
    phone_frame_page: Page, site: Site, course: Course
) -> None:
    page = phone_frame_page
    sco = ScoDriver.standalone(page, site.sco_url(course.id, "scorm12"), course)
    split: list[str] = []
    for index in range(len(sco.sections)):
        sco.go_to(index)
        split += [f"section {index}: {word}" for word in words_too_wide(page)]
    assert split == []


def test_the_house_works_with_the_keyboard_alone(page: Page, site: Site, house_course: Course) -> None:
    course = house_course
    sco = ScoDriver.standalone(page, site.sco_url(course.id, "scorm12"), course)
    house = next(s for s in course.sections if isinstance(s, House))
    target = course.sections.index(house) + 1
    active = "() => document.activeElement"

    # The skip link comes first and leads to the content.
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name=sco.t["skip_link"])).to_be_focused()
    # To the house with the Next button; each move puts focus on the new section's heading.
    next_button = page.get_by_role("button", name=sco.t["next"], exact=True)
    for _ in range(40):
        if page.evaluate(f"{active}.id") == "sco-next":
            break
        page.keyboard.press("Tab")
    expect(next_button).to_be_focused()
    for index in range(1, target + 1):
        page.keyboard.press("Enter")
        heading = sco.current().get_by_role("heading", level=1)
        expect(heading).to_have_text(sco.title_of(index))
        expect(heading).to_be_focused()
        if index < target:
            next_button.focus()  # a keyboard user Tabs back down to it; the route there is not the point here

    # Tab reaches the parts of the picture, from the foundation up, each above the one before.
    expected = [p for p in house.parts if p.place == "foundation"]
    expected += [p for p in house.parts if p.place == "floor"] + [p for p in house.parts if p.place == "roof"]
    for _ in range(40):
        if page.evaluate(f"{active}.classList.contains('house-part')"):
            break
        page.keyboard.press("Tab")
    order, tops = [], []
    for _ in expected:
        order.append(page.evaluate(f"{active}.dataset.part"))
        tops.append(page.evaluate(f"{active}.getBoundingClientRect().top + window.scrollY"))
        page.keyboard.press("Tab")
    assert order == [p.id for p in expected]
    assert tops == sorted(tops, reverse=True)

    # Enter opens a part: expanded, its panel visible, in a live region so it is read out.
    first = sco.house_button(house, expected[0])
    first.focus()
    page.keyboard.press("Enter")
    expect(first).to_have_attribute("aria-expanded", "true")
    panel = page.locator(f"#{first.get_attribute('aria-controls')}")
    expect(panel).to_be_visible()
    expect(panel.get_by_role("heading")).to_contain_text(expected[0].title)
    assert panel.evaluate("el => el.closest('[aria-live]') !== null")
    expect(first).to_be_focused()
    # Escape closes it and leaves focus on the part.
    page.keyboard.press("Escape")
    expect(first).to_have_attribute("aria-expanded", "false")
    expect(panel).to_be_hidden()
    expect(first).to_be_focused()
    # Space opens too; opening another part closes the first.
    page.keyboard.press("Space")
    expect(first).to_have_attribute("aria-expanded", "true")
    page.keyboard.press("Tab")
    second = sco.house_button(house, expected[1])
    expect(second).to_be_focused()
    page.keyboard.press("Enter")
    expect(second).to_have_attribute("aria-expanded", "true")
    expect(first).to_have_attribute("aria-expanded", "false")
    expect(panel).to_be_hidden()
    # Tab past the remaining parts reaches the open panel's close button, which returns focus to the part.
    second_panel = page.locator(f"#{second.get_attribute('aria-controls')}")
    close = second_panel.get_by_role("button", name=sco.t["house_close"])
    for _ in range(len(expected) + 10):
        page.keyboard.press("Tab")
        if close.evaluate("el => el === document.activeElement"):
            break
    expect(close).to_be_focused()
    page.keyboard.press("Enter")
    expect(second).to_have_attribute("aria-expanded", "false")
    expect(second).to_be_focused()
    # The same content as a plain list of headings and text, one keyboard press away.
    plain_list = sco.current().locator(".house-list")
    summary = plain_list.locator("summary")
    summary.focus()
    page.keyboard.press("Enter")
    for part in house.parts:
        expect(plain_list.get_by_role("heading", level=2, name=part.title)).to_be_visible()


def test_motion_follows_the_reduced_motion_setting(page: Page, site: Site, sample_course: Course) -> None:
    sco = ScoDriver.standalone(page, site.sco_url(sample_course.id, "scorm12"), sample_course)
    duration = "() => getComputedStyle(document.getElementById('sco-next')).transitionDuration"
    page.emulate_media(reduced_motion="no-preference")
    assert sco.frame.evaluate(duration) != "0s"
    page.emulate_media(reduced_motion="reduce")
    assert sco.frame.evaluate(duration) == "0s"
