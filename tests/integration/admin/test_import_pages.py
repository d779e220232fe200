"""CSV imports in the browser: upload, a dry-run preview, confirm; the same file gives what the CLI gives,
a refused file changes nothing, and a staff import deactivating too many stops until confirmed."""

from __future__ import annotations

import html
import io
import re
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import aliased

from lms_bridge.audit import AuditEvent
from lms_bridge.catalog.models import Competence
from lms_bridge.register.models import Completion, OrgUnit, Staff, SupervisorAssignment

UNITS = """unit_code,name,kind,parent_code
SATA,Satakunnan hyvinvointialue,region,
KOHO,Kotihoito,palvelualue,SATA
KOHO-PORI,Kotihoito Pori,yksikkö,KOHO
KOHO-PORI-T1,Pori tiimi 1,tiimi,KOHO-PORI
IKAK,Ikäkeskus,service_area,SATA
"""
STAFF = """employee_number;first_name;last_name;email;job_title;unit_code;active;supervises
1001;Aino;Mäkelä;aino.makela@satakunta.example;Kotihoitaja;KOHO-PORI-T1;1;
1002;Pekka;Grönroos;;asiakasohjaaja;KOHO-PORI;kyllä;KOHO-PORI
1003;Satu;Leino;satu.leino@satakunta.example;ikäkeskuksen työntekijä;IKAK;;
"""
COMPLETIONS = (
    "employee_number;competence_code;completed_at;source;source_ref;score\r\n"
    "1001;KOHT-01;5.3.2024;excel-2024;rivi-1;85,5\r\n"
    "1002;koht-01;2024-03-06;excel-2024;rivi-2;\r\n"
    "1003;EA-01;2024-03-07T10:00:00+02:00;excel-2024;rivi-3;100\r\n"
)
FILES = {"units": UNITS, "staff": STAFF, "completions": COMPLETIONS}


def upload(client, kind: str, content: str | bytes, name: str | None = None):
    data = content.encode() if isinstance(content, str) else content
    return client.post(
        f"/admin/imports/{kind}",
        data={f"{kind}-file": (io.BytesIO(data), name or f"{kind}.csv")},
        content_type="multipart/form-data",
    )


def kept_files(app) -> list[str]:
    folder = Path(app.instance_path) / "imports"
    return sorted(p.name for p in folder.iterdir()) if folder.is_dir() else []


def text_of(page: str) -> str:
    """The page's text, as a reader meets it: tags dropped, entities decoded, spaces collapsed."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def count(session, model) -> int:
    session.expire_all()
    return session.scalar(select(func.count()).select_from(model))


@pytest.fixture
def register_ready(run, make_competence):
    """Units, staff and competences in place, as before a completions import."""

    def make(kind: str) -> None:
        if kind in ("staff", "completions"):
            assert run("units", "import", content=UNITS).exit_code == 0
        if kind == "completions":
            assert run("staff", "import", content=STAFF).exit_code == 0
            make_competence(code="KOHT-01", validity_months=36)
            make_competence(code="EA-01", validity_months=None)

    return make


def test_upload_previews_changes_nothing_then_confirm_imports(db_app, signed_in, session):
    client, admin = signed_in("admin")
    uploaded = upload(client, "units", UNITS)
    assert uploaded.status_code == 302
    preview_url = uploaded.headers["Location"]
    assert re.fullmatch(r"/admin/imports/units/[A-Za-z0-9_-]{43}", preview_url)
    assert len(kept_files(db_app)) == 2  # the bytes and what they are, under the random name

    preview = text_of(client.get(preview_url).text)
    assert "Esikatselu: Yksiköt" in preview
    assert "Tiedosto units.csv, 5 riviä. Mitään ei ole vielä tallennettu." in preview
    assert "Koeajo, ei tallennettu: 5 uutta, 0 päivitetty, 0 ennallaan, 0 passivoitu." in preview
    assert "Uudet (5) SATA Satakunnan hyvinvointialue KOHO Kotihoito" in preview
    assert count(session, OrgUnit) == 0

    done = client.post(preview_url)
    assert done.status_code == 302
    assert done.headers["Location"] == "/admin/imports"
    page = text_of(client.get("/admin/imports").text)
    assert "Yksiköt tuotiin tiedostosta units.csv: 5 uutta, 0 päivitetty, 0 ennallaan, 0 passivoitu." in page
    assert count(session, OrgUnit) == 5
    event = session.scalars(select(AuditEvent).where(AuditEvent.action == "units.imported")).one()
    assert event.actor == f"account:{admin.id}"
    assert kept_files(db_app) == []  # imported: the file is gone from the server

    again = client.post(preview_url)  # a second click, or the back button
    assert again.status_code == 302
    assert "Esikatseltua tiedostoa ei enää ole" in client.get(again.headers["Location"]).text
    assert count(session, OrgUnit) == 5


def test_a_staff_preview_names_who_is_created_updated_and_deactivated(run, signed_in, register_ready):
    register_ready("staff")
    assert run("staff", "import", content=STAFF).exit_code == 0
    client, _admin = signed_in("admin")
    changed = (
        STAFF.replace("Kotihoitaja;KOHO-PORI-T1", "sairaanhoitaja;KOHO-PORI").replace(
            "1003;Satu;Leino;satu.leino@satakunta.example;ikäkeskuksen työntekijä;IKAK;;\n", ""
        )
        + "1004;Ville;Uusi;;kotihoitaja;IKAK;1;\n"
    )
    preview = text_of(client.get(upload(client, "staff", changed).headers["Location"]).text)
    assert "Koeajo, ei tallennettu: 1 uutta, 1 päivitetty, 1 ennallaan, 1 passivoitu." in preview
    assert "Uudet (1) 1004 Uusi Ville" in preview
    assert "Muuttuvat (1) 1001 Mäkelä Aino: tehtävänimike, yksikkö" in preview
    assert "Passivoitavat (1) 1003 Leino Satu" in preview
    # 1 of 3 is more than 10 %: the confirmation is asked for
    assert "Tuonti passivoisi 1 henkilöä 3 aktiivisesta (33 %), enemmän kuin sallitut 10 %." in preview


@pytest.mark.parametrize("kind", ["units", "staff", "completions"])
def test_the_same_file_through_the_browser_gives_what_the_cli_gives(
    kind, connection, session, run, signed_in, register_ready
):
    register_ready(kind)
    client, _admin = signed_in("admin")
    content = FILES[kind]

    before_both = connection.begin_nested()  # the browser's import, then undone for the CLI's
    preview_url = upload(client, kind, content).headers["Location"]
    preview = text_of(client.get(preview_url).text)
    assert client.post(preview_url).status_code == 302
    web_page = text_of(client.get("/admin/imports").text)
    via_browser = snapshot(session)
    before_both.rollback()

    assert snapshot(session) != via_browser  # really undone
    dry = run(kind, "import", "--dry-run", content=content)
    result = run(kind, "import", content=content)
    assert result.exit_code == 0, result.output
    assert snapshot(session) == via_browser
    assert dry.output.strip().splitlines()[-1] in preview  # the preview is the CLI's dry run
    assert result.output.strip().splitlines()[-1] in web_page  # and the result its summary


def snapshot(session) -> dict[str, list[tuple]]:
    """Everything an import writes, by natural keys (ids and who recorded it may differ)."""
    session.expire_all()
    parent = aliased(OrgUnit)
    return {
        "units": list(
            session.execute(
                select(OrgUnit.code, OrgUnit.name, OrgUnit.kind, parent.code, OrgUnit.active)
                .outerjoin(parent, parent.id == OrgUnit.parent_id)
                .order_by(OrgUnit.code)
            )
        ),
        "staff": list(
            session.execute(
                select(
                    Staff.employee_number,
                    Staff.first_name,
                    Staff.last_name,
                    Staff.email,
                    Staff.job_title,
                    OrgUnit.code,
                    Staff.active,
                )
                .join(OrgUnit, OrgUnit.id == Staff.unit_id)
                .order_by(Staff.employee_number)
            )
        ),
        "supervises": list(
            session.execute(
                select(Staff.employee_number, OrgUnit.code)
                .select_from(SupervisorAssignment)
                .join(Staff, Staff.id == SupervisorAssignment.staff_id)
                .join(OrgUnit, OrgUnit.id == SupervisorAssignment.unit_id)
                .order_by(Staff.employee_number, OrgUnit.code)
            )
        ),
        "completions": list(
            session.execute(
                select(
                    Staff.employee_number,
                    Competence.code,
                    Completion.completed_at,
                    Completion.expires_at,
                    Completion.score,
                    Completion.source,
                    Completion.source_ref,
                )
                .join(Staff, Staff.id == Completion.staff_id)
                .join(Competence, Competence.id == Completion.competence_id)
                .order_by(Completion.source, Completion.source_ref)
            )
        ),
    }


def test_a_refused_file_lists_every_rejected_row_like_the_cli_and_changes_nothing(
    db_app, run, session, signed_in, register_ready
):
    register_ready("staff")
    client, _admin = signed_in("admin")
    bad = STAFF + (
        "1001;Dup;Licate;;kotihoitaja;KOHO;1;\n"  # a row check
        "1005;Ville;Vallaton;;kotihoitaja;NOWHERE;1;\n"  # an unknown unit
        "1006;Olli;Ohjaaja;;esihenkilö;KOHO;1;EI-OLE\n"  # an unknown supervised unit
    )
    before = snapshot(session)
    response = upload(client, "staff", bad, name="henkilöstö.csv")
    assert response.status_code == 400
    page = text_of(response.text)
    assert "Tiedostoa henkilöstö.csv ei tuotu" in page
    assert "Tuonti hylättiin: 3 riviä 6 rivistä on virheellisiä. Tietokantaa ei muutettu." in page
    cli = run("staff", "import", content=bad)
    assert cli.exit_code == 1
    rejected = [line for line in cli.output.splitlines() if line.startswith("rivi ")]
    assert len(rejected) == 3
    for line in rejected:  # "rivi 5: henkilönumero 1001 on jo rivillä 2" is row 5, that reason
        number, reason = re.fullmatch(r"rivi (\d+): (.*)", line).groups()
        assert f'<th scope="row" class="num">{number}</th><td>{html.escape(reason, quote=False)}</td>' in (
            response.text
        )
    assert snapshot(session) == before
    assert kept_files(db_app) == []  # nothing to confirm, nothing kept


def test_an_unreadable_file_is_explained_at_the_field(db_app, session, signed_in):
    client, _admin = signed_in("admin")
    response = upload(client, "units", "a;b\n1;2\n")
    assert response.status_code == 400
    assert "Otsikkoriviltä puuttuu sarake: unit_code, name, kind, parent_code." in response.text
    assert 'aria-describedby="units-file-hint units-file-error" aria-invalid="true"' in response.text
    empty = client.post("/admin/imports/units", data={}, content_type="multipart/form-data")
    assert empty.status_code == 400
    assert "Valitse tuotava CSV-tiedosto." in empty.text
    assert count(session, OrgUnit) == 0
    assert kept_files(db_app) == []
    assert upload(client, "people", UNITS).status_code == 404


def _staff_file(numbers) -> str:
    return "employee_number,first_name,last_name,job_title,unit_code\n" + "".join(
        f"{n},Etu{n},Suku{n},kotihoitaja,KOHO\n" for n in numbers
    )


def test_mass_deactivation_stops_until_the_admin_confirms_it(db_app, run, session, signed_in, register_ready):
    register_ready("staff")
    assert run("staff", "import", content=_staff_file(range(1, 21))).exit_code == 0
    client, _admin = signed_in("admin")
    preview_url = upload(client, "staff", _staff_file(range(1, 10))).headers["Location"]
    preview = client.get(preview_url).text
    assert "Tuonti passivoisi 11 henkilöä 20 aktiivisesta (55 %), enemmän kuin sallitut 10 %." in preview
    assert "Tiedosto on oikein: passivoi nämä henkilöt" in preview

    def active() -> int:
        session.expire_all()
        return session.scalar(select(func.count()).select_from(Staff).where(Staff.active.is_(True)))

    unconfirmed = client.post(preview_url, data={})
    assert unconfirmed.status_code == 400
    assert (
        "Tuontia ei tehty. Vahvista passivointi valitsemalla ruutu, jos tiedosto on oikein."
        in unconfirmed.text
    )
    assert 'aria-invalid="true"' in unconfirmed.text
    assert active() == 20
    assert len(kept_files(db_app)) == 2  # still there to confirm

    confirmed = client.post(preview_url, data={"allow_mass_deactivation": "y"})
    assert confirmed.status_code == 302
    assert "0 uutta, 0 päivitetty, 9 ennallaan, 11 passivoitu." in client.get("/admin/imports").text
    assert active() == 9


def test_only_the_uploader_confirms_only_that_file_of_that_kind(db_app, session, signed_in):
    client, _admin = signed_in("admin")
    preview_url = upload(client, "units", UNITS).headers["Location"]
    token = preview_url.rsplit("/", 1)[1]
    other, _other_admin = signed_in("admin")
    for stranger, url in (
        (other, preview_url),  # another admin
        (client, f"/admin/imports/staff/{token}"),  # another kind
        (client, "/admin/imports/units/" + "A" * 43),  # a name never given out
    ):
        refused = stranger.post(url)
        assert refused.status_code == 302
        assert "Esikatseltua tiedostoa ei enää ole" in stranger.get(refused.headers["Location"]).text
    assert client.get("/admin/imports/units/..%2F..%2Fsecret_key").status_code in (302, 404)
    assert count(session, OrgUnit) == 0

    kept = Path(db_app.instance_path) / "imports" / f"{token}.csv"
    kept.write_bytes(UNITS.replace("Ikäkeskus", "Muutettu").encode())  # changed on the server's disk
    assert client.post(preview_url).status_code == 302
    assert count(session, OrgUnit) == 0


def test_cancel_removes_the_kept_file(db_app, session, signed_in):
    client, _admin = signed_in("admin")
    preview_url = upload(client, "units", UNITS, name="yksiköt.csv").headers["Location"]
    cancelled = client.post(preview_url + "/cancel")
    assert cancelled.status_code == 302
    assert (
        "Tuonti peruttiin; tiedosto yksiköt.csv poistettiin palvelimelta."
        in client.get("/admin/imports").text
    )
    assert kept_files(db_app) == []
    assert client.post(preview_url).status_code == 302
    assert count(session, OrgUnit) == 0


def test_a_completions_preview_lists_the_new_rows_and_skips_recorded_ones(run, signed_in, register_ready):
    register_ready("completions")
    assert run("completions", "import", content=COMPLETIONS.rsplit("1003", 1)[0]).exit_code == 0
    client, _admin = signed_in("admin")
    preview = text_of(client.get(upload(client, "completions", COMPLETIONS).headers["Location"]).text)
    assert "Koeajo, ei tallennettu: 1 uutta suoritusta, 2 jo kirjattu." in preview
    assert "Uudet (1) rivi 4: 1003 EA-01 2024-03-07T10:00:00+02:00" in preview
