"""Moodle's error replies become typed errors under one base."""

from __future__ import annotations

from typing import Any

import pytest

from lms_bridge.moodle import errors
from lms_bridge.moodle.errors import (
    AccessException,
    InvalidParameter,
    InvalidToken,
    MoodleError,
    MoodleWebServiceError,
    NoCriteriaSet,
    NotEnrolled,
    RecordMissing,
    error_from_reply,
    is_error_reply,
)

RECORDED = {
    "error__invalid_token": InvalidToken,
    "error__function_not_in_service": AccessException,
    "error__invalid_parameter": InvalidParameter,
    "error__missing_parameter": InvalidParameter,
    "error__user_not_enrolled__course_completion": NotEnrolled,
    "error__course_not_found": RecordMissing,
    "error__function_does_not_exist": RecordMissing,
    "core_completion_get_course_completion_status__nocriteriaset": NoCriteriaSet,
}


def test_every_recorded_error_reply_is_listed_here(moodle_ws_recordings: dict[str, dict[str, Any]]):
    recorded_errors = {stem for stem, r in moodle_ws_recordings.items() if is_error_reply(r["response"])}

    assert recorded_errors == set(RECORDED)


@pytest.mark.parametrize(("stem", "expected"), RECORDED.items())
def test_recorded_error_replies_become_their_typed_error(
    moodle_ws_recordings: dict[str, dict[str, Any]], stem: str, expected: type[MoodleWebServiceError]
):
    recording = moodle_ws_recordings[stem]
    function = recording["request"]["form"]["wsfunction"]

    error = error_from_reply(function, recording["response"])

    assert type(error) is expected
    assert isinstance(error, MoodleError)
    assert error.errorcode == recording["response"]["errorcode"]
    assert error.exception == recording["response"]["exception"]
    assert str(error) == f"{function}: {error.errorcode}: {recording['response']['message']}"


@pytest.mark.parametrize(
    ("exception", "errorcode", "expected"),
    [
        ("required_capability_exception", "nopermissions", AccessException),  # e.g. mod/scorm:viewreport
        ("moodle_exception", "cannotviewreport", AccessException),  # completion off, or no report access
        ("moodle_exception", "nopermissiontoviewgrades", AccessException),
        ("webservice_access_exception", "accessexception", AccessException),  # also an expired token
        ("moodle_exception", "notenroled", NotEnrolled),  # the caller's own completion
        ("moodle_exception", "cannotfindsco", RecordMissing),
        ("dml_missing_record_exception", "someothercode", RecordMissing),  # known by its exception class
        ("moodle_exception", "sitemaintenance", MoodleWebServiceError),  # the generic one
        ("coding_exception", "codingerror", MoodleWebServiceError),
    ],
)
def test_errors_moodle_raises_that_were_not_recorded(exception: str, errorcode: str, expected: type):
    error = error_from_reply("f", {"exception": exception, "errorcode": errorcode, "message": "m"})

    assert type(error) is expected


def test_debuginfo_is_kept_but_not_shown():
    reply = {
        "exception": "dml_read_exception",
        "errorcode": "dmlreadexception",
        "message": "Error reading",
        "debuginfo": "SELECT secret",
    }

    error = error_from_reply("f", reply)

    assert error.debuginfo == "SELECT secret"
    assert "SELECT" not in str(error)


def test_replies_that_are_not_errors():
    assert not is_error_reply({"statuses": [], "warnings": []})
    assert not is_error_reply([{"exception": "x", "message": "a user list, not an error"}])
    assert not is_error_reply(None)


def test_the_tree_in_the_module_docstring_matches_the_classes():
    for name in (
        "MoodleTransportError",
        "MoodleTimeout",
        "MoodleConnectionError",
        "MoodleHTTPError",
        "UnexpectedReply",
        "MoodleWebServiceError",
        "InvalidToken",
        "AccessException",
        "InvalidParameter",
        "RecordMissing",
        "NotEnrolled",
        "NoCriteriaSet",
    ):
        assert name in (errors.__doc__ or "")
        assert issubclass(getattr(errors, name), MoodleError)
    assert issubclass(errors.MoodleTimeout, errors.MoodleTransportError)
    assert issubclass(errors.InvalidToken, errors.MoodleWebServiceError)
