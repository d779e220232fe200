"""Demo data: a Satakunta-like wellbeing services county, its elderly-services staff and completions.

Deterministic for a seed. Units go through the unit writer, staff through a bulk insert and completions
through `record_completions_bulk`, the bulk variant of the one completion writer, so validity and
idempotency rules stay in register/service.py even for a million generated rows.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from lms_bridge.audit import record_event
from lms_bridge.catalog.builtin import BuiltinCourse, builtin_courses, grant_builtin_competences
from lms_bridge.catalog.models import Competence
from lms_bridge.catalog.service import ensure_course
from lms_bridge.config import PROJECT_ROOT
from lms_bridge.register.errors import RegisterError
from lms_bridge.register.imports.hr import UnitSpec, apply_unit_specs, insert_staff_bulk
from lms_bridge.register.models import Requirement, Staff
from lms_bridge.register.requirements import add_unit_requirement
from lms_bridge.register.service import NewCompletion, record_completions_bulk

REGION = ("SATA", "Satakunnan hyvinvointialue")
# service area code, name, share of staff, job titles, teams per unit
AREAS = (
    ("ASOH", "Asiakasohjaus ja palvelutarpeen arviointi", 0.12, ("asiakasohjaaja",), 0),
    ("KOHO", "Kotihoito", 0.55, ("kotihoitaja",), 2),
    ("OMPE", "Omais- ja perhehoito", 0.10, ("omaishoidon palveluohjaaja", "perhehoidon palveluohjaaja"), 0),
    ("SOTY", "Ikääntyneiden sosiaalityö", 0.10, ("sosiaalityöntekijä",), 0),
    ("IKAK", "Ikäkeskus ja ennaltaehkäisevät palvelut", 0.13, ("ikäkeskuksen työntekijä",), 0),
)
PLACES = (
    "Pori", "Rauma", "Ulvila", "Harjavalta", "Kokemäki", "Eura", "Eurajoki", "Huittinen", "Kankaanpää",
    "Nakkila", "Säkylä", "Merikarvia", "Pomarkku", "Jämijärvi", "Karvia", "Siikainen", "Honkajoki",
)  # fmt: skip
FIRST_NAMES = (
    "Aino", "Anna", "Anne", "Eeva", "Elina", "Emilia", "Hanna", "Heidi", "Helena", "Johanna", "Kaisa",
    "Katja", "Laura", "Leena", "Maria", "Marja", "Minna", "Niina", "Outi", "Päivi", "Riikka", "Sanna",
    "Satu", "Suvi", "Tiina", "Tuula", "Ulla", "Antti", "Jari", "Juha", "Jukka", "Markku", "Mikko",
    "Pekka", "Sami", "Timo", "Ville", "Jussi", "Matti", "Tuomas",
)  # fmt: skip
LAST_NAMES = (
    "Aaltonen", "Heikkilä", "Heinonen", "Hakala", "Hämäläinen", "Jokinen", "Järvinen", "Karjalainen",
    "Koskinen", "Laine", "Lehtonen", "Lehtinen", "Leino", "Mäkelä", "Mäkinen", "Nieminen", "Niemi",
    "Ojala", "Rantanen", "Salminen", "Saarinen", "Suominen", "Virtanen", "Vuorinen", "Kallio",
    "Lindholm", "Grönroos", "Nurmi", "Peltonen", "Räsänen", "Salonen", "Toivonen", "Kivelä", "Aalto",
)  # fmt: skip
DEMO_SOURCE = "demo"
_CHUNK = 50_000


@dataclass(frozen=True)
class DemoResult:
    units: int
    staff: int
    completions: int


def _ascii(text: str) -> str:
    return text.lower().translate(str.maketrans("äöåé", "aoae"))


def _unit_specs(staff: int) -> tuple[list[UnitSpec], dict[str, list[str]]]:
    """The tree, and per service area the codes of the units where its staff work."""
    specs = [UnitSpec(0, REGION[0], REGION[1], "region", None)]
    leaves: dict[str, list[str]] = {}
    for code, name, share, _titles, teams in AREAS:
        specs.append(UnitSpec(0, code, name, "service_area", REGION[0]))
        units = max(2, round(staff * share / 120))  # about 60 staff per team or unit at scale
        leaves[code] = []
        for i in range(units):
            place = PLACES[i % len(PLACES)]
            number = i // len(PLACES) + 1
            unit_code = f"{code}-{i + 1:03d}"
            specs.append(UnitSpec(0, unit_code, f"{name}, {place} {number}", "unit", code))
            if teams:
                for t in range(1, teams + 1):
                    specs.append(
                        UnitSpec(0, f"{unit_code}-T{t}", f"{place} {number}, tiimi {t}", "team", unit_code)
                    )
                    leaves[code].append(f"{unit_code}-T{t}")
            else:
                leaves[code].append(unit_code)
    return specs, leaves


def generate_demo(
    session: Session,
    *,
    staff: int,
    seed: int,
    completions_per_staff: float = 6.0,
    now: dt.datetime,
    actor: str,
    courses: Sequence[BuiltinCourse] | None = None,
) -> DemoResult:
    """Generate units, staff, requirements, courses and completions; raises RegisterError if staff exist.

    `courses`: the catalogue's built-in modules (default: those in the shipped courses/ folder); each is
    created with the competences its course.yaml grants, and generated completions of those competences
    name the course.
    """
    if staff < 1:
        raise RegisterError(_l("Henkilöstön määrän on oltava vähintään 1."))
    if session.scalar(select(func.count()).select_from(Staff)):
        raise RegisterError(_l("Rekisterissä on jo henkilöstöä; demodata luodaan vain tyhjään rekisteriin."))
    competences = {c.code: c for c in session.scalars(select(Competence))}
    if not competences:
        raise RegisterError(_l("Osaamiskehys puuttuu: aja ensin lms-bridge competences load."))
    rng = random.Random(seed)  # noqa: S311 - reproducible demo data, not security

    specs, leaves = _unit_specs(staff)
    unit_ids = apply_unit_specs(session, specs)
    if "VPK-01" in competences:  # violence prevention: required of everyone in home care, by unit
        add_unit_requirement(session, competence_id=competences["VPK-01"].id, unit_id=unit_ids["KOHO"])

    course_ids: dict[str, int] = {}
    for builtin in builtin_courses(PROJECT_ROOT / "courses") if courses is None else courses:
        course = ensure_course(session, slug=builtin.slug, title=builtin.title)
        # Through the catalogue's own rule, so the course counts as decided and `packages install-built`
        # publishes it afterwards (granting here by hand left the four modules as drafts).
        outcome = grant_builtin_competences(session, course, builtin, actor=actor)
        for code in outcome.applied + outcome.kept:
            course_ids.setdefault(code, course.id)

    people: list[dict[str, object]] = []
    titles_of: list[str] = []
    areas = [area[0] for area in AREAS]
    weights = [area[2] for area in AREAS]
    for n in range(staff):
        area = rng.choices(areas, weights)[0]
        titles = next(a[3] for a in AREAS if a[0] == area)
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        title = rng.choice(titles)
        people.append(
            {
                "employee_number": f"{seed % 100:02d}{n + 1:06d}",
                "first_name": first,
                "last_name": last,
                "email": f"{_ascii(first)}.{_ascii(last)}.{n + 1}@satakunta.example",
                "job_title": title,
                "unit_id": unit_ids[rng.choice(leaves[area])],
                "active": rng.random() > 0.03,  # a few leavers, kept with their records
            }
        )
        titles_of.append(title)
    insert_staff_bulk(session, people)
    staff_ids = dict(session.execute(select(Staff.employee_number, Staff.id)).all())

    required_by_title: dict[str, list[int]] = {}
    for competence_id, job_title in session.execute(
        select(Requirement.competence_id, Requirement.job_title).where(Requirement.job_title.is_not(None))
    ):
        required_by_title.setdefault(job_title or "", []).append(competence_id)
    code_of = {c.id: c.code for c in competences.values()}
    all_ids = sorted(code_of)
    batch: list[NewCompletion] = []
    total = 0
    two_years = 730 * 24 * 3600
    for person, title in zip(people, titles_of, strict=True):
        number = str(person["employee_number"])
        required = required_by_title.get(title, [])
        count = int(completions_per_staff) + (rng.random() < completions_per_staff % 1)
        for j in range(count):
            competence_id = rng.choice(required) if required and rng.random() < 0.85 else rng.choice(all_ids)
            completed_at = now - dt.timedelta(seconds=rng.randrange(3600, two_years))
            course_id = course_ids.get(code_of[competence_id])
            score = Decimal(rng.randrange(60, 101)) if course_id else None
            batch.append(
                NewCompletion(
                    staff_ids[number],
                    competence_id,
                    completed_at,
                    DEMO_SOURCE,
                    f"{seed}-{number}-{j}",
                    course_id,
                    score,
                )
            )
        if len(batch) >= _CHUNK:
            total += len(record_completions_bulk(session, batch, recorded_by=actor).new)
            batch = []
    if batch:
        total += len(record_completions_bulk(session, batch, recorded_by=actor).new)
    if session.get_bind().dialect.name == "postgresql":
        # Freshly bulk-loaded tables have no planner statistics until autovacuum gets to them; without
        # them the first status queries and import lookups plan sequential scans over a million rows.
        session.execute(text("ANALYZE org_unit, staff, competence, requirement, completion, holding"))
    record_event(
        session,
        actor=actor,
        action="demo.generated",
        subject_type="register",
        details={"seed": seed, "staff": staff, "units": len(specs), "completions": total},
    )
    return DemoResult(units=len(specs), staff=staff, completions=total)
