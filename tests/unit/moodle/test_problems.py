"""Moodle's errors as admins read them: Finnish, naming the function, saying what to do."""

from __future__ import annotations

import pytest
from flask import Flask
from flask_babel import Babel

from lms_bridge.moodle import errors
from lms_bridge.moodle.problems import explain


def reply(exception: str, errorcode: str, message: str = "m") -> errors.MoodleWebServiceError:
    return errors.error_from_reply("fn", {"exception": exception, "errorcode": errorcode, "message": message})


@pytest.mark.parametrize(
    ("error", "says"),
    [
        (reply("moodle_exception", "invalidtoken"), "Moodle ei tunne tokenia"),
        (
            reply("webservice_access_exception", "accessexception"),
            "Funktio fn ei ole tokenin verkkopalvelussa",
        ),
        (
            reply("required_capability_exception", "nopermissions", "(View reports)"),
            "puuttuu oikeus, jota fn vaatii",
        ),
        (reply("moodle_exception", "cannotviewreport"), "suoritusten seuranta on päällä"),
        (reply("invalid_parameter_exception", "invalidparameter"), "hylkäsi kutsun fn parametrit"),
        (reply("dml_missing_record_exception", "invalidrecord"), "Moodlesta ei löydy kutsun fn kohdetta"),
        (reply("moodle_exception", "nocriteriaset"), "ei ole suoritusehtoja"),
        (reply("moodle_exception", "somethingelse", "Oops"), "virheen somethingelse kutsusta fn: Oops"),
        (errors.MoodleTimeout("fn", "slow", attempts=4), "ei vastannut ajoissa (fn, 4 yritystä)"),
        (errors.MoodleConnectionError("fn", "refused", attempts=2), "Moodleen ei saatu yhteyttä"),
        (errors.MoodleHTTPError("fn", 503, attempts=4), "HTTP-tilalla 503"),
        (errors.UnexpectedReply("fn", "not JSON"), "ei ollut odotetussa muodossa"),
    ],
)
def test_each_moodle_error_has_a_finnish_message(error, says):
    app = Flask(__name__)
    Babel(app)
    with app.test_request_context():
        assert says in explain(error)
