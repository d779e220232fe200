"""The admin pages as an admin (and a supervisor, and nobody) sees them, over the Flask test client."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from lms_bridge.auth.accounts import create_account
from lms_bridge.db import get_session
from tests.unit.scorm.test_package import minimal_files, zip_of

PASSWORD = "oikein-pitkä-salasana"


@pytest.fixture
def client(db_app: Flask) -> FlaskClient:
    db_app.config["WTF_CSRF_ENABLED"] = False
    return db_app.test_client()


def sign_in(app: Flask, client: FlaskClient, role: str = "admin") -> None:
    with app.app_context():
        db: Session = get_session()
        create_account(db, username=f"{role}1", password=PASSWORD, role=role, actor="test")
        db.commit()
    response = client.post("/auth/login", data={"username": f"{role}1", "password": PASSWORD})
    assert response.status_code == 302


def upload(
    client: FlaskClient, data: bytes, course: str = "", name: str = "paketti.zip", new_course: bool = False
) -> object:
    form: dict[str, object] = {"package": (io.BytesIO(data), name), "course": course}
    if new_course:
        form["new_course"] = "y"
    return client.post("/admin/packages", data=form, content_type="multipart/form-data")


def test_signed_out_goes_to_sign_in_and_supervisor_is_refused(db_app: Flask, client: FlaskClient) -> None:
    response = client.get("/admin/packages")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/auth/login?next=")
    sign_in(db_app, client, role="supervisor")
    refused = client.get("/admin/packages")
    assert refused.status_code == 403
    assert "Sinulla ei ole oikeutta tälle sivulle." in refused.get_data(as_text=True)


def test_wrong_password_is_refused(db_app: Flask, client: FlaskClient) -> None:
    sign_in(db_app, client)
    client.post("/auth/logout")
    response = client.post("/auth/login", data={"username": "admin1", "password": "väärä-salasana-123"})
    assert response.status_code == 200
    assert "Käyttäjätunnus tai salasana on väärin." in response.get_data(as_text=True)
    assert client.get("/admin/packages").status_code == 302


def test_upload_shows_summary_then_versions_and_rollback(
    db_app: Flask, client: FlaskClient, built_module: Callable[..., bytes]
) -> None:
    sign_in(db_app, client)
    first = upload(client, built_module(), course="kohtaaminen", new_course=True)
    assert first.status_code == 302  # type: ignore[attr-defined]
    summary = client.get(first.headers["Location"]).get_data(as_text=True)  # type: ignore[attr-defined]
    assert "Vaikuttava asiakaskohtaaminen – versio 1" in summary
    assert "<dd>1.2</dd>" in summary
    assert "<code>index.html</code>" in summary
    assert "Ei huomautettavaa" in summary
    assert "Paketista tehtiin uusi kurssi Vaikuttava asiakaskohtaaminen (luonnos)." in summary

    same = upload(client, built_module(), course="kohtaaminen")
    assert "Uutta versiota ei tehty" in client.get(same.headers["Location"]).get_data(as_text=True)  # type: ignore[attr-defined]

    upload(client, built_module(version="1.1.0"), course="kohtaaminen")
    page = client.get("/admin/courses/kohtaaminen").get_data(as_text=True)
    assert "Ota versio 1 käyttöön" in page
    assert "Ota versio 2 käyttöön" not in page  # version 2 is current

    response = client.post("/admin/courses/kohtaaminen/current", data={"number": "1"}, follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "Uudet suorituskerrat käyttävät nyt versiota 1." in page
    assert "Ota versio 2 käyttöön" in page


def test_refused_upload_names_the_problem_and_the_file(db_app: Flask, client: FlaskClient) -> None:
    sign_in(db_app, client)
    response = upload(client, zip_of({**minimal_files(), "../../etc/evil": b"x"}))
    assert response.status_code == 400  # type: ignore[attr-defined]
    page = response.get_data(as_text=True)  # type: ignore[attr-defined]
    assert "Pakettia ei tuotu." in page
    assert "Zip-paketissa on polku, joka osoittaa paketin ulkopuolelle: ../../etc/evil." in page
    assert "Kursseja ei ole vielä tuotu." in page

    missing = upload(client, b"", name="tyhja.zip")
    assert missing.status_code == 400  # type: ignore[attr-defined]


def test_competence_mapping_form(db_app: Flask, client: FlaskClient) -> None:
    from lms_bridge.catalog.framework import DEFAULT_FRAMEWORK, parse_framework
    from lms_bridge.register.requirements import load_framework

    with db_app.app_context():
        db = get_session()
        load_framework(db, parse_framework(DEFAULT_FRAMEWORK.read_text(encoding="utf-8")), actor="t")
        db.commit()
    sign_in(db_app, client)
    upload(client, zip_of(minimal_files()))
    page = client.post(
        "/admin/courses/pieni-testipaketti/rules",
        data={"competences": ["KOHT-01", "OSAL-02"], "passing_score": "75"},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "Kurssin osaamiset ja hyväksymisraja tallennettiin." in page
    assert re.search(r'value="KOHT-01"[^>]*checked|checked[^>]*value="KOHT-01"', page)
    assert 'value="75"' in page
    bad = client.post("/admin/courses/pieni-testipaketti/rules", data={"passing_score": "150"})
    assert bad.status_code == 400
    assert "Anna luku 0–100." in bad.get_data(as_text=True)


def test_preview_serves_the_package_files_safely(db_app: Flask, client: FlaskClient) -> None:
    sign_in(db_app, client)
    location = upload(client, zip_of(minimal_files())).headers["Location"]  # type: ignore[attr-defined]
    version_id = location.rsplit("/", 1)[-1]
    response = client.get(f"/admin/versions/{version_id}/preview")
    preview = response.get_data(as_text=True)
    assert "mitään ei tallenneta" in preview
    assert "frame-src http://localhost:5001" in response.headers["Content-Security-Policy"]
    # the package plays from the content origin, under a token for this version (the preview page's own)
    frame_src = r'data-src="(http://localhost:5001/admin/versions/\d+/content/[^/"]+/)\?sco=one.html"'
    found = re.search(frame_src, preview)
    assert found, preview
    folder = found.group(1)
    assert f"/admin/versions/{version_id}/content/" in folder
    assert 'sandbox="allow-scripts allow-same-origin' in preview
    anonymous = db_app.test_client()  # the content origin gets no admin session: the URL is the key
    page = anonymous.get(folder + "one.html")
    assert page.status_code == 200
    assert page.headers["Content-Type"] == "text/html; charset=utf-8"
    assert page.headers["X-Content-Type-Options"] == "nosniff"
    assert "frame-ancestors 'self' http://localhost" in page.headers["Content-Security-Policy"]
    assert "private" in page.headers["Cache-Control"]
    assert anonymous.get(folder + "../../secret_key").status_code == 404
    assert anonymous.get(folder + "%2e%2e/%2e%2e/secret_key").status_code == 404
    assert anonymous.get(folder + "nothing.html").status_code == 404
    # the old address on the app's own origin serves nothing
    assert client.get(f"/admin/versions/{version_id}/files/one.html").status_code == 404
    assert client.get(folder.removeprefix("http://localhost:5001") + "one.html").status_code == 404


def test_forms_need_the_csrf_token(db_app: Flask, built_module: Callable[..., bytes]) -> None:
    client = db_app.test_client()
    db_app.config["WTF_CSRF_ENABLED"] = False
    sign_in(db_app, client)
    db_app.config["WTF_CSRF_ENABLED"] = True
    response = upload(client, built_module())
    assert response.status_code == 400  # type: ignore[attr-defined]
    assert "turvatarkiste puuttui" in response.get_data(as_text=True)  # type: ignore[attr-defined]


def test_built_modules_can_be_downloaded_for_moodle(db_app: Flask, client: FlaskClient) -> None:
    sign_in(db_app, client)
    assert "Moduuleja ei ole rakennettu." in client.get("/admin/packages").get_data(as_text=True)
    dist = Path(db_app.config["DATA_DIR"]) / "dist"
    dist.mkdir(parents=True)
    (dist / "kohtaaminen-scorm12.zip").write_bytes(b"PK\x05\x06" + b"\0" * 18)
    (dist / "notes.txt").write_text("not a package")
    page = client.get("/admin/packages").get_data(as_text=True)
    assert 'href="/admin/built/kohtaaminen-scorm12.zip"' in page
    assert "notes.txt" not in page
    download = client.get("/admin/built/kohtaaminen-scorm12.zip")
    assert download.status_code == 200
    assert download.headers["Content-Type"] == "application/zip"
    assert "attachment" in download.headers["Content-Disposition"]
    assert client.get("/admin/built/notes.txt").status_code == 404
    assert client.get("/admin/built/..%2Fsecret_key").status_code == 404


def test_many_warnings_are_grouped_by_kind_in_finnish_with_the_technical_lines_folded(
    signed_in, make_version, session
) -> None:
    version = make_version()
    version.warnings = [
        {"code": "xsd", "message": f"imsmanifest.xml line {n}: Element 'x': not expected.", "member": None}
        for n in range(171)
    ] + [{"code": "file_missing", "message": "The manifest lists a b.png, which is not in the package."}]
    session.flush()
    client, _admin = signed_in("admin")
    page = client.get(f"/admin/versions/{version.id}").text
    assert "171 huomautusta: Manifesti poikkeaa SCORM-skeemoista." in page
    assert "1 huomautus: Manifesti luettelee tiedostoja" in page
    assert page.count("<details>") == 2
    assert page.count("not expected") == 5  # five examples, the rest counted
    assert "… ja 166 muuta samanlaista." in page
