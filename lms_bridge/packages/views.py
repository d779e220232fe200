"""The packages area's routes: browser libraries for app pages, and the frame page's scripts on the
content origin (package files themselves: lms_bridge.packages.content, behind each area's endpoints)."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Response, abort, current_app, send_from_directory

from lms_bridge.config import node_module_file

bp = Blueprint("packages", __name__)

# scorm-again (pinned in package.json, under NODE_MODULES_DIR): the run-time and CrossFrameLMS run in the
# app's pages.
VENDOR_FILES = {
    "scorm-again.min.js": ("scorm-again", "dist", "scorm-again.min.js"),
    "cross-frame-lms.min.js": ("scorm-again", "dist", "cross-frame-lms.min.js"),
}
# The frame page's scripts, served on the content origin (its CSP allows only 'self').
CONTENT_SCRIPTS = {"cross-frame-api.min.js": ("scorm-again", "dist", "cross-frame-api.min.js")}
_STATIC = Path(__file__).resolve().parent.parent / "static"
_OWN_CONTENT_SCRIPTS = {"content-frame.js": _STATIC / "content-frame.js"}


def _script(path: Path | None) -> Response:
    if path is None or not path.is_file():
        abort(404)
    return send_from_directory(path.parent, path.name, mimetype="text/javascript", max_age=86400)


def _node_module(parts: tuple[str, ...] | None) -> Path | None:
    return node_module_file(current_app, *parts) if parts else None


@bp.get("/vendor/<name>")
def vendor(name: str) -> Response:
    """Browser libraries installed from the npm registry by the project's set-up (pinned in package.json)."""
    return _script(_node_module(VENDOR_FILES.get(name)))


@bp.get("/content-scripts/<name>")
def content_script(name: str) -> Response:
    """The frame page's scripts (content origin only)."""
    return _script(_OWN_CONTENT_SCRIPTS.get(name) or _node_module(CONTENT_SCRIPTS.get(name)))
