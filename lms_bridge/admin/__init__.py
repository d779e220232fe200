"""Admin pages and commands: course packages (import, versions, rollback, competences) and accounts."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from lms_bridge.admin.catalog_cli import catalog_cli
    from lms_bridge.admin.cli import accounts_cli
    from lms_bridge.admin.views import bp

    app.register_blueprint(bp)
    app.cli.add_command(accounts_cli)
    app.cli.add_command(catalog_cli)
