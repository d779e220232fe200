"""Request limits: the largest body each kind of route reads, and JSON that cannot exhaust the stack.

Bodies are limited by route class, with the sizes in settings: forms (MAX_FORM_BYTES, every route by
default), JSON run-time commits (MAX_JSON_BYTES) and package uploads (MAX_UPLOAD_BYTES). Werkzeug enforces
`request.max_content_length` while it reads the body — also a chunked one, which announces no length — so
an oversized body is refused with 413 after at most the limit has been read, whatever the client sends.
The limit is set in a before_request hook that runs before Flask-WTF's CSRF check, because that check
already reads the form.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, TypeVar

from flask import Flask, current_app, request
from flask.json.provider import DefaultJSONProvider

F = TypeVar("F", bound=Callable[..., Any])
_ATTRIBUTE = "_lms_bridge_body_limit"


def body_limit(setting: str) -> Callable[[F], F]:
    """View decorator: this route reads bodies up to the size in `setting` (e.g. "MAX_UPLOAD_BYTES")."""

    def mark(view: F) -> F:
        setattr(view, _ATTRIBUTE, setting)
        return view

    return mark


def _apply_body_limit() -> None:
    view = current_app.view_functions.get(request.endpoint or "")
    setting = getattr(view, _ATTRIBUTE, None) if view is not None else None
    request.max_content_length = current_app.config[setting or "MAX_FORM_BYTES"]


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
