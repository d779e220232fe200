"""How a status reads on screen, in exports and in e-mail: text with an icon, never colour alone."""

from __future__ import annotations

from typing import Any

from flask import g, has_request_context
from flask_babel import lazy_gettext as _l

STATUS_LABELS: dict[str, Any] = {
    "valid": _l("voimassa"),
    "expiring": _l("vanhenemassa"),
    "expired": _l("vanhentunut"),
    "missing": _l("puuttuu"),
    "not_required": _l("ei vaadita"),
}
# Decorative (aria-hidden on screen); the text says the same.
STATUS_ICONS = {"valid": "✓", "expiring": "⏳", "expired": "✗", "missing": "!", "not_required": "–"}
SOURCE_LABELS: dict[str, Any] = {
    "player": _l("oma soitin"),
    "lti": _l("Moodle (LTI)"),
    "moodle": _l("Moodle"),
    "csv": _l("tuonti"),
    "correction": _l("korjaus"),
    "demo": _l("demo"),
}


def status_label(status: str) -> str:
    """The status in the request's language. Resolved once per request and status: a report's matrix
    asks for it hundreds of times, and each lazy string looks up the translations anew."""
    if has_request_context():
        cache: dict[str, str] = g.setdefault("lms_bridge_status_labels", {})
        if status not in cache:
            cache[status] = str(STATUS_LABELS.get(status, status))
        return cache[status]
    return str(STATUS_LABELS.get(status, status))


def source_label(source: str) -> str:
    return str(SOURCE_LABELS.get(source, source))
