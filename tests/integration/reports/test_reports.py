"""What a supervisor reads in the reports and exports, checked against the region's known facts."""

from __future__ import annotations

import csv
import io
import re

from openpyxl import load_workbook

from lms_bridge.register.service import correct_completion


def rows_of_csv(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf")  # Excel in a Finnish locale needs the BOM and semicolons
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))


def test_overview_counts_per_competence_and_sub_unit(region, as_account):
    page = as_account(region.sup_a).get("/reports/units/KOHO").text
    assert "3 henkilöä" in page
    # EA-01 is required of the three nurses: one valid, one expiring (340 days of 12 months), one missing
    ea_row = re.search(r"EA-01 Ensiapu</th>(.*?)</tr>", page, re.S).group(1)
    assert [int(n) for n in re.findall(r'<td class="num">(\d+)</td>', ea_row)] == [1, 1, 0, 1, 0]
    assert "67 %" in ea_row  # 2 of 3 required held (valid or expiring)
    assert "Kotihoito Pori" in page  # the sub-unit, with a drill-down link
    assert 'href="/reports/units/KOHO-1"' in page
    # status shown as text with an icon, not colour alone
    assert '<span aria-hidden="true">✓</span> voimassa' in page


def test_filters_by_status_and_job_title(region, as_account):
    client = as_account(region.sup_a)
    missing = client.get("/reports/units/KOHO?status=missing").text
    assert "Hoitaja2" in missing
    assert "Hoitaja0" not in missing
    assert "1 henkilöä, sivu 1 / 1" in missing
    none = client.get("/reports/units/KOHO?job_title=sosiaalityöntekijä").text
    assert "Ei henkilöitä näillä rajauksilla." in none


def test_lists_name_the_unit_and_the_course_that_grants_it(region, as_account, make_course, session):
    from lms_bridge.catalog.service import grant_competence

    course = make_course(slug="ensiapu", title="Ensiavun perusteet")
    grant_competence(session, course_id=course.id, competence_id=region.ea.id)
    client = as_account(region.sup_a)
    missing = client.get("/reports/units/KOHO/lists/missing").text
    assert "Hoitaja2" in missing
    assert "Kotihoito Pori, tiimi 1" in missing
    assert "Ensiavun perusteet" in missing
    assert "Hoitaja1" in client.get("/reports/units/KOHO/lists/expiring?days=30").text
    assert "Hoitaja1" not in client.get("/reports/units/KOHO/lists/expiring?days=30&job_title=x").text


def test_exports_are_the_rows_on_screen(region, as_account):
    client = as_account(region.sup_a)
    rows = rows_of_csv(client.get("/reports/units/KOHO/export.csv?status=missing").data)
    assert rows[0][:5] == ["Henkilönumero", "Sukunimi", "Etunimi", "Yksikkö", "Tehtävänimike"]
    assert [r[1] for r in rows[1:]] == ["Hoitaja2"]
    ea_column = next(i for i, h in enumerate(rows[0]) if h.startswith("EA-01"))
    assert rows[1][ea_column] == "puuttuu"
    book = load_workbook(io.BytesIO(client.get("/reports/units/KOHO/lists/expiring.xlsx?days=60").data))
    sheet = book.active
    values = list(sheet.iter_rows(values_only=True))
    assert values[0][0] == "Henkilönumero"
    assert [v[1] for v in values[1:]] == ["Hoitaja1"]


def test_a_name_that_looks_like_a_formula_stays_text(region, as_account, make_staff):
    make_staff(unit=region.team_a, last_name='=HYPERLINK("http://evil")', first_name="+1")
    client = as_account(region.sup_a)
    rows = rows_of_csv(client.get("/reports/units/KOHO/export.csv").data)
    assert any(r[1].startswith("'=HYPERLINK") for r in rows)
    book = load_workbook(io.BytesIO(client.get("/reports/units/KOHO/export.xlsx").data))
    cells = [c for row in book.active.iter_rows() for c in row if str(c.value).startswith("=HYPERLINK")]
    assert cells
    assert all(c.data_type == "s" for c in cells)


def test_transcript_shows_every_record_and_its_corrections(region, as_account, session):
    from lms_bridge.register.models import Completion

    nurse = region.nurses_a[0]
    original = session.query(Completion).filter_by(staff_id=nurse.id).one()
    correct_completion(session, completion_id=original.id, actor="cli:t", reason="väärä päivä", void=True)
    client = as_account(region.sup_a)
    page = client.get(f"/reports/people/{nurse.employee_number}").text
    assert "mitätöity" in page
    assert "Kaikki suoritukset" in page
    rows = rows_of_csv(client.get(f"/reports/people/{nurse.employee_number}/transcript.csv").data)
    assert rows[0][:3] == ["Osaaminen", "Suoritettu", "Lähde"]
    assert any(r[-1] == "mitätöity" for r in rows[1:])


def test_trend_has_a_chart_readable_without_colour_and_its_numbers(region, as_account):
    page = as_account(region.sup_a).get("/reports/units/KOHO/trend").text
    assert "<svg viewBox" in page
    assert 'role="img"' in page
    assert "Kuukausittaiset luvut" in page
    assert page.count('<th scope="row">') == 12


def test_exports_are_audited(region, as_account, session):
    from sqlalchemy import select

    from lms_bridge.audit import AuditEvent

    as_account(region.sup_a).get("/reports/units/KOHO/export.xlsx")
    session.expire_all()
    event = session.scalars(select(AuditEvent).where(AuditEvent.action == "report.export")).one()
    assert (event.actor, event.subject_id) == (f"account:{region.sup_a.id}", "KOHO")


def test_digest_settings_need_an_address_and_csrf(region, as_account, db_app):
    client = as_account(region.sup_a)
    refused = client.post("/reports/settings", data={"weekly_digest": "y", "email": ""})
    assert refused.status_code == 400
    assert "Anna sähköpostiosoite" in refused.text
    saved = client.post("/reports/settings", data={"weekly_digest": "y", "email": "esihenkilo@satakunta.fi"})
    assert saved.status_code == 302
    db_app.config["WTF_CSRF_ENABLED"] = True
    assert client.post("/reports/settings", data={"weekly_digest": ""}).status_code == 400
