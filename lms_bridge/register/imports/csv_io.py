"""Reading the CSV files people actually have: UTF-8 with or without BOM, Excel's semicolon variant.

Excel in a Finnish locale writes `;`-separated files, in Windows-1252 ("CSV") or UTF-8 with a BOM
("CSV UTF-8"). The delimiter is taken from the header line; the encoding is UTF-8 when the bytes decode
as UTF-8, else Windows-1252. Field parsers raise ValueError with a Finnish message for the row report.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from lms_bridge.db import REGION_TIMEZONE
from lms_bridge.register.errors import RegisterError

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}")
_FINNISH_DATE = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})(?:\s+(\d{1,2})[:.](\d{2}))?$")


@dataclass
class CsvTable:
    header: list[str]
    rows: list[tuple[int, dict[str, str]]]  # (line number in the file, column -> stripped value)
    encoding: str
    delimiter: str
    ignored_columns: list[str]


def read_csv(data: bytes, *, required: Sequence[str], optional: Sequence[str] = ()) -> CsvTable:
    """Decode, find the delimiter, check the header; raises RegisterError for an unusable file."""
    if data.startswith(b"\xef\xbb\xbf"):
        text, encoding = data[3:].decode("utf-8", errors="strict"), "utf-8-sig"
    else:
        try:
            text, encoding = data.decode("utf-8"), "utf-8"
        except UnicodeDecodeError:
            text, encoding = data.decode("cp1252", errors="replace"), "cp1252"
    if not text.strip():
        raise RegisterError(_l("Tiedosto on tyhjä."))
    first_line = text.splitlines()[0]
    delimiter = max((";", ",", "\t"), key=first_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = [column.strip().lower() for column in next(reader)]
    missing = [column for column in required if column not in header]
    if missing:
        raise RegisterError(
            _l(
                "Otsikkoriviltä puuttuu sarake: %(columns)s. Tarvittavat sarakkeet: %(required)s.",
                columns=", ".join(missing),
                required=", ".join(required),
            )
        )
    duplicates = sorted({column for column in header if column and header.count(column) > 1})
    if duplicates:
        raise RegisterError(
            _l("Sarake %(columns)s on otsikkorivillä kahdesti.", columns=", ".join(duplicates))
        )
    known = set(required) | set(optional)
    rows: list[tuple[int, dict[str, str]]] = []
    for values in reader:
        if not any(value.strip() for value in values):
            continue
        record = {column: (values[i].strip() if i < len(values) else "") for i, column in enumerate(header)}
        if len(values) > len(header):
            record["__extra__"] = "x"
        rows.append((reader.line_num, {k: v for k, v in record.items() if k in known or k == "__extra__"}))
    return CsvTable(
        header=header,
        rows=rows,
        encoding=encoding,
        delimiter=delimiter,
        ignored_columns=[column for column in header if column not in known],
    )


def parse_datetime(value: str) -> dt.datetime:
    """ISO date or date-time, or Finnish d.m.yyyy [h:mm]; a time without zone is Helsinki time. UTC out."""
    value = value.strip()
    if not value:
        raise ValueError(_("päivämäärä puuttuu"))
    match = _FINNISH_DATE.match(value)
    try:
        if match:
            day, month, year, hour, minute = match.groups()
            parsed = dt.datetime(int(year), int(month), int(day), int(hour or 0), int(minute or 0))
        else:
            parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        if match or _ISO_DATE.match(value):  # the right form, but no such day (31.2.2024) or time
            raise ValueError(
                _("päivämäärä %(value)s on mahdoton: sellaista päivää ei ole", value=value)
            ) from None
        raise ValueError(
            _("päivämäärä %(value)s ei ole muotoa 2024-03-05 tai 5.3.2024", value=value)
        ) from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=REGION_TIMEZONE)
    return parsed.astimezone(dt.UTC)


def parse_score(value: str) -> Decimal | None:
    """Empty, or a number 0–100 with a dot or a Finnish decimal comma."""
    value = value.strip()
    if not value:
        return None
    try:
        score = Decimal(value.replace(",", "."))
    except InvalidOperation:
        raise ValueError(_("pisteet %(value)s eivät ole luku", value=value)) from None
    if not score.is_finite() or not Decimal(0) <= score <= Decimal(100):
        raise ValueError(_("pisteiden on oltava välillä 0–100"))
    return score


_TRUE = {"1", "true", "yes", "kyllä", "k", "x", "aktiivinen", "ja"}
_FALSE = {"0", "false", "no", "ei", "e", "passiivinen", "nej"}


def parse_bool(value: str, *, default: bool) -> bool:
    """Empty = default; 1/0, true/false, kyllä/ei."""
    value = value.strip().lower()
    if not value:
        return default
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ValueError(_("arvo %(value)s ei ole kyllä/ei (1/0)", value=value))
