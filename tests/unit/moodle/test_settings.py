"""MOODLE_MATCH_ORDER: the order of the fields that match a Moodle user to a staff member."""

from __future__ import annotations

import pytest

from lms_bridge.config import SETTINGS

coerce = SETTINGS["MOODLE_MATCH_ORDER"].coerce


@pytest.mark.parametrize(
    ("value", "order"),
    [
        (["idnumber", "email"], ["idnumber", "email"]),
        ("email, IDNUMBER", ["email", "idnumber"]),  # from LMS_BRIDGE_MOODLE_MATCH_ORDER
        ("idnumber", ["idnumber"]),
    ],
)
def test_match_order_is_read_from_a_list_or_a_comma_separated_variable(value, order):
    assert coerce(value) == order


@pytest.mark.parametrize("value", ["", "username", "idnumber,idnumber", [], [1]])
def test_other_fields_repeats_and_empty_lists_are_refused(value):
    with pytest.raises(ValueError, match="idnumber ja email"):
        coerce(value)
