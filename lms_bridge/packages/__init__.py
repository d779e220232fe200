"""Package store: the SCORM package versions of each course, their files, and safe serving on the content
origin (lms_bridge.packages.content)."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from lms_bridge.packages import content
    from lms_bridge.packages.cli import packages_cli
    from lms_bridge.packages.views import bp

    app.register_blueprint(bp)
    app.cli.add_command(packages_cli)
    # Package files only on the content origin, app pages only on the app's (why: packages/content.py).
    app.before_request(content.route_by_host)
    content.serve_on_content_origin(app, "packages.content_script")
