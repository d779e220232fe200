"""The client's parts that need no server: parameter encoding, configuration, and what it imports."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from lms_bridge.moodle.client import MoodleClient, encode_params

MOODLE_PACKAGE = Path(__file__).resolve().parents[3] / "lms_bridge" / "moodle"


def test_lists_and_structures_use_phps_array_notation():
    assert encode_params(
        {
            "courseid": 2,
            "options": [{"name": "userfields", "value": "id,email"}, {"name": "limitnumber", "value": 100}],
            "values": ["EMP1001", "EMP1002"],
            "ignoremissingcompletion": True,
            "empty": [],
        }
    ) == [
        ("courseid", "2"),
        ("options[0][name]", "userfields"),
        ("options[0][value]", "id,email"),
        ("options[1][name]", "limitnumber"),
        ("options[1][value]", "100"),
        ("values[0]", "EMP1001"),
        ("values[1]", "EMP1002"),
        ("ignoremissingcompletion", "1"),  # PARAM_BOOL takes "1" and "0" only
    ]


@pytest.mark.parametrize("url", ["moodle.example.org", "ftp://moodle.example.org", "https://"])
def test_a_base_url_that_is_not_http_is_refused(url: str):
    with pytest.raises(ValueError, match="base URL"):
        MoodleClient(url, "t")


def test_the_base_url_may_have_a_path_and_a_trailing_slash():
    with MoodleClient("https://example.org/moodle/", "secret-token") as client:
        assert client.base_url == "https://example.org/moodle"
        assert "secret-token" not in repr(client)


@pytest.mark.parametrize("module", ["client.py", "errors.py", "replies.py"])
def test_the_client_imports_neither_flask_nor_sqlalchemy(module: str):
    # So the CLI, a sync loop and tests can use it without an app (lms_bridge/__init__ still imports Flask).
    tree = ast.parse((MOODLE_PACKAGE / module).read_text())
    imported = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
    imported |= {node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}

    for name in imported:
        assert not name.startswith(("flask", "sqlalchemy")), name
        assert not name.startswith("lms_bridge") or name.startswith("lms_bridge.moodle"), name
