"""Security headers on every response, and who may frame a page.

No page of the app may be framed by another site (clickjacking): every response says so, with CSP
`frame-ancestors 'none'` and, for older browsers, `X-Frame-Options: DENY`. A page that must be framed —
the player when Moodle launches it over LTI — names the origins allowed to frame it with
`allow_framing_by`; a response that sets its own `frame-ancestors` (package content, which only the
player page frames) keeps it.
"""

from __future__ import annotations

from collections.abc import Iterable

from flask import Flask, Response, g

_KEY = "lms_bridge_frame_ancestors"


def allow_framing_by(origins: Iterable[str]) -> None:
    """Let these origins (e.g. a registered Moodle's https://moodle.example.fi) frame this response."""
    setattr(g, _KEY, sorted(set(origins)))


def framing_origins() -> tuple[str, ...]:
    """The origins allowed to frame this response (allow_framing_by), for content it frames in turn."""
    return tuple(g.get(_KEY) or ())


def _set_security_headers(response: Response) -> Response:
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    policy = response.headers.get("Content-Security-Policy", "")
    if "frame-ancestors" in policy:
        return response
    allowed: list[str] | None = g.get(_KEY)
    ancestors = " ".join(["'self'", *allowed]) if allowed else "'none'"
    directive = f"frame-ancestors {ancestors}"
    response.headers["Content-Security-Policy"] = f"{policy}; {directive}" if policy else directive
    if not allowed:
        response.headers["X-Frame-Options"] = "DENY"
    return response


def init_app(app: Flask) -> None:
    app.after_request(_set_security_headers)
