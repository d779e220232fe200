from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from lms_bridge import PROJECT_ROOT
from lms_bridge.packages import service
from lms_bridge.packages.models import Course, PackageVersion
from lms_bridge.packages.store import PackageStore
from scorm.authoring import load_course
from scorm.build import build_package_bytes, default_schemas
from scorm.package import Limits
from scorm.schemas import SchemaSet

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
                import dataclasses

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
