"""Migrations: they match the models on both databases, and they move a populated database forward."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

from lms_bridge import models  # noqa: F401  (every area's tables in Base.metadata)
from lms_bridge.db import Base, alembic_config


def test_migrated_schema_matches_the_models(database):
    with database.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []


def test_populated_database_migrates_forward(fresh_database):
    db = fresh_database()
    db.migrate("0001_register")
    created = dt.datetime(2024, 5, 1, 8, 0)
    with db.engine.begin() as conn:
        conn.execute(
            sa.text(
                "INSERT INTO org_unit (id, code, name, kind, parent_id, path, active, created_at) "
                "VALUES (1, 'SATA', 'Satakunta', 'region', NULL, '/1/', true, :t)"
            ),
            {"t": created},
        )
        conn.execute(
            sa.text(
                "INSERT INTO staff (id, employee_number, first_name, last_name, unit_id, job_title, active, "
                "created_at) VALUES (1, '1001', 'Aino', 'Mäkelä', 1, 'kotihoitaja', true, :t)"
            ),
            {"t": created},
        )
        conn.execute(
            sa.text(
                "INSERT INTO competence (id, code, name_fi, name_sv, name_en, validity_months, created_at) "
                "VALUES (1, 'KOHT-01', 'Kohtaaminen', 'Möte', 'Encounter', 36, :t)"
            ),
            {"t": created},
        )
        conn.execute(
            sa.text(
                "INSERT INTO completion (id, staff_id, competence_id, completed_at, expires_at, source, "
                "source_ref, recorded_at, recorded_by, voided) "
                "VALUES (1, 1, 1, :t, :t, 'excel', 'r1', :t, 'cli:x', false)"
            ),
            {"t": created},
        )

    db.migrate("head")

    with db.engine.connect() as conn:
        staff = conn.execute(sa.text("SELECT employee_number, first_name, updated_at FROM staff")).one()
        assert staff[:2] == ("1001", "Aino")
        assert staff[2] is not None  # backfilled from created_at
        assert conn.execute(sa.text("SELECT count(*) FROM completion")).scalar() == 1
        assert conn.execute(sa.text("SELECT count(*) FROM api_token")).scalar() == 0
        revision = conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()
        assert revision == ScriptDirectory.from_config(alembic_config(str(db.engine.url))).get_current_head()
