"""Admin pages for Moodle sites: register a site, test its connection, map courses and activities to
competences, start a sync, and see each site's last syncs and unmatched learners. Views parse the
request, call lms_bridge.moodle's services and render; the token is never rendered, only its last 4."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response as BaseResponse

from lms_bridge.admin.forms import (
    MAPPING_KINDS,
    ActionForm,
    MoodleMappingForm,
    MoodleSiteForm,
    MoodleTokenForm,
)
from lms_bridge.admin.views import _actor, bp
from lms_bridge.auth.accounts import require_role
from lms_bridge.catalog.service import list_competences
from lms_bridge.db import get_session, transaction
from lms_bridge.errors import DomainError
from lms_bridge.moodle import lock, runs, sites
from lms_bridge.moodle.models import MoodleSite
from lms_bridge.moodle.runner import starter


def _sites_page(form: MoodleSiteForm) -> str:
    db = get_session()
    all_sites = sites.list_sites(db)
    return render_template(
        "admin/moodle_sites.html",
        sites=all_sites,
        last_runs=runs.last_runs(db),
        running={s.id for s in all_sites if lock.is_running(s)},
        form=form,
    )


@bp.get("/moodle")
@require_role("admin")
def moodle_sites() -> str:
    return _sites_page(MoodleSiteForm())


@bp.post("/moodle")
@require_role("admin")
def moodle_add_site() -> tuple[str, int] | BaseResponse:
    form = MoodleSiteForm()
    if not form.validate_on_submit():
        return _sites_page(form), 400
    try:
        with transaction() as db:
            site = sites.save_site(
                db,
                name=form.name.data,
                base_url=form.url.data,
                token=form.token.data,
                secret_key=current_app.config["SECRET_KEY"],
                actor=_actor(),
            )
    except DomainError as error:
        form.name.errors.append(str(error.message))
        return _sites_page(form), 400
    flash(_("Sivusto %(name)s tallennettiin. Testaa yhteys ja liitä kurssit osaamisiin.", name=site.name))
    return redirect(url_for("admin.moodle_site", name=site.name))


def _mapping_form(form: MoodleMappingForm | None = None) -> MoodleMappingForm:
    form = form or MoodleMappingForm()
    form.kind.choices = list(MAPPING_KINDS)
    form.competence.choices = [(c.code, f"{c.code} – {c.name_fi}") for c in list_competences(get_session())]
    return form


def _site_page(
    site: MoodleSite,
    *,
    mapping_form: MoodleMappingForm | None = None,
    token_form: MoodleTokenForm | None = None,
    connection: sites.ConnectionReport | None = None,
    problem: str | None = None,
) -> str:
    db = get_session()
    return render_template(
        "admin/moodle_site.html",
        site=site,
        mappings=sites.list_mappings(db, site.id),
        recent=runs.recent_runs(db, site.id),
        unmatched=runs.unmatched_users(db, site.id),
        running=lock.is_running(site),
        mapping_form=_mapping_form(mapping_form),
        token_form=token_form or MoodleTokenForm(url=site.base_url),
        action=ActionForm(),
        connection=connection,
        problem=problem,
    )


@bp.get("/moodle/<name>")
@require_role("admin")
def moodle_site(name: str) -> str:
    return _site_page(sites.get_site(get_session(), name))


@bp.post("/moodle/<name>/test")
@require_role("admin")
def moodle_test(name: str) -> tuple[str, int] | str:
    site = sites.get_site(get_session(), name)
    if not ActionForm().validate_on_submit():
        return _site_page(site), 400
    try:
        with sites.client_for(site, current_app.config) as client:
            report = sites.test_connection(client)
    except DomainError as error:
        return _site_page(site, problem=str(error.message)), 502
    return _site_page(site, connection=report)


@bp.post("/moodle/<name>/token")
@require_role("admin")
def moodle_replace_token(name: str) -> tuple[str, int] | BaseResponse:
    site = sites.get_site(get_session(), name)
    form = MoodleTokenForm()
    if form.validate_on_submit():
        try:
            with transaction() as db:
                sites.save_site(
                    db,
                    name=site.name,
                    base_url=form.url.data,
                    token=form.token.data,
                    secret_key=current_app.config["SECRET_KEY"],
                    actor=_actor(),
                    replace=True,
                )
        except DomainError as error:
            form.token.errors.append(str(error.message))
        else:
            flash(_("Sivuston osoite ja token tallennettiin."))
            return redirect(url_for("admin.moodle_site", name=name))
    return _site_page(site, token_form=form), 400


@bp.post("/moodle/<name>/mappings")
@require_role("admin")
def moodle_add_mapping(name: str) -> tuple[str, int] | BaseResponse:
    site = sites.get_site(get_session(), name)
    form = _mapping_form(MoodleMappingForm())
    if form.validate_on_submit():
        try:
            with transaction() as db, sites.client_for(site, current_app.config) as client:
                moodle_id = int(form.moodle_id.data)
                sites.add_mapping(
                    db,
                    site,
                    competence_code=form.competence.data,
                    client=client,
                    actor=_actor(),
                    course_id=moodle_id if form.kind.data == "course" else None,
                    cmid=moodle_id if form.kind.data == "activity" else None,
                )
        except DomainError as error:
            form.moodle_id.errors.append(str(error.message))
        else:
            flash(_("Liitos tallennettiin."))
            return redirect(url_for("admin.moodle_site", name=name))
    return _site_page(site, mapping_form=form), 400


@bp.post("/moodle/<name>/mappings/<int:mapping_id>/delete")
@require_role("admin")
def moodle_remove_mapping(name: str, mapping_id: int) -> tuple[str, int] | BaseResponse:
    site = sites.get_site(get_session(), name)
    if not ActionForm().validate_on_submit():
        return _site_page(site), 400
    with transaction() as db:
        sites.remove_mapping(db, site, mapping_id, actor=_actor())
    flash(_("Liitos poistettiin. Jo kirjatut suoritukset säilyvät."))
    return redirect(url_for("admin.moodle_site", name=name))


@bp.post("/moodle/<name>/sync")
@require_role("admin")
def moodle_sync_now(name: str) -> tuple[str, int] | BaseResponse:
    site = sites.get_site(get_session(), name)
    if not ActionForm().validate_on_submit():
        return _site_page(site), 400
    owner = lock.new_owner()
    try:
        with transaction() as db:
            lock.acquire(db, site, owner)
    except DomainError as error:
        return _site_page(site, problem=str(error.message)), 409
    starter(current_app._get_current_object())(  # type: ignore[attr-defined]
        current_app._get_current_object(),  # type: ignore[attr-defined]
        site.id,
        owner,
        _actor(),
    )
    flash(_("Synkronointi käynnistyi. Päivitä sivu nähdäksesi tuloksen."))
    return redirect(url_for("admin.moodle_site", name=name))
