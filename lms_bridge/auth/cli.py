"""`lms-bridge api-token create|revoke|list`."""

from __future__ import annotations

import click
from flask.cli import with_appcontext
from flask_babel import gettext as _

from lms_bridge.auth.tokens import create_token, list_tokens, revoke_token
from lms_bridge.cli_actor import cli_actor
from lms_bridge.db import transaction


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
            click.echo(f"{token.name}\t{state}\t{token.created_at:%Y-%m-%d}")


@click.group("accounts")
def accounts_cli() -> None:
    """Sign-in accounts for admins and supervisors."""


@accounts_cli.command("create")
@click.argument("username")
@click.option("--role", type=click.Choice(["admin", "supervisor"]), required=True)
@click.option("--unit", "unit_codes", multiple=True, help="Unit code a supervisor may see (repeatable).")
@click.option(
    "--password",
    prompt=True,
    hide_input=True,
    confirmation_prompt=True,
    envvar="LMS_BRIDGE_NEW_PASSWORD",
    help="Asked when not given; or set LMS_BRIDGE_NEW_PASSWORD.",
)
@with_appcontext
def create_account_command(username: str, role: str, unit_codes: tuple[str, ...], password: str) -> None:
    """Create an account USERNAME with a role (and, for supervisors, the units they may see)."""
    from lms_bridge.auth.accounts import create_account
    from lms_bridge.register.lookups import get_unit_by_code

    with transaction() as session:
        unit_ids = [get_unit_by_code(session, code).id for code in unit_codes]
        create_account(
            session, username=username, password=password, role=role, actor=cli_actor(), unit_ids=unit_ids
        )
    click.echo(_("Tili %(name)s luotu (%(role)s).", name=username.lower(), role=role))


@accounts_cli.command("ensure-admin")
@click.argument("username", default="admin")
@with_appcontext
def ensure_admin_command(username: str) -> None:
    """Create an admin account with a random password if no admin exists, and print the password once."""
    import secrets

    from sqlalchemy import select

    from lms_bridge.auth.accounts import create_account
    from lms_bridge.auth.models import Account

    with transaction() as session:
        if session.scalars(select(Account).where(Account.role == "admin")).first() is not None:
            click.echo(_("Pääkäyttäjätili on jo olemassa."))
            return
        password = secrets.token_urlsafe(12)
        create_account(session, username=username, password=password, role="admin", actor=cli_actor())
    click.echo(
        _(
            "Pääkäyttäjä luotu. Kirjaudu tunnuksella %(name)s ja salasanalla: %(pw)s",
            name=username,
            pw=password,
        )
    )
