"""SCORM 1.2 data model rules, each with values it must accept and values it must refuse (RTE 3.4)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import pytest

from scorm.cmi import CmiError, DataModel, LmsComment, State
from scorm.cmi.types import timespan12_seconds

MODEL = DataModel.for_version("1.2")
LAX = DataModel.for_version("1.2", strict=False)


def fresh(model: DataModel = MODEL, **overrides: Any) -> State:
    arguments: dict[str, Any] = {"learner_id": "EMP1001", "learner_name": "Virtanen, Aino"}
    return model.initial_state(**(arguments | overrides))


def base(model: DataModel = MODEL) -> State:
    """A state with objective 0 and interaction 0 (with an objective and a pattern) to write into."""
    return model.apply(
        fresh(model),
        [
            ("cmi.objectives.0.id", "obj1"),
            ("cmi.interactions.0.id", "q1"),
            ("cmi.interactions.0.objectives.0.id", "obj1"),
            ("cmi.interactions.0.correct_responses.0.pattern", "a"),
        ],
    )


def stored(state: State, element: str) -> object:
    node: Any = state
    for part in element.split("."):
        node = node[int(part)] if part.isdigit() else node.get(part)
    return node


def code_of(model: DataModel, state: State, changes: list[tuple[str, Any]]) -> int:
    with pytest.raises(CmiError) as info:
        model.apply(state, changes)
    return info.value.code


# --------------------------------------------------------------------------- values per element

VALID = [
    ("cmi.core.lesson_location", ""),
    ("cmi.core.lesson_location", "section-3/page-2"),
    ("cmi.core.lesson_location", "x" * 255),
    *(("cmi.core.lesson_status", s) for s in ("passed", "completed", "failed", "incomplete", "browsed")),
    *((f"cmi.core.score.{p}", v) for p in ("raw", "min", "max") for v in ("0", "100", "85.5", ".5", "")),
    *(("cmi.core.exit", v) for v in ("time-out", "suspend", "logout", "")),
    *(("cmi.core.session_time", v) for v in ("00:01:30", "0000:00:00.5", "9999:59:59.99", "12:00:00")),
    ("cmi.suspend_data", ""),
    ("cmi.suspend_data", "x" * 4096),
    ("cmi.comments", "Hyvä kurssi"),
    ("cmi.comments", "x" * 4096),
    ("cmi.objectives.0.id", "obj_2"),
    ("cmi.objectives.0.id", "urn:x:y-1.2"),
    *((f"cmi.objectives.0.score.{p}", v) for p in ("raw", "min", "max") for v in ("0", "42", "100", "")),
    *(
        ("cmi.objectives.0.status", s)
        for s in ("passed", "completed", "failed", "incomplete", "browsed", "not attempted")
    ),
    *(("cmi.student_preference.audio", v) for v in ("-1", "0", "100")),
    ("cmi.student_preference.language", "fi"),
    ("cmi.student_preference.language", "x" * 255),
    *(("cmi.student_preference.speed", v) for v in ("-100", "0", "100")),
    *(("cmi.student_preference.text", v) for v in ("-1", "0", "1")),
    ("cmi.interactions.0.id", "q1"),
    ("cmi.interactions.0.objectives.0.id", "obj-9"),
    ("cmi.interactions.0.objectives.1.id", "obj-10"),
    *(("cmi.interactions.0.time", v) for v in ("14:05:00", "00:00:00", "23:59:59.99")),
    *(
        ("cmi.interactions.0.type", t)
        for t in (
            "true-false",
            "choice",
            "fill-in",
            "matching",
            "performance",
            "sequencing",
            "likert",
            "numeric",
        )
    ),
    *(("cmi.interactions.0.weighting", v) for v in ("-100", "0", "1.5", "100")),
    *(
        ("cmi.interactions.0.result", v)
        for v in ("correct", "wrong", "unanticipated", "neutral", "0.5", "85")
    ),
    ("cmi.interactions.0.latency", "00:00:05.5"),
    ("cmi.interactions.0.correct_responses.1.pattern", "anything while untyped"),
    ("cmi.interactions.0.student_response", "anything while untyped"),
    ("cmi.interactions.1.id", "q2"),
]


@pytest.mark.parametrize(("element", "value"), VALID)
def test_accepts_valid_value(element: str, value: str) -> None:
    state = MODEL.apply(base(), [(element, value)])
    assert stored(state, element) == value
    if not element.startswith("cmi.interactions.") and element not in (
        "cmi.core.exit",
        "cmi.core.session_time",
    ):
        assert MODEL.get(state, element) == value


INVALID = [
    ("cmi.core.lesson_location", "x" * 256, 405),
    ("cmi.core.lesson_status", "not attempted", 405),  # only the LMS sets it
    ("cmi.core.lesson_status", "Passed", 405),
    ("cmi.core.lesson_status", "done", 405),
    *(
        (f"cmi.core.score.{p}", v, 405)
        for p in ("raw", "min", "max")
        for v in ("101", "-1", "abc", "1e2", ".")
    ),
    ("cmi.core.exit", "normal", 405),  # SCORM 2004's word
    ("cmi.core.exit", "quit", 405),
    *(
        ("cmi.core.session_time", v, 405)
        for v in ("1:00:00", "00:60:00", "00:00:60", "00:01", "PT1M30S", "00:00:00.123", "10000:00:00", "")
    ),
    ("cmi.suspend_data", "x" * 4097, 405),
    ("cmi.comments", "x" * 4097, 405),
    ("cmi.objectives.0.id", "has space", 405),
    ("cmi.objectives.0.id", "", 405),
    ("cmi.interactions.0.id", "", 405),
    ("cmi.objectives.0.id", "tehtävä", 405),
    ("cmi.objectives.0.id", "x" * 256, 405),
    ("cmi.objectives.0.score.raw", "100.5", 405),
    ("cmi.objectives.0.status", "unknown", 405),
    *(("cmi.student_preference.audio", v, 405) for v in ("101", "-2", "50.5", "loud", "")),
    ("cmi.student_preference.language", "x" * 256, 405),
    *(("cmi.student_preference.speed", v, 405) for v in ("101", "-101", "fast")),
    *(("cmi.student_preference.text", v, 405) for v in ("2", "-2", "yes")),
    ("cmi.interactions.0.id", "q 1", 405),
    ("cmi.interactions.0.objectives.0.id", "obj 1", 405),
    *(
        ("cmi.interactions.0.time", v, 405)
        for v in ("24:00:00", "14:05", "2:05:00", "14:05:00.123", "14:60:00")
    ),
    *(("cmi.interactions.0.type", v, 405) for v in ("long-fill-in", "other", "Choice", "")),
    *(("cmi.interactions.0.weighting", v, 405) for v in ("101", "-101", "heavy")),
    *(("cmi.interactions.0.result", v, 405) for v in ("incorrect", "right", "")),
    ("cmi.interactions.0.latency", "5s", 405),
    ("cmi.interactions.0.student_response", "x" * 256, 405),
]


@pytest.mark.parametrize(("element", "value", "code"), INVALID)
def test_refuses_invalid_value(element: str, value: str, code: int) -> None:
    state = base()
    assert code_of(MODEL, state, [(element, value)]) == code
    assert state == base()  # the input is never changed


READ_ONLY = [
    "cmi.core.student_id",
    "cmi.core.student_name",
    "cmi.core.credit",
    "cmi.core.entry",
    "cmi.core.total_time",
    "cmi.core.lesson_mode",
    "cmi.launch_data",
    "cmi.comments_from_lms",
    "cmi.student_data.mastery_score",
    "cmi.student_data.max_time_allowed",
    "cmi.student_data.time_limit_action",
]


@pytest.mark.parametrize("element", READ_ONLY)
def test_read_only_element_is_read_but_not_set(element: str) -> None:
    state = fresh(mastery_score=80, launch_data="level=2", max_time_allowed="00:30:00")
    MODEL.get(state, element)
    assert code_of(MODEL, state, [(element, "credit")]) == 403


@pytest.mark.parametrize(
    "element",
    [
        "cmi.core.exit",
        "cmi.core.session_time",
        *(f"cmi.interactions.0.{name}" for name in ("id", "time", "type", "weighting", "student_response")),
        *(f"cmi.interactions.0.{name}" for name in ("result", "latency")),
        "cmi.interactions.0.objectives.0.id",
        "cmi.interactions.0.correct_responses.0.pattern",
    ],
)
def test_write_only_element_cannot_be_read(element: str) -> None:
    with pytest.raises(CmiError) as info:
        MODEL.get(base(), element)
    assert info.value.code == 404


# --------------------------------------------------------------------------- responses by type

RESPONSES = [
    ("true-false", "t", True),
    ("true-false", "1", True),
    ("true-false", "0", True),
    ("true-false", "f", True),
    ("true-false", "true", False),
    ("true-false", "T", False),
    ("true-false", "2", False),
    ("choice", "a", True),
    ("choice", "a,b,c", True),
    ("choice", "{a,b}", True),
    ("choice", "1,z", True),
    ("choice", "ab", False),
    ("choice", "a;b", False),
    ("choice", "A", False),
    ("choice", "a,", False),
    ("choice", "{a,b", False),
    ("fill-in", "Helsinki", True),
    ("fill-in", "x" * 255, True),
    ("fill-in", "x" * 256, False),
    ("numeric", "18", True),
    ("numeric", "-2.5", True),
    ("numeric", "eighteen", False),
    ("likert", "3", True),
    ("likert", "c", True),
    ("likert", "33", False),
    ("matching", "1.a,2.b", True),
    ("matching", "{1.a}", True),
    ("matching", "1-a", False),
    ("matching", "1.ab", False),
    ("performance", "step 1: ok, step 2: done", True),
    ("performance", "x" * 256, False),
    ("sequencing", "c,a,b", True),
    ("sequencing", "ca,b", False),
    ("sequencing", "{a,b}", False),
    *((kind, "", True) for kind in ("true-false", "choice", "numeric", "likert", "matching", "sequencing")),
]


@pytest.mark.parametrize("element", ["student_response", "correct_responses.0.pattern"])
@pytest.mark.parametrize(("kind", "value", "valid"), RESPONSES)
def test_response_format_follows_interaction_type(element: str, kind: str, value: str, valid: bool) -> None:
    state = MODEL.apply(fresh(), [("cmi.interactions.0.id", "q1"), ("cmi.interactions.0.type", kind)])
    change = [(f"cmi.interactions.0.{element}", value)]
    if valid:
        assert stored(MODEL.apply(state, change), f"cmi.interactions.0.{element}") == value
    else:
        assert code_of(MODEL, state, change) == 405


# --------------------------------------------------------------------------- keywords and names


@pytest.mark.parametrize(
    ("element", "expected"),
    [
        ("cmi._version", "3.4"),
        (
            "cmi._children",
            "core,suspend_data,launch_data,comments,objectives,student_data,student_preference,",
        ),
        ("cmi.core._children", "student_id,student_name,lesson_location,credit,lesson_status,entry,score,"),
        ("cmi.core.score._children", "raw,min,max"),
        ("cmi.objectives._children", "id,score,status"),
        ("cmi.objectives.0.score._children", "raw,min,max"),
        ("cmi.student_data._children", "mastery_score,max_time_allowed,time_limit_action"),
        ("cmi.student_preference._children", "audio,language,speed,text"),
        ("cmi.interactions._children", "id,objectives,time,type,correct_responses,weighting,"),
        ("cmi.objectives._count", "1"),
        ("cmi.interactions._count", "1"),
        ("cmi.interactions.0.objectives._count", "1"),
        ("cmi.interactions.0.correct_responses._count", "1"),
    ],
)
def test_keywords_read(element: str, expected: str) -> None:
    assert MODEL.get(base(), element).startswith(expected)


@pytest.mark.parametrize(
    ("element", "code"),
    [
        ("cmi.core.lesson_status._children", 202),
        ("cmi.core._count", 203),
        ("cmi.core.score._count", 203),
        ("cmi.core.nothing", 201),
        ("cmi.core", 201),
        ("cmi.learner_id", 201),  # a SCORM 2004 name
        ("cmi.objectives.n.id", 201),
        ("cmi.objectives.x.id", 201),
        ("cmi.objectives.1.id", 201),  # not below _count
        ("cmi.objectives.0", 201),
        ("cmi.core._version", 201),
        ("", 201),
    ],
)
def test_get_refuses(element: str, code: int) -> None:
    with pytest.raises(CmiError) as info:
        MODEL.get(base(), element)
    assert (info.value.element, info.value.code) == (element, code)


@pytest.mark.parametrize(
    ("element", "code"),
    [
        ("cmi._version", 402),
        ("cmi._children", 402),
        ("cmi.core._children", 402),
        ("cmi.objectives._count", 402),
        ("cmi.interactions.0.objectives._count", 402),
        ("cmi.core.nothing", 201),
        ("cmi.completion_status", 201),
    ],
)
def test_set_refuses_keywords_and_unknown_elements(element: str, code: int) -> None:
    assert code_of(MODEL, base(), [(element, "1")]) == code


def test_unset_elements_read_as_defaults() -> None:
    state = fresh()
    assert MODEL.get(state, "cmi.core.lesson_status") == "not attempted"
    assert MODEL.get(state, "cmi.core.entry") == "ab-initio"
    assert MODEL.get(state, "cmi.core.total_time") == "0000:00:00"
    assert MODEL.get(state, "cmi.core.lesson_location") == ""
    assert MODEL.get(state, "cmi.core.score.raw") == ""
    assert MODEL.get(state, "cmi.objectives._count") == "0"


# --------------------------------------------------------------------------- collections


def test_collection_entries_are_appended_at_count_and_updated_below_it() -> None:
    state = MODEL.apply(
        fresh(),
        [
            ("cmi.objectives.0.id", "a"),
            ("cmi.objectives.1.id", "b"),
            ("cmi.objectives.0.status", "passed"),
            ("cmi.interactions.0.objectives.0.id", "a"),  # creates interaction 0 on the way
        ],
    )
    assert MODEL.get(state, "cmi.objectives._count") == "2"
    assert MODEL.get(state, "cmi.objectives.0.status") == "passed"
    assert MODEL.get(state, "cmi.interactions._count") == "1"


@pytest.mark.parametrize(
    "element",
    [
        "cmi.objectives.3.id",
        "cmi.interactions.2.id",
        "cmi.interactions.0.objectives.2.id",
        "cmi.interactions.2.objectives.0.id",
        "cmi.interactions.0.correct_responses.1.pattern",
    ],
)
def test_collection_index_above_count_is_refused(element: str) -> None:
    state = MODEL.apply(fresh(), [("cmi.objectives.0.id", "a"), ("cmi.interactions.0.objectives.0.id", "a")])
    state = MODEL.apply(state, [("cmi.objectives.1.id", "b")])
    assert code_of(MODEL, state, [(element, "x")]) == 201


# --------------------------------------------------------------------------- scorm-again compatibility


@pytest.mark.parametrize(
    ("element", "value", "kept"),
    [
        ("cmi.suspend_data", "x" * 64000, "x" * 64000),
        ("cmi.core.exit", "normal", ""),
        ("cmi.interactions.0.result", "incorrect", "wrong"),
        ("cmi.objectives.0.id", "has space", "has space"),
        ("cmi.core.session_time", "123456:00:00", "123456:00:00"),
        ("cmi.interactions.0.student_response", "Choice_1,Choice_2", "Choice_1,Choice_2"),
        ("cmi.interactions.0.result", ".", "."),
    ],
)
def test_lax_model_accepts_what_scorm_again_accepts(element: str, value: str, kept: str) -> None:
    state = LAX.apply(base(LAX), [("cmi.interactions.0.type", "choice"), (element, value)])
    assert stored(state, element) == kept
    with pytest.raises(CmiError):
        MODEL.apply(base(), [("cmi.interactions.0.type", "choice"), (element, value)])


def test_lax_model_still_refuses_what_scorm_again_refuses() -> None:
    assert code_of(LAX, base(LAX), [("cmi.suspend_data", "x" * 64001)]) == 405
    assert code_of(LAX, base(LAX), [("cmi.core.lesson_status", "not attempted")]) == 405
    assert code_of(LAX, base(LAX), [("cmi.interactions.0.student_response", "two\nlines")]) == 405


# --------------------------------------------------------------------------- launch values


def test_initial_state_holds_what_the_lms_supplies() -> None:
    state = fresh(
        entry="resume",
        credit="no-credit",
        mode="browse",
        launch_data="level=2",
        mastery_score=80,
        max_time_allowed="00:30:00",
        time_limit_action="exit,message",
        comments_from_lms=[LmsComment("Muista tauot.")],
    )
    assert json.loads(json.dumps(state)) == state
    expected = {
        "cmi.core.student_id": "EMP1001",
        "cmi.core.student_name": "Virtanen, Aino",
        "cmi.core.entry": "resume",
        "cmi.core.credit": "no-credit",
        "cmi.core.lesson_mode": "browse",
        "cmi.launch_data": "level=2",
        "cmi.student_data.mastery_score": "80",
        "cmi.student_data.max_time_allowed": "00:30:00",
        "cmi.student_data.time_limit_action": "exit,message",
        "cmi.comments_from_lms": "Muista tauot.",
    }
    assert {element: MODEL.get(state, element) for element in expected} == expected


@pytest.mark.parametrize(
    "arguments",
    [
        {"learner_id": "EMP 1001"},
        {"learner_name": "x" * 256},
        {"entry": "start"},
        {"credit": "yes"},
        {"mode": "test"},
        {"mastery_score": 101},
        {"max_time_allowed": "30 min"},
        {"time_limit_action": "stop"},
        {"scaled_passing_score": 0.8},
        {"completion_threshold": 0.5},
    ],
)
def test_initial_state_refuses_invalid_launch_values(arguments: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match=r"\S"):
        fresh(**arguments)


# --------------------------------------------------------------------------- LMSFinish


@pytest.mark.parametrize(
    ("mode", "credit", "mastery", "set_status", "raw", "status"),
    [
        ("normal", "credit", None, None, None, "completed"),  # never set: the LMS completes it
        ("browse", "credit", None, None, None, "browsed"),
        ("normal", "credit", None, "incomplete", None, "incomplete"),
        ("normal", "credit", 80, None, "85", "passed"),
        ("normal", "credit", 80, None, "80", "passed"),
        ("normal", "credit", 80, None, "79.5", "failed"),
        ("normal", "credit", 80, "completed", "50", "failed"),
        ("normal", "credit", 80, "failed", "90", "passed"),
        ("normal", "credit", 80, "incomplete", "90", "incomplete"),  # the SCO's "incomplete" stands
        ("normal", "credit", 80, "completed", None, "completed"),  # no raw score to judge
        ("normal", "no-credit", 80, "completed", "10", "completed"),
        ("review", "credit", 80, "completed", "10", "completed"),
        ("normal", "credit", None, "passed", "10", "passed"),  # no mastery score: the SCO decides
    ],
)
def test_finish_decides_lesson_status(
    mode: str, credit: str, mastery: int | None, set_status: str | None, raw: str | None, status: str
) -> None:
    changes = [("cmi.core.lesson_status", set_status), ("cmi.core.score.raw", raw)]
    state = MODEL.apply(
        fresh(mode=mode, credit=credit, mastery_score=mastery),
        [(element, value) for element, value in changes if value is not None],
    )
    assert MODEL.get(MODEL.finish(state), "cmi.core.lesson_status") == status


@pytest.mark.parametrize(
    ("exit_value", "entry"), [("suspend", "resume"), ("logout", ""), ("time-out", ""), ("", "")]
)
def test_finish_adds_session_time_and_sets_next_entry(exit_value: str, entry: str) -> None:
    state = fresh()
    state["cmi"]["core"]["total_time"] = "0001:59:30.50"
    state = MODEL.apply(state, [("cmi.core.session_time", "00:01:30.25"), ("cmi.core.exit", exit_value)])
    finished = MODEL.finish(state)
    assert MODEL.get(finished, "cmi.core.total_time") == "02:01:00.75"
    assert MODEL.get(finished, "cmi.core.entry") == entry
    assert "session_time" not in finished["cmi"]["core"]
    assert "exit" not in finished["cmi"]["core"]
    assert MODEL.finish(finished) == finished  # a second finish (e.g. at the next launch) changes nothing


def test_finish_without_any_commit_changes_nothing() -> None:
    state = fresh()
    assert MODEL.finish(state) == state


def test_summary_maps_lesson_status_score_and_times() -> None:
    state = MODEL.apply(
        fresh(mastery_score=80),
        [
            ("cmi.core.lesson_location", "p3"),
            ("cmi.core.score.min", "0"),
            ("cmi.core.score.max", "50"),
            ("cmi.core.score.raw", "40"),
            ("cmi.core.session_time", "00:02:00"),
            ("cmi.suspend_data", "abc"),
            ("cmi.core.exit", "suspend"),
            ("cmi.interactions.0.id", "q1"),
        ],
    )
    summary = MODEL.summary(state)
    assert (summary.completion_status, summary.success_status) == ("not attempted", "unknown")
    assert (summary.score_raw, summary.score_min, summary.score_max, summary.score_scaled) == (40, 0, 50, 0.8)
    assert (summary.session_time_seconds, summary.total_time_seconds) == (120, 120)
    assert (summary.location, summary.suspend_data_length, summary.interactions_count) == ("p3", 3, 1)
    assert (summary.entry, summary.exit, summary.credit, summary.mode) == (
        "ab-initio",
        "suspend",
        "credit",
        "normal",
    )
    after = MODEL.summary(MODEL.finish(state))
    assert (after.completion_status, after.success_status, after.entry) == ("completed", "failed", "resume")
    assert (after.session_time_seconds, after.total_time_seconds) == (0, 120)


@pytest.mark.parametrize(
    ("status", "meaning"),
    [
        ("passed", ("completed", "passed")),
        ("completed", ("completed", "unknown")),
        ("failed", ("completed", "failed")),
        ("incomplete", ("incomplete", "unknown")),
        ("browsed", ("incomplete", "unknown")),
    ],
)
def test_summary_status_words(status: str, meaning: tuple[str, str]) -> None:
    summary = MODEL.summary(MODEL.apply(fresh(), [("cmi.core.lesson_status", status)]))
    assert (summary.completion_status, summary.success_status) == meaning


# --------------------------------------------------------------------------- Moodle's recording


def test_replays_what_moodles_player_posted(shared_dir: Path) -> None:
    """Moodle's 1.2 player posted the SCO's values at LMSCommit and its own total_time at LMSFinish.

    The SCO's values pass our model; total_time is the LMS's to write (403 from a SCO), and our
    finish works out the same total from the session time the flow describes.
    """
    capture = json.loads((shared_dir / "fixtures/moodle/scorm/datamodel_commit_capture.json").read_text())
    posts = [r for r in capture["requests"] if r["url"].endswith("/datamodel.php")]
    posted = [
        [
            (name.replace("__", "."), value)
            for name, value in parse_qsl(post["body"])
            if name.startswith("cmi__")
        ]
        for post in posts
    ]
    assert [p["response"] for p in posts] == ["true\n0", "true\n0"]
    commit, finish_post = posted
    assert [name for name, _ in commit] == ["cmi.core.score.raw", "cmi.core.score.max", "cmi.core.score.min"]
    assert "session_time=00:01:30" in capture["flow"]

    state = fresh(mastery_score=None)
    state["cmi"]["core"]["total_time"] = "00:01:30"  # the earlier attempt's time Moodle added to
    result = MODEL.apply_commit(state, 1, commit)
    assert result.applied
    assert {name: MODEL.get(result.state, name) for name, _ in commit} == dict(commit)

    assert finish_post == [("cmi.core.total_time", "00:03:00.00")]
    assert code_of(MODEL, result.state, finish_post) == 403
    state = MODEL.apply_commit(result.state, 2, [("cmi.core.session_time", "00:01:30")]).state
    finished = MODEL.finish(state)
    total = MODEL.get(finished, "cmi.core.total_time")
    assert timespan12_seconds(total) == timespan12_seconds(finish_post[0][1]) == 180
    assert MODEL.summary(finished).score_raw == 85


def test_our_own_sco_commits_pass() -> None:
    """What scorm/sco/sco.js sets on SCORM 1.2: status at start, saves, a quiz of choice questions."""
    save = [
        ("cmi.core.lesson_location", "psykologinen-turvallisuus"),
        (
            "cmi.suspend_data",
            json.dumps({"c": "psykologinen-turvallisuus", "v": ["johdanto"], "q": {"b": 85}}),
        ),
        ("cmi.core.session_time", "0000:12:03.40"),
        ("cmi.core.exit", ""),
    ]
    quiz = [
        *[
            (f"cmi.interactions.{i}.{name}", value)
            for i, (answer, result) in enumerate([("a", "correct"), ("a,c", "wrong"), ("", "wrong")])
            for name, value in [
                ("id", f"q{i + 1}"),
                ("type", "choice"),
                ("weighting", "1"),
                ("correct_responses.0.pattern", "a,b,c"),
                ("student_response", answer),
                ("result", result),
                ("time", "14:05:09"),
            ]
        ],
        ("cmi.core.score.min", "0"),
        ("cmi.core.score.max", "100"),
        ("cmi.core.score.raw", "85.71428571428571"),
        ("cmi.core.lesson_status", "passed"),
    ]
    state = MODEL.apply_commit(
        fresh(mastery_score=80), 1, [("cmi.core.lesson_status", "incomplete"), *save]
    ).state
    state = MODEL.apply_commit(state, 2, [*quiz, *save]).state
    summary = MODEL.summary(MODEL.finish(state))
    assert (summary.completion_status, summary.success_status, summary.interactions_count) == (
        "completed",
        "passed",
        3,
    )


def test_lax_model_fills_the_entries_scorm_again_left_behind() -> None:
    """scorm-again keeps an empty entry when the first LMSSetValue at a new index fails."""
    state = LAX.apply(fresh(LAX), [("cmi.interactions.2.id", "q3"), ("cmi.objectives.1.id", "o2")])
    assert LAX.get(state, "cmi.interactions._count") == "3"
    assert LAX.get(state, "cmi.objectives._count") == "2"
    assert code_of(LAX, state, [("cmi.objectives.10000.id", "o")]) == 201
