"""Holdings, the status query's input: always equal to aggregating the completions from scratch."""

from __future__ import annotations

import datetime as dt
import random
import threading
from collections import Counter
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from lms_bridge.catalog.models import Competence
from lms_bridge.register.errors import CompletionConflict
from lms_bridge.register.holdings import held_aggregate
from lms_bridge.register.models import Completion, Holding, OrgUnit, Requirement, Staff
from lms_bridge.register.service import (
    NewCompletion,
    correct_completion,
    record_completion,
    record_completions_bulk,
)
from lms_bridge.register.status import StatusFilter, competence_statuses, status_counts
from tests.factories import NOW

if TYPE_CHECKING:  # imported into a test module, pytest would try to collect the class
    from tests.integration.conftest import TestDatabase

Row = tuple[int, int, dt.datetime, dt.datetime | None, bool, dt.datetime]


def _holdings(session: Session, staff_ids: list[int]) -> dict[tuple[int, int], Row]:
    rows = session.execute(
        select(
            Holding.staff_id,
            Holding.competence_id,
            Holding.completed_at,
            Holding.expires_at,
            Holding.permanent,
            Holding.last_recorded_at,
        ).where(Holding.staff_id.in_(staff_ids))
    )
    return {(r[0], r[1]): (r[0], r[1], r[2], r[3], bool(r[4]), r[5]) for r in rows}


def _from_scratch(session: Session, staff_ids: list[int]) -> dict[tuple[int, int], Row]:
    rows = session.execute(held_aggregate(Completion.staff_id.in_(staff_ids)))
    return {(r[0], r[1]): (r[0], r[1], r[2], r[3], bool(r[4]), r[5]) for r in rows}


def _effective(session: Session, staff_ids: list[int]) -> list[Completion]:
    superseded = select(Completion.supersedes_id).where(Completion.supersedes_id.is_not(None))
    return list(
        session.scalars(
            select(Completion)
            .where(Completion.staff_id.in_(staff_ids), Completion.id.not_in(superseded))
            .order_by(Completion.id)
        )
    )


def test_holdings_equal_a_fresh_aggregation_after_random_writes(session, make_staff, make_competence):
    """Single and bulk records, re-sent events, corrections, voids and corrections of corrections."""
    rng = random.Random(20261123)  # noqa: S311 - reproducible test data
    people = [make_staff() for _ in range(5)]
    competences = [make_competence(validity_months=m) for m in (12, 24, None)]
    staff_ids = [p.id for p in people]
    sent: list[NewCompletion] = []
    counts = {"single": 0, "bulk": 0, "corrected": 0, "voided": 0}

    def event(n: int) -> NewCompletion:
        return NewCompletion(
            rng.choice(staff_ids),
            rng.choice(competences).id,
            NOW - dt.timedelta(days=rng.randrange(0, 1500), minutes=rng.randrange(1440)),
            rng.choice(("csv", "moodle")),
            f"ref-{n}",
            score=Decimal(rng.randrange(50, 101)),
        )

    code_of = {c.id: c.code for c in competences}
    for step in range(150):
        action = rng.random()
        if action < 0.35:
            e = rng.choice(sent) if sent and rng.random() < 0.2 else event(step)  # sometimes sent again
            record_completion(
                session,
                staff_id=e.staff_id,
                competence_code=code_of[e.competence_id],
                completed_at=e.completed_at,
                source=e.source,
                source_ref=e.source_ref,
                score=e.score,
                recorded_by="test",
            )
            sent.append(e)
            counts["single"] += 1
        elif action < 0.6:
            batch = [event(step * 100 + i) for i in range(rng.randrange(1, 15))]
            batch += rng.sample(sent, min(len(sent), rng.randrange(0, 4)))  # already recorded: skipped
            record_completions_bulk(session, batch, recorded_by="test")
            sent += batch
            counts["bulk"] += 1
        else:
            candidates = _effective(session, staff_ids)
            if not candidates:
                continue
            target = rng.choice(candidates)
            void = rng.random() < 0.4
            correct_completion(
                session,
                completion_id=target.id,
                actor="cli:test",
                reason="satunnainen korjaus",
                completed_at=None if void else NOW - dt.timedelta(days=rng.randrange(0, 1500)),
                void=void,
            )
            counts["voided" if void else "corrected"] += 1
        if step % 10 == 9:
            assert _holdings(session, staff_ids) == _from_scratch(session, staff_ids), f"after step {step}"

    assert _holdings(session, staff_ids) == _from_scratch(session, staff_ids)
    assert all(n >= 5 for n in counts.values()), counts  # every kind of write was exercised
    assert any(row[4] for row in _holdings(session, staff_ids).values())  # and a permanent holding


def test_holding_merges_dates_and_a_void_takes_the_record_out(session, make_staff, make_competence):
    person, competence = make_staff(), make_competence(validity_months=12)
    old = record_completion(
        session,
        staff_id=person.id,
        competence_code=competence.code,
        completed_at=NOW - dt.timedelta(days=100),
        source="csv",
        source_ref="a",
        recorded_by="test",
    ).completion
    new = record_completion(
        session,
        staff_id=person.id,
        competence_code=competence.code,
        completed_at=NOW - dt.timedelta(days=10),
        source="csv",
        source_ref="b",
        recorded_by="test",
    ).completion
    key = (person.id, competence.id)
    assert _holdings(session, [person.id])[key][2:4] == (new.completed_at, new.expires_at)

    correct_completion(session, completion_id=new.id, actor="cli:test", reason="väärä henkilö", void=True)
    assert _holdings(session, [person.id])[key][2:4] == (old.completed_at, old.expires_at)

    correct_completion(session, completion_id=old.id, actor="cli:test", reason="väärä henkilö", void=True)
    assert key not in _holdings(session, [person.id])

    # the voided record's event arriving again is "already recorded": it must not count again
    again = NewCompletion(person.id, competence.id, new.completed_at, "csv", "b")
    assert record_completions_bulk(session, [again], recorded_by="test").already_recorded == [again]
    assert key not in _holdings(session, [person.id])


def test_rebuild_holdings_command_recomputes_from_completions(run, session, make_staff, make_completion):
    person = make_staff()
    make_completion(staff=person)
    make_completion(staff=person)
    staff_ids = [person.id]
    expected = _from_scratch(session, staff_ids)
    session.execute(update(Holding).where(Holding.staff_id == person.id).values(permanent=True))
    session.flush()
    assert _holdings(session, staff_ids) != expected

    result = run("completions", "rebuild-holdings")

    assert result.exit_code == 0, result.output
    assert "laskettu uudelleen" in result.output
    assert _holdings(session, staff_ids) == expected


def _seed_register(db: TestDatabase) -> tuple[int, list[int]]:
    """Commit a unit, one person and three competences (12 months, 36 months, never expiring)."""
    with Session(db.engine) as setup:
        region = OrgUnit(code="R", name="Alue", kind="region", path="/")
        setup.add(region)
        setup.flush()
        region.path = f"/{region.id}/"
        person = Staff(
            employee_number="1", first_name="A", last_name="B", job_title="kotihoitaja", unit_id=region.id
        )
        competences = [
            Competence(code=f"C-{m}", name_fi="a", name_sv="b", name_en="c", validity_months=m)
            for m in (12, 36, None)
        ]
        setup.add_all([person, *competences])
        setup.commit()
        return person.id, [c.id for c in competences]


def test_populated_database_gets_its_holdings_from_the_completions(fresh_database):
    db = fresh_database()
    db.migrate("0004_player")
    staff_id, (yearly, triennial, permanent) = _seed_register(db)
    day = dt.timedelta(days=1)

    def row(
        n: int, competence_id: int, days_ago: int, *, expires: bool = True, **extra: object
    ) -> dict[str, object]:
        completed = NOW - days_ago * day
        return {
            "id": n,
            "staff_id": staff_id,
            "competence_id": competence_id,
            "completed_at": completed,
            "expires_at": completed + 365 * day if expires else None,
            "source": "excel",
            "source_ref": f"r{n}",
            "recorded_at": NOW - (100 - n) * day,
            "recorded_by": "cli:x",
            "supersedes_id": None,
            "voided": False,
            **extra,
        }

    with Session(db.engine) as s:
        s.execute(
            insert(Completion),
            [
                row(1, yearly, 500),
                row(2, yearly, 200),  # the later one counts
                row(3, triennial, 50),
                row(4, triennial, 40, source="correction", source_ref="3", supersedes_id=3),
                row(5, permanent, 900, expires=False),
                row(6, permanent, 30),  # never expires: one permanent record is enough
            ],
        )
        s.commit()

    db.migrate("head")

    with Session(db.engine) as s:
        got = _holdings(s, [staff_id])
        assert got == _from_scratch(s, [staff_id])
        assert got[(staff_id, yearly)][2] == NOW - 200 * day
        assert got[(staff_id, triennial)][2] == NOW - 40 * day  # the correction, not the original
        assert got[(staff_id, permanent)][4] is True


def test_concurrent_writers_and_corrections_keep_holdings_exact(fresh_database):
    """Committed data on its own database: writers add records of the same pairs while another corrects."""
    db = fresh_database()
    db.migrate()
    staff_id, competence_ids = _seed_register(db)
    codes = ["C-12", "C-36", "C-None"]
    errors: list[BaseException] = []
    stop = threading.Event()

    def writer(w: int) -> None:
        rng = random.Random(w)  # noqa: S311 - reproducible test data
        try:
            for n in range(25):
                with Session(db.engine) as s:
                    record_completion(
                        s,
                        staff_id=staff_id,
                        competence_code=rng.choice(codes[:2]) if n % 5 else codes[2],
                        completed_at=NOW - dt.timedelta(days=rng.randrange(1000)),
                        source="lti",
                        source_ref=f"{w}-{n}",
                        recorded_by="test",
                    )
                    s.commit()
        except BaseException as error:  # reported below; a thread must not swallow it
            errors.append(error)

    def corrector() -> None:
        rng = random.Random(99)  # noqa: S311 - reproducible test data
        try:
            while not stop.is_set():
                with Session(db.engine) as s:
                    candidates = _effective(s, [staff_id])
                    if candidates:
                        target = rng.choice(candidates)
                        try:
                            correct_completion(
                                s,
                                completion_id=target.id,
                                actor="cli:test",
                                reason="korjaus",
                                completed_at=NOW - dt.timedelta(days=rng.randrange(1000)),
                                void=rng.random() < 0.5,
                            )
                            s.commit()
                        except CompletionConflict:
                            s.rollback()
        except BaseException as error:  # reported below
            errors.append(error)

    threads = [threading.Thread(target=writer, args=(w,)) for w in range(3)]
    fixer = threading.Thread(target=corrector)
    fixer.start()
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    stop.set()
    fixer.join(timeout=60)

    assert errors == []
    with Session(db.engine) as s:
        assert len(_effective(s, [staff_id])) > 0
        assert _holdings(s, [staff_id]) == _from_scratch(s, [staff_id])
        assert set(competence_ids) >= {pair[1] for pair in _holdings(s, [staff_id])}


def test_statuses_match_a_reference_computed_from_the_completions(
    session, make_unit, make_staff, make_competence, make_requirement
):
    """Random tree, people, requirements of each kind, records and corrections; statuses as the rule says."""
    rng = random.Random(7)  # noqa: S311 - reproducible test data
    region = make_unit(kind="region")
    areas = [make_unit(kind="service_area", parent=region) for _ in range(2)]
    units = [make_unit(parent=rng.choice(areas)) for _ in range(4)]
    titles = ("kotihoitaja", "asiakasohjaaja")
    people = [make_staff(unit=rng.choice(units), job_title=rng.choice(titles)) for _ in range(12)]
    people.append(make_staff(unit=units[0], active=False))
    competences = [make_competence(validity_months=m) for m in (12, 24, None, 6)]
    make_requirement(competences[0], job_title="kotihoitaja")
    make_requirement(competences[1], unit=areas[0])
    make_requirement(competences[3], unit=units[1], job_title="asiakasohjaaja")
    events = [
        NewCompletion(
            rng.choice(people).id,
            rng.choice(competences).id,
            NOW - dt.timedelta(days=rng.randrange(0, 900)),
            "csv",
            f"r{n}",
        )
        for n in range(60)
    ]
    record_completions_bulk(session, events, recorded_by="test")
    staff_ids = [p.id for p in people]
    for target in rng.sample(_effective(session, staff_ids), 15):
        correct_completion(
            session,
            completion_id=target.id,
            actor="cli:test",
            reason="korjaus",
            completed_at=NOW - dt.timedelta(days=rng.randrange(0, 900)),
            void=rng.random() < 0.5,
        )

    def expected(person: Staff, competence: Competence) -> str:
        held = [
            c for c in _effective(session, [person.id]) if c.competence_id == competence.id and not c.voided
        ]
        if not held:
            path = session.get_one(OrgUnit, person.unit_id).path
            of_competence = select(Requirement).where(Requirement.competence_id == competence.id)
            requirements = session.scalars(of_competence)
            required = any(
                (r.job_title is None or r.job_title == person.job_title)
                and (r.unit_id is None or path.startswith(session.get_one(OrgUnit, r.unit_id).path))
                for r in requirements
            )
            return "missing" if required else "not_required"
        if any(c.expires_at is None for c in held):
            return "valid"
        expiry = max(c.expires_at for c in held if c.expires_at is not None)
        if expiry <= NOW:
            return "expired"
        return "expiring" if expiry <= NOW + dt.timedelta(days=60) else "valid"

    def statuses(**filters: object) -> dict[tuple[int, int], str]:
        flt = StatusFilter(**filters)  # type: ignore[arg-type]
        rows = competence_statuses(session, now=NOW, expiring_within_days=60, flt=flt)
        return {(r.staff_id, r.competence_id): r.status for r in rows}

    active = [p for p in people if p.active]
    reference = {(p.id, c.id): expected(p, c) for p in active for c in competences}
    mine = {p.id for p in active}
    got = {key: status for key, status in statuses(unit_path=region.path).items() if key[0] in mine}
    assert got == reference
    assert set(reference.values()) == {"valid", "expiring", "expired", "missing", "not_required"}

    # status_counts: the same rule, counted by unit without pairing every person
    def counts(**filters: object) -> Counter[tuple[int, int, str]]:
        got: Counter[tuple[int, int, str]] = Counter()
        for row in status_counts(session, now=NOW, expiring_within_days=60, flt=StatusFilter(**filters)):  # type: ignore[arg-type]
            got[(row.unit_id, row.competence_id, row.status)] += row.people
        return got

    def reference_counts(people_of: list[Staff]) -> Counter[tuple[int, int, str]]:
        return Counter((p.unit_id, c.id, reference[(p.id, c.id)]) for p in people_of for c in competences)

    assert counts(unit_path=region.path) == reference_counts(active)
    area_people = [p for p in active if session.get_one(OrgUnit, p.unit_id).path.startswith(areas[0].path)]
    assert counts(unit_path=areas[0].path) == reference_counts(area_people)
    title = active[0].job_title
    assert counts(unit_path=region.path, job_title=title) == reference_counts(
        [p for p in active if p.job_title == title]
    )
    in_area = {p.id for p in active if session.get_one(OrgUnit, p.unit_id).path.startswith(areas[0].path)}
    assert statuses(unit_path=areas[0].path) == {k: v for k, v in reference.items() if k[0] in in_area}
    one = active[3]
    assert statuses(staff_id=one.id) == {k: v for k, v in reference.items() if k[0] == one.id}
    competence = competences[3]
    assert statuses(unit_path=region.path, competence_id=competence.id) == {
        k: v for k, v in reference.items() if k[1] == competence.id
    }
    after = sorted(reference)[20]
    assert statuses(unit_path=region.path, after=after) == {k: v for k, v in reference.items() if k > after}

    def pages(limit: int, **filters: Any) -> list[tuple[int, int]]:
        """Every key, a page of `limit` at a time, each page starting after the last key of the one before."""
        keys: list[tuple[int, int]] = []
        while True:
            flt = StatusFilter(unit_path=region.path, after=keys[-1] if keys else None, **filters)
            page = competence_statuses(session, now=NOW, expiring_within_days=60, flt=flt, limit=limit)
            assert len(page) <= limit
            keys += [(r.staff_id, r.competence_id) for r in page]
            if len(page) < limit:
                return keys

    everyone = sorted(k for k in statuses(unit_path=region.path))
    for limit in (1, 5, 12, 100):
        assert pages(limit) == everyone
        # one row per person: a page may start at a person the cursor has no rows left of
        assert pages(limit, competence_id=competence.id) == [k for k in everyone if k[1] == competence.id]
        assert pages(limit, statuses=("missing",)) == [k for k in everyone if reference.get(k) == "missing"]
