"""What the Moodle web-service functions return, as small frozen dataclasses, and their parsers.

Parsers take the decoded JSON of one function's reply and raise `UnexpectedReply` when it lacks what
the function documents. Moodle timestamps (seconds since the epoch, 0 or null for "never") become
aware UTC datetimes or None. Shapes follow Moodle 4.3, as recorded in ../shared/fixtures/moodle/ws/.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeVar

from lms_bridge.moodle.errors import UnexpectedReply

T = TypeVar("T")

# core_completion: activity completion states (lib/completionlib.php COMPLETION_*).
COMPLETION_INCOMPLETE = 0
COMPLETION_COMPLETE = 1
COMPLETION_COMPLETE_PASS = 2
COMPLETION_COMPLETE_FAIL = 3

# Course completion aggregation (COMPLETION_AGGREGATION_*).
AGGREGATION_ALL = 1
AGGREGATION_ANY = 2


def moodle_time(value: Any) -> datetime | None:
    """A Moodle timestamp as an aware UTC datetime; 0, "" and null mean never."""
    if value is None or value == "" or int(value) == 0:
        return None
    return datetime.fromtimestamp(int(value), tz=UTC)


def _text_or_none(value: Any) -> str | None:
    # Moodle leaves idnumber out when it is empty but sends email as "", so both become None:
    # "nothing to match on".
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _float_or_none(value: Any) -> float | None:
    if value is None or value == "":
        return None
    return float(value)


def parse(function: str, reply: Any, parser: Callable[[Any], T]) -> T:
    """Run `parser` on `reply`; a missing key or wrong type becomes UnexpectedReply naming `function`."""
    try:
        return parser(reply)
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        raise UnexpectedReply(function, f"reply not in the documented shape ({error!r})") from error


@dataclass(frozen=True, slots=True)
class ReplyWarning:
    """One entry of a reply's `warnings` list: Moodle's way of saying "partly done"."""

    item: str
    item_id: int | None
    code: str
    message: str


def _warnings(reply: Mapping[str, Any]) -> tuple[ReplyWarning, ...]:
    return tuple(
        ReplyWarning(
            item=str(w.get("item", "")),
            item_id=int(w["itemid"]) if w.get("itemid") not in (None, "") else None,
            code=str(w["warningcode"]),
            message=str(w.get("message", "")),
        )
        for w in reply.get("warnings", [])
    )


# --- core_webservice_get_site_info -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SiteInfo:
    """The site and the token's user, and the functions the token's service offers."""

    site_name: str
    site_url: str
    release: str
    version: str
    user_id: int
    username: str
    functions: frozenset[str]
    # Those of the functions we need that the token's service does not offer (set by the client).
    missing_functions: tuple[str, ...] = ()


def parse_site_info(reply: Any) -> SiteInfo:
    return SiteInfo(
        site_name=str(reply["sitename"]),
        site_url=str(reply["siteurl"]),
        release=str(reply["release"]),
        version=str(reply["version"]),
        user_id=int(reply["userid"]),
        username=str(reply["username"]),
        functions=frozenset(str(f["name"]) for f in reply["functions"]),
    )


# --- users: core_enrol_get_enrolled_users, core_user_get_users_by_field -------------------------------


@dataclass(frozen=True, slots=True)
class MoodleUser:
    """A Moodle user as the user functions return them; absent fields are None (or () for roles)."""

    id: int
    fullname: str
    username: str | None
    idnumber: str | None
    email: str | None
    roles: tuple[str, ...] = ()  # role shortnames in the course (core_enrol_get_enrolled_users only)
    suspended: bool | None = None  # core_user_get_users_by_field only
    # When the user last opened the course (core_enrol_get_enrolled_users only; Moodle updates it at most
    # once a minute while the user works in the course, SCORM player included). None: never.
    last_course_access: datetime | None = None


def _user(raw: Mapping[str, Any]) -> MoodleUser:
    suspended = raw.get("suspended")
    return MoodleUser(
        id=int(raw["id"]),
        fullname=str(raw["fullname"]),
        username=_text_or_none(raw.get("username")),
        idnumber=_text_or_none(raw.get("idnumber")),
        email=_text_or_none(raw.get("email")),
        roles=tuple(str(role["shortname"]) for role in raw.get("roles", [])),
        suspended=bool(suspended) if suspended is not None else None,
        last_course_access=moodle_time(raw.get("lastcourseaccess")),
    )


def parse_users(reply: Any) -> list[MoodleUser]:
    if not isinstance(reply, list):
        raise TypeError(f"expected a list of users, got {type(reply).__name__}")
    return [_user(raw) for raw in reply]


# --- core_course_get_course_module ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CourseModule:
    """An activity's course module: which course it is in and what it is."""

    id: int
    course_id: int
    modname: str
    instance: int
    name: str


def parse_course_module(reply: Any) -> CourseModule:
    cm = reply["cm"]
    return CourseModule(
        id=int(cm["id"]),
        course_id=int(cm["course"]),
        modname=str(cm["modname"]),
        instance=int(cm["instance"]),
        name=str(cm["name"]),
    )


# --- gradereport_user_get_grade_items ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class GradeItem:
    """One grade item of one user. `grade_raw` is None when there is no grade (e.g. a pending LTI score)."""

    id: int
    item_type: str  # "mod", "course", "category", "manual"
    item_module: str | None  # "scorm", "lti", ... for item_type "mod"
    item_instance: int | None
    cmid: int | None
    name: str | None
    grade_raw: float | None
    grade_min: float | None
    grade_max: float | None
    date_graded: datetime | None
    date_submitted: datetime | None


@dataclass(frozen=True, slots=True)
class UserGrades:
    """All grade items of one user in one course (one `usergrades` entry)."""

    course_id: int
    user_id: int
    user_fullname: str
    user_idnumber: str | None
    items: tuple[GradeItem, ...]

    def for_cmid(self, cmid: int) -> GradeItem | None:
        """The grade item of the activity with course module id `cmid`, if it has one."""
        return next((item for item in self.items if item.cmid == cmid), None)

    @property
    def course_total(self) -> GradeItem | None:
        return next((item for item in self.items if item.item_type == "course"), None)


def _grade_item(raw: Mapping[str, Any]) -> GradeItem:
    return GradeItem(
        id=int(raw["id"]),
        item_type=str(raw["itemtype"]),
        item_module=raw.get("itemmodule"),
        item_instance=int(raw["iteminstance"]) if raw.get("iteminstance") is not None else None,
        cmid=int(raw["cmid"]) if raw.get("cmid") is not None else None,
        name=raw.get("itemname"),
        grade_raw=_float_or_none(raw.get("graderaw")),
        grade_min=_float_or_none(raw.get("grademin")),
        grade_max=_float_or_none(raw.get("grademax")),
        date_graded=moodle_time(raw.get("gradedategraded")),
        date_submitted=moodle_time(raw.get("gradedatesubmitted")),
    )


def parse_grade_items(reply: Any) -> list[UserGrades]:
    return [
        UserGrades(
            course_id=int(entry["courseid"]),
            user_id=int(entry["userid"]),
            user_fullname=str(entry["userfullname"]),
            user_idnumber=_text_or_none(entry.get("useridnumber")),
            items=tuple(_grade_item(raw) for raw in entry["gradeitems"]),
        )
        for entry in reply["usergrades"]
    ]


# --- core_completion_get_course_completion_status ----------------------------------------------------


@dataclass(frozen=True, slots=True)
class CompletionCriterion:
    type: int  # COMPLETION_CRITERIA_TYPE_*: 4 activity, 6 grade, 1 self, 7 role, ...
    title: str
    status: str
    complete: bool
    time_completed: datetime | None


@dataclass(frozen=True, slots=True)
class CourseCompletionStatus:
    """One user's completion of one course.

    `time_completed` is derived: Moodle's reply has no course-level time, only each criterion's.
    With aggregation ALL the course is complete when the last criterion is, so it is the latest
    criterion time; with ANY, the earliest complete criterion's time. Moodle itself marks the course
    complete on its next cron run, a little later. None when not completed or no criterion has a time.
    """

    completed: bool
    aggregation: int
    criteria: tuple[CompletionCriterion, ...]

    @property
    def time_completed(self) -> datetime | None:
        if not self.completed:
            return None
        times = [c.time_completed for c in self.criteria if c.complete and c.time_completed is not None]
        if not times:
            return None
        return min(times) if self.aggregation == AGGREGATION_ANY else max(times)


def parse_course_completion_status(reply: Any) -> CourseCompletionStatus:
    status = reply["completionstatus"]
    return CourseCompletionStatus(
        completed=bool(status["completed"]),
        aggregation=int(status["aggregation"]),
        criteria=tuple(
            CompletionCriterion(
                type=int(row["type"]),
                title=str(row["title"]),
                status=str(row["status"]),
                complete=bool(row["complete"]),
                time_completed=moodle_time(row.get("timecompleted")),
            )
            for row in status["completions"]
        ),
    )


# --- core_completion_get_activities_completion_status ------------------------------------------------


@dataclass(frozen=True, slots=True)
class ActivityCompletion:
    """Moodle's completion flag for one activity and user.

    For SCORM this flag is not the evidence: Moodle 4.3.0 leaves it unset for a SCORM 1.2 package that
    reports "incomplete" first and "passed" later; read the SCO tracks for the stored result.
    """

    cmid: int
    modname: str
    instance: int
    state: int  # COMPLETION_INCOMPLETE / _COMPLETE / _COMPLETE_PASS / _COMPLETE_FAIL
    time_completed: datetime | None
    tracking: int  # 0 none, 1 manual, 2 automatic

    @property
    def complete(self) -> bool:
        return self.state in (COMPLETION_COMPLETE, COMPLETION_COMPLETE_PASS)


def parse_activities_completion(reply: Any) -> list[ActivityCompletion]:
    return [
        ActivityCompletion(
            cmid=int(raw["cmid"]),
            modname=str(raw["modname"]),
            instance=int(raw["instance"]),
            state=int(raw["state"]),
            time_completed=moodle_time(raw.get("timecompleted")),
            tracking=int(raw["tracking"]),
        )
        for raw in reply["statuses"]
    ]


# --- mod_scorm_* -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Scorm:
    """A SCORM activity. Settings other than id, cmid, course and name are None when Moodle withholds
    them (the activity is closed, or the token's user may not manage activities)."""

    id: int
    cmid: int
    course_id: int
    name: str
    version: str | None  # "SCORM_1.2", "SCORM_13" (2004), "AICC"
    max_grade: float | None
    grade_method: int | None
    max_attempt: int | None
    completion_status_required: int | None
    completion_score_required: float | None
    warnings: tuple[ReplyWarning, ...] = ()


def parse_scorms(reply: Any) -> list[Scorm]:
    warnings = _warnings(reply)

    def scorm(raw: Mapping[str, Any]) -> Scorm:
        def opt_int(key: str) -> int | None:
            return int(raw[key]) if raw.get(key) is not None else None

        return Scorm(
            id=int(raw["id"]),
            cmid=int(raw["coursemodule"]),
            course_id=int(raw["course"]),
            name=str(raw["name"]),
            version=raw.get("version"),
            max_grade=_float_or_none(raw.get("maxgrade")),
            grade_method=opt_int("grademethod"),
            max_attempt=opt_int("maxattempt"),
            completion_status_required=opt_int("completionstatusrequired"),
            completion_score_required=_float_or_none(raw.get("completionscorerequired")),
            warnings=tuple(w for w in warnings if w.item == "scorm" and w.item_id == int(raw["id"])),
        )

    return [scorm(raw) for raw in reply["scorms"]]


@dataclass(frozen=True, slots=True)
class Sco:
    """An item of a SCORM package's organisation; only those with scorm_type "sco" have tracks."""

    id: int
    scorm_id: int
    identifier: str
    title: str
    launch: str
    scorm_type: str  # "sco", "asset", or "" for an organisation or an item without a resource
    organization: str
    parent: str

    @property
    def is_sco(self) -> bool:
        return self.scorm_type == "sco"


def parse_scoes(reply: Any) -> list[Sco]:
    return [
        Sco(
            id=int(raw["id"]),
            scorm_id=int(raw["scorm"]),
            identifier=str(raw["identifier"]),
            title=str(raw["title"]),
            launch=str(raw["launch"]),
            scorm_type=str(raw["scormtype"]),
            organization=str(raw["organization"]),
            parent=str(raw["parent"]),
        )
        for raw in reply["scoes"]
    ]


def parse_attempt_count(reply: Any) -> int:
    return int(reply["attemptscount"])


@dataclass(frozen=True, slots=True)
class ScoTracks:
    """A user's stored run-time data for one SCO and attempt (mod_scorm_get_scorm_sco_tracks).

    Moodle mixes value types here (score_raw and userid arrive as numbers, cmi values as strings); every
    value is kept as a string. Besides the cmi elements Moodle adds its own summary elements: status,
    score_raw, total_time, session_time, timemodified.
    """

    attempt: int
    tracks: tuple[tuple[str, str], ...]
    warnings: tuple[ReplyWarning, ...] = ()

    def get(self, element: str) -> str | None:
        return next((value for name, value in self.tracks if name == element), None)

    @property
    def attempted(self) -> bool:
        return bool(self.tracks) and not any(w.code == "notattempted" for w in self.warnings)

    @property
    def lesson_status(self) -> str | None:
        """SCORM 1.2 cmi.core.lesson_status (passed, completed, failed, incomplete, browsed, ...)."""
        return self.get("cmi.core.lesson_status")

    @property
    def completion_status(self) -> str | None:
        """SCORM 2004 cmi.completion_status."""
        return self.get("cmi.completion_status")

    @property
    def success_status(self) -> str | None:
        """SCORM 2004 cmi.success_status."""
        return self.get("cmi.success_status")

    @property
    def score_raw(self) -> float | None:
        return _float_or_none(self.get("cmi.core.score.raw") or self.get("cmi.score.raw"))

    @property
    def score_max(self) -> float | None:
        return _float_or_none(self.get("cmi.core.score.max") or self.get("cmi.score.max"))

    @property
    def score_scaled(self) -> float | None:
        """SCORM 2004 cmi.score.scaled (-1..1)."""
        return _float_or_none(self.get("cmi.score.scaled"))

    @property
    def time_modified(self) -> datetime | None:
        """When the latest of these tracks was stored."""
        return moodle_time(self.get("timemodified"))


def _track_value(value: Any) -> str:
    # Numbers arrive as JSON numbers for some elements; keep the text a SCO would have stored.
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return "" if value is None else str(value)


def parse_sco_tracks(reply: Any) -> ScoTracks:
    data = reply["data"]
    return ScoTracks(
        attempt=int(data["attempt"]),
        tracks=tuple((str(t["element"]), _track_value(t["value"])) for t in data["tracks"]),
        warnings=_warnings(reply),
    )
