"""The commit endpoint's JSON shape.

One commit::

    {"token": "...", "item": "<TOC item id>", "seq": 1732459000000123,
     "changes": [["cmi.core.lesson_location", "p3"], ...], "finish": false}

or several of one SCO, applied in order in one transaction (what the browser sends when commits have
waited: each keeps its number and its finish)::

    {"token": "...", "item": "...", "commits": [{"seq": ..., "changes": [...], "finish": true}, ...]}

`changes` are the SCO's SetValue calls in the order it made them; `finish` marks its
LMSFinish/Terminate.

Opening an item (`POST /play/attempt/<id>/open`, what the page does before it loads the SCO)::

    {"token": "...", "item": "<TOC item id>"}
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l

from lms_bridge.player.errors import PlayerError

MAX_CHANGES = 20_000  # per request; a SCO sets at most a few thousand values in a session
MAX_COMMITS = 1_000  # per request


@dataclass(frozen=True)
class CommitRequest:
    seq: int
    changes: tuple[tuple[str, object], ...]
    finish: bool


@dataclass(frozen=True)
class CommitBody:
    token: object
    item: str | None
    commits: tuple[CommitRequest, ...]


def _bad_shape() -> PlayerError:
    return PlayerError(_l("Tallennus on väärässä muodossa: siitä puuttuu järjestysnumero tai muutokset."))


def parse_changes(raw: object) -> tuple[tuple[str, object], ...]:
    """[[element, value], ...]. Values are kept as sent: the data model turns numbers and booleans into
    SCORM text and refuses anything else per element, so one odd value never costs the rest."""
    if not isinstance(raw, list):
        raise _bad_shape()
    changes: list[tuple[str, object]] = []
    for pair in raw:
        if not isinstance(pair, list) or len(pair) != 2 or not isinstance(pair[0], str):
            raise _bad_shape()
        changes.append((pair[0], pair[1]))
    return tuple(changes)


def _commit(raw: Any) -> CommitRequest:
    if not isinstance(raw, dict):
        raise _bad_shape()
    seq = raw.get("seq")
    if isinstance(seq, bool) or not isinstance(seq, int) or not 0 < seq < 2**63:
        raise PlayerError(_l("Tallennuksen järjestysnumero puuttuu tai on virheellinen."))
    return CommitRequest(seq, parse_changes(raw.get("changes")), raw.get("finish") is True)


def parse_commit_body(payload: object) -> CommitBody:
    """Raises PlayerError for anything but the shapes above."""
    if not isinstance(payload, dict):
        raise PlayerError(_l("Tallennus ei ole JSON-muodossa."))
    if "commits" in payload:
        raw = payload["commits"]
        if not isinstance(raw, list) or not raw or len(raw) > MAX_COMMITS:
            raise _bad_shape()
        commits = tuple(_commit(entry) for entry in raw)
    else:
        commits = (_commit(payload),)
    if sum(len(c.changes) for c in commits) > MAX_CHANGES:
        raise PlayerError(_l("Tallennuksessa on liikaa muutoksia (enintään %(n)s).", n=MAX_CHANGES))
    item = payload.get("item")
    return CommitBody(payload.get("token"), item if isinstance(item, str) else None, commits)


@dataclass(frozen=True)
class OpenBody:
    token: object
    item: str | None


def parse_open_body(payload: object) -> OpenBody:
    """Raises PlayerError for anything but the shape above."""
    if not isinstance(payload, dict):
        raise PlayerError(_l("Pyyntö ei ole JSON-muodossa."))
    item = payload.get("item")
    if item is not None and not isinstance(item, str):
        raise PlayerError(_l("Pyynnön osa on virheellinen."))
    return OpenBody(payload.get("token"), item)
