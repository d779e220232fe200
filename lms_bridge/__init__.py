"""lms-bridge: encounter-training courses for Moodle and the staff competence register they feed.

The app is built in layers; a module imports only from its own area and from layers below it, never
above, not even inside a function, and two areas of one layer never import each other
(docs/architecture.md has the picture; `lint-imports` and tests/unit/test_architecture.py check it):

    web, cli, wsgi, models    wiring: create_app() calls each area's init_app(app)
    admin                     admin pages and commands over the services below
    player, lti, reports,     what people do: play a course, launch from Moodle, read their units'
      moodle, demo            competence, sync Moodle's completions, generate a demo region
    packages, register        package versions and files of a course; people, units, requirements,
                              completions and holdings (the staff competence register)
    catalog, auth             courses and competences (what there is to learn and what it grants);
                              accounts, sign-in, API tokens
    base                      db, config, errors, i18n, audit, signals, cli_actor, build_cli
    scorm                     the pure SCORM library (no Flask, SQLAlchemy or requests)

An area learns of events in a lower one through the blinker signals in `lms_bridge.signals`.
"""

from __future__ import annotations

import os
from typing import Any

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from lms_bridge.config import PROJECT_ROOT

__all__ = ["PROJECT_ROOT", "create_app"]


def create_app(test_config: dict[str, Any] | None = None, *, instance_path: str | None = None) -> Flask:
    """Build the Flask app: config, extensions, each area's init_app — nothing else."""
    app = Flask(
        __name__,
        instance_path=instance_path or os.environ.get("LMS_BRIDGE_INSTANCE_PATH") or None,
        instance_relative_config=True,
    )

    from lms_bridge import config, db, errors, i18n, limits, web

    config.load(app, test_config)
    hops = app.config["TRUSTED_PROXY_HOPS"]
    if hops:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)  # type: ignore[method-assign]
    db.init_app(app)
    i18n.init_app(app)
    errors.init_app(app)
    limits.init_app(app)  # before web: its limits apply before the CSRF check reads a form
    web.init_app(app)
    return app
