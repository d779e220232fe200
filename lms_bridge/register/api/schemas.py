"""The API's shapes: query parameters in, JSON items out, opaque cursors. openapi.py describes the same."""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from flask_babel import lazy_gettext as _l

from lms_bridge.catalog.models import Competence
from lms_bridge.errors import DomainError
from lms_bridge.register.api.queries import ListParams
from lms_bridge.register.models import Completion, OrgUnit, Staff
from lms_bridge.register.status import STATUSES, StatusRow

MAX_LIMIT = 1000
DEFAULT_LIMIT = 100
COMMON_PARAMETERS = frozenset({"limit", "cursor"})


class InvalidParameter(DomainError):
    code = "invalid_parameter"


def encode_cursor(key: tuple[int, ...] | None) -> str | None:
    if key is None:
        return None
    return base64.urlsafe_b64encode(json.dumps(list(key)).encode()).decode().rstrip("=")


def decode_cursor(cursor: str, size: int) -> tuple[int, ...]:
    """Raises InvalidParameter unless the cursor is one this API handed out."""
    try:
        key = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (binascii.Error, ValueError, UnicodeDecodeError):
        key = None
    if (
        not isinstance(key, list)
        or len(key) != size
        or not all(type(k) is int and -(2**63) <= k < 2**63 for k in key)  # what a BIGINT column holds
    ):
        raise InvalidParameter(_l("Parametri cursor ei kelpaa; käytä edellisen sivun next-arvoa."))
    return tuple(key)


def parse_params(args: Mapping[str, str], *, allowed: frozenset[str], key_size: int = 1) -> ListParams:
    """Check the query string of a list endpoint; raises InvalidParameter naming the parameter."""
    unknown = sorted(set(args) - allowed - COMMON_PARAMETERS)
    if unknown:
        raise InvalidParameter(
            _l(
                "Tuntematon parametri %(name)s. Sallitut: %(allowed)s.",
                name=", ".join(unknown),
                allowed=", ".join(sorted(allowed | COMMON_PARAMETERS)),
            )
        )
    limit = DEFAULT_LIMIT
    if "limit" in args:
        if not args["limit"].isdigit() or not 1 <= int(args["limit"]) <= MAX_LIMIT:
            raise InvalidParameter(_l("Parametrin limit on oltava kokonaisluku 1–%(max)s.", max=MAX_LIMIT))
        limit = int(args["limit"])
    statuses = None
    if "status" in args:
        statuses = tuple(s.strip() for s in args["status"].split(","))
        if not statuses or any(s not in STATUSES for s in statuses):
            raise InvalidParameter(_l("Parametrin status arvot: %(values)s.", values=", ".join(STATUSES)))
    changed_since = None
    if "changed_since" in args:
        changed_since = _parse_instant(args["changed_since"])
    active = None
    if "active" in args:
        if args["active"] not in ("true", "false"):
            raise InvalidParameter(_l("Parametrin active arvo on true tai false."))
        active = args["active"] == "true"
    return ListParams(
        limit=limit,
        after=decode_cursor(args["cursor"], key_size) if args.get("cursor") else None,
        unit=args.get("unit") or None,
        competence=args.get("competence") or None,
        statuses=statuses,
        changed_since=changed_since,
        employee_number=args.get("employee_number") or None,
        active=active,
    )


def _parse_instant(value: str) -> dt.datetime:
    try:
        parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00").replace(" ", "+"))
    except ValueError:
        parsed = None
    if parsed is None or parsed.tzinfo is None:
        raise InvalidParameter(
            _l("Parametri changed_since on ISO 8601 -aika aikavyöhykkeineen, esim. 2024-03-05T00:00:00Z.")
        )
    return parsed.astimezone(dt.UTC)


def _time(value: dt.datetime | None) -> str | None:
    return None if value is None else value.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


def _score(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def unit_json(row: tuple[OrgUnit, str | None]) -> dict[str, Any]:
    unit, parent_code = row
    return {
        "id": unit.id,
        "code": unit.code,
        "name": unit.name,
        "kind": unit.kind,
        "parent": parent_code,
        "active": unit.active,
        "updated_at": _time(unit.updated_at),
    }


def staff_json(row: tuple[Staff, str]) -> dict[str, Any]:
    staff, unit_code = row
    return {
        "id": staff.id,
        "employee_number": staff.employee_number,
        "first_name": staff.first_name,
        "last_name": staff.last_name,
        "email": staff.email,
        "job_title": staff.job_title,
        "unit": unit_code,
        "active": staff.active,
        "updated_at": _time(staff.updated_at),
    }


def competence_json(competence: Competence) -> dict[str, Any]:
    return {
        "code": competence.code,
        "name": {"fi": competence.name_fi, "sv": competence.name_sv, "en": competence.name_en},
        "validity_months": competence.validity_months,
        "updated_at": _time(competence.updated_at),
    }


def completion_json(row: tuple[Completion, str, str, str | None]) -> dict[str, Any]:
    completion, employee_number, competence_code, course_slug = row
    return {
        "id": completion.id,
        "employee_number": employee_number,
        "competence": competence_code,
        "course": course_slug,
        "completed_at": _time(completion.completed_at),
        "expires_at": _time(completion.expires_at),
        "score": _score(completion.score),
        "source": completion.source,
        "source_ref": completion.source_ref,
        "recorded_at": _time(completion.recorded_at),
        "supersedes": completion.supersedes_id,
        "voided": completion.voided,
    }


def status_json(row: StatusRow) -> dict[str, Any]:
    return {
        "employee_number": row.employee_number,
        "unit": row.unit_code,
        "competence": row.competence_code,
        "status": row.status,
        "required": row.required,
        "completed_at": _time(row.completed_at),
        "expires_at": _time(row.expires_at),
    }
