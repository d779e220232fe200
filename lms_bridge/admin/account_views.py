"""Admin pages for sign-in accounts and API tokens: the same auth and register services as
`lms-bridge accounts ...` and `lms-bridge api-token ...`. Views parse the request, call them, render."""

from __future__ import annotations

import re

from flask import abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response as BaseResponse

from lms_bridge.admin.account_forms import AccountForm, PasswordForm, TokenForm
from lms_bridge.admin.register_forms import PlainForm
from lms_bridge.admin.views import _actor, bp
from lms_bridge.auth.accounts import (
    create_account,
    current_account,
    list_accounts,
    require_account,
    require_role,
    set_active,
    set_employee_number,
    set_password,
    unlock,
)
from lms_bridge.auth.throttle import locked_accounts
from lms_bridge.auth.tokens import create_token, list_tokens, revoke_token
from lms_bridge.db import get_session, transaction, utcnow
from lms_bridge.errors import DomainError
from lms_bridge.register.lookups import get_unit_by_code
from lms_bridge.register.scopes import assign_units, units_by_account


def _codes(text: str | None) -> list[str]:
    return [code for code in re.split(r"[\s,]+", text or "") if code]


# ------------------------------------------------------------------------------------------ accounts


def _accounts_page(form: AccountForm, status: int = 200) -> tuple[str, int]:
    db = get_session()
    return (
        render_template(
            "admin/accounts.html",
            accounts=list_accounts(db),
            locked=locked_accounts(db, now=utcnow()),
            units=units_by_account(db),
            form=form,
        ),
        status,
    )


@bp.get("/accounts")
@require_role("admin")
def accounts() -> tuple[str, int]:
    return _accounts_page(AccountForm())


@bp.post("/accounts")
@require_role("admin")
def create_account_view() -> tuple[str, int] | BaseResponse:
    form = AccountForm()
    if not form.validate_on_submit():
        return _accounts_page(form, 400)
    try:
        with transaction() as db:
            unit_ids = [get_unit_by_code(db, code).id for code in _codes(form.units.data)]
            account = create_account(
                db,
                username=form.username.data,
                password=form.password.data,
                role=form.role.data,
                actor=_actor(),
                min_password_length=current_app.config["PASSWORD_MIN_LENGTH"],
            )
            if unit_ids and account.role == "supervisor":  # an admin sees every unit anyway
                assign_units(db, account_id=account.id, unit_ids=unit_ids, actor=_actor())
            if form.employee_number.data:
                set_employee_number(db, account, form.employee_number.data, actor=_actor())
    except DomainError as error:
        field = {"weak_password": form.password, "not_found": form.units}.get(error.code, form.username)
        field.errors.append(str(error.message))
        return _accounts_page(form, error.status)
    flash(_("Tili %(name)s luotu.", name=account.username))
    return redirect(url_for("admin.account", username=account.username))


def _account_page(username: str, password_form: PasswordForm, status: int = 200) -> tuple[str, int]:
    db = get_session()
    account = require_account(db, username)
    return (
        render_template(
            "admin/account.html",
            account=account,
            locked_until=locked_accounts(db, now=utcnow()).get(account.username),
            units=units_by_account(db).get(account.id, []),
            is_self=_is_self(account.id),
            password_form=password_form,
            action_form=PlainForm(),
        ),
        status,
    )


def _is_self(account_id: int) -> bool:
    me = current_account()
    return me is not None and me.id == account_id


@bp.get("/accounts/<username>")
@require_role("admin")
def account(username: str) -> tuple[str, int]:
    return _account_page(username, PasswordForm())


@bp.post("/accounts/<username>/active")
@require_role("admin")
def set_account_active(username: str) -> BaseResponse:
    """Disable (its sessions end at once) or enable an account; an admin cannot disable themselves."""
    form = PlainForm()
    if not form.validate_on_submit():
        abort(400)
    with transaction() as db:
        found = require_account(db, username)
        if found.active and _is_self(found.id):
            flash(_("Et voi poistaa omaa tiliäsi käytöstä."), "error")
            return redirect(url_for("admin.account", username=username))
        set_active(db, found, not found.active, actor=_actor())
        now_active = found.active
    flash(
        _("Tili %(name)s otettu käyttöön.", name=username)
        if now_active
        else _("Tili %(name)s poistettu käytöstä; sen istunnot päättyivät.", name=username)
    )
    return redirect(url_for("admin.account", username=username))


@bp.post("/accounts/<username>/password")
@require_role("admin")
def reset_password(username: str) -> tuple[str, int] | BaseResponse:
    form = PasswordForm()
    if not form.validate_on_submit():
        return _account_page(username, form, 400)
    try:
        with transaction() as db:
            set_password(
                db,
                require_account(db, username),
                form.password.data,
                actor=_actor(),
                min_password_length=current_app.config["PASSWORD_MIN_LENGTH"],
            )
    except DomainError as error:
        if error.status == 404:
            raise
        form.password.errors.append(str(error.message))
        return _account_page(username, form, error.status)
    flash(_("Tilin %(name)s salasana vaihdettu; sen istunnot päättyivät.", name=username))
    return redirect(url_for("admin.account", username=username))


@bp.post("/accounts/<username>/unlock")
@require_role("admin")
def unlock_account(username: str) -> BaseResponse:
    if not PlainForm().validate_on_submit():
        abort(400)
    with transaction() as db:
        lifted = unlock(db, require_account(db, username).username, actor=_actor())
    flash(
        _("Tunnuksen %(name)s lukitus avattu.", name=username)
        if lifted
        else _("Tunnus %(name)s ei ollut lukittu.", name=username)
    )
    return redirect(url_for("admin.account", username=username))


# ---------------------------------------------------------------------------------------- API tokens


def _tokens_page(form: TokenForm, status: int = 200, new_token: str | None = None) -> tuple[str, int]:
    return (
        render_template(
            "admin/tokens.html",
            tokens=list_tokens(get_session()),
            form=form,
            revoke_form=PlainForm(),
            new_token=new_token,
        ),
        status,
    )


@bp.get("/tokens")
@require_role("admin")
def tokens() -> tuple[str, int]:
    return _tokens_page(TokenForm())


@bp.post("/tokens")
@require_role("admin")
def create_token_view() -> tuple[str, int, dict[str, str]] | tuple[str, int]:
    form = TokenForm()
    if not form.validate_on_submit():
        return _tokens_page(form, 400)
    try:
        with transaction() as db:
            token = create_token(db, form.name.data.strip(), actor=_actor())
    except DomainError as error:
        form.name.errors.append(str(error.message))
        return _tokens_page(form, error.status)
    # Shown in this response only, never stored or redirected to: no cache may keep the page either.
    page, status = _tokens_page(TokenForm(formdata=None), new_token=token)
    return page, status, {"Cache-Control": "no-store"}


@bp.post("/tokens/<name>/revoke")
@require_role("admin")
def revoke_token_view(name: str) -> BaseResponse:
    if not PlainForm().validate_on_submit():
        abort(400)
    with transaction() as db:
        revoke_token(db, name, actor=_actor())
    flash(_("Tunnus %(name)s peruttiin; sillä ei enää pääse rajapintaan.", name=name))
    return redirect(url_for("admin.tokens"))
