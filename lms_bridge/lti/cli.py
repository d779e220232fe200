"""`lms-bridge lti ...`: the values for Moodle, platforms, keys, users and the score outbox."""

from __future__ import annotations

import datetime as dt
import time

import click
from flask import current_app
from flask.cli import with_appcontext

from lms_bridge.db import transaction, utcnow
from lms_bridge.i18n import local_time
from lms_bridge.lti import identity, keys, platforms, scores
from lms_bridge.lti.errors import LtiError
from lms_bridge.lti.models import LtiUser
from lms_bridge.register.lookups import get_staff_by_employee_number


@click.group("lti")
def lti_cli() -> None:
    """The LTI 1.3 tool for Moodle."""


def _values(base_url: str | None) -> platforms.ToolValues:
    base = base_url or current_app.config["LTI_TOOL_URL"]
    if not base:
        raise click.ClickException("Anna työkalun julkinen osoite: --base-url https://... tai LTI_TOOL_URL.")
    return platforms.ToolValues.at(base)


@lti_cli.command("show")
@click.option("--base-url", help="The tool's public address (default: LTI_TOOL_URL).")
@with_appcontext
def show(base_url: str | None) -> None:
    """Print what Moodle's External tool (LTI 1.3) form asks for, and the registered platforms."""
    values = _values(base_url)
    click.echo("Moodle: Site administration → Plugins → Activity modules → External tool → Manage tools →")
    click.echo("configure a tool manually (LTI version: LTI 1.3)")
    click.echo(f"  Tool URL:                 {values.tool_url}")
    click.echo("  LTI version:              LTI 1.3")
    click.echo("  Public key type:          Keyset URL")
    click.echo(f"  Public keyset:            {values.keyset_url}")
    click.echo(f"  Initiate login URL:       {values.login_url}")
    click.echo(f"  Redirection URI(s):       {' '.join(values.redirect_uris)}")
    click.echo("  Supports Deep Linking:    yes")
    click.echo(f"  Content Selection URL:    {values.deep_linking_url}")
    click.echo(
        "  Services: IMS LTI Assignment and Grade Services = Use this service for grade sync and column"
    )
    click.echo("            management; IMS LTI Names and Role Provisioning = Use this service to retrieve")
    click.echo("            members' information as per privacy settings")
    click.echo("  Privacy:  Share launcher's name / email with the tool = Always; Accept grades = Always")
    click.echo(
        f"Dynamic registration: `lms-bridge lti registration-url` ({values.registration_url}?token=...)"
    )
    with transaction() as db:
        found = platforms.list_platforms(db)
        jwks = keys.jwks(db, now=utcnow(), secret_key=current_app.config["SECRET_KEY"])
    click.echo(f"Keys published: {', '.join(k['kid'] for k in jwks['keys'])}")
    for platform, deployments in found:
        click.echo(
            f"Platform {platform.id} {platform.name}: issuer {platform.issuer}, "
            f"client id {platform.client_id}, deployments {', '.join(deployments) or '-'}"
        )
        if platform.service_problem:
            click.echo(f"  ! {platform.service_problem}")


@lti_cli.group("platform")
def platform_cli() -> None:
    """Registered platforms (Moodle sites)."""


@platform_cli.command("add")
@click.option("--issuer", required=True, help="Moodle's Platform ID (its address).")
@click.option("--client-id", required=True, help="Moodle's Client ID for the tool.")
@click.option(
    "--deployment-id", "deployment_ids", multiple=True, required=True, help="Moodle's Deployment ID."
)
@click.option("--auth-login-url", help="Authentication request URL (default: <issuer>/mod/lti/auth.php).")
@click.option("--token-url", help="Access token URL (default: <issuer>/mod/lti/token.php).")
@click.option("--keyset-url", help="Public keyset URL (default: <issuer>/mod/lti/certs.php).")
@click.option("--name", default="", help="A name for admins.")
@with_appcontext
def platform_add(
    issuer: str,
    client_id: str,
    deployment_ids: tuple[str, ...],
    auth_login_url: str | None,
    token_url: str | None,
    keyset_url: str | None,
    name: str,
) -> None:
    """Register a platform with the values Moodle shows after saving the tool ("Tool configuration")."""
    root = issuer.rstrip("/")
    with transaction() as db:
        platform = platforms.add_platform(
            db,
            name=name,
            issuer=issuer,
            client_id=client_id,
            auth_login_url=auth_login_url or f"{root}/mod/lti/auth.php",
            auth_token_url=token_url or f"{root}/mod/lti/token.php",
            key_set_url=keyset_url or f"{root}/mod/lti/certs.php",
            deployment_ids=list(deployment_ids),
            actor="cli",
            now=utcnow(),
        )
        click.echo(f"Platform {platform.id} registered: {platform.issuer} (client id {platform.client_id}).")


@platform_cli.command("list")
@with_appcontext
def platform_list() -> None:
    with transaction() as db:
        for platform, deployments in platforms.list_platforms(db):
            click.echo(f"{platform.id}\t{platform.issuer}\t{platform.client_id}\t{','.join(deployments)}")


@lti_cli.command("registration-url")
@click.option("--base-url")
@with_appcontext
def registration_url(base_url: str | None) -> None:
    """A one-time URL (24 h) to paste into Moodle's "Tool URL" for dynamic registration."""
    values = _values(base_url)
    with transaction() as db:
        token = platforms.new_registration_token(db, now=utcnow(), actor="cli")
    click.echo(f"{values.registration_url}?token={token}")


@lti_cli.group("keys")
def keys_cli() -> None:
    """The tool's signing keys."""


@keys_cli.command("list")
@with_appcontext
def keys_list() -> None:
    with transaction() as db:
        now = utcnow()
        current = keys.signing_key(db, now=now, secret_key=current_app.config["SECRET_KEY"], actor="cli")
        for key in keys.published_keys(db, now=now):
            mark = "signing" if key.id == current.id else "published"
            retired = key.retired_at.isoformat(timespec="minutes") if key.retired_at else "-"
            click.echo(
                f"{key.kid}\t{mark}\tfrom {key.active_from.isoformat(timespec='minutes')}\tuntil {retired}"
            )


@keys_cli.command("rotate")
@with_appcontext
def keys_rotate() -> None:
    """Publish a new key now; it signs after LTI_KEY_PUBLISH_AHEAD_MINUTES, the old one retires later."""
    config = current_app.config
    with transaction() as db:
        key = keys.rotate(
            db,
            now=utcnow(),
            publish_ahead=dt.timedelta(minutes=config["LTI_KEY_PUBLISH_AHEAD_MINUTES"]),
            retire_after=dt.timedelta(minutes=config["LTI_KEY_RETIRE_AFTER_MINUTES"]),
            actor="cli",
            secret_key=config["SECRET_KEY"],
        )
        click.echo(f"Key {key.kid} published; signing from {key.active_from.isoformat(timespec='minutes')}.")


@lti_cli.group("scores")
def scores_cli() -> None:
    """The score outbox (grades to Moodle)."""


@scores_cli.command("send")
@click.option("--loop", is_flag=True, help="Keep sending what is due (the retry worker).")
@click.option("--interval", default=60, show_default=True, help="Seconds between rounds with --loop.")
@with_appcontext
def scores_send(loop: bool, interval: int) -> None:
    """Send the scores that are due; failures wait with backoff."""
    while True:
        with transaction() as db:
            summary = scores.send_due(
                db,
                now=utcnow(),
                http=scores.http_session(),
                secret_key=current_app.config["SECRET_KEY"],
                between=db.commit,
            )
        click.echo(f"Scores: {summary.sent} sent, {summary.failed} to retry, {summary.rejected} refused.")
        if not loop:
            return
        time.sleep(interval)


@scores_cli.command("list")
@with_appcontext
def scores_list() -> None:
    """Scores the platform has not taken: pending, failing (retried) and refused."""
    with transaction() as db:
        for row in scores.outbox(db):
            click.echo(
                f"{row.id}\t{row.status}\ttries {row.tries}\t"
                f"next {local_time(row.next_try_at)}\t{row.last_error or ''}"
            )


@lti_cli.group("users")
def users_cli() -> None:
    """Platform users and their staff members."""


@users_cli.command("unmatched")
@with_appcontext
def users_unmatched() -> None:
    """Users no rule linked to a staff member (they can learn; nothing is recorded)."""
    with transaction() as db:
        for user in identity.unmatched_users(db):
            click.echo(
                f"{user.id}\tplatform {user.platform_id}\tsub {user.sub}\t"
                f"{user.sourcedid or '-'}\t{user.launches} launches"
            )


@users_cli.command("link")
@click.argument("user_id", type=int)
@click.argument("employee_number")
@with_appcontext
def users_link(user_id: int, employee_number: str) -> None:
    """Link a platform user (id from `users unmatched`) to a staff member."""
    with transaction() as db:
        user = db.get(LtiUser, user_id)
        if user is None:
            raise LtiError(f"No LTI user {user_id}.")
        identity.link_by_admin(db, user, get_staff_by_employee_number(db, employee_number), actor="cli")
    click.echo(f"LTI user {user_id} linked to {employee_number}.")
