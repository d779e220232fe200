"""Site-wide pages (front page, health check) and the registration of every area's blueprint."""

from __future__ import annotations

from flask import Blueprint, Flask, Response, jsonify, render_template
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import text

from lms_bridge.db import get_session

bp = Blueprint("web", __name__)


@bp.get("/")
def index() -> str:
    from lms_bridge.player.views import front_page

    return render_template("index.html", player_front=front_page())


@bp.get("/healthz")
def health() -> Response:
    get_session().execute(text("SELECT 1"))
    return jsonify(status="ok")


@bp.after_app_request
def security_headers(response: Response) -> Response:
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    return response


def init_app(app: Flask) -> None:
    from lms_bridge.admin.views import bp as admin_bp
    from lms_bridge.auth.accounts import current_account
    from lms_bridge.auth.views import bp as auth_bp
    from lms_bridge.packages.views import bp as packages_bp
    from lms_bridge.player.devsignin import bp as dev_bp
    from lms_bridge.player.devsignin import dev_sign_in_enabled
    from lms_bridge.player.views import bp as player_bp
    from lms_bridge.register.api import bp as api_v1

    csrf = CSRFProtect(app)
    # The API authenticates every request with a bearer token and sets no cookies: CSRF cannot apply.
    csrf.exempt(api_v1)
    # Run-time commits carry a per-attempt token in their JSON body instead (lms_bridge/player/views.py):
    # sendBeacon cannot send the header, and the form token expires while a module stays open.
    csrf.exempt("lms_bridge.player.views.commit")
    app.extensions["lms_bridge.csrf"] = csrf

    app.register_blueprint(bp)
    app.register_blueprint(api_v1)
    app.register_blueprint(auth_bp)
    app.register_blueprint(admin_bp)
    app.register_blueprint(packages_bp)
    app.register_blueprint(player_bp)
    if dev_sign_in_enabled(app):  # outside development its pages do not exist at all
        app.register_blueprint(dev_bp)
    app.context_processor(lambda: {"current_account": current_account()})
