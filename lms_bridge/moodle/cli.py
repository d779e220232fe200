"""`lms-bridge moodle site add|test`, `moodle map`, `moodle sync`: Moodle sites for admins and cron.

Errors go to stderr in Finnish with exit code 1 (DomainError and click exceptions; the lms-bridge group
turns DomainErrors into one line, never a traceback).
"""

from __future__ import annotations

import time
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from flask_babel import gettext as _

from lms_bridge.cli_actor import cli_actor
from lms_bridge.db import get_session, transaction
from lms_bridge.moodle import sites
from lms_bridge.moodle.models import MoodleSite
from lms_bridge.moodle.plan import SyncReport
from lms_bridge.moodle.problems import SyncRunning
from lms_bridge.moodle.runner import run_sync


@click.group("moodle")
def moodle_cli() -> None:
    """Moodle sites: register, test, map courses and activities to competences, sync completions."""


@moodle_cli.group("site")
def site_cli() -> None:
    """Moodle sites the sync reads."""


@site_cli.command("add")
@click.argument("name")
@click.option("--url", required=True, help="The site's root URL, e.g. https://moodle.example.fi")
@click.option(
    "--token-file",
    required=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A file holding only the web-service token (kept out of the shell history and process list).",
)
@click.option("--replace", is_flag=True, help="Change an existing site's URL and token.")
@with_appcontext
def site_add(name: str, url: str, token_file: Path, replace: bool) -> None:
    """Register a Moodle site; its token is stored encrypted and never shown again."""
    token = token_file.read_text(encoding="utf-8", errors="replace")
    with transaction() as db:
        site = sites.save_site(
            db,
            name=name,
            base_url=url,
            token=token,
            secret_key=current_app.config["SECRET_KEY"],
            actor=cli_actor(),
            replace=replace,
        )
    click.echo(
        _(
            "Sivusto %(name)s tallennettiin (%(url)s, token …%(hint)s). "
            "Testaa: lms-bridge moodle site test %(name)s",
            name=site.name,
            url=site.base_url,
            hint=site.token_hint,
        )
    )


@site_cli.command("test")
@click.argument("name")
@with_appcontext
def site_test(name: str) -> None:
    """Call core_webservice_get_site_info: the site's name, release and the functions the token lacks."""
    site = sites.get_site(get_session(), name)
    with sites.client_for(site, current_app.config) as client:
        report = sites.test_connection(client)
    click.echo(_("Sivusto: %(name)s", name=report.site_name))
    click.echo(_("Moodle-versio: %(release)s", release=report.release))
    click.echo(_("Tokenin käyttäjä: %(user)s", user=report.username))
    if report.missing_for_mapping:
        click.echo(
            _(
                "Aktiviteettien liittäminen cmid:llä tarvitsee myös: %(f)s",
                f=", ".join(report.missing_for_mapping),
            )
        )
    if report.missing_for_sync:
        raise click.ClickException(
            _(
                "Tokenin verkkopalvelusta puuttuu synkronoinnin tarvitsemat funktiot: %(f)s",
                f=", ".join(report.missing_for_sync),
            )
        )
    click.echo(_("Kaikki synkronoinnin tarvitsemat funktiot ovat käytössä."))


@moodle_cli.command("map")
@click.argument("name")
@click.option("--course", "course_id", type=int, help="A Moodle course id: its course completion grants.")
@click.option("--activity", "cmid", type=int, help="An activity's course module id (cmid), e.g. a SCORM.")
@click.option("--competence", "competence_code", required=True, help="The competence code, e.g. KOHT-01.")
@with_appcontext
def map_command(name: str, course_id: int | None, cmid: int | None, competence_code: str) -> None:
    """Map a Moodle course (course completion) or activity (cmid) to a competence."""
    if (course_id is None) == (cmid is None):
        raise click.UsageError(_("Anna joko --course ID tai --activity CMID."))
    with transaction() as db:
        site = sites.get_site(db, name)
        with sites.client_for(site, current_app.config) as client:
            mapping = sites.add_mapping(
                db,
                site,
                competence_code=competence_code,
                client=client,
                actor=cli_actor(),
                course_id=course_id,
                cmid=cmid,
            )
    if mapping.kind == "course":
        click.echo(
            _(
                "Moodle-kurssin %(course)s suoritus tuottaa nyt osaamisen %(code)s.",
                course=mapping.moodle_course_id,
                code=competence_code,
            )
        )
    else:
        click.echo(
            _(
                "Aktiviteetti %(cmid)s (%(modname)s: %(title)s, kurssi %(course)s) tuottaa nyt "
                "osaamisen %(code)s.",
                cmid=mapping.cmid,
                modname=mapping.modname,
                title=mapping.activity_name,
                course=mapping.moodle_course_id,
                code=competence_code,
            )
        )


@moodle_cli.command("sync")
@click.option("--site", "site_name", default=None, help="Only this site (default: every site).")
@click.option("--dry-run", is_flag=True, help="Read Moodle and count what would be recorded; write nothing.")
@click.option(
    "--wait",
    default=0,
    show_default=True,
    type=click.IntRange(0, 3600),
    help="Seconds to wait for a sync of the same site already running, before giving up.",
)
@with_appcontext
def sync_command(site_name: str | None, dry_run: bool, wait: int) -> None:
    """Read completions from Moodle into the register (for cron or a systemd timer; safe to re-run)."""
    session = get_session()
    targets = [sites.get_site(session, site_name)] if site_name else sites.list_sites(session)
    if not targets:
        raise click.ClickException(_("Moodle-sivustoja ei ole. Lisää: lms-bridge moodle site add."))
    failed = False
    for site in targets:
        report = _sync_waiting(site, dry_run=dry_run, wait=wait)
        click.echo(_summary(report))
        for message in report.errors:
            click.echo(f"  {message}", err=True)
        failed = failed or bool(report.errors)
    if failed:
        raise click.ClickException(_("Synkronoinnissa oli virheitä (yllä)."))


def _sync_waiting(site: MoodleSite, *, dry_run: bool, wait: int) -> SyncReport:
    session = get_session()
    deadline = time.monotonic() + wait
    while True:
        try:
            return run_sync(
                session,
                site,
                config=current_app.config,
                actor=cli_actor(),
                dry_run=dry_run,
            )
        except SyncRunning:
            session.rollback()
            if time.monotonic() >= deadline:
                raise
            time.sleep(min(5.0, max(0.1, deadline - time.monotonic())))


def _summary(report: SyncReport) -> str:
    text: str = _(
        "%(site)s: %(calls)s kutsua, %(users)s käyttäjää tarkistettu, %(added)s uutta suoritusta, "
        "%(unmatched)s tunnistamatonta käyttäjää.",
        site=report.site_name,
        calls=report.calls,
        users=report.users_checked,
        added=report.records_added,
        unmatched=report.unmatched,
    )
    if report.dry_run:
        text += " " + _("(Kuivaharjoitus: mitään ei tallennettu.)")
    return text
