"""Flask-Babel: Finnish is the source language of every UI string; sv and en catalogs follow."""

from __future__ import annotations

import datetime as dt

from flask import Flask, current_app, has_request_context, request
from flask_babel import Babel, format_datetime, get_locale


def _select_locale() -> str:
    if not has_request_context():  # CLI commands and background work speak the default language
        return str(current_app.config["BABEL_DEFAULT_LOCALE"])
    languages: list[str] = current_app.config["LANGUAGES"]
    chosen = request.args.get("lang")
    if chosen in languages:
        return chosen
    return request.accept_languages.best_match(languages) or current_app.config["BABEL_DEFAULT_LOCALE"]


def local_time(moment: dt.datetime) -> str:
    """A stored (UTC) time as people here read it: Helsinki time (BABEL_DEFAULT_TIMEZONE), 5.3.2024 klo 9.05.

    For pages and the command line alike (needs the app context)."""
    return str(format_datetime(moment, "d.M.yyyy 'klo' H.mm"))


def local_date(moment: dt.datetime) -> str:
    return str(format_datetime(moment, "d.M.yyyy"))


def init_app(app: Flask) -> None:
    Babel(app, locale_selector=_select_locale)
    app.jinja_env.globals["get_locale"] = get_locale
    app.jinja_env.filters["localtime"] = local_time
    app.jinja_env.filters["localdate"] = local_date
    app.jinja_env.filters["monthlabel"] = lambda moment: format_datetime(moment, "M/yyyy")
