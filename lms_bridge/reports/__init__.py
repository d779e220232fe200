"""Supervisor reports: their own units at a glance, exports, reminders; and each learner's own page."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from lms_bridge.reports.cli import reports_cli
    from lms_bridge.reports.labels import STATUS_ICONS, source_label, status_label
    from lms_bridge.reports.views import bp

    app.register_blueprint(bp)
    # Globals, not a context processor: imported macros see globals but not the render context.
    app.jinja_env.globals.update(
        status_label=status_label, status_icon=STATUS_ICONS.get, source_label=source_label
    )
    app.cli.add_command(reports_cli)
