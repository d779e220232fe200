"""lms-bridge: encounter-training courses for Moodle and the staff competence register they feed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def create_app(test_config: dict[str, Any] | None = None, *, instance_path: str | None = None) -> Flask:
    """Build the Flask app: config, extensions, blueprints — nothing else."""
    app = Flask(__name__, instance_path=instance_path, instance_relative_config=True)

    from lms_bridge import config, db, errors, i18n, web

    config.load(app, test_config)
    db.init_app(app)
    i18n.init_app(app)
    errors.init_app(app)
    web.init_app(app)
    return app
