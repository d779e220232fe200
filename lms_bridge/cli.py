"""The `lms-bridge` command: a Flask CLI group; each area adds its commands in its init_app (app.cli)."""

from __future__ import annotations

import sys
from typing import Any

import click
from flask.cli import FlaskGroup, NoAppException

from lms_bridge import create_app
from lms_bridge.config import ConfigError
from lms_bridge.errors import DomainError


class LmsBridgeGroup(FlaskGroup):
    """Turns domain errors into a one-line message on stderr and exit code 1, never a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except DomainError as error:
            raise click.ClickException(str(error.message)) from error


def _create_app() -> Any:
    try:
        return create_app()
    except ConfigError as error:  # one clear line (e.g. no SECRET_KEY in production), not a traceback
        raise NoAppException(str(error)) from None


cli = LmsBridgeGroup(
    name="lms-bridge",
    create_app=_create_app,
    add_default_commands=False,
    add_version_option=False,
    load_dotenv=False,
    help="lms-bridge: course packages, the player and the staff competence register.",
)
# Flask's developer options (--app, --env-file, --debug) mean nothing here: the app is always
# lms_bridge's, and its settings come from LMS_BRIDGE_* variables (README, Settings).
cli.params = [param for param in cli.params if param.name not in ("app", "env_file", "debug")]


@cli.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--workers", default=2, show_default=True, type=int)
def serve(host: str, port: int, workers: int) -> None:
    """Run the web app with gunicorn, on the app's address and, in development, the content origin's.

    Package files are served only on CONTENT_ORIGIN (lms_bridge/packages/content.py). When that is a
    loopback name (the default http://localhost:5001), gunicorn listens on its port too; otherwise a
    reverse proxy routes the content host name to this same address.
    """
    from gunicorn.app.wsgiapp import run

    from lms_bridge.packages.content import local_content_bind
    from lms_bridge.packages.settings import content_origin

    binds = [f"{host}:{port}"]
    content_bind = local_content_bind()
    if content_bind is not None and content_bind not in binds:
        binds.append(content_bind)
    click.echo(f"lms-bridge: http://{host}:{port}/ (package content: {content_origin()})")
    sys.argv = ["gunicorn", *(arg for bind in binds for arg in ("--bind", bind))]
    sys.argv += ["--workers", str(workers), "lms_bridge.wsgi:app"]
    run()


def main() -> None:
    cli.main(prog_name="lms-bridge")
