"""Admin pages for course packages. Views parse the request, call lms_bridge.packages.service, render."""

from __future__ import annotations

import re
from pathlib import Path

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    send_from_directory,
    url_for,
)
from flask_babel import gettext as _
from werkzeug.wrappers import Response as BaseResponse

from lms_bridge.admin.forms import (
    CurrentVersionForm,
    ImportForm,
    PublishForm,
    RulesForm,
    StatusForm,
    SupervisorForm,
)
from lms_bridge.auth.accounts import (
    current_account,
    list_accounts,
    require_account,
    require_role,
    set_employee_number,
)
from lms_bridge.catalog import service as catalog
from lms_bridge.catalog.errors import CatalogError
from lms_bridge.catalog.models import Course
from lms_bridge.db import get_session, transaction
from lms_bridge.errors import DomainError
from lms_bridge.limits import body_limit
from lms_bridge.packages import content, service
from lms_bridge.packages.content import ContentGrant, request_origin
from lms_bridge.packages.errors import PackageImportError
from lms_bridge.packages.settings import package_limits, schema_set
from lms_bridge.packages.store import PackageStore
from lms_bridge.packages.warnings import group_warnings
from lms_bridge.register.lookups import all_unit_codes, get_unit_by_code
from lms_bridge.register.scopes import assign_units, units_by_account

bp = Blueprint("admin", __name__, url_prefix="/admin")


def _actor() -> str:
    account = current_account()
    return f"account:{account.id}" if account else "account:unknown"


def built_zips() -> list[tuple[str, int]]:
    """The zips `lms-bridge build` wrote (name, bytes), for uploading to Moodle."""
    dist = Path(current_app.config["DATA_DIR"]) / "dist"
    return sorted((p.name, p.stat().st_size) for p in dist.glob("*.zip")) if dist.is_dir() else []


def _packages_page(form: ImportForm, **extra: object) -> str:
    db = get_session()
    return render_template(
        "admin/packages.html",
        courses=catalog.list_courses(db),
        current_versions=service.current_versions(db),
        form=form,
        built=built_zips(),
        **extra,
    )


@bp.get("/packages")
@require_role("admin")
def packages() -> str:
    return _packages_page(ImportForm())


@bp.get("/built/<name>")
@require_role("admin")
def built_zip(name: str) -> Response:
    """Download a built module zip (only names the build wrote; nothing else in the folder)."""
    if name not in {zip_name for zip_name, _size in built_zips()}:
        abort(404)
    dist = Path(current_app.config["DATA_DIR"]) / "dist"
    return send_from_directory(dist, name, mimetype="application/zip", as_attachment=True)


@bp.post("/packages")
@body_limit("MAX_UPLOAD_BYTES")
@require_role("admin")
def import_package() -> tuple[str, int] | BaseResponse:
    form = ImportForm()
    if not form.validate_on_submit():
        return _packages_page(form), 400
    upload = form.package.data
    try:
        with transaction() as db:
            result = service.import_package(
                db,
                upload.stream,
                store=PackageStore.under(current_app.config["DATA_DIR"]),
                schemas=schema_set(),
                limits=package_limits(),
                actor=_actor(),
                origin="upload",
                course_slug=form.course.data or None,
                new_course=bool(form.new_course.data),
            )
    except PackageImportError as error:
        form.package.errors.append(str(error.message))
        return _packages_page(form, refused=error), 400
    if result.unchanged:
        flash(
            _(
                "Sama paketti on jo tuotu: kurssin %(title)s versio %(n)s. Uutta versiota ei tehty.",
                title=result.course.title,
                n=result.version.number,
            )
        )
    elif result.created_course:
        flash(
            _(
                "Paketista tehtiin uusi kurssi %(title)s (luonnos). Valitse sen osaamiset ja julkaise se, "
                "niin "
                "oppijat näkevät sen.",
                title=result.course.title,
            )
        )
    else:
        flash(
            _(
                "Paketti tuotiin kurssin %(title)s versioksi %(n)s.",
                title=result.course.title,
                n=result.version.number,
            )
        )
    return redirect(url_for("admin.version", version_id=result.version.id))


@bp.get("/versions/<int:version_id>")
@require_role("admin")
def version(version_id: int) -> str:
    found = service.get_version(get_session(), version_id)
    return render_template(
        "admin/version.html",
        version=found,
        course=found.course,
        warning_groups=group_warnings(found.warnings),
    )


@bp.get("/courses/<slug>")
@require_role("admin")
def course(slug: str) -> str:
    db = get_session()
    found = catalog.require_course(db, slug)
    rules = RulesForm(
        competences=catalog.course_competence_codes(db, found.id), passing_score=found.passing_score
    )
    return _course_page(found, rules)


def _course_page(found: Course, rules: RulesForm, publish_form: PublishForm | None = None) -> str:
    db = get_session()
    rules.competences.choices = [(c.code, f"{c.code} – {c.name_fi}") for c in catalog.list_competences(db)]
    audience = catalog.audience(db, found.id)
    if publish_form is None:
        publish_form = PublishForm(
            audience="everyone" if found.for_everyone or not audience else "chosen",
            units=", ".join(a.unit_code for a in audience if a.unit_code),
            job_titles=", ".join(a.job_title for a in audience if a.job_title),
            position=found.position,
        )
    return render_template(
        "admin/course.html",
        course=found,
        versions=service.list_versions(db, found.id),
        current_version_id=service.current_version_id(db, found.id),
        rules=rules,
        current_form=CurrentVersionForm(),
        publish_form=publish_form,
        status_form=StatusForm(),
        audience=audience,
    )


def _split(text: str | None) -> list[str]:
    return [part for part in re.split(r"\s*,\s*", (text or "").strip()) if part]


@bp.post("/courses/<slug>/publish")
@require_role("admin")
def publish(slug: str) -> BaseResponse | tuple[str, int]:
    found = catalog.require_course(get_session(), slug)
    form = PublishForm()
    if form.validate_on_submit():
        everyone = form.audience.data == "everyone"
        units, titles = _split(form.units.data), _split(form.job_titles.data)
        try:
            with transaction() as db:
                unknown = [code for code in units if code not in set(all_unit_codes(db))]
                if unknown and not everyone:
                    raise CatalogError(_("Yksikköä %(code)s ei löydy.", code=", ".join(unknown)))
                catalog.publish(
                    db,
                    catalog.require_course(db, slug),
                    actor=_actor(),
                    everyone=everyone,
                    unit_codes=[] if everyone else units,
                    job_titles=[] if everyone else titles,
                    position=form.position.data,
                )
        except CatalogError as error:
            form.audience.errors.append(str(error.message))
        else:
            flash(_("Kurssi %(title)s julkaistiin.", title=found.title))
            return redirect(url_for("admin.course", slug=slug))
    rules = RulesForm(competences=catalog.course_competence_codes(get_session(), found.id))
    return _course_page(found, rules, form), 400


@bp.post("/courses/<slug>/status")
@require_role("admin")
def set_status(slug: str) -> BaseResponse:
    form = StatusForm()
    if not form.validate_on_submit() or form.status.data not in ("draft", "hidden", "retired"):
        abort(400)
    with transaction() as db:
        catalog.set_status(db, catalog.require_course(db, slug), form.status.data, actor=_actor())
    flash(_("Kurssin tila muutettiin."))
    return redirect(url_for("admin.course", slug=slug))


@bp.post("/courses/<slug>/current")
@require_role("admin")
def set_current(slug: str) -> BaseResponse:
    form = CurrentVersionForm()
    if not form.validate_on_submit() or not str(form.number.data or "").isdigit():
        abort(400)
    with transaction() as db:
        found = catalog.require_course(db, slug)
        chosen = service.set_current_version(db, course=found, number=int(form.number.data), actor=_actor())
    flash(_("Uudet suorituskerrat käyttävät nyt versiota %(n)s.", n=chosen.number))
    return redirect(url_for("admin.course", slug=slug))


@bp.post("/courses/<slug>/rules")
@require_role("admin")
def set_rules(slug: str) -> tuple[str, int] | BaseResponse:
    found = catalog.require_course(get_session(), slug)
    form = RulesForm()
    form.competences.choices = [
        (c.code, f"{c.code} – {c.name_fi}") for c in catalog.list_competences(get_session())
    ]
    if not form.validate_on_submit():
        return _course_page(found, form), 400
    try:
        with transaction() as db:
            catalog.set_course_rules(
                db,
                course=catalog.require_course(db, slug),
                competence_codes=list(form.competences.data or []),
                passing_score=form.passing_score.data,
                actor=_actor(),
            )
    except CatalogError as error:
        form.passing_score.errors.append(str(error.message))
        return _course_page(found, form), 400
    flash(_("Kurssin osaamiset ja hyväksymisraja tallennettiin."))
    return redirect(url_for("admin.course", slug=slug))


@bp.get("/versions/<int:version_id>/preview")
@require_role("admin")
def preview(version_id: int) -> Response:
    """Play the version in the browser, nothing recorded. Its files come from the content origin, like the
    player's (why: lms_bridge/packages/content.py), so a package an admin previews cannot act as the admin."""
    found = service.get_version(get_session(), version_id)
    grant = ContentGrant("version", found.id, found.storage_key, found.standard, request_origin())
    return content.unrecorded_viewer(
        "admin/preview.html", found, grant, "admin.preview_frame", course=found.course
    )


@bp.get("/versions/<int:version_id>/content/<token>/")
def preview_frame(version_id: int, token: str) -> Response:
    """The preview's frame page (content origin only): the signed token, from the admin's preview page, is
    the key; the content origin carries no admin session."""
    return content.serve("version", version_id, token, None)


@bp.get("/versions/<int:version_id>/content/<token>/<path:path>")
def preview_file(version_id: int, token: str, path: str) -> Response:
    """A file of the previewed version (content origin only)."""
    return content.serve("version", version_id, token, path)


@bp.get("/supervisors")
@require_role("admin")
def supervisors() -> str:
    db = get_session()
    return render_template(
        "admin/supervisors.html",
        accounts=list_accounts(db, role="supervisor"),
        units=units_by_account(db),
        form=SupervisorForm(),
    )


@bp.post("/supervisors/<username>")
@require_role("admin")
def set_supervisor(username: str) -> BaseResponse | tuple[str, int]:
    form = SupervisorForm()
    if form.validate_on_submit():
        codes = [code for code in re.split(r"[\s,]+", form.units.data or "") if code]
        try:
            with transaction() as db:
                account = require_account(db, username)
                unit_ids = [get_unit_by_code(db, code).id for code in codes]
                assign_units(db, account_id=account.id, unit_ids=unit_ids, actor=_actor())
                set_employee_number(db, account, form.employee_number.data or None, actor=_actor())
        except DomainError as error:
            form.units.errors.append(str(error.message))
        else:
            flash(_("Esihenkilön %(name)s yksiköt tallennettiin.", name=username))
            return redirect(url_for("admin.supervisors"))
    db = get_session()
    page = render_template(
        "admin/supervisors.html",
        accounts=list_accounts(db, role="supervisor"),
        units=units_by_account(db),
        form=form,
        failed=username,
    )
    return page, 400
