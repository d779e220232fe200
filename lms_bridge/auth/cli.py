"""`lms-bridge api-token create|revoke|list` (the `accounts` commands are the admin area's)."""

from __future__ import annotations

import click
from flask.cli import with_appcontext
from flask_babel import gettext as _

from lms_bridge.auth.tokens import create_token, list_tokens, revoke_token
from lms_bridge.cli_actor import cli_actor
from lms_bridge.db import transaction
from lms_bridge.i18n import local_date


@click.group("api-token")
def api_token_cli() -> None:
    """API tokens for the organisation's HR and competence systems."""


@api_token_cli.command("create")
@click.argument("name")
@with_appcontext
def create_command(name: str) -> None:
    """Create a token NAME and print it once (only its hash is stored)."""
    with transaction() as session:
        token = create_token(session, name, actor=cli_actor())
    click.echo(
        _("API-tunnus %(name)s luotu. Tallenna se nyt, sitä ei näytetä uudelleen:", name=name), err=True
    )
    click.echo(token)


@api_token_cli.command("revoke")
@click.argument("name")
@with_appcontext
def revoke_command(name: str) -> None:
    """Revoke the token NAME; requests with it fail from now on."""
    with transaction() as session:
        revoke_token(session, name, actor=cli_actor())
    click.echo(_("API-tunnus %(name)s peruttu.", name=name))


@api_token_cli.command("list")
@with_appcontext
def list_command() -> None:
    """List token names and whether they are active (tokens themselves are never shown again)."""
    with transaction() as session:
        for token in list_tokens(session):
            state = _("peruttu") if token.revoked_at else _("voimassa")
            click.echo(f"{token.name}\t{state}\t{local_date(token.created_at)}")
