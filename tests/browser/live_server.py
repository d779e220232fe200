"""A real lms-bridge server on 127.0.0.1 for browser tests: the app factory, a committed SQLite database
migrated with Alembic, werkzeug's threaded server on an ephemeral port. Stop and start it again on the same
database to test a server restart."""

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
    _server: BaseWSGIServer | None = None
    _thread: threading.Thread | None = None

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
        if self.app is None:
            self.folder.mkdir(parents=True, exist_ok=True)
            upgrade(self.database_url)
        self.app = self.make_app()
        self._server = make_server("127.0.0.1", port, self.app, threaded=True)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self.url

    @property
    def port(self) -> int:
        assert self._server is not None
        return int(self._server.server_port)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=10)
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
