"""Domain errors: one base class with an HTTP status and a translatable message, one handler."""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, Response, jsonify, render_template, request
from flask_babel import gettext
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

logger = logging.getLogger(__name__)


class DomainError(Exception):
    """A user error: bad input or a forbidden action. Its message is shown to the user as is."""

    status: int = 400
    code: str = "invalid"

    def __init__(self, message: Any, *, status: int | None = None, code: str | None = None) -> None:
        super().__init__(str(message))
        self.message = message
        if status is not None:
            self.status = status
        if code is not None:
            self.code = code


class NotFound(DomainError):
    status = 404
    code = "not_found"


class Forbidden(DomainError):
    status = 403
    code = "forbidden"


def http_message(error: HTTPException) -> str:
    """A Finnish sentence for an HTTP error: Werkzeug's descriptions are English."""
    if isinstance(error, CSRFError):
        return str(
            gettext("Lomakkeen turvatarkiste puuttui tai vanheni. Lataa sivu uudelleen ja yritä uudestaan.")
        )
    messages = {
        400: gettext("Pyyntö oli virheellinen."),
        401: gettext("Tähän tarvitaan kirjautuminen."),
        403: gettext("Sinulla ei ole oikeutta tähän."),
        404: gettext("Sivua ei löydy. Tarkista osoite tai palaa etusivulle."),
        405: gettext("Tätä sivua ei voi käyttää näin (väärä pyyntötapa)."),
        413: gettext("Lähetetty tiedosto tai tieto on liian suuri."),
        429: gettext("Liian monta pyyntöä. Odota hetki ja yritä uudelleen."),
    }
    return str(
        messages.get(error.code or 500, gettext("Odottamaton virhe. Yritä hetken kuluttua uudelleen."))
    )


def _wants_json() -> bool:
    return request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json"


def init_app(app: Flask) -> None:
    @app.errorhandler(DomainError)
    def handle_domain_error(error: DomainError) -> tuple[Response | str, int]:
        if _wants_json():
            return jsonify(error={"code": error.code, "message": str(error.message)}), error.status
        return render_template("error.html", message=str(error.message), status=error.status), error.status

    @app.errorhandler(HTTPException)
    def handle_http_error(error: HTTPException) -> tuple[Response | str, int, dict[str, str]]:
        status = error.code or 500
        message = http_message(error)
        # what Werkzeug would send besides the body: Allow on a 405, Retry-After, WWW-Authenticate ...
        headers = {
            k: v for k, v in error.get_headers() if k.lower() not in ("content-type", "content-length")
        }
        if _wants_json():
            body = jsonify(error={"code": error.name.lower().replace(" ", "_"), "message": message})
            return body, status, headers
        return render_template("error.html", message=message, status=status), status, headers

    @app.errorhandler(Exception)
    def handle_unexpected(error: Exception) -> tuple[Response | str, int]:
        if app.testing:  # a test shows the bug's traceback, not the page that hides it from users
            raise error
        logger.error("Unhandled error on %s", request.path, exc_info=error)
        message = gettext("Odottamaton virhe. Yritä hetken kuluttua uudelleen.")
        if _wants_json():
            return jsonify(error={"code": "internal", "message": message}), 500
        return render_template("error.html", message=message, status=500), 500
