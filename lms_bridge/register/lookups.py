"""Finding register records by their outside identifiers; each raises UnknownRecord with a Finnish message."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from lms_bridge.register.errors import UnknownRecord
from lms_bridge.register.models import Competence, OrgUnit, Staff


def get_competence_by_code(session: Session, code: str) -> Competence:
    """The competence with this code; raises UnknownRecord."""
    competence = session.scalars(select(Competence).where(Competence.code == code)).one_or_none()
    if competence is None:
        raise UnknownRecord(_l("Osaamista %(code)s ei ole osaamiskehyksessä.", code=code))
    return competence


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


def list_competences(session: Session) -> list[Competence]:
    """Every competence of the framework, by code."""
    return list(session.scalars(select(Competence).order_by(Competence.code)))
