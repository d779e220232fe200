"""OpenAPI 3.1 description of /api/v1, served at /api/v1/openapi.json; tests check responses against it."""

from __future__ import annotations

from typing import Any

from lms_bridge.register.api.schemas import MAX_LIMIT
from lms_bridge.register.status import STATUSES

_TIME = {"type": "string", "format": "date-time"}
_NULLABLE_TIME = {"type": ["string", "null"], "format": "date-time"}


def _obj(properties: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "object",
        "additionalProperties": False,
        "required": sorted(properties),
        "properties": properties,
    }


SCHEMAS: dict[str, Any] = {
    "Unit": _obj(
        {
            "id": {"type": "integer"},
            "code": {"type": "string"},
            "name": {"type": "string"},
            "kind": {"enum": ["region", "service_area", "unit", "team"]},
            "parent": {"type": ["string", "null"], "description": "parent unit code"},
            "active": {"type": "boolean"},
            "updated_at": _TIME,
        }
    ),
    "Staff": _obj(
        {
            "id": {"type": "integer"},
            "employee_number": {"type": "string"},
            "first_name": {"type": "string"},
            "last_name": {"type": "string"},
            "email": {"type": ["string", "null"]},
            "job_title": {"type": "string"},
            "unit": {"type": "string", "description": "unit code"},
            "active": {"type": "boolean", "description": "false: left the organisation"},
            "updated_at": _TIME,
        }
    ),
    "Competence": _obj(
        {
            "code": {"type": "string"},
            "name": _obj({lang: {"type": "string"} for lang in ("fi", "sv", "en")}),
            "validity_months": {"type": ["integer", "null"], "description": "null: never expires"},
            "updated_at": _TIME,
        }
    ),
    "Completion": _obj(
        {
            "id": {"type": "integer"},
            "employee_number": {"type": "string"},
            "competence": {"type": "string"},
            "course": {"type": ["string", "null"]},
            "completed_at": _TIME,
            "expires_at": _NULLABLE_TIME,
            "score": {"type": ["number", "null"], "minimum": 0, "maximum": 100},
            "source": {"type": "string"},
            "source_ref": {"type": "string"},
            "recorded_at": _TIME,
            "supersedes": {"type": ["integer", "null"], "description": "id of the record this one corrects"},
            "voided": {"type": "boolean", "description": "true: the superseded record is void"},
        }
    ),
    "Status": _obj(
        {
            "employee_number": {"type": "string"},
            "unit": {"type": "string"},
            "competence": {"type": "string"},
            "status": {"enum": list(STATUSES)},
            "required": {"type": "boolean"},
            "completed_at": _NULLABLE_TIME,
            "expires_at": _NULLABLE_TIME,
        }
    ),
    "Error": _obj(
        {"error": _obj({"code": {"type": "string"}, "message": {"type": "string"}})},
    ),
}

_PARAMETERS: dict[str, Any] = {
    "limit": {"schema": {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": 100}},
    "cursor": {"schema": {"type": "string"}, "description": "the `next` of the previous page"},
    "unit": {"schema": {"type": "string"}, "description": "unit code; includes its descendants"},
    "competence": {"schema": {"type": "string"}, "description": "competence code"},
    "employee_number": {"schema": {"type": "string"}},
    "status": {"schema": {"type": "string"}, "description": "comma-separated: " + ", ".join(STATUSES)},
    "changed_since": {"schema": {"type": "string", "format": "date-time"}},
    "active": {"schema": {"type": "boolean"}},
}

ENDPOINTS: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "/units": ("Unit", "Organisation units", ("unit", "changed_since")),
    "/staff": ("Staff", "Staff", ("unit", "employee_number", "active", "changed_since")),
    "/competences": ("Competence", "The competence framework", ("changed_since",)),
    "/completions": (
        "Completion",
        "Completion records, corrections included (append-only); changed_since = recorded since",
        ("unit", "competence", "employee_number", "changed_since"),
    ),
    "/statuses": (
        "Status",
        "Status of every active person for every competence; changed_since = staff or completions changed",
        ("unit", "competence", "employee_number", "status", "changed_since"),
    ),
}


def _error(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }


def _list_operation(schema: str, summary: str, params: tuple[str, ...]) -> dict[str, Any]:
    page = {
        "type": "object",
        "additionalProperties": False,
        "required": ["items", "next"],
        "properties": {
            "items": {"type": "array", "items": {"$ref": f"#/components/schemas/{schema}"}},
            "next": {"type": ["string", "null"]},
        },
    }
    return {
        "get": {
            "summary": summary,
            "parameters": [
                {"name": name, "in": "query", "required": False, **_PARAMETERS[name]}
                for name in (*params, "limit", "cursor")
            ],
            "responses": {
                "200": {"description": "a page", "content": {"application/json": {"schema": page}}},
                "400": _error("bad query parameter"),
                "401": _error("missing, unknown or revoked token"),
                "404": _error("unknown unit, competence or employee number"),
            },
        }
    }


def openapi_document(server_url: str) -> dict[str, Any]:
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "lms-bridge competence register API",
            "version": "1.0.0",
            "description": "Read-only. Lists return {items, next}; pass next as cursor for the next page.",
        },
        "servers": [{"url": server_url}],
        "security": [{"bearer": []}],
        "paths": {path: _list_operation(*spec) for path, spec in ENDPOINTS.items()},
        "components": {
            "schemas": SCHEMAS,
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
    }
