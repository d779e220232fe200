"""Request limits: the largest body each kind of route reads, and JSON that cannot exhaust the stack.

Bodies are limited by route class, with the sizes in settings: forms (MAX_FORM_BYTES, every route by
default), JSON run-time commits (MAX_JSON_BYTES) and package uploads (MAX_UPLOAD_BYTES). Werkzeug enforces
`request.max_content_length` while it reads the body — also a chunked one, which announces no length — so
an oversized body is refused with 413 after at most the limit has been read, whatever the client sends
(a chunked body is read here first: see _spool_chunked_body).
The limit is set in a before_request hook that runs before Flask-WTF's CSRF check, because that check
already reads the form.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Callable
from typing import Any, TypeVar

from flask import Flask, current_app, request
from flask.json.provider import DefaultJSONProvider
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.wsgi import get_content_length

F = TypeVar("F", bound=Callable[..., Any])
_ATTRIBUTE = "_lms_bridge_body_limit"
_CHUNK = 64 * 1024
_SPOOL_IN_MEMORY = 1024 * 1024  # larger chunked bodies (uploads) go to a temporary file


def body_limit(setting: str) -> Callable[[F], F]:
    """View decorator: this route reads bodies up to the size in `setting` (e.g. "MAX_UPLOAD_BYTES")."""

    def mark(view: F) -> F:
        setattr(view, _ATTRIBUTE, setting)
        return view

    return mark


def _apply_body_limit() -> None:
    view = current_app.view_functions.get(request.endpoint or "")
    setting = getattr(view, _ATTRIBUTE, None) if view is not None else None
    limit: int = current_app.config[setting or "MAX_FORM_BYTES"]
    request.max_content_length = limit
    environ = request.environ
    if environ.get("wsgi.input_terminated") and get_content_length(environ) is None:
        _spool_chunked_body(environ, limit)


def _spool_chunked_body(environ: dict[str, Any], limit: int) -> None:
    """Read a chunked body (no Content-Length) now, up to `limit`, into memory or a temporary file.

    Werkzeug only truncates such a body at max_content_length (its LimitedStream stops reading and raises
    nothing unless read again): a 200 MB chunked commit would be cut to its first megabytes and parsed.
    Reading it here gives an exact 413 as soon as the limit is passed, and a body with a known length.
    """
    raw = environ["wsgi.input"]
    spool = tempfile.SpooledTemporaryFile(max_size=_SPOOL_IN_MEMORY)  # noqa: SIM115 - lives with the request
    total = 0
    while chunk := raw.read(_CHUNK):
        total += len(chunk)
        if total > limit:
            spool.close()
            raise RequestEntityTooLarge()
        spool.write(chunk)
    spool.seek(0)
    environ["wsgi.input"] = spool
    environ["CONTENT_LENGTH"] = str(total)
    del environ["wsgi.input_terminated"]


class DepthSafeJSONProvider(DefaultJSONProvider):
    """Deeply nested JSON ([[[[...]]]] 100,000 deep) is bad input, not a RecursionError and a 500."""

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        try:
            return json.loads(s, **kwargs)
        except RecursionError:
            raise ValueError("JSON is nested too deeply") from None


def init_app(app: Flask) -> None:
    app.json = DepthSafeJSONProvider(app)
    app.before_request(_apply_body_limit)
