"""Supervisor reports at region scale, on PostgreSQL and SQLite. Prints figures; asserts nothing.

    .venv/bin/python bench/reports_bench.py [--staff 30000] [--completions 1000000] [--runs 20]
                                            [--backend sqlite|postgresql|both]

Targets (issue 14): the unit overview of the top unit of a 30,000-person region with 1,000,000
completions, p95 under 300 ms on PostgreSQL (SQLite printed too); the export of its 30,000 rows under 5 s.
The overview is timed through the real view (an admin's request over the Flask test client: scope, the
status counts, a page of the matrix, the template); the export through the export view.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import select  # noqa: E402
from sqlalchemy.orm import Session, sessionmaker  # noqa: E402

from bench.register_bench import bench_generate, open_backend  # noqa: E402
from lms_bridge import create_app  # noqa: E402
from lms_bridge.auth.accounts import create_account  # noqa: E402
from lms_bridge.db import upgrade  # noqa: E402
from lms_bridge.register.models import OrgUnit  # noqa: E402

PASSWORD = "penkkitestin-salasana-2026"  # noqa: S105 - a throw-away bench account


def line(label: str, value: str) -> None:
    print(f"  {label:<58} {value}", flush=True)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def run_backend(backend: str, staff: int, completions: int, runs: int, folder: Path) -> None:
    print(f"{backend}:", flush=True)
    folder.mkdir(parents=True, exist_ok=True)
    url, engine, cleanup = open_backend(backend, folder)
    try:
        with engine.connect() as conn:
            upgrade(url, connection=conn)
            conn.commit()
        bench_generate(engine, staff, completions)
        with Session(engine) as session:
            create_account(session, username="bench-admin", password=PASSWORD, role="admin", actor="bench")
            session.commit()
            top = session.scalars(select(OrgUnit).where(OrgUnit.parent_id.is_(None))).one()
        app = create_app(
            {"DATABASE_URL": "sqlite://", "DATA_DIR": str(folder / "data"), "SECRET_KEY": "bench"},
            instance_path=str(folder / "instance"),
        )
        app.extensions["lms_bridge.sessionmaker"] = sessionmaker(bind=engine, expire_on_commit=False)
        app.config["WTF_CSRF_ENABLED"] = False
        client = app.test_client()
        assert (
            client.post("/auth/login", data={"username": "bench-admin", "password": PASSWORD}).status_code
            == 302
        )
        path = f"/reports/units/{top.code}"
        client.get(path)  # warm: first connection, template compilation
        times = []
        for _ in range(runs):
            start = time.perf_counter()
            response = client.get(path)
            times.append((time.perf_counter() - start) * 1000)
            assert response.status_code == 200
        load = os.getloadavg()[0]
        line(
            f"overview of {top.code} (the region), {runs} requests",
            f"p50 {statistics.median(times):.0f} ms, p95 {percentile(times, 0.95):.0f} ms "
            f"(target p95 < 300 ms on PostgreSQL; load {load:.1f})",
        )
        for fmt in ("csv", "xlsx"):
            start = time.perf_counter()
            response = client.get(f"{path}/export.{fmt}")
            elapsed = time.perf_counter() - start
            rows = response.data.count(b"\n") - 1 if fmt == "csv" else None
            size = len(response.data) / 1024 / 1024
            shown = f"{rows:,} rows, " if rows is not None else ""
            line(f"export of the region, {fmt}", f"{elapsed:5.2f} s ({shown}{size:.1f} MB; target < 5 s)")
        app.extensions["lms_bridge.engine"].dispose()
    finally:
        cleanup()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--staff", type=int, default=30_000)
    parser.add_argument("--completions", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="both")
    args = parser.parse_args()
    backends = ("postgresql", "sqlite") if args.backend == "both" else (args.backend,)
    with tempfile.TemporaryDirectory() as tmp:
        for backend in backends:
            run_backend(backend, args.staff, args.completions, args.runs, Path(tmp) / backend)


if __name__ == "__main__":
    main()
