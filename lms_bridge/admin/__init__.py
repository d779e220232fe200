"""Admin pages and commands: course packages (versions, rollback, competences), accounts, Moodle sites."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from lms_bridge.admin import moodle_views  # noqa: F401 - its routes join the admin blueprint
    from lms_bridge.admin.catalog_cli import catalog_cli
    from lms_bridge.admin.cli import accounts_cli
    from lms_bridge.admin.views import bp
    from lms_bridge.packages.content import serve_on_content_origin

    app.register_blueprint(bp)
    # The preview's frame page and files: on the content origin only (lms_bridge/packages/content.py).
    serve_on_content_origin(app, "admin.preview_frame", "admin.preview_file")
    app.cli.add_command(accounts_cli)
    app.cli.add_command(catalog_cli)
