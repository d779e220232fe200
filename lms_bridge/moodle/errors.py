"""Errors raised by the Moodle web-service client.

Every error names the web-service function that failed; none carries the token or the parameters sent.

    MoodleError
    ├── MoodleTransportError        no usable HTTP reply, after the retries that apply
    │   ├── MoodleTimeout           no connection or no answer within the timeouts
    │   ├── MoodleConnectionError   refused, reset, unknown host
    │   └── MoodleHTTPError         a status other than 200 without a Moodle error body (5xx after retries,
    │                               403 when web services or REST are off, 404 for a wrong base URL)
    ├── UnexpectedReply             HTTP 200, but not JSON or not the shape the function documents
    └── MoodleWebServiceError       Moodle's own error reply {"exception", "errorcode", "message"};
        │                           raised as is for every errorcode without a subclass below
        ├── InvalidToken            invalidtoken: no such token (an expired one is an AccessException)
        ├── AccessException         the function is not in the token's service, or the token's user lacks a
        │                           capability or may not see the course, group or report
        ├── InvalidParameter        invalidparameter: a parameter is missing, unexpected or of the wrong type
        ├── RecordMissing           invalidrecord (dml_missing_record_exception): no such course, user,
        │                           SCORM, ... or no such function on this Moodle
        ├── NotEnrolled             usernotenroled / notenroled: the user is not enrolled in the course
        └── NoCriteriaSet           nocriteriaset: the course has completion enabled but no criteria
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


class MoodleError(Exception):
    """Base of every error the Moodle client raises."""

    def __init__(self, function: str, message: str) -> None:
        super().__init__(f"{function}: {message}")
        self.function = function


class MoodleTransportError(MoodleError):
    """Moodle could not be reached or gave no usable reply, after the retries that apply."""

    def __init__(self, function: str, message: str, *, attempts: int) -> None:
        super().__init__(function, f"{message} ({attempts} attempt{'s' if attempts != 1 else ''})")
        self.attempts = attempts


class MoodleTimeout(MoodleTransportError):
    """No connection, or no answer, within the configured timeouts."""


class MoodleConnectionError(MoodleTransportError):
    """The connection was refused or broken, or the host is unknown."""


class MoodleHTTPError(MoodleTransportError):
    """An HTTP status other than 200 that is not a Moodle error reply."""

    def __init__(self, function: str, status: int, *, attempts: int, detail: str = "") -> None:
        message = f"Moodle answered HTTP {status}" + (f", {detail}" if detail else "")
        super().__init__(function, message, attempts=attempts)
        self.status = status


class UnexpectedReply(MoodleError):
    """HTTP 200, but the body is not JSON or not in the shape the function documents."""


class MoodleWebServiceError(MoodleError):
    """Moodle's own error reply (HTTP 200 with exception, errorcode and message).

    Raised as is for error codes that have no subclass; `errorcode` tells them apart.
    """

    def __init__(
        self, function: str, *, exception: str, errorcode: str, message: str, debuginfo: str | None = None
    ) -> None:
        super().__init__(function, f"{errorcode}: {message}")
        self.exception = exception
        self.errorcode = errorcode
        self.moodle_message = message
        # Only present when the site runs with debugging on; may contain SQL, so it is kept off str().
        self.debuginfo = debuginfo


class InvalidToken(MoodleWebServiceError):
    """The token does not exist on this Moodle (mistyped, deleted, or another site's)."""


class AccessException(MoodleWebServiceError):
    """The function is not in the token's service, or its user may not do this.

    Covers webservice_access_exception (function not in the service, expired token, IP restriction),
    required_capability_exception (a missing capability such as mod/scorm:viewreport) and the refusals
    that functions raise themselves (cannotviewreport, nopermissiontoviewgrades, accessdenied, notingroup).
    """


class InvalidParameter(MoodleWebServiceError):
    """A parameter is missing, unexpected or of the wrong type (Moodle does not say which)."""


class RecordMissing(MoodleWebServiceError):
    """No such record: course, user, SCORM, SCO, ... or no such web-service function on this Moodle."""


class NotEnrolled(MoodleWebServiceError):
    """The user is not enrolled in the course (core_completion_get_course_completion_status)."""


class NoCriteriaSet(MoodleWebServiceError):
    """The course has completion enabled but no completion criteria."""


_BY_ERRORCODE: dict[str, type[MoodleWebServiceError]] = {
    "invalidtoken": InvalidToken,
    "accessexception": AccessException,
    "nopermissions": AccessException,
    "cannotviewreport": AccessException,
    "nopermissiontoviewgrades": AccessException,
    "accessdenied": AccessException,
    "notingroup": AccessException,
    "requireloginerror": AccessException,
    "errorcoursecontextnotvalid": AccessException,
    "invalidparameter": InvalidParameter,
    "invalidrecord": RecordMissing,
    "cannotfindsco": RecordMissing,
    "usernotenroled": NotEnrolled,
    "notenroled": NotEnrolled,
    "nocriteriaset": NoCriteriaSet,
}

# Classes whose every instance means the same thing whatever errorcode a Moodle version picks.
_BY_EXCEPTION: dict[str, type[MoodleWebServiceError]] = {
    "webservice_access_exception": AccessException,
    "required_capability_exception": AccessException,
    "require_login_exception": AccessException,
    "invalid_parameter_exception": InvalidParameter,
    "dml_missing_record_exception": RecordMissing,
}


def is_error_reply(reply: object) -> bool:
    """True if a decoded reply is Moodle's error object rather than a function's result."""
    return isinstance(reply, Mapping) and "exception" in reply and "message" in reply


def error_from_reply(function: str, reply: Mapping[str, Any]) -> MoodleWebServiceError:
    """The typed error for Moodle's error object `reply` (see `is_error_reply`)."""
    exception = str(reply.get("exception", ""))
    errorcode = str(reply.get("errorcode", ""))
    cls = _BY_ERRORCODE.get(errorcode) or _BY_EXCEPTION.get(exception) or MoodleWebServiceError
    debuginfo = reply.get("debuginfo")
    return cls(
        function,
        exception=exception,
        errorcode=errorcode,
        message=str(reply.get("message", "")),
        debuginfo=str(debuginfo) if debuginfo is not None else None,
    )
