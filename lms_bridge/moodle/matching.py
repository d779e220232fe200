"""Which staff member a Moodle user is: by ID number (= employee number), then by e-mail; configurable.

The order is the MOODLE_MATCH_ORDER setting. An e-mail address matches only when exactly one staff
member has it (case-insensitively); an employee number is unique in the register.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.orm import Session

from lms_bridge.moodle.replies import MoodleUser
from lms_bridge.register.lookups import staff_match_keys

NO_IDENTIFIER = "no_identifier"  # none of the configured fields is set in Moodle
NOT_FOUND = "not_found"  # set, but no staff member has it
AMBIGUOUS = "ambiguous"  # the e-mail address belongs to several staff members


@dataclass(frozen=True)
class Match:
    staff_id: int | None
    reason: str | None = None  # why not, when staff_id is None


class StaffMatcher:
    """Matches Moodle users to staff; reads the register's identifiers once."""

    def __init__(self, session: Session, order: Sequence[str]) -> None:
        self.order = tuple(order)
        self._by_number: dict[str, int] = {}
        self._by_email: dict[str, list[int]] = {}
        for staff_id, number, email in staff_match_keys(session):
            self._by_number[number.strip()] = staff_id
            if email and email.strip():
                self._by_email.setdefault(email.strip().lower(), []).append(staff_id)

    def match(self, user: MoodleUser) -> Match:
        reason = NO_IDENTIFIER
        for field in self.order:
            if field == "idnumber" and user.idnumber:
                staff_id = self._by_number.get(user.idnumber.strip())
                if staff_id is not None:
                    return Match(staff_id)
                reason = NOT_FOUND if reason == NO_IDENTIFIER else reason
            elif field == "email" and user.email:
                found = self._by_email.get(user.email.strip().lower(), [])
                if len(found) == 1:
                    return Match(found[0])
                reason = AMBIGUOUS if len(found) > 1 else (NOT_FOUND if reason == NO_IDENTIFIER else reason)
        return Match(None, reason)
