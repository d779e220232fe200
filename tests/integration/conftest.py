"""Integration fixtures: a real database per backend (SQLite and PostgreSQL), migrated once with Alembic.

Each test runs in a transaction rolled back at the end (`Session(join_transaction_mode="create_savepoint")`,
the SQLAlchemy recipe), so services may commit SAVEPOINTs freely. PostgreSQL tests get their own schema
`lmsb_<random>` per run; without a reachable server they skip locally and fail under CI=true.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask
from sqlalchemy import Connection, Engine
from sqlalchemy.orm import Session, sessionmaker

from lms_bridge import create_app
from lms_bridge.cli import cli as lms_bridge_cli
from lms_bridge.db import make_engine, upgrade
from tests.conftest import in_ci

PG_URL = os.environ.get("LMS_BRIDGE_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


@dataclass
class TestDatabase:
    backend: str
    url: str
    engine: Engine
    schema: str | None = None
    _cleanups: list[Callable[[], None]] = field(default_factory=list)

    def migrate(self, revision: str = "head") -> None:
        with self.engine.connect() as conn:
            upgrade(self.url, revision, connection=conn)
            conn.commit()


def _pg_unreachable_reason() -> str | None:
    try:
        engine = sa.create_engine(PG_URL)
        with engine.connect() as conn:
            conn.exec_driver_sql("SELECT 1")
        engine.dispose()
    except sa.exc.OperationalError as error:
        return f"PostgreSQL not reachable at {PG_URL}: {str(error).splitlines()[0]}"
    return None


def new_database(backend: str, directory: Path) -> tuple[TestDatabase, Callable[[], None]]:
    """An empty database of the backend: a new SQLite file or a new PostgreSQL schema, and its cleanup."""
    if backend == "sqlite":
        url = f"sqlite:///{directory / f'db-{secrets.token_hex(4)}.sqlite3'}"
        engine = make_engine(url)
        return TestDatabase("sqlite", url, engine), engine.dispose

    reason = _pg_unreachable_reason()
    if reason:
        if in_ci():
            pytest.fail(reason + " - CI must run the PostgreSQL tests")
        pytest.skip(reason)
    schema = f"lmsb_{secrets.token_hex(6)}"
    admin = sa.create_engine(PG_URL)
    with admin.begin() as conn:
        conn.exec_driver_sql(f"CREATE SCHEMA {schema}")
    engine = make_engine(PG_URL, connect_args={"options": f"-csearch_path={schema}"})

    def cleanup() -> None:
        engine.dispose()
        with admin.begin() as conn:
            conn.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")
        admin.dispose()

    return TestDatabase("postgresql", PG_URL, engine, schema), cleanup


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def database(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[TestDatabase]:
    """The backend's test database, migrated to head once per run (this is the migrations' first test)."""
    db, cleanup = new_database(request.param, tmp_path_factory.mktemp(request.param))
    try:
        db.migrate()
        yield db
    finally:
        cleanup()


@pytest.fixture
def fresh_database(database: TestDatabase, tmp_path: Path) -> Iterator[Callable[[], TestDatabase]]:
    """Make empty databases of the same backend for tests that need committed data (dropped afterwards)."""
    cleanups: list[Callable[[], None]] = []

    def make() -> TestDatabase:
        db, cleanup = new_database(database.backend, tmp_path)
        cleanups.append(cleanup)
        return db

    yield make
    for cleanup in cleanups:
        cleanup()


@pytest.fixture
def connection(database: TestDatabase) -> Iterator[Connection]:
    with database.engine.connect() as conn:
        transaction = conn.begin()
        yield conn
        transaction.rollback()


@pytest.fixture
def session(connection: Connection) -> Iterator[Session]:
    with Session(bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False) as s:
        yield s


@pytest.fixture
def db_app(connection: Connection, tmp_path: Path) -> Iterator[Flask]:
    """The app with its request/CLI sessions joined to the test's rolled-back connection."""
    app = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": f"sqlite:///{tmp_path / 'unused.sqlite3'}",
            "DATA_DIR": str(tmp_path / "data"),
            "SECRET_KEY": "test-secret",
        },
        instance_path=str(tmp_path / "instance"),
    )
    app.extensions["lms_bridge.sessionmaker"] = sessionmaker(
        bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
    )
    yield app
    app.extensions["lms_bridge.engine"].dispose()


@pytest.fixture
def run(db_app, tmp_path):
    """Run `lms-bridge ARGS [FILE]` against the test database; `content` becomes the FILE."""

    runner = db_app.test_cli_runner()

    def invoke(*args: str, content: str | bytes | None = None):
        if content is not None:
            path = tmp_path / "input.csv"
            path.write_bytes(content.encode() if isinstance(content, str) else content)
            args = (*args, str(path))
        return runner.invoke(lms_bridge_cli, args=list(args))

    return invoke
