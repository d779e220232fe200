"""/api/v1: the register, read-only, for the organisation's HR and competence systems (bearer tokens)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, Response, current_app, jsonify, request

from lms_bridge.auth.tokens import authenticate
from lms_bridge.db import get_session, transaction, utcnow
from lms_bridge.register.api import queries, schemas
from lms_bridge.register.api.openapi import openapi_document

bp = Blueprint("api_v1", __name__, url_prefix="/api/v1")


@bp.before_request
def require_token() -> None:
    if request.endpoint != "api_v1.openapi":
        with transaction() as db:
            authenticate(db, request.headers.get("Authorization"), now=utcnow())


def _list(page: queries.Page, render: Callable[[Any], dict[str, Any]]) -> Response:
    return jsonify(items=[render(item) for item in page.items], next=schemas.encode_cursor(page.next_key))


@bp.get("/openapi.json")
def openapi() -> Response:
    # A relative server URL: the document never repeats the request's Host header back (a poisoned Host
    # would otherwise end up in clients that generate code from it).
    return jsonify(openapi_document("/api/v1"))


@bp.get("/units")
def units() -> Response:
    params = schemas.parse_params(request.args, allowed=frozenset({"unit", "changed_since"}))
    return _list(queries.units_page(get_session(), params), schemas.unit_json)


@bp.get("/staff")
def staff() -> Response:
    allowed = frozenset({"unit", "employee_number", "active", "changed_since"})
    params = schemas.parse_params(request.args, allowed=allowed)
    return _list(queries.staff_page(get_session(), params), schemas.staff_json)


@bp.get("/competences")
def competences() -> Response:
    params = schemas.parse_params(request.args, allowed=frozenset({"changed_since"}))
    return _list(queries.competences_page(get_session(), params), schemas.competence_json)


@bp.get("/completions")
def completions() -> Response:
    allowed = frozenset({"unit", "competence", "employee_number", "changed_since"})
    params = schemas.parse_params(request.args, allowed=allowed)
    return _list(queries.completions_page(get_session(), params), schemas.completion_json)


@bp.get("/statuses")
def statuses() -> Response:
    allowed = frozenset({"unit", "competence", "employee_number", "status", "changed_since"})
    params = schemas.parse_params(request.args, allowed=allowed, key_size=2)
    page = queries.statuses_page(
        get_session(),
        params,
        now=utcnow(),
        expiring_within_days=int(current_app.config["EXPIRING_WITHIN_DAYS"]),
    )
    return _list(page, schemas.status_json)
