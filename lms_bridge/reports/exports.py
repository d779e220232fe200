"""CSV and XLSX of the report views: the same rows as on screen, with the same filters.

CSV is UTF-8 with a byte order mark and semicolons, so Excel in a Finnish locale opens it right (a comma
is the decimal separator there). XLSX is written with openpyxl in write-only mode, row by row, so 30,000
rows need no more memory than a few of them.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

from lms_bridge.catalog.models import Competence
from lms_bridge.db import REGION_TIMEZONE
from lms_bridge.register.labels import source_label, status_label
from lms_bridge.register.status import STATUSES
from lms_bridge.reports.queries import ListRow, MatrixLine, Transcript

FORMATS = ("csv", "xlsx")
MIMETYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@dataclass(frozen=True)
class Table:
    headers: list[str]
    rows: Iterable[Sequence[Any]]


def _date(moment: dt.datetime | None) -> dt.date | None:
    return moment.astimezone(REGION_TIMEZONE).date() if moment is not None else None


def matrix_table(competences: list[Competence], people: list[MatrixLine]) -> Table:
    headers = [_("Henkilönumero"), _("Sukunimi"), _("Etunimi"), _("Yksikkö"), _("Tehtävänimike")]
    headers += [f"{c.code} {c.name_fi}" for c in competences]

    labels = {status: status_label(status) for status in STATUSES}  # once, not per cell: lazy strings cost
    labels[""] = ""
    ids = [c.id for c in competences]

    def rows() -> Iterable[list[Any]]:
        for p in people:
            row: list[Any] = [p.employee_number, p.last_name, p.first_name, p.unit_name, p.job_title]
            row += [labels[p.statuses.get(competence_id, "")] for competence_id in ids]
            yield row

    return Table(headers, rows())


def list_table(rows: list[ListRow]) -> Table:
    headers = [
        _("Henkilönumero"),
        _("Sukunimi"),
        _("Etunimi"),
        _("Yksikkö"),
        _("Osaaminen"),
        _("Tila"),
        _("Vanhenee"),
        _("Kurssi"),
    ]
    return Table(
        headers,
        (
            [
                r.staff.employee_number,
                r.staff.last_name,
                r.staff.first_name,
                r.unit_name,
                f"{r.competence.code} {r.competence.name_fi}",
                status_label(r.status.status),
                _date(r.status.expires_at),
                ", ".join(c.title for c in r.courses),
            ]
            for r in rows
        ),
    )


def transcript_table(found: Transcript) -> Table:
    headers = [
        _("Osaaminen"),
        _("Suoritettu"),
        _("Lähde"),
        _("Pisteet"),
        _("Vanhenee"),
        _("Kurssi"),
        _("Huom."),
    ]

    def note(row: Any) -> str:
        if row.completion.voided:
            return str(_("mitätöity"))
        return str(_("korvattu korjauksella")) if row.superseded else ""

    return Table(
        headers,
        (
            [
                f"{r.competence_code} {r.competence_name}",
                _date(r.completion.completed_at),
                source_label(r.completion.source),
                float(r.completion.score) if r.completion.score is not None else None,
                _date(r.completion.expires_at),
                found.courses[r.course_id].title if r.course_id in found.courses else "",
                note(r),
            ]
            for r in found.records
        ),
    )


def write(table: Table, fmt: str) -> bytes:
    """The table as CSV (BOM, semicolons) or XLSX bytes."""
    if fmt == "csv":
        text = io.StringIO()
        writer = csv.writer(text, delimiter=";", lineterminator="\r\n")
        writer.writerow(table.headers)
        for row in table.rows:
            writer.writerow(_csv_value(value) for value in row)
        return ("\ufeff" + text.getvalue()).encode("utf-8")
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Raportti"))
    sheet.append(table.headers)
    for row in table.rows:
        sheet.append([_xlsx_value(sheet, value) for value in row])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


_FORMULA_START = ("=", "+", "-", "@")


def _xlsx_value(sheet: Any, value: Any) -> Any:
    """openpyxl writes a string starting with "=" as a formula: names and free text stay text."""
    if isinstance(value, str) and value[:1] in _FORMULA_START:
        cell = WriteOnlyCell(sheet, value=value)
        cell.data_type = "s"
        return cell
    return value


def _csv_value(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return f"{value.day}.{value.month}.{value.year}"
    if isinstance(value, float):
        return f"{value:g}".replace(".", ",")
    text = str(value)
    # A cell starting with = + - @ is a formula to Excel: an exported name must never run as one.
    return "'" + text if text[:1] in _FORMULA_START else text
