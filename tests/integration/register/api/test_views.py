"""/api/v1 as the HR system sees it: tokens, pages, filters, errors; responses checked against the spec."""

from __future__ import annotations

import base64
import datetime as dt
import json

import pytest
import sqlalchemy as sa
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate as validate_spec
from referencing import Registry
from referencing.jsonschema import DRAFT202012

from lms_bridge.auth.models import ApiToken
from lms_bridge.auth.tokens import create_token, revoke_token
from lms_bridge.register.models import OrgUnit
from lms_bridge.register.service import correct_completion

ENDPOINTS = ("/units", "/staff", "/competences", "/completions", "/statuses")


@pytest.fixture
def api(db_app, session):
    token = create_token(session, "hr-system", actor="test")
    client = db_app.test_client()
    spec = client.get("/api/v1/openapi.json").get_json()
    registry = Registry().with_resource("urn:api", DRAFT202012.create_resource(spec))

    def get(path: str, *, expect: int = 200, headers: dict[str, str] | None = None, **params: str):
        response = client.get(
            "/api/v1" + path,
            query_string=params,
            headers={"Authorization": f"Bearer {token}"} if headers is None else headers,
        )
        assert response.status_code == expect, response.get_json()
        schema = spec["paths"].get(path, {}).get("get", {}).get("responses", {}).get(str(expect), {})
        if not schema:  # error statuses of unknown paths still have the common error shape
            schema = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
        body = response.get_json()
        body_schema = schema["content"]["application/json"]["schema"]
        validator = Draft202012Validator(_rebase(body_schema), registry=registry)
        validator.validate(body)
        return body

    get.token = token
    return get


def _rebase(schema):
    """Point the spec's local refs at the registered document."""
    if isinstance(schema, dict):
        return {
            k: ("urn:api" + v if k == "$ref" and v.startswith("#") else _rebase(v)) for k, v in schema.items()
        }
    if isinstance(schema, list):
        return [_rebase(v) for v in schema]
    return schema


@pytest.fixture
def region(session, make_unit, make_staff, make_competence, make_requirement, make_completion):
    area = make_unit(kind="service_area", name="Kotihoito")
    team = make_unit(kind="team", parent=make_unit(parent=area))
    other = make_unit(kind="service_area", name="Ikäkeskus", parent=session.get(OrgUnit, area.parent_id))
    ea = make_competence(code="EA-01", validity_months=12)
    koht = make_competence(code="KOHT-01", validity_months=None)
    make_requirement(ea, job_title="kotihoitaja")
    nurses = [make_staff(unit=team) for _ in range(3)]
    outsider = make_staff(unit=other, job_title="ikäkeskuksen työntekijä")
    recent = dt.datetime.now(dt.UTC) - dt.timedelta(days=20)
    old = dt.datetime.now(dt.UTC) - dt.timedelta(days=500)
    make_completion(staff=nurses[0], competence=ea, completed_at=recent)
    make_completion(staff=nurses[1], competence=ea, completed_at=old)
    make_completion(staff=outsider, competence=koht, completed_at=old)
    return {"area": area, "other": other, "nurses": nurses, "outsider": outsider}


def test_openapi_document_is_valid_and_public(db_app):
    response = db_app.test_client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    validate_spec(response.get_json())
    assert set(response.get_json()["paths"]) == set(ENDPOINTS)


@pytest.mark.parametrize("path", ENDPOINTS)
def test_every_list_matches_the_schema(api, region, path):
    body = api(path)
    assert body["items"], path
    assert body["next"] is None


@pytest.mark.parametrize(
    ("headers", "message"),
    [({}, "Authorization: Bearer"), ({"Authorization": "Bearer lmsb_wrong"}, "tuntematon tai peruttu")],
)
def test_requests_without_a_valid_token_are_refused(api, headers, message):
    body = api("/staff", expect=401, headers=headers)
    assert body["error"]["code"] == "unauthorized"
    assert message in body["error"]["message"]


def test_revoked_token_stops_working(api, session):
    api("/competences")
    revoke_token(session, "hr-system", actor="test")
    assert api("/competences", expect=401)["error"]["code"] == "unauthorized"


def test_cursor_pages_through_everything_once(api, region):
    numbers, cursor, pages = [], None, 0
    while True:
        params = {"limit": "2"} | ({"cursor": cursor} if cursor else {})
        body = api("/staff", **params)
        numbers += [item["employee_number"] for item in body["items"]]
        pages += 1
        cursor = body["next"]
        if cursor is None:
            break
    expected = {s.employee_number for s in [*region["nurses"], region["outsider"]]}
    assert sorted(numbers) == sorted(expected)
    assert pages == 2


def test_unit_filter_includes_descendants(api, region):
    body = api("/staff", unit=region["area"].code)
    assert {i["employee_number"] for i in body["items"]} == {s.employee_number for s in region["nurses"]}
    completions = api("/completions", unit=region["other"].code)["items"]
    assert [c["employee_number"] for c in completions] == [region["outsider"].employee_number]


def test_status_filters(api, region):
    nurses = region["nurses"]
    body = api("/statuses", unit=region["area"].code, competence="EA-01")
    assert {i["employee_number"]: i["status"] for i in body["items"]} == {
        nurses[0].employee_number: "valid",
        nurses[1].employee_number: "expired",
        nurses[2].employee_number: "missing",
    }
    missing = api("/statuses", status="missing,expired", competence="EA-01")["items"]
    assert {i["employee_number"] for i in missing} == {nurses[1].employee_number, nurses[2].employee_number}
    assert all(i["required"] for i in missing)


def test_changed_since_returns_only_later_records(api, region, session, make_completion):
    later = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=1)
    assert api("/completions", changed_since=later.isoformat())["items"] == []
    record = api("/completions", employee_number=region["nurses"][0].employee_number)["items"][0]
    correct_completion(session, completion_id=record["id"], actor="test", reason="väärä päivä", void=True)
    since = (dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)).isoformat().replace("+00:00", "Z")
    items = api("/completions", changed_since=since)["items"]
    assert any(i["supersedes"] == record["id"] and i["voided"] for i in items)


@pytest.mark.parametrize(
    ("params", "status", "code", "message"),
    [
        ({"limit": "0"}, 400, "invalid_parameter", "limit"),
        ({"limit": "abc"}, 400, "invalid_parameter", "limit"),
        ({"cursor": "not-a-cursor"}, 400, "invalid_parameter", "cursor"),
        ({"status": "great"}, 400, "invalid_parameter", "status"),
        ({"changed_since": "eilen"}, 400, "invalid_parameter", "changed_since"),
        ({"changed_since": "2024-01-01T00:00:00"}, 400, "invalid_parameter", "aikavyöhykkeineen"),
        ({"colour": "red"}, 400, "invalid_parameter", "colour"),
        ({"unit": "NOWHERE"}, 404, "not_found", "NOWHERE"),
        ({"competence": "NOPE-1"}, 404, "not_found", "NOPE-1"),
    ],
)
def test_bad_query_parameters_get_a_clear_error(api, region, params, status, code, message):
    body = api("/statuses", expect=status, **params)
    assert body["error"]["code"] == code
    assert message in body["error"]["message"]


def test_unknown_path_and_method_answer_in_json(api, db_app):
    body = api("/nothing-here", expect=404)
    assert body["error"]["code"] == "not_found"
    response = db_app.test_client().post("/api/v1/staff", headers={"Authorization": f"Bearer {api.token}"})
    assert response.status_code == 405
    assert response.get_json()["error"]["code"] == "method_not_allowed"


@pytest.mark.parametrize("key", [2**63, 10**30, -(2**63) - 1])
def test_a_cursor_with_a_huge_integer_is_a_clear_400(api, region, key):
    cursor = base64.urlsafe_b64encode(json.dumps([key]).encode()).decode().rstrip("=")
    body = api("/staff", expect=400, cursor=cursor)
    assert body["error"]["code"] == "invalid_parameter"
    assert "cursor" in body["error"]["message"]


@pytest.mark.parametrize("scheme", ["bearer", "BEARER", "Bearer"])
def test_the_bearer_scheme_is_case_insensitive_and_use_is_noted(api, region, session, scheme):
    session.execute(sa.update(ApiToken).values(last_used_at=None))
    body = api("/competences", headers={"Authorization": f"{scheme} {api.token}"})
    assert body["items"]
    session.expire_all()
    used = session.scalars(sa.select(ApiToken.last_used_at).where(ApiToken.name == "hr-system")).one()
    assert used is not None


def test_openapi_document_never_echoes_the_host_header(db_app):
    response = db_app.test_client().get(
        "/api/v1/openapi.json", headers={"Host": "attacker.example", "X-Forwarded-Host": "attacker.example"}
    )
    assert "attacker.example" not in response.text
    assert response.get_json()["servers"] == [{"url": "/api/v1"}]
