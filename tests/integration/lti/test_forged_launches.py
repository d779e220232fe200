"""Forged and broken launches: each is refused with a Finnish page saying what was wrong, and the
database is left exactly as it was before the launch arrived."""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Callable
from typing import Any

import jwt
import pytest

from tests.integration.lti.conftest import Flow, table_counts
from tests.lti_platform import CLAIM, Key, TestPlatform

Forge = Callable[[TestPlatform, dict[str, Any], dict[str, str]], dict[str, str]]


def signed(platform: TestPlatform, body: dict[str, Any], **kwargs: Any) -> str:
    return platform.sign(body, **kwargs)


def fields(token: str, state: str) -> dict[str, str]:
    return {"id_token": token, "state": state}


def change(**claims: Any) -> Forge:
    def forge(platform, body, query):
        for name, value in claims.items():
            name = name.replace("__", "/")
            if value is DROP:
                body.pop(name, None)
            else:
                body[name] = value
        return fields(signed(platform, body), query["state"])

    return forge


DROP = object()


def claim(name: str, value: Any) -> Forge:
    def forge(platform, body, query):
        if value is DROP:
            body.pop(CLAIM + name, None)
        else:
            body[CLAIM + name] = value
        return fields(signed(platform, body), query["state"])

    return forge


def bad_signature(platform, body, query):
    impostor = Key.new(platform.key.kid)  # the right kid, another key
    return fields(signed(platform, body, key=impostor), query["state"])


def unknown_kid(platform, body, query):
    return fields(signed(platform, body, key=Key.new("no-such-kid")), query["state"])


def alg_none(platform, body, query):
    token = jwt.encode(body, None, algorithm="none", headers={"kid": platform.key.kid})
    return fields(token, query["state"])


def alg_hs256(platform, body, query):
    """The classic confusion: an HMAC keyed with the platform's public key (which anyone can fetch)."""
    import hashlib
    import hmac

    def part(data: dict) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()

    signing_input = f"{part({'alg': 'HS256', 'typ': 'JWT', 'kid': platform.key.kid})}.{part(body)}"
    secret = json.dumps(platform.key.jwk()).encode()
    mac = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
    return fields(f"{signing_input}.{base64.urlsafe_b64encode(mac).rstrip(b'=').decode()}", query["state"])


def tampered_custom(platform, body, query):
    token = signed(platform, body)
    header, payload, signature = token.split(".")
    decoded = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    decoded[CLAIM + "custom"] = {**decoded[CLAIM + "custom"], "course": "another-course"}
    forged = base64.urlsafe_b64encode(json.dumps(decoded).encode()).rstrip(b"=").decode()
    return fields(f"{header}.{forged}.{signature}", query["state"])


def oversized(platform, body, query):
    body["padding"] = "x" * 70_000
    return fields(signed(platform, body), query["state"])


def two_parts(platform, body, query):
    return fields(".".join(signed(platform, body).split(".")[:2]), query["state"])


def garbage(platform, body, query):
    return fields("bm90LWpzb24.bm90LWpzb24.c2ln", query["state"])


def missing_token(platform, body, query):
    return {"state": query["state"]}


def bad_state(platform, body, query):
    return fields(signed(platform, body), "state-00000000-0000-0000-0000-000000000000")


def missing_state(platform, body, query):
    return {"id_token": signed(platform, body)}


def nonce_of_another_login(platform, body, query):
    body["nonce"] = "0" * 64
    return fields(signed(platform, body), query["state"])


def expired(platform, body, query):
    body["iat"], body["exp"] = int(time.time()) - 600, int(time.time()) - 540
    return fields(signed(platform, body), query["state"])


def in_the_future(platform, body, query):
    body["iat"], body["exp"] = int(time.time()) + 600, int(time.time()) + 660
    return fields(signed(platform, body), query["state"])


CASES: dict[str, tuple[Forge, str]] = {
    "bad signature": (bad_signature, "allekirjoitus ei täsmää"),
    "unknown kid": (unknown_kid, "allekirjoitusavain (kid) on tuntematon"),
    "alg none": (alg_none, "allekirjoitustapa ei kelpaa"),
    "alg HS256 with the public key": (alg_hs256, "allekirjoitustapa ei kelpaa"),
    "wrong iss": (change(iss="https://evil.example"), "ei ole rekisteröity alusta"),
    "wrong aud": (change(aud="another-client"), "ei ole rekisteröity alusta"),
    "aud list without azp": (change(aud=["Fw6J6V5Sa0oPznu", "another-client"]), "ei ole rekisteröity alusta"),
    "azp mismatch": (change(aud=["Fw6J6V5Sa0oPznu"], azp="another-client"), "valtuutettu osapuoli (azp)"),
    "expired": (expired, "vanhentunut"),
    "issued in the future": (in_the_future, "myönnetty tulevaisuudessa"),
    "missing exp": (change(exp=DROP), "voimassaoloaika"),
    "missing nonce": (change(nonce=DROP), "puuttuu kertakäyttöarvo"),
    "nonce of another login": (nonce_of_another_login, "kertakäyttöarvo (nonce)"),
    "bad state": (bad_state, "tilatunniste on tuntematon"),
    "missing state": (missing_state, "puuttuu tilatunniste"),
    "unknown deployment": (claim("deployment_id", "99"), "Käyttöönottoa 99 ei ole rekisteröity"),
    "missing deployment": (claim("deployment_id", DROP), "käyttöönoton tunniste"),
    "wrong message type": (claim("message_type", "LtiSubmissionReviewRequest"), "LtiSubmissionReviewRequest"),
    "missing message type": (claim("message_type", DROP), "ei tue"),
    "wrong LTI version": (claim("version", "1.1"), "Vain LTI-versio 1.3.0"),
    "missing sub": (change(sub=DROP), "puuttuu käyttäjä (sub)"),
    "missing roles": (claim("roles", DROP), "puuttuvat roolit"),
    "missing resource link": (claim("resource_link", DROP), "aktiviteetin tunniste"),
    "target_link_uri elsewhere": (claim("target_link_uri", "https://evil.example/launch"), "target_link_uri"),
    "tampered custom parameters": (tampered_custom, "allekirjoitus ei täsmää"),
    "oversized token": (oversized, "liian suuri"),
    "malformed JWT": (two_parts, "virheellinen"),
    "not JSON inside": (garbage, "virheellinen"),
    "missing id_token": (missing_token, "puuttuu kirjautumistunniste"),
    "custom claim not an object": (claim("custom", ["course"]), "lisäparametrit (custom)"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_forged_launch_is_refused_and_changes_nothing(case, flow, platform, make_staff, session):
    forge, message = CASES[case]
    make_staff(employee_number="EMP1002")
    platform.custom = {"course": "some-course"}
    browser: Flow = flow()
    query = browser.login("student")
    body = platform.payload("student", nonce=query["nonce"])
    before = table_counts(session)
    response = browser.post_launch(forge(platform, body, query))
    assert response.status_code == 400, (case, response.text[:500])
    assert message in response.text, (case, response.text[:800])
    assert "Toimintoa ei voitu tehdä" in response.text
    assert table_counts(session) == before


def test_a_replayed_id_token_is_refused_after_its_one_use(flow, platform, make_staff, session, make_version):
    make_staff(employee_number="EMP1002")
    version = make_version()
    platform.custom = {"course": version.course.slug}
    browser = flow()
    _action, launch_fields = browser.authorize(browser.login("student"))
    assert browser.post_launch(launch_fields).status_code == 302
    before = table_counts(session)
    again = browser.post_launch(launch_fields)
    assert again.status_code == 400
    assert "tilatunniste on tuntematon" in again.text
    assert table_counts(session) == before


def test_a_used_nonce_with_a_fresh_state_is_refused(flow, platform, make_staff, session, make_version):
    make_staff(employee_number="EMP1002")
    version = make_version()
    platform.custom = {"course": version.course.slug}
    browser = flow()
    first = browser.login("student")
    _action, launch_fields = browser.authorize(first)
    assert browser.post_launch(launch_fields).status_code == 302
    second = browser.login("student")
    replay = platform.sign(platform.payload("student", nonce=first["nonce"]))
    before = table_counts(session)
    response = browser.post_launch({"id_token": replay, "state": second["state"]})
    assert response.status_code == 400
    assert "kertakäyttöarvo (nonce)" in response.text
    assert table_counts(session) == before


def test_a_launch_without_the_state_cookie_is_refused(flow, platform, make_staff, session, lti_app):
    make_staff(employee_number="EMP1002")
    browser = flow()
    _action, launch_fields = browser.authorize(browser.login("student"))
    before = table_counts(session)
    other_browser = lti_app.test_client()
    response = other_browser.post("/lti/launch", data=launch_fields)
    assert response.status_code == 400
    assert "uudessa ikkunassa" in response.text
    assert table_counts(session) == before


def test_login_from_an_unregistered_platform_is_refused(flow, platform, session):
    browser = flow()
    before = table_counts(session)
    data = {**platform.login_initiation("student"), "client_id": "unknown", "lti1p3_new_window": "1"}
    response = browser.client.post("/lti/login", data=data)
    assert response.status_code == 400
    assert "ei ole rekisteröity työkalulle" in response.text
    assert table_counts(session) == before
