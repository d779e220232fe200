"""Interaction responses: the formats of student/learner responses and correct-response patterns.

SCORM 1.2 CMIFeedback (RTE 3.4.2.7) and SCORM 2004 4th ed. learner_response and
correct_responses.n.pattern (RTE 4.2.9.1-2) depend on the interaction's type; an untyped interaction's
1.2 response is a plain CMIString255. All checks raise ``Invalid`` with ``Fault.TYPE``.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from scorm.cmi.types import (
    check_length,
    check_localized,
    check_short_identifier,
    parse_decimal12,
    parse_real,
    type_error,
)

# --------------------------------------------------------------------------- SCORM 1.2

TYPES_12 = ("true-false", "choice", "fill-in", "matching", "performance", "sequencing", "likert", "numeric")

_CHAR = "[0-9a-z]"
_FEEDBACK_12: dict[str, tuple[re.Pattern[str], str]] = {
    "true-false": (re.compile("[01tf]"), "0, 1, t or f"),
    "choice": (
        re.compile(rf"{_CHAR}(?:,{_CHAR})*|\{{{_CHAR}(?:,{_CHAR})*\}}"),
        "single characters 0-9 or a-z separated by commas, such as a,c or {a,c}",
    ),
    "matching": (
        re.compile(rf"{_CHAR}\.{_CHAR}(?:,{_CHAR}\.{_CHAR})*|\{{{_CHAR}\.{_CHAR}(?:,{_CHAR}\.{_CHAR})*\}}"),
        "source.target pairs of single characters separated by commas, such as 1.a,2.c",
    ),
    "sequencing": (
        re.compile(rf"{_CHAR}(?:,{_CHAR})*"),
        "single characters separated by commas, such as c,a,b",
    ),
    "likert": (re.compile(_CHAR), "a single character 0-9 or a-z"),
}


def check_feedback12(value: str, interaction_type: str | None, *, strict: bool = True) -> str:
    """A 1.2 student_response or correct_responses.n.pattern for an interaction of the given type.

    Blank is always allowed (no response). Not strict: any one line, as scorm-again's CMIFeedback.
    """
    if not strict:
        if "\n" in value or "\r" in value:
            raise type_error("a response on one line")
        return value
    check_length(value, 255)
    if value == "" or interaction_type is None:
        return value
    if interaction_type == "numeric":
        parse_decimal12(value)
    elif interaction_type in _FEEDBACK_12:
        pattern, description = _FEEDBACK_12[interaction_type]
        if not pattern.fullmatch(value):
            raise type_error(f"a {interaction_type} response: {description}")
    return value


# --------------------------------------------------------------------------- SCORM 2004

TYPES_2004 = (
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
)

# How many correct_responses.n each type may have (RTE 4.2.9.1, SPM; true-false, likert, numeric
# and other have exactly one pattern, which scorm-again also enforces).
PATTERN_LIMITS = {
    "true-false": 1,
    "choice": 10,
    "fill-in": 5,
    "long-fill-in": 5,
    "likert": 1,
    "matching": 5,
    "performance": 5,
    "sequencing": 5,
    "numeric": 1,
    "other": 1,
}

_ITEMS, _PAIR, _RANGE = "[,]", "[.]", "[:]"
_PREFIX = re.compile(r"\{(case_matters|order_matters)=([^}]*)\}")


def _split(value: str, token: str, strict: bool, most: int = -1) -> list[str]:
    """Split at a reserved token. Not strict and without the token, at its bare character unless
    escaped with a backslash, as scorm-again does for legacy content ("a,b", "1.a")."""
    if strict or token in value:
        return value.split(token, most)
    bare = re.escape(token[1])
    parts = re.split(rf"(?<!\\){bare}", value, maxsplit=max(most, 0))
    return [part.replace("\\" + token[1], token[1]) for part in parts]


def _items(value: str, limit: int, what: str, strict: bool) -> list[str]:
    items = _split(value, _ITEMS, strict)
    if len(items) > limit:
        raise type_error(f"at most {limit} {what} separated by [,]")
    return items


def _pair(item: str, strict: bool) -> tuple[str, str]:
    parts = _split(item, _PAIR, strict, 1)
    if len(parts) != 2:
        raise type_error("pairs written as source[.]target")
    return parts[0], parts[1]


def _unique(items: list[str]) -> None:
    if len(set(items)) != len(items):
        raise type_error("each identifier at most once")


def _true_false(value: str, strict: bool) -> None:
    if value not in ("true", "false"):
        raise type_error("true or false")


def _choice(value: str, strict: bool) -> None:
    items = _items(value, 36, "identifiers", strict)
    for item in items:
        if strict:
            check_short_identifier(item)
        elif not item or len(item) > 4000 or "\n" in item or "\r" in item:
            # scorm-again reads choice responses as long identifiers: any one line
            raise type_error("identifiers of 1 to 4000 characters on one line")
    _unique(items)


def _fill_in(value: str, strict: bool) -> None:
    for item in _items(value, 10, "answers", strict):
        check_localized(item, 250, strict=strict)


def _long_fill_in(value: str, strict: bool) -> None:
    check_localized(value, 4000)


def _likert(value: str, strict: bool) -> None:
    check_short_identifier(value)


def _matching(value: str, strict: bool) -> None:
    for item in _items(value, 36, "pairs", strict):
        source, target = _pair(item, strict)
        check_short_identifier(source)
        check_short_identifier(target)


def _sequencing(value: str, strict: bool) -> None:
    for item in _items(value, 36, "identifiers", strict):
        check_short_identifier(item)


def _numeric(value: str, strict: bool) -> None:
    parse_real(value)


def _numeric_range(value: str, strict: bool) -> None:
    parts = _split(value, _RANGE, strict, 1)
    if len(parts) == 1:
        parse_real(value)
        return
    low = parse_real(parts[0]) if parts[0] else None
    high = parse_real(parts[1]) if parts[1] else None
    if (low is None and high is None and strict) or (low is not None and high is not None and low > high):
        raise type_error("a range min[:]max with min not above max; one of them may be left out")


def _performance_answer(answer: str, pattern: bool, strict: bool) -> None:
    if pattern and _RANGE in answer:
        _numeric_range(answer, strict)
        return
    if any(token in answer for token in (_ITEMS, _PAIR, _RANGE)):
        raise type_error("a step answer without [,], [.] or [:]")
    check_length(answer, 250)


def _performance(value: str, strict: bool, *, pattern: bool = False) -> None:
    for item in _items(value, 250, "steps", strict):
        name, answer = _pair(item, strict)
        if not name and not answer:
            raise type_error("steps written as step_name[.]step_answer, not both empty")
        if name:
            check_short_identifier(name)
        _performance_answer(answer, pattern, strict)


def _other(value: str, strict: bool) -> None:
    check_length(value, 4000)


_LEARNER_RESPONSE: dict[str, Callable[[str, bool], None]] = {
    "true-false": _true_false,
    "choice": _choice,
    "fill-in": _fill_in,
    "long-fill-in": _long_fill_in,
    "likert": _likert,
    "matching": _matching,
    "performance": _performance,
    "sequencing": _sequencing,
    "numeric": _numeric,
    "other": _other,
}


def check_learner_response(value: str, interaction_type: str, *, strict: bool = True) -> str:
    """A 2004 learner_response for an interaction of ``interaction_type`` (one of TYPES_2004)."""
    _LEARNER_RESPONSE[interaction_type](value, strict)
    return value


def _strip_prefixes(value: str, allowed: tuple[str, ...], strict: bool) -> str:
    """Remove the {case_matters=..}{order_matters=..} delimiters a pattern may start with.

    Not strict, a delimiter that does not belong is left as text (scorm-again reads it so).
    """
    seen: set[str] = set()
    while match := _PREFIX.match(value):
        name, flag = match.groups()
        if name not in allowed or name in seen or flag not in ("true", "false"):
            if not strict:
                break
            allowed_text = " and ".join("{" + a + "=true|false}" for a in allowed)
            raise type_error(f"a pattern that may start with {allowed_text}, each once")
        seen.add(name)
        value = value[match.end() :]
    return value


def check_pattern(value: str, interaction_type: str, *, strict: bool = True) -> str:
    """A 2004 correct_responses.n.pattern for an interaction of ``interaction_type``."""
    if interaction_type == "fill-in":
        body = _strip_prefixes(value, ("case_matters", "order_matters"), strict)
        if body:  # an empty pattern: no answer is correct (scorm-again accepts it too)
            _fill_in(body, strict)
    elif interaction_type == "long-fill-in":
        check_localized(_strip_prefixes(value, ("case_matters",), strict), 4000, strict=strict)
    elif interaction_type == "performance":
        _performance(_strip_prefixes(value, ("order_matters",), strict), strict, pattern=True)
    elif interaction_type == "numeric":
        _numeric_range(value, strict)
    else:
        check_learner_response(value, interaction_type, strict=strict)
    return value
