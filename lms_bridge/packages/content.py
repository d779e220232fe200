"""Package content on its own origin: signed content URLs, routing by host, and the files' headers.

Why: a package is third-party code. Served from the app's origin, its script could read any app page
(an admin's CSRF token, another course's player page with its commit token) and act as whoever opened
it. So every package file, in the player and in the admin preview, is served only on CONTENT_ORIGIN, a
different site from the app's, where the browser sends no app cookie and the same-origin policy keeps
the package out of the app's pages:

- `route_by_host` (before every request) answers content endpoints only on the content host and
  everything else only on the app's: 404 both ways. Areas name their content endpoints with
  `serve_on_content_origin`. The same WSGI app may answer both host names.
- A content URL is `<content origin><area path>/<id>/<token>/<file path>`. The token is signed with
  SECRET_KEY and dated (itsdangerous) and names its scope (an attempt, or a package version for the
  admin preview), the id, the package in the store, its SCORM standard and the app origin that may
  frame it; it expires after CONTENT_URL_MAX_AGE. It is a path prefix, so the package's relative links
  keep working, and no cookie is needed. A token for another attempt or version, or a tampered or
  expired one, is refused (403).
- The token's URL without a file path is the frame page: a small page of the content origin that hosts
  the SCO and gives it API / API_1484_11 with scorm-again's CrossFrameAPI
  (lms_bridge/static/content-frame.js), talking by postMessage to the app page, which holds the real
  run-time behind CrossFrameLMS.
"""

from __future__ import annotations

import mimetypes
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

from flask import (
    Flask,
    Response,
    current_app,
    make_response,
    render_template,
    request,
    send_from_directory,
    url_for,
)
from flask_babel import gettext as _
from itsdangerous import BadSignature, URLSafeTimedSerializer
from werkzeug.exceptions import HTTPException
from werkzeug.security import safe_join

from lms_bridge.packages.models import PackageVersion
from lms_bridge.packages.settings import content_origin, content_url_max_age
from lms_bridge.packages.store import PackageStore

_SALT = "lms-bridge.content-url"
_ENDPOINTS = "lms_bridge.content_endpoints"
_LOOPBACK = ("localhost", "127.0.0.1", "::1")
SCOPES = ("attempt", "version")
# The sandbox of the frame that shows content (player and admin preview): only what SCOs need.
# - allow-scripts: SCOs are scripts.
# - allow-same-origin: the content origin's own storage, and the frame page and the SCO being one origin
#   so the SCO reaches the API in its parent. The usual warning about it is for content of the framing
#   page's own origin, which could then lift its sandbox; this origin is not the app's.
# - allow-forms: quizzes submit forms (to the content origin only: the content CSP's form-action).
# - allow-modals: authoring tools ask "resume where you left off?" with confirm() (Rustici's
#   golf examples do), and show errors with alert().
# - allow-popups, escaping the sandbox: the glossaries, PDFs and help windows packages open, which a
#   sandboxed window would break (no PDF viewer there). A popup is a window the learner sees, with no
#   more power than a link: GETs change nothing, forms and commits need tokens a package cannot read.
# Never allow-top-navigation: a package must not replace the player (e.g. with a fake sign-in page).
CONTENT_SANDBOX = (
    "allow-scripts allow-same-origin allow-forms allow-modals allow-popups allow-popups-to-escape-sandbox"
)
STANDARDS = ("scorm12", "scorm2004")

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


@dataclass(frozen=True)
class ContentGrant:
    """What a content URL's token lets its holder read, and who may frame it."""

    scope: str  # "attempt" (one learner's attempt) or "version" (the admin preview)
    ident: int  # the attempt's or the version's id
    storage_key: str  # the package version's folder in the store
    standard: str  # "scorm12" or "scorm2004": which API the frame page provides
    app_origin: str  # the app page's origin: the only one that may frame the content and talk to it
    # Origins allowed above the app page: a registered Moodle when it frames the player (LTI).
    # frame-ancestors checks every ancestor, so the content must name them too.
    outer_origins: tuple[str, ...] = ()

    def ancestors(self) -> str:
        return " ".join((self.app_origin, *self.outer_origins))


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=_SALT)


def sign_grant(grant: ContentGrant) -> str:
    return _serializer().dumps(
        [
            grant.scope,
            grant.ident,
            grant.storage_key,
            grant.standard,
            grant.app_origin,
            list(grant.outer_origins),
        ]
    )


def read_grant(token: str, *, scope: str, ident: int) -> ContentGrant | None:
    """The grant in a token signed here, younger than CONTENT_URL_MAX_AGE, for this scope and id; else
    None."""
    try:
        payload = _serializer().loads(token, max_age=content_url_max_age())
    except BadSignature:  # also SignatureExpired
        return None
    if not isinstance(payload, list) or len(payload) != 6:
        return None
    got_scope, got_ident, storage_key, standard, origin, outer = payload
    if (got_scope, got_ident) != (scope, ident) or standard not in STANDARDS:
        return None
    if not isinstance(storage_key, str) or not isinstance(origin, str):
        return None
    if not isinstance(outer, list) or not all(isinstance(o, str) for o in outer):
        return None
    return ContentGrant(scope, ident, storage_key, standard, origin, tuple(outer))


def request_origin() -> str:
    """The origin of the app page being built: the one its content may be framed by."""
    return request.host_url.rstrip("/")


def frame_url(grant: ContentGrant, launch_href: str, endpoint: str, **values: Any) -> str:
    """The frame page's URL on the content origin (`endpoint`: the area's frame page, given the token and
    `values`), showing `launch_href`, a path in the package with its query."""
    path = url_for(endpoint, token=sign_grant(grant), **values)
    return f"{content_origin()}{path}?{urlencode({'sco': launch_href})}"


# ---------------------------------------------------------------------- which host answers what


def serve_on_content_origin(app: Flask, *endpoints: str) -> None:
    """These endpoints answer only on the content origin (and nothing else does)."""
    app.extensions.setdefault(_ENDPOINTS, set()).update(endpoints)


def _host_key(netloc: str) -> str:
    host = netloc.lower()
    for default_port in (":80", ":443"):
        if host.endswith(default_port):
            return host.removesuffix(default_port)
    return host


def is_content_host() -> bool:
    return _host_key(request.host) == _host_key(urlsplit(content_origin()).netloc)


def route_by_host() -> Response | None:
    """before_request: content endpoints only on the content host, every other endpoint only on the app's
    (a package's script must reach no app page on its own origin, and an app page never serves a
    package's file)."""
    is_content_endpoint = request.endpoint in current_app.extensions.get(_ENDPOINTS, set())
    if is_content_host() != is_content_endpoint:
        return denied(404)
    return None


def local_content_bind() -> str | None:
    """host:port where `lms-bridge serve` listens for the content origin too, when that is a loopback name
    (development); None when a reverse proxy routes the content host name to the app's own address."""
    parts = urlsplit(content_origin())
    if parts.hostname not in _LOOPBACK:
        return None
    port = parts.port or (443 if parts.scheme == "https" else 80)
    host = "[::1]" if parts.hostname == "::1" else "127.0.0.1"
    return f"{host}:{port}"


# ---------------------------------------------------------------------- responses


def denied(status: int) -> Response:
    """A content-host error: plain text, not the app's error page (no app page on the content origin)."""
    if status == 403:
        message = _("Sisällön osoite ei kelpaa tai on vanhentunut. Avaa kurssi uudelleen.")
    else:
        message = _("Tiedostoa ei löydy.")
    response = Response(message, status, mimetype="text/plain")
    response.headers["Content-Security-Policy"] = "default-src 'none'"
    response.headers["Cache-Control"] = "no-store"
    return response


def _content_headers(response: Response, csp: str) -> Response:
    response.headers["Content-Security-Policy"] = csp
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cross-Origin-Resource-Policy"] = "same-origin"
    # The token is in the URL: never send it on to another site in a Referer.
    response.headers["Referrer-Policy"] = "no-referrer"
    # One learner's attempt (or an admin's preview): browsers may keep it, shared caches may not.
    response.cache_control.public = False
    response.cache_control.private = True
    return response


def hosting_page_csp() -> str:
    """The policy of an app page that frames package content (the player, the admin's preview, the LTI
    guest page): only its own scripts run; the package runs in a frame of the content origin."""
    return (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        f"frame-src {content_origin()}; connect-src 'self'; object-src 'none'; base-uri 'self'; "
        "form-action 'self'"
    )


def unrecorded_viewer(
    template: str, version: PackageVersion, grant: ContentGrant, frame_endpoint: str, **context: Any
) -> Response:
    """A page that plays the version with nothing recorded (the admin's preview, the LTI guest page): its
    parts and its launch page in a frame of the content origin (packages/_unrecorded_viewer.html)."""

    def url(href: str) -> str:
        return frame_url(grant, href, frame_endpoint, version_id=version.id)

    page = render_template(
        template,
        version=version,
        items=[(row["title"], url(row["href"])) for row in version.structure if row.get("href")],
        launch_url=url(version.launch_href),
        content_origin=content_origin(),
        sandbox=CONTENT_SANDBOX,
        **context,
    )
    response = make_response(page)
    response.headers["Content-Security-Policy"] = hosting_page_csp()
    return response


def frame_page(grant: ContentGrant) -> Response:
    """The page on the content origin that hosts the SCO and gives it the API (static/content-frame.js)."""
    html = render_template(
        "packages/content_frame.html",
        config={"appOrigin": grant.app_origin, "standard": grant.standard},
    )
    response = make_response(html)
    response.cache_control.max_age = 3600
    # Only the app page that asked for it may frame it; it runs only our two scripts.
    csp = (
        "default-src 'none'; script-src 'self'; frame-src 'self'; "
        f"frame-ancestors {grant.ancestors()}; base-uri 'none'; form-action 'none'"
    )
    return _content_headers(response, csp)


def file_response(grant: ContentGrant, path: str) -> Response:
    """One file of the granted package version, or a plain 404."""
    store = PackageStore.under(current_app.config["DATA_DIR"])
    try:
        folder = store.path(grant.storage_key)
    except ValueError:
        return denied(404)
    if safe_join(str(folder), path) is None or not folder.is_dir():
        return denied(404)
    suffix = Path(path).suffix.lower()
    mimetype = MIME_TYPES.get(suffix) or mimetypes.guess_type(path)[0] or "application/octet-stream"
    try:
        response = send_from_directory(folder, path, mimetype=mimetype, max_age=3600, conditional=True)
    except HTTPException as error:
        return denied(error.code or 404)
    # Content needs inline scripts (most authoring tools emit them) but nothing from other sites: a package
    # that loads a CDN fails visibly instead of leaking the learner's visit. 'self' is the content origin.
    # The file is framed by the frame page (this origin) inside the app page, and frame-ancestors checks
    # every ancestor: so this origin and the app page's origin, no other.
    csp = (
        "default-src 'self'; script-src 'self' 'unsafe-inline' 'unsafe-eval'; "
        "style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; media-src 'self' blob:; "
        "font-src 'self' data:; connect-src 'self'; frame-src 'self'; "
        f"frame-ancestors 'self' {grant.ancestors()}; form-action 'self'; base-uri 'self'; object-src 'none'"
    )
    return _content_headers(response, csp)


def serve(scope: str, ident: int, token: str, path: str | None) -> Response:
    """A content endpoint's whole work: the frame page (`path` None) or one package file, for a valid
    token of this scope and id (else 403)."""
    grant = read_grant(token, scope=scope, ident=ident)
    if grant is None:
        return denied(403)
    return frame_page(grant) if path is None else file_response(grant, path)
