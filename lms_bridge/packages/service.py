"""Package store services: import a SCORM zip as a course's new version, list, roll back, map competences.

Storing is atomic: the zip is checked without writing, extracted into a staging folder, its row is flushed,
and the folder moved into place with one rename; if the transaction later rolls back, the folder is
removed again (db.on_rollback). The same bytes imported twice for a course make no second version.
"""

from __future__ import annotations

import hashlib
import logging
import re
import unicodedata
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from lms_bridge.audit import record_event
from lms_bridge.db import on_rollback
from lms_bridge.packages.errors import PackageImportError, UnknownCourse
from lms_bridge.packages.models import Course, PackageVersion
from lms_bridge.packages.store import PackageStore
from scorm.errors import PackageError
from scorm.manifest import Item, Manifest
from scorm.package import Limits, PackageReport, inspect_package
from scorm.schemas import SchemaSet

logger = logging.getLogger(__name__)

SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,99}$")


@dataclass(frozen=True)
class ImportResult:
    course: Course
    version: PackageVersion
    created_course: bool
    unchanged: bool  # the same bytes were already this course's version; nothing new was stored


def get_course_by_slug(session: Session, slug: str) -> Course | None:
    return session.scalars(select(Course).where(Course.slug == slug)).one_or_none()


def ensure_course(session: Session, *, slug: str, title: str) -> Course:
    """Return the course with this slug, creating it when missing (flushed, not committed)."""
    course = get_course_by_slug(session, slug)
    if course is None:
        course = Course(slug=slug, title=title)
        session.add(course)
        session.flush()
    return course


def require_course(session: Session, slug: str) -> Course:
    course = get_course_by_slug(session, slug)
    if course is None:
        raise UnknownCourse(_l("Kurssia %(slug)s ei löydy.", slug=slug))
    return course


def list_courses(session: Session) -> list[Course]:
    return list(session.scalars(select(Course).order_by(Course.title)))


def list_versions(session: Session, course_id: int) -> list[PackageVersion]:
    return list(
        session.scalars(
            select(PackageVersion)
            .where(PackageVersion.course_id == course_id)
            .order_by(PackageVersion.number.desc())
        )
    )


def get_version(session: Session, version_id: int) -> PackageVersion:
    version = session.get(PackageVersion, version_id)
    if version is None:
        raise UnknownCourse(_l("Pakettiversiota ei löydy."))
    return version


def slugify(text: str) -> str:
    """A course slug from a title or identifier: ASCII letters, digits and '-'."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-")[:80]
    return slug or "kurssi"


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
) -> ImportResult:
    """Check, store and register one package as its course's newest (current) version.

    Raises PackageImportError (with a Finnish message naming the problem and the file inside the zip)
    and leaves the store and the database as they were.
    """
    if course_slug is not None and not SLUG.match(course_slug):
        raise PackageImportError(
            _l("Kurssin tunnisteessa saa olla vain pieniä kirjaimia, numeroita ja viivoja.")
        )
    try:
        report = inspect_package(source, schemas=schemas, limits=limits)
    except PackageError as error:
        logger.info("Package refused: %s (%s)", error.code, error.member)
        raise PackageImportError.from_package_error(error) from None
    checksum = _sha256(source)
    manifest = report.manifest
    slug = course_slug or slugify(manifest.identifier or manifest.title)
    existing_course = get_course_by_slug(session, slug)
    course = existing_course or ensure_course(session, slug=slug, title=manifest.title or slug)

    if existing_course is not None:
        same = session.scalars(
            select(PackageVersion).where(
                PackageVersion.course_id == course.id, PackageVersion.checksum == checksum
            )
        ).first()
        if same is not None:
            return ImportResult(course, same, created_course=False, unchanged=True)

    version = _store_version(session, source, course, report, checksum, store, limits, actor, origin)
    course.current_version_id = version.id
    session.flush()
    record_event(
        session,
        actor=actor,
        action="package.import",
        subject_type="package_version",
        subject_id=version.id,
        details={"course": course.slug, "number": version.number, "checksum": checksum, "origin": origin},
    )
    return ImportResult(course, version, created_course=existing_course is None, unchanged=False)


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
    previous = course.current_version_id
    course.current_version_id = version.id
    session.flush()
    record_event(
        session,
        actor=actor,
        action="package.set_current",
        subject_type="course",
        subject_id=course.id,
        details={"from_version_id": previous, "to_version_id": version.id, "number": number},
    )
    return version


def set_course_rules(
    session: Session, *, course: Course, competence_codes: list[str], passing_score: int | None, actor: str
) -> list[str]:
    """Which competences the course grants, and the passing rule where its package sets none."""
    from lms_bridge.register.framework import set_course_competences

    if passing_score is not None and not 0 <= passing_score <= 100:
        raise PackageImportError(_l("Hyväksymisrajan on oltava 0–100 prosenttia."))
    codes = set_course_competences(session, course_id=course.id, competence_codes=competence_codes)
    course.passing_score = passing_score
    session.flush()
    record_event(
        session,
        actor=actor,
        action="course.rules",
        subject_type="course",
        subject_id=course.id,
        details={"competences": codes, "passing_score": passing_score},
    )
    return codes


def orphan_folders(session: Session, store: PackageStore) -> list[str]:
    """Store folders no version row points at (left by a crash between rename and commit)."""
    known = set(session.scalars(select(PackageVersion.storage_key)))
    return [key for key in store.storage_keys() if key not in known]
