"""Supervisor reports: their own units at a glance, exports, reminders; and each learner's own page."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from lms_bridge.reports.cli import reports_cli
    from lms_bridge.reports.views import bp

    app.register_blueprint(bp)
    app.cli.add_command(reports_cli)
