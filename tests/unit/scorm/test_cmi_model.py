"""What both data models share: versions, commits and their sequence numbers, states, values, times."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from scorm.cmi import CmiError, DataModel, Scorm12Model, Scorm2004Model, State
from scorm.cmi.types import duration_seconds, format_duration, format_timespan12, timespan12_seconds
from scorm.errors import ScormError

V12 = DataModel.for_version("1.2")
V2004 = DataModel.for_version("2004")


def fresh(model: DataModel) -> State:
    return model.initial_state(learner_id="EMP1001", learner_name="Virtanen, Aino")


@pytest.mark.parametrize(
    ("version", "kind"),
    [
        ("1.2", Scorm12Model),
        (" 1.2 ", Scorm12Model),
        ("scorm12", Scorm12Model),
        ("2004", Scorm2004Model),
        ("2004-2nd", Scorm2004Model),
        ("2004-3rd", Scorm2004Model),
        ("2004-4th", Scorm2004Model),
        ("scorm2004", Scorm2004Model),
    ],
)
def test_for_version(version: str, kind: type[DataModel]) -> None:
    model = DataModel.for_version(version, strict=False)
    assert type(model) is kind
    assert not model.strict


@pytest.mark.parametrize("version", ["1.3", "", "2005", "AICC"])
def test_for_version_refuses_unknown_versions(version: str) -> None:
    with pytest.raises(ValueError, match="SCORM version"):
        DataModel.for_version(version)


LOCATION = {"1.2": "cmi.core.lesson_location", "2004": "cmi.location"}
STATUS = {"1.2": ("cmi.core.lesson_status", "passed"), "2004": ("cmi.completion_status", "completed")}


@pytest.mark.parametrize("model", [V12, V2004], ids=["1.2", "2004"])
def test_apply_returns_a_new_json_state_and_leaves_the_old_one(model: DataModel) -> None:
    state = fresh(model)
    before = copy.deepcopy(state)
    after = model.apply(state, [(LOCATION[model.version], "p2"), STATUS[model.version]])
    assert state == before
    assert json.loads(json.dumps(after)) == after
    assert model.get(after, LOCATION[model.version]) == "p2"
    assert after["_meta"] == {"version": model.version, "seq": 0, "open": True}


@pytest.mark.parametrize("model", [V12, V2004], ids=["1.2", "2004"])
def test_apply_stops_at_the_first_invalid_change(model: DataModel) -> None:
    state = fresh(model)
    changes = [(LOCATION[model.version], "p2"), ("cmi.nothing", "x"), STATUS[model.version]]
    with pytest.raises(CmiError) as info:
        model.apply(state, changes)
    assert isinstance(info.value, ScormError)
    assert info.value.element == "cmi.nothing"
    assert info.value.code == {"1.2": 201, "2004": 401}[model.version]
    assert "cmi.nothing" in str(info.value)


@pytest.mark.parametrize("model", [V12, V2004], ids=["1.2", "2004"])
def test_commits_apply_once_in_sequence(model: DataModel) -> None:
    location = LOCATION[model.version]
    first = model.apply_commit(fresh(model), 1, [(location, "p1")])
    assert first.applied
    assert first.state["_meta"]["seq"] == 1

    retry = model.apply_commit(first.state, 1, [(location, "p1-again")])
    assert not retry.applied
    assert retry.state is first.state

    later = model.apply_commit(first.state, 5, [(location, "p5")])  # numbers may skip
    assert later.applied
    assert model.get(later.state, location) == "p5"

    overtaken = model.apply_commit(later.state, 3, [(location, "p3")])
    assert not overtaken.applied
    assert model.get(overtaken.state, location) == "p5"
    assert not model.apply_commit(later.state, 0, []).applied


@pytest.mark.parametrize("seq", [-1, True, "2", 1.5, None])
def test_commit_number_must_be_a_whole_number(seq: Any) -> None:
    with pytest.raises(ValueError, match="sequence number"):
        V12.apply_commit(fresh(V12), seq, [])


def test_commit_refused_as_a_whole_keeps_its_number_free() -> None:
    state = fresh(V12)
    with pytest.raises(CmiError):
        V12.apply_commit(state, 1, [("cmi.core.lesson_location", "p1"), ("cmi.core.student_id", "x")])
    assert V12.apply_commit(state, 1, [("cmi.core.lesson_location", "p1")]).applied


@pytest.mark.parametrize("model", [V12, V2004], ids=["1.2", "2004"])
def test_skip_invalid_keeps_the_valid_changes_and_reports_the_rest(model: DataModel) -> None:
    location = LOCATION[model.version]
    result = model.apply_commit(
        fresh(model),
        7,
        [(location, "p1"), ("cmi.nothing", "x"), (location + "._count", "1"), STATUS[model.version]],
        skip_invalid=True,
    )
    assert result.applied
    assert result.state["_meta"]["seq"] == 7
    assert model.get(result.state, location) == "p1"
    assert model.get(result.state, STATUS[model.version][0]) == STATUS[model.version][1]
    codes = {"1.2": [201, 402], "2004": [401, 404]}[model.version]
    assert [(e.element, e.code) for e in result.rejected] == [
        ("cmi.nothing", codes[0]),
        (location + "._count", codes[1]),
    ]


@pytest.mark.parametrize("call", ["apply", "get", "finish", "summary", "apply_commit"])
@pytest.mark.parametrize("state", [{"_meta": {"version": "1.2"}}, {}, [], "state"])
def test_a_state_of_another_version_is_refused(call: str, state: Any) -> None:
    arguments: dict[str, tuple[Any, ...]] = {
        "apply": (state, []),
        "get": (state, "cmi.location"),
        "finish": (state,),
        "summary": (state,),
        "apply_commit": (state, 1, []),
    }
    with pytest.raises(ValueError, match="not a SCORM 2004"):
        getattr(V2004, call)(*arguments[call])


@pytest.mark.parametrize(
    ("model", "element", "value", "kept"),
    [
        (V12, "cmi.core.score.raw", 85, "85"),
        (V12, "cmi.core.score.raw", 85.0, "85"),
        (V12, "cmi.core.score.raw", 66.5, "66.5"),
        (V2004, "cmi.score.scaled", 0.6666666666666666, "0.6666666666666666"),
        (V2004, "cmi.progress_measure", 1, "1"),
        (V2004, "cmi.interactions.0.learner_response", True, "true"),
    ],
    ids=["int", "integral float", "float", "long float", "2004 int", "bool"],
)
def test_numbers_and_booleans_are_written_as_the_browser_does(
    model: DataModel, element: str, value: object, kept: str
) -> None:
    state = fresh(model)
    if model is V2004:
        state = model.apply(
            state, [("cmi.interactions.0.id", "q1"), ("cmi.interactions.0.type", "true-false")]
        )
    assert model.get(model.apply(state, [(element, value)]), element) == kept


@pytest.mark.parametrize(("model", "code"), [(V12, 405), (V2004, 406)], ids=["1.2", "2004"])
@pytest.mark.parametrize("value", [None, float("nan"), ["a"], {"a": 1}])
def test_values_that_are_not_text_are_refused(model: DataModel, code: int, value: object) -> None:
    with pytest.raises(CmiError) as info:
        model.apply(fresh(model), [(LOCATION[model.version], value)])
    assert info.value.code == code


@pytest.mark.parametrize(("model", "code"), [(V12, 201), (V2004, 401)], ids=["1.2", "2004"])
@pytest.mark.parametrize("element", [None, 1, "", ".", "cmi..location", "cmi.location."])
def test_element_names_that_are_not_elements_are_refused(model: DataModel, code: int, element: Any) -> None:
    with pytest.raises(CmiError) as info:
        model.apply(fresh(model), [(element, "x")])
    assert info.value.code == code


def test_finish_after_an_empty_commit_still_applies_the_rules() -> None:
    """A SCO that only called LMSInitialize and LMSFinish: the terminating commit is empty."""
    state = V12.apply_commit(fresh(V12), 1, []).state
    assert V12.get(V12.finish(state), "cmi.core.lesson_status") == "completed"


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("00:00:00", 0),
        ("00:01:30", 90),
        ("0001:30:00.5", 5400.5),
        ("12:00:00.25", 43200.25),
        ("9999:59:59.99", 9999 * 3600 + 3599.99),
    ],
)
def test_scorm12_time_spans(text: str, seconds: float) -> None:
    assert timespan12_seconds(text) == pytest.approx(seconds)
    assert timespan12_seconds(format_timespan12(seconds)) == pytest.approx(seconds)


def test_scorm12_time_span_totals_stop_at_the_largest_one() -> None:
    assert format_timespan12(10_000 * 3600) == "9999:59:59.99"
    assert format_timespan12(-5) == "00:00:00"


@pytest.mark.parametrize(
    ("text", "seconds", "canonical"),
    [
        ("PT0S", 0, "PT0H0M0S"),
        ("PT1M30.25S", 90.25, "PT0H1M30.25S"),
        ("PT1H30M5.5S", 5405.5, "PT1H30M5.5S"),
        ("P1DT2H", 26 * 3600, "PT26H0M0S"),
        ("P1Y", 365 * 86400, "PT8760H0M0S"),
        ("P1M", 30 * 86400, "PT720H0M0S"),
        ("PT000005H", 5 * 3600, "PT5H0M0S"),
    ],
)
def test_scorm2004_durations(text: str, seconds: float, canonical: str) -> None:
    assert duration_seconds(text) == pytest.approx(seconds)
    assert format_duration(seconds) == canonical
    assert duration_seconds(canonical) == pytest.approx(seconds)


@pytest.mark.parametrize(("text", "seconds"), [("P1W", 7 * 86400), ("PT1.5H", 5400), ("PT1,5M", 90)])
def test_lax_durations_read_as_scorm_again_reads_them(text: str, seconds: float) -> None:
    assert duration_seconds(text, strict=False) == pytest.approx(seconds)


@pytest.mark.parametrize("model", [V12, V2004], ids=["1.2", "2004"])
def test_elements_list_every_stored_value_ready_to_load_again(model: DataModel) -> None:
    state = model.apply(
        fresh(model),
        [
            (LOCATION[model.version], "p2"),
            ("cmi.interactions.0.id", "q1"),
            ("cmi.interactions.0.type", "numeric"),
            ("cmi.interactions.0.objectives.0.id", "o1"),
            ("cmi.interactions.1.id", "q2"),
        ],
    )
    state["cmi"]["interactions"][0] = {"objectives": [{"id": "o1"}], "type": "numeric", "id": "q1"}
    listed = model.elements(state)
    assert listed[-4:] == [
        ("cmi.interactions.0.id", "q1"),
        ("cmi.interactions.0.type", "numeric"),
        ("cmi.interactions.0.objectives.0.id", "o1"),
        ("cmi.interactions.1.id", "q2"),
    ]
    assert (LOCATION[model.version], "p2") in listed
    assert all(name.startswith("cmi.") for name, _ in listed)
    reloaded = model.apply(model.initial_state(learner_id="EMP1001", learner_name="Virtanen, Aino"), [])
    writable = [(n, v) for n, v in listed if n not in dict(model.elements(reloaded))]
    assert model.elements(model.apply(reloaded, writable)) == listed
