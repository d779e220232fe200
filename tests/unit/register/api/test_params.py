"""Query parameters and cursors of /api/v1."""

from __future__ import annotations

import datetime as dt

import pytest

from lms_bridge.auth.tokens import hash_token
from lms_bridge.register.api.schemas import InvalidParameter, decode_cursor, encode_cursor, parse_params

ALLOWED = frozenset({"unit", "status", "changed_since", "active"})


def test_cursor_round_trip_and_tampering():
    assert decode_cursor(encode_cursor((12, 7)), 2) == (12, 7)
    assert encode_cursor(None) is None
    for bad in ("!!", encode_cursor((1,)), "eyJhIjoxfQ", encode_cursor((1, 2)) + "x"):
        with pytest.raises(InvalidParameter, match="cursor"):
            decode_cursor(bad, 2)


def test_parse_params_reads_filters():
    params = parse_params(
        {"unit": "KOHO", "status": "missing,expired", "changed_since": "2024-03-05T00:00:00Z", "limit": "5"},
        allowed=ALLOWED,
    )
    assert params.unit == "KOHO"
    assert params.statuses == ("missing", "expired")
    assert params.changed_since == dt.datetime(2024, 3, 5, tzinfo=dt.UTC)
    assert params.limit == 5


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ({"limit": "1001"}, "limit"),
        ({"limit": "-1"}, "limit"),
        ({"status": "valid,bogus"}, "status"),
        ({"active": "yes"}, "active"),
        ({"sort": "name"}, "Tuntematon parametri sort"),
        ({"changed_since": "2024-13-01T00:00:00Z"}, "changed_since"),
    ],
)
def test_bad_params_are_named(args, message):
    with pytest.raises(InvalidParameter, match=message):
        parse_params(args, allowed=ALLOWED)


def test_token_hash_is_sha256_hex():
    digest = hash_token("lmsb_example")
    assert len(digest) == 64
    assert digest == hash_token("lmsb_example")
    assert digest != hash_token("lmsb_examplf")
