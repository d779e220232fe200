"""Finding people, units and records for the admin pages: staff search with paging, the unit tree, one
completion with what it belongs to. Read-only; the writers are the imports and `service.py`."""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.orm import Session, aliased

from lms_bridge.catalog.models import Competence
from lms_bridge.register.errors import UnknownRecord
from lms_bridge.register.models import Completion, OrgUnit, Staff

PER_PAGE = 50


@dataclass(frozen=True)
class StaffHit:
    staff: Staff
    unit: OrgUnit


@dataclass(frozen=True)
class StaffPage:
    hits: list[StaffHit]
    total: int
    page: int
    pages: int


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _matches(word: str) -> ColumnElement[bool]:
    """The word in a name, the employee number, or the unit's name or code, in any case.

    SQLite folds only ASCII letters, so the word is also tried capitalised and in capitals: "äiniö" then
    finds "Äiniö" on both databases (PostgreSQL's ILIKE folds every letter anyway).
    """
    columns = (Staff.first_name, Staff.last_name, Staff.employee_number, OrgUnit.name, OrgUnit.code)
    variants = {word, word.lower(), word.capitalize(), word.upper()}
    return or_(*(column.ilike(_like(v), escape="\\") for column in columns for v in sorted(variants)))


def search_staff(
    session: Session,
    *,
    text: str = "",
    unit: OrgUnit | None = None,
    include_inactive: bool = False,
    page: int = 1,
    per_page: int = PER_PAGE,
) -> StaffPage:
    """Staff matching every word of `text`, in the unit's subtree, by name; one page of them."""
    conditions: list[ColumnElement[bool]] = [_matches(word) for word in text.split()[:5]]
    if unit is not None:
        conditions.append(OrgUnit.path.startswith(unit.path, autoescape=True))
    if not include_inactive:
        conditions.append(Staff.active.is_(True))
    base = select(Staff, OrgUnit).join(OrgUnit, OrgUnit.id == Staff.unit_id).where(*conditions)
    total = session.scalar(select(func.count()).select_from(base.subquery())) or 0
    pages = max(1, math.ceil(total / per_page))
    page = min(max(page, 1), pages)
    rows = session.execute(
        base.order_by(Staff.last_name, Staff.first_name, Staff.employee_number)
        .offset((page - 1) * per_page)
        .limit(per_page)
    )
    return StaffPage([StaffHit(staff, unit) for staff, unit in rows], total, page, pages)


@dataclass
class UnitNode:
    unit: OrgUnit
    staff: int  # active staff in the unit itself
    children: list[UnitNode] = field(default_factory=list)
    total: int = 0  # active staff in the unit and below

    def walk(self, depth: int = 0) -> Iterator[tuple[int, UnitNode]]:
        yield depth, self
        for child in self.children:
            yield from child.walk(depth + 1)


def unit_tree(session: Session) -> list[UnitNode]:
    """Every unit (inactive ones too), children by name under their parents, with active staff counts."""
    counts = dict(
        session.execute(
            select(Staff.unit_id, func.count()).where(Staff.active.is_(True)).group_by(Staff.unit_id)
        ).all()
    )
    nodes = {
        unit.id: UnitNode(unit, counts.get(unit.id, 0))
        for unit in session.scalars(select(OrgUnit).order_by(OrgUnit.name, OrgUnit.code))
    }
    roots: list[UnitNode] = []
    for node in nodes.values():
        parent = nodes.get(node.unit.parent_id) if node.unit.parent_id else None
        (parent.children if parent else roots).append(node)

    def add_up(node: UnitNode) -> int:
        node.total = node.staff + sum(add_up(child) for child in node.children)
        return node.total

    for root in roots:
        add_up(root)
    return roots


@dataclass(frozen=True)
class CompletionDetail:
    completion: Completion
    staff: Staff
    competence: Competence
    corrected_by: int | None  # the correction that superseded it, if any


def completion_detail(session: Session, completion_id: int) -> CompletionDetail:
    """One completion with its person and competence. Raises UnknownRecord."""
    correction = aliased(Completion)
    row = session.execute(
        select(Completion, Staff, Competence, correction.id)
        .join(Staff, Staff.id == Completion.staff_id)
        .join(Competence, Competence.id == Completion.competence_id)
        .outerjoin(correction, correction.supersedes_id == Completion.id)
        .where(Completion.id == completion_id)
    ).one_or_none()
    if row is None:
        raise UnknownRecord(_l("Suoritusta %(id)s ei löydy.", id=completion_id))
    completion, staff, competence, corrected_by = row
    return CompletionDetail(completion, staff, competence, corrected_by)
