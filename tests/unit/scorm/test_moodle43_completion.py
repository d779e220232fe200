"""The Moodle 4.3 completion model (moodle43.py): it matches the recorded commit, it reproduces issue 11 on
the SCO's calls as recorded before the fix, and the fixed order (status committed before the score) completes.

The fixed SCO's real calls go through the same model in tests/browser/test_sco_commit_order.py.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import pytest

from tests.unit.scorm.moodle43 import Moodle43Scorm12

DATA = Path(__file__).resolve().parents[2] / "data"
BEFORE = json.loads((DATA / "sco_calls" / "scorm12_before_issue11.json").read_text(encoding="utf-8"))
RULES = {"passed": frozenset({"passed"}), "passed or completed": frozenset({"passed", "completed"})}


def test_the_model_posts_a_commit_in_the_order_moodle_was_recorded_posting_it(shared_dir: Path) -> None:
    capture: dict[str, Any] = json.loads(
        (shared_dir / "fixtures" / "moodle" / "scorm" / "datamodel_commit_capture.json").read_text()
    )
    commit = next(r for r in capture["requests"] if r["step"].startswith("LMSCommit"))
    recorded = [(k.replace("__", "."), v) for k, v in parse_qsl(commit["body"]) if k.startswith("cmi__")]
    # The recorded flow: the attempt already had lesson_status "completed"; the SCO set min, max, raw, the
    # unchanged status and the session time, then committed.
    moodle = Moodle43Scorm12(tracks={"cmi.core.lesson_status": "completed"})
    moodle.play(
        [
            ["LMSInitialize", ""],
            ["LMSSetValue", "cmi.core.score.min", "0"],
            ["LMSSetValue", "cmi.core.score.max", "100"],
            ["LMSSetValue", "cmi.core.score.raw", "85"],
            ["LMSSetValue", "cmi.core.lesson_status", "completed"],
            ["LMSSetValue", "cmi.core.session_time", "00:01:30"],
            ["LMSCommit", ""],
        ]
    )
    assert moodle.posts == [recorded]


@pytest.mark.parametrize("rule", RULES)
def test_the_sco_before_the_fix_passes_but_never_completes_in_moodle(rule: str) -> None:
    moodle = Moodle43Scorm12(status_required=RULES[rule]).play(BEFORE["pass"])
    assert moodle.tracks["cmi.core.lesson_status"] == "passed"
    assert moodle.tracks["cmi.core.score.raw"] == "100"
    # The one recompute ran on the score, posted first, while "incomplete" was still stored.
    assert moodle.recomputed_with == ["incomplete"]
    assert not moodle.complete


def test_an_unfinished_module_is_incomplete_and_resumes() -> None:
    moodle = Moodle43Scorm12().play(BEFORE["halfway"])
    assert moodle.tracks["cmi.core.lesson_status"] == "incomplete"
    assert moodle.entry_on_return() == "resume"
    assert not moodle.complete


LAUNCH = [
    ["LMSInitialize", ""],
    ["LMSSetValue", "cmi.core.lesson_status", "incomplete"],
    ["LMSSetValue", "cmi.core.exit", "suspend"],
    ["LMSCommit", ""],
]
SCORE = [
    ["LMSSetValue", "cmi.core.score.min", "0"],
    ["LMSSetValue", "cmi.core.score.max", "100"],
    ["LMSSetValue", "cmi.core.score.raw", "100"],
]


@pytest.mark.parametrize("rule", RULES)
def test_status_committed_before_the_score_completes(rule: str) -> None:
    calls = [
        *LAUNCH,
        ["LMSSetValue", "cmi.core.lesson_status", "passed"],
        ["LMSCommit", ""],
        *SCORE,
        ["LMSSetValue", "cmi.core.lesson_status", "passed"],
        ["LMSCommit", ""],
        ["LMSFinish", ""],
    ]
    moodle = Moodle43Scorm12(status_required=RULES[rule]).play(calls)
    assert moodle.recomputed_with == ["passed"]
    assert moodle.complete


def test_status_and_score_in_one_commit_do_not_complete_whatever_order_the_sco_sets_them() -> None:
    calls = [*LAUNCH, ["LMSSetValue", "cmi.core.lesson_status", "passed"], *SCORE, ["LMSCommit", ""]]
    assert not Moodle43Scorm12().play(calls).complete


def test_without_the_early_incomplete_one_commit_completes() -> None:
    """The other way out the issue names: a status track first created as "passed" is judged by that value."""
    calls = [
        ["LMSInitialize", ""],
        *SCORE,
        ["LMSSetValue", "cmi.core.lesson_status", "passed"],
        ["LMSCommit", ""],
    ]
    moodle = Moodle43Scorm12().play(calls)
    assert moodle.recomputed_with == ["", "passed"]
    assert moodle.complete


def test_a_failed_attempt_is_never_complete_and_a_later_pass_is() -> None:
    failed = [
        *LAUNCH,
        ["LMSSetValue", "cmi.core.lesson_status", "failed"],
        ["LMSCommit", ""],
        ["LMSSetValue", "cmi.core.score.raw", "40"],
        ["LMSSetValue", "cmi.core.lesson_status", "failed"],
        ["LMSCommit", ""],
    ]
    moodle = Moodle43Scorm12(status_required=RULES["passed or completed"]).play(failed)
    assert not moodle.complete
    moodle.play(
        [
            ["LMSSetValue", "cmi.core.lesson_status", "passed"],
            ["LMSCommit", ""],
            ["LMSSetValue", "cmi.core.score.raw", "100"],
            ["LMSSetValue", "cmi.core.lesson_status", "passed"],
            ["LMSCommit", ""],
        ]
    )
    assert moodle.complete
