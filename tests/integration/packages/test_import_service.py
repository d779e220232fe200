"""Importing packages through the one service the admin page and the CLI share, on SQLite and PostgreSQL."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy.orm import Session

from lms_bridge.db import transaction
from lms_bridge.packages import service
from lms_bridge.packages.errors import PackageImportError
from lms_bridge.packages.models import PackageVersion
from lms_bridge.packages.store import PackageStore
from scorm.package import Limits
from scorm.schemas import SchemaSet
from tests.factories.packages import snapshot
from tests.unit.scorm.test_manifest import _entry, _index_ids
from tests.unit.scorm.test_package import _broken_while_extracting, _hostile_cases, minimal_files, zip_of


@pytest.mark.parametrize("name", _index_ids("packages"))
def test_every_real_package_imports(
    shared_dir: Path,
    scorm_index: dict[str, Any],
    session: Session,
    do_import: Callable[..., service.ImportResult],
    store: PackageStore,
    name: str,
) -> None:
    entry = _entry(scorm_index, "packages", name)
    result = do_import(shared_dir / "fixtures" / "scorm" / name)
    session.expire_all()  # what the database stored
    version = session.get_one(PackageVersion, result.version.id)
    assert result.created_course
    assert version.number == 1
    assert version.scorm_version == entry["version"]
    assert version.sco_count == entry["sco_count"]
    assert version.launch_href.split("?")[0] == entry["first_launch"].split("?")[0]
    assert version.standard == ("scorm12" if entry["version"] == "1.2" else "scorm2004")
    assert service.current_version_id(session, result.course.id) == version.id
    assert (store.path(version.storage_key) / version.launch_href.split("?")[0]).is_file()
    assert [row["href"] for row in version.structure if row["sco"]] == [
        launchable.href for launchable in _scos(shared_dir / "fixtures" / "scorm" / name)
    ]
    assert any(w["code"] == "xsd" for w in version.warnings) is (not entry["expected_valid"])


def _scos(path: Path) -> list[Any]:
    import zipfile

    from scorm.manifest import parse_manifest

    with zipfile.ZipFile(path) as archive:
        return parse_manifest(archive.read("imsmanifest.xml")).scos()


HOSTILE = _hostile_cases() + _broken_while_extracting()


@pytest.mark.parametrize(("case", "data", "code", "member"), HOSTILE, ids=[c[0] for c in HOSTILE])
def test_hostile_input_is_refused_and_changes_nothing(
    session: Session,
    store: PackageStore,
    do_import: Callable[..., service.ImportResult],
    built_module: Callable[..., bytes],
    case: str,
    data: bytes,
    code: str,
    member: str | None,
) -> None:
    do_import(built_module(), course_slug="kohtaaminen", new_course=True)  # a store that holds something
    before = snapshot(session, store)
    with pytest.raises(PackageImportError) as caught:
        do_import(data, course_slug="kohtaaminen")
    assert caught.value.reason == code
    assert caught.value.member == member or member is None
    assert str(caught.value.message)  # a Finnish sentence, not a code
    assert snapshot(session, store) == before


def test_refusal_messages_are_finnish_and_name_the_file(
    do_import: Callable[..., service.ImportResult],
) -> None:
    with pytest.raises(PackageImportError) as caught:
        do_import(zip_of({**minimal_files(), "../evil.html": b"x"}))
    assert (
        str(caught.value.message)
        == "Zip-paketissa on polku, joka osoittaa paketin ulkopuolelle: ../evil.html."
    )
    base = {k: v for k, v in minimal_files().items() if k != "one.html"}
    with pytest.raises(PackageImportError) as caught:
        do_import(zip_of(base))
    assert str(caught.value.message) == "Käynnistystiedosto one.html puuttuu paketista."


def test_versions_reimport_and_rollback(
    session: Session, do_import: Callable[..., service.ImportResult], built_module: Callable[..., bytes]
) -> None:
    first = do_import(built_module(), course_slug="kohtaaminen", new_course=True)
    again = do_import(built_module(), course_slug="kohtaaminen")
    assert again.unchanged
    assert again.version.id == first.version.id

    second = do_import(built_module(version="1.1.0"), course_slug="kohtaaminen")
    course = second.course
    assert not second.unchanged
    assert second.version.number == 2
    assert service.current_version_id(session, course.id) == second.version.id
    assert [v.number for v in service.list_versions(session, course.id)] == [2, 1]

    service.set_current_version(session, course=course, number=1, actor="test")
    assert service.current_version_id(session, course.id) == first.version.id
    with pytest.raises(service.UnknownCourse):
        service.set_current_version(session, course=course, number=9, actor="test")


def test_without_a_course_each_package_is_a_new_draft_course_named_from_its_title(
    session: Session, do_import: Callable[..., service.ImportResult]
) -> None:
    files = minimal_files()
    first = do_import(zip_of(files))
    assert (first.course.slug, first.course.title, first.course.status) == (
        "pieni-testipaketti",
        "Pieni testipaketti",
        "draft",
    )
    assert first.created_course
    assert first.version.mastery_score == 70
    # another package with the same manifest identifier (authoring tools reuse "Course_ID1"): its own course
    other = do_import(zip_of({**files, "extra.txt": b"another export"}))
    assert other.created_course
    assert other.course.slug == "pieni-testipaketti-2"
    assert other.version.number == 1
    assert service.current_version_id(session, first.course.id) == first.version.id


def test_the_same_bytes_anywhere_are_not_stored_again_and_the_answer_says_where(
    do_import: Callable[..., service.ImportResult], built_module: Callable[..., bytes]
) -> None:
    first = do_import(built_module(), course_slug="kohtaaminen", new_course=True)
    again = do_import(built_module())
    assert again.unchanged
    assert (again.course.slug, again.version.id) == ("kohtaaminen", first.version.id)


def test_an_unknown_course_is_refused_and_an_existing_one_is_not_created_twice(
    session: Session,
    store: PackageStore,
    do_import: Callable[..., service.ImportResult],
    built_module: Callable[..., bytes],
) -> None:
    before = snapshot(session, store)
    with pytest.raises(PackageImportError, match="Kurssia ei-ole ei ole"):
        do_import(built_module(), course_slug="ei-ole")
    assert snapshot(session, store) == before
    do_import(built_module(), course_slug="kohtaaminen", new_course=True)
    with pytest.raises(PackageImportError, match="on jo olemassa"):
        do_import(built_module(version="2.0.0"), course_slug="kohtaaminen", new_course=True)


def test_failed_transaction_removes_the_published_folder(
    db_app: Flask, store: PackageStore, schemas: SchemaSet, built_module: Callable[..., bytes]
) -> None:
    published: list[bool] = []

    def import_then_fail() -> None:
        with transaction() as db:
            result = service.import_package(
                db,
                io.BytesIO(built_module()),
                store=store,
                schemas=schemas,
                limits=Limits(),
                actor="t",
                origin="cli",
            )
            published.append(store.path(result.version.storage_key).is_dir())
            raise RuntimeError("the commit never happens")

    with db_app.app_context(), pytest.raises(RuntimeError):
        import_then_fail()
    assert published == [True]
    assert store.storage_keys() == []
    assert not any(p.name.startswith(".staging-") for p in store.root.iterdir())


def test_orphan_folders_are_found(
    session: Session, store: PackageStore, do_import: Callable[..., Any]
) -> None:
    kept = do_import(zip_of(minimal_files())).version.storage_key
    (store.root / "deadbeef").mkdir()
    assert service.orphan_folders(session, store) == ["deadbeef"]
    assert kept in store.storage_keys()
