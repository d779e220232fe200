"""Validity arithmetic: calendar months on the Helsinki clock."""

from __future__ import annotations

import datetime as dt

import pytest

from lms_bridge.db import REGION_TIMEZONE as HELSINKI
from lms_bridge.register.service import add_months, expiry


@pytest.mark.parametrize(
    ("local", "months", "expected_local"),
    [
        (dt.datetime(2024, 1, 31, 12, 0), 1, dt.datetime(2024, 2, 29, 12, 0)),  # leap year clamp
        (dt.datetime(2025, 1, 31, 12, 0), 1, dt.datetime(2025, 2, 28, 12, 0)),
        (dt.datetime(2024, 3, 15, 0, 0), 36, dt.datetime(2027, 3, 15, 0, 0)),
        (dt.datetime(2024, 11, 30, 8, 0), 3, dt.datetime(2025, 2, 28, 8, 0)),  # over the year end
        (dt.datetime(2024, 1, 15, 0, 0), 6, dt.datetime(2024, 7, 15, 0, 0)),  # winter -> summer time
    ],
)
def test_add_months_keeps_the_local_date(local, months, expected_local):
    start = local.replace(tzinfo=HELSINKI).astimezone(dt.UTC)
    result = add_months(start, months)
    assert result.tzinfo == dt.UTC
    assert result.astimezone(HELSINKI).replace(tzinfo=None) == expected_local


def test_expiry_none_means_never():
    moment = dt.datetime(2024, 5, 1, tzinfo=dt.UTC)
    assert expiry(moment, None) is None
    assert expiry(moment, 12) == dt.datetime(2025, 5, 1, tzinfo=dt.UTC)
