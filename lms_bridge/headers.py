"""Security headers on every response, and who may frame a page.

No page of the app may be framed by another site (clickjacking): every response says so, with CSP
`frame-ancestors 'none'` and, for older browsers, `X-Frame-Options: DENY`. A page that must be framed —
the player when Moodle launches it over LTI — names the origins allowed to frame it with
`allow_framing_by`; a response that sets its own `frame-ancestors` (package content, which only the
player page frames) keeps it.

The origins may be given as a function: it runs only when a page needs them (an HTML response, or a
view that passes them on), so the player's JSON commits do not look up the registered platforms.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from flask import Flask, Response, g

_KEY = "lms_bridge_frame_ancestors"
_PENDING = "lms_bridge_frame_ancestors_pending"


def allow_framing_by(origins: Iterable[str] | Callable[[], Iterable[str]]) -> None:
    """Let these origins (e.g. a registered Moodle's https://moodle.example.fi) frame this response."""
    if callable(origins):
        setattr(g, _PENDING, origins)
        g.pop(_KEY, None)
    else:
        setattr(g, _KEY, sorted(set(origins)))
        g.pop(_PENDING, None)


def framing_origins() -> tuple[str, ...]:
    """The origins allowed to frame this response (allow_framing_by), for content it frames in turn."""
    return tuple(_resolved() or ())


def _resolved() -> list[str] | None:
    pending: Callable[[], Iterable[str]] | None = g.pop(_PENDING, None)
    if pending is not None:
        setattr(g, _KEY, sorted(set(pending())))
    allowed: list[str] | None = g.get(_KEY)
    return allowed


def _set_security_headers(response: Response) -> Response:
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    policy = response.headers.get("Content-Security-Policy", "")
    if "frame-ancestors" in policy:
        return response
    # Only a page is ever framed; a JSON or plain answer keeps 'none' without the origins' lookup.
    allowed = _resolved() if response.mimetype == "text/html" else None
    ancestors = " ".join(["'self'", *allowed]) if allowed else "'none'"
    directive = f"frame-ancestors {ancestors}"
    response.headers["Content-Security-Policy"] = f"{policy}; {directive}" if policy else directive
    if not allowed:
        response.headers["X-Frame-Options"] = "DENY"
    return response


def init_app(app: Flask) -> None:
    app.after_request(_set_security_headers)
