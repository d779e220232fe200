"""Indico-style factory fixtures: valid defaults, overridable, flushed and never committed."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy.orm import Session

from lms_bridge.cli import cli as lms_bridge_cli
from lms_bridge.packages.service import ensure_course
from lms_bridge.register.framework import add_unit_requirement
from lms_bridge.register.hr_import import UnitSpec, apply_unit_specs
from lms_bridge.register.models import Competence, Completion, OrgUnit, Requirement, Staff
from lms_bridge.register.service import record_completion

_counter = itertools.count(1)
NOW = dt.datetime(2025, 6, 15, 9, 0, tzinfo=dt.UTC)


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
def make_competence(session: Session) -> Callable[..., Competence]:
    def make(**overrides: Any) -> Competence:
        n = next(_counter)
        values: dict[str, Any] = {
            "code": f"TEST-{n:02d}",
            "name_fi": f"Testiosaaminen {n}",
            "name_sv": f"Testkompetens {n}",
            "name_en": f"Test competence {n}",
            "validity_months": 24,
        }
        competence = Competence(**{**values, **overrides})
        session.add(competence)
        session.flush()
        return competence

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


@pytest.fixture
def make_course(session: Session) -> Callable[..., Any]:
    def make(slug: str | None = None, title: str = "Vaikuttava asiakaskohtaaminen") -> Any:
        return ensure_course(session, slug=slug or f"kurssi-{next(_counter)}", title=title)

    return make


@pytest.fixture
def run(db_app, tmp_path):
    """Run `lms-bridge ARGS [FILE]` against the test database; `content` becomes the FILE."""

    runner = db_app.test_cli_runner()

    def invoke(*args: str, content: str | bytes | None = None):
        if content is not None:
            path = tmp_path / "input.csv"
            path.write_bytes(content.encode() if isinstance(content, str) else content)
            args = (*args, str(path))
        return runner.invoke(lms_bridge_cli, args=list(args))

    return invoke
