"""Courses and their SCORM package versions. Re-importing for a course adds a version; one is current."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms_bridge.db import Base, utcnow

STANDARDS = ("scorm12", "scorm2004")


class Course(Base):
    __tablename__ = "course"
    __table_args__ = (
        CheckConstraint(
            "passing_score IS NULL OR (passing_score >= 0 AND passing_score <= 100)", name="passing"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(100), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    # The version new attempts use; attempts in progress keep their own. Rollback points it back.
    current_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("package_version.id", use_alter=True, ondelete="SET NULL")
    )
    # The admin's passing rule (per cent) where the package sets no mastery score.
    passing_score: Mapped[int | None]
    # Whether a launch after a completed attempt starts a new attempt (else the completed one is reviewed).
    new_attempt_after_completion: Mapped[bool] = mapped_column(default=False)

    current_version: Mapped[PackageVersion | None] = relationship(foreign_keys=[current_version_id])


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

    course: Mapped[Course] = relationship(foreign_keys=[course_id])
