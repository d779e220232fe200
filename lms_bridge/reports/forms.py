"""Report forms (Flask-WTF: CSRF on every form). The report filters are GET parameters, not forms."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField
from wtforms.validators import Email, Length, Optional


class DigestForm(FlaskForm):  # type: ignore[misc]
    email = EmailField(
        _l("Sähköpostiosoite"),
        validators=[
            Optional(),
            Email(message=_l("Anna sähköpostiosoite muodossa nimi@esimerkki.fi.")),
            Length(max=254),
        ],
    )
    weekly_digest = BooleanField(
        _l("Lähetä minulle viikoittain kooste yksiköideni puuttuvista ja vanhenevista osaamisista")
    )
