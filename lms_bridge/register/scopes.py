"""Which units a supervisor sees (each unit with its descendants).

Two sources, both the register's: units assigned to a sign-in account (`lms-bridge accounts create --unit`,
the admin page), and units a staff member supervises in the organisation (`supervisor_assignment`, from
HR's staff import). An account belongs to a staff member when it carries their employee number.
"""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from lms_bridge.audit import record_event
from lms_bridge.auth.models import Account
from lms_bridge.register.models import OrgUnit, Staff, SupervisorAssignment, SupervisorUnit


def assign_units(session: Session, *, account_id: int, unit_ids: list[int], actor: str) -> None:
    """Make the account see exactly these units (and their descendants)."""
    if _replace_units(session, SupervisorUnit, SupervisorUnit.account_id, account_id, unit_ids):
        record_event(
            session,
            actor=actor,
            action="account.units",
            subject_type="account",
            subject_id=account_id,
            details={"unit_ids": sorted(set(unit_ids))},
        )


def _replace_units(
    session: Session,
    model: type[SupervisorUnit] | type[SupervisorAssignment],
    owner: InstrumentedAttribute[int],
    owner_id: int,
    unit_ids: list[int],
) -> bool:
    """Make the owner's rows of `model` name exactly these units; returns whether anything changed."""
    wanted = set(unit_ids)
    current = set(session.scalars(select(model.unit_id).where(owner == owner_id)))
    if wanted == current:
        return False
    if current - wanted:
        session.execute(delete(model).where(owner == owner_id, model.unit_id.in_(current - wanted)))
    session.add_all(model(**{owner.key: owner_id, "unit_id": unit}) for unit in sorted(wanted - current))
    session.flush()
    return True


def supervised_unit_ids(session: Session, account_id: int) -> list[int]:
    """The units assigned to the account (not their descendants), by id."""
    return list(
        session.scalars(
            select(SupervisorUnit.unit_id)
            .where(SupervisorUnit.account_id == account_id)
            .order_by(SupervisorUnit.unit_id)
        )
    )


def set_supervised_units(session: Session, *, staff_id: int, unit_ids: list[int], actor: str) -> bool:
    """Make the staff member supervise exactly these units (HR's supervisor column, an admin); returns
    whether anything changed."""
    if not _replace_units(session, SupervisorAssignment, SupervisorAssignment.staff_id, staff_id, unit_ids):
        return False
    record_event(
        session,
        actor=actor,
        action="staff.supervises",
        subject_type="staff",
        subject_id=staff_id,
        details={"unit_ids": sorted(set(unit_ids))},
    )
    return True


def units_of_account(session: Session, *, account_id: int, employee_number: str | None) -> set[int]:
    """The units a supervisor's account sees: assigned to the account, or to the staff member it belongs
    to (by employee number)."""
    units = set(supervised_unit_ids(session, account_id))
    if employee_number:
        units |= set(
            session.scalars(
                select(SupervisorAssignment.unit_id)
                .join(Staff, Staff.id == SupervisorAssignment.staff_id)
                .where(Staff.employee_number == employee_number, Staff.active.is_(True))
            )
        )
    return units


def accounts_of_staff(session: Session, staff: Staff) -> list[Account]:
    """The active accounts that belong to a staff member: carrying their employee number, or named by it
    (in lower case) or by their e-mail address (docs/lti.md)."""
    names = [staff.employee_number.lower(), *([staff.email.lower()] if staff.email else [])]
    return list(
        session.scalars(
            select(Account)
            .where(
                Account.active.is_(True),
                (Account.employee_number == staff.employee_number) | Account.username.in_(names),
            )
            .order_by(Account.id)
        )
    )


def units_of_staff(session: Session, staff_id: int) -> set[int]:
    """The units a staff member supervises (e.g. arriving by an LTI launch): their HR assignments, and
    the units assigned to an account of theirs."""
    units = set(
        session.scalars(select(SupervisorAssignment.unit_id).where(SupervisorAssignment.staff_id == staff_id))
    )
    staff = session.get(Staff, staff_id)
    if staff is not None:
        for account in accounts_of_staff(session, staff):
            units |= set(supervised_unit_ids(session, account.id))
    return units


def top_units(session: Session, unit_ids: set[int]) -> list[OrgUnit]:
    """The units of a scope without those inside another of them (a unit includes its descendants)."""
    units = sorted(session.scalars(select(OrgUnit).where(OrgUnit.id.in_(unit_ids))), key=lambda u: u.path)
    tops: list[OrgUnit] = []
    for unit in units:
        if not any(unit.path.startswith(top.path) for top in tops):
            tops.append(unit)
    return tops


def units_by_account(session: Session) -> dict[int, list[OrgUnit]]:
    """Every account's directly assigned units, by account id (the admin's list of supervisors)."""
    found: dict[int, list[OrgUnit]] = {}
    rows = session.execute(
        select(SupervisorUnit.account_id, OrgUnit)
        .join(OrgUnit, OrgUnit.id == SupervisorUnit.unit_id)
        .order_by(OrgUnit.code)
    )
    for account_id, unit in rows:
        found.setdefault(account_id, []).append(unit)
    return found
