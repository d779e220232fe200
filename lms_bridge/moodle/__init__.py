"""Moodle: a site's web services read into the register (client.py is the web-service client, sync.py
the sync, runner.py runs it with its lock and run record, cli.py its commands). Its admin pages live in
lms_bridge/admin/, the layer above, which calls this area's services."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from lms_bridge.moodle.cli import moodle_cli

    app.cli.add_command(moodle_cli)
