"""`lms-bridge build` as an admin runs it: zips in the data folder, a clear one-line error on a mistake."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

from flask import Flask

from lms_bridge import PROJECT_ROOT
from lms_bridge.cli import cli as lms_bridge_cli
from tests.unit.scorm.test_authoring import QUIZ, make_course


def test_build_writes_both_formats_into_the_data_folder(app: Flask) -> None:
    result = app.test_cli_runner().invoke(lms_bridge_cli, args=["build", "--course", "kohtaaminen"])
    assert result.exit_code == 0, result.output
    dist = Path(app.config["DATA_DIR"]) / "dist"
    assert sorted(p.name for p in dist.iterdir()) == ["kohtaaminen-scorm12.zip", "kohtaaminen-scorm2004.zip"]
    assert "Built 2 packages" in result.output
    with zipfile.ZipFile(dist / "kohtaaminen-scorm12.zip") as archive:
        assert "imsmanifest.xml" in archive.namelist()


def test_format_and_out_options(app: Flask, tmp_path: Path) -> None:
    out = tmp_path / "zips"
    result = app.test_cli_runner().invoke(
        lms_bridge_cli, args=["build", "--format", "scorm12", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    names = sorted(p.name for p in out.iterdir())
    assert names
    assert all(n.endswith("-scorm12.zip") for n in names)
    assert len(names) == len(list((PROJECT_ROOT / "courses").glob("*/course.yaml")))


def test_source_mistake_is_one_line_on_stderr_and_nothing_is_written(tmp_path: Path) -> None:
    courses = tmp_path / "courses"
    make_course(courses, tietovisa_yaml=QUIZ.replace("type: multiple", "type: many"))
    out = tmp_path / "out"
    env = {
        "LMS_BRIDGE_COURSES_DIR": str(courses),
        "LMS_BRIDGE_DATA_DIR": str(tmp_path / "data"),
        "LMS_BRIDGE_SECRET_KEY": "x",
        "LMS_BRIDGE_DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "PATH": "/usr/bin:/bin",
    }
    cli = Path(sys.executable).parent / "lms-bridge"
    proc = subprocess.run(
        [str(cli), "build", "--out", str(out)], capture_output=True, text=True, env=env, check=False
    )
    assert proc.returncode == 1
    assert proc.stdout == ""
    assert "Traceback" not in proc.stderr
    assert f"{courses / 'mini' / 'fi' / 'tietovisa.yaml'}:17:" in proc.stderr
    assert "'type' must be 'single' or 'multiple'" in proc.stderr
    assert "nothing was written" in proc.stderr
    assert not out.exists()


def test_a_duration_far_from_the_estimate_is_a_warning_and_the_build_goes_on(tmp_path: Path) -> None:
    courses = tmp_path / "courses"
    make_course(courses)  # declares 10 minutes for a few dozen words
    env = {
        "LMS_BRIDGE_COURSES_DIR": str(courses),
        "LMS_BRIDGE_DATA_DIR": str(tmp_path / "data"),
        "LMS_BRIDGE_SECRET_KEY": "x",
        "LMS_BRIDGE_DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "PATH": "/usr/bin:/bin",
    }
    cli = Path(sys.executable).parent / "lms-bridge"
    proc = subprocess.run(
        [str(cli), "build", "--out", str(tmp_path / "out")],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert "Built 2 packages" in proc.stdout
    assert "mini: course.yaml declares estimated_minutes: 10, far from the estimated" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_the_command_shows_our_commands_without_flasks_developer_options(monkeypatch, tmp_path):
    from click.testing import CliRunner

    from lms_bridge.cli import cli

    monkeypatch.setenv("LMS_BRIDGE_ENV", "development")
    monkeypatch.setenv("LMS_BRIDGE_INSTANCE_PATH", str(tmp_path))
    result = CliRunner().invoke(cli, ["--help"])
    assert result.exit_code == 0
    for ours in ("packages", "catalog", "reports", "accounts", "competences", "lti"):
        assert ours in result.output
    for flask_option in ("--app", "--env-file", "--debug"):
        assert flask_option not in result.output


def test_a_production_machine_without_a_secret_gets_one_line_not_a_traceback(monkeypatch, tmp_path):
    from click.testing import CliRunner

    from lms_bridge.cli import cli

    monkeypatch.delenv("LMS_BRIDGE_SECRET_KEY", raising=False)
    monkeypatch.setenv("LMS_BRIDGE_ENV", "production")
    monkeypatch.setenv("LMS_BRIDGE_INSTANCE_PATH", str(tmp_path))
    result = CliRunner().invoke(cli, ["db", "upgrade"])
    assert result.exit_code != 0
    assert "SECRET_KEY puuttuu" in result.output
    assert "Traceback" not in result.output


def test_scripts_run_sequence_publishes_the_four_modules_to_everyone(db_app: Flask) -> None:
    """scripts/run's commands in its order (the demo first, then install-built): learners see the modules."""
    runner = db_app.test_cli_runner()
    for args in (["competences", "load"], ["build", "--format", "scorm12"], ["setup-demo"]):
        result = runner.invoke(lms_bridge_cli, args=args)
        assert result.exit_code == 0, (args, result.output)
    installed = runner.invoke(lms_bridge_cli, args=["packages", "install-built"])
    assert installed.exit_code == 0, installed.output
    listed = runner.invoke(lms_bridge_cli, args=["catalog", "list"])
    slugs = [p.parent.name for p in (PROJECT_ROOT / "courses").glob("*/course.yaml")]
    assert len(slugs) == 4
    for slug in slugs:
        assert f"{slug} julkaistu kaikille." in installed.output
        (line,) = [line for line in listed.output.splitlines() if line.startswith(slug + "\t")]
        assert "luonnos" not in line, line
