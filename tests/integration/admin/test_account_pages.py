"""Accounts and API tokens in the browser: the same services as `lms-bridge accounts` and `api-token`."""

from __future__ import annotations

import re

from sqlalchemy import select

from lms_bridge.audit import AuditEvent
from lms_bridge.auth.accounts import find_account
from lms_bridge.auth.models import ApiToken
from lms_bridge.register.scopes import supervised_unit_ids
from tests.factories.auth import PASSWORD

NEW_PASSWORD = "iltavuoron-uusi-pitkä-tunnuslause"


def sign_in(app, username: str, password: str = PASSWORD):
    client = app.test_client()
    return client, client.post("/auth/login", data={"username": username, "password": password})


def test_an_admin_creates_a_supervisor_with_units_who_can_then_sign_in(db_app, signed_in, session, world):
    client, admin = signed_in("admin")
    response = client.post(
        "/admin/accounts",
        data={
            "username": "Anna.Esihenkilo",
            "role": "supervisor",
            "password": NEW_PASSWORD,
            "password_again": NEW_PASSWORD,
            "units": "KOHO-1, KOHO-1-T1",
            "employee_number": "1001",
        },
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/admin/accounts/anna.esihenkilo"
    page = client.get(response.headers["Location"]).text
    assert "Tili anna.esihenkilo luotu." in page
    assert "Kotihoito Pori, Pori tiimi 1" in page
    session.expire_all()
    account = find_account(session, "anna.esihenkilo")
    assert (account.role, account.employee_number) == ("supervisor", "1001")
    assert supervised_unit_ids(session, account.id) == sorted([world.unit.id, world.team.id])
    created = session.scalars(select(AuditEvent).where(AuditEvent.action == "account.create")).all()
    assert f"account:{admin.id}" in [event.actor for event in created]
    listed = client.get("/admin/accounts").text
    assert "anna.esihenkilo" in listed
    assert "KOHO-1, KOHO-1-T1" in listed

    supervisor, signed = sign_in(db_app, "anna.esihenkilo", NEW_PASSWORD)
    assert signed.status_code == 302
    assert supervisor.get("/reports/units/KOHO-1").status_code == 200


def test_an_account_is_not_created_from_a_bad_form(db_app, signed_in, session, world):
    client, _admin = signed_in("admin")
    base = {"username": "uusi", "role": "admin", "password": NEW_PASSWORD, "password_again": NEW_PASSWORD}
    for changes, status, message in (
        (
            {"password": "salasana123", "password_again": "salasana123"},
            400,
            "Salasanassa on oltava vähintään",
        ),
        ({"password_again": NEW_PASSWORD + "!"}, 400, "Salasanat eivät ole samat."),
        ({"role": "supervisor", "units": "KOHO-1, EI-OLE"}, 404, "Yksikköä EI-OLE ei löydy."),
        ({"username": "esihenkilo"}, 409, "Käyttäjätunnus esihenkilo on jo käytössä."),
        ({"username": "Ei Kelpaa"}, 400, "Käyttäjätunnuksessa saa olla vain"),
        ({"role": "root"}, 400, "Virheellinen valinta"),  # WTForms' own Finnish
    ):
        response = client.post("/admin/accounts", data={**base, **changes})
        assert response.status_code == status, changes
        assert message in response.text, changes
        assert 'aria-invalid="true"' in response.text or "valinta" in message  # a radio group: its fieldset
    session.expire_all()
    assert find_account(session, "uusi") is None


def test_disabling_ends_the_accounts_sessions_at_once_and_enabling_restores_sign_in(db_app, signed_in, world):
    client, _admin = signed_in("admin")
    supervisor, signed = sign_in(db_app, "esihenkilo")
    assert signed.status_code == 302
    assert supervisor.get("/reports/settings").status_code == 200

    disabled = client.post("/admin/accounts/esihenkilo/active")
    assert disabled.status_code == 302
    page = client.get("/admin/accounts/esihenkilo").text
    assert "Tili esihenkilo poistettu käytöstä; sen istunnot päättyivät." in page
    assert "Ota tili esihenkilo käyttöön" in page
    assert supervisor.get("/reports/settings").status_code == 302  # its open browser is signed out
    _again, refused = sign_in(db_app, "esihenkilo")
    assert refused.status_code == 200
    assert "Käyttäjätunnus tai salasana on väärin." in refused.text

    client.post("/admin/accounts/esihenkilo/active")
    assert "Tili esihenkilo otettu käyttöön." in client.get("/admin/accounts/esihenkilo").text
    _back, signed = sign_in(db_app, "esihenkilo")
    assert signed.status_code == 302


def test_an_admin_cannot_disable_their_own_account(signed_in, session):
    client, admin = signed_in("admin")
    page = client.get(f"/admin/accounts/{admin.username}").text
    assert "Et voi poistaa omaa tiliäsi käytöstä." in page
    assert f"Poista tili {admin.username} käytöstä" not in page
    response = client.post(f"/admin/accounts/{admin.username}/active")
    assert "Et voi poistaa omaa tiliäsi käytöstä." in client.get(response.headers["Location"]).text
    session.expire_all()
    assert find_account(session, admin.username).active is True
    assert client.get("/admin/").status_code == 200


def test_a_reset_password_ends_sessions_and_only_the_new_one_works(db_app, signed_in, world):
    client, _admin = signed_in("admin")
    supervisor, _signed = sign_in(db_app, "esihenkilo")
    weak = client.post(
        "/admin/accounts/esihenkilo/password", data={"password": "lyhyt", "password_again": "lyhyt"}
    )
    assert weak.status_code == 400
    assert "Salasanassa on oltava vähintään 12 merkkiä." in weak.text
    assert supervisor.get("/reports/settings").status_code == 200  # nothing changed yet

    reset = client.post(
        "/admin/accounts/esihenkilo/password", data={"password": NEW_PASSWORD, "password_again": NEW_PASSWORD}
    )
    assert reset.status_code == 302
    assert (
        "Tilin esihenkilo salasana vaihdettu; sen istunnot päättyivät."
        in client.get("/admin/accounts/esihenkilo").text
    )
    assert supervisor.get("/reports/settings").status_code == 302
    assert sign_in(db_app, "esihenkilo")[1].status_code == 200
    assert sign_in(db_app, "esihenkilo", NEW_PASSWORD)[1].status_code == 302


def test_an_admin_lifts_a_sign_in_lockout(db_app, signed_in, world):
    client, _admin = signed_in("admin")
    for _ in range(db_app.config["SIGN_IN_MAX_FAILURES_PER_ACCOUNT"]):
        sign_in(db_app, "esihenkilo", "väärä-salasana-joka-kerta")
    locked = sign_in(db_app, "esihenkilo")[1]
    assert locked.status_code == 429
    assert "lukitus" in locked.text
    assert re.search(r"<td>lukittu</td>", client.get("/admin/accounts").text)
    assert "lukittu " in client.get("/admin/accounts/esihenkilo").text

    unlocked = client.post("/admin/accounts/esihenkilo/unlock")
    assert "Tunnuksen esihenkilo lukitus avattu." in client.get(unlocked.headers["Location"]).text
    assert sign_in(db_app, "esihenkilo")[1].status_code == 302
    again = client.post("/admin/accounts/esihenkilo/unlock")
    assert "Tunnus esihenkilo ei ollut lukittu." in client.get(again.headers["Location"]).text


def test_a_token_is_shown_once_works_shows_its_last_use_and_stops_when_revoked(db_app, signed_in, session):
    client, admin = signed_in("admin")
    created = client.post("/admin/tokens", data={"name": "moodle-raportointi"})
    assert created.status_code == 200
    assert created.headers["Cache-Control"] == "no-store"
    token = re.search(r'id="new-token" value="(lmsb_[A-Za-z0-9_-]+)"', created.text).group(1)
    assert "Tunnus näytetään vain tämän kerran." in created.text

    listed = client.get("/admin/tokens").text
    assert token not in listed  # never again
    assert "moodle-raportointi" in listed
    row = re.search(r"<th scope=\"row\">moodle-raportointi</th>(.*?)</tr>", listed, flags=re.S).group(1)
    assert "ei koskaan" in row
    session.expire_all()
    stored = session.scalars(select(ApiToken).where(ApiToken.name == "moodle-raportointi")).one()
    assert token not in (stored.token_hash, stored.name)  # only its hash is kept

    api = db_app.test_client()
    assert api.get("/api/v1/units", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    row = re.search(
        r"<th scope=\"row\">moodle-raportointi</th>(.*?)</tr>", client.get("/admin/tokens").text, flags=re.S
    )
    assert "ei koskaan" not in row.group(1)
    assert re.search(r"<td>\d{1,2}\.\d{1,2}\.\d{4} klo \d{1,2}\.\d{2}</td>\s*<td>voimassa</td>", row.group(1))

    revoked = client.post("/admin/tokens/moodle-raportointi/revoke")
    assert "Tunnus moodle-raportointi peruttiin" in client.get(revoked.headers["Location"]).text
    assert api.get("/api/v1/units", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    assert "peruttu " in client.get("/admin/tokens").text
    event = session.scalars(select(AuditEvent).where(AuditEvent.action == "api_token.revoked")).one()
    assert event.actor == f"account:{admin.id}"


def test_a_token_name_must_be_free_and_plain(signed_in, world):
    client, _admin = signed_in("admin")
    taken = client.post("/admin/tokens", data={"name": "moodle-raportit"})
    assert taken.status_code == 400
    assert "Tunnus moodle-raportit on jo olemassa. Peru se ensin." in taken.text
    assert "lmsb_" not in taken.text
    bad = client.post("/admin/tokens", data={"name": "ei kelpaa"})
    assert bad.status_code == 400
    assert "Tunnuksen nimessä saa olla kirjaimia" in bad.text
    assert client.post("/admin/tokens/ei-ole/revoke").status_code == 404
