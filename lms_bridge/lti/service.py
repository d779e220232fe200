"""What a validated launch does: who it is, which course, and where the browser goes.

- Deep linking (a teacher adding the activity): the course picker.
- A resource link for an Instructor (or an administrator): the supervisor reports when the linked staff
  member is a supervisor in the register, else a page saying they have no units (with a way to open the
  course themselves). Moodle's Instructor role follows a course capability, not a job, so it grants no
  report scope by itself: the register's supervisor assignments do.
- A resource link for anyone else: the player, signed in as the linked staff member — or, while no rule
  has linked the user, the course's content without anything recorded (admins see them listed).

Who supervises which units is the register's (register/scopes.py): HR's supervisor assignments of the
staff member, and the units of an account of theirs (carrying their employee number, or named by it in
lower case or by their e-mail address).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from lms_bridge.auth.models import Account
from lms_bridge.catalog.models import Course
from lms_bridge.catalog.service import get_course_by_slug
from lms_bridge.lti.errors import LaunchRefused
from lms_bridge.lti.identity import match_staff, upsert_user
from lms_bridge.lti.launch import CLAIM, DEEP_LINKING_REQUEST, ToolLaunch
from lms_bridge.lti.models import LtiGradeTarget, LtiUser
from lms_bridge.lti.scores import SCORE_SCOPE, queue_attempt
from lms_bridge.player.attempts import resolve_attempt
from lms_bridge.register.models import Staff
from lms_bridge.register.scopes import accounts_of_staff, units_of_staff

AGS_CLAIM = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"
NRPS_CLAIM = "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice"
COURSE_PARAM = "course"
TEACHING_ROLES = (
    "http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor",
    "http://purl.imsglobal.org/vocab/lis/v2/membership#ContentDeveloper",
    "http://purl.imsglobal.org/vocab/lis/v2/institution/person#Administrator",
    "http://purl.imsglobal.org/vocab/lis/v2/system/person#Administrator",
    "Instructor",
    "ContentDeveloper",
)


@dataclass
class Outcome:
    """Where the browser goes: kind is deep_link, reports, no_units, play or guest."""

    kind: str
    user: LtiUser
    course: Course | None = None
    attempt_id: int | None = None
    account: Account | None = None
    queued_scores: list[int] | None = None


def is_teacher(body: dict[str, Any]) -> bool:
    roles = body.get(CLAIM + "roles") or []
    return any(role in TEACHING_ROLES for role in roles)


def supervisor_account(session: Session, staff: Staff) -> Account | None:
    """The staff member's supervisor account (register.scopes.accounts_of_staff: carrying their employee
    number, or named by it or their e-mail address), if they have one."""
    return next((a for a in accounts_of_staff(session, staff) if a.role == "supervisor"), None)


def course_of(session: Session, body: dict[str, Any]) -> Course:
    """The course the resource link names in its custom parameter `course`. Raises LaunchRefused."""
    custom = body.get(CLAIM + "custom") or {}
    slug = custom.get(COURSE_PARAM) if isinstance(custom, dict) else None
    if not isinstance(slug, str) or not slug.strip():
        raise LaunchRefused(
            _l(
                "Tälle aktiviteetille ei ole valittu kurssia. Muokkaa aktiviteettia Moodlessa ja valitse "
                "sisältö (Select content), tai lisää mukautettu parametri course=<kurssin tunniste>."
            )
        )
    course = get_course_by_slug(session, slug.strip())
    if course is None:
        raise LaunchRefused(_l("Kurssia %(slug)s ei ole (enää) työkalussa.", slug=slug.strip()[:100]))
    return course


def handle_launch(
    session: Session, launch: ToolLaunch, *, now: dt.datetime, rules: list[str], custom_param: str
) -> Outcome:
    """Decide what the validated launch opens, writing the user, the link and the attempt (flushed)."""
    body = launch.body
    user = upsert_user(session, platform_id=launch.platform_id, body=body, now=now)
    staff_id = match_staff(session, user, body, rules=rules, custom_param=custom_param)
    if body.get(CLAIM + "message_type") == DEEP_LINKING_REQUEST:
        if not is_teacher(body):
            raise LaunchRefused(_l("Vain opettaja voi valita sisällön Moodlen aktiviteettiin."))
        return Outcome("deep_link", user)
    course = course_of(session, body)
    if is_teacher(body):
        staff = session.get(Staff, staff_id) if staff_id is not None else None
        if staff is not None and units_of_staff(session, staff.id):
            # their reports: as their account when they have one, else as the staff member HR says
            # supervises units (register.scopes)
            return Outcome("reports", user, course, account=supervisor_account(session, staff))
        return Outcome("no_units", user, course)
    return open_course(session, launch, user, course, now=now)


def open_course(
    session: Session, launch: ToolLaunch, user: LtiUser, course: Course, *, now: dt.datetime
) -> Outcome:
    """The learner's way in: their attempt in the player, or the content unrecorded while unlinked."""
    if user.staff_id is None:
        return Outcome("guest", user, course)
    body = launch.body
    link = body.get(CLAIM + "resource_link") or {}
    ags: dict[str, Any] = body[AGS_CLAIM] if isinstance(body.get(AGS_CLAIM), dict) else {}
    lineitem = ags.get("lineitem") if SCORE_SCOPE in (ags.get("scope") or []) else None
    lineitem = (
        lineitem if isinstance(lineitem, str) and lineitem.startswith(("https://", "http://")) else None
    )
    resource = f"{launch.platform_id}:{link.get('id', '')}"[:255]
    found = resolve_attempt(
        session,
        staff_id=user.staff_id,
        course=course,
        launched_via="lti",
        now=now,
        lti_resource_link=resource,
        lti_lineitem_url=lineitem,
    )
    queued: list[int] = []
    if lineitem is not None:
        target = session.scalars(
            select(LtiGradeTarget).where(
                LtiGradeTarget.attempt_id == found.attempt.id, LtiGradeTarget.lineitem_url == lineitem
            )
        ).first()
        if target is None:
            session.add(
                LtiGradeTarget(
                    attempt_id=found.attempt.id,
                    lti_user_id=user.id,
                    lineitem_url=lineitem,
                    resource_link_id=str(link.get("id", ""))[:255],
                    created_at=now,
                )
            )
            session.flush()
            # An attempt completed before this link existed (another activity, the player): its score
            # goes to this line item too.
            queued = [row.id for row in queue_attempt(session, found.attempt, now=now)]
    return Outcome("play", user, course, attempt_id=found.attempt.id, queued_scores=queued)
