"""Player fixtures: package versions written as rows (with their files in the test's store when content is
served), a signed-in learner on the test client, and commit helpers. Staff, units, competences and courses
come from the register's factories."""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from lms_bridge.packages.models import Course, PackageVersion
from lms_bridge.packages.store import PackageStore
from lms_bridge.player import service
from lms_bridge.register.framework import set_course_competences
from lms_bridge.register.models import Competence, Staff
from tests.integration.register.conftest import (  # noqa: F401 - fixtures
    make_competence,
    make_course,
    make_staff,
    make_unit,
)

_counter = itertools.count(1)
SECRET = "test-secret"  # db_app's SECRET_KEY


def sco_row(item: str, *, href: str | None = None, sco: bool = True, mastery: float | None = None) -> dict:
    return {
        "item": item,
        "title": item.title(),
        "href": href or f"{item}.html",
        "sco": sco,
        "depth": 0,
        "mastery_score": mastery,
    }


@pytest.fixture
def make_version(session: Session, make_course, make_competence):  # noqa: F811 - the register's fixtures
    """A course with a current package version. `files`: written into the store (for content tests)."""

    def make(
        *,
        standard: str = "scorm12",
        structure: list[dict[str, Any]] | None = None,
        course: Course | None = None,
        competences: list[Competence] | None = None,
        passing_score: int | None = None,
        new_attempt_after_completion: bool = False,
        files: dict[str, bytes] | None = None,
        data_dir: Path | None = None,
        has_sequencing: bool = False,
    ) -> PackageVersion:
        course = course or make_course()
        rows = structure if structure is not None else [sco_row("sco1", href="index.html")]
        number = next(_counter)
        version = PackageVersion(
            course_id=course.id,
            number=number,
            standard=standard,
            scorm_version="1.2" if standard == "scorm12" else "2004-4th",
            title=course.title,
            manifest_identifier=f"pkg-{number}",
            checksum=uuid.uuid4().hex,
            storage_key=uuid.uuid4().hex,
            launch_href=next((r["href"] for r in rows if r.get("href")), "index.html"),
            sco_count=sum(1 for r in rows if r.get("sco")),
            file_count=len(files or {}),
            total_bytes=sum(len(b) for b in (files or {}).values()),
            mastery_score=None,
            has_sequencing=has_sequencing,
            structure=rows,
            warnings=[],
            origin="cli",
            imported_by="test",
        )
        session.add(version)
        session.flush()
        course.current_version_id = version.id
        course.passing_score = passing_score
        course.new_attempt_after_completion = new_attempt_after_completion
        if competences is None:
            competences = [make_competence()]
        set_course_competences(session, course_id=course.id, competence_codes=[c.code for c in competences])
        session.flush()
        if files:
            assert data_dir is not None
            folder = PackageStore.under(data_dir).path(version.storage_key)
            for name, data in files.items():
                (folder / name).parent.mkdir(parents=True, exist_ok=True)
                (folder / name).write_bytes(data)
        return version

    return make


@pytest.fixture
def learner(db_app: Flask, make_staff) -> Callable[..., tuple[FlaskClient, Staff]]:  # noqa: F811
    """A test client signed in as a (new) staff member, as the demo or LTI sign-in leaves it."""

    def make(staff: Staff | None = None) -> tuple[FlaskClient, Staff]:
        staff = staff or make_staff()
        client = db_app.test_client()
        with client.session_transaction() as cookie:
            cookie["staff_id"] = staff.id
            cookie["staff_via"] = "dev"
        return client, staff

    return make


def commit_body(attempt_id: int, staff_id: int, seq: int, changes: list, **extra: Any) -> dict[str, Any]:
    return {
        "token": service.commit_token(SECRET, attempt_id=attempt_id, staff_id=staff_id),
        "seq": seq,
        "changes": changes,
        "finish": False,
        **extra,
    }
