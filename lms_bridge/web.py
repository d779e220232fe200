"""Site-wide pages (front page, health check) and the wiring of every area."""

from __future__ import annotations

from flask import Blueprint, Flask, Response, jsonify, render_template
from sqlalchemy import text

from lms_bridge import admin, auth, catalog, demo, headers, lti, moodle, packages, player, register, reports
from lms_bridge.db import get_session
from lms_bridge.extensions import csrf
from lms_bridge.player.views import front_page

bp = Blueprint("web", __name__)

# Lowest layer first; each area registers its blueprint, commands, signal receivers and limits.
AREAS = (catalog, auth, packages, register, player, lti, reports, moodle, demo, admin)


@bp.get("/")
def index() -> str:
    return render_template("index.html", player_front=front_page())


@bp.get("/healthz")
def health() -> Response:
    get_session().execute(text("SELECT 1"))
    return jsonify(status="ok")


def init_app(app: Flask) -> None:
    headers.init_app(app)
    csrf.init_app(app)
    app.register_blueprint(bp)
    for area in AREAS:
        area.init_app(app)
