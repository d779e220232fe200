"""Finding register records by their outside identifiers; each raises UnknownRecord with a Finnish message."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from lms_bridge.register.errors import UnknownRecord
from lms_bridge.register.models import Completion, OrgUnit, Staff


def get_unit_by_code(session: Session, code: str) -> OrgUnit:
    """The unit with this code; raises UnknownRecord."""
    unit = session.scalars(select(OrgUnit).where(OrgUnit.code == code)).one_or_none()
    if unit is None:
        raise UnknownRecord(_l("Yksikköä %(code)s ei löydy.", code=code))
    return unit


def get_staff_by_employee_number(session: Session, employee_number: str) -> Staff:
    """The staff member with this employee number; raises UnknownRecord."""
    staff = session.scalars(select(Staff).where(Staff.employee_number == employee_number)).one_or_none()
    if staff is None:
        raise UnknownRecord(_l("Henkilönumeroa %(number)s ei löydy.", number=employee_number))
    return staff


def get_staff(session: Session, staff_id: int) -> Staff | None:
    """The staff member with this id, or None."""
    return session.get(Staff, staff_id)


def get_unit_by_id(session: Session, unit_id: int | None) -> OrgUnit | None:
    return session.get(OrgUnit, unit_id) if unit_id is not None else None


def unit_codes_on_path(session: Session, unit_id: int) -> list[str]:
    """The codes of the unit and every unit above it (a course meant for a unit includes its sub-units)."""
    unit = session.get(OrgUnit, unit_id)
    if unit is None:
        return []
    ids = [int(part) for part in unit.path.strip("/").split("/") if part]
    return list(session.scalars(select(OrgUnit.code).where(OrgUnit.id.in_(ids))))


def all_unit_codes(session: Session) -> list[str]:
    return list(session.scalars(select(OrgUnit.code).order_by(OrgUnit.code)))


def staff_match_keys(session: Session) -> list[tuple[int, str, str | None]]:
    """Every staff member's (id, employee number, e-mail), for matching people of another system."""
    rows = session.execute(select(Staff.id, Staff.employee_number, Staff.email))
    return [(row[0], row[1], row[2]) for row in rows]


def has_completion_from(session: Session, source: str, source_ref_prefix: str) -> bool:
    """Whether the register holds a completion of this source whose reference starts so (one event of
    another system, e.g. an attempt that granted several competences: attempt:17:)."""
    found = session.scalar(
        select(Completion.id)
        .where(
            Completion.source == source, Completion.source_ref.startswith(source_ref_prefix, autoescape=True)
        )
        .limit(1)
    )
    return found is not None
