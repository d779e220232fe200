"""`lms-bridge build`: every course module of courses/ as SCORM 1.2 and SCORM 2004 zips."""

from __future__ import annotations

import time
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from scorm.build import build_all
from scorm.errors import ScormError
from scorm.render import STANDARDS, Standard
from scorm.schemas import SchemaSet

FORMATS: dict[str, tuple[Standard, ...]] = {
    "scorm12": ("scorm12",),
    "scorm2004": ("scorm2004",),
    "all": STANDARDS,
}


def dist_dir() -> Path:
    return Path(current_app.config["DATA_DIR"]) / "dist"


@click.command("build")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(list(FORMATS)),
    default="all",
    show_default=True,
    help="SCORM 1.2 is the one to upload to Moodle: its player and app support 1.2 fully.",
)
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Folder for the zips [default: dist/ under the data folder].",
)
@click.option("--course", "courses", multiple=True, help="Build only this course folder (repeatable).")
@with_appcontext
def build_command(fmt: str, out_dir: Path | None, courses: tuple[str, ...]) -> None:
    """Build the course modules in courses/ as SCORM packages.

    A mistake in a source file stops the build with the file, the line and what is wrong; nothing is written.
    """
    started = time.perf_counter()
    target = out_dir or dist_dir()
    try:
        paths = build_all(
            Path(current_app.config["COURSES_DIR"]),
            target,
            FORMATS[fmt],
            only=courses,
            schemas=SchemaSet(Path(current_app.config["SCORM_SCHEMA_DIR"])),
        )
    except ScormError as error:
        raise click.ClickException(f"build stopped, nothing was written: {error}") from error
    for path in paths:
        click.echo(f"  {path.name}  {path.stat().st_size:,} bytes")
    click.echo(f"Built {len(paths)} packages into {target} in {time.perf_counter() - started:.2f} s.")
