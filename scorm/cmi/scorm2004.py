"""The SCORM 2004 4th edition run-time data model (RTE 4.2, 4.4 adl.nav), checked on the LMS side.

Error codes (RTE 3.1.7): 301 general get failure (no _children/_count, an index not below
_count), 351 general set failure (an index above _count, a full collection, a duplicate or changed
id), 401 undefined element, 403 value not initialized (GetValue of an element without a value),
404 read-only (also keywords), 405 write-only, 406 type mismatch, 407 out of range, 408 dependency
not established (an objective's or interaction's id first, an interaction's type before responses).
Sizes are the smallest permitted maximums (SPM) of the RTE, used as the maximums.
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
from scorm.cmi.responses import PATTERN_LIMITS, TYPES_2004, check_learner_response, check_pattern
from scorm.cmi.types import (
    URI_CHARS,
    Fault,
    Invalid,
    check_language,
    check_length,
    check_localized,
    check_long_identifier,
    check_range,
    check_timestamp,
    check_vocabulary,
    duration_seconds,
    format_duration,
    parse_real,
    parse_sinteger,
    type_error,
)

COMPLETION = ("completed", "incomplete", "not attempted", "unknown")
SUCCESS = ("passed", "failed", "unknown")
EXITS = ("time-out", "suspend", "logout", "normal", "")
RESULTS = ("correct", "incorrect", "unanticipated", "neutral")
TIME_LIMIT_ACTIONS = ("exit,message", "exit,no message", "continue,message", "continue,no message")

# adl.nav.request (RTE 4.4.1): what a SCO may ask of the sequencer. scorm-again also takes the
# LMS-side requests (start, resumeAll, retry...), an optional leading "_" and choice/jump without target.
_NAV = re.compile(
    r"continue|previous|exit|exitAll|abandon|abandonAll|suspendAll|_none_"
    rf"|\{{target=[{URI_CHARS}]{{1,250}}\}}(?:choice|jump)"
)
_NAV_LAX = re.compile(
    r"_?(?:start|resumeAll|previous|continue|exit|exitAll|abandon|abandonAll|suspendAll|retry|retryAll)"
    r"|_none_|(?:\{target=\S*[A-Za-z0-9_-]\})?(?:choice|jump)"
)
_REQUEST_VALID_TARGET = re.compile(r"adl\.nav\.request_valid\.(choice|jump)\.\{target=[^{}]+\}")


def _chars(limit: int) -> Check:
    return lambda value, strict: check_length(value, limit)


def _localized(limit: int, lax_limit: int | None = None) -> Check:
    """localized_string_type; scorm-again does not cap descriptions (their SPM is a floor)."""
    return lambda value, strict: check_localized(value, limit if strict else lax_limit)


def _vocabulary(*words: str) -> Check:
    return lambda value, strict: check_vocabulary(value, words)


def _real(low: float | None = None, high: float | None = None) -> Check:
    def check(value: str, strict: bool) -> str:
        check_range(parse_real(value), low, high)
        return value

    return check


def _positive(value: str, strict: bool) -> str:
    """delivery_speed: a real above 0 (scorm-again refuses 0: content cannot play at no speed)."""
    check_range(parse_real(value), 0, None)
    if float(value) == 0:
        raise Invalid(Fault.RANGE, "a number above 0")
    return value


def _captioning(value: str, strict: bool) -> str:
    check_range(parse_sinteger(value), -1, 1)
    return value


def _long_id(value: str, strict: bool) -> str:
    return check_long_identifier(value, strict=strict)


def _timestamp(value: str, strict: bool) -> str:
    return check_timestamp(value, strict=strict)


def _duration(value: str, strict: bool) -> str:
    duration_seconds(value, strict=strict)
    return value


def _result(value: str, strict: bool) -> str:
    if value in RESULTS:
        return value
    try:
        parse_real(value)
    except Invalid:
        raise type_error("correct, incorrect, unanticipated, neutral or a number") from None
    return value


def _nav_request(value: str, strict: bool) -> str:
    if not (_NAV if strict else _NAV_LAX).fullmatch(value):
        raise type_error(
            "a navigation request: continue, previous, exit, exitAll, abandon, abandonAll, "
            "suspendAll, _none_, {target=ID}choice or {target=ID}jump"
        )
    return value


def _language(value: str, strict: bool) -> str:
    return check_language(value)


def _number_or_none(value: float | str | None) -> str | None:
    return None if value is None else number_text(value)


RW, RO, WO = Access.READ_WRITE, Access.READ_ONLY, Access.WRITE_ONLY
_SCORE = {
    "score.scaled": Element(RW, _real(-1, 1)),
    "score.raw": Element(RW, _real()),
    "score.min": Element(RW, _real()),
    "score.max": Element(RW, _real()),
}
_COMMENT_LEARNER = {
    "comment": Element(RW, _localized(4000, 4000)),
    "location": Element(RW, _chars(250)),
    "timestamp": Element(RW, _timestamp),
}
_ELEMENTS = {
    **{f"cmi.comments_from_learner.n.{name}": spec for name, spec in _COMMENT_LEARNER.items()},
    **{f"cmi.comments_from_lms.n.{name}": Element(RO, spec.check) for name, spec in _COMMENT_LEARNER.items()},
    "cmi.completion_status": Element(RW, _vocabulary(*COMPLETION), "unknown"),
    "cmi.completion_threshold": Element(RO, _real(0, 1)),
    "cmi.credit": Element(RO, _vocabulary("credit", "no-credit"), "credit"),
    "cmi.entry": Element(RO, _vocabulary("ab-initio", "resume", ""), "ab-initio"),
    "cmi.exit": Element(WO, _vocabulary(*EXITS)),
    "cmi.interactions.n.id": Element(RW, _long_id),
    "cmi.interactions.n.type": Element(RW, _vocabulary(*TYPES_2004)),
    "cmi.interactions.n.objectives.n.id": Element(RW, _long_id),
    "cmi.interactions.n.timestamp": Element(RW, _timestamp),
    "cmi.interactions.n.correct_responses.n.pattern": Element(RW),  # format by type: _after_value
    "cmi.interactions.n.weighting": Element(RW, _real()),
    "cmi.interactions.n.learner_response": Element(RW),  # format by type: _after_value
    "cmi.interactions.n.result": Element(RW, _result),
    "cmi.interactions.n.latency": Element(RW, _duration),
    "cmi.interactions.n.description": Element(RW, _localized(250)),
    "cmi.launch_data": Element(RO, _chars(4000)),
    "cmi.learner_id": Element(RO, _long_id, ""),
    "cmi.learner_name": Element(RO, _localized(250), ""),
    "cmi.learner_preference.audio_level": Element(RW, _real(0), "1"),
    "cmi.learner_preference.language": Element(RW, _language, ""),
    "cmi.learner_preference.delivery_speed": Element(RW, _positive, "1"),
    "cmi.learner_preference.audio_captioning": Element(RW, _captioning, "0"),
    "cmi.location": Element(RW, _chars(1000)),
    "cmi.max_time_allowed": Element(RO, _duration),
    "cmi.mode": Element(RO, _vocabulary("browse", "normal", "review"), "normal"),
    "cmi.objectives.n.id": Element(RW, _long_id),
    **{f"cmi.objectives.n.{name}": spec for name, spec in _SCORE.items()},
    "cmi.objectives.n.success_status": Element(RW, _vocabulary(*SUCCESS), "unknown"),
    "cmi.objectives.n.completion_status": Element(RW, _vocabulary(*COMPLETION), "unknown"),
    "cmi.objectives.n.progress_measure": Element(RW, _real(0, 1)),
    "cmi.objectives.n.description": Element(RW, _localized(250)),
    "cmi.progress_measure": Element(RW, _real(0, 1)),
    "cmi.scaled_passing_score": Element(RO, _real(-1, 1)),
    **{f"cmi.{name}": spec for name, spec in _SCORE.items()},
    "cmi.session_time": Element(WO, _duration),
    "cmi.success_status": Element(RW, _vocabulary(*SUCCESS), "unknown"),
    "cmi.suspend_data": Element(RW, _chars(64000)),
    "cmi.time_limit_action": Element(RO, _vocabulary(*TIME_LIMIT_ACTIONS), "continue,no message"),
    "cmi.total_time": Element(RO, _duration, "PT0H0M0S"),
    "adl.nav.request": Element(RW, _nav_request, "_none_"),
    # This LMS does not sequence: whether a request would be valid is "unknown".
    "adl.nav.request_valid.continue": Element(RO, None, "unknown"),
    "adl.nav.request_valid.previous": Element(RO, None, "unknown"),
    "adl.nav.request_valid.choice.{target}": Element(RO, None, "unknown"),
    "adl.nav.request_valid.jump.{target}": Element(RO, None, "unknown"),
}

SCHEMA = Schema(
    elements=_ELEMENTS,
    collections={  # SPM of each collection (RTE 4.2)
        "cmi.comments_from_learner": 250,
        "cmi.comments_from_lms": 100,
        "cmi.interactions": 250,
        "cmi.interactions.n.objectives": 10,
        "cmi.interactions.n.correct_responses": None,  # by the interaction's type, see _before_value
        "cmi.objectives": 100,
    },
    children={
        "cmi": "_version,comments_from_learner,comments_from_lms,completion_status,completion_threshold,"
        "credit,entry,exit,interactions,launch_data,learner_id,learner_name,learner_preference,location,"
        "max_time_allowed,mode,objectives,progress_measure,scaled_passing_score,score,session_time,"
        "success_status,suspend_data,time_limit_action,total_time",
        "cmi.comments_from_learner": "comment,location,timestamp",
        "cmi.comments_from_lms": "comment,location,timestamp",
        "cmi.interactions": "id,type,objectives,timestamp,correct_responses,weighting,learner_response,"
        "result,latency,description",
        "cmi.learner_preference": "audio_level,language,delivery_speed,audio_captioning",
        "cmi.objectives": "id,score,success_status,completion_status,progress_measure,description",
        "cmi.objectives.n.score": "scaled,raw,min,max",
        "cmi.score": "scaled,raw,min,max",
    },
    version_value="1.0",
)

# scorm-again sets these without the objective's or interaction's id (RTE 4.2: 408).
_NO_ID_NEEDED_LAX = frozenset(
    {
        *(f"cmi.objectives.n.score.{name}" for name in ("scaled", "raw", "min", "max")),
        "cmi.interactions.n.result",
        "cmi.interactions.n.objectives.n.id",
    }
)
_RESPONSES = ("cmi.interactions.n.learner_response", "cmi.interactions.n.correct_responses.n.pattern")


class Scorm2004Model(DataModel):
    """SCORM 2004 (4th edition; 2nd and 3rd edition packages are served by the same rules)."""

    version = "2004"
    schema = SCHEMA
    codes: ClassVar[Mapping[Fault, int]] = {
        Fault.UNDEFINED: 401,
        Fault.KEYWORD: 404,
        Fault.READ_ONLY: 404,
        Fault.WRITE_ONLY: 405,
        Fault.TYPE: 406,
        Fault.RANGE: 407,
        Fault.SET_INDEX: 351,
        Fault.GET_INDEX: 301,
        Fault.NO_CHILDREN: 301,
        Fault.NO_COUNT: 301,
        Fault.NOT_INITIALIZED: 403,
        Fault.DEPENDENCY: 408,
        Fault.GENERAL_SET: 351,
    }
    unset_is_error = True

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
        if mastery_score is not None:
            raise ValueError("SCORM 2004 has no mastery_score: use scaled_passing_score (-1..1)")
        state = self._new_state()
        supplied = {
            "cmi.learner_id": learner_id,
            "cmi.learner_name": learner_name,
            "cmi.entry": entry,
            "cmi.credit": credit,
            "cmi.mode": mode,
            "cmi.launch_data": launch_data,
            "cmi.scaled_passing_score": _number_or_none(scaled_passing_score),
            "cmi.completion_threshold": _number_or_none(completion_threshold),
            "cmi.max_time_allowed": max_time_allowed,
            "cmi.time_limit_action": time_limit_action,
        }
        for element, value in supplied.items():
            if value is not None:
                self._lms_value(state, element, value)
        if len(comments_from_lms) > 100:
            raise ValueError("cmi.comments_from_lms: at most 100 comments")
        for index, comment in enumerate(comments_from_lms):
            for name, value in comment._asdict().items():
                if value or name == "comment":
                    check = SCHEMA.elements[f"cmi.comments_from_lms.n.{name}"].check
                    try:
                        checked = check(value, self.strict) if check else value
                    except Invalid as exc:
                        raise ValueError(f"cmi.comments_from_lms.{index}.{name}: {exc.message}") from None
                    write(state, ["cmi", "comments_from_lms", index, name], checked)
        return state

    def _parse(self, element: object) -> Path:
        if isinstance(element, str) and _REQUEST_VALID_TARGET.fullmatch(element):
            kind = element.split(".")[3]
            return Path(element, f"adl.nav.request_valid.{kind}.{{target}}", ())
        return super()._parse(element)

    def _before_value(self, state: State, path: Path) -> None:
        pattern = path.pattern
        for collection in ("objectives", "interactions"):
            prefix = f"cmi.{collection}.n."
            needs_id = pattern.startswith(prefix) and pattern != prefix + "id"
            if not self.strict and pattern in _NO_ID_NEEDED_LAX:
                needs_id = False
            if needs_id and read(state, ["cmi", collection, path.indexes[0], "id"]) is None:
                raise Invalid(Fault.DEPENDENCY, f"set {prefix}id first")
        if pattern in _RESPONSES:
            kind = read(state, ["cmi", "interactions", path.indexes[0], "type"])
            if not isinstance(kind, str):
                raise Invalid(Fault.DEPENDENCY, "set cmi.interactions.n.type first")
            if pattern.endswith("pattern"):
                patterns = read(state, ["cmi", "interactions", path.indexes[0], "correct_responses"])
                count = len(patterns) if isinstance(patterns, list) else 0
                limit = PATTERN_LIMITS[kind]
                new_entry = path.indexes[1] >= count  # above count only when lax (entries filled)
                if new_entry and path.indexes[1] >= limit and (self.strict or limit == 1):
                    raise Invalid(Fault.GENERAL_SET, f"a {kind} interaction has at most {limit} patterns")

    def _after_value(self, state: State, path: Path, value: str) -> str:
        pattern, indexes = path.pattern, path.indexes
        if pattern in ("cmi.objectives.n.id", "cmi.interactions.n.id"):
            collection = pattern.split(".")[1]
            current = read(state, ["cmi", collection, indexes[0], "id"])
            if current is not None and current != value:
                raise Invalid(Fault.GENERAL_SET, "an id cannot change once set")
            if collection == "objectives":
                self._unique(read(state, ["cmi", "objectives"]), indexes[0], value, "cmi.objectives")
        elif pattern == "cmi.interactions.n.objectives.n.id":
            objectives = read(state, ["cmi", "interactions", indexes[0], "objectives"])
            self._unique(objectives, indexes[1], value, "an interaction's objectives")
        elif pattern in _RESPONSES:
            interaction = read(state, ["cmi", "interactions", indexes[0]])
            if not isinstance(interaction, dict):  # _before_value saw its type: never the case
                raise Invalid(Fault.DEPENDENCY, "set cmi.interactions.n.type first")
            kind = interaction["type"]
            if pattern.endswith("learner_response"):
                return check_learner_response(value, kind, strict=self.strict)
            check_pattern(value, kind, strict=self.strict)
            if self.strict:
                patterns = interaction.get("correct_responses", [])
                if any(i != indexes[1] and p.get("pattern") == value for i, p in enumerate(patterns)):
                    raise Invalid(Fault.GENERAL_SET, "the same pattern is already a correct response")
        return value

    @staticmethod
    def _unique(entries: object, index: int, value: str, where: str) -> None:
        if isinstance(entries, list) and any(
            i != index and entry.get("id") == value for i, entry in enumerate(entries)
        ):
            raise Invalid(Fault.GENERAL_SET, f"ids in {where} must be unique")

    def _computed(self, state: State, path: Path) -> str | None:
        if path.pattern == "cmi.completion_status":
            return self._completion(state)
        if path.pattern == "cmi.success_status":
            return self._success(state)
        return None

    def _completion(self, state: State) -> str:
        """RTE 4.2.4.1: with a completion threshold and a progress measure, the LMS decides."""
        threshold = to_float(self._value(state, "cmi.completion_threshold"))
        progress = to_float(self._value(state, "cmi.progress_measure"))
        if threshold is not None and progress is not None:
            return "completed" if progress >= threshold else "incomplete"
        return self._value(state, "cmi.completion_status") or "unknown"

    def _success(self, state: State) -> str:
        """RTE 4.2.22.1: with a scaled passing score the LMS decides from score.scaled (or unknown)."""
        passing = to_float(self._value(state, "cmi.scaled_passing_score"))
        if passing is not None:
            scaled = to_float(self._value(state, "cmi.score.scaled"))
            if scaled is None:
                return "unknown"
            return "passed" if scaled >= passing else "failed"
        return self._value(state, "cmi.success_status") or "unknown"

    def _seconds(self, state: State, element: str) -> float:
        value = self._value(state, element)
        return duration_seconds(value, strict=False) if value else 0.0

    def _finish(self, state: State) -> None:
        """Terminate: the evaluated statuses are stored, the session time is added to the total, and
        the next session's cmi.entry is "resume" after cmi.exit "suspend" (or a suspendAll request)."""
        write(state, ["cmi", "completion_status"], self._completion(state))
        write(state, ["cmi", "success_status"], self._success(state))
        total = self._seconds(state, "cmi.total_time") + self._seconds(state, "cmi.session_time")
        write(state, ["cmi", "total_time"], format_duration(total))
        suspended = (
            self._value(state, "cmi.exit") == "suspend"
            or self._value(state, "adl.nav.request") == "suspendAll"
        )
        write(state, ["cmi", "entry"], "resume" if suspended else "")
        for element in ("cmi.exit", "cmi.session_time", "adl.nav.request"):
            remove(state, element)

    def summary(self, state: State) -> Summary:
        self._check_state(state)
        session = self._seconds(state, "cmi.session_time")
        interactions = read(state, ["cmi", "interactions"])
        score = {
            name: to_float(self._value(state, f"cmi.score.{name}"))
            for name in ("raw", "min", "max", "scaled")
        }
        return Summary(
            version=self.version,
            completion_status=self._completion(state),
            success_status=self._success(state),
            score_raw=score["raw"],
            score_min=score["min"],
            score_max=score["max"],
            score_scaled=score["scaled"],
            total_time_seconds=self._seconds(state, "cmi.total_time") + session,
            session_time_seconds=session,
            location=self._value(state, "cmi.location") or "",
            suspend_data_length=len(self._value(state, "cmi.suspend_data") or ""),
            interactions_count=len(interactions) if isinstance(interactions, list) else 0,
            entry=self._value(state, "cmi.entry") or "",
            exit=self._value(state, "cmi.exit") or "",
            credit=self._value(state, "cmi.credit") or "",
            mode=self._value(state, "cmi.mode") or "",
        )
