"""`lms-bridge packages import|list|versions|use|install-built|gc`."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from flask_babel import gettext as _
from flask_babel import ngettext

from lms_bridge.catalog.builtin import builtin_course, grant_builtin_competences, publish_builtin
from lms_bridge.catalog.service import get_course_by_slug, list_courses, require_course
from lms_bridge.cli_actor import cli_actor
from lms_bridge.db import get_session, transaction
from lms_bridge.i18n import local_time
from lms_bridge.packages import service
from lms_bridge.packages.errors import PackageImportError
from lms_bridge.packages.settings import package_limits, schema_set
from lms_bridge.packages.store import PackageStore


def _store() -> PackageStore:
    return PackageStore.under(current_app.config["DATA_DIR"])


def _describe(result: service.ImportResult) -> str:
    version = result.version
    if result.unchanged:
        return str(
            _(
                "Sama paketti on jo kurssin %(slug)s versio %(n)s; uutta versiota ei tehty.",
                slug=result.course.slug,
                n=version.number,
            )
        )
    return str(
        _(
            "%(slug)s: versio %(n)s tuotu (SCORM %(scorm)s, %(scos)s, käynnistys %(launch)s, %(w)s).",
            slug=result.course.slug,
            n=version.number,
            scorm=version.scorm_version,
            scos=ngettext("%(num)s SCO-osa", "%(num)s SCO-osaa", version.sco_count),
            launch=version.launch_href,
            w=ngettext("%(num)s huomautus", "%(num)s huomautusta", len(version.warnings)),
        )
    )


def import_file(
    path: Path, *, course_slug: str | None, origin: str, new_course: bool = False
) -> service.ImportResult:
    """Import one zip in its own transaction (the CLI's and the set-up's shared path)."""
    try:
        with transaction() as db:
            return service.import_package(
                db,
                path,
                store=_store(),
                schemas=schema_set(),
                limits=package_limits(),
                actor=cli_actor(),
                origin=origin,
                course_slug=course_slug,
                new_course=new_course,
            )
    except PackageImportError as error:
        member = f" [{error.member}]" if error.member else ""
        raise click.ClickException(f"{path.name}: {error.message}{member}") from error


@click.group("packages")
def packages_cli() -> None:
    """Course packages: import SCORM zips, list versions, roll back."""


@packages_cli.command("import")
@click.argument(
    "files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@click.option("--course", "course_slug", help="Import as a new version of this existing course (slug).")
@click.option("--new-course", is_flag=True, help="With --course: create the course with that slug.")
@with_appcontext
def import_command(files: tuple[Path, ...], course_slug: str | None, new_course: bool) -> None:
    """Check and import SCORM zip FILES. Without --course each becomes a new draft course (publish it with
    `lms-bridge catalog publish`); with --course, a new version of that course."""
    for path in files:
        result = import_file(path, course_slug=course_slug, origin="cli", new_course=new_course)
        click.echo(_describe(result))
        for warning in result.version.warnings if not result.unchanged else []:
            click.echo(f"  ! {warning['message']}", err=True)


@packages_cli.command("install-built")
@click.option("--dist", type=click.Path(file_okay=False, path_type=Path), default=None)
@with_appcontext
def install_built_command(dist: Path | None) -> None:
    """Put the modules built by `lms-bridge build` (SCORM 1.2 zips) into the store, once each."""
    folder = dist or Path(current_app.config["DATA_DIR"]) / "dist"
    zips = sorted(folder.glob("*-scorm12.zip"))
    if not zips:
        raise click.ClickException(
            _("Kansiossa %(dir)s ei ole rakennettuja paketteja: aja ensin lms-bridge build.", dir=folder)
        )
    for path in zips:
        slug = path.name.removesuffix("-scorm12.zip")
        with transaction() as db:
            exists = get_course_by_slug(db, slug) is not None
        result = import_file(path, course_slug=slug, origin="built-in", new_course=not exists)
        click.echo(_describe(result))
        _map_built_competences(slug)


def _map_built_competences(slug: str) -> None:
    """A built module grants what its course.yaml says, unless an admin has already chosen otherwise."""
    builtin = builtin_course(Path(current_app.config["COURSES_DIR"]), slug)
    if builtin is None:
        return
    courses_dir = Path(current_app.config["COURSES_DIR"])
    with transaction() as db:
        course = require_course(db, slug)
        outcome = grant_builtin_competences(db, course, builtin, actor=cli_actor())
        published = publish_builtin(db, course, courses_dir=courses_dir, actor=cli_actor())
    if published:
        click.echo(_("%(slug)s julkaistu kaikille.", slug=slug))
    if outcome.missing:
        click.echo(
            _(
                "%(slug)s: osaamisia %(codes)s ei ole osaamiskehyksessä (lms-bridge competences load).",
                slug=slug,
                codes=", ".join(outcome.missing),
            ),
            err=True,
        )
    elif outcome.applied:
        click.echo(_("%(slug)s tuottaa osaamiset: %(codes)s", slug=slug, codes=", ".join(outcome.applied)))


@packages_cli.command("list")
@with_appcontext
def list_command() -> None:
    """Courses and the version new attempts use."""
    db = get_session()
    current_versions = service.current_versions(db)
    for course in list_courses(db):
        current = current_versions.get(course.id)
        click.echo(f"{course.slug}\t{current.number if current else '-'}\t{course.title}")


@packages_cli.command("versions")
@click.argument("slug")
@with_appcontext
def versions_command(slug: str) -> None:
    """Every version of course SLUG; * marks the one in use."""
    db = get_session()
    course = require_course(db, slug)
    current = service.current_version(db, course.id)
    for version in service.list_versions(db, course.id):
        mark = "*" if current is not None and version.id == current.id else " "
        imported = local_time(version.imported_at)
        click.echo(f"{mark} {version.number}\t{version.scorm_version}\t{imported}\t{version.origin}")


@packages_cli.command("use")
@click.argument("slug")
@click.argument("number", type=int)
@with_appcontext
def use_command(slug: str, number: int) -> None:
    """Make version NUMBER of course SLUG the one new attempts use (roll back or forward)."""
    with transaction() as db:
        course = require_course(db, slug)
        service.set_current_version(db, course=course, number=number, actor=cli_actor())
    click.echo(_("%(slug)s: uudet suorituskerrat käyttävät versiota %(n)s.", slug=slug, n=number))


@packages_cli.command("gc")
@with_appcontext
def gc_command() -> None:
    """Remove store folders no version points at and staging left by interrupted imports."""
    store = _store()
    orphans = service.orphan_folders(get_session(), store)
    for key in orphans:
        store.remove(key)
    staging = store.clean_staging()
    click.echo(
        _("Poistettu %(n)s irrallista kansiota ja %(s)s keskeneräistä tuontia.", n=len(orphans), s=staging)
    )
