"""`lms-bridge catalog list|publish|hide`: which courses learners see, to whom, in which order.

An admin command, not the catalogue's: publishing to units checks their codes against the register.
"""

from __future__ import annotations

import click
from flask.cli import with_appcontext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from lms_bridge.catalog import service
from lms_bridge.cli_actor import cli_actor
from lms_bridge.db import get_session, transaction
from lms_bridge.register.lookups import all_unit_codes

STATUS_LABELS = {
    "draft": _l("luonnos"),
    "published": _l("julkaistu"),
    "hidden": _l("piilotettu"),
    "retired": _l("poistettu käytöstä"),
}


@click.group("catalog")
def catalog_cli() -> None:
    """The course catalogue: which courses learners see, to whom and in which order."""


@catalog_cli.command("list")
@with_appcontext
def list_command() -> None:
    """Every course: slug, status, audience, order, title."""
    db = get_session()
    for course in service.list_courses(db):
        if course.for_everyone:
            audience = _("kaikille")
        else:
            rows = service.audience(db, course.id)
            audience = ", ".join(r.unit_code or r.job_title or "" for r in rows) or "–"
        status = STATUS_LABELS.get(course.status, course.status)
        click.echo(f"{course.slug}\t{status}\t{audience}\t{course.position}\t{course.title}")


@catalog_cli.command("publish")
@click.argument("slug")
@click.option("--units", default="", help="Only for these units (codes, comma-separated; with sub-units).")
@click.option("--job-titles", default="", help="Only for these job titles (comma-separated).")
@click.option("--position", type=int, default=None, help="Its place in the learners' lists (smaller first).")
@with_appcontext
def publish_command(slug: str, units: str, job_titles: str, position: int | None) -> None:
    """Show course SLUG to learners: everyone, or the given units and job titles."""
    unit_codes = [u.strip() for u in units.split(",") if u.strip()]
    titles = [t.strip() for t in job_titles.split(",") if t.strip()]
    with transaction() as db:
        known = set(all_unit_codes(db))
        unknown = [code for code in unit_codes if code not in known]
        if unknown:
            raise click.ClickException(_("Yksikköä %(code)s ei löydy.", code=", ".join(unknown)))
        course = service.require_course(db, slug)
        service.publish(
            db,
            course,
            actor=cli_actor(),
            everyone=not unit_codes and not titles,
            unit_codes=unit_codes,
            job_titles=titles,
            position=position,
        )
    click.echo(_("%(slug)s julkaistu.", slug=slug))


@catalog_cli.command("hide")
@click.argument("slug")
@click.option("--retire", is_flag=True, help="For good: the course is retired, not only hidden.")
@with_appcontext
def hide_command(slug: str, retire: bool) -> None:
    """Take course SLUG off the learners' lists; its attempts and completions stay."""
    with transaction() as db:
        service.set_status(
            db, service.require_course(db, slug), "retired" if retire else "hidden", actor=cli_actor()
        )
    click.echo(_("%(slug)s piilotettu.", slug=slug))
