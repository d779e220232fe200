"""CSV imports in the browser: upload → a dry-run preview → confirm → the real import, all or nothing.

The same import services as `lms-bridge units|staff|completions import`, with the same rules (the staff
import's mass-deactivation stop included). The uploaded bytes wait on the server (admin/uploads.py) between
the preview and the confirmation; the preview is computed again from them, never taken from the browser.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from flask import abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.wrappers import Response as BaseResponse

from lms_bridge.admin import uploads
from lms_bridge.admin.register_forms import ImportConfirmForm, ImportUploadForm, PlainForm
from lms_bridge.admin.views import _actor, bp
from lms_bridge.auth.accounts import current_account, require_role
from lms_bridge.db import get_session, transaction
from lms_bridge.limits import body_limit
from lms_bridge.register.errors import ImportRejected, MassDeactivationStopped, RegisterError
from lms_bridge.register.imports.completions import import_completions
from lms_bridge.register.imports.hr import import_staff, import_units
from lms_bridge.register.imports.summary import ImportSummary

KINDS: dict[str, Any] = {
    "units": _l("Yksiköt"),
    "staff": _l("Henkilöstö"),
    "completions": _l("Suoritukset"),
}


def _importer(kind: str, *, allow_mass_deactivation: bool = False) -> Callable[..., ImportSummary]:
    if kind == "units":
        return import_units
    if kind == "staff":
        return functools.partial(
            import_staff,
            max_deactivate_share=current_app.config["IMPORT_MAX_DEACTIVATE_SHARE"],
            allow_mass_deactivation=allow_mass_deactivation,
        )
    return import_completions


def _account_id() -> int:
    account = current_account()
    if account is None:  # require_role let the request in: cannot happen
        abort(403)
    return account.id


def _imports_page(forms: dict[str, ImportUploadForm] | None = None, **extra: Any) -> str:
    forms = forms or {}
    return render_template(
        "admin/imports.html",
        kinds=KINDS,
        forms={kind: forms.get(kind) or ImportUploadForm(prefix=kind) for kind in KINDS},
        **extra,
    )


@bp.get("/imports")
@require_role("admin")
def imports() -> str:
    return _imports_page()


@bp.post("/imports/<kind>")
@body_limit("MAX_UPLOAD_BYTES")
@require_role("admin")
def upload_import(kind: str) -> tuple[str, int] | BaseResponse:
    if kind not in KINDS:
        abort(404)
    form = ImportUploadForm(prefix=kind)
    if not form.validate_on_submit():
        return _imports_page({kind: form}), 400
    data = form.file.data.read()
    filename = form.file.data.filename or "tiedosto.csv"
    try:
        _dry_run(kind, data)
    except ImportRejected as error:
        return _refused(kind, filename, error.report), 400
    except RegisterError as error:  # not a CSV we can read: the header, the encoding, an empty file
        form.file.errors.append(str(error.message))
        return _imports_page({kind: form}), 400
    token = uploads.keep(data, kind=kind, filename=filename, account_id=_account_id())
    return redirect(url_for("admin.import_preview", kind=kind, token=token))


def _dry_run(kind: str, data: bytes) -> ImportSummary:
    """What the import would do. Raises ImportRejected (with every rejected row) or RegisterError."""
    db = get_session()
    try:
        return _importer(kind)(db, data, actor=_actor(), dry_run=True)
    finally:
        db.rollback()  # a dry run writes only inside its own rolled-back SAVEPOINT; end the transaction


def _refused(kind: str, filename: str, report: ImportSummary) -> str:
    return _imports_page(refused=report, refused_kind=kind, refused_name=filename)


def _pending(kind: str, token: str) -> uploads.PendingUpload:
    if kind not in KINDS:
        abort(404)
    pending = uploads.load(token, kind=kind, account_id=_account_id())
    if pending is None:
        flash(
            _(
                "Esikatseltua tiedostoa ei enää ole (tuotu, peruttu tai yli vuorokauden vanha). "
                "Lähetä se uudelleen."
            ),
            "error",
        )
        abort(redirect(url_for("admin.imports")))
    return pending


def _preview_page(
    pending: uploads.PendingUpload, confirm: ImportConfirmForm, status: int = 200
) -> tuple[str, int]:
    try:
        report = _dry_run(pending.kind, pending.data)
    except ImportRejected as error:  # the register changed since the upload: the file no longer fits
        uploads.discard(pending.token)
        return _refused(pending.kind, pending.filename, error.report), 400
    return (
        render_template(
            "admin/import_preview.html",
            kind=pending.kind,
            kind_label=KINDS[pending.kind],
            filename=pending.filename,
            token=pending.token,
            report=report,
            confirm=confirm,
            cancel=PlainForm(),
        ),
        status,
    )


@bp.get("/imports/<kind>/<token>")
@require_role("admin")
def import_preview(kind: str, token: str) -> tuple[str, int]:
    return _preview_page(_pending(kind, token), ImportConfirmForm())


@bp.post("/imports/<kind>/<token>")
@require_role("admin")
def confirm_import(kind: str, token: str) -> tuple[str, int] | BaseResponse:
    pending = _pending(kind, token)
    form = ImportConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    importer = _importer(kind, allow_mass_deactivation=bool(form.allow_mass_deactivation.data))
    try:
        with transaction() as db:
            report = importer(db, pending.data, actor=_actor())
    except MassDeactivationStopped:
        form.allow_mass_deactivation.errors.append(
            _("Tuontia ei tehty. Vahvista passivointi valitsemalla ruutu, jos tiedosto on oikein.")
        )
        return _preview_page(pending, form, 400)
    except ImportRejected as error:
        uploads.discard(token)
        return _refused(kind, pending.filename, error.report), 400
    uploads.discard(token)
    flash(
        _(
            "%(kind)s tuotiin tiedostosta %(name)s: %(summary)s",
            kind=KINDS[kind],
            name=pending.filename,
            summary=report.summary(),
        )
    )
    return redirect(url_for("admin.imports"))


@bp.post("/imports/<kind>/<token>/cancel")
@require_role("admin")
def cancel_import(kind: str, token: str) -> BaseResponse:
    if not PlainForm().validate_on_submit():
        abort(400)
    pending = _pending(kind, token)
    uploads.discard(pending.token)
    flash(_("Tuonti peruttiin; tiedosto %(name)s poistettiin palvelimelta.", name=pending.filename))
    return redirect(url_for("admin.imports"))
