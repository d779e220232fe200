"""CSV files waiting for an admin's confirmation, kept in <instance>/imports/ under a random name.

The preview and the import both read the bytes kept here: the browser holds only the random name, so it
cannot change the file between what was previewed and what is imported, and nothing it sends back about
the preview is trusted. The name is bound to the kind of import and to the admin who uploaded it; the
SHA-256 of the bytes is checked before use. A file is removed when imported or cancelled, and any file
older than MAX_AGE at the next upload (HR files carry names and e-mail addresses).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import secrets
import time
from dataclasses import dataclass
from pathlib import Path

from flask import current_app

TOKEN = re.compile(r"^[A-Za-z0-9_-]{43}$")  # secrets.token_urlsafe(32)
MAX_AGE = dt.timedelta(days=1)


@dataclass(frozen=True)
class PendingUpload:
    token: str
    kind: str
    filename: str
    data: bytes


def _folder() -> Path:
    return Path(current_app.instance_path) / "imports"


def _write_private(path: Path, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(data)


def keep(data: bytes, *, kind: str, filename: str, account_id: int) -> str:
    """Store an uploaded file for later confirmation; returns its random name."""
    folder = _folder()
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    _remove_stale(folder)
    token = secrets.token_urlsafe(32)
    meta = {
        "kind": kind,
        "filename": filename[:200],
        "account_id": account_id,
        "sha256": hashlib.sha256(data).hexdigest(),
        "created": time.time(),
    }
    _write_private(folder / f"{token}.csv", data)
    _write_private(folder / f"{token}.json", json.dumps(meta).encode())
    return token


def load(token: str, *, kind: str, account_id: int) -> PendingUpload | None:
    """The kept file, if the name is one of ours, of this kind, this admin's, fresh and intact."""
    if not TOKEN.match(token):
        return None
    folder = _folder()
    try:
        meta = json.loads((folder / f"{token}.json").read_text())
        data = (folder / f"{token}.csv").read_bytes()
    except (OSError, ValueError):
        return None
    if (
        meta.get("kind") != kind
        or meta.get("account_id") != account_id
        or time.time() - float(meta.get("created", 0)) > MAX_AGE.total_seconds()
        or hashlib.sha256(data).hexdigest() != meta.get("sha256")
    ):
        return None
    return PendingUpload(token, kind, str(meta.get("filename", "")), data)


def discard(token: str) -> None:
    if TOKEN.match(token):
        for suffix in (".csv", ".json"):
            (_folder() / f"{token}{suffix}").unlink(missing_ok=True)


def _remove_stale(folder: Path) -> None:
    cutoff = time.time() - MAX_AGE.total_seconds()
    for path in folder.iterdir():
        if path.suffix in (".csv", ".json") and path.stat().st_mtime < cutoff:
            path.unlink(missing_ok=True)
