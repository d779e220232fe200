"""The sync: a site's mapped courses and activities read from Moodle into the register.

Calls, per site: core_webservice_get_site_info (the token works and has the functions), and when
activities are mapped mod_scorm_get_scorms_by_courses (all courses at once) and mod_scorm_get_scorm_scoes
per mapped SCORM. Per mapped course: core_enrol_get_enrolled_users (who, their ID number and e-mail, and
when each last opened the course) and gradereport_user_get_grade_items without a user id (every gradable
user's grades in one call). Then, only for matched learners whose data changed since the last sync (the
cursor, moodle_sync_state), per learner:

- course mapped: core_completion_get_course_completion_status (one (course, user) per call);
- activities mapped: core_completion_get_activities_completion_status (every activity's flag in one call),
  and mod_scorm_get_scorm_sco_tracks (the stored result) where the flag cannot settle it: the flag is
  unset although the learner has a grade (Moodle 4.3.0's SCORM 1.2 "incomplete, then passed" case), or
  older than the grade (a later attempt), or the SCORM's completion rule is not about its status, or the
  package has several SCOs.

Learners are handled in batches; each batch's completions and cursor rows are written together and then
committed by the caller's `checkpoint`, so a sync stopped half-way (Moodle down, a timeout, a crash) is
resumed by the next one where it stopped, and a re-run records nothing twice (the register's
(source, source_ref) key). Errors that end the sync propagate as MoodleError; per-course problems
(no completion criteria) are reported and the rest goes on.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Sequence
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from lms_bridge.catalog.models import Competence
from lms_bridge.db import utcnow
from lms_bridge.moodle import evidence
from lms_bridge.moodle.client import MATCHING_USER_FIELDS, MoodleClient
from lms_bridge.moodle.errors import (
    AccessException,
    MoodleWebServiceError,
    NoCriteriaSet,
    NotEnrolled,
)
from lms_bridge.moodle.matching import StaffMatcher
from lms_bridge.moodle.models import MoodleMapping, MoodleSite, MoodleSyncState, MoodleUnmatchedUser
from lms_bridge.moodle.plan import Activity, CourseWork, Learner, Outcome, SyncReport
from lms_bridge.moodle.problems import MoodleProblem, _, explain
from lms_bridge.moodle.replies import (
    COMPLETION_COMPLETE,
    COMPLETION_COMPLETE_PASS,
    ActivityCompletion,
    MoodleUser,
    ScoTracks,
    UserGrades,
)
from lms_bridge.moodle.runs import replace_unmatched
from lms_bridge.moodle.writing import record_events, save_states
from lms_bridge.register.service import NewCompletion, classify_completions

logger = logging.getLogger(__name__)

# Moodle marks course completion in its cron, a while after the last criterion is met: a learner not yet
# complete is read again while their last activity in the course is this recent.
COURSE_COMPLETION_GRACE = dt.timedelta(days=1)
# A completion flag older than the grade by more than this is about an earlier attempt.
FLAG_GRADE_TOLERANCE = dt.timedelta(minutes=5)
TRACKING_AUTOMATIC = 2

FUNCTIONS_ALWAYS = (
    "core_webservice_get_site_info",
    "core_enrol_get_enrolled_users",
    "gradereport_user_get_grade_items",
)
FUNCTIONS_COURSE = ("core_completion_get_course_completion_status",)
FUNCTIONS_ACTIVITY = (
    "core_completion_get_activities_completion_status",
    "mod_scorm_get_scorms_by_courses",
    "mod_scorm_get_scorm_scoes",
    "mod_scorm_get_scorm_sco_tracks",
)


SyncStep = Callable[[], None]


class SiteSync:
    """One sync of one site. `checkpoint` commits (the caller's), `renew` keeps the lock's lease."""

    def __init__(
        self,
        session: Session,
        site: MoodleSite,
        client: MoodleClient,
        *,
        match_order: Sequence[str],
        recorded_by: str,
        checkpoint: SyncStep,
        renew: SyncStep,
        on_progress: Callable[[SyncReport], None] = lambda report: None,
        dry_run: bool = False,
        batch_size: int = 200,
    ) -> None:
        self.session = session
        self.site = site
        self.client = client
        self.match_order = match_order
        self.recorded_by = recorded_by
        self.checkpoint = checkpoint
        self.renew = renew
        self.on_progress = on_progress
        self.dry_run = dry_run
        self.batch_size = batch_size
        self.report = SyncReport(site.name, dry_run=dry_run)
        self.unmatched: dict[int, MoodleUnmatchedUser] = {}
        self._calls_before = client.stats.calls
        self._retries_before = client.stats.retries

    # --- the whole site ---------------------------------------------------------------------------

    def run(self) -> SyncReport:
        """Sync every mapped course. Raises MoodleError when Moodle refuses or stops answering, MoodleProblem
        when the token lacks functions; progress up to the last checkpoint stays."""
        courses = self._courses()
        if not courses:
            self.report.error(
                _("Sivustolle ei ole liitetty yhtään kurssia tai aktiviteettia (lms-bridge moodle map).")
            )
            return self.report
        info = self.client.get_site_info()
        needed = set(FUNCTIONS_ALWAYS)
        if any(c.course_mappings for c in courses):
            needed |= set(FUNCTIONS_COURSE)
        if any(c.activities for c in courses):
            needed |= set(FUNCTIONS_ACTIVITY)
        missing = sorted(needed - info.functions)
        if missing:
            raise MoodleProblem(
                _(
                    "Tokenin verkkopalvelusta puuttuu funktiot: %(functions)s. Lisää ne palveluun: "
                    "Sivuston ylläpito › Palvelin › Verkkopalvelut › Ulkoiset palvelut › Funktiot.",
                    functions=", ".join(missing),
                )
            )
        self._load_scorms(courses)
        matcher = StaffMatcher(self.session, self.match_order)
        for course in courses:
            self._sync_course(course, matcher)
        if not self.dry_run:
            self._save_unmatched()
        self._progress()
        return self.report

    def _courses(self) -> list[CourseWork]:
        rows = self.session.execute(
            select(MoodleMapping, Competence)
            .join(Competence, Competence.id == MoodleMapping.competence_id)
            .where(MoodleMapping.site_id == self.site.id)
            .order_by(MoodleMapping.moodle_course_id, MoodleMapping.id)
        ).all()
        courses: dict[int, CourseWork] = {}
        for mapping, competence in rows:
            course = courses.setdefault(
                mapping.moodle_course_id, CourseWork(mapping.moodle_course_id, [], [])
            )
            if mapping.kind == "course":
                course.course_mappings.append((mapping, competence))
            else:
                course.activities.append(Activity(mapping, competence))
        return list(courses.values())

    def _load_scorms(self, courses: list[CourseWork]) -> None:
        with_scorm = [c.course_id for c in courses if any(a.mapping.modname == "scorm" for a in c.activities)]
        if not with_scorm:
            return
        scorms = {s.cmid: s for s in self.client.get_scorms_by_courses(with_scorm)}
        for course in courses:
            for activity in course.activities:
                if activity.mapping.modname != "scorm":
                    continue
                scorm = scorms.get(activity.cmid)
                if scorm is None:
                    raise MoodleProblem(
                        _(
                            "SCORM-aktiviteettia cmid %(cmid)s ei löydy kurssilta %(course)s (poistettu tai "
                            "piilotettu tokenin käyttäjältä). Poista tai korjaa liitos.",
                            cmid=activity.cmid,
                            course=course.course_id,
                        )
                    )
                activity.scorm = scorm
                scoes = self.client.get_scorm_scoes(scorm.id)
                activity.sco_ids = tuple(s.id for s in scoes if s.is_sco)

    # --- one course -------------------------------------------------------------------------------

    def _sync_course(self, course: CourseWork, matcher: StaffMatcher) -> None:
        users = self.client.get_enrolled_users(course.course_id, user_fields=MATCHING_USER_FIELDS)
        # Gradable users (students, by Moodle's gradebook roles) are the learners; teachers are left out.
        grades = {g.user_id: g for g in self.client.get_grade_items(course.course_id)}
        states = {
            s.moodle_user_id: s
            for s in self.session.scalars(
                select(MoodleSyncState).where(
                    MoodleSyncState.site_id == self.site.id,
                    MoodleSyncState.moodle_course_id == course.course_id,
                )
            )
        }
        now = utcnow()
        to_check: list[Learner] = []
        quiet: list[tuple[Learner, MoodleSyncState | None]] = []
        for user in users:
            if user.id not in grades:
                continue
            match = matcher.match(user)
            if match.staff_id is None:
                self._note_unmatched(user, course.course_id, match.reason or "not_found")
                continue
            learner = self._learner(course, user, match.staff_id, grades[user.id])
            state = states.get(user.id)
            if self._needs_check(course, learner, state, now):
                to_check.append(learner)
            elif state is None or state.signature != learner.signature:
                quiet.append((learner, state))
        if quiet and not self.dry_run:
            # Nothing to read for them yet (never opened the course): remember what they looked like.
            self._save_states(course, [(learner, False) for learner, _state in quiet], now)
        for start in range(0, len(to_check), self.batch_size):
            self._batch(course, to_check[start : start + self.batch_size])
        if quiet and not to_check:
            self.checkpoint()

    def _learner(self, course: CourseWork, user: MoodleUser, staff_id: int, grades: UserGrades) -> Learner:
        dates = [user.last_course_access]
        dates += [
            item.date_graded for a in course.activities if (item := grades.for_cmid(a.cmid)) is not None
        ]
        known = [d for d in dates if d is not None]
        learner = Learner(user, staff_id, grades, "", max(known) if known else None)
        learner.signature = self._signature(course, learner)
        return learner

    @staticmethod
    def _signature(course: CourseWork, learner: Learner) -> str:
        """What the learner's data looks like for this course's mappings (those readable in this run)."""
        grades = learner.grades
        parts: list[object] = [course.mapping_key(), _epoch(learner.user.last_course_access)]
        for activity in course.activities:
            item = grades.for_cmid(activity.cmid) if grades else None
            parts += [
                activity.cmid,
                item.grade_raw if item else None,
                _epoch(item.date_graded if item else None),
            ]
        if course.course_mappings:
            total = grades.course_total if grades else None
            parts += [
                "total",
                total.grade_raw if total else None,
                _epoch(total.date_graded if total else None),
            ]
        return evidence.signature(parts)

    def _needs_check(
        self, course: CourseWork, learner: Learner, state: MoodleSyncState | None, now: dt.datetime
    ) -> bool:
        if learner.last_activity is None and not self._has_any_grade(course, learner):
            return False  # never opened the course, nothing graded: nothing to find
        if state is None or state.signature != learner.signature:
            return True
        # Course completion arrives with Moodle's cron, after the learner's last activity.
        return bool(
            course.course_mappings
            and course.course_readable
            and not state.course_completed
            and state.last_activity_at is not None
            and state.last_activity_at > state.checked_at - COURSE_COMPLETION_GRACE
        )

    @staticmethod
    def _has_any_grade(course: CourseWork, learner: Learner) -> bool:
        grades = learner.grades
        if grades is None:
            return False
        return any(item.grade_raw is not None for item in grades.items)

    def _batch(self, course: CourseWork, learners: list[Learner]) -> None:
        events: list[NewCompletion] = []
        checked: list[tuple[Learner, bool]] = []
        for learner in learners:
            outcome = self._read_learner(course, learner)
            self.report.users_checked += 1
            events += outcome.events
            if outcome.done:
                checked.append((learner, outcome.course_completed))
        if self.dry_run:
            self.report.records_added += len(classify_completions(self.session, events).new)
        else:
            self.report.records_added += self._record(events)
            self._save_states(course, checked, utcnow())
        self._progress()
        self.renew()
        self.checkpoint()

    # --- one learner ------------------------------------------------------------------------------

    def _read_learner(self, course: CourseWork, learner: Learner) -> Outcome:
        outcome = Outcome()
        uid = learner.user.id
        if course.course_mappings and course.course_readable:
            try:
                status = self.client.get_course_completion_status(course.course_id, uid)
            except NotEnrolled:
                status = None  # left the course since the list was read
            except (NoCriteriaSet, AccessException) as error:
                if isinstance(error, AccessException) and error.errorcode != "cannotviewreport":
                    raise
                # The course cannot give completions (no criteria, or completion off): say so once, go on
                # with its activities. The signature leaves the course mapping out, so it is read again
                # once fixed.
                course.course_readable = False
                self.report.error(
                    _(
                        "Moodle-kurssi %(course)s: %(problem)s",
                        course=course.course_id,
                        problem=explain(error),
                    )
                )
                status = None
            if status is not None and status.completed:
                outcome.course_completed = True
                completed_at = status.time_completed or learner.user.last_course_access
                if completed_at is None:
                    self.report.error(
                        _(
                            "Moodle-kurssi %(course)s: suoritukselta puuttuu aika (käyttäjä %(user)s).",
                            course=course.course_id,
                            user=uid,
                        )
                    )
                else:
                    total = learner.grades.course_total if learner.grades else None
                    for _mapping, competence in course.course_mappings:
                        ref = evidence.course_ref(
                            self.site.id, course.course_id, uid, completed_at, competence.code
                        )
                        outcome.events.append(
                            self._event(learner, competence, completed_at, ref, evidence.grade_percent(total))
                        )
        if course.activities:
            try:
                self._read_activities(course, learner, outcome)
            except MoodleWebServiceError as error:
                if isinstance(error, AccessException) or error.errorcode in (
                    "invalidtoken",
                    "invalidparameter",
                ):
                    raise
                # A problem with this learner only (e.g. a suspended account): try again next time.
                self.report.error(
                    _("Moodle-käyttäjä %(user)s: %(problem)s", user=uid, problem=explain(error))
                )
                outcome.done = False
        return outcome

    def _read_activities(self, course: CourseWork, learner: Learner, outcome: Outcome) -> None:
        uid = learner.user.id
        flags: dict[int, ActivityCompletion] = {}
        if any(a.flag_settles for a in course.activities):
            flags = {f.cmid: f for f in self.client.get_activities_completion_status(course.course_id, uid)}
        for activity in course.activities:
            item = learner.grades.for_cmid(activity.cmid) if learner.grades else None
            graded = item is not None and item.grade_raw is not None
            flag = flags.get(activity.cmid)
            flag_done = (
                flag is not None
                and flag.state in (COMPLETION_COMPLETE, COMPLETION_COMPLETE_PASS)
                and flag.time_completed is not None
            )
            result: evidence.Result | None = None
            if activity.flag_settles and flag_done and flag is not None and flag.time_completed is not None:
                current = (
                    item is None
                    or item.date_graded is None
                    or (flag.time_completed >= item.date_graded - FLAG_GRADE_TOLERANCE)
                )
                automatic = activity.scorm is None or flag.tracking == TRACKING_AUTOMATIC
                if current and automatic:
                    result = evidence.Result(flag.time_completed, evidence.grade_percent(item))
            if result is None and activity.scorm is not None and graded:
                result = self._scorm_result(activity, uid)
            if result is not None:
                ref = evidence.activity_ref(
                    self.site.id, activity.cmid, uid, result.completed_at, activity.competence.code
                )
                outcome.events.append(
                    self._event(learner, activity.competence, result.completed_at, ref, result.score)
                )

    def _scorm_result(self, activity: Activity, uid: int) -> evidence.Result | None:
        """The learner's latest completed attempt of a SCORM, read back from the last attempt."""
        if not activity.sco_ids:
            return None
        first = self.client.get_scorm_sco_tracks(activity.sco_ids[0], uid, attempt=0)
        attempt_no = first.attempt
        attempt: list[ScoTracks] = [first]
        while True:
            attempt += [
                self.client.get_scorm_sco_tracks(sco, uid, attempt=attempt_no)
                for sco in activity.sco_ids[len(attempt) :]
            ]
            result = evidence.scorm_result(attempt)
            if result is not None or attempt_no <= 1:
                return result
            attempt_no -= 1
            attempt = []

    def _event(
        self,
        learner: Learner,
        competence: Competence,
        completed_at: dt.datetime,
        ref: str,
        score: Decimal | None,
    ) -> NewCompletion:
        return NewCompletion(learner.staff_id, competence.id, completed_at, evidence.SOURCE, ref, None, score)

    # --- writing ----------------------------------------------------------------------------------

    def _record(self, events: list[NewCompletion]) -> int:
        return record_events(self.session, events, recorded_by=self.recorded_by, on_refused=self.report.error)

    def _save_states(
        self, course: CourseWork, learners: list[tuple[Learner, bool]], now: dt.datetime
    ) -> None:
        rows = [
            {
                "site_id": self.site.id,
                "moodle_course_id": course.course_id,
                "moodle_user_id": learner.user.id,
                # Computed now: a course mapping found unreadable in this run is left out of it.
                "signature": self._signature(course, learner),
                "checked_at": now,
                "course_completed": completed,
                "last_activity_at": learner.last_activity,
            }
            for learner, completed in learners
        ]
        save_states(self.session, rows)

    def _note_unmatched(self, user: MoodleUser, course_id: int, reason: str) -> None:
        known = self.unmatched.get(user.id)
        if known is not None:
            known.course_ids = sorted({*known.course_ids, course_id})
            return
        self.unmatched[user.id] = MoodleUnmatchedUser(
            site_id=self.site.id,
            moodle_user_id=user.id,
            username=(user.username or "")[:100] or None,
            fullname=user.fullname[:300],
            idnumber=(user.idnumber or "")[:255] or None,
            email=(user.email or "")[:254] or None,
            reason=reason,
            course_ids=[course_id],
            seen_at=utcnow(),
        )
        self.report.unmatched = len(self.unmatched)

    def _save_unmatched(self) -> None:
        replace_unmatched(self.session, self.site.id, self.unmatched.values())

    def _progress(self) -> None:
        self.report.calls = self.client.stats.calls - self._calls_before
        self.report.retries = self.client.stats.retries - self._retries_before
        self.on_progress(self.report)


def _epoch(moment: dt.datetime | None) -> int | None:
    return None if moment is None else int(moment.timestamp())
