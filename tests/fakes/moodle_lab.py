"""The lab Moodle behind ../shared/fixtures/moodle/ws (see the README there), as a fake Moodle data set.

With it the fake answers every recorded request with the recorded reply, values included. Facts the
recordings do not show (learner1's SCORM completion time, the admin's e-mail) are marked as assumed.
"""

from __future__ import annotations

from tests.fakes.moodle_data import TRACKING_MANUAL, MoodleData

# Real tokens are 32 hex characters; the recordings replace them with placeholders.
LAB_TOKEN = "1ab70ce4c0ffee1ab70ce4c0ffee1ab7"  # "<token>": the admin's, on service lab_service
LAB_LEARNER_TOKEN = "1ea43e3c0ffee1ea43e3c0ffee1ea43e"  # "<learner_token>": learner3's own
INVALID_TOKEN = "0" * 32  # "<invalid token: 32 zeros>"
TOKEN_PLACEHOLDERS = {
    "<token>": LAB_TOKEN,
    "<learner_token>": LAB_LEARNER_TOKEN,
    "<invalid token: 32 zeros>": INVALID_TOKEN,
}

# lab_service's functions, in the order get_site_info listed them.
LAB_SERVICE_FUNCTIONS = (
    "core_webservice_get_site_info",
    "core_enrol_get_enrolled_users",
    "core_completion_get_course_completion_status",
    "core_completion_get_activities_completion_status",
    "mod_scorm_get_scorms_by_courses",
    "mod_scorm_get_scorm_attempt_count",
    "mod_scorm_get_scorm_user_data",
    "gradereport_user_get_grade_items",
    "core_user_get_users_by_field",
    "core_course_get_contents",
    "mod_scorm_get_scorm_scoes",
    "mod_lti_get_tool_types",
    "mod_scorm_get_scorm_sco_tracks",
)


def lab_data() -> MoodleData:
    """Users 2 (admin) to 6, courses 2 (LAB101) and 3 (LAB102), SCORM cmid 2 and LTI cmid 3."""
    data = MoodleData(
        site_name="Lab",
        site_url="http://127.0.0.1:8080",
        theme_revision=1795446071,
        private_access_key="<private_access_key>",
    )
    learner1 = data.add_user(
        "learner1", firstname="Ada", lastname="Learner", idnumber="EMP1001",
        firstaccess=1795445287, lastaccess=1795445287,
    )  # fmt: skip
    learner2 = data.add_user(
        "learner2", firstname="Ben", lastname="Learner", idnumber="EMP1002",
        firstaccess=1795445397, lastaccess=1795446092,
    )  # fmt: skip
    learner3 = data.add_user(
        "learner3", firstname="Cy", lastname="Learner", idnumber="EMP1003",
        firstaccess=1795445874, lastaccess=1795445874,
    )  # fmt: skip
    teacher1 = data.add_user(
        "teacher1", firstname="Tea", lastname="Cher", idnumber="EMP2001",
        firstaccess=1795446097, lastaccess=1795446103,
    )  # fmt: skip

    lab101 = data.add_course("LAB101", "Lab Acceptance Course")
    scorm = data.add_scorm(
        lab101.id,
        "Lab SCORM 1.2 smoke test",
        scos=(("LAB_ITEM1", "Lesson 1"),),
        manifest="com.example.lab.scorm12",
        organization="LAB_ORG",
        intro="SCORM 1.2 package created by the moodle-lab session",
        reference="lab_scorm12.zip",
        packagesize=1535,
        sha1hash="e3201a3345c2eb9cd192c6fdf4c3c1905862626d",
        context_id=15,
        completionstatusrequired=6,
    )
    lti = data.add_activity(lab101.id, "lti", "Lab LTI 1.3 activity", tracking=TRACKING_MANUAL)
    lab102 = data.add_course("LAB102", "Lab Course Without Completion Criteria")

    data.enrol(lab101.id, learner1.id, lastcourseaccess=1795445289)
    data.enrol(lab101.id, learner2.id, lastcourseaccess=1795446095)
    data.enrol(lab101.id, learner3.id, lastcourseaccess=1795445875)
    data.enrol(lab101.id, teacher1.id, "editingteacher", lastcourseaccess=1795446098)
    data.enrol(lab102.id, learner1.id)

    # learner1: SCORM 85 graded at 1795445290 (recorded); its completion flag and tracks are assumed.
    data.record_scorm_attempt(
        scorm.id, learner1.id, time=1795445290, score=85, elements={"cmi.core.total_time": "00:01:10.00"}
    )
    # learner3: one normal-mode attempt, completed with 85, course completed after cron.
    data.record_scorm_attempt(
        scorm.id,
        learner3.id,
        time=1795445878,
        score=85,
        elements={"cmi.core.total_time": "00:01:30.00", "x.start.time": "1795445876"},
        grade=False,
        complete=False,
    )
    data.set_completion(scorm.cmid, learner3.id, 1795445876)
    data.set_grade(scorm.cmid, learner3.id, 85, 1795445876)
    # LTI scores through AGS; learner3's was Pending, which Moodle stores as a grade row without a grade.
    data.set_grade(lti.cmid, learner1.id, 80, 1795446133, "fixture: first score")
    data.set_grade(lti.cmid, learner2.id, 90, 1795445399, "posted by moodle-lab mock tool")
    data.set_grade(lti.cmid, learner3.id, None, 1795446133, "fixture: pending")
    return data
