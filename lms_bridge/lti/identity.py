"""Who a launch is: the platform user keyed on (platform, sub), linked to a staff member once.

The rule (LTI_IDENTITY_RULES, in order) is tried only while the user has no staff member; a link, once
made, is remembered and no later launch changes it (only an admin does). The rules:
- "sourcedid": lis person_sourcedid — Moodle's user ID number — is an active staff member's employee
  number. Moodle sends "" for users without an ID number: that matches nobody.
- "custom": the custom parameter LTI_EMPLOYEE_NUMBER_PARAM is (set it at the tool's site level in Moodle,
  e.g. employee_number=$Person.sourcedId or a profile field).
- "email": exactly one active staff member has the launch's e-mail address (case-insensitive).
A staff member already linked to another user of the same platform is never linked again by a rule.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from lms_bridge.audit import record_event
from lms_bridge.lti.models import LtiUser
from lms_bridge.register.models import Staff

logger = logging.getLogger(__name__)
CLAIM = "https://purl.imsglobal.org/spec/lti/claim/"


def _mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _text(value: Any, limit: int) -> str | None:
    return value.strip()[:limit] or None if isinstance(value, str) else None


def upsert_user(session: Session, *, platform_id: int, body: dict[str, Any], now: dt.datetime) -> LtiUser:
    """The launch's user, created on the first launch; what the platform says is refreshed each time."""
    sub = body["sub"]
    user = session.scalars(
        select(LtiUser).where(LtiUser.platform_id == platform_id, LtiUser.sub == sub)
    ).first()
    if user is None:
        user = LtiUser(platform_id=platform_id, sub=sub, first_seen_at=now, launches=0)
        session.add(user)
    lis = _mapping(body.get(CLAIM + "lis"))
    ext = _mapping(body.get(CLAIM + "ext"))
    user.name = _text(body.get("name"), 300)
    user.email = _text(body.get("email"), 254)
    user.sourcedid = _text(lis.get("person_sourcedid"), 100)
    user.username = _text(ext.get("user_username"), 255)
    user.last_seen_at = now
    user.launches = (user.launches or 0) + 1
    session.flush()
    return user


def _staff_by_number(session: Session, number: str | None) -> Staff | None:
    if not number:
        return None
    return session.scalars(
        select(Staff).where(Staff.employee_number == number, Staff.active.is_(True))
    ).first()


def _staff_by_email(session: Session, email: str | None) -> Staff | None:
    if not email:
        return None
    found = list(
        session.scalars(
            select(Staff).where(func.lower(Staff.email) == email.lower(), Staff.active.is_(True)).limit(2)
        )
    )
    return found[0] if len(found) == 1 else None


def _already_linked(session: Session, platform_id: int, staff_id: int) -> bool:
    return (
        session.scalars(
            select(LtiUser.id).where(LtiUser.platform_id == platform_id, LtiUser.staff_id == staff_id)
        ).first()
        is not None
    )


def match_staff(
    session: Session, user: LtiUser, body: dict[str, Any], *, rules: list[str], custom_param: str
) -> int | None:
    """Link the user to a staff member by the first rule that finds one (remembered); the staff id or None."""
    if user.staff_id is not None:
        return user.staff_id
    custom = _mapping(body.get(CLAIM + "custom"))
    for rule in rules:
        if rule == "sourcedid":
            staff = _staff_by_number(session, user.sourcedid)
        elif rule == "custom":
            staff = _staff_by_number(session, _text(custom.get(custom_param), 50))
        else:
            staff = _staff_by_email(session, user.email)
        if staff is not None and not _already_linked(session, user.platform_id, staff.id):
            user.staff_id, user.matched_by = staff.id, rule
            session.flush()
            record_event(
                session,
                actor=f"lti:platform:{user.platform_id}",
                action="lti.user_link",
                subject_type="lti_user",
                subject_id=user.id,
                details={"staff_id": staff.id, "rule": rule},
            )
            logger.info("LTI user %s linked to staff %s by %s", user.id, staff.id, rule)
            return staff.id
    return None


def link_by_admin(session: Session, user: LtiUser, staff: Staff, *, actor: str) -> None:
    """An admin's link (also replaces an earlier one). Raises LtiError when the staff member is already
    linked to another user of the platform."""
    from flask_babel import lazy_gettext as _l

    from lms_bridge.lti.errors import LtiError

    other = session.scalars(
        select(LtiUser).where(LtiUser.platform_id == user.platform_id, LtiUser.staff_id == staff.id)
    ).first()
    if other is not None and other.id != user.id:
        raise LtiError(
            _l("Henkilö %(number)s on jo yhdistetty toiseen Moodle-käyttäjään.", number=staff.employee_number)
        )
    user.staff_id, user.matched_by = staff.id, "admin"
    session.flush()
    record_event(
        session,
        actor=actor,
        action="lti.user_link",
        subject_type="lti_user",
        subject_id=user.id,
        details={"staff_id": staff.id, "rule": "admin"},
    )


def unmatched_users(session: Session, *, limit: int = 200) -> list[LtiUser]:
    return list(
        session.scalars(
            select(LtiUser)
            .where(LtiUser.staff_id.is_(None))
            .order_by(LtiUser.last_seen_at.desc())
            .limit(limit)
        )
    )
