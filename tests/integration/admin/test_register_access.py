"""Every register, import, account and token page is an admin's: a supervisor and a learner are refused,
nobody signed in goes to the sign-in page, and every form carries (and needs) its CSRF token."""

from __future__ import annotations

import io
import re

import pytest
from sqlalchemy import func, select

from lms_bridge.audit import AuditEvent
from lms_bridge.auth.models import Account, ApiToken
from lms_bridge.register.models import Completion, Staff
from tests.factories.auth import PASSWORD

TOKEN = "x" * 43  # the shape of a kept upload's name

PAGES = [
    "/admin/",
    "/admin/staff",
    "/admin/staff?q=Öhman",
    "/admin/staff/1001",
    "/admin/units",
    "/admin/completions/{completion}/correct",
    "/admin/imports",
    f"/admin/imports/staff/{TOKEN}",
    "/admin/accounts",
    "/admin/accounts/esihenkilo",
    "/admin/tokens",
]
FORMS = [  # (path, data) posted by the pages' forms
    ("/admin/completions/{completion}/correct", {"action": "void", "reason": "väärä henkilö"}),
    (
        "/admin/imports/staff",
        {
            "staff-file": (
                b"employee_number,first_name,last_name,job_title,unit_code\n1,A,B,x,KOHO-1\n",
                "s.csv",
            )
        },
    ),
    (f"/admin/imports/staff/{TOKEN}", {}),
    (f"/admin/imports/staff/{TOKEN}/cancel", {}),
    (
        "/admin/accounts",
        {"username": "uusi", "role": "admin", "password": PASSWORD, "password_again": PASSWORD},
    ),
    ("/admin/accounts/esihenkilo/active", {}),
    ("/admin/accounts/esihenkilo/password", {"password": PASSWORD + "x", "password_again": PASSWORD + "x"}),
    ("/admin/accounts/esihenkilo/unlock", {}),
    ("/admin/tokens", {"name": "uusi-tunnus"}),
    ("/admin/tokens/moodle-raportit/revoke", {}),
]


def _state(session):
    """What any of the forms could change."""
    session.expire_all()
    return (
        session.scalar(select(func.count()).select_from(Completion)),
        session.scalar(select(func.count()).select_from(Account)),
        [
            (a.username, a.active, a.password_hash)
            for a in session.scalars(select(Account).order_by(Account.id))
        ],
        [(t.name, t.revoked_at) for t in session.scalars(select(ApiToken).order_by(ApiToken.id))],
        session.scalar(select(func.count()).select_from(Staff)),
        session.scalar(select(func.count()).select_from(AuditEvent)),
    )


def _fill(path, world):
    return path.format(completion=world.completion.id)


def _form(data):
    """A fresh copy of the form data (an uploaded file is a stream, read once)."""
    return {k: (io.BytesIO(v[0]), v[1]) if isinstance(v, tuple) else v for k, v in data.items()}


@pytest.mark.parametrize("path", PAGES)
def test_only_an_admin_sees_the_page(db_app, signed_in, as_learner, world, path):
    url = _fill(path, world)
    nobody = db_app.test_client().get(url)
    assert nobody.status_code == 302
    assert nobody.headers["Location"].startswith("/auth/login?next=")

    learner = as_learner(world.nurse).get(url)  # staff from Moodle have no account
    assert learner.status_code == 302
    assert learner.headers["Location"].startswith("/auth/login?next=")

    supervisor, _account = signed_in("supervisor")
    refused = supervisor.get(url)
    assert refused.status_code == 403
    assert "Sinulla ei ole oikeutta tälle sivulle." in refused.text
    assert "Öhman" not in refused.text


@pytest.mark.parametrize(("path", "data"), FORMS)
def test_a_supervisor_and_a_learner_cannot_post_any_form(signed_in, as_learner, session, world, path, data):
    supervisor, _account = signed_in("supervisor")  # CSRF off: the role is what refuses
    before = _state(session)  # signing in is audited
    refused = supervisor.post(_fill(path, world), data=_form(data), content_type="multipart/form-data")
    assert refused.status_code == 403
    learner = as_learner(world.nurse)
    response = learner.post(_fill(path, world), data=_form(data), content_type="multipart/form-data")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/auth/login?next=")
    assert _state(session) == before


@pytest.mark.parametrize("path", [p for p in PAGES if "imports/staff/" not in p])
def test_every_form_on_the_admin_pages_carries_a_csrf_token(signed_in, world, path):
    client, _account = signed_in("admin")
    client.application.config["WTF_CSRF_ENABLED"] = True
    page = client.get(_fill(path, world))
    assert page.status_code == 200
    forms = re.findall(r'<form[^>]*method="post"[^>]*>(.*?)</form>', page.text, flags=re.S)
    for form in forms:
        assert re.search(r'name="([\w-]+-)?csrf_token"[^>]* value="[^"]+"', form), form


@pytest.mark.parametrize(("path", "data"), FORMS)
def test_every_form_is_refused_without_its_csrf_token(signed_in, session, world, path, data):
    client, _account = signed_in("admin")
    before = _state(session)
    client.application.config["WTF_CSRF_ENABLED"] = True
    response = client.post(_fill(path, world), data=_form(data), content_type="multipart/form-data")
    assert response.status_code == 400
    assert _state(session) == before
    # the same post with the check off goes through: the 400 above was the CSRF check's
    client.application.config["WTF_CSRF_ENABLED"] = False
    response = client.post(_fill(path, world), data=_form(data), content_type="multipart/form-data")
    assert response.status_code in (200, 302), response.text
