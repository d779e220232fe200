"""Forms of the accounts and API token pages (Flask-WTF: CSRF on every form; Finnish messages throughout)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import PasswordField, RadioField, SelectChoice, StringField
from wtforms.validators import DataRequired, EqualTo, InputRequired, Length, Optional, Regexp

UNIT_CODES = Regexp(r"^[A-Za-z0-9_.,\s-]*$", message=_l("Yksikkötunnukset pilkuin erotettuina."))


class NewPasswordMixin:
    password = PasswordField(
        _l("Uusi salasana"),
        validators=[DataRequired(_l("Anna salasana.")), Length(max=200, message=_l("Enintään 200 merkkiä."))],
    )
    password_again = PasswordField(
        _l("Salasana uudelleen"),
        validators=[
            DataRequired(_l("Kirjoita salasana toiseen kertaan.")),
            EqualTo("password", message=_l("Salasanat eivät ole samat.")),
        ],
    )


class AccountForm(NewPasswordMixin, FlaskForm):  # type: ignore[misc]
    username = StringField(
        _l("Käyttäjätunnus"),
        validators=[
            DataRequired(_l("Anna käyttäjätunnus.")),
            Length(max=100, message=_l("Enintään 100 merkkiä.")),
        ],
    )
    role = RadioField(
        _l("Rooli"),
        choices=[
            SelectChoice("supervisor", _l("Esihenkilö: näkee annettujen yksiköiden raportit")),
            SelectChoice("admin", _l("Pääkäyttäjä: kaikki ylläpitosivut ja kaikki yksiköt")),
        ],
        default="supervisor",
        validators=[InputRequired(_l("Valitse rooli."))],
    )
    units = StringField(_l("Yksiköt, joita esihenkilö näkee"), validators=[Optional(), UNIT_CODES])
    employee_number = StringField(
        _l("Henkilönumero (vapaaehtoinen)"),
        validators=[
            Optional(),
            Regexp(r"^[A-Za-z0-9_.-]{1,50}$", message=_l("Henkilönumero ilman välilyöntejä.")),
        ],
    )


class PasswordForm(NewPasswordMixin, FlaskForm):  # type: ignore[misc]
    pass


class TokenForm(FlaskForm):  # type: ignore[misc]
    name = StringField(
        _l("Tunnuksen nimi"),
        validators=[
            DataRequired(_l("Anna tunnukselle nimi, esim. moodle-raportointi.")),
            Length(max=100, message=_l("Enintään 100 merkkiä.")),
        ],
    )
