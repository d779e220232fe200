"""Sign-in and sign-out pages for admins and supervisors."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from lms_bridge.auth.accounts import authenticate, sign_in, sign_out
from lms_bridge.auth.forms import LoginForm
from lms_bridge.db import transaction

bp = Blueprint("auth", __name__, url_prefix="/auth")


def _safe_next(target: str | None) -> str:
    """Only same-site paths: an open redirect would let a phishing link borrow our sign-in page."""
    if target and target.startswith("/") and not target.startswith("//") and not urlsplit(target).netloc:
        return target
    return url_for("web.index")


@bp.route("/login", methods=["GET", "POST"])
def login() -> str | Response:
    form = LoginForm()
    if form.validate_on_submit():
        with transaction() as db:
            account = authenticate(db, form.username.data, form.password.data)
        if account is not None:
            sign_in(account)
            return redirect(_safe_next(request.args.get("next")))
        form.password.errors.append(_("Käyttäjätunnus tai salasana on väärin."))
    return render_template("auth/login.html", form=form)


@bp.post("/logout")
def logout() -> Response:
    sign_out()
    flash(_("Olet kirjautunut ulos."))
    return redirect(url_for("web.index"))
