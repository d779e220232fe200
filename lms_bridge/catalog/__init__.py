"""The catalogue: courses and the competence framework — what there is to learn and what it grants."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from lms_bridge.catalog.cli import build_command  # the area's own modules, loaded when wired

    app.cli.add_command(build_command)
