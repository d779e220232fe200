"""The Moodle area's DomainErrors, and Moodle client errors told in Finnish for admins (`explain`).

DomainError
├── MoodleProblem (502)      Moodle refused or did not answer; the message says what to fix
├── SiteError (400)          bad input: a site name, URL, token file or mapping
├── NotFound (404)
│   └── SiteNotFound         no such Moodle site
└── SyncRunning (409)        another sync of the site holds its lock
"""

from __future__ import annotations

from flask_babel import gettext

from lms_bridge.errors import DomainError, NotFound
from lms_bridge.moodle.errors import (
    AccessException,
    InvalidParameter,
    InvalidToken,
    MoodleConnectionError,
    MoodleError,
    MoodleHTTPError,
    MoodleTimeout,
    MoodleWebServiceError,
    NoCriteriaSet,
    NotEnrolled,
    RecordMissing,
    UnexpectedReply,
)


def _(text: str, **values: object) -> str:
    """gettext, typed: the message in the request's (or the default) language."""
    return str(gettext(text, **values))


FUNCTION_NOT_IN_SERVICE = "webservice_access_exception"
MISSING_CAPABILITY = frozenset({"required_capability_exception"})


class MoodleProblem(DomainError):
    status = 502
    code = "moodle"


class SiteError(DomainError):
    code = "invalid"


class SiteNotFound(NotFound):
    pass


class SyncRunning(DomainError):
    status = 409
    code = "sync_running"


def explain(error: MoodleError) -> str:
    """What went wrong, in Finnish, and what to do about it. Never includes the token."""
    function = error.function
    if isinstance(error, InvalidToken):
        return _(
            "Moodle ei tunne tokenia (invalidtoken). Tarkista token tai luo uusi Moodlessa: Sivuston "
            "ylläpito › Palvelin › Verkkopalvelut › Hallinnoi tunnisteita."
        )
    if isinstance(error, AccessException) and error.exception == FUNCTION_NOT_IN_SERVICE:
        return _(
            "Funktio %(function)s ei ole tokenin verkkopalvelussa, tai token on vanhentunut tai rajattu "
            "muihin IP-osoitteisiin. Lisää funktio palveluun: Sivuston ylläpito › Palvelin › "
            "Verkkopalvelut › Ulkoiset palvelut › Funktiot.",
            function=function,
        )
    if isinstance(error, AccessException) and (
        error.exception in MISSING_CAPABILITY or error.errorcode == "nopermissions"
    ):
        return _(
            "Tokenin käyttäjältä puuttuu oikeus, jota %(function)s vaatii (Moodle: %(message)s). Anna "
            "käyttäjän roolille oikeudet, jotka docs/moodle.md luettelee.",
            function=function,
            message=error.moodle_message,
        )
    if isinstance(error, AccessException):
        return _(
            "Moodle ei anna tokenin käyttäjän lukea tätä (%(function)s: %(code)s, %(message)s). Tarkista "
            "käyttäjän oikeudet ja että kurssin suoritusten seuranta on päällä.",
            function=function,
            code=error.errorcode,
            message=error.moodle_message,
        )
    if isinstance(error, NoCriteriaSet):
        return _(
            "Moodle-kurssilla ei ole suoritusehtoja (nocriteriaset), joten kurssisuoritusta ei voi lukea. "
            "Aseta ehdot Moodlessa (Kurssin suoritus) tai liitä osaaminen aktiviteettiin."
        )
    if isinstance(error, NotEnrolled):
        return _("Käyttäjä ei ole kurssilla (usernotenroled).")
    if isinstance(error, InvalidParameter):
        return _(
            "Moodle hylkäsi kutsun %(function)s parametrit (invalidparameter): tunnus on väärää muotoa "
            "tai tämä Moodle-versio odottaa muita parametreja.",
            function=function,
        )
    if isinstance(error, RecordMissing):
        return _(
            "Moodlesta ei löydy kutsun %(function)s kohdetta (%(message)s): kurssi, aktiviteetti tai "
            "funktio puuttuu tästä Moodlesta.",
            function=function,
            message=error.moodle_message,
        )
    if isinstance(error, MoodleWebServiceError):
        return _(
            "Moodle palautti virheen %(code)s kutsusta %(function)s: %(message)s",
            code=error.errorcode,
            function=function,
            message=error.moodle_message,
        )
    if isinstance(error, MoodleTimeout):
        return _(
            "Moodle ei vastannut ajoissa (%(function)s, %(attempts)s yritystä). Yritä myöhemmin uudelleen; "
            "synkronointi jatkaa siitä, mihin se jäi.",
            function=function,
            attempts=error.attempts,
        )
    if isinstance(error, MoodleConnectionError):
        return _(
            "Moodleen ei saatu yhteyttä (%(function)s, %(attempts)s yritystä). Tarkista sivuston osoite ja "
            "että palvelin on käynnissä.",
            function=function,
            attempts=error.attempts,
        )
    if isinstance(error, MoodleHTTPError):
        return _(
            "Moodle vastasi HTTP-tilalla %(status)s kutsuun %(function)s (%(attempts)s yritystä). Tarkista "
            "sivuston osoite ja että verkkopalvelut ja REST-protokolla ovat päällä.",
            status=error.status,
            function=function,
            attempts=error.attempts,
        )
    if isinstance(error, UnexpectedReply):
        return _(
            "Moodlen vastaus kutsuun %(function)s ei ollut odotetussa muodossa. Onko osoite Moodlen "
            "juuriosoite?",
            function=function,
        )
    return _("Moodle-kutsu %(function)s epäonnistui.", function=function)
