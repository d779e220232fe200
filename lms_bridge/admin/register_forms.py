"""Forms of the register's admin pages: corrections and CSV imports (Flask-WTF: CSRF on every form).

Every validator carries a Finnish message: WTForms' own defaults are English.
"""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, RadioField, SelectChoice, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional


class CorrectionForm(FlaskForm):  # type: ignore[misc]
    action = RadioField(
        _l("Korjaus"),
        choices=[
            SelectChoice("change", _l("Korjaa päivämäärä tai pisteet")),
            SelectChoice("void", _l("Mitätöi: suoritusta ei olisi pitänyt kirjata")),
        ],
        default="change",
        validators=[InputRequired(_l("Valitse, korjataanko vai mitätöidäänkö suoritus."))],
    )
    completed_at = StringField(
        _l("Oikea suorituspäivä"), validators=[Optional(), Length(max=40, message=_l("Liian pitkä."))]
    )
    score = StringField(
        _l("Oikeat pisteet"), validators=[Optional(), Length(max=10, message=_l("Liian pitkä."))]
    )
    reason = TextAreaField(
        _l("Korjauksen syy"),
        validators=[
            DataRequired(_l("Kerro korjauksen syy: se tallentuu muutoslokiin.")),
            Length(max=2000, message=_l("Enintään 2000 merkkiä.")),
        ],
    )

    def validate(self, extra_validators: Any = None) -> bool:
        if not super().validate(extra_validators):
            return False
        if self.action.data == "change" and not (self.completed_at.data or self.score.data):
            self.completed_at.errors.append(_l("Anna oikea päivämäärä, oikeat pisteet tai molemmat."))
            return False
        return True


class ImportUploadForm(FlaskForm):  # type: ignore[misc]
    file = FileField(_l("CSV-tiedosto"), validators=[FileRequired(_l("Valitse tuotava CSV-tiedosto."))])


class ImportConfirmForm(FlaskForm):  # type: ignore[misc]
    allow_mass_deactivation = BooleanField(
        _l("Tiedosto on oikein: passivoi nämä henkilöt, vaikka heitä on tavallista enemmän")
    )


class PlainForm(FlaskForm):  # type: ignore[misc]
    """A button only (cancel, revoke, disable ...): the CSRF token is the whole form."""
