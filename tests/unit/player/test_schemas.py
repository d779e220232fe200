"""The commit endpoint's body, the commit token, and what player.js does and never does."""

from __future__ import annotations

import re

import pytest

from lms_bridge import PROJECT_ROOT
from lms_bridge.player.errors import PlayerError
from lms_bridge.player.schemas import MAX_CHANGES, CommitRequest, parse_commit_body
from lms_bridge.player.token import check_commit_token, commit_token

PLAYER_JS = PROJECT_ROOT / "lms_bridge" / "static" / "player.js"


def test_one_commit():
    body = parse_commit_body({"token": "t", "item": "i", "seq": 5, "changes": [["cmi.a", "x"], ["cmi.b", 3]]})
    assert body.item == "i"
    assert body.commits == (CommitRequest(5, (("cmi.a", "x"), ("cmi.b", 3)), False),)


def test_several_commits_keep_their_numbers_and_finish():
    body = parse_commit_body(
        {"commits": [{"seq": 1, "changes": [], "finish": True}, {"seq": 2, "changes": [["cmi.a", ""]]}]}
    )
    assert [(c.seq, c.finish) for c in body.commits] == [(1, True), (2, False)]
    assert body.item is None


@pytest.mark.parametrize(
    "payload",
    [
        None,
        [],
        "seq=1",
        {"changes": []},
        {"seq": 0, "changes": []},
        {"seq": 2**63, "changes": []},
        {"seq": 1.5, "changes": []},
        {"seq": 1, "changes": {"cmi.a": "x"}},
        {"seq": 1, "changes": [["cmi.a", "x", "y"]]},
        {"commits": "all"},
        {"commits": [{"seq": 1, "changes": []}, "two"]},
        {"seq": 1, "changes": [["cmi.a", "x"]] * (MAX_CHANGES + 1)},
    ],
)
def test_anything_else_is_refused(payload):
    with pytest.raises(PlayerError):
        parse_commit_body(payload)


def test_the_token_names_one_attempt_and_one_learner():
    token = commit_token("k", attempt_id=1, staff_id=2)
    assert check_commit_token("k", token, attempt_id=1, staff_id=2)
    assert not check_commit_token("k", token, attempt_id=1, staff_id=3)
    assert not check_commit_token("k", token, attempt_id=2, staff_id=2)
    assert not check_commit_token("other key", token, attempt_id=1, staff_id=2)
    assert not check_commit_token("k", None, attempt_id=1, staff_id=2)


def test_player_js_sends_on_pagehide_and_hidden_and_never_listens_for_unload():
    script = PLAYER_JS.read_text(encoding="utf-8")
    listened = set(re.findall(r'addEventListener\("([a-z]+)"', script))
    assert {"pagehide", "visibilitychange", "online"} <= listened
    assert not listened & {"unload", "beforeunload"}
    assert "keepalive" in script


def test_player_js_leaves_the_data_model_to_scorm_again():
    """No element table of its own: it loads scorm-again and only records what scorm-again accepted."""
    script = PLAYER_JS.read_text(encoding="utf-8")
    assert "new window.Scorm12API(" in script
    assert "new window.Scorm2004API(" in script
    assert "lmsCommitUrl: false" in script
    assert not re.search(r"cmi\.core\.(lesson_status|score)", script)
