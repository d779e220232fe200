"""The demo sign-in: pick a staff member to play the modules as, without Moodle.

Only when ENV = "development" and DEV_SIGN_IN = true; otherwise every page here is 404, so a production
setting cannot switch it on by one slip.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for
from werkzeug.wrappers import Response as BaseResponse

from lms_bridge.auth.learner import sign_in_staff, sign_out_staff
from lms_bridge.config import dev_sign_in_enabled
from lms_bridge.db import get_session
from lms_bridge.player.forms import DevSignInForm, SignOutForm
from lms_bridge.player.listing import sign_in_choices

bp = Blueprint("dev", __name__, url_prefix="/dev")

__all__ = ["bp", "dev_sign_in_enabled"]


@bp.before_request
def only_in_development() -> None:
    if not dev_sign_in_enabled(current_app):
        abort(404)


def _safe_next(target: str | None) -> str:
    if target and target.startswith("/") and not target.startswith("//") and not urlsplit(target).netloc:
        return target
    return url_for("web.index")


@bp.route("/sign-in", methods=["GET", "POST"])
def sign_in() -> str | BaseResponse | tuple[str, int]:
    form = DevSignInForm(next=request.args.get("next", ""))
    people = sign_in_choices(get_session())
    form.staff.choices = [
        (p.id, f"{p.last_name} {p.first_name} ({p.employee_number}, {p.job_title})") for p in people
    ]
    if request.method == "POST":
        if not form.validate_on_submit():
            return render_template("player/dev_sign_in.html", form=form, people=people), 400
        sign_in_staff(int(form.staff.data), via="dev")
        return redirect(_safe_next(form.next.data))
    return render_template("player/dev_sign_in.html", form=form, people=people)


@bp.post("/sign-out")
def sign_out() -> BaseResponse:
    form = SignOutForm()
    if not form.validate_on_submit():
        abort(400)
    sign_out_staff()
    return redirect(url_for("web.index"))
