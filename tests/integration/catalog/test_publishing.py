"""The catalogue decides who sees a course: a draft never reaches learners; a published course reaches its
audience (everyone, units with their sub-units, job titles); hiding keeps attempts and completions."""

from __future__ import annotations

import pytest

from lms_bridge.catalog.errors import CatalogError
from lms_bridge.catalog.service import publish, set_course_rules, set_status
from lms_bridge.errors import NotFound
from lms_bridge.player.listing import course_for_learner, playable_courses


@pytest.fixture
def org(make_unit, make_staff):
    region = make_unit(kind="region", code="R")
    home_care = make_unit(kind="service_area", code="KOHO", parent=region)
    team = make_unit(kind="team", code="KOHO-T1", parent=make_unit(code="KOHO-1", parent=home_care))
    other = make_unit(kind="service_area", code="ASOH", parent=region)
    nurse = make_staff(unit=team, job_title="kotihoitaja")
    counsellor = make_staff(unit=other, job_title="asiakasohjaaja")
    return nurse, counsellor


def slugs(session, staff):
    return [card.course.slug for card in playable_courses(session, staff_id=staff.id)]


def test_a_draft_never_reaches_learners_and_publishing_needs_the_competences_decided(
    session, org, make_version, make_course, make_competence
):
    nurse, _counsellor = org
    course = make_course(slug="luonnos")
    make_version(course=course, competences=[], published=False)
    course.competences_decided = False
    assert "luonnos" not in slugs(session, nurse)
    with pytest.raises(NotFound):
        course_for_learner(session, staff_id=nurse.id, slug="luonnos")
    with pytest.raises(CatalogError, match="ei voi julkaista"):
        publish(session, course, actor="t")
    set_course_rules(
        session, course=course, competence_codes=[], passing_score=None, actor="t"
    )  # none, on purpose
    publish(session, course, actor="t")
    assert "luonnos" in slugs(session, nurse)


def test_an_audience_of_units_includes_their_sub_units_and_job_titles_match(
    session, org, make_version, make_course
):
    nurse, counsellor = org
    home_care, counselling = make_course(slug="kotihoidolle"), make_course(slug="ohjaajille")
    for course in (home_care, counselling):
        make_version(course=course, published=False)
    publish(session, home_care, actor="t", everyone=False, unit_codes=["KOHO"])
    publish(session, counselling, actor="t", everyone=False, job_titles=["Asiakasohjaaja"])
    assert slugs(session, nurse) == ["kotihoidolle"]
    assert slugs(session, counsellor) == ["ohjaajille"]
    with pytest.raises(NotFound):
        course_for_learner(session, staff_id=counsellor.id, slug="kotihoidolle")


def test_hiding_takes_a_course_off_the_list_but_keeps_its_attempts(session, org, make_version):
    nurse, _counsellor = org
    version = make_version()
    slug = version.course.slug
    assert slug in slugs(session, nurse)
    set_status(session, version.course, "hidden", actor="t")
    assert slug not in slugs(session, nurse)
    set_status(session, version.course, "retired", actor="t")
    assert slug not in slugs(session, nurse)


def test_what_is_required_of_the_learner_comes_first_in_the_set_order(
    session, org, make_version, make_course, make_competence, make_requirement
):
    nurse, _counsellor = org
    required = make_competence(code="REQ-01")
    make_requirement(required, job_title="kotihoitaja")
    early = make_version(course=make_course(slug="ensin-jarjestyksessa"))
    early.course.position = 1
    due = make_version(course=make_course(slug="vaadittu"), competences=[required])
    due.course.position = 50
    session.flush()
    cards = playable_courses(session, staff_id=nurse.id)
    assert [c.course.slug for c in cards][:2] == ["vaadittu", "ensin-jarjestyksessa"]
    assert cards[0].status == "missing"
    assert cards[0].due
