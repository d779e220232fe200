"""Full launches through the real app from the test platform: resource links into the player, identity
rules, instructors and supervisors, unmatched users, the cookie check and the platform's storage."""

from __future__ import annotations

import json
import re
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import object_session

from lms_bridge.auth.models import Account
from lms_bridge.lti.models import LtiGradeTarget, LtiUser
from lms_bridge.player.models import Attempt
from lms_bridge.register.scopes import assign_units
from tests.integration.lti.conftest import TOOL

FILES = {"index.html": b"<!doctype html><title>SCO</title><p>Hei</p>"}


def course_with_content(make_version, lti_app, platform, slug="kohtaaminen-lti"):
    version = make_version(files=FILES, data_dir=Path(lti_app.config["DATA_DIR"]))
    version.course.slug = slug
    object_session(version).flush()
    platform.custom = {"course": slug}
    return version


def test_student_launch_opens_the_player_for_the_staff_member_by_idnumber(
    flow, platform, make_version, lti_app, make_staff, session
):
    version = course_with_content(make_version, lti_app, platform)
    staff = make_staff(employee_number="EMP1002")
    response = flow().launch("student")
    assert response.status_code == 302, response.text
    attempt_id = int(response.headers["Location"].rsplit("/", 1)[1])
    attempt = session.get_one(Attempt, attempt_id)
    assert attempt.staff_id == staff.id
    assert attempt.course_id == version.course_id
    assert attempt.launched_via == "lti"
    assert attempt.lti_lineitem_url == platform.lineitem_url
    user = session.scalars(select(LtiUser)).one()
    assert (user.sub, user.staff_id, user.matched_by) == ("4", staff.id, "sourcedid")
    target = session.scalars(select(LtiGradeTarget)).one()
    assert target.lineitem_url == platform.lineitem_url
    assert target.resource_link_id == "1"


def test_the_player_page_may_be_framed_by_the_platform_only(
    flow, platform, make_version, lti_app, make_staff
):
    course_with_content(make_version, lti_app, platform)
    make_staff(employee_number="EMP1002")
    browser = flow()
    location = browser.launch("student").headers["Location"]
    page = browser.client.get(location)
    assert page.status_code == 200
    assert f"frame-ancestors 'self' {platform.base}" in page.headers["Content-Security-Policy"]
    # the content on its own origin: Moodle is an ancestor too, and frame-ancestors checks every one
    config = re.search(r'<script type="application/json" id="player-config">(.*?)</script>', page.text, re.S)
    assert config
    frame = json.loads(config.group(1))["content"].split("?", 1)[0]
    for url in (frame, frame + "index.html"):
        content = lti_app.test_client().get(url)
        assert content.status_code == 200
        assert platform.base in content.headers["Content-Security-Policy"].split("frame-ancestors", 1)[1]
    # every other page still forbids framing
    front = browser.client.get("/")
    assert "frame-ancestors 'none'" in front.headers["Content-Security-Policy"]


def test_the_link_is_remembered_and_a_second_launch_resumes(
    flow, platform, make_version, lti_app, make_staff, session
):
    course_with_content(make_version, lti_app, platform)
    staff = make_staff(employee_number="EMP1002")
    first = flow().launch("student").headers["Location"]
    staff.employee_number = "CHANGED"  # the HR number changes; the link stays
    session.flush()
    second = flow().launch("student").headers["Location"]
    assert first == second
    assert session.scalars(select(LtiUser)).one().launches == 2


def test_custom_employee_number_then_email_rules(flow, platform, make_version, lti_app, make_staff, session):
    course_with_content(make_version, lti_app, platform)
    platform.custom = {**platform.custom, "employee_number": "HR-77"}
    by_custom = make_staff(employee_number="HR-77")
    flow().launch("student")
    user = session.scalars(select(LtiUser)).one()
    assert (user.staff_id, user.matched_by) == (by_custom.id, "custom")


def test_email_rule_links_only_a_unique_address(flow, platform, make_version, lti_app, make_staff, session):
    course_with_content(make_version, lti_app, platform)
    staff = make_staff(email="Learner2@Example.invalid")
    flow().launch("student")
    user = session.scalars(select(LtiUser)).one()
    assert (user.staff_id, user.matched_by) == (staff.id, "email")


def test_unmatched_user_learns_unrecorded_is_listed_and_an_admin_links_them(
    flow, platform, make_version, lti_app, make_staff, session, run, signed_in
):
    version = course_with_content(make_version, lti_app, platform)
    browser = flow()
    response = browser.launch("student")
    assert response.status_code == 302, response.text
    assert response.headers["Location"] == "/lti/guest"
    page = browser.client.get("/lti/guest")
    assert "suoritustasi ei tallenneta" in page.text
    launch_url = re.search(r'data-src="([^"]+)"', page.text).group(1).replace("&amp;", "&")
    assert launch_url.startswith("http://localhost:5001/")  # on the content origin, as the player's
    file = lti_app.test_client().get(launch_url.split("?", 1)[0] + "index.html")  # no cookie needed
    assert file.data == FILES["index.html"]
    assert platform.base in file.headers["Content-Security-Policy"]
    assert session.scalars(select(Attempt)).all() == []

    admin, _account = signed_in("admin")
    listing = admin.get("/lti/admin/")
    assert "Ben Learner" in listing.text
    assert "EMP1002" in listing.text

    staff = make_staff(employee_number="E-LATE")
    user = session.scalars(select(LtiUser)).one()
    result = run("lti", "users", "link", str(user.id), "E-LATE")
    assert result.exit_code == 0, result.output
    again = flow().launch("student")
    assert again.headers["Location"].startswith("/play/attempt/")
    assert session.scalars(select(Attempt)).one().staff_id == staff.id
    assert version.course_id == session.scalars(select(Attempt)).one().course_id


def test_instructor_who_supervises_units_lands_on_the_reports(
    flow, platform, make_version, lti_app, make_staff, make_account, make_unit, session
):
    course_with_content(make_version, lti_app, platform)
    staff = make_staff(employee_number="EMP2001")
    account = make_account(username="emp2001", role="supervisor")
    assign_units(session, account_id=account.id, unit_ids=[make_unit().id], actor="test")
    browser = flow()
    response = browser.launch("editingteacher")
    assert response.status_code == 302
    assert response.headers["Location"] == "/reports/"
    assert session.get_one(Account, account.id).id == account.id
    assert staff.id == session.scalars(select(LtiUser)).one().staff_id


def test_instructor_without_units_gets_a_page_saying_so_and_can_open_the_course(
    flow, platform, make_version, lti_app, make_staff, make_account, session
):
    course_with_content(make_version, lti_app, platform)
    make_staff(employee_number="EMP2001")
    make_account(username="emp2001", role="supervisor")  # an account, but no units
    browser = flow()
    page = browser.launch("editingteacher")
    assert page.status_code == 200
    assert "Sinulla ei ole esihenkilönä yksiköitä" in page.text
    opened = browser.client.post("/lti/continue")
    assert opened.status_code == 302
    assert opened.headers["Location"].startswith("/play/attempt/")


def test_the_admin_instructor_without_idnumber_is_not_linked(flow, platform, make_version, lti_app, session):
    course_with_content(make_version, lti_app, platform)
    page = flow().launch("admin")
    assert "Sinulla ei ole esihenkilönä yksiköitä" in page.text
    user = session.scalars(select(LtiUser)).one()
    assert (user.sub, user.sourcedid, user.staff_id) == ("2", None, None)


def test_a_resource_link_without_a_course_says_what_to_do(flow, platform, make_staff, session):
    make_staff(employee_number="EMP1002")
    response = flow().launch("student")
    assert response.status_code == 400
    assert "Tälle aktiviteetille ei ole valittu kurssia" in response.text


def test_first_login_checks_cookies_in_the_frame_and_offers_a_new_window(flow, platform):
    browser = flow()
    page = browser.client.post("/lti/login", data=platform.login_initiation("student"))
    assert page.status_code == 200
    assert "Avaa kurssi uudessa ikkunassa" in page.text
    assert "lti1p3_new_window=1" in page.text
    assert f"frame-ancestors 'self' {platform.base}" in page.headers["Content-Security-Policy"]


def test_state_cookie_is_samesite_none_secure_and_partitioned_when_configured(flow, platform, lti_app):
    lti_app.config.update(SESSION_COOKIE_SECURE=True, SESSION_COOKIE_PARTITIONED=True)
    data = {**platform.login_initiation("student"), "lti1p3_new_window": "1"}
    response = flow().client.post("/lti/login", data=data)
    cookie = next(h for h in response.headers.getlist("Set-Cookie") if h.startswith("lti1p3-state-"))
    assert "Secure" in cookie
    assert "SameSite=None" in cookie
    assert "Partitioned" in cookie
    assert "HttpOnly" in cookie


def test_platform_storage_is_used_when_offered_and_vouches_for_the_state(
    flow, platform, make_version, lti_app, make_staff
):
    course_with_content(make_version, lti_app, platform)
    make_staff(employee_number="EMP1002")
    browser = flow()
    data = {**platform.login_initiation("student"), "lti_storage_target": "post_message_forwarding"}
    page = browser.client.post("/lti/login", data=data)
    assert page.status_code == 200
    assert 'id="lti-storage-login"' in page.text
    assert 'data-target="post_message_forwarding"' in page.text
    # the launch arrives without the cookie (a browser that blocks it): the page asks the platform first
    import re
    from urllib.parse import parse_qs, urlsplit

    auth = re.search(r'data-auth-url="([^"]+)"', page.text).group(1).replace("&amp;", "&")
    query = {k: v[0] for k, v in parse_qs(urlsplit(auth).query).items()}
    _action, fields = browser.authorize(query)
    cookieless = lti_app.test_client()
    check = cookieless.post("/lti/launch", data=fields)
    assert check.status_code == 200
    assert 'id="lti-storage-launch"' in check.text
    assert f'data-origin="{platform.base}"' in check.text
    done = cookieless.post("/lti/launch", data={**fields, "lti_storage_checked": "1"})
    assert done.status_code == 302
    assert done.headers["Location"].startswith("/play/attempt/")


def test_tool_values_match_what_moodle_asks(run, lti_app):
    result = run("lti", "show")
    assert result.exit_code == 0, result.output
    for line in (
        f"Tool URL:                 {TOOL}/lti/launch",
        f"Public keyset:            {TOOL}/lti/jwks.json",
        f"Initiate login URL:       {TOOL}/lti/login",
        f"Redirection URI(s):       {TOOL}/lti/launch",
    ):
        assert line in result.output
