"""Catalogue factories: competences and courses."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy.orm import Session

from lms_bridge.catalog.models import Competence, Course
from lms_bridge.catalog.service import ensure_course

_counter = itertools.count(1)


@pytest.fixture
def make_competence(session: Session) -> Callable[..., Competence]:
    def make(**overrides: Any) -> Competence:
        n = next(_counter)
        values: dict[str, Any] = {
            "code": f"TEST-{n:02d}",
            "name_fi": f"Testiosaaminen {n}",
            "name_sv": f"Testkompetens {n}",
            "name_en": f"Test competence {n}",
            "validity_months": 24,
        }
        competence = Competence(**{**values, **overrides})
        session.add(competence)
        session.flush()
        return competence

    return make


@pytest.fixture
def make_course(session: Session) -> Callable[..., Course]:
    def make(slug: str | None = None, title: str = "Vaikuttava asiakaskohtaaminen") -> Course:
        return ensure_course(session, slug=slug or f"kurssi-{next(_counter)}", title=title)

    return make
