"""The reports from the command line (scheduled jobs), and supervisor scopes set by admins and HR."""

from __future__ import annotations

import csv
import io

from openpyxl import load_workbook


def test_export_command_writes_the_units_rows(region, run, tmp_path):
    out = tmp_path / "koho.csv"
    result = run("reports", "export", "--unit", "KOHO", "--status", "missing,expiring", "--out", str(out))
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(io.StringIO(out.read_bytes().decode("utf-8-sig")), delimiter=";"))
    assert sorted(r[1] for r in rows[1:]) == ["Hoitaja1", "Hoitaja2"]
    xlsx = tmp_path / "koho.xlsx"
    assert run("reports", "export", "--unit", "KOHO", "--format", "xlsx", "--out", str(xlsx)).exit_code == 0
    assert load_workbook(xlsx).active.max_row == 4  # header + three nurses


def test_export_command_refuses_an_unknown_status_or_unit(region, run, tmp_path):
    bad = run("reports", "export", "--unit", "KOHO", "--status", "great", "--out", str(tmp_path / "x.csv"))
    assert bad.exit_code == 1
    assert "great" in bad.output
    unknown = run("reports", "export", "--unit", "NOPE", "--out", str(tmp_path / "x.csv"))
    assert unknown.exit_code == 1
    assert not (tmp_path / "x.csv").exists()


def test_admin_assigns_units_and_links_an_account_to_staff(region, run, as_account, make_account):
    account = make_account(role="supervisor", username="uusi-esihenkilo")
    client = as_account(account)
    assert client.get("/reports/").status_code == 403
    result = run(
        "accounts", "assign-units", account.username, "--employee-number", region.boss_b.employee_number
    )
    assert result.exit_code == 0, result.output
    assert client.get("/reports/units/ASOH").status_code == 200  # HR's assignment of the linked person
    assert client.get("/reports/units/KOHO").status_code == 404
    assert run("accounts", "assign-units", account.username, "--unit", "KOHO").exit_code == 0
    assert client.get("/reports/units/KOHO").status_code == 200


def test_hr_staff_import_carries_who_supervises_which_unit(region, run, as_lti_staff, session):
    from lms_bridge.register.models import OrgUnit

    def line(person, supervises=""):
        unit = session.get_one(OrgUnit, person.unit_id).code
        fields = (
            person.employee_number,
            person.first_name,
            person.last_name,
            person.job_title,
            unit,
            supervises,
        )
        return ";".join(fields) + "\n"

    header = "employee_number;first_name;last_name;job_title;unit_code;supervises\n"
    others = "".join(line(p) for p in (region.counsellor_b, *region.nurses_a))
    result = run("staff", "import", content=header + line(region.boss_b, "ASOH, KOHO-T1") + others)
    assert result.exit_code == 0, result.output
    assert "Esihenkilöiden yksiköt muuttuivat 1 henkilöllä." in result.output
    client = as_lti_staff(region.boss_b)
    assert client.get("/reports/units/KOHO-T1").status_code == 200
    assert client.get("/reports/units/KOHO").status_code == 404

    refused = run("staff", "import", content=header + line(region.boss_b, "NOPE") + others)
    assert refused.exit_code == 1
    assert "NOPE" in refused.output
    assert client.get("/reports/units/KOHO-T1").status_code == 200  # nothing changed
