"""The LTI admin page: the values to paste into Moodle, platforms (with what to switch on when Moodle
refuses our service calls), keys, users no rule linked, and the score outbox."""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response as BaseResponse

from lms_bridge.auth.accounts import current_account, require_role
from lms_bridge.db import get_session, transaction, utcnow
from lms_bridge.lti import identity, keys, platforms, scores
from lms_bridge.lti.errors import LtiError
from lms_bridge.lti.models import LtiUser
from lms_bridge.lti.views import registration_link, tool_values
from lms_bridge.register.lookups import get_staff_by_employee_number

bp = Blueprint("lti_manage", __name__, url_prefix="/lti/admin")


def _actor() -> str:
    account = current_account()
    return f"account:{account.id}" if account else "unknown"


@bp.get("/")
@require_role("admin")
def page() -> str:
    db = get_session()
    now = utcnow()
    return render_template(
        "lti/admin.html",
        values=tool_values(),
        platforms=platforms.list_platforms(db),
        keys=keys.published_keys(db, now=now),
        now=now,
        unmatched=identity.unmatched_users(db),
        outbox=scores.outbox(db),
    )


@bp.post("/platforms")
@require_role("admin")
def add_platform() -> BaseResponse:
    form = request.form
    with transaction() as db:
        platforms.add_platform(
            db,
            name=form.get("name", ""),
            issuer=form.get("issuer", ""),
            client_id=form.get("client_id", ""),
            auth_login_url=form.get("auth_login_url", ""),
            auth_token_url=form.get("auth_token_url", ""),
            key_set_url=form.get("key_set_url", ""),
            deployment_ids=[d for d in form.get("deployment_ids", "").replace(",", " ").split() if d],
            actor=_actor(),
            now=utcnow(),
        )
    flash(_("Alusta tallennettu."), "success")
    return redirect(url_for("lti_manage.page"))


@bp.post("/registration-url")
@require_role("admin")
def registration_url() -> str:
    with transaction() as db:
        token = platforms.new_registration_token(db, now=utcnow(), actor=_actor())
    return render_template("lti/registration_url.html", url=registration_link(token))


@bp.post("/keys/rotate")
@require_role("admin")
def rotate_keys() -> BaseResponse:

    with transaction() as db:
        key = keys.rotate(
            db,
            now=utcnow(),
            publish_ahead=dt.timedelta(minutes=current_app.config["LTI_KEY_PUBLISH_AHEAD_MINUTES"]),
            retire_after=dt.timedelta(minutes=current_app.config["LTI_KEY_RETIRE_AFTER_MINUTES"]),
            actor=_actor(),
            secret_key=current_app.config["SECRET_KEY"],
        )
        flash(
            _(
                "Uusi avain %(kid)s julkaistu; se otetaan käyttöön %(at)s.",
                kid=key.kid,
                at=key.active_from.isoformat(timespec="minutes"),
            ),
            "success",
        )
    return redirect(url_for("lti_manage.page"))


@bp.post("/users/<int:user_id>/link")
@require_role("admin")
def link_user(user_id: int) -> BaseResponse:
    with transaction() as db:
        user = db.get(LtiUser, user_id)
        if user is None:
            raise LtiError(_("Käyttäjää ei löydy."), status=404)
        staff = get_staff_by_employee_number(db, request.form.get("employee_number", "").strip())
        identity.link_by_admin(db, user, staff, actor=_actor())
    flash(_("Moodle-käyttäjä yhdistetty henkilöön."), "success")
    return redirect(url_for("lti_manage.page"))


@bp.post("/scores/retry")
@require_role("admin")
def retry_scores() -> BaseResponse:
    with transaction() as db:
        count = scores.retry_now(db, now=utcnow())
        summary = scores.send_due(
            db,
            now=utcnow(),
            http=scores.http_session(),
            secret_key=current_app.config["SECRET_KEY"],
            between=db.commit,
        )
    flash(
        _("%(count)s arvosanaa yritettiin lähettää: %(sent)s meni perille.", count=count, sent=summary.sent),
        "success",
    )
    return redirect(url_for("lti_manage.page"))
