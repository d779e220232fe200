"""The competence framework: parse data/competences.yaml and bring the competences up to date with it.

The file also says which job titles require each competence; those requirements belong to the register
(`lms_bridge.register.requirements.sync_job_requirements` takes the same specs).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import yaml
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from lms_bridge.audit import record_event
from lms_bridge.catalog.errors import InvalidCompetenceFramework
from lms_bridge.catalog.models import Competence
from lms_bridge.config import package_data

DEFAULT_FRAMEWORK = package_data("competences.yaml")
CODE_PATTERN = re.compile(r"^[A-Z0-9][A-Z0-9_-]{0,49}$")
LANGUAGES = ("fi", "sv", "en")


@dataclass(frozen=True)
class CompetenceSpec:
    code: str
    names: dict[str, str]
    validity_months: int | None
    required_for: tuple[str, ...]


@dataclass
class FrameworkResult:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    not_in_file: list[str] = field(default_factory=list)


def parse_framework(text: str) -> list[CompetenceSpec]:
    """Parse and check the YAML; raises InvalidCompetenceFramework naming the entry and the problem."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise InvalidCompetenceFramework(
            _l("Osaamiskehys ei ole kelvollista YAMLia: %(e)s", e=error)
        ) from error
    if not isinstance(data, dict) or not isinstance(data.get("competences"), list):
        raise InvalidCompetenceFramework(_l("Osaamiskehyksestä puuttuu lista 'competences'."))
    specs: list[CompetenceSpec] = []
    seen: set[str] = set()
    for index, entry in enumerate(data["competences"], start=1):
        spec = _parse_entry(index, entry)
        if spec.code in seen:
            raise InvalidCompetenceFramework(
                _l("Osaamiskoodi %(code)s on kehyksessä kahdesti.", code=spec.code)
            )
        seen.add(spec.code)
        specs.append(spec)
    return specs


def _parse_entry(index: int, entry: Any) -> CompetenceSpec:
    if not isinstance(entry, dict):
        raise InvalidCompetenceFramework(_l("Osaamisen %(n)s kuvaus ei ole avain–arvo-rakenne.", n=index))
    code = entry.get("code")
    if not isinstance(code, str) or not CODE_PATTERN.match(code):
        raise InvalidCompetenceFramework(
            _l("Osaamisen %(n)s koodi puuttuu tai on virheellinen (esim. KOHT-01).", n=index)
        )
    names = entry.get("name")
    if not isinstance(names, dict) or any(not isinstance(names.get(lang), str) for lang in LANGUAGES):
        raise InvalidCompetenceFramework(
            _l("Osaamiselta %(code)s puuttuu nimi kielellä fi, sv tai en.", code=code)
        )
    validity = entry.get("validity_months")
    if validity is not None and (
        not isinstance(validity, int) or isinstance(validity, bool) or validity <= 0
    ):
        raise InvalidCompetenceFramework(
            _l("Osaamisen %(code)s voimassaolo on positiivinen kuukausimäärä tai null.", code=code)
        )
    required_for = entry.get("required_for") or []
    if not isinstance(required_for, list) or any(
        not isinstance(t, str) or not t.strip() for t in required_for
    ):
        raise InvalidCompetenceFramework(
            _l("Osaamisen %(code)s required_for on lista tehtävänimikkeitä.", code=code)
        )
    return CompetenceSpec(
        code=code,
        names={lang: names[lang].strip() for lang in LANGUAGES},
        validity_months=validity,
        required_for=tuple(sorted({t.strip().lower() for t in required_for})),
    )


def load_competences(session: Session, specs: list[CompetenceSpec], *, actor: str) -> FrameworkResult:
    """Create or update the competences (names, validity); never deletes one. Requirements: the register."""
    existing = {c.code: c for c in session.scalars(select(Competence))}
    result = FrameworkResult()
    for spec in specs:
        competence = existing.get(spec.code)
        if competence is None:
            competence = Competence(code=spec.code)
            session.add(competence)
            result.created.append(spec.code)
        values = {
            "name_fi": spec.names["fi"],
            "name_sv": spec.names["sv"],
            "name_en": spec.names["en"],
            "validity_months": spec.validity_months,
        }
        changed = any(getattr(competence, key) != value for key, value in values.items())
        for key, value in values.items():
            setattr(competence, key, value)
        session.flush()
        if spec.code not in result.created:
            (result.updated if changed else result.unchanged).append(spec.code)
    result.not_in_file = sorted(set(existing) - {s.code for s in specs})
    if result.created or result.updated:
        record_event(
            session,
            actor=actor,
            action="competences.loaded",
            subject_type="competence_framework",
            details={"created": result.created, "updated": result.updated},
        )
    return result
