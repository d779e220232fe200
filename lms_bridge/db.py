"""SQLAlchemy 2.0 engine and request-scoped session; Base with UTC datetimes and stable constraint names."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import click
from flask import Flask, current_app, g
from flask.cli import with_appcontext
from sqlalchemy import DateTime, Engine, MetaData, create_engine, event
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.types import TypeDecorator

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[dt.datetime]):
    """Aware UTC datetimes on every backend (SQLite drops the zone; we put it back)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; store aware UTC datetimes")
        value = value.astimezone(dt.UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {dt.datetime: UTCDateTime()}  # noqa: RUF012 - SQLAlchemy reads it as given


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


# Times are stored in UTC; the region's day (a completion's date, a CSV's 5.3.2024, a reminder's week)
# is the Helsinki one. Pages and the command line show Helsinki time too (lms_bridge.i18n.local_time).
REGION_TIMEZONE = ZoneInfo("Europe/Helsinki")


def make_engine(url: str, **kwargs: Any) -> Engine:
    """Create an engine; SQLite gets WAL, foreign keys, a busy timeout and working SAVEPOINTs."""
    if not url.startswith("sqlite"):
        return create_engine(url, pool_pre_ping=True, **kwargs)

    engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30}, **kwargs)

    # pysqlite's legacy transaction handling breaks SAVEPOINT on Python 3.11; the SQLAlchemy recipe
    # ("Serializable isolation / Savepoints / Transactional DDL") takes BEGIN into our own hands.
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        if ":memory:" not in url and url != "sqlite://":
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    # IMMEDIATE takes the write lock at BEGIN. A deferred transaction that reads and then writes fails
    # at once with SQLITE_BUSY (no busy-timeout wait) when another writer committed in between, so two
    # processes recording completions would error instead of queueing; Django and Rails do the same.
    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def init_app(app: Flask) -> None:
    engine = make_engine(app.config["DATABASE_URL"])
    app.extensions["lms_bridge.engine"] = engine
    app.extensions["lms_bridge.sessionmaker"] = sessionmaker(bind=engine, expire_on_commit=False)
    app.teardown_appcontext(_close_session)
    app.cli.add_command(db_cli)


def get_engine() -> Engine:
    engine: Engine = current_app.extensions["lms_bridge.engine"]
    return engine


def get_session() -> Session:
    """The request's (or CLI command's) session; closed when the app context ends."""
    if "db_session" not in g:
        g.db_session = current_app.extensions["lms_bridge.sessionmaker"]()
    session: Session = g.db_session
    return session


def _close_session(_exc: BaseException | None) -> None:
    session: Session | None = g.pop("db_session", None)
    if session is not None:
        session.close()


def on_rollback(session: Session, undo: Callable[[], None]) -> None:
    """Register work outside the database (e.g. a published folder) to undo if this transaction rolls back."""
    session.info.setdefault("on_rollback", []).append(undo)


@contextmanager
def transaction() -> Iterator[Session]:
    """Commit the request session once at the end, or roll everything back on error (files included)."""
    session = get_session()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        for undo in reversed(session.info.pop("on_rollback", [])):
            undo()
        raise
    session.info.pop("on_rollback", None)


def alembic_config(url: str, connection: Any = None) -> Any:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


def upgrade(url: str, revision: str = "head", connection: Any = None) -> None:
    """Run the migrations forward (on a connection when given, e.g. a test schema)."""
    from alembic import command

    command.upgrade(alembic_config(url, connection), revision)


@click.group("db")
def db_cli() -> None:
    """Database schema commands."""


@db_cli.command("upgrade")
@click.option("--revision", default="head", show_default=True)
@with_appcontext
def upgrade_command(revision: str) -> None:
    """Create or migrate the database schema to the newest version."""
    upgrade(current_app.config["DATABASE_URL"], revision)
    click.echo(f"Database is at revision {revision}.")
