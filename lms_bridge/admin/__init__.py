"""Admin pages and commands: course packages (versions, rollback, competences), accounts, Moodle sites."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from lms_bridge.admin import moodle_views  # noqa: F401 - its routes join the admin blueprint
    from lms_bridge.admin.cli import accounts_cli
    from lms_bridge.admin.views import bp

    app.register_blueprint(bp)
    app.cli.add_command(accounts_cli)
