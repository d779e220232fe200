"""Compare JSON replies: exactly (values and types), or by shape against recorded examples."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

# Keys Moodle declares VALUE_OPTIONAL whose presence depends on the data, not on the function:
# idnumber is left out when empty, a grade item has "status" only when it has no grade.
DATA_DEPENDENT_KEYS = frozenset({"idnumber", "status"})

# Kinds Moodle's returns description allows that the recordings happen not to show (the lab SCORM sets
# no minimum score, so only null was recorded).
UNRECORDED_KINDS = {"completionscorerequired": {"number"}}


def kind(value: Any) -> str:
    # bool before number: True == 1 in Python, not in JSON. PHP decides int or float by value, so both
    # are "number".
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "list"
    return "object"


def differences(actual: Any, expected: Any, path: str = "$") -> list[str]:
    """Where two replies differ in keys, types or values; [] when the same."""
    if kind(actual) != kind(expected) or type(actual) is not type(expected):
        return [
            f"{path}: {type(actual).__name__} {actual!r:.60} != {type(expected).__name__} {expected!r:.60}"
        ]
    if isinstance(actual, dict):
        found = [f"{path}.{key}: missing" for key in expected.keys() - actual.keys()]
        found += [f"{path}.{key}: not expected" for key in actual.keys() - expected.keys()]
        for key in actual.keys() & expected.keys():
            found += differences(actual[key], expected[key], f"{path}.{key}")
        return found
    if isinstance(actual, list):
        if len(actual) != len(expected):
            return [f"{path}: {len(actual)} entries != {len(expected)}"]
        return [
            d
            for i, (a, e) in enumerate(zip(actual, expected, strict=True))
            for d in differences(a, e, f"{path}[{i}]")
        ]
    return [] if actual == expected else [f"{path}: {actual!r:.60} != {expected!r:.60}"]


def shape_differences(actual: Any, examples: Sequence[Any], path: str = "$", key: str = "") -> list[str]:
    """Where `actual` has a shape none of the recorded `examples` (values at the same place) has.

    An object must have the keys of one example, give or take DATA_DEPENDENT_KEYS; each value must have
    the kind of a value some matching example has there; each list entry that of an example entry.
    """
    kinds = {kind(e) for e in examples} | UNRECORDED_KINDS.get(key, set())
    if kind(actual) not in kinds:
        return [f"{path}: {kind(actual)} where the recordings have {sorted(kinds)}"]
    if isinstance(actual, dict):
        candidates = [
            e for e in examples if isinstance(e, dict) and (e.keys() ^ actual.keys()) <= DATA_DEPENDENT_KEYS
        ]
        if not candidates:
            shapes = sorted({tuple(sorted(e)) for e in examples if isinstance(e, dict)})
            return [f"{path}: keys {sorted(actual)} match no recorded object {shapes}"]
        found = []
        for key, value in actual.items():
            found += shape_differences(value, [e[key] for e in candidates if key in e], f"{path}.{key}", key)
        return found
    if isinstance(actual, list):
        entries = [entry for e in examples if isinstance(e, list) for entry in e]
        if actual and not entries:
            return [f"{path}: entries where the recordings have only empty lists"]
        return [d for i, a in enumerate(actual) for d in shape_differences(a, entries, f"{path}[{i}]")]
    return []
