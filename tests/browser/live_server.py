"""A real lms-bridge server on 127.0.0.1 for browser tests: the app factory, a committed SQLite database
migrated with Alembic, werkzeug's threaded server on an ephemeral port. Stop and start it again on the same
database to test a server restart.

The same app also answers on a second port as its content origin, http://localhost:<port> (package files,
lms_bridge/packages/content.py): localhost is another site than 127.0.0.1, so the browser keeps the app's
cookies away from the content, as `lms-bridge serve` sets it up in development."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flask import Flask
from werkzeug.serving import BaseWSGIServer, make_server

from lms_bridge import create_app
from lms_bridge.db import upgrade


@dataclass
class LiveServer:
    folder: Path
    config: dict[str, Any] = field(default_factory=dict)
    app: Flask | None = None
    _servers: list[BaseWSGIServer] = field(default_factory=list)
    _threads: list[threading.Thread] = field(default_factory=list)
    _content_port: int = 0

    @property
    def database_url(self) -> str:
        return f"sqlite:///{self.folder / 'live.sqlite3'}"

    def make_app(self) -> Flask:
        return create_app(
            {
                "DATABASE_URL": self.database_url,
                "DATA_DIR": str(self.folder / "data"),
                "SECRET_KEY": "live-test-secret",
                **self.config,
            },
            instance_path=str(self.folder / "instance"),
        )

    def start(self, port: int = 0) -> str:
        """Serve the app on `port` (0: any free one) and its content origin on its own port (the same one
        again after a stop)."""
        if self.app is None:
            self.folder.mkdir(parents=True, exist_ok=True)
            upgrade(self.database_url)
        self.app = self.make_app()
        app_server = make_server("127.0.0.1", port, self.app, threaded=True)
        content_server = make_server("127.0.0.1", self._content_port, self.app, threaded=True)
        self._content_port = content_server.server_port
        self.app.config["CONTENT_ORIGIN"] = self.content_origin
        self._servers = [app_server, content_server]
        self._threads = [threading.Thread(target=s.serve_forever, daemon=True) for s in self._servers]
        for thread in self._threads:
            thread.start()
        return self.url

    @property
    def port(self) -> int:
        return int(self._servers[0].server_port)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def content_origin(self) -> str:
        return f"http://localhost:{self._content_port}"

    def stop(self) -> None:
        for server in self._servers:
            server.shutdown()
            server.server_close()
        for thread in self._threads:
            thread.join(timeout=10)
        if self.app is not None:
            self.app.extensions["lms_bridge.engine"].dispose()

    def restart(self) -> str:
        """Stop and start again on the same port and database (a server restart mid-attempt)."""
        port = self.port
        self.stop()
        return self.start(port)

    def cli(self, *args: str, input: str | None = None) -> Any:
        """Run an `lms-bridge` command against this server's database and data folder."""
        from lms_bridge.cli import cli

        assert self.app is not None
        result = self.app.test_cli_runner().invoke(cli, args=list(args), input=input)
        assert result.exit_code == 0, result.output
        return result


@contextmanager
def live_server(folder: Path, **config: Any) -> Iterator[LiveServer]:
    server = LiveServer(folder, config)
    server.start()
    try:
        yield server
    finally:
        server.stop()


DEMO_PASSWORD = "selaintestin-salasana"


def add_demo_region(server: LiveServer, *, supervisor_unit: str | None = "KOHO") -> None:
    """The demo region, an admin `paakayttaja` and (unless None) a supervisor `esihenkilo` of the unit,
    both with DEMO_PASSWORD."""
    server.cli("setup-demo")
    server.cli("accounts", "create", "paakayttaja", "--role", "admin", "--password", DEMO_PASSWORD)
    if supervisor_unit is not None:
        server.cli(
            "accounts",
            "create",
            "esihenkilo",
            "--role",
            "supervisor",
            "--unit",
            supervisor_unit,
            "--password",
            DEMO_PASSWORD,
        )
