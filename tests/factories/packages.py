"""Packages factories: a course's current package version written as rows (with its files in the test's
store when content is served), a store, built modules as zip bytes, and the import service bound to both."""

from __future__ import annotations

import dataclasses
import io
import itertools
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from lms_bridge.catalog.models import Competence, Course
from lms_bridge.catalog.service import grant_competence
from lms_bridge.config import PROJECT_ROOT
from lms_bridge.packages import service
from lms_bridge.packages.models import CurrentVersion, PackageVersion
from lms_bridge.packages.store import PackageStore
from scorm.authoring import load_course
from scorm.build import build_package_bytes, default_schemas
from scorm.package import Limits
from scorm.schemas import SchemaSet

_counter = itertools.count(1)


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
def make_version(session: Session, make_course, make_competence):
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
        published: bool = True,
    ) -> PackageVersion:
        course = course or make_course()
        rows = structure if structure is not None else [sco_row("sco1", href="index.html")]
        number = next(_counter)
        version = PackageVersion(
            course=course,
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
        session.merge(CurrentVersion(course_id=course.id, version_id=version.id))
        course.passing_score = passing_score
        course.new_attempt_after_completion = new_attempt_after_completion
        if competences is None:
            competences = [make_competence()]
        for competence in competences:
            grant_competence(session, course_id=course.id, competence_id=competence.id)
        course.competences_decided = True
        if published:  # to everyone, as the built-in modules are
            course.status, course.for_everyone = "published", True
        session.flush()
        if files:
            assert data_dir is not None
            folder = PackageStore.under(data_dir).path(version.storage_key)
            for name, data in files.items():
                (folder / name).parent.mkdir(parents=True, exist_ok=True)
                (folder / name).write_bytes(data)
        return version

    return make


SCHEMAS = default_schemas()


@pytest.fixture
def store(tmp_path: Path) -> PackageStore:
    return PackageStore(tmp_path / "store")


@pytest.fixture(scope="session")
def schemas() -> SchemaSet:
    return SCHEMAS


@pytest.fixture(scope="session")
def built_module() -> Callable[..., bytes]:
    """Our own module as SCORM 1.2 zip bytes; `version=` changes its bytes like a new release would."""
    cache: dict[tuple[str, str], bytes] = {}

    def make(slug: str = "kohtaaminen", *, version: str | None = None) -> bytes:
        key = (slug, version or "")
        if key not in cache:
            course = load_course(PROJECT_ROOT / "courses" / slug)
            if version:
                course = dataclasses.replace(course, version=version)
            cache[key] = build_package_bytes(course, "scorm12", SCHEMAS).data
        return cache[key]

    return make


@pytest.fixture
def do_import(
    session: Session, store: PackageStore, schemas: SchemaSet
) -> Callable[..., service.ImportResult]:
    def run(data: bytes | Path, **options: object) -> service.ImportResult:
        source = data if isinstance(data, Path) else io.BytesIO(data)
        return service.import_package(
            session,
            source,
            store=store,
            schemas=schemas,
            limits=Limits(),
            actor="test",
            origin="upload",
            **options,  # type: ignore[arg-type]
        )

    return run


def snapshot(session: Session, store: PackageStore) -> tuple[int, int, list[str]]:
    """What an import could change: rows in both tables and everything on disk under the store."""
    courses = session.scalar(select(func.count()).select_from(Course)) or 0
    versions = session.scalar(select(func.count()).select_from(PackageVersion)) or 0
    files = (
        sorted(str(p.relative_to(store.root)) for p in store.root.rglob("*")) if store.root.exists() else []
    )
    return courses, versions, files
