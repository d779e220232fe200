"""How a status reads on screen, in exports and in e-mail: text with an icon, never colour alone."""

from __future__ import annotations

from typing import Any

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
    return str(STATUS_LABELS.get(status, status))


def source_label(source: str) -> str:
    return str(SOURCE_LABELS.get(source, source))
