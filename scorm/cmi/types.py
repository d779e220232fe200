"""The value types of the run-time data models: characterstrings, numbers, times, identifiers.

Each check takes the value as the SCO sent it and ``strict``: True follows the specification (SCORM 1.2
RTE 3.4.3, SCORM 2004 4th ed. RTE 4.1.1); False also accepts what scorm-again, the browser run-time,
lets through on purpose for legacy content (listed at each check). A failed check raises ``Invalid``
with a ``Fault``; the version's data model turns the fault into its own error code.
"""

from __future__ import annotations

import datetime as dt
import enum
import re
from collections.abc import Collection


class Fault(enum.Enum):
    """Why a call failed, before the version maps it to its error code."""

    UNDEFINED = "not an element of this data model"
    KEYWORD = "_children, _count and _version can only be read"
    READ_ONLY = "the element can only be read"
    WRITE_ONLY = "the element can only be written"
    TYPE = "the value does not have the element's type or format"
    RANGE = "the number is outside the element's range"
    SET_INDEX = "collection entries must be set in order: the index may be at most _count"
    GET_INDEX = "the index is not below _count"
    NO_CHILDREN = "the element has no _children"
    NO_COUNT = "the element is not a collection and has no _count"
    NOT_INITIALIZED = "the element has no value yet"
    DEPENDENCY = "another element must be set first"
    GENERAL_SET = "the value cannot be set"


class Invalid(Exception):
    """A check failed: the fault and a message saying what the element accepts."""

    def __init__(self, fault: Fault, message: str = "") -> None:
        self.fault = fault
        self.message = message or fault.value
        super().__init__(self.message)


def type_error(message: str) -> Invalid:
    return Invalid(Fault.TYPE, message)


# --------------------------------------------------------------------------- characterstrings


def check_length(value: str, limit: int | None, what: str = "characters") -> str:
    """Return ``value`` if it has at most ``limit`` characters (None: no limit)."""
    if limit is not None and len(value) > limit:
        raise type_error(f"at most {limit} {what}")
    return value


def check_vocabulary(value: str, words: Collection[str]) -> str:
    if value not in words:
        raise type_error("one of: " + ", ".join(repr(w) for w in words))
    return value


# --------------------------------------------------------------------------- numbers

# SCORM 1.2 CMIDecimal: digits with an optional point (".5" and "85." included, as Moodle and
# scorm-again read them); scorm-again caps the integer part at 10 digits.
_DECIMAL_12 = re.compile(r"-?(?:[0-9]{1,10}(?:\.[0-9]*)?|\.[0-9]+)")
# SCORM 2004 real(10,7), written as scorm-again accepts it: an integer part is required.
_REAL_2004 = re.compile(r"-?[0-9]{1,10}(?:\.[0-9]{1,18})?")
_SINTEGER = re.compile(r"-?[0-9]{1,10}")


def parse_decimal12(value: str) -> float:
    if not _DECIMAL_12.fullmatch(value):
        raise type_error("a decimal number such as 85 or 72.5")
    return float(value)


def parse_real(value: str) -> float:
    if not _REAL_2004.fullmatch(value):
        raise type_error("a real number such as 0.75 or -12 (digits, an optional point and decimals)")
    return float(value)


def parse_sinteger(value: str) -> int:
    if not _SINTEGER.fullmatch(value):
        raise type_error("a whole number such as -1 or 50")
    return int(value)


def check_range(number: float, low: float | None, high: float | None) -> None:
    if (low is not None and number < low) or (high is not None and number > high):
        low_text = "" if low is None else f"{low:g}"
        high_text = "" if high is None else f"{high:g}"
        raise Invalid(Fault.RANGE, f"a number in the range {low_text}..{high_text}")


# --------------------------------------------------------------------------- SCORM 1.2 times

_TIME_12 = re.compile(r"([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\.[0-9]{1,2})?")
# CMITimespan HHHH:MM:SS.SS: 2 to 4 digits of hours. scorm-again accepts any number of hour digits and
# any two digits of minutes and seconds, because it writes long totals that way itself.
_TIMESPAN_12 = re.compile(r"([0-9]{2,4}):([0-5][0-9]):([0-5][0-9](?:\.[0-9]{1,2})?)")
_TIMESPAN_12_LAX = re.compile(r"([0-9]{1,9}):([0-9]{2}):([0-9]{2}(?:\.[0-9]{1,2})?)")


def check_time12(value: str) -> str:
    if not _TIME_12.fullmatch(value):
        raise type_error("a clock time HH:MM:SS or HH:MM:SS.SS, such as 14:05:00")
    return value


def timespan12_seconds(value: str, *, strict: bool = True) -> float:
    """Seconds in a SCORM 1.2 CMITimespan; raises Invalid if it is not one."""
    match = (_TIMESPAN_12 if strict else _TIMESPAN_12_LAX).fullmatch(value)
    if not match:
        raise type_error("a time span HHHH:MM:SS.SS with 2 to 4 digits of hours, such as 00:01:30")
    hours, minutes, seconds = match.groups()
    return int(hours) * 3600 + int(minutes) * 60 + float(seconds)


def format_timespan12(seconds: float) -> str:
    """A CMITimespan for ``seconds`` (hours capped at 9999, the format's maximum)."""
    centis = min(round(max(seconds, 0.0) * 100), 9999 * 360000 + 359999)
    hours, rest = divmod(centis, 360000)
    minutes, rest = divmod(rest, 6000)
    secs, cents = divmod(rest, 100)
    text = f"{hours:02d}:{minutes:02d}:{secs:02d}"
    return f"{text}.{cents:02d}" if cents else text


# --------------------------------------------------------------------------- SCORM 2004 times

# timeinterval (second,10,2): P[yY][mM][dD][T[hH][nM][s[.s]S]], at most two decimals of seconds.
_DURATION = re.compile(
    r"P(?:([0-9]+)Y)?(?:([0-9]+)M)?(?:([0-9]+)D)?"
    r"(?:T(?:([0-9]+)H)?(?:([0-9]+)M)?(?:([0-9]+(?:\.[0-9]{1,2})?)S)?)?"
)
# scorm-again also takes weeks, fractions in every part and a missing T (its CMITimespan).
_DURATION_LAX = re.compile(
    r"P(?:([.,0-9]+)Y)?(?:([.,0-9]+)M)?(?:([.,0-9]+)W)?(?:([.,0-9]+)D)?"
    r"(?:T?(?:([.,0-9]+)H)?(?:([.,0-9]+)M)?(?:([0-9]+(?:\.[0-9]{1,2})?)S)?)?"
)
# Calendar parts are read as IEEE 1484.11.1 does for totals: a year of 365 days, a month of 30.
_YEAR, _MONTH, _WEEK, _DAY = 365 * 86400, 30 * 86400, 7 * 86400, 86400


def duration_seconds(value: str, *, strict: bool = True) -> float:
    """Seconds in an ISO 8601 duration as SCORM 2004 writes it; raises Invalid if it is not one."""
    message = "an ISO 8601 duration such as PT1H30M5.25S"
    if strict:
        match = _DURATION.fullmatch(value)
        if not match or value == "P" or value.endswith("T"):
            raise type_error(message)
        years, months, days, hours, minutes, seconds = match.groups()
        weeks = None
    else:
        match = _DURATION_LAX.fullmatch(value)
        if not match:
            raise type_error(message)
        years, months, weeks, days, hours, minutes, seconds = match.groups()
    parts = ((years, _YEAR), (months, _MONTH), (weeks, _WEEK), (days, _DAY), (hours, 3600), (minutes, 60))
    try:
        total = sum(float(number.replace(",", ".")) * unit for number, unit in parts if number)
        return total + (float(seconds) if seconds else 0.0)
    except ValueError:  # "1.2.3" passes the lax pattern
        raise type_error(message) from None


def format_duration(seconds: float) -> str:
    """A canonical duration, hours not folded into days: PT1H30M5.25S, PT0H0M0S for zero."""
    centis = round(max(seconds, 0.0) * 100)
    hours, rest = divmod(centis, 360000)
    minutes, rest = divmod(rest, 6000)
    secs, cents = divmod(rest, 100)
    second_text = f"{secs}.{cents:02d}".rstrip("0").rstrip(".") if cents else str(secs)
    return f"PT{hours}H{minutes}M{second_text}S"


# time (second,10,0): YYYY[-MM[-DD[Thh[:mm[:ss[.s[TZD]]]]]]]; a zone only after fractional seconds
# (RTE A.2, enforced by the ADL test suite); years 1970-2038 (scorm-again: up to 9999); scorm-again
# also takes up to 6 fraction digits, which is what Date.toISOString() gives (3).
_TIMESTAMP = re.compile(
    r"(?P<Y>[0-9]{4})(?:-(?P<M>[0-9]{2})(?:-(?P<D>[0-9]{2})(?:T(?P<h>[0-9]{2})(?::(?P<m>[0-9]{2})"
    r"(?::(?P<s>[0-9]{2})(?:\.(?P<f>[0-9]+)(?P<z>Z|(?P<sign>[-+|])(?P<zh>[0-9]{2})(?::(?P<zm>[0-9]{2}))?)?)?)?)?)?)?)?"
)


def check_timestamp(value: str, *, strict: bool = True) -> str:
    match = _TIMESTAMP.fullmatch(value)
    message = "a time stamp such as 2024-05-06T14:05:00.5 or 2024-05-06T12:05:00.0Z"
    if not match:
        raise type_error(message)
    parts = match.groupdict()
    last_year, digits = (2038, 2) if strict else (9999, 6)
    year = int(parts["Y"])
    if not 1970 <= year <= last_year:
        raise type_error(f"{message}, in the years 1970-{last_year}")
    if parts["sign"] == "|" and strict:  # a slip in scorm-again's pattern lets "|" stand for a sign
        raise type_error(message)
    if parts["f"] is not None and len(parts["f"]) > digits:
        raise type_error(f"{message}, with at most {digits} decimals of seconds")
    month, day = int(parts["M"] or 1), int(parts["D"] or 1)
    hour, minute, second = int(parts["h"] or 0), int(parts["m"] or 0), int(parts["s"] or 0)
    try:
        # scorm-again checks each part's range but not the calendar (it takes 2023-02-29).
        dt.datetime(year, month, day if strict else min(day, 28), hour, minute, second)
        if day > 31:
            raise ValueError(day)
    except ValueError:
        raise type_error(f"{message}, on a real date and time") from None
    if parts["zh"] is not None and (int(parts["zh"]) > 23 or int(parts["zm"] or 0) > 59):
        raise type_error(f"{message}, with a zone offset of at most 23:59")
    return value


# --------------------------------------------------------------------------- identifiers

# SCORM 1.2 CMIIdentifier: the RTE says "alphanumeric, no white space"; Moodle and scorm-again read it
# as printable ASCII, scorm-again adding white space for legacy ids (and refusing an empty one).
_IDENTIFIER_12 = re.compile(r"[\x21-\x7e]{1,255}")
_IDENTIFIER_12_LAX = re.compile(r"[\x21-\x7e\s]{1,255}")
# short_identifier_type: characters of a URI (RFC 3986) but [ and ], which SCORM's delimiters [,] [.]
# and [:] use, 1 to 250 of them, at least one a letter, digit or _ (as scorm-again requires).
URI_CHARS = r"A-Za-z0-9\-._~:/?#@!$&'()*+,;=%"
_SHORT_ID = re.compile(f"(?=.*[A-Za-z0-9_])[{URI_CHARS}]{{1,250}}")
_URN = re.compile(r"urn:[A-Za-z0-9][A-Za-z0-9-]{0,31}:\S+", re.IGNORECASE)


def check_identifier12(value: str, *, strict: bool = True) -> str:
    if not (_IDENTIFIER_12 if strict else _IDENTIFIER_12_LAX).fullmatch(value):
        raise type_error("an identifier of 1 to 255 printable characters without spaces")
    return value


def check_short_identifier(value: str) -> str:
    if not _SHORT_ID.fullmatch(value):
        raise type_error("a short identifier: 1 to 250 characters allowed in a URI, no spaces")
    return value


def check_long_identifier(value: str, *, strict: bool = True) -> str:
    """long_identifier_type (SPM 4000): a URI without white space; a URN if it starts with urn:.

    Not strict, any line without line breaks that is not blank (scorm-again).
    """
    if strict:
        if not value or len(value) > 4000 or any(c.isspace() for c in value):
            raise type_error("an identifier of 1 to 4000 characters without white space")
        if value[:4].lower() == "urn:" and not _URN.fullmatch(value):
            raise type_error("a URN such as urn:example:objective-1 (urn:, a namespace, :, a name)")
    elif not value.strip() or len(value) > 4000 or "\n" in value or "\r" in value:
        raise type_error("an identifier of 1 to 4000 characters on one line")
    return value


# --------------------------------------------------------------------------- localized strings

# language_type: a language tag (ISO 639 code of 1-8 letters, or i / x, then subtags of 1-8 letters
# and digits); scorm-again takes the same shape.
_LANGUAGE = re.compile(r"[A-Za-z]{1,8}(?:-[A-Za-z0-9]{1,8})*")
_LANG_DELIMITER = re.compile(r"\{lang=([^}]*)\}")


def check_language(value: str) -> str:
    """A language tag or "" (learner_preference.language)."""
    if value and (len(value) > 250 or not _LANGUAGE.fullmatch(value)):
        raise type_error("a language code such as fi, sv-FI or en-GB, or nothing")
    return value


def split_lang(value: str) -> tuple[str | None, str]:
    """The {lang=..} delimiter's code (None when absent) and the text after it."""
    match = _LANG_DELIMITER.match(value)
    if not match:
        return None, value
    return match.group(1), value[match.end() :]


def check_localized(value: str, limit: int | None, *, strict: bool = True) -> str:
    """localized_string_type: an optional {lang=code} delimiter, then text of at most ``limit``.

    Not strict, a delimiter without a valid code is read as text (scorm-again's fill-in patterns).
    """
    lang, text = split_lang(value)
    if lang is not None and not _LANGUAGE.fullmatch(lang):
        if strict:
            raise type_error("a valid language code in the {lang=...} delimiter, such as {lang=fi}")
        text = value
    check_length(text, limit)
    return value
