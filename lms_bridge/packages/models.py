"""A course's SCORM package versions. Re-importing for a course adds a version; one is current."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms_bridge.catalog.models import Course
from lms_bridge.db import Base, utcnow

STANDARDS = ("scorm12", "scorm2004")


class PackageVersion(Base):
    __tablename__ = "package_version"
    __table_args__ = (
        UniqueConstraint("course_id", "number"),
        CheckConstraint("standard IN ('scorm12', 'scorm2004')", name="standard"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id", ondelete="CASCADE"), index=True)
    number: Mapped[int]
    standard: Mapped[str] = mapped_column(String(10))
    scorm_version: Mapped[str] = mapped_column(String(10))  # "1.2", "2004-2nd", "2004-3rd", "2004-4th"
    title: Mapped[str] = mapped_column(String(300))
    manifest_identifier: Mapped[str] = mapped_column(String(300))
    checksum: Mapped[str] = mapped_column(String(64), index=True)  # sha256 of the zip
    # Folder name under <DATA_DIR>/packages/; never derived from anything the uploader chose.
    storage_key: Mapped[str] = mapped_column(String(64), unique=True)
    launch_href: Mapped[str] = mapped_column(String(2000))
    sco_count: Mapped[int]
    file_count: Mapped[int]
    total_bytes: Mapped[int]
    mastery_score: Mapped[float | None] = mapped_column(
        Numeric(6, 2, asdecimal=False)
    )  # from the manifest (1.2 masteryscore / 2004 minNormalizedMeasure x 100)
    has_sequencing: Mapped[bool] = mapped_column(default=False)
    # [{"item", "title", "href", "sco", "depth", "mastery_score"}] in document order: the player's TOC.
    structure: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    warnings: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    origin: Mapped[str] = mapped_column(String(20))  # "built-in", "upload", "cli"
    imported_by: Mapped[str] = mapped_column(String(200))
    imported_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    course: Mapped[Course] = relationship(lazy="raise")


class CurrentVersion(Base):
    """The version new attempts of a course use; attempts in progress keep their own. Rollback moves it."""

    __tablename__ = "current_version"

    course_id: Mapped[int] = mapped_column(ForeignKey("course.id", ondelete="CASCADE"), primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("package_version.id", ondelete="CASCADE"), index=True)

    version: Mapped[PackageVersion] = relationship(lazy="raise")
