"""What one sync works with: the report it fills in, and each mapped course, activity and learner.

Plain data; the sync (sync.py) fills it in from Moodle's replies.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from lms_bridge.catalog.models import Competence
from lms_bridge.moodle.models import MoodleMapping
from lms_bridge.moodle.replies import MoodleUser, Scorm, UserGrades
from lms_bridge.register.service import NewCompletion


@dataclass
class SyncReport:
    """What one sync of one site did (a dry run: what it would have recorded)."""

    site_name: str
    dry_run: bool = False
    calls: int = 0
    retries: int = 0
    users_checked: int = 0
    records_added: int = 0
    unmatched: int = 0
    errors: list[str] = field(default_factory=list)

    def error(self, message: str) -> None:
        if message not in self.errors:
            self.errors.append(message)


@dataclass
class Activity:
    mapping: MoodleMapping
    competence: Competence
    scorm: Scorm | None = None
    sco_ids: tuple[int, ...] = ()

    @property
    def cmid(self) -> int:
        return self.mapping.cmid or 0  # an activity mapping always has one (ck_moodle_mapping_activity_cmid)

    @property
    def flag_settles(self) -> bool:
        """Whether Moodle's completion flag, when set and current, is evidence of the stored result."""
        if self.scorm is None:
            return True  # other modules: the flag is all Moodle has
        return bool(self.scorm.completion_status_required) and len(self.sco_ids) == 1


@dataclass
class CourseWork:
    course_id: int
    course_mappings: list[tuple[MoodleMapping, Competence]]
    activities: list[Activity]
    course_readable: bool = True  # False after nocriteriaset / cannotviewreport in this run

    def mapping_key(self) -> str:
        ids = [m.id for m, _c in self.course_mappings if self.course_readable] + [
            a.mapping.id for a in self.activities
        ]
        return ",".join(str(i) for i in sorted(ids))


@dataclass
class Learner:
    user: MoodleUser
    staff_id: int
    grades: UserGrades | None
    signature: str
    last_activity: dt.datetime | None


@dataclass
class Outcome:
    events: list[NewCompletion] = field(default_factory=list)
    course_completed: bool = False
    done: bool = True  # False: a per-user error; leave the cursor so the next sync tries again
