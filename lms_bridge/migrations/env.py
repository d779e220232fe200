"""Alembic environment: the app's metadata; a given connection (tests) or the configured URL."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from lms_bridge import models  # noqa: F401  (imports every area's models into Base.metadata)
from lms_bridge.db import Base, make_engine

config = context.config
target_metadata = Base.metadata


def _run(connection: Connection) -> None:
    # Batch mode copies a table and drops the old one; with foreign keys enforced SQLite refuses to drop a
    # referenced table that has rows. The PRAGMA is ignored inside a transaction, so it is switched off
    # before the migration transaction, checked (foreign_key_check) at its end, and switched back on after.
    fk_off = connection.dialect.name == "sqlite" and not connection.in_transaction()
    if fk_off:
        connection.connection.driver_connection.execute("PRAGMA foreign_keys=OFF")  # type: ignore[union-attr]
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=True,  # SQLite cannot ALTER most things; batch mode recreates tables
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()
        if fk_off and connection.exec_driver_sql("PRAGMA foreign_key_check").first() is not None:
            raise RuntimeError("migration left rows violating foreign keys; rolled back")
    if fk_off:
        if connection.in_transaction():
            connection.commit()
        connection.connection.driver_connection.execute("PRAGMA foreign_keys=ON")  # type: ignore[union-attr]


connection = config.attributes.get("connection")
if connection is not None:
    _run(connection)
else:
    engine = make_engine(config.get_main_option("sqlalchemy.url") or "")
    with engine.connect() as conn:
        _run(conn)
        conn.commit()
    engine.dispose()
