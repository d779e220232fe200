"""The demo sign-in: on only with ENV = "development" and DEV_SIGN_IN = true; a 404 everywhere else."""

from __future__ import annotations

import re

import pytest
from sqlalchemy.orm import sessionmaker

from lms_bridge import create_app


@pytest.fixture
def make_app(connection, tmp_path, monkeypatch):
    """The app with extra settings (or LMS_BRIDGE_* variables), sessions joined to the test's connection."""
    made = []

    def make(env: dict[str, str] | None = None, **settings):
        for key, value in (env or {}).items():
            monkeypatch.setenv(key, value)
        app = create_app(
            {
                "TESTING": True,
                "DATABASE_URL": f"sqlite:///{tmp_path / 'unused.sqlite3'}",
                "DATA_DIR": str(tmp_path / "data"),
                "SECRET_KEY": "test-secret",
                **settings,
            },
            instance_path=str(tmp_path / "instance"),
        )
        app.extensions["lms_bridge.sessionmaker"] = sessionmaker(
            bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
        )
        made.append(app)
        return app

    yield make
    for app in made:
        app.extensions["lms_bridge.engine"].dispose()


def test_off_by_default(db_app):
    assert db_app.config["DEV_SIGN_IN"] is False
    assert db_app.config["ENV"] == "production"
    client = db_app.test_client()
    assert client.get("/dev/sign-in").status_code == 404
    assert client.post("/dev/sign-in", data={"staff": "1"}).status_code == 404
    assert "/dev/sign-in" not in client.get("/").text


@pytest.mark.parametrize(
    "settings",
    [
        {"ENV": "production", "DEV_SIGN_IN": True},
        {"ENV": "development", "DEV_SIGN_IN": False},
        {"ENV": "production", "DEV_SIGN_IN": "true"},
    ],
)
def test_off_unless_both_settings_say_so(make_app, settings):
    client = make_app(**settings).test_client()
    assert client.get("/dev/sign-in").status_code == 404


def test_production_environment_variables_keep_it_off(make_app):
    app = make_app(env={"LMS_BRIDGE_ENV": "production", "LMS_BRIDGE_DEV_SIGN_IN": "true"})
    assert app.test_client().get("/dev/sign-in").status_code == 404


def test_scripts_run_settings_switch_it_on_and_it_signs_a_learner_in(make_app, make_version, make_staff):
    version = make_version()
    staff = make_staff(last_name="Aaaltonen")
    app = make_app(env={"LMS_BRIDGE_ENV": "development", "LMS_BRIDGE_DEV_SIGN_IN": "true"})
    client = app.test_client()

    launch = client.get(f"/play/{version.course.slug}")
    assert launch.status_code == 302
    assert launch.location.startswith("/dev/sign-in?next=")
    form = client.get(launch.location)
    assert form.status_code == 200
    assert "Harjoituskirjautuminen" in form.text
    assert f'value="{staff.id}"' in form.text
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', form.text).group(1)

    refused = client.post("/dev/sign-in", data={"staff": str(staff.id)})  # no CSRF token
    assert refused.status_code == 400
    signed_in = client.post(
        "/dev/sign-in",
        data={"staff": str(staff.id), "csrf_token": token, "next": f"/play/{version.course.slug}"},
    )
    assert (signed_in.status_code, signed_in.location) == (302, f"/play/{version.course.slug}")
    course_page = client.get(f"/play/{version.course.slug}")
    assert course_page.status_code == 200
    assert "Aloita kurssi" in course_page.text
    assert version.course.title in client.get("/").text

    token = re.search(
        r'name="csrf_token" type="hidden" value="([^"]+)"', client.get("/dev/sign-in").text
    ).group(1)
    unsafe = client.post(
        "/dev/sign-in", data={"staff": str(staff.id), "csrf_token": token, "next": "//evil.example/"}
    )
    assert unsafe.location == "/"


def test_unknown_staff_is_refused(make_app, make_staff):
    make_staff()
    client = make_app(ENV="development", DEV_SIGN_IN=True).test_client()
    token = re.search(
        r'name="csrf_token" type="hidden" value="([^"]+)"', client.get("/dev/sign-in").text
    ).group(1)
    assert client.post("/dev/sign-in", data={"staff": "999999", "csrf_token": token}).status_code == 400


def test_a_demo_session_is_worthless_once_the_demo_sign_in_is_off(make_app, make_version, make_staff):
    version = make_version()
    staff = make_staff()
    slug = version.course.slug
    for settings, expected in (({"ENV": "development", "DEV_SIGN_IN": True}, 200), ({}, 403)):
        client = make_app(**settings).test_client()
        with client.session_transaction() as cookie:  # the cookie a development run left behind
            cookie["staff_id"] = staff.id
            cookie["staff_via"] = "dev"
        course_page = client.get(f"/play/{slug}")
        assert course_page.status_code == expected
        if expected == 200:
            assert "<form" in course_page.text  # the course's start button: the session counts


def _token(page: str) -> str:
    found = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
    assert found is not None
    return found.group(1)


def test_the_search_finds_every_person_not_only_the_first_fifty(make_app, make_staff):
    for n in range(60):
        make_staff(employee_number=f"70{n:02d}", first_name="Aino", last_name=f"Aaltonen{n:02d}")
    last = make_staff(employee_number="9999", first_name="Öljy", last_name="Östman")
    client = make_app(ENV="development", DEV_SIGN_IN=True).test_client()
    listed = client.get("/dev/sign-in").text
    assert "Hakuun sopii 61 henkilöä; näytetään 50 ensimmäistä" in listed
    assert f'value="{last.id}"' not in listed
    found = client.get("/dev/sign-in", query_string={"q": "östman"}).text
    assert f'value="{last.id}"' in found
    assert "Hakuun sopii 1 henkilö." in found
    assert "ei löytynyt ketään" in client.get("/dev/sign-in", query_string={"q": "zzz"}).text
    # anyone active can sign in, listed on the page or not
    signed_in = client.post("/dev/sign-in", data={"staff": str(last.id), "csrf_token": _token(listed)})
    assert signed_in.status_code == 302
    assert "Kirjaudu ulos (Öljy Östman)" in client.get("/").text


def test_a_learner_signs_out_from_the_header(make_app, make_staff):
    staff = make_staff(first_name="Maija", last_name="Virtanen")
    client = make_app(ENV="development", DEV_SIGN_IN=True).test_client()
    client.post(
        "/dev/sign-in", data={"staff": str(staff.id), "csrf_token": _token(client.get("/dev/sign-in").text)}
    )
    front = client.get("/").text
    assert "Kirjaudu ulos (Maija Virtanen)" in front
    assert client.post("/auth/logout").status_code == 400  # no CSRF token: still signed in
    assert "Kirjaudu ulos (Maija Virtanen)" in client.get("/").text
    signed_out = client.post("/auth/logout", data={"csrf_token": _token(front)}, follow_redirects=True)
    assert "Olet kirjautunut ulos." in signed_out.text
    assert "Maija Virtanen" not in signed_out.text
    assert "Kurssisi" not in signed_out.text


def test_an_inactive_person_cannot_be_chosen(make_app, make_staff):
    make_staff()
    gone = make_staff(active=False)
    client = make_app(ENV="development", DEV_SIGN_IN=True).test_client()
    token = _token(client.get("/dev/sign-in").text)
    assert client.post("/dev/sign-in", data={"staff": str(gone.id), "csrf_token": token}).status_code == 400
