"""Which units a supervisor's account may see (each unit with its descendants)."""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from lms_bridge.audit import record_event
from lms_bridge.register.models import SupervisorUnit


def assign_units(session: Session, *, account_id: int, unit_ids: list[int], actor: str) -> None:
    """Make the account see exactly these units (and their descendants)."""
    wanted = set(unit_ids)
    current = set(
        session.scalars(select(SupervisorUnit.unit_id).where(SupervisorUnit.account_id == account_id))
    )
    if wanted == current:
        return
    if current - wanted:
        session.execute(
            delete(SupervisorUnit).where(
                SupervisorUnit.account_id == account_id, SupervisorUnit.unit_id.in_(current - wanted)
            )
        )
    session.add_all(
        SupervisorUnit(account_id=account_id, unit_id=unit_id) for unit_id in sorted(wanted - current)
    )
    session.flush()
    record_event(
        session,
        actor=actor,
        action="account.units",
        subject_type="account",
        subject_id=account_id,
        details={"unit_ids": sorted(wanted)},
    )


def supervised_unit_ids(session: Session, account_id: int) -> list[int]:
    """The units assigned to the account (not their descendants), by id."""
    return list(
        session.scalars(
            select(SupervisorUnit.unit_id)
            .where(SupervisorUnit.account_id == account_id)
            .order_by(SupervisorUnit.unit_id)
        )
    )
