"""Player commit benchmark: gunicorn (2 sync workers) on 127.0.0.1, N concurrent clients each posting run-time
commits for its own attempt, on SQLite and on PostgreSQL. Prints throughput and latency; asserts nothing.

    .venv/bin/python bench/player_commit_bench.py [--clients 8] [--commits 250] [--workers 2]
                                                  [--backend sqlite|postgresql|both]

Target (issue 6): at least 500 commits/s with p99 under 50 ms on both databases. Each commit is what our
modules send on a page change: the bookmark, ~1.5 KB of suspend data, the session time and the status,
re-validated with scorm.cmi and stored with the attempt's rollup, over a fresh connection per request (as
gunicorn's sync workers serve them). PostgreSQL runs in a throw-away schema; SQLite in a temporary file.
Bounded: every client sends a fixed number of commits; the server is stopped at the end.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from lms_bridge import create_app  # noqa: E402
from lms_bridge.catalog.service import ensure_course  # noqa: E402
from lms_bridge.db import transaction, upgrade, utcnow  # noqa: E402
from lms_bridge.packages.models import CurrentVersion, PackageVersion  # noqa: E402
from lms_bridge.player import attempts, token  # noqa: E402
from lms_bridge.register.imports.hr import UnitSpec, apply_unit_specs, insert_staff_bulk  # noqa: E402
from lms_bridge.register.models import Staff  # noqa: E402

PG_URL = os.environ.get("LMS_BRIDGE_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
SECRET = secrets.token_urlsafe(32)
WARMUP = 20  # commits per client before timing starts


@dataclass
class Client:
    attempt_id: int
    cookie: str
    token: str


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def prepare(url: str, folder: Path, clients: int) -> list[Client]:
    """Migrate, then one course and one attempt per client, each with its SCO opened (state created)."""
    upgrade(url)
    app = create_app(
        {"DATABASE_URL": url, "DATA_DIR": str(folder / "data"), "SECRET_KEY": SECRET},
        instance_path=str(folder / "instance"),
    )
    prepared: list[Client] = []
    with app.app_context(), transaction() as session:
        units = apply_unit_specs(session, [UnitSpec(0, "BENCH", "Penkki", "region", None)])
        insert_staff_bulk(
            session,
            [
                {
                    "employee_number": f"B{n:05d}",
                    "first_name": "Testi",
                    "last_name": f"Henkilö {n}",
                    "email": None,
                    "unit_id": units["BENCH"],
                    "job_title": "kotihoitaja",
                    "active": True,
                    "created_at": utcnow(),
                    "updated_at": utcnow(),
                }
                for n in range(clients)
            ],
        )
        course = ensure_course(session, slug="penkki", title="Penkkikurssi")
        version = PackageVersion(
            course_id=course.id,
            number=1,
            standard="scorm12",
            scorm_version="1.2",
            title="Penkkikurssi",
            manifest_identifier="bench",
            checksum="0" * 64,
            storage_key=secrets.token_hex(16),
            launch_href="index.html",
            sco_count=1,
            file_count=1,
            total_bytes=1,
            mastery_score=80,
            has_sequencing=False,
            structure=[
                {"item": "sco", "title": "SCO", "href": "index.html", "sco": True, "depth": 0}
                | {"mastery_score": 80}
            ],
            warnings=[],
            origin="cli",
            imported_by="bench",
        )
        session.add(version)
        session.flush()
        session.add(CurrentVersion(course_id=course.id, version_id=version.id))
        session.flush()
        serializer = app.session_interface.get_signing_serializer(app)  # type: ignore[attr-defined]
        for staff in session.scalars(sa.select(Staff).order_by(Staff.id)):
            launch = attempts.resolve_attempt(
                session, staff_id=staff.id, course=course, launched_via="lti", now=utcnow()
            )
            attempts.open_item(session, launch.attempt, None, now=utcnow())
            cookie = serializer.dumps({"staff_id": staff.id, "staff_via": "lti"})
            commit_token = token.commit_token(SECRET, attempt_id=launch.attempt.id, staff_id=staff.id)
            prepared.append(Client(launch.attempt.id, cookie, commit_token))
    app.extensions["lms_bridge.engine"].dispose()
    return prepared


def start_gunicorn(url: str, folder: Path, port: int, workers: int) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "LMS_BRIDGE_DATABASE_URL": url,
        "LMS_BRIDGE_DATA_DIR": str(folder / "data"),
        "LMS_BRIDGE_SECRET_KEY": SECRET,
    }
    gunicorn = Path(sys.executable).parent / "gunicorn"
    process = subprocess.Popen(
        [str(gunicorn), "--bind", f"127.0.0.1:{port}", "--workers", str(workers), "--log-level", "warning",
         "lms_bridge.wsgi:app"],
        cwd=folder,
        env=env,
    )  # fmt: skip
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/healthz")
            if connection.getresponse().status == 200:
                return process
        except OSError:
            time.sleep(0.1)
    process.terminate()
    raise RuntimeError("gunicorn did not start")


def commit_body(client: Client, seq: int) -> bytes:
    location = f"{seq % 12:02d}-osio"
    visited = [f"{i:02d}-osio" for i in range(12)]
    suspend = json.dumps({"f": 1, "c": location, "v": visited, "pad": "x" * 1300})
    changes = [
        ["cmi.core.lesson_location", location],
        ["cmi.suspend_data", suspend],
        ["cmi.core.session_time", f"00:{seq % 60:02d}:00"],
        ["cmi.core.lesson_status", "incomplete"],
        ["cmi.core.exit", "suspend"],
    ]
    return json.dumps({"token": client.token, "item": "sco", "seq": seq, "changes": changes}).encode()


def run_client(client: Client, port: int, commits: int, latencies: list[float], errors: list[str]) -> None:
    headers = {"Content-Type": "application/json", "Cookie": f"session={client.cookie}"}
    for n in range(WARMUP + commits):
        body = commit_body(client, int(time.time() * 1_000_000) + n)
        started = time.perf_counter()
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            url = f"/play/attempt/{client.attempt_id}/commit"
            connection.request("POST", url, body=body, headers=headers)
            response = connection.getresponse()
            answer = response.read()
            connection.close()
        except OSError as error:
            errors.append(str(error))
            continue
        elapsed = time.perf_counter() - started
        if response.status != 200 or not json.loads(answer)["applied"]:
            errors.append(f"{response.status} {answer[:200]!r}")
        elif n >= WARMUP:
            latencies.append(elapsed)


def measure(backend: str, url: str, folder: Path, clients: int, commits: int, workers: int) -> None:
    prepared = prepare(url, folder, clients)
    port = free_port()
    server = start_gunicorn(url, folder, port, workers)
    try:
        latencies: list[float] = []
        errors: list[str] = []
        threads = [
            threading.Thread(target=run_client, args=(c, port, commits, latencies, errors)) for c in prepared
        ]
        started = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        wall = time.perf_counter() - started
    finally:
        server.terminate()
        server.wait(timeout=30)
    total = len(latencies)
    # warm-up commits ran inside the wall time too: count them in the rate
    rate = (total + WARMUP * clients) / wall
    ms = sorted(latency * 1000 for latency in latencies)
    p50 = statistics.median(ms) if ms else float("nan")
    p99 = ms[min(len(ms) - 1, int(len(ms) * 0.99))] if ms else float("nan")
    print(
        f"{backend:<10} {workers} workers, {clients} clients: {total} commits timed, {rate:,.0f} commits/s, "
        f"p50 {p50:.1f} ms, p99 {p99:.1f} ms, max {ms[-1] if ms else float('nan'):.1f} ms, "
        f"{len(errors)} errors (target >= 500/s, p99 < 50 ms)",
        flush=True,
    )
    for error in errors[:5]:
        print(f"  error: {error}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--commits", type=int, default=250, help="timed commits per client")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    args = parser.parse_args()
    print(f"Player commits over gunicorn on 127.0.0.1 ({os.cpu_count()} CPUs)", flush=True)
    with tempfile.TemporaryDirectory(prefix="lmsb-player-bench-") as tmp:
        folder = Path(tmp)
        if args.backend in ("sqlite", "both"):
            (folder / "sqlite").mkdir()
            url = f"sqlite:///{folder / 'sqlite' / 'bench.sqlite3'}"
            measure("SQLite", url, folder / "sqlite", args.clients, args.commits, args.workers)
        if args.backend in ("postgresql", "both"):
            schema = f"lmsb_bench_{secrets.token_hex(4)}"
            admin = sa.create_engine(PG_URL)
            try:
                with admin.begin() as conn:
                    conn.exec_driver_sql(f"CREATE SCHEMA {schema}")
            except sa.exc.OperationalError as error:
                print(f"PostgreSQL   skipped: not reachable at {PG_URL} ({str(error).splitlines()[0]})")
                return
            try:
                (folder / "postgresql").mkdir()
                url = f"{PG_URL}?options=-csearch_path%3D{schema}"
                measure("PostgreSQL", url, folder / "postgresql", args.clients, args.commits, args.workers)
            finally:
                with admin.begin() as conn:
                    conn.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")
                admin.dispose()


if __name__ == "__main__":
    main()
