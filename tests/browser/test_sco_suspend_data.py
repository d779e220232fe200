"""The longest suspend_data each module can produce, measured in the browser against SCORM's limits."""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import Page

from scorm.authoring import Course, House, Scenario
from scorm.quiz import Quiz
from tests.browser.conftest import SUSPEND_REPORT, Site
from tests.browser.sco_driver import ScoDriver

pytestmark = pytest.mark.browser

LIMITS = {"scorm12": 4096, "scorm2004": 64000}  # cmi.suspend_data: CMIString4096 / characterstring SPM 64000


def test_longest_suspend_data_fits_the_limit(page: Page, site: Site, course: Course, standard: str) -> None:
    sco = ScoDriver.standalone(page, site.sco_url(course.id, standard), course)
    assert page.evaluate("() => SCO.suspendLimit") == LIMITS[standard]
    # An upper bound: the longest answers of any per_attempt questions, the longest seed and ids.
    longest: str = page.evaluate("() => SCO.encode(SCO.longestState())")

    # A real run made as long as a learner can make it must not be longer than the bound.
    for index in range(1, len(sco.sections)):
        sco.next()
        section = sco.sections[index]
        if isinstance(section, House):
            for part in section.parts:
                sco.open_part(section, part)
        elif isinstance(section, Scenario):
            sco.play_scenario(section)
        elif isinstance(section, Quiz):
            for question in sco.drawn():
                ids = [o.id for o in question.options]
                sco.answer(question, ids if question.type == "multiple" else [max(ids, key=len)])
            sco.submit()
    real: str = page.evaluate("() => SCO.serialize()")
    # Nothing of a real state is dropped when it is read back (it is a state the module accepts).
    assert page.evaluate("text => SCO.serialize(JSON.parse(text))", real) == real
    assert json.loads(real)["v"] == json.loads(longest)["v"]
    assert len(json.loads(real)["q"]["a"]) == course.quiz.per_attempt
    assert len(real) <= len(longest)

    assert len(longest) <= LIMITS[standard]
    if any(not s.id.isascii() for s in course.sections):
        assert not longest.isascii(), "Finnish letters in ids are kept as characters, not escaped"
    SUSPEND_REPORT.append(
        f"{course.id} {standard}: at most {len(longest)} characters ({len(longest.encode('utf-8'))} bytes "
        f"UTF-8) of {LIMITS[standard]}; a full real run {len(real)}"
    )
