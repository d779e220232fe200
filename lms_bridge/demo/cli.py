"""`lms-bridge demo-data` and `lms-bridge setup-demo`: a demo region for trying the product."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from flask_babel import gettext as _
from sqlalchemy import func, select

from lms_bridge.catalog.builtin import BuiltinCourse, builtin_courses
from lms_bridge.catalog.framework import DEFAULT_FRAMEWORK, parse_framework
from lms_bridge.cli_actor import cli_actor
from lms_bridge.db import transaction, utcnow
from lms_bridge.demo.generator import generate_demo
from lms_bridge.register.models import Staff
from lms_bridge.register.requirements import load_framework

SETUP_DEMO_STAFF = 300


def _builtin_courses() -> list[BuiltinCourse]:
    return builtin_courses(Path(current_app.config["COURSES_DIR"]))


@click.command("demo-data")
@click.option("--staff", "staff_count", default=300, show_default=True, type=int, help="Number of staff.")
@click.option("--seed", default=1, show_default=True, type=int, help="Random seed (same seed, same data).")
@click.option("--completions-per-staff", default=6.0, show_default=True, type=float)
@with_appcontext
def demo_data_command(staff_count: int, seed: int, completions_per_staff: float) -> None:
    """Generate a demo region: units, staff, requirements, courses and two years of completions."""
    with transaction() as session:
        result = generate_demo(
            session,
            staff=staff_count,
            seed=seed,
            completions_per_staff=completions_per_staff,
            now=utcnow(),
            actor=cli_actor(),
            courses=_builtin_courses(),
        )
    click.echo(
        _(
            "Demodata luotu: %(units)s yksikköä, %(staff)s henkilöä, %(completions)s suoritusta.",
            units=result.units,
            staff=result.staff,
            completions=result.completions,
        )
    )


@click.command("setup-demo")
@with_appcontext
def setup_demo_command() -> None:
    """Load the competence framework and, when the register has no staff, generate demo data (idempotent)."""
    specs = parse_framework(DEFAULT_FRAMEWORK.read_text(encoding="utf-8"))
    with transaction() as session:
        load_framework(session, specs, actor=cli_actor())
        if session.scalar(select(func.count()).select_from(Staff)):
            click.echo(_("Rekisterissä on jo henkilöstöä; demodataa ei luotu."))
            return
        result = generate_demo(
            session,
            staff=SETUP_DEMO_STAFF,
            seed=1,
            now=utcnow(),
            actor=cli_actor(),
            courses=_builtin_courses(),
        )
    click.echo(
        _(
            "Demodata luotu: %(units)s yksikköä, %(staff)s henkilöä, %(completions)s suoritusta.",
            units=result.units,
            staff=result.staff,
            completions=result.completions,
        )
    )
