"""Sign-in forms (Flask-WTF: CSRF on every form)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length


class LoginForm(FlaskForm):  # type: ignore[misc]
    username = StringField(_l("Käyttäjätunnus"), validators=[DataRequired(), Length(max=100)])
    password = PasswordField(_l("Salasana"), validators=[DataRequired(), Length(max=200)])
