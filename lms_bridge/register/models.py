"""The register's tables: the unit tree, staff, requirements, completions, holdings and supervisor scopes.

Competences and courses are the catalogue's (lms_bridge.catalog.models); accounts are auth's.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    Index,
    Numeric,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms_bridge.auth.models import Account
from lms_bridge.catalog.models import Competence
from lms_bridge.db import Base, utcnow

UNIT_KINDS = ("region", "service_area", "unit", "team")


class OrgUnit(Base):
    """A node of the organisation tree: region → service area → unit → team."""

    __tablename__ = "org_unit"
    __table_args__ = (
        CheckConstraint("kind IN ('region', 'service_area', 'unit', 'team')", name="kind"),
        # LIKE 'prefix%' uses this index on PostgreSQL only with text_pattern_ops (non-C collations).
        Index("ix_org_unit_path", "path", postgresql_ops={"path": "text_pattern_ops"}),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(50), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("org_unit.id"), index=True)
    # Materialised path of ids, "/1/7/42/": a subtree is one indexed prefix match on both databases.
    path: Mapped[str] = mapped_column(String(500))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow, index=True)

    parent: Mapped[OrgUnit | None] = relationship(remote_side=[id], lazy="raise")


class Staff(Base):
    __tablename__ = "staff"

    id: Mapped[int] = mapped_column(primary_key=True)
    employee_number: Mapped[str] = mapped_column(String(50), unique=True)
    first_name: Mapped[str] = mapped_column(String(100))
    last_name: Mapped[str] = mapped_column(String(100))
    email: Mapped[str | None] = mapped_column(String(254))
    unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"), index=True)
    # lower case, as in the framework's requirements ("kotihoitaja")
    job_title: Mapped[str] = mapped_column(String(100), index=True)
    # Leavers are deactivated, never deleted: their completions stay in the record.
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow, index=True)

    unit: Mapped[OrgUnit] = relationship(lazy="raise")


class Requirement(Base):
    """A competence required of a job title, of everyone in a unit subtree, or of a job title in a subtree."""

    __tablename__ = "requirement"
    __table_args__ = (
        CheckConstraint("job_title IS NOT NULL OR unit_id IS NOT NULL", name="target"),
        UniqueConstraint("competence_id", "job_title", "unit_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    competence_id: Mapped[int] = mapped_column(ForeignKey("competence.id"))
    job_title: Mapped[str | None] = mapped_column(String(100))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("org_unit.id"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    competence: Mapped[Competence] = relationship(lazy="raise")
    unit: Mapped[OrgUnit | None] = relationship(lazy="raise")


class Completion(Base):
    """One completion event. Append-only: a correction is a new row naming the old one in `supersedes_id`."""

    __tablename__ = "completion"
    __table_args__ = (
        # The idempotency key: the same event from the same source is recorded once, even when two
        # processes insert it at the same moment.
        UniqueConstraint("source", "source_ref"),
        # At most one correction per record, so a correction chain never forks.
        UniqueConstraint("supersedes_id"),
        CheckConstraint("score IS NULL OR (score >= 0 AND score <= 100)", name="score"),
        Index("ix_completion_staff_competence", "staff_id", "competence_id", "completed_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    competence_id: Mapped[int] = mapped_column(ForeignKey("competence.id"), index=True)
    course_id: Mapped[int | None] = mapped_column(ForeignKey("course.id"))
    completed_at: Mapped[dt.datetime]
    # completed_at + the competence's validity when recorded; None = never expires
    expires_at: Mapped[dt.datetime | None]
    score: Mapped[Decimal | None] = mapped_column(Numeric(5, 2))
    source: Mapped[str] = mapped_column(String(50))
    source_ref: Mapped[str] = mapped_column(String(200))
    recorded_at: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)
    recorded_by: Mapped[str] = mapped_column(String(200))
    supersedes_id: Mapped[int | None] = mapped_column(ForeignKey("completion.id"))
    # A voiding correction: the superseded record was wrong and nothing replaces it.
    voided: Mapped[bool] = mapped_column(default=False)

    staff: Mapped[Staff] = relationship(lazy="raise")
    competence: Mapped[Competence] = relationship(lazy="raise")


class Holding(Base):
    """What a person's effective completions of one competence add up to: the input of the status rule.

    Derived data, never edited by hand: completions stay the authoritative, append-only record, and
    `register/holdings.py` keeps this table equal to aggregating them (`lms-bridge completions
    rebuild-holdings` recomputes it from scratch). It exists for speed: a 2,000-person subtree's status
    joins its ~20,000 holdings instead of aggregating its ~70,000 completions on every request.
    A row exists only while the person holds the competence (an effective record, see status.py).
    """

    __tablename__ = "holding"

    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"), primary_key=True)
    competence_id: Mapped[int] = mapped_column(ForeignKey("competence.id"), primary_key=True)
    # the latest completion
    completed_at: Mapped[dt.datetime]
    # the latest expiry among the effective records that expire; None when none of them does
    expires_at: Mapped[dt.datetime | None]
    # one effective record never expires
    permanent: Mapped[bool]
    # the newest recorded_at among the effective records (the API's changed_since)
    last_recorded_at: Mapped[dt.datetime]


class SupervisorUnit(Base):
    """A unit a supervisor's account may see; it includes the unit's descendants."""

    __tablename__ = "account_unit"

    account_id: Mapped[int] = mapped_column(ForeignKey("account.id", ondelete="CASCADE"), primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id", ondelete="CASCADE"), primary_key=True)

    account: Mapped[Account] = relationship(lazy="raise")
    unit: Mapped[OrgUnit] = relationship(lazy="raise")


class SupervisorAssignment(Base):
    """A staff member supervises a unit (with its descendants): the organisation's fact, from HR's staff
    import (its `supervises` column) or set by an admin. A supervisor who arrives by an LTI launch, or
    signs in with an account carrying their employee number, sees these units."""

    __tablename__ = "supervisor_assignment"

    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id", ondelete="CASCADE"), primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id", ondelete="CASCADE"), primary_key=True)
