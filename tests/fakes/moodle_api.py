"""The machinery of the fake Moodle's web-service calls: Moodle's error replies, its parameter validation
(external_api::validate_parameters) and the context a function runs in (caller, capabilities)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from tests.fakes.moodle_data import Course, MoodleData, Scorm, User


class MoodleException(Exception):
    """An error Moodle sends back as {"exception", "errorcode", "message"} with HTTP 200."""

    def __init__(self, exception: str, errorcode: str, message: str) -> None:
        super().__init__(f"{errorcode}: {message}")
        self.reply = {"exception": exception, "errorcode": errorcode, "message": message}


def invalid_parameter() -> MoodleException:
    # Moodle's details go to debuginfo, which a production site (debugging off) does not send.
    return MoodleException(
        "invalid_parameter_exception", "invalidparameter", "Invalid parameter value detected"
    )


def missing_record(table: str) -> MoodleException:
    return MoodleException(
        "dml_missing_record_exception", "invalidrecord", f"Can't find data record in database table {table}."
    )


# --- parameter descriptions (external_value / external_multiple_structure / external_single_structure) --

REQUIRED = object()


@dataclass(frozen=True)
class Value:
    type: str  # "int", "bool", "raw", "alpha", "alphanumext"
    default: Any = REQUIRED


@dataclass(frozen=True)
class Many:
    item: Value | Struct
    default: Any = REQUIRED


@dataclass(frozen=True)
class Struct:
    keys: dict[str, Value | Many | Struct]
    default: Any = REQUIRED


Spec = Value | Many | Struct


def validate(spec: Spec, value: Any) -> Any:
    """Moodle's external_api::validate_parameters on PHP-parsed input; raises invalidparameter."""
    if isinstance(spec, Value):
        if not isinstance(value, str):
            raise invalid_parameter()
        return _clean(spec.type, value)
    if not isinstance(value, dict):
        raise invalid_parameter()
    if isinstance(spec, Many):
        return [validate(spec.item, item) for item in value.values()]
    if set(value) - set(spec.keys):  # "Unexpected keys detected in parameter array"
        raise invalid_parameter()
    result = {}
    for key, item_spec in spec.keys.items():
        if key in value:
            result[key] = validate(item_spec, value[key])
        elif item_spec.default is REQUIRED:
            raise invalid_parameter()
        else:
            result[key] = item_spec.default
    return result


def _clean(type_: str, value: str) -> Any:
    # validate_param: the value must equal its cleaned form, so "2" is an int but " 2" and "abc" are not,
    # and PARAM_BOOL takes only "0" and "1".
    if type_ == "int":
        try:
            cleaned = int(value)
        except ValueError:
            raise invalid_parameter() from None
        if str(cleaned) != value:
            raise invalid_parameter()
        return cleaned
    if type_ == "bool":
        if value not in ("0", "1"):
            raise invalid_parameter()
        return value == "1"
    if type_ == "alpha" and not value.isalpha():
        raise invalid_parameter()
    if type_ == "alphanumext" and not all(c.isalnum() or c in "_-" for c in value):
        raise invalid_parameter()
    return value


# --- the call context ----------------------------------------------------------------------------------

CAPABILITY_NAMES = {
    "moodle/course:viewparticipants": "View participants",
    "moodle/course:enrolreview": "Review course enrolments",
    "moodle/role:review": "Review permissions for others",
    "gradereport/user:view": "View your own grade report",
    "moodle/grade:viewall": "View grades of other users",
    "report/progress:view": "View activity completion reports",
    "report/completion:view": "View course completion report",
    "mod/scorm:viewreport": "View reports",
}


@dataclass
class Context:
    data: MoodleData
    caller: User
    service_functions: Sequence[str]
    missing_capabilities: set[str] = field(default_factory=set)

    @property
    def is_admin(self) -> bool:
        return self.caller.id == self.data.admin.id

    def has(self, capability: str) -> bool:
        # The site admin has every capability except those a test took away; other callers (a
        # learner's own token) have none of the report capabilities.
        return self.is_admin and capability not in self.missing_capabilities

    def require(self, capability: str) -> None:
        if not self.has(capability):
            name = CAPABILITY_NAMES.get(capability, capability)
            raise MoodleException(
                "required_capability_exception",
                "nopermissions",
                f"Sorry, but you do not currently have permissions to do that ({name}).",
            )

    def course(self, course_id: int) -> Course:
        course = self.data.courses.get(course_id)
        if course is None:
            raise missing_record("course")
        return course

    def user(self, user_id: int, *, active: bool = False) -> User:
        user = self.data.users.get(user_id)
        if user is None:
            raise missing_record("user")
        if active and user.suspended:  # core_user::require_active_user
            raise MoodleException("moodle_exception", "suspended", "Suspended account")
        return user

    def scorm(self, scorm_id: int) -> Scorm:
        scorm = self.data.scorms.get(scorm_id)
        if scorm is None:
            raise missing_record("scorm")
        return scorm


def php_number(value: float) -> int | float:
    # PHP hands integral numbers over as 85, not 85.0.
    return int(value) if float(value).is_integer() else value
