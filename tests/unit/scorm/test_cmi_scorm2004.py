"""SCORM 2004 4th edition data model rules, each with values it must accept and refuse (RTE 4.2, 4.4)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from scorm.cmi import CmiError, DataModel, LmsComment, State

MODEL = DataModel.for_version("2004")
LAX = DataModel.for_version("2004", strict=False)
TYPES = [
    "true-false",
    "choice",
    "fill-in",
    "long-fill-in",
    "likert",
    "matching",
    "performance",
    "sequencing",
    "numeric",
    "other",
]


def fresh(model: DataModel = MODEL, **overrides: Any) -> State:
    arguments: dict[str, Any] = {"learner_id": "EMP1001", "learner_name": "Virtanen, Aino"}
    return model.initial_state(**(arguments | overrides))


def base(model: DataModel = MODEL) -> State:
    """A state with objective 0 and interaction 0 (id only) to write into."""
    return model.apply(fresh(model), [("cmi.objectives.0.id", "obj-1"), ("cmi.interactions.0.id", "q1")])


def typed(kind: str, model: DataModel = MODEL) -> State:
    return model.apply(base(model), [("cmi.interactions.0.type", kind)])


def stored(state: State, element: str) -> object:
    node: Any = state
    for part in element.split("."):
        node = node[int(part)] if part.isdigit() else node.get(part)
    return node


def code_of(model: DataModel, state: State, changes: list[tuple[str, Any]]) -> int:
    with pytest.raises(CmiError) as info:
        model.apply(state, changes)
    return info.value.code


def get_code(state: State, element: str) -> int:
    with pytest.raises(CmiError) as info:
        MODEL.get(state, element)
    assert info.value.element == element
    return info.value.code


# --------------------------------------------------------------------------- values per element

TIMESTAMPS_VALID = (
    "2024",
    "2024-05",
    "2024-05-06",
    "2024-05-06T14",
    "2024-05-06T14:05",
    "2024-05-06T14:05:00",
    "2024-05-06T14:05:00.5",
    "2024-05-06T14:05:00.50Z",
    "2024-05-06T14:05:00.5+02:00",
    "2024-05-06T14:05:00.5-03",
    "2038-01-19T03:14:07.0Z",
    "2024-02-29",
)
TIMESTAMPS_INVALID = (
    "2024-05-06T14:05:00Z",  # a zone needs fractional seconds (RTE A.2)
    "2024-05-06T14:05:00.678Z",  # three decimals: Date.toISOString()
    "2024-13-01",
    "2023-02-29",
    "2024-05-06T24:00:00",
    "1969-12-31",
    "2039-01-01",
    "2024-05-06 14:05:00",
    "2024-5-6",
    "",
)
DURATIONS_VALID = ("PT1H30M5.25S", "P1DT2H", "PT0S", "P1Y2M3D", "PT0.5S", "PT0H0M0S", "P0D", "PT100H")
DURATIONS_INVALID = ("PT", "P", "1H", "PT1.255S", "PT1H30M5.25", "P1W", "PT1.5H", "P1H", "", "00:01:30")
REALS_VALID = ("-12.5", "99999", "0.1234567", "0", "-0.0000001", "1234567890")
REALS_INVALID = ("12345678901", "1,5", ".5", "1e-3", "abc", "", "+1", "1.")

VALID = [
    *(("cmi.completion_status", v) for v in ("completed", "incomplete", "not attempted", "unknown")),
    *(("cmi.success_status", v) for v in ("passed", "failed", "unknown")),
    *(("cmi.exit", v) for v in ("time-out", "suspend", "logout", "normal", "")),
    ("cmi.location", ""),
    ("cmi.location", "x" * 1000),
    ("cmi.suspend_data", ""),
    ("cmi.suspend_data", "x" * 64000),
    *(("cmi.score.scaled", v) for v in ("-1", "1", "0.5", "0")),
    *((f"cmi.score.{p}", v) for p in ("raw", "min", "max") for v in REALS_VALID),
    *(("cmi.progress_measure", v) for v in ("0", "1", "0.25")),
    *(("cmi.session_time", v) for v in DURATIONS_VALID),
    *(("cmi.learner_preference.audio_level", v) for v in ("0", "1", "2.5")),
    *(("cmi.learner_preference.language", v) for v in ("", "fi", "sv-FI", "en-GB", "x-klingon")),
    *(("cmi.learner_preference.delivery_speed", v) for v in ("0.5", "1", "2")),
    *(("cmi.learner_preference.audio_captioning", v) for v in ("-1", "0", "1")),
    ("cmi.comments_from_learner.0.comment", "{lang=fi}Hyvä kurssi"),
    ("cmi.comments_from_learner.0.comment", "x" * 4000),
    ("cmi.comments_from_learner.0.comment", "{lang=en-GB}" + "x" * 4000),
    ("cmi.comments_from_learner.0.comment", ""),
    ("cmi.comments_from_learner.0.location", "x" * 250),
    *(("cmi.comments_from_learner.0.timestamp", v) for v in TIMESTAMPS_VALID),
    ("cmi.objectives.0.id", "obj-1"),  # the same id again
    *(("cmi.objectives.1.id", v) for v in ("obj-2", "urn:example:obj1", "http://example.org/o?a=1")),
    ("cmi.objectives.0.score.scaled", "-0.5"),
    *((f"cmi.objectives.0.score.{p}", "12.5") for p in ("raw", "min", "max")),
    *(("cmi.objectives.0.success_status", v) for v in ("passed", "failed", "unknown")),
    *(
        ("cmi.objectives.0.completion_status", v)
        for v in ("completed", "incomplete", "not attempted", "unknown")
    ),
    *(("cmi.objectives.0.progress_measure", v) for v in ("0", "1", "0.5")),
    ("cmi.objectives.0.description", "{lang=fi}" + "x" * 250),
    ("cmi.interactions.0.id", "q1"),
    ("cmi.interactions.1.id", "q1"),  # interaction ids may repeat (journaling)
    *(("cmi.interactions.0.type", v) for v in TYPES),
    ("cmi.interactions.0.objectives.0.id", "obj-1"),
    ("cmi.interactions.0.objectives.0.id", "urn:example:obj1"),
    *(("cmi.interactions.0.timestamp", v) for v in TIMESTAMPS_VALID[:4]),
    *(("cmi.interactions.0.weighting", v) for v in ("1", "-2.5", "0")),
    *(
        ("cmi.interactions.0.result", v)
        for v in ("correct", "incorrect", "unanticipated", "neutral", "0.5", "-3")
    ),
    *(("cmi.interactions.0.latency", v) for v in DURATIONS_VALID[:3]),
    ("cmi.interactions.0.description", "{lang=fi}Mikä on psykologinen turvallisuus?"),
    ("cmi.interactions.0.description", "x" * 250),
    *(
        ("adl.nav.request", v)
        for v in ("continue", "previous", "exit", "exitAll", "abandon", "abandonAll", "suspendAll", "_none_")
    ),
    ("adl.nav.request", "{target=intro-1}choice"),
    ("adl.nav.request", "{target=sco_2}jump"),
]


@pytest.mark.parametrize(("element", "value"), VALID)
def test_accepts_valid_value(element: str, value: str) -> None:
    state = MODEL.apply(base(), [(element, value)])
    assert stored(state, element) == value
    if element not in ("cmi.exit", "cmi.session_time"):
        assert MODEL.get(state, element) == value


INVALID = [
    *(("cmi.completion_status", v, 406) for v in ("passed", "Completed", "")),
    *(("cmi.success_status", v, 406) for v in ("completed", "")),
    ("cmi.exit", "quit", 406),
    ("cmi.location", "x" * 1001, 406),
    ("cmi.suspend_data", "x" * 64001, 406),
    *(("cmi.score.scaled", v, 407) for v in ("1.01", "-1.5", "2")),
    *(("cmi.score.scaled", v, 406) for v in ("abc", ".5", "1e-3", "")),
    *((f"cmi.score.{p}", v, 406) for p in ("raw", "min", "max") for v in REALS_INVALID),
    *(("cmi.progress_measure", v, 407) for v in ("1.1", "-0.1")),
    ("cmi.progress_measure", "half", 406),
    *(("cmi.session_time", v, 406) for v in DURATIONS_INVALID),
    ("cmi.learner_preference.audio_level", "-0.1", 407),
    ("cmi.learner_preference.audio_level", "loud", 406),
    *(("cmi.learner_preference.language", v, 406) for v in ("f i", "123", "toolonglanguage", "fi_FI")),
    *(("cmi.learner_preference.delivery_speed", v, 407) for v in ("0", "-1")),
    ("cmi.learner_preference.delivery_speed", "fast", 406),
    *(("cmi.learner_preference.audio_captioning", v, 407) for v in ("2", "-2")),
    ("cmi.learner_preference.audio_captioning", "0.5", 406),
    ("cmi.comments_from_learner.0.comment", "x" * 4001, 406),
    ("cmi.comments_from_learner.0.comment", "{lang=}text", 406),
    ("cmi.comments_from_learner.0.comment", "{lang=1x!}text", 406),
    ("cmi.comments_from_learner.0.location", "x" * 251, 406),
    *(("cmi.comments_from_learner.0.timestamp", v, 406) for v in TIMESTAMPS_INVALID),
    *(("cmi.objectives.1.id", v, 406) for v in ("", "a b", "urn:", "urn:x", "urn:-bad:name", "x" * 4001)),
    *(("cmi.objectives.0.success_status", v, 406) for v in ("completed", "")),
    *(("cmi.objectives.0.completion_status", v, 406) for v in ("passed", "")),
    ("cmi.objectives.0.progress_measure", "1.5", 407),
    ("cmi.objectives.0.score.scaled", "-1.1", 407),
    ("cmi.objectives.0.score.raw", "x", 406),
    ("cmi.objectives.0.description", "x" * 251, 406),
    ("cmi.interactions.0.id", "", 406),
    ("cmi.interactions.0.id", "q 1", 406),
    *(("cmi.interactions.0.type", v, 406) for v in ("Choice", "multiple-choice", "")),
    ("cmi.interactions.0.objectives.0.id", "", 406),
    *(("cmi.interactions.0.timestamp", v, 406) for v in TIMESTAMPS_INVALID[:4]),
    ("cmi.interactions.0.weighting", "heavy", 406),
    *(("cmi.interactions.0.result", v, 406) for v in ("wrong", "right", "", "1e2")),
    *(("cmi.interactions.0.latency", v, 406) for v in DURATIONS_INVALID[:4]),
    ("cmi.interactions.0.description", "x" * 251, 406),
    *(
        ("adl.nav.request", v, 406)
        for v in ("start", "choice", "jump", "resumeAll", "retry", "{target=}choice", "_continue", "")
    ),
]


@pytest.mark.parametrize(("element", "value", "code"), INVALID)
def test_refuses_invalid_value(element: str, value: str, code: int) -> None:
    state = base()
    assert code_of(MODEL, state, [(element, value)]) == code
    assert state == base()  # the input is never changed


READ_ONLY = [
    "cmi._version",
    "cmi.comments_from_lms.0.comment",
    "cmi.comments_from_lms.0.location",
    "cmi.comments_from_lms.0.timestamp",
    "cmi.completion_threshold",
    "cmi.credit",
    "cmi.entry",
    "cmi.launch_data",
    "cmi.learner_id",
    "cmi.learner_name",
    "cmi.max_time_allowed",
    "cmi.mode",
    "cmi.scaled_passing_score",
    "cmi.time_limit_action",
    "cmi.total_time",
    "adl.nav.request_valid.continue",
    "adl.nav.request_valid.previous",
    "adl.nav.request_valid.choice.{target=intro.page}",
    "adl.nav.request_valid.jump.{target=sco-2}",
]


def supplied() -> State:
    return fresh(
        launch_data="level=2",
        scaled_passing_score=0.8,
        completion_threshold=0.5,
        max_time_allowed="PT30M",
        time_limit_action="exit,message",
        comments_from_lms=[LmsComment("Muista tauot.", "intro", "2024-05-06T09:00:00")],
    )


@pytest.mark.parametrize("element", READ_ONLY)
def test_read_only_element_is_read_but_not_set(element: str) -> None:
    state = supplied()
    MODEL.get(state, element)
    assert code_of(MODEL, state, [(element, "1")]) == 404


@pytest.mark.parametrize("element", ["cmi.exit", "cmi.session_time"])
def test_write_only_element_cannot_be_read(element: str) -> None:
    state = MODEL.apply(base(), [(element, "suspend" if element == "cmi.exit" else "PT1S")])
    assert get_code(state, element) == 405


def test_interactions_can_be_read_back() -> None:
    state = MODEL.apply(typed("numeric"), [("cmi.interactions.0.learner_response", "18")])
    assert MODEL.get(state, "cmi.interactions.0.id") == "q1"
    assert MODEL.get(state, "cmi.interactions.0.type") == "numeric"
    assert MODEL.get(state, "cmi.interactions.0.learner_response") == "18"


# --------------------------------------------------------------------------- dependencies and ids


@pytest.mark.parametrize(
    ("element", "value"),
    [
        ("cmi.objectives.1.score.raw", "1"),
        ("cmi.objectives.1.success_status", "passed"),
        ("cmi.objectives.1.completion_status", "completed"),
        ("cmi.objectives.1.progress_measure", "0.5"),
        ("cmi.objectives.1.description", "x"),
        ("cmi.interactions.1.type", "choice"),
        ("cmi.interactions.1.timestamp", "2024"),
        ("cmi.interactions.1.weighting", "1"),
        ("cmi.interactions.1.result", "correct"),
        ("cmi.interactions.1.latency", "PT1S"),
        ("cmi.interactions.1.description", "x"),
        ("cmi.interactions.1.objectives.0.id", "obj-1"),
        ("cmi.interactions.0.learner_response", "true"),  # interaction 0 has an id but no type
        ("cmi.interactions.0.correct_responses.0.pattern", "true"),
    ],
)
def test_id_and_type_must_come_first(element: str, value: str) -> None:
    assert code_of(MODEL, base(), [(element, value)]) == 408


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ([("cmi.objectives.1.id", "obj-1")], 351),  # objective ids are unique
        ([("cmi.objectives.0.id", "obj-2")], 351),  # and cannot change once set
        ([("cmi.interactions.0.id", "q2")], 351),
        ([("cmi.interactions.0.objectives.0.id", "o"), ("cmi.interactions.0.objectives.1.id", "o")], 351),
        ([("cmi.objectives.2.id", "obj-3")], 351),  # an index above _count
        ([("cmi.interactions.2.id", "q3")], 351),
        ([("cmi.comments_from_learner.1.comment", "x")], 351),
    ],
)
def test_collection_rules(changes: list[tuple[str, str]], code: int) -> None:
    assert code_of(MODEL, base(), changes) == code


def test_same_id_again_is_fine() -> None:
    state = MODEL.apply(base(), [("cmi.objectives.0.id", "obj-1"), ("cmi.interactions.0.id", "q1")])
    assert MODEL.get(state, "cmi.objectives._count") == "1"


@pytest.mark.parametrize(
    ("collection", "item", "limit"),
    [
        ("cmi.objectives", "id", 100),
        ("cmi.interactions", "id", 250),
        ("cmi.comments_from_learner", "comment", 250),
        ("cmi.interactions.0.objectives", "id", 10),
    ],
)
def test_collections_hold_their_spm(collection: str, item: str, limit: int) -> None:
    start = 1 if collection in ("cmi.objectives", "cmi.interactions") else 0
    changes = [(f"{collection}.{i}.{item}", f"id-{i}") for i in range(start, limit)]
    state = MODEL.apply(base(), changes)
    assert MODEL.get(state, f"{collection}._count") == str(limit)
    assert code_of(MODEL, state, [(f"{collection}.{limit}.{item}", "one-more")]) == 351
    assert LAX.apply(LAX.apply(base(LAX), changes), [(f"{collection}.{limit}.{item}", "one-more")])


# --------------------------------------------------------------------------- responses by type

LEARNER_RESPONSES = [
    ("true-false", "true", True),
    ("true-false", "false", True),
    ("true-false", "t", False),
    ("true-false", "True", False),
    ("choice", "a", True),
    ("choice", "choice_1[,]choice_2", True),
    ("choice", "[,]".join(f"c{i}" for i in range(36)), True),
    ("choice", "[,]".join(f"c{i}" for i in range(37)), False),
    ("choice", "a[,]a", False),
    ("choice", "", False),
    ("choice", "a b", False),
    ("fill-in", "Helsinki", True),
    ("fill-in", "{lang=fi}Helsinki[,]{lang=sv}Helsingfors", True),
    ("fill-in", "", True),
    ("fill-in", "x" * 251, False),
    ("fill-in", "[,]".join("x" * 11), False),
    ("fill-in", "{lang=x y}a", False),
    ("long-fill-in", "x" * 4000, True),
    ("long-fill-in", "{lang=fi}" + "x" * 4000, True),
    ("long-fill-in", "x" * 4001, False),
    ("likert", "strongly_agree", True),
    ("likert", "a b", False),
    ("likert", "", False),
    ("likert", "a[,]b", False),
    ("likert", ".", False),  # a letter, digit or _ is needed
    ("matching", "1[.]a[,]2[.]b", True),
    ("matching", "1[.]a", True),
    ("matching", "1.a", False),
    ("matching", "1[.]", False),
    ("matching", "a b[.]c", False),
    ("performance", "step1[.]answer text", True),
    ("performance", "[.]42", True),
    ("performance", "step1[.]", True),
    ("performance", "[.]", False),
    ("performance", "noseparator", False),
    ("performance", "s[.]a[:]b", False),
    ("sequencing", "a[,]b[,]c", True),
    ("sequencing", "a[,]a", True),
    ("sequencing", "", False),
    ("sequencing", "a b", False),
    ("numeric", "18", True),
    ("numeric", "-2.5", True),
    ("numeric", "1e3", False),
    ("numeric", "", False),
    ("numeric", "1[:]2", False),
    ("other", "anything at all, even [,]", True),
    ("other", "x" * 4000, True),
    ("other", "x" * 4001, False),
]


@pytest.mark.parametrize(("kind", "value", "valid"), LEARNER_RESPONSES)
def test_learner_response_format_follows_type(kind: str, value: str, valid: bool) -> None:
    change = [("cmi.interactions.0.learner_response", value)]
    if valid:
        assert MODEL.get(MODEL.apply(typed(kind), change), "cmi.interactions.0.learner_response") == value
    else:
        assert code_of(MODEL, typed(kind), change) == 406


PATTERNS = [
    ("true-false", "true", True),
    ("true-false", "yes", False),
    ("choice", "a[,]b", True),
    ("choice", "a[,]a", False),
    ("choice", "", False),
    ("fill-in", "{case_matters=true}{order_matters=false}Helsinki[,]Espoo", True),
    ("fill-in", "{order_matters=true}{lang=fi}a", True),
    ("fill-in", "", True),
    ("fill-in", "{case_matters=yes}a", False),
    ("fill-in", "{case_matters=true}{case_matters=true}a", False),
    ("fill-in", "x" * 251, False),
    ("long-fill-in", "{case_matters=false}{lang=fi}pitkä vastaus", True),
    ("long-fill-in", "{order_matters=true}x", False),
    ("likert", "agree", True),
    ("likert", "", False),
    ("matching", "1[.]a[,]2[.]b", True),
    ("matching", "1[.]a[,]2", False),
    ("performance", "{order_matters=false}step1[.]5[:]10[,]step2[.]done", True),
    ("performance", "[.]answer", True),
    ("performance", "step1[.][:]", False),
    ("performance", "[.]", False),
    ("sequencing", "a[,]b", True),
    ("sequencing", "a[,]", False),
    ("numeric", "18", True),
    ("numeric", "10[:]20", True),
    ("numeric", "[:]20", True),
    ("numeric", "10[:]", True),
    ("numeric", "20[:]10", False),
    ("numeric", "[:]", False),
    ("numeric", "ten", False),
    ("other", "any", True),
    ("other", "x" * 4001, False),
]


@pytest.mark.parametrize(("kind", "value", "valid"), PATTERNS)
def test_correct_response_pattern_follows_type(kind: str, value: str, valid: bool) -> None:
    change = [("cmi.interactions.0.correct_responses.0.pattern", value)]
    if valid:
        state = MODEL.apply(typed(kind), change)
        assert MODEL.get(state, "cmi.interactions.0.correct_responses.0.pattern") == value
        assert MODEL.get(state, "cmi.interactions.0.correct_responses._count") == "1"
    else:
        assert code_of(MODEL, typed(kind), change) == 406


@pytest.mark.parametrize(
    ("kind", "limit"), [("true-false", 1), ("choice", 10), ("matching", 5), ("numeric", 1)]
)
def test_pattern_count_is_limited_by_type(kind: str, limit: int) -> None:
    value = {"true-false": "true", "numeric": "{}", "matching": "a[.]{}"}.get(kind, "{}")
    changes = [(f"cmi.interactions.0.correct_responses.{i}.pattern", value.format(i)) for i in range(limit)]
    state = MODEL.apply(typed(kind), changes)
    extra = [(f"cmi.interactions.0.correct_responses.{limit}.pattern", value.format(limit))]
    assert code_of(MODEL, state, extra) == 351


def test_repeated_pattern_is_refused() -> None:
    state = MODEL.apply(typed("choice"), [("cmi.interactions.0.correct_responses.0.pattern", "a")])
    assert code_of(MODEL, state, [("cmi.interactions.0.correct_responses.1.pattern", "a")]) == 351
    again = MODEL.apply(state, [("cmi.interactions.0.correct_responses.0.pattern", "a")])  # same index
    assert MODEL.get(again, "cmi.interactions.0.correct_responses._count") == "1"


# --------------------------------------------------------------------------- keywords and names


@pytest.mark.parametrize(
    ("element", "expected"),
    [
        ("cmi._version", "1.0"),
        ("cmi._children", "_version,comments_from_learner,comments_from_lms,completion_status,"),
        ("cmi.score._children", "scaled,raw,min,max"),
        (
            "cmi.objectives._children",
            "id,score,success_status,completion_status,progress_measure,description",
        ),
        ("cmi.objectives.0.score._children", "scaled,raw,min,max"),
        ("cmi.interactions._children", "id,type,objectives,timestamp,correct_responses,weighting,"),
        ("cmi.comments_from_learner._children", "comment,location,timestamp"),
        ("cmi.comments_from_lms._children", "comment,location,timestamp"),
        ("cmi.learner_preference._children", "audio_level,language,delivery_speed,audio_captioning"),
        ("cmi.objectives._count", "1"),
        ("cmi.interactions._count", "1"),
        ("cmi.interactions.0.objectives._count", "0"),
        ("cmi.interactions.0.correct_responses._count", "0"),
        ("cmi.comments_from_learner._count", "0"),
        ("cmi.comments_from_lms._count", "0"),
    ],
)
def test_keywords_read(element: str, expected: str) -> None:
    assert MODEL.get(base(), element).startswith(expected)


@pytest.mark.parametrize(
    ("element", "code"),
    [
        ("cmi.location._children", 301),
        ("cmi.location._count", 301),
        ("cmi.score._count", 301),
        ("cmi.objectives.1.id", 301),  # not below _count
        ("cmi.interactions.1.objectives._count", 301),
        ("cmi.comments_from_lms.0.comment", 301),
        ("cmi.core.lesson_status", 401),  # a SCORM 1.2 name
        ("cmi.nothing", 401),
        ("cmi", 401),
        ("cmi.objectives", 401),
        ("cmi.objectives.x.id", 401),
        ("cmi.score._version", 401),
        ("adl.nav.request_valid.choice", 401),
        ("", 401),
        ("cmi.location", 403),  # not initialized
        ("cmi.suspend_data", 403),
        ("cmi.score.raw", 403),
        ("cmi.progress_measure", 403),
        ("cmi.completion_threshold", 403),
        ("cmi.scaled_passing_score", 403),
        ("cmi.launch_data", 403),
        ("cmi.max_time_allowed", 403),
        ("cmi.objectives.0.score.scaled", 403),
        ("cmi.interactions.0.type", 403),
    ],
)
def test_get_refuses(element: str, code: int) -> None:
    assert get_code(base(), element) == code


@pytest.mark.parametrize(
    ("element", "expected"),
    [
        ("cmi.completion_status", "unknown"),
        ("cmi.success_status", "unknown"),
        ("cmi.entry", "ab-initio"),
        ("cmi.credit", "credit"),
        ("cmi.mode", "normal"),
        ("cmi.total_time", "PT0H0M0S"),
        ("cmi.time_limit_action", "continue,no message"),
        ("cmi.learner_preference.audio_level", "1"),
        ("cmi.learner_preference.delivery_speed", "1"),
        ("cmi.learner_preference.audio_captioning", "0"),
        ("cmi.learner_preference.language", ""),
        ("cmi.objectives.0.success_status", "unknown"),
        ("cmi.objectives.0.completion_status", "unknown"),
        ("adl.nav.request", "_none_"),
        ("adl.nav.request_valid.continue", "unknown"),
        ("adl.nav.request_valid.choice.{target=intro.page}", "unknown"),
    ],
)
def test_unset_elements_read_as_defaults(element: str, expected: str) -> None:
    assert MODEL.get(base(), element) == expected


@pytest.mark.parametrize(
    "element",
    ["cmi._version", "cmi._children", "cmi.objectives._count", "cmi.interactions.0.objectives._count"],
)
def test_keywords_cannot_be_set(element: str) -> None:
    assert code_of(MODEL, base(), [(element, "1")]) == 404


@pytest.mark.parametrize(
    "element", ["cmi.nothing", "cmi.core.lesson_status", "cmi.interactions.0.student_response"]
)
def test_unknown_element_cannot_be_set(element: str) -> None:
    assert code_of(MODEL, base(), [(element, "1")]) == 401


# --------------------------------------------------------------------------- scorm-again compatibility


@pytest.mark.parametrize(
    ("element", "value"),
    [
        ("cmi.interactions.0.timestamp", "2024-05-06T14:05:00.678Z"),  # Date.toISOString()
        ("cmi.comments_from_learner.0.timestamp", "2040-01-01"),
        ("cmi.session_time", "P1W"),
        ("cmi.session_time", "PT1.5H"),
        ("cmi.interactions.0.description", "x" * 300),
        ("cmi.objectives.0.description", "x" * 300),
        ("cmi.objectives.1.id", "has space"),
        ("adl.nav.request", "start"),
        ("adl.nav.request", "choice"),
        ("cmi.interactions.0.learner_response", "tehtävä 1"),  # a choice read as a long identifier
        ("cmi.interactions.0.learner_response", " "),
        ("cmi.interactions.0.timestamp", "2023-02-29"),  # scorm-again checks no calendar
        ("cmi.interactions.0.timestamp", "2024-01-01T10:00:00.1|05"),  # nor the sign of a zone
    ],
)
def test_lax_model_accepts_what_scorm_again_accepts(element: str, value: str) -> None:
    changes = [("cmi.interactions.0.type", "choice"), (element, value)]
    assert stored(LAX.apply(base(LAX), changes), element) == value
    with pytest.raises(CmiError):
        MODEL.apply(base(), changes)


def test_lax_model_still_refuses_what_scorm_again_refuses() -> None:
    true_false = LAX.apply(
        typed("true-false", LAX), [("cmi.interactions.0.correct_responses.0.pattern", "true")]
    )
    assert code_of(LAX, true_false, [("cmi.interactions.0.correct_responses.1.pattern", "false")]) == 351
    assert code_of(LAX, base(LAX), [("cmi.suspend_data", "x" * 64001)]) == 406
    assert code_of(LAX, base(LAX), [("cmi.objectives.1.success_status", "passed")]) == 408
    assert code_of(LAX, base(LAX), [("cmi.interactions.1.type", "choice")]) == 408
    assert code_of(LAX, base(LAX), [("cmi.interactions.10000.id", "q")]) == 351
    assert code_of(LAX, base(LAX), [("cmi.objectives.1.id", "   ")]) == 406


@pytest.mark.parametrize(
    ("kind", "element", "value"),
    [
        ("matching", "learner_response", "1.a,2.b"),  # bare delimiters when [,] and [.] are absent
        ("numeric", "correct_responses.0.pattern", "1:2"),
        ("numeric", "correct_responses.0.pattern", "[:]"),
        ("performance", "correct_responses.0.pattern", "step1[.][:]"),
        ("fill-in", "correct_responses.0.pattern", "{lang=}x"),  # a broken delimiter read as text
        ("fill-in", "correct_responses.0.pattern", "{case_matters=true}{case_matters=true}a"),
    ],
)
def test_lax_model_reads_responses_as_scorm_again_does(kind: str, element: str, value: str) -> None:
    change = [(f"cmi.interactions.0.{element}", value)]
    assert LAX.get(LAX.apply(typed(kind, LAX), change), f"cmi.interactions.0.{element}") == value
    assert code_of(MODEL, typed(kind), change) == 406


@pytest.mark.parametrize(
    "element",
    ["cmi.objectives.1.score.raw", "cmi.interactions.1.result", "cmi.interactions.1.objectives.0.id"],
)
def test_lax_model_sets_what_scorm_again_sets_without_an_id(element: str) -> None:
    value = "correct" if element.endswith("result") else "1"
    assert stored(LAX.apply(base(LAX), [(element, value)]), element) == value
    assert code_of(MODEL, base(), [(element, value)]) == 408


def test_lax_model_fills_the_entries_scorm_again_left_behind() -> None:
    """scorm-again keeps an empty entry when the first SetValue at a new index fails: its _count runs
    ahead, and the SCO's next index is above ours."""
    state = LAX.apply(base(LAX), [("cmi.interactions.3.id", "q4")])
    assert LAX.get(state, "cmi.interactions._count") == "4"
    assert LAX.get(state, "cmi.interactions.3.id") == "q4"
    assert code_of(LAX, state, [("cmi.interactions.1.type", "choice")]) == 408  # the filler has no id


def test_lax_model_takes_more_patterns_and_repeats() -> None:
    changes = [(f"cmi.interactions.0.correct_responses.{i}.pattern", "a") for i in range(12)]
    assert (
        LAX.get(LAX.apply(typed("choice", LAX), changes), "cmi.interactions.0.correct_responses._count")
        == "12"
    )


# --------------------------------------------------------------------------- launch values


def test_initial_state_holds_what_the_lms_supplies() -> None:
    state = supplied()
    assert json.loads(json.dumps(state)) == state
    expected = {
        "cmi.learner_id": "EMP1001",
        "cmi.learner_name": "Virtanen, Aino",
        "cmi.launch_data": "level=2",
        "cmi.scaled_passing_score": "0.8",
        "cmi.completion_threshold": "0.5",
        "cmi.max_time_allowed": "PT30M",
        "cmi.time_limit_action": "exit,message",
        "cmi.comments_from_lms._count": "1",
        "cmi.comments_from_lms.0.comment": "Muista tauot.",
        "cmi.comments_from_lms.0.location": "intro",
        "cmi.comments_from_lms.0.timestamp": "2024-05-06T09:00:00",
    }
    assert {element: MODEL.get(state, element) for element in expected} == expected


@pytest.mark.parametrize(
    "arguments",
    [
        {"learner_id": "EMP 1001"},
        {"learner_name": "x" * 251},
        {"entry": "start"},
        {"credit": "yes"},
        {"mode": "test"},
        {"scaled_passing_score": 1.5},
        {"completion_threshold": -0.1},
        {"max_time_allowed": "30 min"},
        {"time_limit_action": "stop"},
        {"mastery_score": 80},
        {"comments_from_lms": [LmsComment("x", timestamp="yesterday")]},
        {"comments_from_lms": [LmsComment("x")] * 101},
    ],
)
def test_initial_state_refuses_invalid_launch_values(arguments: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match=r"\S"):
        fresh(**arguments)


# --------------------------------------------------------------------------- LMS-evaluated status


@pytest.mark.parametrize(
    ("threshold", "progress", "set_status", "expected"),
    [
        (None, None, None, "unknown"),
        (None, None, "incomplete", "incomplete"),
        (None, "0.9", "incomplete", "incomplete"),  # no threshold: the SCO decides
        (0.5, "0.5", None, "completed"),
        (0.5, "0.49", "completed", "incomplete"),  # the threshold overrides the SCO
        (0.5, "0.9", "incomplete", "completed"),
        (0.5, None, "completed", "completed"),  # no progress measure: the SCO's status
        (0.5, None, None, "unknown"),
    ],
)
def test_completion_status_is_evaluated(
    threshold: float | None, progress: str | None, set_status: str | None, expected: str
) -> None:
    changes = [("cmi.progress_measure", progress), ("cmi.completion_status", set_status)]
    state = MODEL.apply(fresh(completion_threshold=threshold), [(e, v) for e, v in changes if v is not None])
    assert MODEL.get(state, "cmi.completion_status") == expected
    assert MODEL.summary(state).completion_status == expected
    assert MODEL.finish(state)["cmi"]["completion_status"] == expected


@pytest.mark.parametrize(
    ("passing", "scaled", "set_status", "expected"),
    [
        (None, None, None, "unknown"),
        (None, "0.1", "passed", "passed"),  # no passing score: the SCO decides
        (0.8, "0.8", None, "passed"),
        (0.8, "0.79", "passed", "failed"),  # the passing score overrides the SCO
        (0.8, "0.95", "failed", "passed"),
        (0.8, None, "passed", "unknown"),  # a passing score but no scaled score
        (-0.5, "-0.4", None, "passed"),
    ],
)
def test_success_status_is_evaluated(
    passing: float | None, scaled: str | None, set_status: str | None, expected: str
) -> None:
    changes = [("cmi.score.scaled", scaled), ("cmi.success_status", set_status)]
    state = MODEL.apply(fresh(scaled_passing_score=passing), [(e, v) for e, v in changes if v is not None])
    assert MODEL.get(state, "cmi.success_status") == expected
    assert MODEL.summary(state).success_status == expected
    assert MODEL.finish(state)["cmi"]["success_status"] == expected


# --------------------------------------------------------------------------- Terminate


@pytest.mark.parametrize(
    ("changes", "entry"),
    [
        ([("cmi.exit", "suspend")], "resume"),
        ([("cmi.exit", ""), ("adl.nav.request", "suspendAll")], "resume"),
        ([("cmi.exit", "normal")], ""),
        ([("cmi.exit", "logout")], ""),
        ([("cmi.exit", "time-out")], ""),
        ([], ""),
    ],
)
def test_finish_adds_session_time_and_sets_next_entry(changes: list[tuple[str, str]], entry: str) -> None:
    state = fresh()
    state["cmi"]["total_time"] = "PT1H59M30.5S"
    state = MODEL.apply(state, [("cmi.session_time", "PT1M30.25S"), *changes])
    finished = MODEL.finish(state)
    assert MODEL.get(finished, "cmi.total_time") == "PT2H1M0.75S"
    assert MODEL.get(finished, "cmi.entry") == entry
    assert "session_time" not in finished["cmi"]
    assert "exit" not in finished["cmi"]
    assert "adl" not in finished  # the navigation request belonged to the session
    assert MODEL.finish(finished) == finished


def test_summary() -> None:
    state = MODEL.apply(
        fresh(scaled_passing_score=0.7),
        [
            ("cmi.location", "page-4"),
            ("cmi.score.raw", "42"),
            ("cmi.score.min", "0"),
            ("cmi.score.max", "50"),
            ("cmi.score.scaled", "0.84"),
            ("cmi.completion_status", "completed"),
            ("cmi.session_time", "PT2M"),
            ("cmi.suspend_data", "abcd"),
            ("cmi.exit", "suspend"),
            ("cmi.interactions.0.id", "q1"),
            ("cmi.interactions.1.id", "q2"),
        ],
    )
    summary = MODEL.summary(state)
    assert (summary.version, summary.completion_status, summary.success_status) == (
        "2004",
        "completed",
        "passed",
    )
    assert (summary.score_raw, summary.score_min, summary.score_max, summary.score_scaled) == (
        42,
        0,
        50,
        0.84,
    )
    assert (summary.session_time_seconds, summary.total_time_seconds) == (120, 120)
    assert (summary.location, summary.suspend_data_length, summary.interactions_count) == ("page-4", 4, 2)
    assert (summary.entry, summary.exit, summary.credit, summary.mode) == (
        "ab-initio",
        "suspend",
        "credit",
        "normal",
    )
    after = MODEL.summary(MODEL.finish(state))
    assert (after.entry, after.exit, after.session_time_seconds, after.total_time_seconds) == (
        "resume",
        "",
        0,
        120,
    )


def test_our_own_sco_commits_pass() -> None:
    """What scorm/sco/sco.js sets on SCORM 2004: status at start, saves, a quiz of choice questions."""
    save = [
        ("cmi.location", "psykologinen-turvallisuus"),
        (
            "cmi.suspend_data",
            json.dumps({"c": "psykologinen-turvallisuus", "v": ["johdanto"], "q": {"b": 85}}),
        ),
        ("cmi.session_time", "PT0H12M3.40S"),
        ("cmi.exit", "normal"),
    ]
    quiz = [
        *[
            (f"cmi.interactions.{i}.{name}", value)
            for i, (answer, result) in enumerate([("a", "correct"), ("a[,]c", "incorrect")])
            for name, value in [
                ("id", f"q{i + 1}"),
                ("type", "choice"),
                ("description", "Mitä psykologinen turvallisuus tarkoittaa tiimissä?"),
                ("weighting", "1"),
                ("correct_responses.0.pattern", "a[,]b[,]c"),
                ("learner_response", answer),
                ("result", result),
                ("timestamp", "2024-05-06T14:05:09.12Z"),
            ]
        ],
        ("cmi.score.min", "0"),
        ("cmi.score.max", "100"),
        ("cmi.score.raw", "85.71428571428571"),
        ("cmi.score.scaled", "0.8571428571428571"),
        ("cmi.completion_status", "completed"),
        ("cmi.success_status", "passed"),
    ]
    state = fresh(scaled_passing_score=0.8)
    state = MODEL.apply_commit(state, 1, [("cmi.completion_status", "incomplete"), *save]).state
    state = MODEL.apply_commit(state, 2, [*quiz, *save]).state
    summary = MODEL.summary(MODEL.finish(state))
    assert (summary.completion_status, summary.success_status, summary.interactions_count) == (
        "completed",
        "passed",
        2,
    )
    assert summary.entry == ""  # exit "normal": the attempt is over
