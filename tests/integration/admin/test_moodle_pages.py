"""The admin's Moodle pages: register a site, test it, map, sync now, and read the last syncs; admins only,
CSRF on every form, and the token never shown in full nor logged."""

from __future__ import annotations

import logging
import re

from sqlalchemy import select

from lms_bridge.moodle.models import MoodleMapping, MoodleSite, MoodleSyncRun
from lms_bridge.moodle.runner import run_in_app
from lms_bridge.register.models import Completion
from tests.factories.auth import PASSWORD
from tests.integration.moodle.test_sync import T0


def test_an_admin_registers_a_site_maps_a_scorm_and_syncs_it_from_the_page(
    db_app, signed_in, session, fake_moodle, make_staff, make_competence, caplog
):
    caplog.set_level(logging.DEBUG)
    db_app.extensions["lms_bridge.moodle.starter"] = run_in_app  # inline: the test reads the result at once
    data = fake_moodle.data
    course = data.add_course("KOHT")
    scorm = data.add_scorm(course.id, "Kohtaaminen")
    learner = data.add_user("learner", idnumber="E1")
    data.enrol(course.id, learner.id)
    data.record_scorm_attempt(scorm.id, learner.id, time=T0, status="passed", score=90)
    data.enrol(course.id, data.add_user("stranger", idnumber="NOPE").id)
    make_staff(employee_number="E1")
    make_competence(code="KOHT-01")
    client, _admin = signed_in("admin")
    token = fake_moodle.token

    added = client.post("/admin/moodle", data={"name": "satakunta", "url": fake_moodle.url, "token": token})
    assert added.status_code == 302
    site = session.scalars(select(MoodleSite)).one()
    assert token not in site.token_encrypted

    tested = client.post("/admin/moodle/satakunta/test")
    assert tested.status_code == 200
    assert "Fake Moodle" in tested.text
    assert "4.3 (Build: 20231009)" in tested.text
    assert "Synkronoinnin funktiot ovat kaikki käytössä." in tested.text

    mapped = client.post(
        "/admin/moodle/satakunta/mappings",
        data={"kind": "activity", "moodle_id": str(scorm.cmid), "competence": "KOHT-01"},
    )
    assert mapped.status_code == 302
    assert session.scalars(select(MoodleMapping)).one().activity_name == "Kohtaaminen"

    synced = client.post("/admin/moodle/satakunta/sync")
    assert synced.status_code == 302
    page = client.get("/admin/moodle/satakunta").text
    run = session.scalars(select(MoodleSyncRun)).one()
    assert (run.status, run.records_added, run.unmatched_users) == ("ok", 1, 1)
    runs_table = page[
        page.index('id="runs-caption"') : page.index("</table>", page.index('id="runs-caption"'))
    ]
    assert re.search(rf"<td>{run.calls}</td>\s*<td>1</td>\s*<td>1</td>", runs_table)
    assert "stranger" in page
    assert "ei löydy henkilöstöstä" in page
    assert session.scalars(select(Completion.source)).all() == ["moodle"]
    overview = client.get("/admin/moodle").text
    assert f"…{token[-4:]}" in overview

    every_page = (
        added.text + tested.text + mapped.text + page + overview + client.get("/admin/moodle/satakunta").text
    )
    assert token not in every_page
    assert token not in caplog.text


def test_a_failed_connection_test_says_what_is_wrong(db_app, signed_in, fake_moodle):
    client, _admin = signed_in("admin")
    client.post("/admin/moodle", data={"name": "m", "url": fake_moodle.url, "token": fake_moodle.token})
    fake_moodle.remove_function("mod_scorm_get_scorm_sco_tracks")

    missing = client.post("/admin/moodle/m/test")
    assert "Synkronointi tarvitsee:" in missing.text
    assert "mod_scorm_get_scorm_sco_tracks" in missing.text

    fake_moodle.tokens.clear()
    refused = client.post("/admin/moodle/m/test")
    assert refused.status_code == 502
    assert "Moodle ei tunne tokenia" in refused.text


def test_a_refused_site_form_does_not_echo_the_token(signed_in, fake_moodle):
    client, _admin = signed_in("admin")
    token = fake_moodle.token
    refused = client.post("/admin/moodle", data={"name": "Bad Name!", "url": fake_moodle.url, "token": token})
    assert refused.status_code == 400
    assert "Pieniä kirjaimia" in refused.text
    assert token not in refused.text


def test_a_second_sync_now_is_refused_while_one_runs(db_app, signed_in, session, fake_moodle):
    db_app.extensions["lms_bridge.moodle.starter"] = lambda app, site_id, owner, actor: None  # still running
    client, _admin = signed_in("admin")
    client.post("/admin/moodle", data={"name": "m", "url": fake_moodle.url, "token": fake_moodle.token})
    assert client.post("/admin/moodle/m/sync").status_code == 302
    assert "synkronointi käynnissä" in client.get("/admin/moodle/m").text

    again = client.post("/admin/moodle/m/sync")
    assert again.status_code == 409
    assert "synkronointi on jo käynnissä" in again.text


def test_only_admins_reach_the_moodle_pages(signed_in, fake_moodle):
    supervisor, _account = signed_in("supervisor")
    assert supervisor.get("/admin/moodle").status_code == 403
    assert (
        supervisor.post("/admin/moodle", data={"name": "x", "url": "http://x", "token": "a" * 32}).status_code
        == 403
    )
    assert supervisor.post("/admin/moodle/x/sync").status_code == 403


def test_moodle_forms_need_the_csrf_token(db_app, make_account, fake_moodle, session):
    account = make_account(role="admin")
    client = db_app.test_client()
    db_app.config["WTF_CSRF_ENABLED"] = False
    client.post("/auth/login", data={"username": account.username, "password": PASSWORD})
    client.post("/admin/moodle", data={"name": "m", "url": fake_moodle.url, "token": fake_moodle.token})
    db_app.config["WTF_CSRF_ENABLED"] = True

    forged = client.post(
        "/admin/moodle", data={"name": "n", "url": fake_moodle.url, "token": fake_moodle.token}
    )
    assert forged.status_code == 400
    assert "turvatarkiste puuttui" in forged.text
    assert client.post("/admin/moodle/m/sync").status_code == 400
    assert client.post("/admin/moodle/m/test").status_code == 400
    assert [s.name for s in session.scalars(select(MoodleSite))] == ["m"]
    assert session.scalars(select(MoodleSyncRun)).all() == []
