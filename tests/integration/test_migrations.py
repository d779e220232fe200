"""Migrations: they match the models on both databases, and they move a populated database forward."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from alembic import command
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


def test_current_versions_move_out_of_the_course_table_and_back(fresh_database):
    """0006: every course's current version survives the move into current_version, and the downgrade."""
    db = fresh_database()
    db.migrate("0005_holdings")
    now = dt.datetime(2026, 1, 1, 8, 0)
    insert_version = sa.text(
        "INSERT INTO package_version (id, course_id, number, standard, scorm_version, title, "
        "manifest_identifier, checksum, storage_key, launch_href, sco_count, file_count, total_bytes, "
        "has_sequencing, structure, warnings, origin, imported_by, imported_at) VALUES (:id, 1, :n, "
        "'scorm12', '1.2', 'K', 'k', :key, :key, 'index.html', 1, 1, 1, false, '[]', '[]', 'cli', 'test', :t)"
    )
    with db.engine.begin() as conn:
        for course_id, slug in ((1, "kohtaaminen"), (2, "ei-pakettia")):
            conn.execute(
                sa.text(
                    "INSERT INTO course (id, slug, title, created_at, new_attempt_after_completion) "
                    "VALUES (:id, :slug, :slug, :t, false)"
                ),
                {"id": course_id, "slug": slug, "t": now},
            )
        for version_id, number in ((10, 1), (11, 2)):
            conn.execute(insert_version, {"id": version_id, "n": number, "key": f"key{version_id}", "t": now})
        # the admin rolled back to version 1
        conn.execute(sa.text("UPDATE course SET current_version_id = 10 WHERE id = 1"))

    db.migrate("head")
    with db.engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT course_id, version_id FROM current_version")).all()
        assert [tuple(r) for r in rows] == [(1, 10)]
        columns = {c["name"] for c in sa.inspect(conn).get_columns("course")}
        assert "current_version_id" not in columns

    with db.engine.connect() as conn:
        command.downgrade(alembic_config(str(db.url), connection=conn), "0005_holdings")
        conn.commit()
    with db.engine.connect() as conn:
        back = conn.execute(sa.text("SELECT id, current_version_id FROM course ORDER BY id")).all()
        assert [tuple(r) for r in back] == [(1, 10), (2, None)]
