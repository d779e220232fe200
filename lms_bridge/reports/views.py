"""Supervisor reports under /reports/, and each learner's own page. Views parse, check scope, call
lms_bridge.reports.queries, render; every unit and person is checked against the viewer's scope first."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from flask import Blueprint, Response, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.exceptions import NotFound
from werkzeug.wrappers import Response as BaseResponse

from lms_bridge.audit import record_event
from lms_bridge.auth.accounts import AccountError, current_account, update_digest_settings
from lms_bridge.catalog.service import courses_by_competence, list_competences, list_courses
from lms_bridge.db import get_session, transaction, utcnow
from lms_bridge.register.lookups import get_unit_by_id
from lms_bridge.reports import exports, queries
from lms_bridge.reports.forms import DigestForm
from lms_bridge.reports.scope import (
    Viewer,
    current_learner,
    current_viewer,
    require_person,
    require_unit,
    start_units,
)

bp = Blueprint("reports", __name__, url_prefix="/reports")


def _days() -> int:
    return int(current_app.config["EXPIRING_WITHIN_DAYS"])


def with_viewer(view: Callable[..., Any]) -> Callable[..., Any]:
    """The signed-in viewer with a scope, else: the sign-in page (nobody), the learner's own page, or 403."""

    @functools.wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        db = get_session()
        viewer = current_viewer(db)
        if viewer is None or (not viewer.has_scope and viewer.actor.startswith("staff:")):
            if current_learner(db) is not None:  # a learner (also one launched from Moodle): their own page
                return redirect(url_for("reports.me"))
            return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
        if not viewer.has_scope:
            return render_template("reports/no_units.html"), 403
        return view(viewer, *args, **kwargs)

    return wrapped


def _filters() -> queries.Filters:
    args = request.args
    status = args.get("status") or None
    sort = args.get("sort", "name")
    page = args.get("page", "1")
    return queries.Filters(
        job_title=args.get("job_title") or None,
        status=status if status in (*queries.STATUSES, "problem") else None,
        sort=sort if sort in queries.SORTS else "name",
        page=int(page) if page.isdigit() and 0 < int(page) < 100_000 else 1,
    )


def _trail(viewer: Viewer, unit_id: int) -> list[Any]:
    """The unit and its ancestors the viewer may see, top first (the drill-down's breadcrumbs)."""
    db = get_session()
    trail = []
    current = get_unit_by_id(db, unit_id)
    while current is not None and viewer.sees(current):
        trail.append(current)
        current = get_unit_by_id(db, current.parent_id) if current.parent_id else None
    return list(reversed(trail))


def _download(data: bytes, fmt: str, name: str) -> Response:
    response = Response(data, mimetype=exports.MIMETYPES[fmt])
    response.headers["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _audit_export(viewer: Viewer, what: str, subject: str, fmt: str) -> None:
    with transaction() as db:
        record_event(
            db,
            actor=viewer.actor,
            action="report.export",
            subject_type=what,
            subject_id=subject,
            details={"format": fmt, "query": request.query_string.decode()[:500]},
        )


@bp.get("/")
@with_viewer
def index(viewer: Viewer) -> str | BaseResponse:
    units = start_units(get_session(), viewer)
    if len(units) == 1:
        return redirect(url_for("reports.unit", code=units[0].code))
    return render_template("reports/start.html", units=units)


@bp.get("/units/<code>")
@with_viewer
def unit(viewer: Viewer, code: str) -> str:
    db = get_session()
    found = require_unit(db, viewer, code)
    overview = queries.unit_overview(
        db,
        found,
        trail=_trail(viewer, found.id),
        now=utcnow(),
        expiring_within_days=_days(),
        filters=_filters(),
    )
    return render_template("reports/unit.html", o=overview, statuses=queries.STATUSES)


@bp.get("/units/<code>/export.<fmt>")
@with_viewer
def unit_export(viewer: Viewer, code: str, fmt: str) -> Response:
    if fmt not in exports.FORMATS:
        raise NotFound()
    db = get_session()
    found = require_unit(db, viewer, code)
    rows = queries.matrix_rows(db, found, filters=_filters(), now=utcnow(), expiring_within_days=_days())
    table = exports.matrix_table(list_competences(db), rows)
    _audit_export(viewer, "unit", found.code, fmt)
    return _download(exports.write(table, fmt), fmt, f"osaaminen-{found.code}")


def _list_args() -> tuple[int, str | None]:
    days = request.args.get("days", "")
    within = int(days) if days.isdigit() and int(days) in queries.EXPIRING_WINDOWS else _days()
    return within, request.args.get("job_title") or None


@bp.get("/units/<code>/lists/<kind>")
@with_viewer
def status_list(viewer: Viewer, code: str, kind: str) -> str:
    if kind not in queries.LIST_KINDS:
        raise NotFound()
    db = get_session()
    found = require_unit(db, viewer, code)
    within, job_title = _list_args()
    rows = queries.status_list(db, found, kind=kind, within_days=within, now=utcnow(), job_title=job_title)
    return render_template(
        "reports/list.html",
        unit=found,
        kind=kind,
        rows=rows,
        within=within,
        windows=queries.EXPIRING_WINDOWS,
        job_title=job_title,
        crumbs=_trail(viewer, found.id),
    )


@bp.get("/units/<code>/lists/<kind>.<fmt>")
@with_viewer
def status_list_export(viewer: Viewer, code: str, kind: str, fmt: str) -> Response:
    if kind not in queries.LIST_KINDS or fmt not in exports.FORMATS:
        raise NotFound()
    db = get_session()
    found = require_unit(db, viewer, code)
    within, job_title = _list_args()
    rows = queries.status_list(db, found, kind=kind, within_days=within, now=utcnow(), job_title=job_title)
    _audit_export(viewer, "unit", found.code, fmt)
    return _download(exports.write(exports.list_table(rows), fmt), fmt, f"{kind}-{found.code}")


@bp.get("/units/<code>/trend")
@with_viewer
def trend(viewer: Viewer, code: str) -> str:
    db = get_session()
    found = require_unit(db, viewer, code)
    points = queries.completion_trend(db, found, now=utcnow())
    return render_template("reports/trend.html", unit=found, points=points, crumbs=_trail(viewer, found.id))


@bp.get("/people/<employee_number>")
@with_viewer
def person(viewer: Viewer, employee_number: str) -> str:
    db = get_session()
    staff, unit = require_person(db, viewer, employee_number)
    found = queries.person_transcript(db, staff, unit, now=utcnow(), expiring_within_days=_days())
    return render_template("reports/person.html", t=found, crumbs=_trail(viewer, unit.id))


@bp.get("/people/<employee_number>/transcript.<fmt>")
@with_viewer
def person_export(viewer: Viewer, employee_number: str, fmt: str) -> Response:
    if fmt not in exports.FORMATS:
        raise NotFound()
    db = get_session()
    staff, unit = require_person(db, viewer, employee_number)
    found = queries.person_transcript(db, staff, unit, now=utcnow(), expiring_within_days=_days())
    _audit_export(viewer, "staff", str(staff.id), fmt)
    return _download(
        exports.write(exports.transcript_table(found), fmt), fmt, f"suoritukset-{employee_number}"
    )


@bp.route("/settings", methods=["GET", "POST"])
@with_viewer
def settings(viewer: Viewer) -> str | BaseResponse | tuple[str, int]:
    account = current_account()
    if account is None:  # an LTI-launched supervisor has no account here to keep settings in
        raise NotFound()
    form = DigestForm(obj=account)
    if form.validate_on_submit():
        try:
            with transaction() as db:
                update_digest_settings(
                    db, account.id, email=form.email.data or None, weekly_digest=bool(form.weekly_digest.data)
                )
        except AccountError as error:
            form.email.errors.append(str(error.message))
        else:
            flash(_("Asetukset tallennettiin."))
            return redirect(url_for("reports.settings"))
    return render_template("reports/settings.html", form=form), 400 if form.errors else 200


@bp.get("/me")
def me() -> str | BaseResponse:
    """A learner's own page: my competences, what is due, and the courses that grant them."""
    db = get_session()
    staff = current_learner(db)
    if staff is None:
        return redirect(url_for("web.index"))
    unit = get_unit_by_id(db, staff.unit_id)
    assert unit is not None  # noqa: S101 - staff.unit_id is a foreign key
    found = queries.person_transcript(db, staff, unit, now=utcnow(), expiring_within_days=_days())
    return render_template(
        "reports/me.html", t=found, courses=courses_by_competence(db), all_courses=list_courses(db)
    )
