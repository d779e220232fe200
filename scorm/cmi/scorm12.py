"""The SCORM 1.2 run-time data model (RTE 3.4), checked on the LMS side.

Error codes (RTE 3.3.4): 201 invalid argument (an undefined element, or a collection index above
_count), 202 no _children, 203 no _count, 402 a keyword was set, 403 read-only, 404 write-only,
405 incorrect data type (also a number out of range: 1.2 has no range error). 401, "not implemented",
never occurs: every element is implemented.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import ClassVar

from scorm.cmi.model import (
    Access,
    Check,
    DataModel,
    Element,
    LmsComment,
    Path,
    Schema,
    State,
    Summary,
    number_text,
    read,
    remove,
    to_float,
    write,
)
from scorm.cmi.responses import TYPES_12, check_feedback12
from scorm.cmi.types import (
    Fault,
    Invalid,
    check_identifier12,
    check_length,
    check_range,
    check_time12,
    check_vocabulary,
    format_timespan12,
    parse_decimal12,
    parse_sinteger,
    timespan12_seconds,
    type_error,
)

STATUSES = ("passed", "completed", "failed", "incomplete", "browsed")  # what a SCO may set
EXITS = ("time-out", "suspend", "logout", "")
RESULTS = ("correct", "wrong", "unanticipated", "neutral")
_RESULT_LAX = re.compile(r"[0-9]{0,3}(?:\.[0-9]*)?")  # scorm-again's CMIResult number, "" and "." included
TIME_LIMIT_ACTIONS = ("exit,message", "exit,no message", "continue,message", "continue,no message")

# lesson_status -> (completion_status, success_status) in SCORM 2004's words, for Summary.
STATUS_MEANING = {
    "passed": ("completed", "passed"),
    "completed": ("completed", "unknown"),
    "failed": ("completed", "failed"),
    "incomplete": ("incomplete", "unknown"),
    "browsed": ("incomplete", "unknown"),
    "not attempted": ("not attempted", "unknown"),
}


def _string(limit: int, lax_limit: int | None = None) -> Check:
    def check(value: str, strict: bool) -> str:
        return check_length(value, limit if strict or lax_limit is None else lax_limit)

    return check


def _vocabulary(*words: str) -> Check:
    return lambda value, strict: check_vocabulary(value, words)


def _score(value: str, strict: bool) -> str:
    """CMIDecimal 0..100, or blank (CMIBlank: the score is cleared)."""
    if value:
        check_range(parse_decimal12(value), 0, 100)
    return value


def _decimal(low: float, high: float) -> Check:
    def check(value: str, strict: bool) -> str:
        check_range(parse_decimal12(value), low, high)
        return value

    return check


def _sinteger(low: int, high: int) -> Check:
    def check(value: str, strict: bool) -> str:
        check_range(parse_sinteger(value), low, high)
        return value

    return check


def _timespan(value: str, strict: bool) -> str:
    timespan12_seconds(value, strict=strict)
    return value


def _identifier(value: str, strict: bool) -> str:
    return check_identifier12(value, strict=strict)


def _exit(value: str, strict: bool) -> str:
    if not strict and value == "normal":  # a 2004 word; scorm-again stores it as ""
        return ""
    return check_vocabulary(value, EXITS)


def _result(value: str, strict: bool) -> str:
    if not strict and value == "incorrect":  # a 2004 word; scorm-again stores it as "wrong"
        return "wrong"
    if value in RESULTS or (not strict and _RESULT_LAX.fullmatch(value)):
        return value
    try:
        parse_decimal12(value)
    except Invalid:
        raise type_error("correct, wrong, unanticipated, neutral or a number") from None
    return value


def _time_allowed(value: str, strict: bool) -> str:
    return _timespan(value, strict) if value else value


def _mastery(value: str, strict: bool) -> str:
    return _score(value, strict)


RW, RO, WO = Access.READ_WRITE, Access.READ_ONLY, Access.WRITE_ONLY
_ELEMENTS = {
    "cmi.core.student_id": Element(RO, _identifier, ""),
    "cmi.core.student_name": Element(RO, _string(255), ""),
    "cmi.core.lesson_location": Element(RW, _string(255), ""),
    "cmi.core.credit": Element(RO, _vocabulary("credit", "no-credit"), "credit"),
    "cmi.core.lesson_status": Element(RW, _vocabulary(*STATUSES), "not attempted"),
    "cmi.core.entry": Element(RO, _vocabulary("ab-initio", "resume", ""), "ab-initio"),
    "cmi.core.score.raw": Element(RW, _score, ""),
    "cmi.core.score.min": Element(RW, _score, ""),
    "cmi.core.score.max": Element(RW, _score, ""),
    "cmi.core.total_time": Element(RO, _timespan, "0000:00:00"),
    "cmi.core.lesson_mode": Element(RO, _vocabulary("normal", "browse", "review"), "normal"),
    "cmi.core.exit": Element(WO, _exit),
    "cmi.core.session_time": Element(WO, _timespan),
    # CMIString4096; scorm-again allows 64000 for content that outgrew 1.2's limit.
    "cmi.suspend_data": Element(RW, _string(4096, 64000), ""),
    "cmi.launch_data": Element(RO, _string(4096), ""),
    "cmi.comments": Element(RW, _string(4096), ""),
    "cmi.comments_from_lms": Element(RO, _string(4096), ""),
    "cmi.objectives.n.id": Element(RW, _identifier, ""),
    "cmi.objectives.n.score.raw": Element(RW, _score, ""),
    "cmi.objectives.n.score.min": Element(RW, _score, ""),
    "cmi.objectives.n.score.max": Element(RW, _score, ""),
    "cmi.objectives.n.status": Element(RW, _vocabulary(*STATUSES, "not attempted"), ""),
    "cmi.student_data.mastery_score": Element(RO, _mastery, ""),
    "cmi.student_data.max_time_allowed": Element(RO, _time_allowed, ""),
    "cmi.student_data.time_limit_action": Element(RO, _vocabulary(*TIME_LIMIT_ACTIONS, ""), ""),
    "cmi.student_preference.audio": Element(RW, _sinteger(-1, 100), ""),
    "cmi.student_preference.language": Element(RW, _string(255), ""),
    "cmi.student_preference.speed": Element(RW, _sinteger(-100, 100), ""),
    "cmi.student_preference.text": Element(RW, _sinteger(-1, 1), ""),
    "cmi.interactions.n.id": Element(WO, _identifier),
    "cmi.interactions.n.objectives.n.id": Element(WO, _identifier),
    "cmi.interactions.n.time": Element(WO, lambda value, strict: check_time12(value)),
    "cmi.interactions.n.type": Element(WO, _vocabulary(*TYPES_12)),
    "cmi.interactions.n.correct_responses.n.pattern": Element(WO),  # format by type: _after_value
    "cmi.interactions.n.weighting": Element(WO, _decimal(-100, 100)),
    "cmi.interactions.n.student_response": Element(WO),  # format by type: _after_value
    "cmi.interactions.n.result": Element(WO, _result),
    "cmi.interactions.n.latency": Element(WO, _timespan),
}

SCHEMA = Schema(
    elements=_ELEMENTS,
    # SCORM 1.2 sets no limits on collections.
    collections={
        "cmi.objectives": None,
        "cmi.interactions": None,
        "cmi.interactions.n.objectives": None,
        "cmi.interactions.n.correct_responses": None,
    },
    children={
        "cmi": "core,suspend_data,launch_data,comments,objectives,student_data,student_preference,"
        "interactions",
        "cmi.core": "student_id,student_name,lesson_location,credit,lesson_status,entry,score,total_time,"
        "lesson_mode,exit,session_time",
        "cmi.core.score": "raw,min,max",
        "cmi.objectives": "id,score,status",
        "cmi.objectives.n.score": "raw,min,max",
        "cmi.student_data": "mastery_score,max_time_allowed,time_limit_action",
        "cmi.student_preference": "audio,language,speed,text",
        "cmi.interactions": "id,objectives,time,type,correct_responses,weighting,student_response,result,"
        "latency",
    },
    version_value="3.4",
)


class Scorm12Model(DataModel):
    """SCORM 1.2: cmi.core.*, suspend and launch data, comments, objectives, student data and
    preferences, and write-only interactions."""

    version = "1.2"
    schema = SCHEMA
    codes: ClassVar[Mapping[Fault, int]] = {
        Fault.UNDEFINED: 201,
        Fault.KEYWORD: 402,
        Fault.READ_ONLY: 403,
        Fault.WRITE_ONLY: 404,
        Fault.TYPE: 405,
        Fault.RANGE: 405,
        Fault.SET_INDEX: 201,
        Fault.GET_INDEX: 201,
        Fault.NO_CHILDREN: 202,
        Fault.NO_COUNT: 203,
        Fault.NOT_INITIALIZED: 201,  # not raised: 1.2 reads an unset element as ""
        Fault.DEPENDENCY: 201,  # not raised: 1.2 has no dependencies between elements
        Fault.GENERAL_SET: 201,  # not raised: 1.2 collections have no limit
    }
    unset_is_error = False

    def initial_state(
        self,
        *,
        learner_id: str,
        learner_name: str,
        entry: str = "ab-initio",
        credit: str = "credit",
        mode: str = "normal",
        launch_data: str | None = None,
        mastery_score: float | str | None = None,
        scaled_passing_score: float | str | None = None,
        completion_threshold: float | str | None = None,
        max_time_allowed: str | None = None,
        time_limit_action: str | None = None,
        comments_from_lms: Sequence[LmsComment] = (),
    ) -> State:
        if scaled_passing_score is not None or completion_threshold is not None:
            raise ValueError(
                "SCORM 1.2 has no scaled_passing_score or completion_threshold: use mastery_score"
            )
        state = self._new_state()
        supplied = {
            "cmi.core.student_id": learner_id,
            "cmi.core.student_name": learner_name,
            "cmi.core.entry": entry,
            "cmi.core.credit": credit,
            "cmi.core.lesson_mode": mode,
            "cmi.launch_data": launch_data,
            "cmi.student_data.mastery_score": None if mastery_score is None else number_text(mastery_score),
            "cmi.student_data.max_time_allowed": max_time_allowed,
            "cmi.student_data.time_limit_action": time_limit_action,
            "cmi.comments_from_lms": "\n".join(c.comment for c in comments_from_lms) or None,
        }
        for element, value in supplied.items():
            if value is not None:
                self._lms_value(state, element, value)
        return state

    def _after_value(self, state: State, path: Path, value: str) -> str:
        if path.pattern in (
            "cmi.interactions.n.student_response",
            "cmi.interactions.n.correct_responses.n.pattern",
        ):
            kind = read(state, ["cmi", "interactions", path.indexes[0], "type"])
            return check_feedback12(value, kind if isinstance(kind, str) else None, strict=self.strict)
        return value

    def _core(self, state: State, name: str) -> str:
        return self._value(state, f"cmi.core.{name}") or ""

    def _finish(self, state: State) -> None:
        """LMSFinish as RTE 3.4.2.2.3 and the 1.2 conformance requirements say (and Moodle does):

        a status the SCO never set becomes "completed" ("browsed" in browse mode); then, in normal
        mode for credit with a mastery score and a raw score, the LMS decides passed/failed, unless
        the SCO said "incomplete".
        """
        status = self._core(state, "lesson_status")
        mode, credit = self._core(state, "lesson_mode"), self._core(state, "credit")
        if status == "not attempted":
            status = "browsed" if mode == "browse" else "completed"
        mastery = to_float(self._value(state, "cmi.student_data.mastery_score"))
        raw = to_float(self._core(state, "score.raw"))
        judged = mode == "normal" and credit == "credit" and status != "incomplete"
        if judged and mastery is not None and raw is not None:
            status = "passed" if raw >= mastery else "failed"
        write(state, ["cmi", "core", "lesson_status"], status)
        total = self._seconds(state, "total_time") + self._seconds(state, "session_time")
        write(state, ["cmi", "core", "total_time"], format_timespan12(total))
        write(state, ["cmi", "core", "entry"], "resume" if self._core(state, "exit") == "suspend" else "")
        remove(state, "cmi.core.exit")
        remove(state, "cmi.core.session_time")

    def _seconds(self, state: State, name: str) -> float:
        value = self._core(state, name)
        return timespan12_seconds(value, strict=False) if value else 0.0

    def summary(self, state: State) -> Summary:
        self._check_state(state)
        completion, success = STATUS_MEANING.get(self._core(state, "lesson_status"), ("unknown", "unknown"))
        raw, low, high = (to_float(self._core(state, f"score.{name}")) for name in ("raw", "min", "max"))
        scaled = None
        if raw is not None:
            bottom, top = low or 0.0, 100.0 if high is None else high
            scaled = min(max((raw - bottom) / (top - bottom), 0.0), 1.0) if top > bottom else None
        session = self._seconds(state, "session_time")
        interactions = read(state, ["cmi", "interactions"])
        return Summary(
            version=self.version,
            completion_status=completion,
            success_status=success,
            score_raw=raw,
            score_min=low,
            score_max=high,
            score_scaled=scaled,
            total_time_seconds=self._seconds(state, "total_time") + session,
            session_time_seconds=session,
            location=self._core(state, "lesson_location"),
            suspend_data_length=len(self._value(state, "cmi.suspend_data") or ""),
            interactions_count=len(interactions) if isinstance(interactions, list) else 0,
            entry=self._core(state, "entry"),
            exit=self._core(state, "exit"),
            credit=self._core(state, "credit"),
            mode=self._core(state, "lesson_mode"),
        )
