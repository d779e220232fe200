"""The engine both versions share: element tables, dotted paths, collections, set/get, commits.

A state is a plain JSON-serialisable dict: ``{"_meta": {"version", "seq", "open"}, "cmi": {...},
"adl": {...}}`` with elements nested by their dotted names and collections as lists, so
``cmi.interactions.0.id`` is ``state["cmi"]["interactions"][0]["id"]`` (``DataModel.elements`` lists
them by dotted name). ``_meta``: the version ("1.2" or "2004"), the last commit number applied, and whether a
session has set values that ``finish`` has not closed yet. Only values the LMS supplied
or the SCO set are stored; everything else reads as the element's default. Every method returns a
new state and never changes the one it was given.
"""

from __future__ import annotations

import abc
import copy
import enum
import itertools
import math
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar, NamedTuple

from scorm.cmi.types import Fault, Invalid
from scorm.errors import CmiError

State = dict[str, Any]
Check = Callable[[str, bool], str]  # (value, strict) -> the value to store; raises Invalid


class Access(enum.Enum):
    READ_WRITE = "rw"
    READ_ONLY = "ro"
    WRITE_ONLY = "wo"


@dataclass(frozen=True)
class Element:
    """One element of a data model: who may read and write it, its check, its value while unset.

    ``default`` None means "not initialized": SCORM 2004 GetValue fails with 403, 1.2 returns "".
    A read-only element's check validates what the LMS supplies at launch.
    """

    access: Access
    check: Check | None = None
    default: str | None = None


@dataclass(frozen=True)
class Schema:
    """A version's data model: elements by pattern (``n`` for an index), collections, _children."""

    elements: Mapping[str, Element]
    collections: Mapping[str, int | None]  # pattern -> most entries allowed when strict (None: any)
    children: Mapping[str, str]
    version_value: str  # what cmi._version reads
    nodes: frozenset[str] = field(init=False)

    def __post_init__(self) -> None:
        nodes: set[str] = set()
        for pattern in self.elements:
            parts = pattern.split(".")
            nodes.update(".".join(parts[:i]) for i in range(1, len(parts) + 1))
        object.__setattr__(self, "nodes", frozenset(nodes))


_INDEX = re.compile(r"[0-9]{1,9}")
LAX_MAX_ENTRIES = 10_000  # per collection when not strict (scorm-again sets no limit)
KEYWORDS = ("_children", "_count", "_version")


@dataclass(frozen=True)
class Path:
    """A parsed element name: its pattern, collection indexes and keyword (if it ends in one)."""

    element: str
    pattern: str  # "cmi.interactions.n.id"; for a keyword, the pattern of what it is asked of
    indexes: tuple[int, ...]
    keyword: str | None = None

    def keys(self, upto: str | None = None) -> list[str | int]:
        """Where the value lives in a state: names and list positions (of ``upto``, a prefix)."""
        parts = (upto or self.pattern).split(".")
        positions = iter(self.indexes)
        return [next(positions) if part == "n" else part for part in parts]

    def collections(self) -> list[tuple[str, int]]:
        """Each collection the path goes through, outermost first, with the index used in it."""
        parts = self.pattern.split(".")
        found = [".".join(parts[:i]) for i, part in enumerate(parts) if part == "n"]
        return list(zip(found, self.indexes, strict=True))


class LmsComment(NamedTuple):
    """A comment from the LMS for cmi.comments_from_lms (2004; 1.2 joins the comment texts)."""

    comment: str
    location: str = ""
    timestamp: str = ""


@dataclass(frozen=True)
class Summary:
    """What the LMS needs from a state: status, score, time, where the learner is.

    Statuses use SCORM 2004's words for both versions (1.2: passed -> completed/passed, completed ->
    completed/unknown, failed -> completed/failed, incomplete and browsed -> incomplete/unknown,
    not attempted -> not attempted/unknown). Times: ``total_time_seconds`` includes the current
    session's ``session_time_seconds`` until ``finish`` moves it into the total.
    """

    version: str
    completion_status: str
    success_status: str
    score_raw: float | None
    score_min: float | None
    score_max: float | None
    score_scaled: float | None  # 2004: cmi.score.scaled; 1.2: raw within min..max (0..100 if unset)
    total_time_seconds: float
    session_time_seconds: float
    location: str
    suspend_data_length: int
    interactions_count: int
    entry: str
    exit: str
    credit: str
    mode: str


@dataclass(frozen=True)
class CommitResult:
    """The outcome of ``apply_commit``.

    ``applied`` False: the sequence number was not above the last one applied (a retry or a commit
    overtaken by a later one), and ``state`` is the state passed in, unchanged. ``rejected``: with
    ``skip_invalid``, the changes that failed and were left out, as SetValue would have refused them.
    """

    state: State
    applied: bool
    rejected: tuple[CmiError, ...] = ()


def as_text(value: object) -> str:
    """A SetValue argument as the browser's String() writes it (SCOs pass numbers and booleans too)."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float) and math.isfinite(value):
        return str(int(value)) if value.is_integer() and abs(value) < 1e21 else repr(value)
    raise Invalid(Fault.TYPE, "a character string")


def number_text(value: float | str) -> str:
    """An LMS-supplied number as SCORM writes it: 80, 0.8."""
    if isinstance(value, str):
        return value
    return as_text(float(value))


class DataModel(abc.ABC):
    """A SCORM run-time data model that checks and stores what a SCO sets, as the LMS side.

    ``strict`` True follows the specification; False also accepts what the scorm-again run-time lets
    through for legacy content (see ``scorm.cmi`` for the list).
    """

    version: ClassVar[str]
    schema: ClassVar[Schema]
    codes: ClassVar[Mapping[Fault, int]]
    unset_is_error: ClassVar[bool]  # GetValue of an element without a value fails (2004: 403)

    def __init__(self, *, strict: bool = True) -> None:
        self.strict = strict

    def __repr__(self) -> str:
        return f"{type(self).__name__}(strict={self.strict})"

    # ----------------------------------------------------------------------- public API

    @staticmethod
    def for_version(version: str, *, strict: bool = True) -> DataModel:
        """The data model for "1.2" or "2004" (also a manifest's "2004-3rd" etc., or "scorm12").

        Raises ValueError for any other version.
        """
        from scorm.cmi.scorm12 import Scorm12Model
        from scorm.cmi.scorm2004 import Scorm2004Model

        key = version.strip().lower().removeprefix("scorm").strip()
        if key in ("1.2", "12"):
            return Scorm12Model(strict=strict)
        if key.startswith("2004"):
            return Scorm2004Model(strict=strict)
        raise ValueError(f"unknown SCORM version {version!r}: use '1.2' or '2004'")

    @abc.abstractmethod
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
        """The state of a new attempt with what the LMS supplies; ValueError if a value is invalid.

        mastery_score is SCORM 1.2's (0..100, the manifest's adlcp:masteryscore);
        scaled_passing_score (-1..1) and completion_threshold (0..1) are SCORM 2004's.
        """

    def apply(self, state: State, changes: Iterable[tuple[str, object]]) -> State:
        """The state after the SCO's SetValue calls, in order; raises CmiError at the first that fails."""
        return self._apply(state, changes, skip_invalid=False)[0]

    def apply_commit(
        self,
        state: State,
        seq: int,
        changes: Iterable[tuple[str, object]],
        *,
        skip_invalid: bool = False,
    ) -> CommitResult:
        """Apply a numbered commit once: a ``seq`` not above the last applied one changes nothing.

        The last applied number is kept in the state (``_meta.seq``) for the whole attempt, across its
        sessions: a page must number its commits above the ``_meta.seq`` it was launched with (or by
        the clock), or a resumed session's commits would count as old. Numbers may skip (a commit the
        server refused never counts); the browser numbers its commits in the order it made them, so a
        retry or a late duplicate is recognised. Raises CmiError (without ``skip_invalid``) and
        ValueError for a negative or non-integer ``seq``.
        """
        if isinstance(seq, bool) or not isinstance(seq, int) or seq < 0:
            raise ValueError(f"a commit's sequence number must be a whole number >= 0, not {seq!r}")
        self._check_state(state)
        if seq <= state["_meta"]["seq"]:
            return CommitResult(state=state, applied=False)
        new, rejected = self._apply(state, changes, skip_invalid=skip_invalid)
        new["_meta"]["seq"] = seq
        return CommitResult(state=new, applied=True, rejected=tuple(rejected))

    def get(self, state: State, element: str) -> str:
        """GetValue as the LMS answers it, incl. _children, _count and _version; raises CmiError."""
        self._check_state(state)
        try:
            return self._get(state, self._parse(element))
        except Invalid as exc:
            raise self._error(element, exc) from None

    def elements(self, state: State) -> list[tuple[str, str]]:
        """Every stored value by its dotted name, collections in index order and each entry's id and
        type first: what the browser's run-time is loaded with at launch (as a dict, scorm-again's
        ``loadFromFlattenedJSON``). Write-only values are included; the LMS may read them."""
        self._check_state(state)
        found: list[tuple[str, str]] = []

        def walk(node: object, name: str) -> None:
            if isinstance(node, str):
                found.append((name, node))
            elif isinstance(node, list):
                for index, entry in enumerate(node):
                    walk(entry, f"{name}.{index}")
            elif isinstance(node, dict):
                first = [key for key in ("id", "type") if key in node]
                for key in first + [key for key in node if key not in first]:
                    walk(node[key], f"{name}.{key}" if name else key)

        walk({key: value for key, value in state.items() if key != "_meta"}, "")
        return found

    @abc.abstractmethod
    def summary(self, state: State) -> Summary:
        """Status, score, times and place of a state, in SCORM 2004's words for both versions."""

    def finish(self, state: State) -> State:
        """End the learner session: the version's LMS rules at Terminate/LMSFinish, session time into
        the total, cmi.entry for the next session. Does nothing to a state with no open session, so it
        is safe to call again (e.g. at the next launch, when the browser never said it had finished).
        """
        self._check_state(state)
        new = copy.deepcopy(state)
        if new["_meta"]["open"]:
            self._finish(new)
            new["_meta"]["open"] = False
        return new

    # ----------------------------------------------------------------------- version hooks

    @abc.abstractmethod
    def _finish(self, state: State) -> None:
        """The version's rules at the end of a session, applied to ``state`` in place."""

    def _before_value(self, state: State, path: Path) -> None:
        """Dependencies checked before the value (2004: 408); 1.2 has none."""
        return None

    def _after_value(self, state: State, path: Path, value: str) -> str:
        """Checks needing other elements (response formats by type, unique ids); the value to store."""
        return value

    def _computed(self, state: State, path: Path) -> str | None:
        """A value the LMS works out when read (2004 completion and success status), else None."""
        return None

    # ----------------------------------------------------------------------- engine

    def _new_state(self) -> State:
        return {"_meta": {"version": self.version, "seq": 0, "open": False}, "cmi": {}}

    def _check_state(self, state: State) -> None:
        meta = state.get("_meta") if isinstance(state, dict) else None
        if not isinstance(meta, dict) or meta.get("version") != self.version:
            raise ValueError(f"not a SCORM {self.version} run-time state")

    def _error(self, element: str, exc: Invalid) -> CmiError:
        return CmiError(element, self.codes[exc.fault], exc.message)

    def _apply(
        self, state: State, changes: Iterable[tuple[str, object]], *, skip_invalid: bool
    ) -> tuple[State, list[CmiError]]:
        self._check_state(state)
        new = copy.deepcopy(state)
        rejected: list[CmiError] = []
        for element, value in changes:
            try:
                self._set(new, element, value)
            except Invalid as exc:
                error = self._error(str(element), exc)
                if not skip_invalid:
                    raise error from None
                rejected.append(error)
        new["_meta"]["open"] = True
        return new, rejected

    def _parse(self, element: object) -> Path:
        """The pattern and indexes of a dotted element name; raises Invalid(UNDEFINED)."""
        if not isinstance(element, str) or not element:
            raise Invalid(Fault.UNDEFINED)
        schema = self.schema
        parts = element.split(".")
        pattern: list[str] = []
        indexes: list[int] = []
        position = 0
        while position < len(parts):
            part = parts[position]
            if part == "n" or (part in KEYWORDS and position != len(parts) - 1):
                raise Invalid(Fault.UNDEFINED)
            pattern.append(part)
            position += 1
            prefix = ".".join(pattern)
            if prefix in schema.collections and position < len(parts) and parts[position] not in KEYWORDS:
                if not _INDEX.fullmatch(parts[position]):
                    raise Invalid(Fault.UNDEFINED)
                indexes.append(int(parts[position]))
                pattern.append("n")
                position += 1
        keyword = pattern[-1] if pattern[-1] in KEYWORDS else None
        target = ".".join(pattern[:-1] if keyword else pattern)
        if keyword == "_version":
            if target != "cmi":
                raise Invalid(Fault.UNDEFINED)
        elif target not in (schema.nodes if keyword else schema.elements):
            raise Invalid(Fault.UNDEFINED)
        return Path(element, target, tuple(indexes), keyword)

    def _cap(self, collection: str) -> int:
        """Most entries of a collection: its SPM when strict, else a guard against runaway content."""
        spm = self.schema.collections[collection]
        return spm if self.strict and spm is not None else LAX_MAX_ENTRIES

    def _set(self, state: State, element: object, raw: object) -> None:
        path = self._parse(element)
        if path.keyword:
            raise Invalid(Fault.KEYWORD)
        spec = self.schema.elements[path.pattern]
        if spec.access is Access.READ_ONLY:
            raise Invalid(Fault.READ_ONLY)
        for collection, index in path.collections():
            entries = read(state, path.keys(collection))
            count = len(entries) if isinstance(entries, list) else 0
            # scorm-again keeps an empty entry when the first SetValue at a new index fails, so its
            # _count can be ahead of ours; not strict, the gap is filled with empty entries.
            if index > count and self.strict:
                raise Invalid(Fault.SET_INDEX, f"{Fault.SET_INDEX.value} ({count})")
            cap = self._cap(collection)
            if index >= count and index >= cap:
                raise Invalid(Fault.GENERAL_SET, f"{collection} holds at most {cap} entries")
        self._before_value(state, path)
        value = as_text(raw)
        if spec.check is not None:
            value = spec.check(value, self.strict)
        value = self._after_value(state, path, value)
        write(state, path.keys(), value)

    def _get(self, state: State, path: Path) -> str:
        schema = self.schema
        if path.keyword == "_version":
            return schema.version_value
        if path.keyword == "_children":
            if path.pattern not in schema.children:
                raise Invalid(Fault.NO_CHILDREN)
            return schema.children[path.pattern]
        if path.keyword == "_count" and path.pattern not in schema.collections:
            raise Invalid(Fault.NO_COUNT)
        if not path.keyword and schema.elements[path.pattern].access is Access.WRITE_ONLY:
            raise Invalid(Fault.WRITE_ONLY)
        for collection, index in path.collections():
            entries = read(state, path.keys(collection))
            if not isinstance(entries, list) or index >= len(entries):
                raise Invalid(Fault.GET_INDEX)
        if path.keyword == "_count":
            entries = read(state, path.keys())
            return str(len(entries) if isinstance(entries, list) else 0)
        value = self._computed(state, path)
        if value is None:
            stored = read(state, path.keys())
            value = stored if isinstance(stored, str) else schema.elements[path.pattern].default
        if value is None:
            if self.unset_is_error:
                raise Invalid(Fault.NOT_INITIALIZED)
            return ""
        return value

    def _value(self, state: State, element: str) -> str | None:
        """The stored value of an element without indexes, else its default (None: unset)."""
        stored = read(state, element.split("."))
        return stored if isinstance(stored, str) else self.schema.elements[element].default

    def _lms_value(self, state: State, element: str, value: str) -> None:
        """Store what the LMS supplies at launch, checked like a SetValue; ValueError if invalid."""
        spec = self.schema.elements[element]
        try:
            checked = spec.check(value, self.strict) if spec.check else value
        except Invalid as exc:
            raise ValueError(f"{element}: {exc.message}") from None
        write(state, element.split("."), checked)


def read(state: Mapping[str, Any], keys: Sequence[str | int]) -> object:
    """The value at ``keys`` (names and list positions), None where anything is missing."""
    node: object = state
    for key in keys:
        if isinstance(key, int):
            if not isinstance(node, list) or key >= len(node):
                return None
            node = node[key]
        elif isinstance(node, dict):
            node = node.get(key)
        else:
            return None
    return node


def write(state: State, keys: Sequence[str | int], value: object) -> None:
    """Store ``value`` at ``keys``, creating dicts, lists and list entries as needed."""
    node: Any = state
    for key, following in itertools.pairwise(keys):
        if isinstance(key, int):
            while key >= len(node):
                node.append({})
            node = node[key]
        else:
            if key not in node:
                node[key] = [] if isinstance(following, int) else {}
            node = node[key]
    node[keys[-1]] = value


def remove(state: State, element: str) -> None:
    """Forget a stored value of an element without indexes (it reads as its default again)."""
    *parents, name = element.split(".")
    node = read(state, parents)
    if isinstance(node, dict):
        node.pop(name, None)
        if not node and parents:  # keep the state compact: no empty groups left behind
            remove(state, ".".join(parents))


def to_float(value: str | None) -> float | None:
    return float(value) if value not in (None, "") else None
