"""The fake Moodle's data: users, courses, enrolments, activities, SCORM packages and their tracks, grades
and completions, with builder methods for tests.

Everything is kept in dicts keyed the way the web-service functions look things up, so a data set of
10,000 users × 4 activities answers each call without scanning: (cmid, user) for completions, (grade item,
user) for grades, (sco, user, attempt) for SCORM tracks, course -> enrolments, idnumber/email -> users.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# Role ids of a default Moodle install, and the roles graded by default ($CFG->gradebookroles) which
# are also the ones completion tracks (moodle/course:isincompletionreports).
ROLE_IDS = {"manager": 1, "coursecreator": 2, "editingteacher": 3, "teacher": 4, "student": 5}
GRADED_ROLES = frozenset({"student"})

# core_completion activity states.
INCOMPLETE, COMPLETE, COMPLETE_PASS, COMPLETE_FAIL = 0, 1, 2, 3
# Course completion aggregation.
AGGREGATION_ALL, AGGREGATION_ANY = 1, 2
# Activity completion tracking.
TRACKING_NONE, TRACKING_MANUAL, TRACKING_AUTOMATIC = 0, 1, 2


@dataclass
class User:
    id: int
    username: str
    firstname: str
    lastname: str
    email: str = ""  # "" = the user has no e-mail address
    idnumber: str = ""  # "" = no idnumber: Moodle then leaves the key out of user replies
    department: str = ""
    firstaccess: int = 0
    lastaccess: int = 0
    auth: str = "manual"
    suspended: bool = False
    confirmed: bool = True
    lang: str = "en"
    theme: str = ""
    timezone: str = "99"
    mailformat: int = 1

    @property
    def fullname(self) -> str:
        return f"{self.firstname} {self.lastname}"


@dataclass
class Course:
    id: int
    shortname: str
    fullname: str
    idnumber: str
    grade_category_id: int  # the course's top grade category: iteminstance of its course total item
    total_item_id: int  # the course total grade item
    completion_enabled: bool = True
    aggregation: int = AGGREGATION_ALL
    criteria_cmids: list[int] = field(default_factory=list)  # "activity completion" criteria

    @property
    def sortorder(self) -> int:
        # Moodle puts a new course first in its category, so newer courses sort first.
        return -self.id


@dataclass
class Enrolment:
    user_id: int
    role: str = "student"
    lastcourseaccess: int = 0


@dataclass
class Activity:
    cmid: int
    course_id: int
    modname: str  # "scorm", "lti", "quiz", ...
    instance: int
    name: str
    tracking: int = TRACKING_AUTOMATIC
    grade_item_id: int | None = None
    grademax: float = 100.0
    visible: bool = True


@dataclass
class Scorm:
    id: int
    cmid: int
    course_id: int
    name: str
    version: str = "SCORM_1.2"  # or "SCORM_13" for SCORM 2004
    manifest: str = "com.example.package"
    organization: str = "ORG"
    maxgrade: int = 100
    grademethod: int = 1  # GRADEHIGHEST
    whatgrade: int = 0
    maxattempt: int = 0
    completionstatusrequired: int | None = 4  # bits: 2 passed, 4 completed
    completionscorerequired: int | None = None
    completionstatusallscos: int = 0
    intro: str = ""
    reference: str = "package.zip"
    packagesize: int = 0
    sha1hash: str = ""
    context_id: int = 0
    launch_sco_id: int = 0


@dataclass
class Sco:
    id: int
    scorm_id: int
    identifier: str
    title: str
    launch: str = ""
    scormtype: str = ""  # "sco", "asset", or "" for the organisation item
    organization: str = ""
    parent: str = "/"
    sortorder: int = 1
    extradata: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class ActivityState:
    state: int
    timecompleted: int


@dataclass
class Grade:
    raw: float | None  # None: a grade row without a grade (e.g. an LTI score still Pending)
    dategraded: int | None
    feedback: str = ""


@dataclass
class Attempt:
    """One SCO's stored cmi elements in one attempt, and when the latest was stored."""

    elements: dict[str, str]
    timemodified: int


class MoodleData:
    """A Moodle site's content. Build it with the add_/enrol/set_/record_ methods; ids are given out
    like Moodle's (users from 2, courses from 2) unless passed explicitly."""

    def __init__(
        self,
        *,
        site_name: str = "Fake Moodle",
        site_url: str = "http://moodle.invalid",
        release: str = "4.3 (Build: 20231009)",
        version: str = "2023100900",
        theme_revision: int = 1700000000,
        private_access_key: str = "0123456789abcdef0123456789abcdef",
    ) -> None:
        self.site_name = site_name
        self.site_url = site_url
        self.release = release
        self.version = version
        self.theme_revision = theme_revision
        self.private_access_key = private_access_key

        self.users: dict[int, User] = {}
        self.users_by: dict[str, dict[str, list[int]]] = {"idnumber": {}, "username": {}, "email": {}}
        self.courses: dict[int, Course] = {}
        self.enrolments: dict[int, dict[int, Enrolment]] = {}  # course id -> user id -> enrolment
        self.user_courses: dict[int, list[int]] = {}  # user id -> course ids
        self.activities: dict[int, Activity] = {}  # cmid -> activity
        self.course_activities: dict[int, list[int]] = {}  # course id -> cmids, in course order
        self.scorms: dict[int, Scorm] = {}
        self.scos: dict[int, Sco] = {}
        self.scorm_scos: dict[int, list[int]] = {}  # scorm id -> sco ids, in package order
        self.completions: dict[tuple[int, int], ActivityState] = {}  # (cmid, user id)
        self.grades: dict[tuple[int, int], Grade] = {}  # (grade item id, user id)
        self.tracks: dict[tuple[int, int, int], Attempt] = {}  # (sco id, user id, attempt)
        self.last_attempt: dict[tuple[int, int], int] = {}  # (scorm id, user id) -> attempt number

        self._next = {"user": 2, "course": 2, "cm": 2, "grade_item": 1, "grade_category": 1}
        self._next_instance: dict[str, int] = {}  # per module: each module has its own table
        self._next_sco = 1
        self.admin = self.add_user("admin", firstname="Admin", lastname="User", email="admin@example.invalid")

    def _id(self, kind: str, explicit: int | None) -> int:
        value = explicit if explicit is not None else self._next[kind]
        self._next[kind] = max(self._next[kind], value + 1)
        return value

    # --- users ---------------------------------------------------------------------------------------

    def add_user(
        self,
        username: str,
        *,
        firstname: str = "Test",
        lastname: str | None = None,
        email: str | None = None,
        idnumber: str = "",
        id: int | None = None,
        **fields: Any,
    ) -> User:
        """A user; `email=None` gives <username>@example.invalid, `email=""` no address at all."""
        user = User(
            id=self._id("user", id),
            username=username,
            firstname=firstname,
            lastname=lastname if lastname is not None else username.capitalize(),
            email=f"{username}@example.invalid" if email is None else email,
            idnumber=idnumber,
            **fields,
        )
        self.users[user.id] = user
        self._index(user)
        return user

    def update_user(self, user_id: int, **fields: Any) -> User:
        """Change a user's fields (e.g. idnumber="" or email="" for a user the sync cannot match)."""
        user = self.users[user_id]
        self._unindex(user)
        for name, value in fields.items():
            setattr(user, name, value)
        self._index(user)
        return user

    def _index(self, user: User) -> None:
        for name, index in self.users_by.items():
            value = getattr(user, name)
            if value:
                index.setdefault(value, []).append(user.id)

    def _unindex(self, user: User) -> None:
        for name, index in self.users_by.items():
            value = getattr(user, name)
            if value:
                index[value].remove(user.id)

    # --- courses and enrolments ----------------------------------------------------------------------

    def add_course(
        self,
        shortname: str,
        fullname: str | None = None,
        *,
        idnumber: str | None = None,
        id: int | None = None,
        completion_enabled: bool = True,
        aggregation: int = AGGREGATION_ALL,
    ) -> Course:
        """A course with its course-total grade item; completion on, no criteria yet."""
        course = Course(
            id=self._id("course", id),
            shortname=shortname,
            fullname=fullname or shortname,
            idnumber=shortname if idnumber is None else idnumber,
            grade_category_id=self._id("grade_category", None),
            total_item_id=self._id("grade_item", None),
            completion_enabled=completion_enabled,
            aggregation=aggregation,
        )
        self.courses[course.id] = course
        self.enrolments[course.id] = {}
        self.course_activities[course.id] = []
        return course

    def enrol(
        self, course_id: int, user_id: int, role: str = "student", *, lastcourseaccess: int = 0
    ) -> None:
        self.enrolments[course_id][user_id] = Enrolment(user_id, role, lastcourseaccess)
        self.user_courses.setdefault(user_id, []).append(course_id)

    # --- activities ----------------------------------------------------------------------------------

    def add_activity(
        self,
        course_id: int,
        modname: str,
        name: str,
        *,
        cmid: int | None = None,
        instance: int | None = None,
        tracking: int = TRACKING_AUTOMATIC,
        graded: bool = True,
        grademax: float = 100.0,
        completion_criterion: bool = False,
    ) -> Activity:
        """An activity of any module; `completion_criterion` makes its completion a course criterion."""
        activity = Activity(
            cmid=self._id("cm", cmid),
            course_id=course_id,
            modname=modname,
            instance=instance if instance is not None else self._next_instance.get(modname, 1),
            name=name,
            tracking=tracking,
            grade_item_id=self._id("grade_item", None) if graded else None,
            grademax=grademax,
        )
        self._next_instance[modname] = max(self._next_instance.get(modname, 1), activity.instance + 1)
        self.activities[activity.cmid] = activity
        self.course_activities[course_id].append(activity.cmid)
        if completion_criterion:
            self.courses[course_id].criteria_cmids.append(activity.cmid)
        return activity

    def add_scorm(
        self,
        course_id: int,
        name: str,
        *,
        scos: tuple[str | tuple[str, str], ...] = ("Lesson 1",),
        cmid: int | None = None,
        completion_criterion: bool = True,
        **settings: Any,
    ) -> Scorm:
        """A SCORM activity: its course module, grade item, organisation item, and a SCO for each of
        `scos`, given as a title or as (identifier, title)."""
        activity = self.add_activity(
            course_id,
            "scorm",
            name,
            cmid=cmid,
            completion_criterion=completion_criterion,
            grademax=float(settings.get("maxgrade", 100)),
        )
        scorm = Scorm(id=activity.instance, cmid=activity.cmid, course_id=course_id, name=name, **settings)
        scorm.context_id = scorm.context_id or 1000 + activity.cmid
        self.scorms[scorm.id] = scorm
        self._add_sco(scorm, scorm.organization, name, parent="/")  # the organisation item
        for number, entry in enumerate(scos, start=1):
            identifier, title = entry if isinstance(entry, tuple) else (f"ITEM{number}", entry)
            sco = self._add_sco(
                scorm,
                identifier,
                title,
                parent=scorm.organization,
                organization=scorm.organization,
                launch="index.html",
                scormtype="sco",
                extradata=[("isvisible", "true"), ("parameters", "")],
            )
            scorm.launch_sco_id = scorm.launch_sco_id or sco.id
        return scorm

    def _add_sco(self, scorm: Scorm, identifier: str, title: str, **fields: Any) -> Sco:
        sco_ids = self.scorm_scos.setdefault(scorm.id, [])
        sco = Sco(
            id=self._next_sco,
            scorm_id=scorm.id,
            identifier=identifier,
            title=title,
            sortorder=len(sco_ids) + 1,
        )
        for name, value in fields.items():
            setattr(sco, name, value)
        self._next_sco += 1
        self.scos[sco.id] = sco
        sco_ids.append(sco.id)
        return sco

    def sco_ids(self, scorm_id: int) -> list[int]:
        """The ids of a SCORM activity's launchable SCOs (not the organisation item)."""
        return [sid for sid in self.scorm_scos[scorm_id] if self.scos[sid].scormtype == "sco"]

    # --- results -------------------------------------------------------------------------------------

    def set_completion(self, cmid: int, user_id: int, timecompleted: int, state: int = COMPLETE) -> None:
        """Moodle's activity completion flag for a user (what core_completion reports)."""
        self.completions[(cmid, user_id)] = ActivityState(state, timecompleted)

    def set_grade(
        self, cmid: int, user_id: int, raw: float | None, dategraded: int | None, feedback: str = ""
    ) -> None:
        """A user's grade in an activity's grade item; `raw=None` is a grade row without a grade."""
        item_id = self.activities[cmid].grade_item_id
        assert item_id is not None, f"activity {cmid} has no grade item"
        self.grades[(item_id, user_id)] = Grade(raw, dategraded, feedback)

    def record_scorm_attempt(
        self,
        scorm_id: int,
        user_id: int,
        *,
        time: int,
        status: str = "completed",
        score: float | None = None,
        sco_id: int | None = None,
        attempt: int | None = None,
        elements: dict[str, str] | None = None,
        grade: bool = True,
        complete: bool = True,
    ) -> int:
        """Store a SCO's result as Moodle's SCORM player would, and return the attempt number.

        `status` is cmi.core.lesson_status for SCORM 1.2, cmi.completion_status for 2004 (pass
        `elements={"cmi.success_status": "passed"}` too). `grade` also sets the activity's grade to the
        score; `complete` also sets the completion flag when the status is passed or completed.
        Pass complete=False for what Moodle 4.3.0 does to a 1.2 package that reported "incomplete" first.
        """
        scorm = self.scorms[scorm_id]
        sco_id = sco_id if sco_id is not None else self.sco_ids(scorm_id)[0]
        attempt = attempt if attempt is not None else self.last_attempt.get((scorm_id, user_id), 0) + 1
        scorm12 = scorm.version == "SCORM_1.2"
        stored: dict[str, str] = {}
        if status:
            stored["cmi.core.lesson_status" if scorm12 else "cmi.completion_status"] = status
        if score is not None:
            prefix = "cmi.core.score" if scorm12 else "cmi.score"
            stored |= {f"{prefix}.raw": _number_text(score), f"{prefix}.max": "100", f"{prefix}.min": "0"}
        stored |= {"x.start.time": str(time - 2)} | (elements or {})
        self.tracks[(sco_id, user_id, attempt)] = Attempt(stored, time)
        # Moodle's require_login() in the player notes the visit, at most once a minute
        # (LASTACCESS_UPDATE_SECS).
        enrolment = self.enrolments[scorm.course_id].get(user_id)
        if enrolment is not None and time >= enrolment.lastcourseaccess + 60:
            enrolment.lastcourseaccess = time
        self.last_attempt[(scorm_id, user_id)] = max(attempt, self.last_attempt.get((scorm_id, user_id), 0))
        if grade and score is not None:
            self.set_grade(scorm.cmid, user_id, score, time)
        if complete and status in ("passed", "completed"):
            self.set_completion(scorm.cmid, user_id, time)
        return attempt


def _number_text(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)
