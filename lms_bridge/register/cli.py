"""Register commands: competences, units, staff, completions."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Protocol

import click
from flask import current_app
from flask.cli import with_appcontext
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from lms_bridge.catalog.framework import DEFAULT_FRAMEWORK, parse_framework
from lms_bridge.cli_actor import cli_actor
from lms_bridge.db import transaction
from lms_bridge.register import service
from lms_bridge.register.errors import ImportRejected, MassDeactivationStopped, RegisterError
from lms_bridge.register.holdings import rebuild_holdings
from lms_bridge.register.imports.completions import import_completions
from lms_bridge.register.imports.csv_io import parse_datetime, parse_score
from lms_bridge.register.imports.hr import import_staff, import_units
from lms_bridge.register.imports.summary import ImportSummary
from lms_bridge.register.requirements import load_framework

FILE = click.Path(exists=True, dir_okay=False, path_type=Path)


ALLOW_FLAG = "--allow-mass-deactivation"


def _print_report(report: ImportSummary) -> None:
    for note in report.notes:
        click.echo(note, err=True)
    if report.mass_deactivation is not None and report.dry_run:
        click.echo(
            report.mass_deactivation.warning()
            + " "
            + _("Varsinainen tuonti pysähtyy, ellei sitä vahvisteta valinnalla %(flag)s.", flag=ALLOW_FLAG),
            err=True,
        )
    click.echo(report.summary())


class Importer(Protocol):
    def __call__(
        self, session: Session, data: bytes, *, actor: str, dry_run: bool = False
    ) -> ImportSummary: ...


def _run_import(importer: Importer, path: Path, dry_run: bool) -> None:
    try:
        with transaction() as session:
            report = importer(session, path.read_bytes(), actor=cli_actor(), dry_run=dry_run)
    except MassDeactivationStopped as error:
        raise click.ClickException(
            str(error.message)
            + " "
            + _("Jos passivointi on oikein, aja komento uudelleen valinnalla %(flag)s.", flag=ALLOW_FLAG)
        ) from error
    except ImportRejected as error:
        for line in error.report.lines():
            click.echo(line, err=True)
        raise click.ClickException(str(error.message)) from error
    _print_report(report)


@click.group("competences")
def competences_cli() -> None:
    """The competence framework (lms_bridge/data/competences.yaml)."""


@competences_cli.command("load")
@click.argument("file", type=FILE, required=False)
@with_appcontext
def load_command(file: Path | None) -> None:
    """Create or update competences and job-title requirements from FILE (default: the shipped framework)."""
    specs = parse_framework((file or DEFAULT_FRAMEWORK).read_text(encoding="utf-8"))
    with transaction() as session:
        result = load_framework(session, specs, actor=cli_actor())
    click.echo(
        _(
            "Osaamiskehys ladattu: %(n)s osaamista "
            "(%(new)s uutta, %(changed)s päivitetty, %(same)s ennallaan).",
            n=len(specs),
            new=len(result.created),
            changed=len(result.updated),
            same=len(result.unchanged),
        )
    )
    if result.not_in_file:
        click.echo(
            _("Tiedostossa ei ole (säilytetty): %(codes)s", codes=", ".join(result.not_in_file)), err=True
        )


@click.group("units")
def units_cli() -> None:
    """Organisation units from the HR export."""


@units_cli.command("import")
@click.argument("file", type=FILE)
@click.option("--dry-run", is_flag=True, help="Check and report; change nothing.")
@with_appcontext
def import_units_command(file: Path, dry_run: bool) -> None:
    """Import the unit tree from FILE.csv; units missing from the file are deactivated."""
    _run_import(import_units, file, dry_run)


@click.group("staff")
def staff_cli() -> None:
    """Staff from the HR export."""


@staff_cli.command("import")
@click.argument("file", type=FILE)
@click.option("--dry-run", is_flag=True, help="Check and report; change nothing.")
@click.option(
    ALLOW_FLAG,
    "allow_mass_deactivation",
    is_flag=True,
    help="Go on even if more than IMPORT_MAX_DEACTIVATE_SHARE of the active staff would be deactivated.",
)
@with_appcontext
def import_staff_command(file: Path, dry_run: bool, allow_mass_deactivation: bool) -> None:
    """Import staff (and optionally their units) from FILE.csv; leavers are deactivated, never deleted."""
    importer = functools.partial(
        import_staff,
        max_deactivate_share=current_app.config["IMPORT_MAX_DEACTIVATE_SHARE"],
        allow_mass_deactivation=allow_mass_deactivation,
    )
    _run_import(importer, file, dry_run)


@click.group("completions")
def completions_cli() -> None:
    """Completion records."""


@completions_cli.command("import")
@click.argument("file", type=FILE)
@click.option("--dry-run", is_flag=True, help="Check and report; change nothing.")
@with_appcontext
def import_completions_command(file: Path, dry_run: bool) -> None:
    """Import external completions from FILE.csv: all rows or none; rows already recorded are skipped."""
    _run_import(import_completions, file, dry_run)


@completions_cli.command("correct")
@click.argument("completion_id", type=int)
@click.option("--reason", required=True, help="Why the record is corrected (kept in the audit log).")
@click.option("--completed-at", help="The right completion date (2024-03-05 or 5.3.2024).")
@click.option("--score", help="The right score, 0–100.")
@click.option("--void", is_flag=True, help="The record was wrong altogether: nothing replaces it.")
@with_appcontext
def correct_command(
    completion_id: int, reason: str, completed_at: str | None, score: str | None, void: bool
) -> None:
    """Supersede completion COMPLETION_ID with a corrected record."""
    try:
        when = parse_datetime(completed_at) if completed_at else None
        new_score = parse_score(score) if score else None
    except ValueError as error:
        raise RegisterError(str(error)) from error
    with transaction() as session:
        correction = service.correct_completion(
            session,
            completion_id=completion_id,
            actor=cli_actor(),
            reason=reason,
            completed_at=when,
            score=new_score,
            void=void,
        )
    click.echo(_("Suoritus %(old)s korjattu; uusi kirjaus %(new)s.", old=completion_id, new=correction.id))


@completions_cli.command("rebuild-holdings")
@with_appcontext
def rebuild_holdings_command() -> None:
    """Recompute the holdings (what each person's completions of a competence add up to) from scratch."""
    with transaction() as session:
        count = rebuild_holdings(session)
    click.echo(_("Osaamistilanne laskettu uudelleen suorituksista: %(count)s riviä.", count=count))
