"""A demo region (units, staff, requirements, completions) for trying the product and for benchmarks."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from lms_bridge.demo.cli import demo_data_command, setup_demo_command

    app.cli.add_command(demo_data_command)
    app.cli.add_command(setup_demo_command)
