"""The demo sign-in: pick a staff member to play the modules as, without Moodle.

Only when ENV = "development" and DEV_SIGN_IN = true; otherwise every page here is 404, so a production
setting cannot switch it on by one slip.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for
from werkzeug.wrappers import Response as BaseResponse

from lms_bridge.auth.learner import sign_in_staff
from lms_bridge.config import dev_sign_in_enabled
from lms_bridge.db import get_session
from lms_bridge.player.forms import DevSignInForm
from lms_bridge.register.browse import search_staff
from lms_bridge.register.lookups import get_staff

SHOWN = 50  # people listed at once; the search finds every other one

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


def _choice(staff_id: int) -> tuple[int, str] | None:
    person = get_staff(get_session(), staff_id)
    if person is None or not person.active:
        return None
    return person.id, _label(person.last_name, person.first_name, person.employee_number, person.job_title)


def _label(last_name: str, first_name: str, number: str, job_title: str) -> str:
    return f"{last_name} {first_name} ({number}, {job_title})"


@bp.route("/sign-in", methods=["GET", "POST"])
def sign_in() -> str | BaseResponse | tuple[str, int]:
    """Pick a person: the first 50 by name, or those the search finds (every active person can be found)."""
    search = request.args.get("q", "").strip()[:100]
    form = DevSignInForm(next=request.args.get("next", ""))
    if request.method == "POST":
        posted = form.staff.raw_data[0] if form.staff.raw_data else ""
        chosen = _choice(int(posted)) if posted.isdigit() and len(posted) < 12 else None
        form.staff.choices = [chosen] if chosen else []
        if not form.validate_on_submit():
            found = search_staff(get_session(), text=search, per_page=SHOWN)
            page = render_template("player/dev_sign_in.html", form=form, found=found, search=search)
            return page, 400
        sign_in_staff(int(form.staff.data), via="dev")
        return redirect(_safe_next(form.next.data))
    found = search_staff(get_session(), text=search, per_page=SHOWN)
    form.staff.choices = [
        (hit.staff.id, _label(hit.staff.last_name, hit.staff.first_name, hit.staff.employee_number,
                              hit.staff.job_title))
        for hit in found.hits
    ]  # fmt: skip
    return render_template("player/dev_sign_in.html", form=form, found=found, search=search)
