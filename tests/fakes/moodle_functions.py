"""The fake Moodle's web-service functions: Moodle 4.3's parameters, reply shapes and errors.

Written from Moodle's sources (enrol/externallib.php, user/lib.php user_get_user_details,
completion/classes/external.php, grade/report/user/classes/external/user.php,
mod/scorm/classes/external.php) and checked against the recordings in ../shared/fixtures/moodle/ws.
Error messages the recordings do not show (a missing capability, a suspended user) are Moodle's
language strings as best known; the client goes by errorcode, not message.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.fakes.moodle_api import (
    Context,
    Many,
    MoodleException,
    Spec,
    Struct,
    Value,
    invalid_parameter,
    missing_record,
    php_number,
)
from tests.fakes.moodle_data import (
    AGGREGATION_ANY,
    COMPLETE,
    COMPLETE_PASS,
    GRADED_ROLES,
    ROLE_IDS,
    TRACKING_AUTOMATIC,
    TRACKING_NONE,
    Course,
    MoodleData,
    User,
)
from tests.fakes.moodle_scorm import (
    mod_scorm_get_scorm_attempt_count,
    mod_scorm_get_scorm_sco_tracks,
    mod_scorm_get_scorm_scoes,
    mod_scorm_get_scorm_user_data,
    mod_scorm_get_scorms_by_courses,
)

# --- users ----------------------------------------------------------------------------------------------

# user_get_default_fields(): what `userfields` may name.
USER_FIELDS = frozenset(
    (
        "id", "username", "fullname", "firstname", "lastname", "email", "address", "phone1", "phone2", "icq",
        "skype", "yahoo", "aim", "msn", "department", "institution", "interests", "firstaccess", "lastaccess",
        "auth", "confirmed", "idnumber", "lang", "theme", "timezone", "mailformat", "description",
        "descriptionformat", "city", "url", "country", "profileimageurlsmall", "profileimageurl",
        "customfields", "groups", "roles", "preferences", "enrolledcourses", "suspended", "lastcourseaccess",
    )
)  # fmt: skip


def _picture(data: MoodleData, size: str) -> str:
    # A user without a picture gets the theme's default image.
    return f"{data.site_url}/theme/image.php/boost/core/{data.theme_revision}/u/{size}"


def user_details(
    data: MoodleData, user: User, fields: frozenset[str], course: Course | None = None
) -> dict[str, Any]:
    """user_get_user_details() as the site admin sees it, keys in the order of the function's returns."""
    out: dict[str, Any] = {"id": user.id}
    for name in ("username", "firstname", "lastname"):
        if name in fields:
            out[name] = getattr(user, name)
    out["fullname"] = user.fullname
    if "email" in fields:
        out["email"] = user.email
    if "department" in fields:
        out["department"] = user.department
    if "idnumber" in fields and user.idnumber:  # Moodle leaves an empty idnumber out
        out["idnumber"] = user.idnumber
    for name in ("firstaccess", "lastaccess"):
        if name in fields:
            out[name] = getattr(user, name)
    if course is not None and "lastcourseaccess" in fields:
        out["lastcourseaccess"] = data.enrolments[course.id][user.id].lastcourseaccess
    if course is None:  # user_description() has these; the enrolled-users reply does not
        for name in ("auth", "suspended", "confirmed", "lang", "theme", "timezone", "mailformat"):
            if name in fields:
                out[name] = getattr(user, name)
    if "profileimageurlsmall" in fields:
        out["profileimageurlsmall"] = _picture(data, "f2")
    if "profileimageurl" in fields:
        out["profileimageurl"] = _picture(data, "f1")
    if course is not None and "roles" in fields:
        role = data.enrolments[course.id][user.id].role
        out["roles"] = [{"roleid": ROLE_IDS[role], "name": "", "shortname": role, "sortorder": 0}]
    if course is not None and "enrolledcourses" in fields and data.user_courses.get(user.id):
        courses = sorted((data.courses[cid] for cid in data.user_courses[user.id]), key=lambda c: c.sortorder)
        out["enrolledcourses"] = [
            {"id": c.id, "fullname": c.fullname, "shortname": c.shortname} for c in courses
        ]
    return out


def core_enrol_get_enrolled_users(ctx: Context, p: dict[str, Any]) -> Any:
    course = ctx.course(p["courseid"])
    ctx.require("moodle/course:viewparticipants")
    options = {option["name"]: option["value"] for option in p["options"]}
    fields = USER_FIELDS
    if "userfields" in options:
        requested = [
            "".join(c for c in f if c.isalnum() or c in "_-") for f in options["userfields"].split(",")
        ]
        for name in requested:
            if name not in USER_FIELDS:
                raise MoodleException("moodle_exception", "invaliduserfield", f"Invalid user field: {name}")
        fields = frozenset(requested)
    if options.get("onlyactive"):
        ctx.require("moodle/course:enrolreview")
    enrolments = ctx.data.enrolments[course.id]
    users = [ctx.data.users[uid] for uid in enrolments]
    if options.get("withcapability"):
        ctx.require("moodle/role:review")
        holders = ROLE_CAPABILITIES.get(options["withcapability"], frozenset())
        users = [u for u in users if enrolments[u.id].role in holders]
    sortby = options.get("sortby", "id")
    direction = options.get("sortdirection", "ASC").upper()
    if sortby not in ("id", "firstname", "lastname", "siteorder") or direction not in ("ASC", "DESC"):
        raise invalid_parameter()
    key: Callable[[User], Any] = {
        "id": lambda u: u.id,
        "firstname": lambda u: (u.firstname, u.id),
        "lastname": lambda u: (u.lastname, u.id),
        "siteorder": lambda u: (u.lastname, u.firstname, u.id),
    }[sortby]
    users.sort(key=key, reverse=direction == "DESC")
    start = int(options.get("limitfrom") or 0)
    number = int(options.get("limitnumber") or 0)
    users = users[start : start + number] if number else users[start:]
    return [user_details(ctx.data, user, fields, course) for user in users]


# Which roles hold the capabilities a sync might filter enrolled users by.
ROLE_CAPABILITIES = {
    "moodle/course:isincompletionreports": GRADED_ROLES,
    "mod/scorm:savetrack": GRADED_ROLES,
    "moodle/grade:view": GRADED_ROLES,
}


def core_user_get_users_by_field(ctx: Context, p: dict[str, Any]) -> Any:
    name = p["field"]
    if name not in ("id", "idnumber", "username", "email"):
        raise MoodleException(
            "coding_exception",
            "codingerror",
            "Coding error detected, it must be fixed by a programmer: invalid field parameter",
        )
    ids: set[int] = set()
    for value in p["values"]:
        if name == "id":
            if value.isdigit() and int(value) in ctx.data.users:
                ids.add(int(value))
        else:
            # An exact match, as on PostgreSQL (MySQL's default collation would ignore case).
            ids.update(ctx.data.users_by[name].get(value, ()))
    # Values that match nobody are left out without a warning.
    return [user_details(ctx.data, ctx.data.users[uid], USER_FIELDS) for uid in sorted(ids)]


# --- site info ------------------------------------------------------------------------------------------

ADVANCED_FEATURES = [
    ("usecomments", 1), ("usetags", 1), ("enablenotes", 1), ("messaging", 1), ("enableblogs", 1),
    ("enablecompletion", 1), ("enablebadges", 1), ("messagingallusers", 0), ("enablecustomreports", 1),
    ("enableglobalsearch", 0), ("mnet_dispatcher_mode", 0),
]  # fmt: skip


def core_webservice_get_site_info(ctx: Context, p: dict[str, Any]) -> Any:
    data, user = ctx.data, ctx.caller
    return {
        "sitename": data.site_name,
        "username": user.username,
        "firstname": user.firstname,
        "lastname": user.lastname,
        "fullname": user.fullname,
        "lang": user.lang,
        "userid": user.id,
        "siteurl": data.site_url,
        "userpictureurl": _picture(data, "f1"),
        "functions": [{"name": name, "version": data.version} for name in ctx.service_functions],
        "downloadfiles": 1,
        "uploadfiles": 0,
        "release": data.release,
        "version": data.version,
        "mobilecssurl": "",
        "advancedfeatures": [{"name": name, "value": value} for name, value in ADVANCED_FEATURES],
        "usercanmanageownfiles": True,
        "userquota": 0,
        "usermaxuploadfilesize": -1,
        "userhomepage": 1,
        "userprivateaccesskey": data.private_access_key,
        "siteid": 1,
        "sitecalendartype": "gregorian",
        "usercalendartype": "gregorian",
        "userissiteadmin": ctx.is_admin,
        "theme": "boost",
        "limitconcurrentlogins": 0,
    }


# --- grades ---------------------------------------------------------------------------------------------


def _grade_common(
    raw: float | None, dategraded: int | None, grademax: float, feedback: str, fmt: int
) -> dict[str, Any]:
    return {
        "graderaw": php_number(raw) if raw is not None else None,
        "gradedatesubmitted": None,
        "gradedategraded": dategraded,
        "gradehiddenbydate": False,
        "gradeneedsupdate": False,
        "gradeishidden": False,
        "gradeislocked": False,
        "gradeisoverridden": False,
        "gradeformatted": f"{raw:.2f}" if raw is not None else "-",
        "grademin": 0,
        "grademax": php_number(grademax),
        "rangeformatted": f"0&ndash;{php_number(grademax)}",
        "percentageformatted": f"{100 * raw / grademax:.2f} %" if raw is not None and grademax else "-",
        "feedback": feedback,
        "feedbackformat": fmt,
    }


def grade_entry(data: MoodleData, course: Course, user: User) -> dict[str, Any]:
    """One usergrades entry: the course's graded activities, then the course total (natural aggregation,
    empty grades left out: total and its maximum are sums over the items with a grade)."""
    # An enrolled user has grade rows (feedbackformat 2); one who is not has none (0).
    fmt = 2 if user.id in data.enrolments[course.id] else 0
    graded = [data.activities[cmid] for cmid in data.course_activities[course.id]]
    graded = [a for a in graded if a.grade_item_id is not None]
    grades = {a.cmid: data.grades.get((a.grade_item_id, user.id)) for a in graded}  # type: ignore[arg-type]
    with_value = [a for a in graded if (g := grades[a.cmid]) is not None and g.raw is not None]
    total_max = sum(a.grademax for a in with_value) if with_value else sum(a.grademax for a in graded)
    items = []
    for activity in graded:
        grade = grades[activity.cmid]
        raw = grade.raw if grade else None
        weight = activity.grademax / total_max if raw is not None and total_max else 0
        item: dict[str, Any] = {
            "id": activity.grade_item_id,
            "itemname": activity.name,
            "itemtype": "mod",
            "itemmodule": activity.modname,
            "iteminstance": activity.instance,
            "itemnumber": 0,
            "idnumber": "",
            "categoryid": course.grade_category_id,
            "outcomeid": None,
            "scaleid": None,
            "locked": False,
            "cmid": activity.cmid,
            "weightraw": php_number(round(weight, 5)),
            "weightformatted": f"{100 * weight:.2f} %",
        }
        if raw is None:
            item["status"] = "novalue"
        item |= _grade_common(
            raw, grade.dategraded if grade else None, activity.grademax, grade.feedback if grade else "", fmt
        )
        items.append(item)
    total = sum(g.raw for a in with_value if (g := grades[a.cmid]) is not None and g.raw is not None)
    dates = [g.dategraded for a in with_value if (g := grades[a.cmid]) is not None and g.dategraded]
    course_item: dict[str, Any] = {
        "id": course.total_item_id,
        "itemname": None,
        "itemtype": "course",
        "itemmodule": None,
        "iteminstance": course.grade_category_id,
        "itemnumber": None,
        "idnumber": None,
        "categoryid": None,
        "outcomeid": None,
        "scaleid": None,
        "locked": False,
    }
    course_item |= _grade_common(total if with_value else None, max(dates, default=None), total_max, "", fmt)
    items.append(course_item)
    return {
        "courseid": course.id,
        "courseidnumber": course.idnumber,
        "userid": user.id,
        "userfullname": user.fullname,
        "useridnumber": user.idnumber,
        "maxdepth": 2,
        "gradeitems": items,
    }


def gradereport_user_get_grade_items(ctx: Context, p: dict[str, Any]) -> Any:
    course = ctx.course(p["courseid"])
    ctx.require("gradereport/user:view")
    if p["userid"] == 0:
        ctx.require("moodle/grade:viewall")
        # graded_users_iterator: users with a graded role, by last name then first name.
        enrolments = ctx.data.enrolments[course.id]
        users = [ctx.data.users[uid] for uid, e in enrolments.items() if e.role in GRADED_ROLES]
        users.sort(key=lambda u: (u.lastname, u.firstname, u.id))
    else:
        user = ctx.user(p["userid"], active=True)
        if user.id != ctx.caller.id and not ctx.has("moodle/grade:viewall"):
            raise MoodleException("moodle_exception", "nopermissiontoviewgrades", "Can not view grades.")
        users = [user]
    return {"usergrades": [grade_entry(ctx.data, course, user) for user in users], "warnings": []}


# --- completion -----------------------------------------------------------------------------------------


def _is_tracked(data: MoodleData, course: Course, user_id: int) -> bool:
    enrolment = data.enrolments[course.id].get(user_id)
    return enrolment is not None and enrolment.role in GRADED_ROLES


def core_completion_get_course_completion_status(ctx: Context, p: dict[str, Any]) -> Any:
    course = ctx.course(p["courseid"])
    user = ctx.user(p["userid"])
    if not course.completion_enabled or (user.id != ctx.caller.id and not ctx.has("report/completion:view")):
        raise MoodleException("moodle_exception", "cannotviewreport", "You cannot view this report")
    if not _is_tracked(ctx.data, course, user.id):
        if user.id == ctx.caller.id:
            raise MoodleException("moodle_exception", "notenroled", "You are not enrolled in this course")
        raise MoodleException("moodle_exception", "usernotenroled", "User is not enrolled in this course")
    if not course.criteria_cmids:
        raise MoodleException(
            "moodle_exception", "nocriteriaset", "No completion criteria set for this course"
        )
    rows = []
    for cmid in course.criteria_cmids:
        activity = ctx.data.activities[cmid]
        state = ctx.data.completions.get((cmid, user.id))
        complete = state is not None and state.state in (COMPLETE, COMPLETE_PASS)
        link = f'<a href="{ctx.data.site_url}/mod/{activity.modname}/view.php?id={cmid}">{activity.name}</a>'
        rows.append(
            {
                "type": 4,  # COMPLETION_CRITERIA_TYPE_ACTIVITY
                "title": "Activity completion",
                "status": "Yes" if complete else "No",
                "complete": complete,
                "timecompleted": state.timecompleted if complete and state else None,
                "details": {"type": "Activity completion", "criteria": link, "requirement": "", "status": ""},
            }
        )
    done = [row["complete"] for row in rows]
    completed = any(done) if course.aggregation == AGGREGATION_ANY else all(done)
    return {
        "completionstatus": {"completed": completed, "aggregation": course.aggregation, "completions": rows},
        "warnings": [],
    }


SCORM_STATUS_RULES = {2: "Pass the activity", 4: "Complete the activity", 6: "Complete or pass the activity"}


def _rule_details(data: MoodleData, cmid: int, complete: bool) -> list[dict[str, Any]]:
    activity = data.activities[cmid]
    if activity.modname != "scorm" or activity.tracking != TRACKING_AUTOMATIC:
        return []
    scorm = data.scorms[activity.instance]
    details = []
    if scorm.completionstatusrequired:
        description = SCORM_STATUS_RULES.get(scorm.completionstatusrequired, "Complete or pass the activity")
        details.append(
            {
                "rulename": "completionstatusrequired",
                "rulevalue": {"status": int(complete), "description": description},
            }
        )
    if scorm.completionscorerequired is not None:
        details.append(
            {
                "rulename": "completionscorerequired",
                "rulevalue": {
                    "status": int(complete),
                    "description": f"Receive a score of {scorm.completionscorerequired} or more",
                },
            }
        )
    return details


def core_completion_get_activities_completion_status(ctx: Context, p: dict[str, Any]) -> Any:
    course = ctx.course(p["courseid"])
    user = ctx.user(p["userid"])
    if user.id != ctx.caller.id:
        ctx.require("report/progress:view")
    if user.id not in ctx.data.enrolments[course.id]:
        # Not an error, unlike the course completion call: just nothing.
        return {"statuses": [], "warnings": []}
    tracked = _is_tracked(ctx.data, course, user.id)
    statuses = []
    for cmid in ctx.data.course_activities[course.id]:
        activity = ctx.data.activities[cmid]
        if activity.tracking == TRACKING_NONE or not activity.visible:
            continue
        state = ctx.data.completions.get((cmid, user.id))
        complete = state is not None and state.state in (COMPLETE, COMPLETE_PASS)
        statuses.append(
            {
                "cmid": cmid,
                "modname": activity.modname,
                "instance": activity.instance,
                "state": state.state if state else 0,
                "timecompleted": state.timecompleted if state else 0,
                "tracking": activity.tracking,
                "overrideby": None,
                "valueused": False,
                "hascompletion": True,
                "isautomatic": activity.tracking == TRACKING_AUTOMATIC,
                "istrackeduser": tracked,
                "uservisible": True,
                "details": _rule_details(ctx.data, cmid, complete),
            }
        )
    return {"statuses": statuses, "warnings": []}


# --- course modules -------------------------------------------------------------------------------------

MODULE_IDS = {"assign": 1, "lti": 15, "quiz": 17, "scorm": 19}  # a default install's modules table


def core_course_get_course_module(ctx: Context, p: dict[str, Any]) -> Any:
    """course/externallib.php get_course_module, as a site admin sees it (the settings an editor sees)."""
    activity = ctx.data.activities.get(p["cmid"])
    if activity is None:
        raise missing_record("course_modules")
    course = ctx.data.courses[activity.course_id]
    cm: dict[str, Any] = {
        "id": activity.cmid,
        "course": course.id,
        "module": MODULE_IDS.get(activity.modname, 99),
        "name": activity.name,
        "modname": activity.modname,
        "instance": activity.instance,
        "section": 1,
        "sectionnum": 0,
        "groupmode": 0,
        "groupingid": 0,
        "completion": activity.tracking,
        "idnumber": "",
        "added": 1700000000,
        "score": 0,
        "indent": 0,
        "visible": 1 if activity.visible else 0,
        "visibleoncoursepage": 1,
        "visibleold": 1,
        "completiongradeitemnumber": None,
        "completionpassgrade": 0,
        "completionview": 0,
        "completionexpected": 0,
        "showdescription": 0,
        "downloadcontent": 1,
        "availability": None,
    }
    if activity.grade_item_id is not None:
        cm |= {
            "grade": php_number(activity.grademax),
            "gradepass": "0.00",
            "gradecat": course.grade_category_id,
        }
    return {"cm": cm, "warnings": []}


# --- the function table ---------------------------------------------------------------------------------

INT, BOOL, RAW = Value("int"), Value("bool"), Value("raw")

FUNCTIONS: dict[str, tuple[dict[str, Spec], Callable[[Context, dict[str, Any]], Any]]] = {
    "core_webservice_get_site_info": (
        {"serviceshortnames": Many(RAW, default=[])},
        core_webservice_get_site_info,
    ),
    "core_enrol_get_enrolled_users": (
        {"courseid": INT, "options": Many(Struct({"name": Value("alphanumext"), "value": RAW}), default=[])},
        core_enrol_get_enrolled_users,
    ),
    "core_user_get_users_by_field": (
        {"field": Value("alpha"), "values": Many(RAW)},
        core_user_get_users_by_field,
    ),
    "core_course_get_course_module": ({"cmid": INT}, core_course_get_course_module),
    "gradereport_user_get_grade_items": (
        {"courseid": INT, "userid": Value("int", 0), "groupid": Value("int", 0)},
        gradereport_user_get_grade_items,
    ),
    "core_completion_get_course_completion_status": (
        {"courseid": INT, "userid": INT},
        core_completion_get_course_completion_status,
    ),
    "core_completion_get_activities_completion_status": (
        {"courseid": INT, "userid": INT},
        core_completion_get_activities_completion_status,
    ),
    "mod_scorm_get_scorms_by_courses": (
        {"courseids": Many(INT, default=[])},
        mod_scorm_get_scorms_by_courses,
    ),
    "mod_scorm_get_scorm_scoes": (
        {"scormid": INT, "organization": Value("raw", "")},
        mod_scorm_get_scorm_scoes,
    ),
    "mod_scorm_get_scorm_attempt_count": (
        {"scormid": INT, "userid": INT, "ignoremissingcompletion": Value("bool", False)},
        mod_scorm_get_scorm_attempt_count,
    ),
    "mod_scorm_get_scorm_sco_tracks": (
        {"scoid": INT, "userid": INT, "attempt": Value("int", 0)},
        mod_scorm_get_scorm_sco_tracks,
    ),
    "mod_scorm_get_scorm_user_data": ({"scormid": INT, "attempt": INT}, mod_scorm_get_scorm_user_data),
}

# Functions a Moodle 4.3 has that the fake does not answer: asking for one is "not in the service"
# unless a test adds it, whereas a name Moodle does not know is a missing record.
OTHER_MOODLE_FUNCTIONS = frozenset(
    {
        "core_course_get_courses",
        "core_course_get_contents",
        "mod_lti_get_tool_types",
        "mod_scorm_insert_scorm_tracks",
    }
)
