"""What counts as a completion in Moodle's data, as plain functions (no I/O): a SCORM learner's stored
result, scores as per cent, the register's source_ref for each event, and the cursor's signatures.

SCORM: the evidence is the stored run-time data of the learner's attempt, not Moodle's completion flag
(Moodle 4.3.0 leaves the flag unset for a SCORM 1.2 package that reports "incomplete" before "passed").
SCORM 1.2: cmi.core.lesson_status passed or completed. SCORM 2004: cmi.success_status passed, or
cmi.completion_status completed without success_status failed. Every SCO of the package must have it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from lms_bridge.moodle.replies import GradeItem, ScoTracks

SOURCE = "moodle"
SCORM12_DONE = frozenset({"passed", "completed"})


@dataclass(frozen=True)
class Result:
    """A completed attempt: when its last data was stored and its score in per cent (None: no score)."""

    completed_at: dt.datetime
    score: Decimal | None


def percent(value: float | None, maximum: float | None) -> Decimal | None:
    """A score as per cent of `maximum` (taken as 100 when absent or 0), rounded to cents, within 0..100."""
    if value is None:
        return None
    scale = maximum if maximum else 100.0
    cents = Decimal(str(value * 100.0 / scale)).quantize(Decimal("0.01"))
    return min(max(cents, Decimal(0)), Decimal(100))


def sco_done(tracks: ScoTracks) -> bool:
    """Whether one SCO's stored status says completed (SCORM 1.2 or 2004 rules, by the elements present)."""
    if not tracks.attempted:
        return False
    lesson_status = tracks.lesson_status
    if lesson_status is not None:
        return lesson_status in SCORM12_DONE
    success = tracks.success_status
    if success == "passed":
        return True
    return tracks.completion_status == "completed" and success != "failed"


def sco_score(tracks: ScoTracks) -> Decimal | None:
    scaled = tracks.score_scaled
    if scaled is not None:
        return percent(scaled * 100.0, 100.0)
    return percent(tracks.score_raw, tracks.score_max)


def scorm_result(attempt: Sequence[ScoTracks]) -> Result | None:
    """The result of one attempt over all of a package's SCOs, or None when not every SCO is done."""
    if not attempt or not all(sco_done(tracks) for tracks in attempt):
        return None
    times = [t.time_modified for t in attempt if t.time_modified is not None]
    if not times:
        return None
    scores = [s for s in (sco_score(t) for t in attempt) if s is not None]
    score = (sum(scores, Decimal(0)) / len(scores)).quantize(Decimal("0.01")) if scores else None
    return Result(max(times), score)


def grade_percent(item: GradeItem | None) -> Decimal | None:
    if item is None:
        return None
    return percent(item.grade_raw, item.grade_max)


def _epoch(moment: dt.datetime) -> int:
    return int(moment.timestamp())


def course_ref(site_id: int, course_id: int, user_id: int, completed_at: dt.datetime, competence: str) -> str:
    """The register's source_ref of a course completion: site, course, user, completion time, competence."""
    return f"moodle:{site_id}:course:{course_id}:user:{user_id}:{_epoch(completed_at)}:{competence}"


def activity_ref(site_id: int, cmid: int, user_id: int, completed_at: dt.datetime, competence: str) -> str:
    """The register's source_ref of an activity completion: site, course module, user, time, competence."""
    return f"moodle:{site_id}:cm:{cmid}:user:{user_id}:{_epoch(completed_at)}:{competence}"


def signature(parts: Iterable[object]) -> str:
    """A short stable digest of what a user's data looked like (the cursor compares these)."""
    text = "|".join("" if part is None else str(part) for part in parts)
    return hashlib.sha256(text.encode()).hexdigest()[:32]
