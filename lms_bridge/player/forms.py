"""The demo sign-in's forms (Flask-WTF: CSRF on every form)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField
from wtforms.validators import DataRequired


class DevSignInForm(FlaskForm):  # type: ignore[misc]
    staff = SelectField(_l("Henkilö"), coerce=int, validators=[DataRequired()])
    next = HiddenField()
