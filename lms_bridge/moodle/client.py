"""A typed client for Moodle's REST web services, over one `requests.Session`.

The protocol exactly as Moodle's webservice/rest/server.php takes it: a form-encoded POST with `wstoken`,
`wsfunction`, `moodlewsrestformat=json` and the function's parameters in PHP's array notation
(`courseids[0]=2`, `options[0][name]=userfields`). Moodle answers errors with HTTP 200 and
`{"exception", "errorcode", "message"}`; those become the typed errors of `lms_bridge.moodle.errors`.

Plain arguments in, frozen dataclasses out: no Flask, no SQLAlchemy, so the CLI, a sync loop and tests
can use it alike. Not thread-safe: one client per thread.
"""

from __future__ import annotations

import json
import logging
import time
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal, Self, TypeAlias, TypeVar
from urllib.parse import urlsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3.exceptions import MaxRetryError, NewConnectionError
from urllib3.exceptions import TimeoutError as Urllib3TimeoutError
from urllib3.util.retry import Retry

from lms_bridge.moodle import replies
from lms_bridge.moodle.errors import (
    MoodleConnectionError,
    MoodleHTTPError,
    MoodleTimeout,
    MoodleTransportError,
    UnexpectedReply,
    error_from_reply,
    is_error_reply,
)
from lms_bridge.moodle.replies import (
    ActivityCompletion,
    CourseCompletionStatus,
    CourseModule,
    MoodleUser,
    Sco,
    Scorm,
    ScoTracks,
    SiteInfo,
    UserGrades,
)

logger = logging.getLogger(__name__)

T = TypeVar("T")

REST_PATH = "/webservice/rest/server.php"

# The functions the sync calls, i.e. the ones a site's web service must offer to the token's user.
REQUIRED_FUNCTIONS: tuple[str, ...] = (
    "core_webservice_get_site_info",
    "core_enrol_get_enrolled_users",
    "gradereport_user_get_grade_items",
    "core_completion_get_course_completion_status",
    "core_completion_get_activities_completion_status",
    "mod_scorm_get_scorms_by_courses",
    "mod_scorm_get_scorm_scoes",
    "mod_scorm_get_scorm_sco_tracks",
)
# Called when an admin maps an activity by its course module id (to learn its course), not by the sync.
MAPPING_FUNCTIONS: tuple[str, ...] = ("core_course_get_course_module",)

# Enough to match a Moodle user to a staff member, and to see who worked in the course since the last
# sync (lastcourseaccess). Moodle always adds id and fullname.
MATCHING_USER_FIELDS: tuple[str, ...] = ("id", "username", "idnumber", "email", "roles", "lastcourseaccess")

# PHP drops POST fields past max_input_vars (1,000 by default) without an error, so long value lists
# go in several calls; 3 fields are ours (wstoken, wsfunction, moodlewsrestformat) and 1 is `field`.
MAX_VALUES_PER_CALL = 500

# 5xx that may heal by themselves; 501 and 505 will not.
RETRY_STATUSES = frozenset({500, 502, 503, 504})

Param: TypeAlias = "str | int | float | bool | Sequence[Param] | Mapping[str, Param]"


def encode_params(params: Mapping[str, Param]) -> list[tuple[str, str]]:
    """Flatten parameters into PHP's array notation, in order: {"ids": [2, 3]} -> ids[0]=2, ids[1]=3.

    Booleans become "1"/"0", which Moodle's PARAM_BOOL accepts.
    """
    fields: list[tuple[str, str]] = []

    def add(name: str, value: Param) -> None:
        if isinstance(value, bool):
            fields.append((name, "1" if value else "0"))
        elif isinstance(value, str | int | float):
            fields.append((name, str(value)))
        elif isinstance(value, Mapping):
            for key, item in value.items():
                add(f"{name}[{key}]", item)
        else:
            for index, item in enumerate(value):
                add(f"{name}[{index}]", item)

    for name, value in params.items():
        add(name, value)
    return fields


class _CountingRetry(Retry):
    """urllib3's Retry that reports each retry it grants, so the client can count HTTP requests."""

    def __init__(self, *args: Any, on_retry: Callable[[], None] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.on_retry = on_retry

    def new(self, **kw: Any) -> Self:
        # urllib3 copies the Retry at every step; the callback must travel with the copies.
        retry = super().new(**kw)
        retry.on_retry = self.on_retry
        return retry

    def increment(self, *args: Any, **kwargs: Any) -> Self:
        retry = super().increment(*args, **kwargs)  # raises MaxRetryError when no retry is left
        if self.on_retry is not None:
            self.on_retry()
        return retry


@dataclass
class CallStats:
    """Web-service calls made by one client. `calls` counts each function call once; `retries` counts
    the extra HTTP requests the retries made, so Moodle saw calls + retries requests."""

    calls: int = 0
    retries: int = 0
    by_function: Counter[str] = field(default_factory=Counter)


class MoodleClient:
    """One Moodle site's web services, called with one token."""

    def __init__(
        self,
        base_url: str,
        token: str,
        *,
        connect_timeout: float = 5.0,
        read_timeout: float = 60.0,
        retries: int = 3,
        backoff_factor: float = 0.5,
        backoff_max: float = 30.0,
    ) -> None:
        """`base_url` is the site's wwwroot (https://moodle.example.org or .../moodle).

        Timeouts, connection errors and HTTP 500/502/503/504 are retried `retries` times with
        exponential backoff (urllib3: none before the first retry, then backoff_factor × 2^n seconds,
        at most backoff_max; a 503's Retry-After is honoured). Raises ValueError for a base URL that is
        not http(s).
        """
        parts = urlsplit(base_url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError(f"Moodle base URL must be http(s)://host[/path], got {base_url!r}")
        self.base_url = base_url.rstrip("/")
        self._endpoint = self.base_url + REST_PATH
        self._token = token
        self._timeouts = (connect_timeout, read_timeout)
        self.stats = CallStats()

        retry = _CountingRetry(
            total=retries,
            # urllib3 retries only idempotent methods by default, and never POST. Every function this
            # client calls only reads, so sending one again changes nothing. A function that writes
            # (e.g. mod_scorm_insert_scorm_tracks) must not go through this adapter.
            allowed_methods=frozenset({"POST"}),
            status_forcelist=RETRY_STATUSES,
            backoff_factor=backoff_factor,
            backoff_max=backoff_max,
            # After the last retry, hand back the last 5xx response so the error can say what it was.
            raise_on_status=False,
            on_retry=self._count_retry,
        )
        self._session = requests.Session()
        self._session.headers["User-Agent"] = "lms-bridge moodle-client"
        adapter = HTTPAdapter(max_retries=retry)
        self._session.mount("http://", adapter)
        self._session.mount("https://", adapter)

    def __repr__(self) -> str:
        # Never the token.
        return f"MoodleClient({self.base_url!r})"

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        self._session.close()

    def _count_retry(self) -> None:
        self.stats.retries += 1

    @property
    def calls(self) -> int:
        """Web-service function calls made so far (each once, however often it was retried)."""
        return self.stats.calls

    def call(
        self, function: str, params: Mapping[str, Param] | None = None, *, read_timeout: float | None = None
    ) -> Any:
        """Call `function` with `params` and return its decoded JSON reply.

        Raises MoodleWebServiceError (a subclass where one fits) for Moodle's error replies,
        MoodleTransportError when no usable reply came after the retries, UnexpectedReply for a 200
        that is not JSON.
        """
        form = [
            ("wstoken", self._token),
            ("wsfunction", function),
            ("moodlewsrestformat", "json"),
            *encode_params(params or {}),
        ]
        self.stats.calls += 1
        self.stats.by_function[function] += 1
        retries_before = self.stats.retries
        started = time.monotonic()
        timeout = (self._timeouts[0], read_timeout if read_timeout is not None else self._timeouts[1])
        try:
            # No redirects: a 307/308 would send the form, token included, wherever Moodle points.
            response = self._session.post(self._endpoint, data=form, timeout=timeout, allow_redirects=False)
            body = response.content
        except requests.RequestException as error:
            attempts = 1 + self.stats.retries - retries_before
            raise self._transport_error(function, error, attempts, timeout) from None
        attempts = 1 + self.stats.retries - retries_before
        logger.debug(
            "Moodle %s: HTTP %s in %.3f s, %d attempt(s)",
            function,
            response.status_code,
            time.monotonic() - started,
            attempts,
        )

        try:
            reply = json.loads(body)
        except ValueError:
            reply = _NOT_JSON
        # Moodle 4.3 sends its errors with 200; newer releases may use 4xx. Either way the body decides.
        if is_error_reply(reply):
            raise error_from_reply(function, reply)
        if response.status_code != 200:
            location = response.headers.get("Location")
            raise MoodleHTTPError(
                function,
                response.status_code,
                attempts=attempts,
                detail=f"redirected to {location}: use that as the base URL" if location else "",
            )
        if reply is _NOT_JSON:
            content_type = response.headers.get("Content-Type", "")
            raise UnexpectedReply(function, f"reply is not JSON ({content_type!r}, {len(body)} bytes)")
        return reply

    def _transport_error(
        self, function: str, error: requests.RequestException, attempts: int, timeout: tuple[float, float]
    ) -> MoodleTransportError:
        # The messages name the endpoint and timeouts, never the form: it holds the token.
        if _is_timeout(error):
            connect, read = timeout
            return MoodleTimeout(
                function,
                f"no answer from {self._endpoint} within the timeouts (connect {connect} s, read {read} s)",
                attempts=attempts,
            )
        if isinstance(error, requests.ConnectionError):
            return MoodleConnectionError(
                function, f"cannot connect to {self._endpoint}: {_reason(error)}", attempts=attempts
            )
        return MoodleTransportError(
            function, f"request to {self._endpoint} failed: {type(error).__name__}", attempts=attempts
        )

    def _call(self, function: str, params: Mapping[str, Param], parser: Callable[[Any], T], **kw: Any) -> T:
        return replies.parse(function, self.call(function, params, **kw), parser)

    # --- typed functions --------------------------------------------------------------------------

    def get_site_info(self, *, required: Iterable[str] = REQUIRED_FUNCTIONS) -> SiteInfo:
        """core_webservice_get_site_info: site name, release, and which of `required` the token lacks."""
        info = self._call("core_webservice_get_site_info", {}, replies.parse_site_info)
        return replace(info, missing_functions=tuple(name for name in required if name not in info.functions))

    def get_enrolled_users(
        self,
        course_id: int,
        *,
        user_fields: Sequence[str] | None = None,
        only_active: bool = False,
        with_capability: str | None = None,
        limit_from: int = 0,
        limit_number: int = 0,
        read_timeout: float | None = None,
    ) -> list[MoodleUser]:
        """core_enrol_get_enrolled_users: the users enrolled in a course, in id order.

        `user_fields` limits the reply (Moodle's `userfields` option; MATCHING_USER_FIELDS is enough to
        match staff). Without it Moodle also lists each user's enrolled courses, a query per user.
        `only_active` needs moodle/course:enrolreview; `limit_number` 0 means all.
        Raises RecordMissing for an unknown course, AccessException without moodle/course:viewparticipants.
        """
        options: list[Mapping[str, Param]] = []
        if with_capability:
            options.append({"name": "withcapability", "value": with_capability})
        if only_active:
            options.append({"name": "onlyactive", "value": 1})
        if user_fields is not None:
            options.append({"name": "userfields", "value": ",".join(user_fields)})
        if limit_from:
            options.append({"name": "limitfrom", "value": limit_from})
        if limit_number:
            options.append({"name": "limitnumber", "value": limit_number})
        params: dict[str, Param] = {"courseid": course_id}
        if options:
            params["options"] = options
        return self._call(
            "core_enrol_get_enrolled_users", params, replies.parse_users, read_timeout=read_timeout
        )

    def get_users_by_field(
        self, field: Literal["id", "idnumber", "username", "email"], values: Sequence[str | int]
    ) -> list[MoodleUser]:
        """core_user_get_users_by_field: the users whose `field` is one of `values`, in id order.

        Values that match nobody are left out silently. More than MAX_VALUES_PER_CALL values are
        asked in several calls (PHP would drop the fields past max_input_vars without a word).
        """
        found: list[MoodleUser] = []
        # No values, no call: Moodle would refuse the missing `values` as an invalid parameter.
        for start in range(0, len(values), MAX_VALUES_PER_CALL):
            chunk = list(values[start : start + MAX_VALUES_PER_CALL])
            params: dict[str, Param] = {"field": field, "values": chunk}
            found.extend(self._call("core_user_get_users_by_field", params, replies.parse_users))
        return sorted(found, key=lambda user: user.id)

    def get_course_module(self, cmid: int) -> CourseModule:
        """core_course_get_course_module: the course and module of the activity with course module id `cmid`.

        Raises RecordMissing for an unknown cmid, AccessException when the token's user may not see it.
        """
        reply = self.call("core_course_get_course_module", {"cmid": cmid})
        return replies.parse("core_course_get_course_module", reply, replies.parse_course_module)

    def get_grade_items(
        self,
        course_id: int,
        *,
        user_id: int | None = None,
        group_id: int | None = None,
        read_timeout: float | None = None,
    ) -> list[UserGrades]:
        """gradereport_user_get_grade_items: every grade item of every gradable user of a course.

        Without `user_id` one call answers for all the course's gradable (student) users; that is what
        keeps a sync at one call per course. Needs moodle/grade:viewall for all users. A user not
        enrolled gets the course total only, not an error.
        """
        params: dict[str, Param] = {"courseid": course_id}
        if user_id is not None:
            params["userid"] = user_id
        if group_id is not None:
            params["groupid"] = group_id
        return self._call(
            "gradereport_user_get_grade_items", params, replies.parse_grade_items, read_timeout=read_timeout
        )

    def get_course_completion_status(self, course_id: int, user_id: int) -> CourseCompletionStatus:
        """core_completion_get_course_completion_status: one user's completion of one course.

        One (course, user) per call. Raises NotEnrolled when the user is not enrolled, NoCriteriaSet
        when the course has no completion criteria, AccessException (cannotviewreport) when completion
        is off for the course or the token's user may not see the report.
        """
        params: dict[str, Param] = {"courseid": course_id, "userid": user_id}
        return self._call(
            "core_completion_get_course_completion_status", params, replies.parse_course_completion_status
        )

    def get_activities_completion_status(self, course_id: int, user_id: int) -> list[ActivityCompletion]:
        """core_completion_get_activities_completion_status: the completion flags of one user's activities.

        One (course, user) per call. A user not enrolled gets an empty list, not an error.
        """
        params: dict[str, Param] = {"courseid": course_id, "userid": user_id}
        return self._call(
            "core_completion_get_activities_completion_status", params, replies.parse_activities_completion
        )

    def get_scorms_by_courses(self, course_ids: Sequence[int]) -> list[Scorm]:
        """mod_scorm_get_scorms_by_courses: the SCORM activities of the courses (visible to the token)."""
        params: dict[str, Param] = {"courseids": list(course_ids)}
        return self._call("mod_scorm_get_scorms_by_courses", params, replies.parse_scorms)

    def get_scorm_scoes(self, scorm_id: int, *, organization: str = "") -> list[Sco]:
        """mod_scorm_get_scorm_scoes: the items of a SCORM activity's package, organisations included."""
        params: dict[str, Param] = {"scormid": scorm_id}
        if organization:
            params["organization"] = organization
        return self._call("mod_scorm_get_scorm_scoes", params, replies.parse_scoes)

    def get_scorm_attempt_count(
        self, scorm_id: int, user_id: int, *, ignore_missing_completion: bool = False
    ) -> int:
        """mod_scorm_get_scorm_attempt_count: how many attempts a user made (0 when none).

        Needs mod/scorm:viewreport for another user's count.
        """
        params: dict[str, Param] = {"scormid": scorm_id, "userid": user_id}
        if ignore_missing_completion:
            params["ignoremissingcompletion"] = True
        return self._call("mod_scorm_get_scorm_attempt_count", params, replies.parse_attempt_count)

    def get_scorm_sco_tracks(self, sco_id: int, user_id: int, *, attempt: int = 0) -> ScoTracks:
        """mod_scorm_get_scorm_sco_tracks: a user's stored result for one SCO; `attempt` 0 is the last.

        The way to read other users' SCORM results (mod_scorm_get_scorm_user_data returns the calling
        user's own only); needs mod/scorm:viewreport. An attempt never made gives empty tracks and a
        "notattempted" warning. Raises RecordMissing (cannotfindsco) for an unknown SCO.
        """
        params: dict[str, Param] = {"scoid": sco_id, "userid": user_id, "attempt": attempt}
        return self._call("mod_scorm_get_scorm_sco_tracks", params, replies.parse_sco_tracks)


_NOT_JSON = object()


def _is_timeout(error: requests.RequestException) -> bool:
    if isinstance(error, requests.Timeout):
        return True
    # After the retries run out, requests wraps urllib3's timeout in a plain ConnectionError.
    cause = error.args[0] if error.args else None
    reason = cause.reason if isinstance(cause, MaxRetryError) else cause
    # urllib3's NewConnectionError (refused, unknown host) subclasses ConnectTimeoutError.
    return isinstance(reason, Urllib3TimeoutError) and not isinstance(reason, NewConnectionError)


def _reason(error: requests.RequestException) -> str:
    cause = error.args[0] if error.args else None
    if isinstance(cause, MaxRetryError) and cause.reason is not None:
        return str(cause.reason)
    return str(cause) if cause is not None else type(error).__name__
