"""`lms-bridge reports export|send-reminders`: the reports for scheduled jobs."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from flask_babel import gettext as _

from lms_bridge.audit import record_event
from lms_bridge.catalog.service import list_competences
from lms_bridge.cli_actor import cli_actor
from lms_bridge.db import transaction, utcnow
from lms_bridge.register.lookups import get_unit_by_code
from lms_bridge.reports import exports, queries
from lms_bridge.reports.mail import SmtpMailer
from lms_bridge.reports.reminders import send_reminders


@click.group("reports")
def reports_cli() -> None:
    """Supervisor reports: exports and e-mail reminders."""


@reports_cli.command("export")
@click.option("--unit", "unit_code", required=True, help="The unit (with its sub-units).")
@click.option(
    "--status", "statuses", default="", help="Only people with these statuses, e.g. missing,expiring."
)
@click.option("--job-title", default=None, help="Only this job title.")
@click.option("--format", "fmt", type=click.Choice(exports.FORMATS), default="csv", show_default=True)
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True)
@with_appcontext
def export_command(unit_code: str, statuses: str, job_title: str | None, fmt: str, out: Path) -> None:
    """The unit's people x competences, as the report page shows them, to a CSV or XLSX file."""
    wanted = tuple(s.strip() for s in statuses.split(",") if s.strip())
    unknown = [s for s in wanted if s not in queries.STATUSES]
    if unknown:
        raise click.ClickException(
            _(
                "Tuntematon tila %(s)s (sallitut: %(all)s).",
                s=", ".join(unknown),
                all=", ".join(queries.STATUSES),
            )
        )
    with transaction() as db:
        unit = get_unit_by_code(db, unit_code)
        filters = queries.Filters(job_title=job_title)
        rows = queries.matrix_rows(
            db,
            unit,
            filters=filters,
            now=utcnow(),
            expiring_within_days=current_app.config["EXPIRING_WITHIN_DAYS"],
        )
        if wanted:
            rows = [r for r in rows if any(status in wanted for status in r.statuses.values())]
        data = exports.write(exports.matrix_table(list_competences(db), rows), fmt)
        record_event(
            db,
            actor=cli_actor(),
            action="report.export",
            subject_type="unit",
            subject_id=unit.code,
            details={"format": fmt, "statuses": list(wanted), "rows": len(rows)},
        )
    out.write_bytes(data)
    click.echo(_("%(n)s henkilöä kirjoitettu tiedostoon %(file)s.", n=len(rows), file=out))


@reports_cli.command("send-reminders")
@click.option("--dry-run", is_flag=True, help="Count what would be sent; send nothing, record nothing.")
@with_appcontext
def send_reminders_command(dry_run: bool) -> None:
    """Send this week's digests to supervisors who asked for them and notices to learners whose competence
    expires soon (each once). For cron, e.g. every morning."""
    config = current_app.config
    mailer = SmtpMailer.from_config(config)
    with transaction() as db:
        outcome = send_reminders(
            db,
            mailer,
            now=utcnow(),
            expiring_within_days=config["EXPIRING_WITHIN_DAYS"],
            remind_days_before=config["REMINDER_DAYS_BEFORE"],
            public_url=config["PUBLIC_URL"],
            dry_run=dry_run,
        )
    click.echo(
        _(
            "Viikkokoosteita %(d)s, muistutuksia %(r)s%(dry)s.",
            d=outcome.digests,
            r=outcome.reminders,
            dry=_(" (koeajo: mitään ei lähetetty)") if dry_run else "",
        )
    )
