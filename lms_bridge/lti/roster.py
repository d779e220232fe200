"""The Moodle course roster (LTI Names and Role Provisioning Services), for a supervisor's launch:
who is in the course and how far each one is in the course the activity opens."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

import requests
from pylti1p3.exception import LtiServiceException
from pylti1p3.names_roles import NamesRolesProvisioningService
from sqlalchemy import select
from sqlalchemy.orm import Session

from lms_bridge.lti.errors import ServiceError
from lms_bridge.lti.models import LtiPlatform, LtiUser
from lms_bridge.lti.scores import connector, explain_refusal, note_service_problem
from lms_bridge.player.attempts import latest_attempt
from lms_bridge.register.models import Staff


@dataclass(frozen=True)
class RosterMember:
    name: str
    roles: tuple[str, ...]  # short names: Moodle answers "Learner", "Instructor"
    staff_id: int | None
    status: str  # "not_started", "in_progress", "completed" or "unknown" (not in the register)


def _short(role: str) -> str:
    return role.rsplit("#", 1)[-1].rsplit("/", 1)[-1]


def read_roster(
    session: Session,
    platform: LtiPlatform,
    memberships_url: str,
    *,
    course_id: int,
    now: dt.datetime,
    http: requests.Session,
    secret_key: str,
    between: Callable[[], None] | None = None,
) -> list[RosterMember]:
    """Every member of the platform course, with their progress in the course. Raises ServiceError
    (a 401/403 is also noted on the platform for admins). `between` runs before the platform is
    called (the caller's commit: no database lock is held while it answers)."""
    service = NamesRolesProvisioningService(
        connector(session, platform, now=now, http=http, secret_key=secret_key),
        {"context_memberships_url": memberships_url},
    )
    if between is not None:
        between()
    try:
        members = service.get_members()
    except LtiServiceException as error:
        status = error.response.status_code
        if status in (401, 403) or (error.response.url or "").startswith(platform.auth_token_url):
            note_service_problem(
                platform, explain_refusal(platform, status, error.response.url or ""), now=now
            )
        raise ServiceError(f"NRPS HTTP {status}", status=status) from None
    except (requests.RequestException, ValueError) as error:
        raise ServiceError(type(error).__name__) from None
    linked = dict(
        session.execute(
            select(LtiUser.sub, LtiUser.staff_id).where(
                LtiUser.platform_id == platform.id, LtiUser.staff_id.is_not(None)
            )
        ).all()
    )
    result = []
    for member in members:
        if member.get("status", "Active") != "Active":
            continue
        staff_id = linked.get(str(member.get("user_id")))
        number = member.get("lis_person_sourcedid")
        if staff_id is None and number:
            staff_id = session.scalars(select(Staff.id).where(Staff.employee_number == number)).first()
        progress = "unknown"
        if staff_id is not None:
            attempt = latest_attempt(session, staff_id=staff_id, course_id=course_id)
            progress = (
                "not_started" if attempt is None else "completed" if attempt.completed_at else "in_progress"
            )
        roles = tuple(_short(role) for role in member.get("roles", []))
        result.append(
            RosterMember(str(member.get("name") or member.get("user_id")), roles, staff_id, progress)
        )
    return sorted(result, key=lambda m: ("Learner" not in m.roles, m.name))
