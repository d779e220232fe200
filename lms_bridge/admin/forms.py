"""Admin forms (Flask-WTF: CSRF on every form)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    HiddenField,
    IntegerField,
    PasswordField,
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    widgets,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional, Regexp


class ImportForm(FlaskForm):  # type: ignore[misc]
    package = FileField(
        _l("SCORM-paketti (zip)"), validators=[FileRequired(_l("Valitse tuotava zip-tiedosto."))]
    )
    course = StringField(
        _l("Kurssin tunniste (vapaaehtoinen)"),
        validators=[
            Optional(),
            Regexp(r"^[a-z0-9][a-z0-9-]{0,99}$", message=_l("Vain pieniä kirjaimia, numeroita ja viivoja.")),
        ],
    )
    new_course = BooleanField(_l("Luo uusi kurssi tällä tunnisteella"))


class RulesForm(FlaskForm):  # type: ignore[misc]
    competences = SelectMultipleField(
        _l("Kurssi tuottaa osaamiset"),
        choices=[],
        widget=widgets.ListWidget(prefix_label=False),
        option_widget=widgets.CheckboxInput(),
        validate_choice=True,
    )
    passing_score = IntegerField(
        _l("Hyväksymisraja prosentteina, jos paketti ei määrää sitä"),
        validators=[Optional(), NumberRange(0, 100, message=_l("Anna luku 0–100."))],
    )


class CurrentVersionForm(FlaskForm):  # type: ignore[misc]
    number = HiddenField()


class SupervisorForm(FlaskForm):  # type: ignore[misc]
    units = StringField(
        _l("Yksiköt, joita esihenkilö näkee"),
        validators=[
            Optional(),
            Regexp(r"^[A-Za-z0-9_.,\s-]*$", message=_l("Yksikkötunnukset pilkuin erotettuina.")),
        ],
    )
    employee_number = StringField(
        _l("Henkilönumero (HR:n esihenkilötiedot seuraavat tätä henkilöä)"),
        validators=[
            Optional(),
            Regexp(r"^[A-Za-z0-9_.-]{1,50}$", message=_l("Henkilönumero ilman välilyöntejä.")),
        ],
    )


class PublishForm(FlaskForm):  # type: ignore[misc]
    audience = RadioField(
        _l("Kenelle kurssi näkyy"),
        choices=[
            SelectChoice("everyone", _l("Kaikille")),
            SelectChoice("chosen", _l("Valituille yksiköille ja tehtävänimikkeille")),
        ],
        default="everyone",
    )
    units = StringField(
        _l("Yksiköt (tunnukset pilkuin erotettuina; alayksiköt mukaan lukien)"),
        validators=[
            Optional(),
            Regexp(r"^[A-Za-z0-9_.,\s-]*$", message=_l("Yksikkötunnukset pilkuin erotettuina.")),
        ],
    )
    job_titles = StringField(
        _l("Tehtävänimikkeet (pilkuin erotettuina)"), validators=[Optional(), Length(max=1000)]
    )
    position = IntegerField(
        _l("Järjestys oppijan listassa (pienin ensin)"),
        validators=[Optional(), NumberRange(0, 100000, message=_l("Anna luku 0–100000."))],
    )


class StatusForm(FlaskForm):  # type: ignore[misc]
    status = HiddenField()


class MoodleSiteForm(FlaskForm):  # type: ignore[misc]
    name = StringField(
        _l("Sivuston nimi"),
        validators=[
            DataRequired(_l("Anna nimi.")),
            Regexp(r"^[a-z0-9][a-z0-9_-]{0,49}$", message=_l("Pieniä kirjaimia, numeroita, - ja _.")),
        ],
    )
    url = StringField(_l("Moodlen osoite"), validators=[DataRequired(_l("Anna osoite."))])
    # A PasswordField never renders its value back: a refused form does not echo the token.
    token = PasswordField(_l("Verkkopalvelun token"), validators=[DataRequired(_l("Anna token."))])


class MoodleTokenForm(FlaskForm):  # type: ignore[misc]
    url = StringField(_l("Moodlen osoite"), validators=[DataRequired(_l("Anna osoite."))])
    token = PasswordField(_l("Uusi token"), validators=[DataRequired(_l("Anna token."))])


class MoodleMappingForm(FlaskForm):  # type: ignore[misc]
    # Choices are set by the view (MAPPING_KINDS), as for the competence list.
    kind = RadioField(_l("Mikä Moodlessa tuottaa osaamisen"), default="course", validators=[DataRequired()])
    moodle_id = IntegerField(
        _l("Kurssin id tai aktiviteetin cmid"),
        validators=[
            DataRequired(_l("Anna tunnus.")),
            NumberRange(1, message=_l("Positiivinen kokonaisluku.")),
        ],
    )
    competence = SelectField(_l("Osaaminen"), choices=[], validate_choice=True)


class ActionForm(FlaskForm):  # type: ignore[misc]
    """A button that changes something: CSRF only."""


MAPPING_KINDS = (("course", _l("Kurssin suoritus (kurssin id)")), ("activity", _l("Aktiviteetti (cmid)")))
