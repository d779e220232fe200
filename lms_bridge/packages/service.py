"""Package store services: import a SCORM zip as a course's new version, list, roll back, map competences.

Storing is atomic: the zip is checked without writing, extracted into a staging folder, its row is flushed,
and the folder moved into place with one rename; if the transaction later rolls back, the folder is
removed again (db.on_rollback). The same bytes imported twice for a course make no second version.
"""

from __future__ import annotations

import hashlib
import logging
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload

from lms_bridge import signals
from lms_bridge.audit import record_event
from lms_bridge.catalog.errors import CatalogError
from lms_bridge.catalog.models import Course
from lms_bridge.catalog.service import check_slug, ensure_course, get_course_by_slug, slugify
from lms_bridge.db import on_rollback
from lms_bridge.packages.errors import PackageImportError, UnknownCourse
from lms_bridge.packages.models import CurrentVersion, PackageVersion
from lms_bridge.packages.store import PackageStore
from scorm.errors import PackageError
from scorm.manifest import Item, Manifest
from scorm.package import Limits, PackageReport, inspect_package
from scorm.schemas import SchemaSet

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ImportResult:
    course: Course
    version: PackageVersion
    created_course: bool
    unchanged: bool  # the same bytes were already this course's version; nothing new was stored


def list_versions(session: Session, course_id: int) -> list[PackageVersion]:
    return list(
        session.scalars(
            select(PackageVersion)
            .where(PackageVersion.course_id == course_id)
            .order_by(PackageVersion.number.desc())
        )
    )


def get_version(session: Session, version_id: int) -> PackageVersion:
    version = session.get(PackageVersion, version_id, options=[joinedload(PackageVersion.course)])
    if version is None:
        raise UnknownCourse(_l("Pakettiversiota ei löydy."))
    return version


def _sha256(source: Path | BinaryIO) -> str:
    digest = hashlib.sha256()
    if isinstance(source, Path):
        with source.open("rb") as handle:
            while chunk := handle.read(1024 * 1024):
                digest.update(chunk)
    else:
        source.seek(0)
        while chunk := source.read(1024 * 1024):
            digest.update(chunk)
        source.seek(0)
    return digest.hexdigest()


def structure(manifest: Manifest) -> list[dict[str, Any]]:
    """The default organization as a flat list in document order, for the player's table of contents."""
    organization = manifest.organization()
    if organization is None:
        return []
    launch = {id(launchable.item): launchable for launchable in manifest.launchables()}
    rows: list[dict[str, Any]] = []

    def walk(items: tuple[Item, ...], depth: int) -> None:
        for item in items:
            launchable = launch.get(id(item))
            if item.is_visible or launchable is not None:
                rows.append(
                    {
                        "item": item.identifier,
                        "title": item.title or item.identifier,
                        "href": launchable.href if launchable else None,
                        "sco": bool(launchable and launchable.is_sco),
                        "depth": depth,
                        "mastery_score": item.mastery_score,
                    }
                )
            walk(item.children, depth + 1)

    walk(organization.items, 0)
    return rows


def import_package(
    session: Session,
    source: Path | BinaryIO,
    *,
    store: PackageStore,
    schemas: SchemaSet,
    limits: Limits,
    actor: str,
    origin: str,
    course_slug: str | None = None,
    new_course: bool = False,
) -> ImportResult:
    """Check, store and register one package as a course's newest (current) version.

    - `course_slug` names an existing course: the package becomes its new version; a course that does
      not exist is refused, unless `new_course` says to create it with that slug.
    - no `course_slug`: a new draft course, its slug made short and readable from the package's title.
      Authoring tools reuse manifest identifiers (two unrelated Captivate exports are both `Course_ID1`),
      so an identifier never decides which course a package belongs to.
    - the same bytes already stored anywhere: nothing is stored; the result says where they are.

    Raises PackageImportError (with a Finnish message naming the problem and the file inside the zip)
    and leaves the store and the database as they were.
    """
    if course_slug is not None:
        try:
            check_slug(course_slug)
        except CatalogError as error:
            raise PackageImportError(error.message) from None
    target = get_course_by_slug(session, course_slug) if course_slug is not None else None
    if course_slug is not None and target is None and not new_course:
        raise PackageImportError(
            _l(
                "Kurssia %(slug)s ei ole. Jätä kurssin tunniste tyhjäksi, niin paketista tehdään uusi "
                "kurssi, "
                "tai valitse uuden kurssin luonti (--new-course).",
                slug=course_slug,
            )
        )
    if target is not None and new_course:
        raise PackageImportError(_l("Kurssi %(slug)s on jo olemassa.", slug=course_slug))
    try:
        report = inspect_package(source, schemas=schemas, limits=limits)
    except PackageError as error:
        logger.info("Package refused: %s (%s)", error.code, error.member)
        raise PackageImportError.from_package_error(error) from None
    checksum = _sha256(source)
    manifest = report.manifest
    same = session.scalars(
        select(PackageVersion)
        .options(joinedload(PackageVersion.course))
        .where(PackageVersion.checksum == checksum)
        .order_by(PackageVersion.id)
    ).first()
    if same is not None:  # stored before, here or in another course: say where
        return ImportResult(same.course, same, created_course=False, unchanged=True)

    title = manifest.title or (course_slug or "Kurssi")
    course = target or ensure_course(session, slug=course_slug or _free_slug(session, title), title=title)
    version = _store_version(session, source, course, report, checksum, store, limits, actor, origin)
    previous = _make_current(session, version)
    record_event(
        session,
        actor=actor,
        action="package.import",
        subject_type="package_version",
        subject_id=version.id,
        details={"course": course.slug, "number": version.number, "checksum": checksum, "origin": origin},
    )
    signals.package_version_made_current.send(version, session=session, previous_version_id=previous)
    return ImportResult(course, version, created_course=target is None, unchanged=False)


SLUG_WORDS = 40  # characters: short enough to read and type, long enough to tell courses apart


def _free_slug(session: Session, title: str) -> str:
    """A short, readable slug from the title that no course has yet (kurssi, kurssi-2, ...)."""
    base = slugify(title)
    if len(base) > SLUG_WORDS:
        base = base[:SLUG_WORDS].rsplit("-", 1)[0] or base[:SLUG_WORDS]
    slug, n = base, 1
    while get_course_by_slug(session, slug) is not None:
        n += 1
        slug = f"{base}-{n}"
    return slug


def _store_version(
    session: Session,
    source: Path | BinaryIO,
    course: Course,
    report: PackageReport,
    checksum: str,
    store: PackageStore,
    limits: Limits,
    actor: str,
    origin: str,
) -> PackageVersion:
    manifest = report.manifest
    number = (
        session.scalar(select(func.max(PackageVersion.number)).where(PackageVersion.course_id == course.id))
        or 0
    ) + 1
    entry = manifest.entry_points()[0]
    storage_key = uuid.uuid4().hex
    try:
        with store.staged(source, limits) as staged:
            version = PackageVersion(
                course_id=course.id,
                number=number,
                standard="scorm12" if manifest.is_scorm12 else "scorm2004",
                scorm_version=manifest.version,
                title=(manifest.title or course.title)[:300],
                manifest_identifier=manifest.identifier[:300],
                checksum=checksum,
                storage_key=storage_key,
                launch_href=entry.href,
                sco_count=len(manifest.scos()),
                file_count=len(report.files),
                total_bytes=report.total_bytes,
                mastery_score=entry.item.mastery_score,
                has_sequencing=manifest.has_sequencing,
                structure=structure(manifest),
                warnings=[
                    {"code": f.code, "message": f.message, "member": f.member} for f in report.warnings
                ],
                origin=origin,
                imported_by=actor,
            )
            session.add(version)
            session.flush()
            staged.publish(storage_key)
    except PackageError as error:
        raise PackageImportError.from_package_error(error) from None
    on_rollback(session, lambda: store.remove(storage_key))
    return version


def set_current_version(session: Session, *, course: Course, number: int, actor: str) -> PackageVersion:
    """Make an earlier (or later) version the one new attempts use: the admin's rollback."""
    version = session.scalars(
        select(PackageVersion).where(PackageVersion.course_id == course.id, PackageVersion.number == number)
    ).first()
    if version is None:
        raise UnknownCourse(_l("Kurssilla %(slug)s ei ole versiota %(n)s.", slug=course.slug, n=number))
    previous = _make_current(session, version)
    record_event(
        session,
        actor=actor,
        action="package.set_current",
        subject_type="course",
        subject_id=course.id,
        details={"from_version_id": previous, "to_version_id": version.id, "number": number},
    )
    signals.package_version_made_current.send(version, session=session, previous_version_id=previous)
    return version


def _make_current(session: Session, version: PackageVersion) -> int | None:
    """Point the course's new attempts at `version`; returns the previous current version's id."""
    row = session.get(CurrentVersion, version.course_id)
    previous = row.version_id if row is not None else None
    if row is None:
        session.add(CurrentVersion(course_id=version.course_id, version_id=version.id))
    else:
        row.version_id = version.id
    session.flush()
    return previous


def current_version(session: Session, course_id: int) -> PackageVersion | None:
    """The version new attempts of the course use, or None (no package yet)."""
    return session.scalar(
        select(PackageVersion)
        .join(CurrentVersion, CurrentVersion.version_id == PackageVersion.id)
        .where(CurrentVersion.course_id == course_id)
    )


def current_version_id(session: Session, course_id: int) -> int | None:
    """The id of the version new attempts of the course use, or None (no package yet)."""
    return session.scalar(select(CurrentVersion.version_id).where(CurrentVersion.course_id == course_id))


def current_versions(session: Session) -> dict[int, PackageVersion]:
    """Every course's current version by course id, in one query (lists of courses)."""
    rows = session.execute(
        select(CurrentVersion.course_id, PackageVersion).join(
            PackageVersion, CurrentVersion.version_id == PackageVersion.id
        )
    )
    return dict(rows.all())


def orphan_folders(session: Session, store: PackageStore) -> list[str]:
    """Store folders no version row points at (left by a crash between rename and commit)."""
    known = set(session.scalars(select(PackageVersion.storage_key)))
    return [key for key in store.storage_keys() if key not in known]
