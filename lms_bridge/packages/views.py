"""Serving package files from the store, safely: no way out of the package's folder, correct MIME types,
nosniff, and a Content-Security-Policy that keeps content on this site."""

from __future__ import annotations

import mimetypes
from pathlib import Path

from flask import Blueprint, Response, abort, current_app, send_from_directory
from werkzeug.security import safe_join

from lms_bridge.config import node_module_file
from lms_bridge.packages.store import PackageStore

bp = Blueprint("packages", __name__)

# Content needs inline scripts (most authoring tools emit them) but nothing from other sites: a package
# that loads a CDN fails visibly instead of leaking the learner's visit.
CONTENT_CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-inline' 'unsafe-eval'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob:; media-src 'self' blob:; font-src 'self' data:; connect-src 'self'; "
    "frame-src 'self'; frame-ancestors 'self'; form-action 'self'; base-uri 'self'; object-src 'none'"
)
# Explicit types for what packages contain (Flask adds charset=utf-8 to text types); anything unknown is
# served as application/octet-stream, never sniffed.
MIME_TYPES = {
    ".html": "text/html",
    ".htm": "text/html",
    ".js": "text/javascript",
    ".mjs": "text/javascript",
    ".css": "text/css",
    ".json": "application/json",
    ".xml": "application/xml",
    ".xsd": "application/xml",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".ico": "image/x-icon",
    ".mp4": "video/mp4",
    ".webm": "video/webm",
    ".mp3": "audio/mpeg",
    ".ogg": "audio/ogg",
    ".wav": "audio/wav",
    ".vtt": "text/vtt",
    ".woff": "font/woff",
    ".woff2": "font/woff2",
    ".ttf": "font/ttf",
    ".otf": "font/otf",
    ".pdf": "application/pdf",
    ".txt": "text/plain",
    ".swf": "application/octet-stream",
}
# Browser libraries served to the player's pages, by name: their place under NODE_MODULES_DIR.
VENDOR_FILES = {"scorm-again.min.js": ("scorm-again", "dist", "scorm-again.min.js")}


def content_response(storage_key: str, path: str) -> Response:
    """One file of a stored package (the caller has checked who may read it)."""
    store = PackageStore.under(current_app.config["DATA_DIR"])
    try:
        folder = store.path(storage_key)
    except ValueError:
        abort(404)
    if safe_join(str(folder), path) is None or not folder.is_dir():
        abort(404)
    suffix = Path(path).suffix.lower()
    mimetype = MIME_TYPES.get(suffix) or mimetypes.guess_type(path)[0] or "application/octet-stream"
    response = send_from_directory(folder, path, mimetype=mimetype, max_age=3600, conditional=True)
    response.headers["Content-Security-Policy"] = CONTENT_CSP
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cross-Origin-Resource-Policy"] = "same-origin"
    return response


@bp.get("/vendor/<name>")
def vendor(name: str) -> Response:
    """Browser libraries installed from the npm registry by the project's set-up (pinned in package.json)."""
    parts = VENDOR_FILES.get(name)
    path = node_module_file(current_app, *parts) if parts else None
    if path is None or not path.is_file():
        abort(404)
    return send_from_directory(path.parent, path.name, mimetype="text/javascript", max_age=86400)
