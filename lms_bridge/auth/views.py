"""Sign-in and sign-out pages for admins and supervisors."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from lms_bridge.auth.accounts import sign_in, sign_in_with_password, sign_out, throttle_rules
from lms_bridge.auth.forms import LoginForm
from lms_bridge.auth.throttle import SignInLocked
from lms_bridge.db import transaction, utcnow

bp = Blueprint("auth", __name__, url_prefix="/auth")


def _safe_next(target: str | None) -> str:
    """Only same-site paths: an open redirect would let a phishing link borrow our sign-in page."""
    if target and target.startswith("/") and not target.startswith("//") and not urlsplit(target).netloc:
        return target
    return url_for("web.index")


@bp.route("/login", methods=["GET", "POST"])
def login() -> str | Response | tuple[str, int, dict[str, str]]:
    form = LoginForm()
    if form.validate_on_submit():
        try:
            with transaction() as db:
                account = sign_in_with_password(
                    db,
                    username=form.username.data,
                    password=form.password.data,
                    address=request.remote_addr or "unknown",
                    now=utcnow(),
                    rules=throttle_rules(),
                )
                if account is not None:
                    sign_in(db, account)
        except SignInLocked as locked:
            form.password.errors.append(str(locked.message))
            page = render_template("auth/login.html", form=form)
            return page, 429, {"Retry-After": str(locked.retry_after)}
        if account is not None:
            return redirect(_safe_next(request.args.get("next")))
        form.password.errors.append(_("Käyttäjätunnus tai salasana on väärin."))
    return render_template("auth/login.html", form=form)


@bp.post("/logout")
def logout() -> Response:
    with transaction() as db:
        sign_out(db)
    flash(_("Olet kirjautunut ulos."))
    return redirect(url_for("web.index"))
