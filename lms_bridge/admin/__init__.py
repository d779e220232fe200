"""Admin pages and commands: course packages (import, versions, rollback, competences, publishing), the
register (staff, units, corrections, CSV imports), accounts and API tokens, supervisors, Moodle sites."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    # The register's, accounts' and tokens' pages join the admin blueprint when their modules load, so
    # they must be imported before it is registered.
    from lms_bridge.admin import (  # noqa: F401
        account_views,
        import_views,
        moodle_views,
        register_views,
    )
    from lms_bridge.admin.catalog_cli import catalog_cli
    from lms_bridge.admin.cli import accounts_cli
    from lms_bridge.admin.views import bp
    from lms_bridge.packages.content import serve_on_content_origin

    app.register_blueprint(bp)
    # The preview's frame page and files: on the content origin only (lms_bridge/packages/content.py).
    serve_on_content_origin(app, "admin.preview_frame", "admin.preview_file")
    app.cli.add_command(accounts_cli)
    app.cli.add_command(catalog_cli)
