"""CSV imports through the CLI, as an admin runs them: reports, dry runs, all-or-nothing, idempotency."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from lms_bridge.audit import AuditEvent
from lms_bridge.register.imports import completions as imports
from lms_bridge.register.models import Completion, OrgUnit, Staff

UNITS = """unit_code,name,kind,parent_code
SATA,Satakunnan hyvinvointialue,region,
KOHO,Kotihoito,palvelualue,SATA
KOHO-PORI,Kotihoito Pori,yksikkö,KOHO
KOHO-PORI-T1,Pori tiimi 1,tiimi,KOHO-PORI
IKAK,Ikäkeskus,service_area,SATA
"""
STAFF = """employee_number;first_name;last_name;email;job_title;unit_code;active
1001;Aino;Mäkelä;aino.makela@satakunta.example;Kotihoitaja;KOHO-PORI-T1;1
1002;Pekka;Grönroos;;asiakasohjaaja;KOHO-PORI;kyllä
1003;Satu;Leino;satu.leino@satakunta.example;ikäkeskuksen työntekijä;IKAK;
"""


def count(session, model) -> int:
    session.expire_all()
    return session.scalar(select(func.count()).select_from(model))


@pytest.fixture
def hr(run, session, make_competence):
    assert run("units", "import", content=UNITS).exit_code == 0
    result = run("staff", "import", content=STAFF)
    assert result.exit_code == 0, result.output
    make_competence(code="KOHT-01", validity_months=36)
    make_competence(code="EA-01", validity_months=36)
    return run


def test_units_and_staff_import_builds_the_tree(hr, session):
    session.expire_all()
    team = session.scalars(select(OrgUnit).where(OrgUnit.code == "KOHO-PORI-T1")).one()
    region = session.scalars(select(OrgUnit).where(OrgUnit.code == "SATA")).one()
    assert team.kind == "team"
    assert team.path.startswith(region.path)
    assert team.path.count("/") == 5
    aino = session.scalars(select(Staff).where(Staff.employee_number == "1001")).one()
    assert (aino.job_title, aino.unit_id, aino.active) == ("kotihoitaja", team.id, True)


def test_staff_reimport_deactivates_leavers_and_never_deletes(hr, session):
    second = STAFF.replace("1003;Satu;Leino;satu.leino@satakunta.example;ikäkeskuksen työntekijä;IKAK;\n", "")
    # 1 of 3 is more than the 10 % a staff import deactivates without asking (see the mass tests below)
    result = hr("staff", "import", "--allow-mass-deactivation", content=second)
    assert result.exit_code == 0, result.output
    assert "0 uutta, 0 päivitetty, 2 ennallaan, 1 passivoitu" in result.output
    assert count(session, Staff) == 3
    satu = session.scalars(select(Staff).where(Staff.employee_number == "1003")).one()
    assert satu.active is False


def test_staff_file_can_carry_its_units_in_excel_finnish_format(run, session):
    content = (
        "employee_number;first_name;last_name;job_title;unit_code;unit_name;unit_kind;parent_unit_code\r\n"
        "2001;Äiniö;Öhman;kotihoitaja;SATA;Satakunta;region;\r\n"
        "2002;Åsa;Järvinen;sosiaalityöntekijä;SOTY;Ikääntyneiden sosiaalityö;palvelualue;SATA\r\n"
    )
    result = run("staff", "import", content=content.encode("cp1252"))
    assert result.exit_code == 0, result.output
    session.expire_all()
    names = set(session.scalars(select(Staff.first_name)))
    assert names == {"Äiniö", "Åsa"}
    assert count(session, OrgUnit) == 2


def test_bad_staff_rows_are_reported_by_line_and_nothing_changes(run, session):
    run("units", "import", content=UNITS)
    content = STAFF + (
        "1001;Dup;Licate;;kotihoitaja;KOHO;1\n"
        ";No;Number;;kotihoitaja;KOHO;1\n"
        "1005;A;B;bad-email;x;NOWHERE;1\n"
    )
    result = run("staff", "import", content=content)
    assert result.exit_code == 1
    assert "rivi 5: henkilönumero 1001 on jo rivillä 2" in result.output
    assert "rivi 6: henkilönumero puuttuu" in result.output
    assert "rivi 7: sähköpostiosoite bad-email ei kelpaa" in result.output
    assert "Tietokantaa ei muutettu" in result.output
    assert count(session, Staff) == 0


def test_unknown_unit_is_rejected_with_its_line(run, session):
    run("units", "import", content=UNITS)
    result = run(
        "staff",
        "import",
        content="employee_number,first_name,last_name,job_title,unit_code\n9,A,B,x,NOWHERE\n",
    )
    assert result.exit_code == 1
    assert "rivi 2: yksikköä NOWHERE ei löydy" in result.output
    assert count(session, Staff) == 0


def test_every_rejected_staff_row_is_listed_in_one_pass(run, session):
    """A bad unit used to be reported only once the other rows were fixed: now one run names them all."""
    run("units", "import", content=UNITS)
    content = (
        "employee_number,first_name,last_name,job_title,unit_code,supervises\n"
        "1,Aino,Mäkelä,kotihoitaja,KOHO,\n"
        "2,,Leino,kotihoitaja,KOHO,\n"  # a row check
        "3,Satu,Leino,kotihoitaja,NOWHERE,\n"  # an unknown unit
        "4,Pekka,Grönroos,esihenkilö,KOHO,EI-OLE\n"  # an unknown supervised unit
        "5,Ville,Vallaton,x,NOWHERE,EI-OLE\n"  # both: one line, both reasons
    )
    result = run("staff", "import", content=content)
    assert result.exit_code == 1
    assert "rivi 3: etu- tai sukunimi puuttuu" in result.output
    assert "rivi 4: yksikköä NOWHERE ei löydy" in result.output
    assert "rivi 5: esihenkilön yksikköä EI-OLE ei löydy" in result.output
    assert "rivi 6: yksikköä NOWHERE ei löydy; esihenkilön yksikköä EI-OLE ei löydy" in result.output
    assert "Tuonti hylättiin: 4 riviä 5 rivistä on virheellisiä" in result.output
    assert count(session, Staff) == 0


def test_a_unit_defined_on_a_rejected_row_does_not_reject_its_people_twice(run, session):
    content = (
        "employee_number;first_name;last_name;job_title;unit_code;unit_name;unit_kind;parent_unit_code\n"
        "1;Aino;Mäkelä;kotihoitaja;SATA;Satakunta;region;\n"
        "2;Satu;Leino;kotihoitaja;UUSI;Uusi yksikkö;planeetta;SATA\n"
        "3;Pekka;Grönroos;kotihoitaja;UUSI;;;\n"
        "4;Ville;Vallaton;kotihoitaja;MUU;Muu;unit;EI-OLE\n"
    )
    result = run("staff", "import", content=content)
    assert result.exit_code == 1
    assert "rivi 3: tuntematon yksikkötyyppi planeetta" in result.output
    assert "rivi 4" not in result.output  # its unit's row is what needs fixing
    assert "rivi 5: yläyksikköä EI-OLE ei löydy" in result.output
    assert count(session, OrgUnit) == 0


def test_every_rejected_unit_row_is_listed_in_one_pass(run, session):
    content = (
        "unit_code,name,kind,parent_code\n"
        "SATA,Satakunta,region,\n"
        "KOHO,Kotihoito,planeetta,SATA\n"  # a row check
        "IKAK,Ikäkeskus,service_area,EI-OLE\n"  # a tree check
        "T1,Tiimi,team,KOHO\n"  # its parent's row is rejected already: not listed again
    )
    result = run("units", "import", content=content)
    assert result.exit_code == 1
    assert "rivi 3: tuntematon yksikkötyyppi planeetta" in result.output
    assert "rivi 4: yläyksikköä EI-OLE ei löydy" in result.output
    assert "rivi 5" not in result.output
    assert count(session, OrgUnit) == 0


def _staff_file(numbers) -> str:
    return "employee_number,first_name,last_name,job_title,unit_code\n" + "".join(
        f"{n},Etu{n},Suku{n},kotihoitaja,KOHO\n" for n in numbers
    )


def test_a_staff_import_deactivating_too_many_stops_until_confirmed(run, session):
    run("units", "import", content=UNITS)
    assert run("staff", "import", content=_staff_file(range(1, 21))).exit_code == 0
    # 2 of 20 leave: 10 %, not more than the default share
    assert run("staff", "import", content=_staff_file(range(1, 19))).exit_code == 0
    session.expire_all()
    assert session.scalar(select(func.count()).select_from(Staff).where(Staff.active.is_(True))) == 18

    truncated = _staff_file(range(1, 10))  # 9 of the 18 left: a truncated export
    dry = run("staff", "import", "--dry-run", content=truncated)
    assert dry.exit_code == 0
    assert "Tuonti passivoisi 9 henkilöä 18 aktiivisesta (50 %), enemmän kuin sallitut 10 %." in dry.output
    assert "--allow-mass-deactivation" in dry.output

    stopped = run("staff", "import", content=truncated)
    assert stopped.exit_code == 1
    assert "Tuonti passivoisi 9 henkilöä 18 aktiivisesta" in stopped.output
    assert "tietokantaa ei muutettu" in stopped.output
    assert "--allow-mass-deactivation" in stopped.output
    session.expire_all()
    assert session.scalar(select(func.count()).select_from(Staff).where(Staff.active.is_(True))) == 18

    confirmed = run("staff", "import", "--allow-mass-deactivation", content=truncated)
    assert confirmed.exit_code == 0, confirmed.output
    assert "0 uutta, 0 päivitetty, 9 ennallaan, 9 passivoitu." in confirmed.output
    session.expire_all()
    assert session.scalar(select(func.count()).select_from(Staff).where(Staff.active.is_(True))) == 9


def test_the_share_is_a_setting(run, db_app, session):
    run("units", "import", content=UNITS)
    run("staff", "import", content=_staff_file(range(1, 11)))
    db_app.config["IMPORT_MAX_DEACTIVATE_SHARE"] = 0.5
    result = run("staff", "import", content=_staff_file(range(1, 6)))  # 5 of 10: not more than half
    assert result.exit_code == 0, result.output
    assert "5 passivoitu" in result.output


def test_unit_tree_errors(run, session):
    cycle = "unit_code,name,kind,parent_code\nSATA,S,region,\nA,A,unit,B\nB,B,team,A\n"
    result = run("units", "import", content=cycle)
    assert result.exit_code == 1
    assert "rivi 3: yksikkö A ei voi olla yläyksikkönsä yläpuolella" in result.output
    missing = run("units", "import", content="unit_code,name,kind\nSATA,S,region\n")
    assert missing.exit_code == 1
    assert "puuttuu sarake: parent_code" in missing.output
    assert count(session, OrgUnit) == 0


def test_moving_a_unit_moves_its_subtree(hr, session):
    moved = UNITS.replace("KOHO-PORI,Kotihoito Pori,yksikkö,KOHO", "KOHO-PORI,Kotihoito Pori,yksikkö,IKAK")
    assert hr("units", "import", content=moved).exit_code == 0
    session.expire_all()
    ikak = session.scalars(select(OrgUnit).where(OrgUnit.code == "IKAK")).one()
    team = session.scalars(select(OrgUnit).where(OrgUnit.code == "KOHO-PORI-T1")).one()
    assert team.path.startswith(ikak.path)


COMPLETIONS = (
    "\ufeffemployee_number;competence_code;completed_at;source;source_ref;score;course\r\n"
    "1001;KOHT-01;5.3.2024;excel-2024;rivi-1;85,5;\r\n"
    "1002;koht-01;2024-03-06;excel-2024;rivi-2;;\r\n"
    "1003;EA-01;2024-03-07T10:00:00+02:00;excel-2024;rivi-3;100;\r\n"
)


def test_completions_import_then_again_adds_nothing_and_says_so(hr, session):
    first = hr("completions", "import", content=COMPLETIONS)
    assert first.exit_code == 0, first.output
    assert "3 uutta suoritusta, 0 jo kirjattu." in first.output
    assert count(session, Completion) == 3

    second = hr("completions", "import", content=COMPLETIONS)
    assert second.exit_code == 0
    assert "Ei uusia suorituksia: kaikki 3 riviä on jo kirjattu." in second.output
    assert count(session, Completion) == 3
    assert count(session, AuditEvent) >= 1


def test_completions_dry_run_writes_nothing(hr, session):
    result = hr("completions", "import", "--dry-run", content=COMPLETIONS)
    assert result.exit_code == 0
    assert "Koeajo, ei tallennettu: 3 uutta suoritusta" in result.output
    assert count(session, Completion) == 0


def test_rejected_completion_rows_are_named_and_nothing_is_written(hr, session):
    bad = COMPLETIONS + (
        "9999;KOHT-01;1.1.2024;excel-2024;rivi-4;;\r\n"
        "1001;NOPE-1;1.1.2024;excel-2024;rivi-5;;\r\n"
        "1001;KOHT-01;31.2.2024;excel-2024;rivi-6;;\r\n"
        "1001;KOHT-01;1.1.2024;excel-2024;rivi-7;120;\r\n"
        "1001;KOHT-01;1.1.2024;excel-2024;rivi-8;;tuntematon-kurssi\r\n"
        "1001;KOHT-01;1.1.2024;;rivi-9;;\r\n"
    )
    result = hr("completions", "import", content=bad)
    assert result.exit_code == 1
    for expected in (
        "rivi 5: henkilönumeroa 9999 ei löydy",
        "rivi 6: osaamista NOPE-1 ei ole osaamiskehyksessä",
        "rivi 7: päivämäärä 31.2.2024 on mahdoton",
        "rivi 8: pisteiden on oltava välillä 0–100",
        "rivi 9: kurssia tuntematon-kurssi ei löydy",
        "rivi 10: Lähde (source) on pakollinen",
    ):
        assert expected in result.output
    assert "Tuonti hylättiin: 6 riviä 9 rivistä on virheellisiä." in result.output
    assert count(session, Completion) == 0


def test_same_key_with_other_data_is_rejected(hr, session):
    hr("completions", "import", content=COMPLETIONS)
    changed = COMPLETIONS.replace("5.3.2024", "6.3.2024")
    result = hr("completions", "import", content=changed)
    assert result.exit_code == 1
    assert "rivi 2: tapahtuma excel-2024/rivi-1 on jo kirjattu eri tiedoin" in result.output
    assert count(session, Completion) == 3


def test_import_failing_part_way_leaves_the_database_as_it_was(hr, session, monkeypatch):
    def fail(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(imports, "record_event", fail)  # fails after the rows were inserted
    result = hr("completions", "import", content=COMPLETIONS)
    assert result.exit_code != 0
    assert count(session, Completion) == 0


def test_empty_and_headerless_files_get_a_clear_message(hr):
    assert "Tiedosto on tyhjä." in hr("completions", "import", content="").output
    result = hr("completions", "import", content="a,b\n1,2\n")
    assert result.exit_code == 1
    assert "Otsikkoriviltä puuttuu sarake: employee_number" in result.output
