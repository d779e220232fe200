"""Every report path checks scope on the server: a supervisor of unit A gets nothing of unit B."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook


def paths_for_unit(code: str) -> list[str]:
    return [
        f"/reports/units/{code}",
        f"/reports/units/{code}?page=2&sort=unit&status=missing&job_title=kotihoitaja",
        f"/reports/units/{code}/export.csv",
        f"/reports/units/{code}/export.xlsx?status=problem",
        f"/reports/units/{code}/lists/missing",
        f"/reports/units/{code}/lists/expiring?days=90",
        f"/reports/units/{code}/lists/expired",
        f"/reports/units/{code}/lists/missing.csv",
        f"/reports/units/{code}/lists/expiring.xlsx?days=30",
        f"/reports/units/{code}/trend",
    ]


def test_a_supervisor_of_a_gets_no_page_or_export_of_b(region, as_account):
    client = as_account(region.sup_a)
    for path in paths_for_unit("ASOH") + paths_for_unit("SATA"):  # B, and the region above A
        assert client.get(path).status_code == 404, path
    number = region.counsellor_b.employee_number
    for path in (f"/reports/people/{number}", f"/reports/people/{number}/transcript.csv"):
        assert client.get(path).status_code == 404, path
    for path in paths_for_unit("KOHO") + paths_for_unit("KOHO-T1"):  # A and inside it
        assert client.get(path).status_code == 200, path


def test_an_unknown_unit_looks_the_same_as_another_supervisors(region, as_account):
    client = as_account(region.sup_a)
    assert client.get("/reports/units/ASOH").text == client.get("/reports/units/NOPE").text.replace(
        "NOPE", "ASOH"
    )


def test_the_start_page_goes_to_the_supervisors_own_unit(region, as_account):
    response = as_account(region.sup_a).get("/reports/")
    assert response.status_code == 302
    assert response.location == "/reports/units/KOHO"


def test_overview_and_exports_contain_only_the_own_units_people(region, as_account):
    client = as_account(region.sup_a)
    page = client.get("/reports/units/KOHO").text
    assert "Hoitaja0" in page
    assert "Ohjaaja" not in page
    assert "Asiakasohjaus" not in page
    rows = list(
        csv.reader(
            io.StringIO(client.get("/reports/units/KOHO/export.csv").data.decode("utf-8-sig")), delimiter=";"
        )
    )
    names = {row[1] for row in rows[1:]}
    assert names == {"Hoitaja0", "Hoitaja1", "Hoitaja2"}
    book = load_workbook(io.BytesIO(client.get("/reports/units/KOHO/lists/missing.xlsx").data))
    listed = {row[1] for row in book.active.iter_rows(min_row=2, values_only=True)}
    assert listed <= {"Hoitaja0", "Hoitaja1", "Hoitaja2"}


@pytest.mark.parametrize("sort", ["name", "unit", "job_title", "'; drop table staff; --"])
def test_sort_and_page_parameters_never_widen_the_scope(region, as_account, sort):
    client = as_account(region.sup_a)
    for page in ("1", "2", "0", "-1", "999999999999", "abc"):
        response = client.get(f"/reports/units/KOHO?sort={sort}&page={page}")
        assert response.status_code == 200
        assert "Ohjaaja" not in response.text


def test_a_supervisor_arriving_by_lti_sees_their_assigned_units(region, as_lti_staff):
    client = as_lti_staff(region.boss_b)
    assert client.get("/reports/units/ASOH").status_code == 200
    assert "Ohjaaja" in client.get("/reports/units/ASOH").text
    assert client.get("/reports/units/KOHO").status_code == 404


def test_a_learner_sees_only_their_own_page(region, as_lti_staff):
    client = as_lti_staff(region.nurses_a[0])
    assert client.get("/reports/").location == "/reports/me"
    assert client.get("/reports/units/KOHO").location == "/reports/me"
    other = region.nurses_a[1].employee_number
    assert client.get(f"/reports/people/{other}").location == "/reports/me"
    me = client.get("/reports/me").text
    assert "Oma osaamiseni" in me
    assert "Ensiapu" in me


def test_nobody_signed_in_goes_to_the_sign_in_page(db_app, region):
    response = db_app.test_client().get("/reports/units/KOHO/export.csv")
    assert response.status_code == 302
    assert response.location.startswith("/auth/login")


def test_a_supervisor_without_units_is_told_so(region, as_account, make_account):
    client = as_account(make_account(role="supervisor"))
    response = client.get("/reports/")
    assert response.status_code == 403
    assert "Sinulle ei ole määritelty yksiköitä" in response.text


def test_an_admin_sees_every_unit(region, signed_in):
    client, _admin = signed_in("admin")
    assert client.get("/reports/").location == "/reports/units/SATA"
    assert client.get("/reports/units/ASOH").status_code == 200
