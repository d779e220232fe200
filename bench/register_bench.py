"""Register benchmarks on SQLite and PostgreSQL. Prints figures; asserts nothing.

    .venv/bin/python bench/register_bench.py [--staff 30000] [--completions 1000000] [--import-rows 100000]
                                              [--backend sqlite|postgresql|both]

Targets (issue 4): generate 30,000 staff / ~500 units / 12 competences / 1,000,000 completions < 2 min;
import 100,000 completion rows from CSV < 10 s; status of every person x competence in a ~2,000-person
subtree < 100 ms on PostgreSQL (the demo region has none, so the bench makes one: see subtree_near);
record_completion throughput, one writer and 8 concurrent writers.
PostgreSQL runs in a throw-away schema; SQLite in a temporary file.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import secrets
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy import func, select
from sqlalchemy.orm import Session

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from lms_bridge import create_app
from lms_bridge.catalog.framework import DEFAULT_FRAMEWORK, parse_framework
from lms_bridge.catalog.models import Competence
from lms_bridge.db import make_engine, upgrade, utcnow
from lms_bridge.demo.generator import generate_demo
from lms_bridge.register.imports.completions import import_completions
from lms_bridge.register.imports.hr import UnitSpec, apply_unit_specs
from lms_bridge.register.models import Completion, OrgUnit, Staff
from lms_bridge.register.requirements import load_framework
from lms_bridge.register.service import record_completion
from lms_bridge.register.status import StatusFilter, competence_statuses, status_select

PG_URL = os.environ.get("LMS_BRIDGE_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def line(label: str, value: str) -> None:
    print(f"  {label:<58} {value}", flush=True)


def open_backend(backend: str, directory: Path) -> tuple[str, sa.Engine, Callable[[], None]]:
    if backend == "sqlite":
        url = f"sqlite:///{directory / 'bench.sqlite3'}"
        engine = make_engine(url)
        return url, engine, engine.dispose
    schema = f"lmsb_bench_{secrets.token_hex(4)}"
    admin = sa.create_engine(PG_URL)
    with admin.begin() as conn:
        conn.exec_driver_sql(f"CREATE SCHEMA {schema}")
    engine = make_engine(PG_URL, connect_args={"options": f"-csearch_path={schema}"}, pool_size=10)

    def cleanup() -> None:
        engine.dispose()
        with admin.begin() as conn:
            conn.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")
        admin.dispose()

    return PG_URL, engine, cleanup


def bench_generate(engine: sa.Engine, staff: int, completions: int) -> None:
    with Session(engine) as session:
        load_framework(session, parse_framework(DEFAULT_FRAMEWORK.read_text(encoding="utf-8")), actor="bench")
        session.commit()
        start = time.perf_counter()
        result = generate_demo(
            session,
            staff=staff,
            seed=1,
            completions_per_staff=completions / staff,
            now=utcnow(),
            actor="bench",
        )
        session.commit()
        elapsed = time.perf_counter() - start
    line(
        f"generate {result.staff:,} staff / {result.units} units / {result.completions:,} completions",
        f"{elapsed:6.1f} s   (target < 120 s)",
    )


def bench_import(engine: sa.Engine, rows: int, directory: Path) -> None:
    rng = random.Random(7)
    with Session(engine) as session:
        numbers = list(session.scalars(select(Staff.employee_number)))
        codes = list(session.scalars(select(Competence.code)))
    path = directory / "completions.csv"
    with path.open("w", encoding="utf-8-sig") as f:
        f.write("employee_number;competence_code;completed_at;source;source_ref;score\n")
        for n in range(rows):
            day = dt.date(2024, 1, 1) + dt.timedelta(days=rng.randrange(600))
            score = f"{rng.randrange(50, 100)},5" if n % 3 else ""
            f.write(f"{rng.choice(numbers)};{rng.choice(codes)};{day.day}.{day.month}.{day.year};")
            f.write(f"vanha-excel;rivi-{n};{score}\n")
    data = path.read_bytes()
    for attempt in ("first", "second (all already recorded)"):
        with Session(engine) as session:
            start = time.perf_counter()
            report = import_completions(session, data, actor="bench")
            session.commit()
            elapsed = time.perf_counter() - start
        line(
            f"import {rows:,} CSV rows, {attempt}",
            f"{elapsed:6.2f} s   (target < 10 s; {report.created:,} new, "
            f"{report.already_recorded:,} skipped)",
        )


def _head_counts(session: Session) -> list[tuple[str, str, str, int]]:
    """(code, path, kind, active people in its subtree) for every unit."""
    direct = dict(
        session.execute(
            select(Staff.unit_id, func.count()).where(Staff.active.is_(True)).group_by(Staff.unit_id)
        ).all()
    )
    units = session.execute(select(OrgUnit.id, OrgUnit.code, OrgUnit.path, OrgUnit.kind)).all()
    return [
        (code, path, kind, sum(direct.get(u.id, 0) for u in units if u.path.startswith(path)))
        for _, code, path, kind in units
    ]


def subtree_near(engine: sa.Engine, backend: str, target: int = 2000) -> tuple[str, str, int]:
    """The unit whose subtree holds about `target` active people: (code, path, people).

    The demo region's service areas are 10-55 % of the staff (2,900-16,000 of 30,000), so when no subtree
    is within 10 % of the target, one is made: whole units of the largest service area move, with their
    teams and staff, into a new service area under the region (the unit writer updates the paths).
    """
    with Session(engine) as session:
        sizes = _head_counts(session)
        code, path, _, people = min(sizes, key=lambda s: abs(s[3] - target))
        if abs(people - target) <= target // 10:
            return code, path, people
        region = next(c for c, _, kind, _ in sizes if kind == "region")
        area_code, area_path, _, _ = max((s for s in sizes if s[2] == "service_area"), key=lambda s: s[3])
        moved, specs = 0, [UnitSpec(0, "BENCH", "Vertailualue (bench)", "service_area", region)]
        for unit_code, unit_path, kind, unit_people in sorted(sizes):
            if kind == "unit" and unit_path.startswith(area_path) and moved + unit_people // 2 < target:
                specs.append(UnitSpec(0, unit_code, f"{unit_code} (bench)", "unit", "BENCH"))
                moved += unit_people
        apply_unit_specs(session, specs)
        if backend == "postgresql":
            session.execute(sa.text("ANALYZE org_unit"))
        session.commit()
        code, path, _, people = next(s for s in _head_counts(session) if s[0] == "BENCH")
    print(f"  (no subtree near {target:,} people: moved units of {area_code} into a new service area BENCH)")
    return code, path, people


def bench_status(engine: sa.Engine, backend: str) -> None:
    code, path, people = subtree_near(engine, backend)
    flt = StatusFilter(unit_path=path)
    timings = []
    with Session(engine) as session:
        for _ in range(9):
            start = time.perf_counter()
            rows = competence_statuses(session, now=utcnow(), expiring_within_days=60, flt=flt)
            timings.append(time.perf_counter() - start)
        counts: dict[str, int] = {}
        for row in rows:
            counts[row.status] = counts.get(row.status, 0) + 1
        sql_ms = ""
        if backend == "postgresql":
            # the same transaction, so competence_statuses' SET LOCAL settings apply
            stmt = status_select(now=utcnow(), expiring_within_days=60, flt=flt)
            compiled = stmt.compile(session.get_bind(), compile_kwargs={"literal_binds": True})
            executions = [
                session.execute(sa.text(f"EXPLAIN (ANALYZE, FORMAT JSON) {compiled}")).scalar_one()[0][
                    "Execution Time"
                ]
                for _ in range(5)
            ]
            sql_ms = (
                f"; SQL execution {min(executions):.0f} ms best, {statistics.median(executions):.0f} median"
            )
    best = min(timings[1:]) * 1000
    median = statistics.median(timings[1:]) * 1000
    line(
        f"status, subtree {code}: {people:,} people x 12 = {len(rows):,} rows",
        f"{best:6.0f} ms best, {median:.0f} ms median (target < 100 ms on PostgreSQL{sql_ms}; "
        f"load {os.getloadavg()[0]:.1f})",
    )
    line("  statuses in that subtree", ", ".join(f"{k} {v:,}" for k, v in sorted(counts.items())))


def bench_record(engine: sa.Engine, writers: int, per_writer: int) -> None:
    with Session(engine) as session:
        staff_ids = list(session.scalars(select(Staff.id).limit(5000)))
        codes = list(session.scalars(select(Competence.code)))
    tag = secrets.token_hex(3)
    errors: list[BaseException] = []

    def work(w: int) -> None:
        rng = random.Random(w)
        try:
            for n in range(per_writer):
                with Session(engine) as session:
                    record_completion(
                        session,
                        staff_id=rng.choice(staff_ids),
                        competence_code=rng.choice(codes),
                        completed_at=utcnow() - dt.timedelta(days=1),
                        source="bench",
                        source_ref=f"{tag}-{w}-{n}",
                        recorded_by="bench",
                    )
                    session.commit()
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=work, args=(w,)) for w in range(writers)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - start
    total = writers * per_writer
    with Session(engine) as session:
        stored = session.scalar(
            select(func.count()).select_from(Completion).where(Completion.source == "bench")
        )
    note = f"; {len(errors)} writer(s) failed: {errors[0]!r}" if errors else ""
    line(
        f"record_completion, {writers} writer(s), one transaction each",
        f"{total / elapsed:8.0f} /s ({total:,} in {elapsed:.1f} s; {stored:,} bench rows in all){note}",
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--staff", type=int, default=30_000)
    parser.add_argument("--completions", type=int, default=1_000_000)
    parser.add_argument("--import-rows", type=int, default=100_000)
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    args = parser.parse_args()
    app = create_app({"DATABASE_URL": "sqlite://", "SECRET_KEY": "bench"}, instance_path=tempfile.mkdtemp())
    backends = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]
    with app.app_context():
        for backend in backends:
            with tempfile.TemporaryDirectory() as directory:
                url, engine, cleanup = open_backend(backend, Path(directory))
                try:
                    print(f"{backend}:", flush=True)
                    with engine.connect() as conn:
                        upgrade(url, connection=conn)
                        conn.commit()
                    bench_generate(engine, args.staff, args.completions)
                    bench_import(engine, args.import_rows, Path(directory))
                    bench_status(engine, backend)
                    bench_record(engine, 1, 400)
                    bench_record(engine, 8, 100)
                finally:
                    cleanup()


if __name__ == "__main__":
    main()
