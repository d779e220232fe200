"""Who is looking, and which units they may see. Every report and export asks here first, on the server.

- an admin sees every unit;
- a supervisor — signed in here, or arriving by an LTI launch from Moodle — sees the units the register
  says they supervise (lms_bridge.register.scopes), each with its descendants;
- anyone else sees no unit (a learner has only their own page).

A unit or person outside the scope answers 404, the same as one that does not exist, so a supervisor
learns nothing about other units by trying codes.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from lms_bridge.auth.accounts import current_account
from lms_bridge.auth.learner import current_staff_id, signed_in_via
from lms_bridge.errors import Forbidden, NotFound
from lms_bridge.register.lookups import get_staff
from lms_bridge.register.models import OrgUnit, Staff
from lms_bridge.register.scopes import top_units, units_of_account, units_of_staff


@dataclass(frozen=True)
class Viewer:
    actor: str  # for the audit log: "account:<id>" or "staff:<id>"
    everything: bool  # an admin
    roots: tuple[OrgUnit, ...]  # the top units of the scope (empty for an admin: everything)

    def sees(self, unit: OrgUnit) -> bool:
        return self.everything or any(unit.path.startswith(root.path) for root in self.roots)

    @property
    def has_scope(self) -> bool:
        return self.everything or bool(self.roots)


def current_viewer(session: Session) -> Viewer | None:
    """The signed-in admin or supervisor (or an LTI-launched staff member), with their scope; None when
    nobody who could see reports is signed in."""
    account = current_account()
    if account is not None:
        if account.role == "admin":
            return Viewer(f"account:{account.id}", True, ())
        units = units_of_account(session, account_id=account.id, employee_number=account.employee_number)
        return Viewer(f"account:{account.id}", False, tuple(top_units(session, units)))
    staff_id = current_staff_id()
    if staff_id is not None and signed_in_via() == "lti":
        roots = tuple(top_units(session, units_of_staff(session, staff_id)))
        return Viewer(f"staff:{staff_id}", False, roots)
    return None


def require_viewer(session: Session) -> Viewer:
    """Raises Forbidden for someone who may see no report at all."""
    viewer = current_viewer(session)
    if viewer is None or not viewer.has_scope:
        raise Forbidden(_l("Sinulla ei ole yksiköitä, joiden raportteja voisit katsoa."))
    return viewer


def start_units(session: Session, viewer: Viewer) -> list[OrgUnit]:
    """Where the viewer's reports begin: the region(s) for an admin, their own top units otherwise."""
    if viewer.everything:
        return list(
            session.scalars(select(OrgUnit).where(OrgUnit.parent_id.is_(None), OrgUnit.active.is_(True)))
        )
    return list(viewer.roots)


def require_unit(session: Session, viewer: Viewer, code: str) -> OrgUnit:
    """The unit, if the viewer may see it; raises NotFound otherwise (also for an unknown code)."""
    unit = session.scalars(select(OrgUnit).where(OrgUnit.code == code)).one_or_none()
    if unit is None or not viewer.sees(unit):
        raise NotFound(_l("Yksikköä %(code)s ei löydy.", code=code))
    return unit


def require_person(session: Session, viewer: Viewer, employee_number: str) -> tuple[Staff, OrgUnit]:
    """The person and their unit, if the viewer may see the unit; raises NotFound otherwise."""
    staff = session.scalars(select(Staff).where(Staff.employee_number == employee_number)).one_or_none()
    unit = session.get(OrgUnit, staff.unit_id) if staff is not None else None
    if staff is None or unit is None or not viewer.sees(unit):
        raise NotFound(_l("Henkilöä %(number)s ei löydy.", number=employee_number))
    return staff, unit


def current_learner(session: Session) -> Staff | None:
    """The staff member signed in as a learner (their own page), or None."""
    staff_id = current_staff_id()
    return get_staff(session, staff_id) if staff_id is not None else None
