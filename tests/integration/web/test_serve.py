"""`lms-bridge serve` starts the app and, in development, its content origin: gunicorn listens on both."""

from __future__ import annotations

import sys
from urllib.parse import urlsplit

import pytest
from flask import Flask

from lms_bridge.cli import cli


def served_binds(app: Flask, monkeypatch: pytest.MonkeyPatch, *args: str) -> list[str]:
    """Run the command with gunicorn replaced by a stand-in; the addresses gunicorn was given."""
    seen: list[list[str]] = []
    monkeypatch.setattr("gunicorn.app.wsgiapp.run", lambda: seen.append(list(sys.argv)))
    result = app.test_cli_runner().invoke(cli, args=["serve", *args])
    assert result.exit_code == 0, result.output
    (argv,) = seen
    return [argv[i + 1] for i, arg in enumerate(argv) if arg == "--bind"]


def test_development_default_serves_the_content_origin_too(app: Flask, monkeypatch: pytest.MonkeyPatch):
    binds = served_binds(app, monkeypatch)
    assert binds == ["127.0.0.1:5000", "127.0.0.1:5001"]
    # app on 127.0.0.1, content on localhost: two sites, so the browser keeps the app's cookies from it
    content = urlsplit(app.config["CONTENT_ORIGIN"])
    assert (content.hostname, content.port) == ("localhost", 5001)
    assert content.hostname != "127.0.0.1"


def test_a_content_host_behind_a_proxy_is_not_bound_here(app: Flask, monkeypatch: pytest.MonkeyPatch):
    app.config["CONTENT_ORIGIN"] = "https://lms-content.example.net"
    every_interface = "0.0.0.0"  # noqa: S104 - what a server behind a proxy binds; nothing is bound here
    assert served_binds(app, monkeypatch, "--host", every_interface, "--port", "8000") == ["0.0.0.0:8000"]
