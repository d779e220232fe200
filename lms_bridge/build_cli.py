"""`lms-bridge build`: the four modules (or any course folder) as SCORM 1.2 and 2004 zips."""

from __future__ import annotations

import click


@click.command("build")
def build_command() -> None:
    """Build every course module as SCORM packages."""
    raise click.ClickException("not yet")
