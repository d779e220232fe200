"""Admin pages and commands: course packages (import, versions, rollback, competences), the register
(staff, units, corrections, CSV imports), accounts and API tokens."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    # The register's, accounts' and tokens' pages join the admin blueprint when their modules load, so
    # they must be imported before it is registered.
    from lms_bridge.admin import account_views, import_views, register_views  # noqa: F401
    from lms_bridge.admin.cli import accounts_cli
    from lms_bridge.admin.views import bp

    app.register_blueprint(bp)
    app.cli.add_command(accounts_cli)
