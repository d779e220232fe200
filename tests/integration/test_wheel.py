"""The app installs and runs from a built wheel, not only from a source checkout.

Builds the wheel, installs it (without dependencies: those come from this environment) into a folder of
its own, and runs the real commands and pages from there, in a directory that is not the checkout:
migrations, the competence framework, templates, static files and settings must all come from the wheel.
"""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from lms_bridge.config import PROJECT_ROOT

SCRIPT = """
import lms_bridge, sys
from lms_bridge import create_app
assert lms_bridge.__file__.startswith(sys.argv[1]), lms_bridge.__file__
app = create_app()
client = app.test_client()
for path, marker in [("/healthz", "ok"), ("/auth/login", "Kirjaudu"), ("/static/site.css", "{"),
                     ("/vendor/scorm-again.min.js", "Scorm")]:
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    assert marker in response.get_data(as_text=True), path
print("wheel-ok")
"""


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    work = tmp_path_factory.mktemp("wheel")
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "-q"]
    subprocess.run([*pip, "wheel", "--no-deps", "-w", str(work / "dist"), str(PROJECT_ROOT)], check=True)
    (wheel,) = (work / "dist").glob("lms_bridge-*.whl")
    target = work / "site"
    subprocess.run([*pip, "install", "--no-deps", "--target", str(target), str(wheel)], check=True)
    return target


def run(installed: Path, tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        # the wheel's packages first; its dependencies from this environment
        "PYTHONPATH": os.pathsep.join([str(installed), sysconfig.get_paths()["purelib"]]),
        "LMS_BRIDGE_ENV": "development",
        "LMS_BRIDGE_INSTANCE_PATH": str(tmp_path / "instance"),
        "LMS_BRIDGE_NODE_MODULES_DIR": str(PROJECT_ROOT / "node_modules"),
    }
    return subprocess.run(
        [sys.executable, *args],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_the_installed_wheel_migrates_loads_and_serves(installed: Path, tmp_path: Path) -> None:
    cli = ("-c", "from lms_bridge.cli import main; main()")
    upgrade = run(installed, tmp_path, *cli, "db", "upgrade")
    assert upgrade.returncode == 0, upgrade.stderr
    load = run(installed, tmp_path, *cli, "competences", "load")
    assert load.returncode == 0, load.stderr
    assert "Osaamiskehys ladattu: 12 osaamista" in load.stdout
    pages = run(installed, tmp_path, "-c", SCRIPT, str(installed))
    assert pages.returncode == 0, pages.stderr
    assert "wheel-ok" in pages.stdout
    assert not (installed / "config").exists()  # nothing read from a checkout's config/ folder
