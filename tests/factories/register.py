"""Register factories: units, staff, requirements, completions."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy.orm import Session

from lms_bridge.catalog.models import Competence
from lms_bridge.register.imports.hr import UnitSpec, apply_unit_specs
from lms_bridge.register.models import Completion, OrgUnit, Requirement, Staff
from lms_bridge.register.requirements import add_unit_requirement
from lms_bridge.register.service import record_completion
from tests.factories import NOW

_counter = itertools.count(1)


@pytest.fixture
def make_unit(session: Session) -> Callable[..., OrgUnit]:
    def make(
        *,
        code: str | None = None,
        name: str = "Kotihoito Pori",
        kind: str = "unit",
        parent: OrgUnit | None = None,
    ) -> OrgUnit:
        code = code or f"U{next(_counter)}"
        if parent is None and kind != "region":
            parent = make(kind="region", name="Satakunnan hyvinvointialue")
        spec = UnitSpec(0, code, name, kind, parent.code if parent else None)
        ids = apply_unit_specs(session, [spec])
        return session.get_one(OrgUnit, ids[code])

    return make


@pytest.fixture
def make_staff(session: Session, make_unit: Callable[..., OrgUnit]) -> Callable[..., Staff]:
    def make(**overrides: Any) -> Staff:
        n = next(_counter)
        unit = overrides.pop("unit", None) or make_unit()
        values: dict[str, Any] = {
            "employee_number": f"E{n:06d}",
            "first_name": "Aino",
            "last_name": "Virtanen",
            "email": f"aino.virtanen.{n}@satakunta.example",
            "job_title": "kotihoitaja",
            "unit_id": unit.id,
            "active": True,
        }
        staff = Staff(**{**values, **overrides})
        session.add(staff)
        session.flush()
        return staff

    return make


@pytest.fixture
def make_requirement(session: Session) -> Callable[..., Requirement]:
    def make(
        competence: Competence, *, job_title: str | None = None, unit: OrgUnit | None = None
    ) -> Requirement:
        if unit is not None:
            return add_unit_requirement(
                session, competence_id=competence.id, unit_id=unit.id, job_title=job_title
            )
        requirement = Requirement(competence_id=competence.id, job_title=job_title)
        session.add(requirement)
        session.flush()
        return requirement

    return make


@pytest.fixture
def make_completion(
    session: Session, make_staff: Callable[..., Staff], make_competence: Callable[..., Competence]
) -> Callable[..., Completion]:
    def make(**overrides: Any) -> Completion:
        staff = overrides.pop("staff", None) or make_staff()
        competence = overrides.pop("competence", None) or make_competence()
        values: dict[str, Any] = {
            "staff_id": staff.id,
            "competence_code": competence.code,
            "completed_at": NOW - dt.timedelta(days=30),
            "source": "test",
            "source_ref": f"ref-{next(_counter)}",
            "recorded_by": "test",
        }
        return record_completion(session, **{**values, **overrides}).completion

    return make
