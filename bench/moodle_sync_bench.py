"""The Moodle sync at scale against the fake Moodle: 10,000 enrolled learners x 4 SCORM activities.
Prints figures; asserts nothing.

    .venv/bin/python bench/moodle_sync_bench.py [--users 10000] [--latency 0.011]
                                                [--backend sqlite|postgresql]

The fake answers each call after `--latency` seconds (0.011 s: some 80-90 calls a second over one
connection, what a real Moodle managed on a machine like ours), so calls, not this process, set the time.
Target (issue 13): at most one call per learner per mapped course on a first sync, and a re-run on
unchanged data in a small fraction of that.

Data: one course, 4 SCORM 1.2 activities (one SCO each, completion "passed or completed"), each mapped to
its own competence. Of the (learner, activity) pairs: ~75 % completed with Moodle's flag set, 3 % passed
with the flag unset (Moodle 4.3.0's "incomplete, then passed"), 2 % failed, the rest never started; 8 % of
the learners never opened the course. Every learner is a staff member (matched by ID number).
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import func, insert, select  # noqa: E402

from bench.register_bench import open_backend  # noqa: E402
from lms_bridge import create_app  # noqa: E402
from lms_bridge.catalog.models import Competence  # noqa: E402
from lms_bridge.db import get_session, upgrade  # noqa: E402
from lms_bridge.moodle.models import MoodleMapping  # noqa: E402
from lms_bridge.moodle.runner import run_sync  # noqa: E402
from lms_bridge.moodle.sites import save_site  # noqa: E402
from lms_bridge.register.imports.hr import UnitSpec, apply_unit_specs  # noqa: E402
from lms_bridge.register.models import Completion, Staff  # noqa: E402
from tests.fakes.moodle import FakeMoodle  # noqa: E402
from tests.fakes.moodle_data import MoodleData  # noqa: E402

T0 = 1790000000  # weeks before "now": nobody counts as active in the last day


def line(label: str, value: str) -> None:
    print(f"  {label:<58} {value}", flush=True)


def moodle_data(users: int, rng: random.Random) -> tuple[MoodleData, list[int]]:
    data = MoodleData()
    course = data.add_course("KOHT")
    scorms = [data.add_scorm(course.id, f"Kohtaaminen {n}", completionstatusrequired=6) for n in range(1, 5)]
    for n in range(users):
        user = data.add_user(f"u{n}", idnumber=f"E{n:06d}")
        data.enrol(course.id, user.id)
        if rng.random() < 0.08:
            continue  # never opened the course
        for scorm in scorms:
            draw = rng.random()
            moment = T0 + rng.randrange(0, 3_000_000)
            if draw < 0.75:
                data.record_scorm_attempt(
                    scorm.id, user.id, time=moment, status="passed", score=rng.randrange(60, 101)
                )
            elif draw < 0.78:
                data.record_scorm_attempt(scorm.id, user.id, time=moment, status="incomplete", grade=False)
                data.record_scorm_attempt(
                    scorm.id, user.id, time=moment + 300, status="passed", score=90, attempt=1, complete=False
                )
            elif draw < 0.80:
                data.record_scorm_attempt(
                    scorm.id, user.id, time=moment, status="failed", score=rng.randrange(0, 50)
                )
    return data, [s.cmid for s in scorms]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=10_000)
    parser.add_argument("--latency", type=float, default=0.011)
    parser.add_argument("--backend", choices=["sqlite", "postgresql"], default="sqlite")
    args = parser.parse_args()
    rng = random.Random(13)

    with tempfile.TemporaryDirectory() as tmp:
        url, engine, cleanup = open_backend(args.backend, Path(tmp))
        try:
            with engine.connect() as conn:
                upgrade(url, connection=conn)
                conn.commit()
            app = create_app(
                {"DATABASE_URL": url, "SECRET_KEY": "bench", "DATA_DIR": str(Path(tmp) / "data")},
                instance_path=str(Path(tmp) / "instance"),
            )
            app.extensions["lms_bridge.engine"] = engine
            from sqlalchemy.orm import sessionmaker

            app.extensions["lms_bridge.sessionmaker"] = sessionmaker(bind=engine, expire_on_commit=False)
            started = time.perf_counter()
            data, cmids = moodle_data(args.users, rng)
            print(f"Moodle sync, {args.users:,} learners x {len(cmids)} SCORM activities, {args.backend}")
            line("fake Moodle data built", f"{time.perf_counter() - started:.1f} s")
            with app.app_context(), FakeMoodle(data) as fake:
                db = get_session()
                ids = apply_unit_specs(db, [UnitSpec(0, "SATA", "Satakunta", "region", None)])
                db.execute(
                    insert(Staff),
                    [
                        {"employee_number": f"E{n:06d}", "first_name": "A", "last_name": "B",
                         "unit_id": ids["SATA"], "job_title": "hoitaja"}
                        for n in range(args.users)
                    ],
                )  # fmt: skip
                competences = []
                for n in range(len(cmids)):
                    competence = Competence(
                        code=f"KOHT-0{n + 1}", name_fi="K", name_sv="K", name_en="K", validity_months=36
                    )
                    db.add(competence)
                    competences.append(competence)
                site = save_site(
                    db,
                    name="bench",
                    base_url=fake.url,
                    token=fake.token,
                    secret_key="bench",  # noqa: S106 - a throw-away bench key
                    actor="bench",
                )
                db.flush()
                for cmid, competence in zip(cmids, competences, strict=True):
                    db.add(MoodleMapping(site_id=site.id, kind="activity", moodle_course_id=2, cmid=cmid,
                                         modname="scorm", competence_id=competence.id))  # fmt: skip
                db.commit()
                fake.latency = args.latency

                fake.clear_requests()
                started = time.perf_counter()
                first = run_sync(db, site, config=app.config, actor="bench")
                took = time.perf_counter() - started
                line("first sync: time", f"{took:.1f} s")
                line(
                    "first sync: calls (and calls per second)",
                    f"{first.calls:,} ({first.calls / took:.0f}/s)",
                )
                line("first sync: calls per learner", f"{first.calls / args.users:.2f}")
                line(
                    "first sync: calls per learner per mapped course (1 course)",
                    f"{first.calls / args.users:.2f}",
                )
                line(
                    "first sync: learners read / records added",
                    f"{first.users_checked:,} / {first.records_added:,}",
                )
                by_function: dict[str, int] = {}
                for request in fake.requests:
                    by_function[request.function or "?"] = by_function.get(request.function or "?", 0) + 1
                for function, count in sorted(by_function.items()):
                    line(f"  {function}", f"{count:,}")
                line("errors", str(first.errors or "none"))

                fake.clear_requests()
                started = time.perf_counter()
                again = run_sync(db, site, config=app.config, actor="bench")
                took = time.perf_counter() - started
                line("re-run on unchanged data: time", f"{took:.1f} s")
                line(
                    "re-run: calls (share of the first sync's)",
                    f"{again.calls:,} ({100 * again.calls / max(first.calls, 1):.2f} %)",
                )
                line("re-run: records added", f"{again.records_added:,}")

                # 1 % of the learners pass a new attempt: only they are read again.
                movers = rng.sample(range(args.users), args.users // 100)
                for n in movers:
                    user_id = data.users_by["idnumber"][f"E{n:06d}"][0]
                    data.record_scorm_attempt(1, user_id, time=T0 + 4_000_000, status="passed", score=99)
                fake.clear_requests()
                started = time.perf_counter()
                third = run_sync(db, site, config=app.config, actor="bench")
                took = time.perf_counter() - started
                line("after 1 % of learners made a new attempt: time", f"{took:.1f} s")
                line(
                    "  calls / learners read / records added",
                    f"{third.calls:,} / {third.users_checked:,} / {third.records_added:,}",
                )
                total = db.scalar(select(func.count()).select_from(Completion))
                line("completions in the register", f"{total:,}")
        finally:
            cleanup()


if __name__ == "__main__":
    main()
