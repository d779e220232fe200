"""Reading HR and trainer CSV files: encodings, delimiters, dates, scores."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from lms_bridge.register.errors import RegisterError
from lms_bridge.register.imports.csv_io import parse_bool, parse_datetime, parse_score, read_csv

ROWS = "employee_number;competence_code\n1001;KOHT-01\n\n1002;EA-01\n"


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        (ROWS.encode("utf-8"), "utf-8"),
        (b"\xef\xbb\xbf" + ROWS.encode("utf-8"), "utf-8-sig"),
        (ROWS.replace("1002", "Mäkelä").encode("cp1252"), "cp1252"),
    ],
)
def test_reads_utf8_bom_and_excel_finnish_variants(data, encoding):
    table = read_csv(data, required=("employee_number", "competence_code"))
    assert table.encoding == encoding
    assert table.delimiter == ";"
    assert [line for line, _ in table.rows] == [2, 4]  # blank line skipped, numbering kept
    assert table.rows[0][1] == {"employee_number": "1001", "competence_code": "KOHT-01"}


def test_cp1252_text_decodes_correctly():
    table = read_csv("nimi\nMäkelä\n".encode("cp1252"), required=("nimi",))
    assert table.rows[0][1]["nimi"] == "Mäkelä"


def test_comma_files_and_ignored_columns():
    table = read_csv(b"Employee_Number , extra\n7,x\n", required=("employee_number",))
    assert table.delimiter == ","
    assert table.ignored_columns == ["extra"]
    assert table.rows == [(2, {"employee_number": "7"})]


def test_missing_and_duplicate_columns_are_named():
    with pytest.raises(RegisterError, match="puuttuu sarake: source"):
        read_csv(b"employee_number\n1\n", required=("employee_number", "source"))
    with pytest.raises(RegisterError, match="kahdesti"):
        read_csv(b"a,a\n1,2\n", required=("a",))
    with pytest.raises(RegisterError, match="tyhjä"):
        read_csv(b"  \n", required=("a",))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("5.3.2024", dt.datetime(2024, 3, 4, 22, 0, tzinfo=dt.UTC)),  # midnight in Helsinki (UTC+2)
        ("05.03.2024 14:30", dt.datetime(2024, 3, 5, 12, 30, tzinfo=dt.UTC)),
        ("2024-06-01", dt.datetime(2024, 5, 31, 21, 0, tzinfo=dt.UTC)),  # summer time (UTC+3)
        ("2024-03-05T10:00:00Z", dt.datetime(2024, 3, 5, 10, 0, tzinfo=dt.UTC)),
        ("2024-03-05T10:00:00+02:00", dt.datetime(2024, 3, 5, 8, 0, tzinfo=dt.UTC)),
    ],
)
def test_dates_in_iso_and_finnish_form(text, expected):
    assert parse_datetime(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "puuttuu"),
        ("2024/03/05", "ei ole muotoa 2024-03-05 tai 5.3.2024"),
        ("maaliskuu", "ei ole muotoa"),
        ("31.2.2024", "31.2.2024 on mahdoton"),
        ("2024-02-30", "2024-02-30 on mahdoton"),
    ],
)
def test_bad_dates_say_what_is_wrong(text, message):
    with pytest.raises(ValueError, match=message):
        parse_datetime(text)


def test_scores_and_booleans():
    assert parse_score("85,5") == Decimal("85.5")
    assert parse_score("") is None
    for bad in ("abc", "101", "-1", "NaN"):
        with pytest.raises(ValueError, match=r"pisteet|pisteiden"):
            parse_score(bad)
    assert parse_bool("kyllä", default=False) is True
    assert parse_bool("0", default=True) is False
    assert parse_bool("", default=True) is True
    with pytest.raises(ValueError, match="kyllä/ei"):
        parse_bool("ehkä", default=True)
