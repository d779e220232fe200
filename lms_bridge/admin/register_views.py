"""Admin pages of the register: the admin index, staff search, a person's record, the unit tree and a
correction of a completion. Views parse the request, call the register's (and reports') services, render.
"""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response as BaseResponse

from lms_bridge.admin.register_forms import CorrectionForm
from lms_bridge.admin.views import _actor, bp
from lms_bridge.auth.accounts import require_role
from lms_bridge.db import get_session, transaction, utcnow
from lms_bridge.errors import DomainError
from lms_bridge.register import service
from lms_bridge.register.browse import completion_detail, search_staff, unit_tree
from lms_bridge.register.errors import UnknownRecord
from lms_bridge.register.imports.csv_io import parse_datetime, parse_score
from lms_bridge.register.lookups import get_staff_by_employee_number, get_unit_by_code, get_unit_by_id
from lms_bridge.reports.queries import person_transcript


@bp.get("/")
@require_role("admin")
def index() -> str:
    return render_template("admin/index.html")


@bp.get("/staff")
@require_role("admin")
def staff() -> str:
    db = get_session()
    text = request.args.get("q", "").strip()[:200]
    unit_code = request.args.get("unit", "").strip()
    include_inactive = request.args.get("inactive") == "1"
    page_arg = request.args.get("page", "1")
    page = int(page_arg) if page_arg.isdigit() and 0 < int(page_arg) < 100_000 else 1
    try:
        unit = get_unit_by_code(db, unit_code) if unit_code else None
    except UnknownRecord:  # a stale link: search everywhere
        unit = None
    tree = unit_tree(db)
    found = search_staff(db, text=text, unit=unit, include_inactive=include_inactive, page=page)
    return render_template(
        "admin/staff.html",
        found=found,
        q=text,
        unit=unit,
        unit_code=unit_code,
        include_inactive=include_inactive,
        units=[(depth, node.unit) for root in tree for depth, node in root.walk()],
    )


@bp.get("/staff/<employee_number>")
@require_role("admin")
def person(employee_number: str) -> str:
    db = get_session()
    person = get_staff_by_employee_number(db, employee_number)
    unit = get_unit_by_id(db, person.unit_id)
    if unit is None:  # staff.unit_id is a foreign key: cannot happen
        abort(404)
    transcript = person_transcript(
        db, person, unit, now=utcnow(), expiring_within_days=current_app.config["EXPIRING_WITHIN_DAYS"]
    )
    return render_template("admin/person.html", t=transcript, correct_endpoint="admin.correct_completion")


@bp.get("/units")
@require_role("admin")
def units() -> str:
    return render_template("admin/units.html", tree=unit_tree(get_session()))


def _sentence(error: ValueError) -> str:
    """The import's row message ("päivämäärä ... ei ole muotoa ...") as a sentence for a form field."""
    text = str(error)
    return text[:1].upper() + text[1:] + "."


def _correction_page(completion_id: int, form: CorrectionForm, status: int = 200) -> tuple[str, int]:
    detail = completion_detail(get_session(), completion_id)
    return render_template("admin/correct.html", d=detail, form=form), status


@bp.get("/completions/<int:completion_id>/correct")
@require_role("admin")
def correct_completion(completion_id: int) -> tuple[str, int]:
    return _correction_page(completion_id, CorrectionForm())


@bp.post("/completions/<int:completion_id>/correct")
@require_role("admin")
def save_correction(completion_id: int) -> tuple[str, int] | BaseResponse:
    form = CorrectionForm()
    if not form.validate_on_submit():
        return _correction_page(completion_id, form, 400)
    void = form.action.data == "void"
    when, score, parsed = None, None, True
    if not void:  # a voiding correction keeps the record's date and score; the fields are ignored
        try:
            when = parse_datetime(form.completed_at.data) if form.completed_at.data else None
        except ValueError as error:
            form.completed_at.errors.append(_sentence(error))
            parsed = False
        try:
            score = parse_score(form.score.data) if form.score.data else None
        except ValueError as error:
            form.score.errors.append(_sentence(error))
            parsed = False
    if not parsed:
        return _correction_page(completion_id, form, 400)
    try:
        with transaction() as db:
            correction = service.correct_completion(
                db,
                completion_id=completion_id,
                actor=_actor(),
                reason=form.reason.data,
                completed_at=when,
                score=score,
                void=void,
            )
            employee_number = completion_detail(db, completion_id).staff.employee_number
    except DomainError as error:
        if error.status == 404:
            raise
        form.reason.errors.append(str(error.message))
        return _correction_page(completion_id, form, error.status)
    flash(
        _("Suoritus %(old)s mitätöitiin; kirjaus %(new)s.", old=completion_id, new=correction.id)
        if void
        else _("Suoritus %(old)s korjattu; uusi kirjaus %(new)s.", old=completion_id, new=correction.id)
    )
    return redirect(url_for("admin.person", employee_number=employee_number) + "#records")
