"""Package store: the SCORM package versions of each course, their files, and safe serving."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from lms_bridge.packages.cli import packages_cli
    from lms_bridge.packages.views import bp

    app.register_blueprint(bp)
    app.cli.add_command(packages_cli)
