"""The register in the browser: staff search, a person's record, the unit tree, and corrections."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from lms_bridge.audit import AuditEvent
from lms_bridge.register.models import Completion


def test_the_admin_index_lists_every_admin_page_and_the_header_links_to_it(signed_in):
    client, _admin = signed_in("admin")
    page = client.get("/admin/").text
    assert '<a href="/admin/">Ylläpito</a>' in page  # the header's one link
    for link in (
        "/admin/staff",
        "/admin/units",
        "/admin/imports",
        "/admin/packages",
        "/admin/accounts",
        "/admin/supervisors",
        "/admin/tokens",
    ):
        assert f'href="{link}"' in page
    supervisor, _account = signed_in("supervisor")
    assert "Ylläpito" not in supervisor.get("/reports/").text


def test_staff_are_found_by_name_number_and_unit_in_any_case(signed_in, world, make_staff):
    client, _admin = signed_in("admin")
    other = make_staff(unit=world.unit, employee_number="2002", first_name="Pekka", last_name="Grönroos")
    for query in ("äiniö", "ÖHMAN", "Öhman Äiniö", "1001", "tiimi 1", "KOHO-1-T1"):
        page = client.get("/admin/staff", query_string={"q": query}).text
        assert "Öhman Äiniö" in page, query
        assert "Grönroos" not in page, query
    in_unit = client.get("/admin/staff", query_string={"unit": "KOHO-1"}).text  # with its sub-units
    assert "Öhman Äiniö" in in_unit
    assert "Grönroos Pekka" in in_unit
    assert "2 henkilöä, sivu 1 / 1." in in_unit
    only_team = client.get("/admin/staff", query_string={"unit": "KOHO-1-T1"}).text
    assert "Grönroos" not in only_team
    nobody = client.get("/admin/staff", query_string={"q": "Virtanen%"}).text  # % is a letter here
    assert "Hakuehdoilla ei löytynyt ketään." in nobody
    assert other.employee_number not in nobody


def test_leavers_are_found_only_when_asked(signed_in, world, make_staff):
    client, _admin = signed_in("admin")
    make_staff(unit=world.unit, employee_number="3003", last_name="Lähtijä", active=False)
    active_only = client.get("/admin/staff", query_string={"q": "Lähtijä"}).text
    assert "Hakuehdoilla ei löytynyt ketään." in active_only
    found = client.get("/admin/staff", query_string={"q": "Lähtijä", "inactive": "1"}).text
    assert "1 henkilöä, sivu 1 / 1." in found
    assert 'Lähtijä Aino</a> <span class="badge">lähtenyt</span>' in found


def test_search_results_come_in_pages(signed_in, world, make_staff):
    client, _admin = signed_in("admin")
    for n in range(55):
        make_staff(unit=world.unit, employee_number=f"P{n:03d}", last_name=f"Sivutettu{n:03d}")
    first = client.get("/admin/staff", query_string={"q": "Sivutettu"}).text
    assert "55 henkilöä, sivu 1 / 2." in first
    assert "Sivutettu049" in first
    assert "Sivutettu050" not in first
    assert 'rel="next"' in first
    second = client.get("/admin/staff", query_string={"q": "Sivutettu", "page": "2"}).text
    assert "55 henkilöä, sivu 2 / 2." in second
    assert "Sivutettu050" in second
    assert "Sivutettu049" not in second
    assert 'rel="prev"' in second


def test_a_persons_page_shows_every_record_with_source_score_and_expiry(signed_in, world, make_completion):
    client, _admin = signed_in("admin")
    make_completion(
        staff=world.nurse,
        competence=world.competence,
        completed_at=dt.datetime(2024, 2, 1, 10, tzinfo=dt.UTC),
        source="moodle",
        source_ref="m-7",
    )
    page = client.get("/admin/staff/1001").text
    assert "<h1>Öhman Äiniö</h1>" in page
    assert "Pori tiimi 1 (KOHO-1-T1)" in page
    records = page[page.index('id="records"') :]
    assert records.count("EA-01 Ensiapu") == 2
    assert "excel-2024" in records
    assert "Moodle" in records  # the source "moodle" by its label
    assert ">85.00<" in records  # the score
    assert "5.3.2026" in records  # expiry: 12 months after 5.3.2025
    assert f"/admin/completions/{world.completion.id}/correct" in records
    assert 'href="/reports/people/1001"' in page  # the report's view and exports
    assert client.get("/admin/staff/404404").status_code == 404


def test_the_unit_tree_shows_every_unit_under_its_parent_with_people(signed_in, world, make_unit):
    client, _admin = signed_in("admin")
    make_unit(kind="service_area", code="ASOH", name="Asiakasohjaus", parent=world.region)  # empty
    page = client.get("/admin/units").text
    region = page.index("Satakunnan hyvinvointialue")
    team = page.index("Pori tiimi 1")
    assert region < page.index("Kotihoito Pori") < team
    assert page.count("<ul>", region, team) == 3  # region > service area > unit > team, each a list
    assert 'href="/admin/staff?unit=KOHO-1-T1"' in page
    assert 'Asiakasohjaus</a>\n    <span class="unit-code">ASOH</span> ·\n    0 henkilöä' in page


def test_a_correction_is_a_new_record_and_is_audited(signed_in, session, world):
    client, admin = signed_in("admin")
    form = client.get(f"/admin/completions/{world.completion.id}/correct").text
    assert "Öhman Äiniö (1001)" in form
    assert "EA-01 Ensiapu" in form
    response = client.post(
        f"/admin/completions/{world.completion.id}/correct",
        data={
            "action": "change",
            "completed_at": "6.3.2025",
            "score": "90,5",
            "reason": "Päivä väärin listalla",
        },
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/admin/staff/1001#records"
    page = client.get(response.headers["Location"]).text
    assert "Suoritus " + str(world.completion.id) + " korjattu; uusi kirjaus" in page
    assert "korvattu korjauksella" in page
    assert ">90.50<" in page
    session.expire_all()
    correction = session.scalars(
        select(Completion).where(Completion.supersedes_id == world.completion.id)
    ).one()
    assert (correction.source, correction.score, correction.voided) == ("correction", 90.5, False)
    assert correction.completed_at.date() == dt.date(2025, 3, 5)  # 6.3.2025 00:00 Helsinki is 5.3. 22:00 UTC
    original = session.get(Completion, world.completion.id)
    assert original.score == 85  # append-only: the old record stays as it was
    event = session.scalars(select(AuditEvent).where(AuditEvent.action == "completion.corrected")).one()
    assert (event.actor, event.reason, event.subject_id) == (
        f"account:{admin.id}",
        "Päivä väärin listalla",
        str(world.completion.id),
    )
    assert event.details["score"] == ["85.00", "90.5"]

    again = client.get(f"/admin/completions/{world.completion.id}/correct").text
    assert f"Suoritus on jo korjattu kirjauksella {correction.id}." in again
    refused = client.post(
        f"/admin/completions/{world.completion.id}/correct", data={"action": "void", "reason": "x"}
    )
    assert refused.status_code == 409
    assert f"Suoritus on jo korjattu kirjauksella {correction.id}. Korjaa uusin kirjaus." in refused.text


def test_voiding_keeps_the_record_and_marks_it(signed_in, session, world):
    client, _admin = signed_in("admin")
    response = client.post(
        f"/admin/completions/{world.completion.id}/correct",
        data={"action": "void", "completed_at": "ei päivä", "reason": "Väärä henkilö"},
    )
    assert response.status_code == 302
    page = client.get("/admin/staff/1001").text
    assert "mitätöitiin" in page
    assert "mitätöity" in page
    session.expire_all()
    assert session.scalars(
        select(Completion.voided).where(Completion.supersedes_id == world.completion.id)
    ).one()
    assert session.scalars(
        select(AuditEvent).where(AuditEvent.action == "completion.voided")
    ).one().reason == ("Väärä henkilö")


def test_a_correction_needs_a_reason_a_change_and_real_values(signed_in, session, world):
    client, _admin = signed_in("admin")
    url = f"/admin/completions/{world.completion.id}/correct"
    for data, message in (
        ({"action": "change", "score": "90"}, "Kerro korjauksen syy: se tallentuu muutoslokiin."),
        ({"action": "change", "reason": "x"}, "Anna oikea päivämäärä, oikeat pisteet tai molemmat."),
        (
            {"action": "change", "completed_at": "31.2.2024", "reason": "x"},
            "Päivämäärä 31.2.2024 on mahdoton",
        ),
        ({"action": "change", "score": "120", "reason": "x"}, "Pisteiden on oltava välillä 0–100."),
        ({"action": "change", "completed_at": "1.1.2099", "reason": "x"}, "tulevaisuudessa"),
    ):
        response = client.post(url, data=data)
        assert response.status_code == 400, data
        assert message in response.text, data
        assert 'aria-invalid="true"' in response.text
    session.expire_all()
    assert session.scalars(select(Completion).where(Completion.supersedes_id.is_not(None))).all() == []
    assert client.get("/admin/completions/999999/correct").status_code == 404
