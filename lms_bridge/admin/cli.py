"""`lms-bridge accounts create|ensure-admin`: sign-in accounts and the units a supervisor sees."""

from __future__ import annotations

import secrets

import click
from flask import current_app
from flask.cli import with_appcontext
from flask_babel import gettext as _

from lms_bridge.auth.accounts import (
    create_account,
    has_admin,
    require_account,
    set_active,
    set_employee_number,
    set_password,
    unlock,
)
from lms_bridge.cli_actor import cli_actor
from lms_bridge.db import transaction
from lms_bridge.register.lookups import get_unit_by_code
from lms_bridge.register.scopes import assign_units


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
    with transaction() as session:
        unit_ids = [get_unit_by_code(session, code).id for code in unit_codes]
        account = create_account(
            session,
            username=username,
            password=password,
            role=role,
            actor=cli_actor(),
            min_password_length=current_app.config["PASSWORD_MIN_LENGTH"],
        )
        if unit_ids:
            assign_units(session, account_id=account.id, unit_ids=unit_ids, actor=cli_actor())
    click.echo(_("Tili %(name)s luotu (%(role)s).", name=username.lower(), role=role))


@accounts_cli.command("ensure-admin")
@click.argument("username", default="admin")
@with_appcontext
def ensure_admin_command(username: str) -> None:
    """Create an admin account with a random password if no admin exists, and print the password once."""
    with transaction() as session:
        if has_admin(session):
            click.echo(_("Pääkäyttäjätili on jo olemassa."))
            return
        password = secrets.token_urlsafe(15)  # 20 characters from a CSPRNG: always passes the rule
        create_account(session, username=username, password=password, role="admin", actor=cli_actor())
    click.echo(
        _(
            "Pääkäyttäjä luotu. Kirjaudu tunnuksella %(name)s ja salasanalla: %(pw)s",
            name=username,
            pw=password,
        )
    )


@accounts_cli.command("unlock")
@click.argument("username")
@with_appcontext
def unlock_command(username: str) -> None:
    """Lift the sign-in lockout of USERNAME (after too many failed sign-ins)."""
    with transaction() as session:
        lifted = unlock(session, username, actor=cli_actor())
    click.echo(
        _("Tunnuksen %(name)s lukitus avattu.", name=username)
        if lifted
        else _("Tunnus %(name)s ei ollut lukittu.", name=username)
    )


@accounts_cli.command("disable")
@click.argument("username")
@with_appcontext
def disable_command(username: str) -> None:
    """Disable USERNAME: its sign-ins stop working at once, also in open browsers."""
    with transaction() as session:
        set_active(session, require_account(session, username), False, actor=cli_actor())
    click.echo(_("Tili %(name)s poistettu käytöstä; sen istunnot päättyivät.", name=username))


@accounts_cli.command("enable")
@click.argument("username")
@with_appcontext
def enable_command(username: str) -> None:
    """Enable USERNAME again."""
    with transaction() as session:
        set_active(session, require_account(session, username), True, actor=cli_actor())
    click.echo(_("Tili %(name)s otettu käyttöön.", name=username))


@accounts_cli.command("reset-password")
@click.argument("username")
@click.option(
    "--password",
    prompt=True,
    hide_input=True,
    confirmation_prompt=True,
    envvar="LMS_BRIDGE_NEW_PASSWORD",
    help="Asked when not given; or set LMS_BRIDGE_NEW_PASSWORD.",
)
@with_appcontext
def reset_password_command(username: str, password: str) -> None:
    """Set a new password for USERNAME (e.g. the first admin who lost theirs); its sessions end."""
    with transaction() as session:
        account = require_account(session, username)
        set_password(
            session,
            account,
            password,
            actor=cli_actor(),
            min_password_length=current_app.config["PASSWORD_MIN_LENGTH"],
        )
    click.echo(_("Tilin %(name)s salasana vaihdettu; sen istunnot päättyivät.", name=username))


@accounts_cli.command("assign-units")
@click.argument("username")
@click.option(
    "--unit", "unit_codes", multiple=True, help="A unit the supervisor sees (repeatable; none: no units)."
)
@click.option("--employee-number", default=None, help="Link the account to this staff member (HR's units).")
@with_appcontext
def assign_units_command(username: str, unit_codes: tuple[str, ...], employee_number: str | None) -> None:
    """Set the units supervisor USERNAME sees (each with its sub-units); optionally link them to staff."""
    with transaction() as session:
        account = require_account(session, username)
        unit_ids = [get_unit_by_code(session, code).id for code in unit_codes]
        assign_units(session, account_id=account.id, unit_ids=unit_ids, actor=cli_actor())
        if employee_number is not None:
            set_employee_number(session, account, employee_number, actor=cli_actor())
    click.echo(_("Tilin %(name)s yksiköt: %(units)s", name=username, units=", ".join(unit_codes) or "–"))
