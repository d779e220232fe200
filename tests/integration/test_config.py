"""Settings are converted and checked once, when the app is created; production refuses to guess."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask

from lms_bridge import create_app
from lms_bridge.config import ConfigError, package_data


def make(tmp_path: Path, **settings: object) -> Flask:
    return create_app(
        {"DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}", **settings},
        instance_path=str(tmp_path / "instance"),
    )


def test_production_without_a_secret_key_refuses_to_start(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="SECRET_KEY puuttuu"):
        make(tmp_path, ENV="production")
    assert not (tmp_path / "instance" / "secret_key").exists()  # no per-machine key was generated


def test_development_generates_a_key_once_and_keeps_it(tmp_path: Path) -> None:
    first = make(tmp_path, ENV="development").config["SECRET_KEY"]
    assert first == make(tmp_path, ENV="development").config["SECRET_KEY"]
    assert (tmp_path / "instance" / "secret_key").stat().st_mode & 0o777 == 0o600


def test_environment_variables_are_converted_to_their_types(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LMS_BRIDGE_SECRET_KEY", "s3cret")
    monkeypatch.setenv("LMS_BRIDGE_DEV_SIGN_IN", "yes")
    monkeypatch.setenv("LMS_BRIDGE_PACKAGE_MAX_FILES", "250")
    monkeypatch.setenv("LMS_BRIDGE_SESSION_COOKIE_SECURE", "1")
    monkeypatch.setenv("LMS_BRIDGE_LANGUAGES", "fi,sv")
    monkeypatch.setenv("LMS_BRIDGE_NEW_PASSWORD", "not a setting: the accounts command's input")
    app = make(tmp_path)
    assert app.config["DEV_SIGN_IN"] is True
    assert app.config["PACKAGE_MAX_FILES"] == 250
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["LANGUAGES"] == ["fi", "sv"]
    assert "NEW_PASSWORD" not in app.config


@pytest.mark.parametrize(
    ("key", "value", "expected"),
    [
        ("ENV", "staging", "development tai production"),
        ("DEV_SIGN_IN", "maybe", "true tai false"),
        ("PACKAGE_MAX_FILES", "lots", "positiivinen kokonaisluku"),
        ("EXPIRING_WITHIN_DAYS", "0", "positiivinen kokonaisluku"),
        ("SESSION_COOKIE_SAMESITE", "sometimes", "Lax tai Strict tai None"),
    ],
)
def test_a_bad_value_stops_the_app_naming_the_setting(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, key: str, value: str, expected: str
) -> None:
    monkeypatch.setenv(f"LMS_BRIDGE_{key}", value)
    with pytest.raises(ConfigError) as caught:
        make(tmp_path, SECRET_KEY="x")
    assert f"LMS_BRIDGE_{key}" in str(caught.value)
    assert expected in str(caught.value)


def test_samesite_none_needs_secure(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="SESSION_COOKIE_SECURE"):
        make(tmp_path, SECRET_KEY="x", SESSION_COOKIE_SAMESITE="None")
    app = make(tmp_path, SECRET_KEY="x", SESSION_COOKIE_SAMESITE="None", SESSION_COOKIE_SECURE=True)
    assert app.config["SESSION_COOKIE_SAMESITE"] == "None"


def test_unknown_settings_are_warned_about(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    make(tmp_path, SECRET_KEY="x", SECERT_KEY="typo")
    assert "Unknown setting SECERT_KEY is ignored" in caplog.text


def test_admin_sessions_last_hours_not_a_month(tmp_path: Path) -> None:
    app = make(tmp_path, SECRET_KEY="x")
    assert app.permanent_session_lifetime.total_seconds() == 8 * 3600


def test_shipped_data_is_read_from_the_package() -> None:
    assert package_data("defaults.toml").is_file()
    assert package_data("competences.yaml").read_text(encoding="utf-8").startswith(("#", "competences"))


def test_the_mass_deactivation_share_takes_a_decimal_comma_and_must_be_a_share(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert make(tmp_path, SECRET_KEY="x").config["IMPORT_MAX_DEACTIVATE_SHARE"] == 0.1
    monkeypatch.setenv("LMS_BRIDGE_IMPORT_MAX_DEACTIVATE_SHARE", "0,25")
    assert make(tmp_path, SECRET_KEY="x").config["IMPORT_MAX_DEACTIVATE_SHARE"] == 0.25
    monkeypatch.setenv("LMS_BRIDGE_IMPORT_MAX_DEACTIVATE_SHARE", "10")  # per cent, not a share
    with pytest.raises(ConfigError, match=r"IMPORT_MAX_DEACTIVATE_SHARE.*osuus 0–1"):
        make(tmp_path, SECRET_KEY="x")
