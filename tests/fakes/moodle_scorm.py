"""The fake Moodle's SCORM web-service functions (mod/scorm/classes/external.php, Moodle 4.3)."""

from __future__ import annotations

from typing import Any

from tests.fakes.moodle_api import Context, MoodleException, php_number
from tests.fakes.moodle_data import MoodleData, Scorm


def _scorm_reply(data: MoodleData, scorm: Scorm, manager: bool) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": scorm.id,
        "coursemodule": scorm.cmid,
        "course": scorm.course_id,
        "name": scorm.name,
        "intro": scorm.intro,
        "introformat": 1,
        "introfiles": [],
    }
    if manager:
        out |= {"section": 0, "visible": True, "groupmode": 0, "groupingid": 0}
    out |= {
        "lang": "",
        "packagesize": scorm.packagesize,
        "packageurl": f"{data.site_url}/webservice/pluginfile.php/{scorm.context_id}/mod_scorm/package/0/"
        f"{scorm.reference}",
        "version": scorm.version,
        "maxgrade": scorm.maxgrade,
        "grademethod": scorm.grademethod,
        "whatgrade": scorm.whatgrade,
        "maxattempt": scorm.maxattempt,
        "forcecompleted": False,
        "forcenewattempt": 0,
        "lastattemptlock": False,
        "displayattemptstatus": 1,
        "displaycoursestructure": False,
        "sha1hash": scorm.sha1hash,
        "md5hash": "",
        "revision": 1,
        "launch": scorm.launch_sco_id,
        "skipview": 0,
        "hidebrowse": False,
        "hidetoc": 0,
        "nav": 1,
        "navpositionleft": -100,
        "navpositiontop": -100,
        "auto": False,
        "popup": 0,
        "width": 100,
        "height": 500,
        "timeopen": 0,
        "timeclose": 0,
        "scormtype": "local",
        "reference": scorm.reference,
        "protectpackagedownloads": False,
    }
    if manager:  # settings only those who may manage activities see
        out |= {
            "updatefreq": 0,
            "options": "",
            "completionstatusrequired": scorm.completionstatusrequired,
            "completionscorerequired": scorm.completionscorerequired,
            "completionstatusallscos": scorm.completionstatusallscos,
            "autocommit": False,
            "timemodified": 0,
        }
    return out


def mod_scorm_get_scorms_by_courses(ctx: Context, p: dict[str, Any]) -> Any:
    data = ctx.data
    course_ids = p["courseids"] or data.user_courses.get(ctx.caller.id, [])
    warnings, scorms = [], []
    for course_id in dict.fromkeys(course_ids):
        course = data.courses.get(course_id)
        if course is None or not (ctx.is_admin or ctx.caller.id in data.enrolments[course_id]):
            warnings.append(
                {
                    "item": "course",
                    "itemid": course_id,
                    "warningcode": "1",
                    "message": "No access rights in course context",
                }
            )
            continue
        for cmid in data.course_activities[course_id]:
            activity = data.activities[cmid]
            if activity.modname == "scorm":
                scorms.append(_scorm_reply(data, data.scorms[activity.instance], ctx.is_admin))
    return {"scorms": scorms, "options": [{"name": "scormstandard", "value": "0"}], "warnings": warnings}


def mod_scorm_get_scorm_scoes(ctx: Context, p: dict[str, Any]) -> Any:
    scorm = ctx.scorm(p["scormid"])
    scoes = [ctx.data.scos[sid] for sid in ctx.data.scorm_scos[scorm.id]]
    if p["organization"]:
        scoes = [sco for sco in scoes if sco.organization == p["organization"]]
    return {
        "scoes": [
            {
                "id": sco.id,
                "scorm": sco.scorm_id,
                "manifest": scorm.manifest,
                "organization": sco.organization,
                "parent": sco.parent,
                "identifier": sco.identifier,
                "launch": sco.launch,
                "scormtype": sco.scormtype,
                "title": sco.title,
                "sortorder": sco.sortorder,
                "extradata": [{"element": e, "value": v} for e, v in sco.extradata],
            }
            for sco in scoes
        ],
        "warnings": [],
    }


def mod_scorm_get_scorm_attempt_count(ctx: Context, p: dict[str, Any]) -> Any:
    scorm = ctx.scorm(p["scormid"])
    user = ctx.user(p["userid"], active=True)
    if user.id != ctx.caller.id:
        ctx.require("mod/scorm:viewreport")
    count = ctx.data.last_attempt.get((scorm.id, user.id), 0)
    if p["ignoremissingcompletion"]:
        count = sum(
            1
            for attempt in range(1, count + 1)
            if any(_reported(ctx.data, sid, user.id, attempt) for sid in ctx.data.scorm_scos[scorm.id])
        )
    return {"attemptscount": count, "warnings": []}


def _reported(data: MoodleData, sco_id: int, user_id: int, attempt: int) -> bool:
    stored = data.tracks.get((sco_id, user_id, attempt))
    return stored is not None and any(
        e in stored.elements
        for e in ("cmi.core.lesson_status", "cmi.completion_status", "cmi.core.score.raw", "cmi.score.raw")
    )


def usertrack(data: MoodleData, sco_id: int, user_id: int, attempt: int) -> list[tuple[str, Any]] | None:
    """scorm_get_tracks(): Moodle's summary elements first, then the stored elements by name."""
    stored = data.tracks.get((sco_id, user_id, attempt))
    if stored is None:
        return None
    summary: dict[str, Any] = {
        "score_raw": "",
        "status": "",
        "total_time": "00:00:00",
        "session_time": "00:00:00",
        "timemodified": str(stored.timemodified),
    }
    elements = dict(sorted(stored.elements.items()))
    for element, value in elements.items():
        if element in ("cmi.core.lesson_status", "cmi.completion_status"):
            summary["status"] = "notattempted" if value == "not attempted" else value
        elif element in ("cmi.core.score.raw", "cmi.score.raw"):
            summary["score_raw"] = php_number(round(float(value), 2))  # a number, unlike every other value
        elif element in ("cmi.core.session_time", "cmi.session_time"):
            summary["session_time"] = value
        elif element in ("cmi.core.total_time", "cmi.total_time"):
            summary["total_time"] = value
    return list(summary.items()) + list(elements.items())


def mod_scorm_get_scorm_sco_tracks(ctx: Context, p: dict[str, Any]) -> Any:
    sco = ctx.data.scos.get(p["scoid"])
    if sco is None or sco.scormtype != "sco":
        raise MoodleException("moodle_exception", "cannotfindsco", "Cannot find SCO")
    user = ctx.user(p["userid"], active=True)
    if user.id != ctx.caller.id:
        ctx.require("mod/scorm:viewreport")
    # Attempt 0 is the last attempt, and "the last attempt" of someone who never started is 1.
    attempt = p["attempt"] or ctx.data.last_attempt.get((sco.scorm_id, user.id), 1)
    track = usertrack(ctx.data, sco.id, user.id, attempt)
    if track is None or dict(track)["status"] == "":
        warning = {
            "item": "attempt",
            "itemid": attempt,
            "warningcode": "notattempted",
            "message": "Not attempted",
        }
        return {"data": {"attempt": attempt, "tracks": []}, "warnings": [warning]}
    # Moodle adds these two last; userid comes through as a number here.
    tracks = [*track, ("userid", user.id), ("scoid", str(sco.id))]
    return {
        "data": {"attempt": attempt, "tracks": [{"element": e, "value": v} for e, v in tracks]},
        "warnings": [],
    }


SCORM12_DEFAULTS = (
    ("cmi.core.student_id", None), ("cmi.core.student_name", None), ("cmi.core.credit", "credit"),
    ("cmi.core.entry", None), ("cmi.core.lesson_mode", "normal"), ("cmi.launch_data", ""),
    ("cmi.student_data.mastery_score", ""), ("cmi.student_data.max_time_allowed", ""),
    ("cmi.student_data.time_limit_action", ""), ("cmi.core.total_time", "00:00:00"),
    ("cmi.core.lesson_location", ""), ("cmi.core.lesson_status", ""), ("cmi.core.score.raw", ""),
    ("cmi.core.score.max", ""), ("cmi.core.score.min", ""), ("cmi.core.exit", ""), ("cmi.suspend_data", ""),
    ("cmi.comments", ""), ("cmi.student_preference.language", ""), ("cmi.student_preference.audio", "0"),
    ("cmi.student_preference.speed", "0"), ("cmi.student_preference.text", "0"),
)  # fmt: skip


def mod_scorm_get_scorm_user_data(ctx: Context, p: dict[str, Any]) -> Any:
    """The CALLING user's data only: with an admin token it says nothing about any learner."""
    scorm = ctx.scorm(p["scormid"])
    if scorm.version != "SCORM_1.2":
        raise NotImplementedError("the fake answers mod_scorm_get_scorm_user_data for SCORM 1.2 only")
    user, attempt = ctx.caller, p["attempt"]
    data = []
    for sco_id in ctx.data.scorm_scos[scorm.id]:
        sco = ctx.data.scos[sco_id]
        stored = ctx.data.tracks.get((sco_id, user.id, attempt))
        track = usertrack(ctx.data, sco_id, user.id, attempt)
        userdata: list[tuple[str, Any]] = [("student_id", user.username), ("student_name", user.fullname)]
        if track is None:
            userdata += [("status", ""), ("score_raw", "")]
        else:
            userdata += [*track, ("userid", str(user.id)), ("scoid", str(sco_id))]
        userdata += sco.extradata or [("parameters", "")]
        suspended = stored is not None and stored.elements.get("cmi.core.exit") == "suspend"
        entry = "resume" if suspended else ("" if stored else "ab-initio")
        userdata += [("entry", entry), ("mode", "normal"), ("credit", "credit")]
        elements = stored.elements if stored else {}
        fixed = {
            "cmi.core.student_id": user.username,
            "cmi.core.student_name": user.fullname,
            "cmi.core.entry": entry,
        }
        defaultdata = [
            (name, fixed.get(name, elements.get(name, default))) for name, default in SCORM12_DEFAULTS
        ]
        data.append(
            {
                "scoid": sco_id,
                "userdata": [{"element": e, "value": v} for e, v in userdata],
                "defaultdata": [{"element": e, "value": v} for e, v in defaultdata],
            }
        )
    return {"data": data, "warnings": []}
