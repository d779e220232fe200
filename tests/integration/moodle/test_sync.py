"""The sync against the fake Moodle: what it records, how few calls it makes, and what it leaves alone."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import select

from lms_bridge.moodle.models import MoodleSyncRun
from lms_bridge.moodle.runs import unmatched_users
from lms_bridge.moodle.sites import add_mapping, client_for
from lms_bridge.register.models import Completion
from tests.fakes.moodle import FakeMoodle


def at(epoch: int) -> dt.datetime:
    return dt.datetime.fromtimestamp(epoch, tz=dt.UTC)


def register(session, source: str = "moodle") -> set[tuple[str, str, dt.datetime, Decimal | None]]:
    """(employee number, competence code, completed at, score) of every completion from the source."""
    from lms_bridge.catalog.models import Competence
    from lms_bridge.register.models import Staff

    rows = session.execute(
        select(Staff.employee_number, Competence.code, Completion.completed_at, Completion.score)
        .join(Staff, Staff.id == Completion.staff_id)
        .join(Competence, Competence.id == Completion.competence_id)
        .where(Completion.source == source)
    )
    return {(n, c, t, s) for n, c, t, s in rows}


def map_to(db_app, session, site, competence, *, course=None, cmid=None):
    with client_for(site, db_app.config) as client:
        mapping = add_mapping(
            session,
            site,
            competence_code=competence.code,
            client=client,
            actor="test",
            course_id=course,
            cmid=cmid,
        )
    session.commit()
    return mapping


def test_the_lab_site_first_sync_records_course_and_scorm_completions(
    db_app, app_session, lab_moodle: FakeMoodle, add_site, sync, make_staff, make_competence
):
    for number in ("EMP1001", "EMP1002", "EMP1003", "EMP2001"):
        make_staff(employee_number=number)
    course_competence = make_competence(code="LAB-COURSE")
    scorm_competence = make_competence(code="LAB-SCORM")
    lab_moodle.service_functions.append("core_course_get_course_module")  # added to map by cmid
    site = add_site(lab_moodle)
    map_to(db_app, app_session, site, course_competence, course=2)
    map_to(db_app, app_session, site, scorm_competence, cmid=2)

    report = sync(site)

    assert report.errors == []
    assert register(app_session) == {
        # learner1: the flag and the grade agree (graded 1795445290)
        # the course's score is its course total: 85 + 80 of 200
        ("EMP1001", "LAB-COURSE", at(1795445290), Decimal("82.50")),
        ("EMP1001", "LAB-SCORM", at(1795445290), Decimal("85.00")),
        # learner3: course completion time derived from its criterion; the SCORM's from Moodle's flag
        ("EMP1003", "LAB-COURSE", at(1795445876), Decimal("85.00")),
        ("EMP1003", "LAB-SCORM", at(1795445876), Decimal("85.00")),
    }
    assert report.records_added == 4
    run = app_session.scalars(select(MoodleSyncRun)).one()
    assert (run.status, run.records_added, run.calls) == ("ok", 4, report.calls)


T0 = 1790000000  # 2026-09-21: weeks before the sync, so no learner counts as "just active"


def scorm_site(fake: FakeMoodle):
    """A course with a SCORM 1.2 and a SCORM 2004 activity and course completion, and five learners."""
    data = fake.data
    course = data.add_course("KOHT")
    scorm12 = data.add_scorm(course.id, "Kohtaaminen 1.2")
    scorm2004 = data.add_scorm(course.id, "Kohtaaminen 2004", version="SCORM_13")
    learners = {
        "passed_no_flag": data.add_user("p12", idnumber="E1"),
        "flagged": data.add_user("f12", idnumber="E2"),
        "failed": data.add_user("x12", idnumber="E3"),
        "by_email": data.add_user("mail", email="Liisa.Laine@Example.invalid"),
        "never": data.add_user("never", idnumber="E5"),
    }
    for user in learners.values():
        data.enrol(course.id, user.id)
    teacher = data.add_user("teacher", idnumber="T1")
    data.enrol(course.id, teacher.id, "editingteacher")
    # Moodle 4.3.0: "incomplete" first, then "passed" with its score; the completion flag stays unset.
    data.record_scorm_attempt(
        scorm12.id, learners["passed_no_flag"].id, time=T0, status="incomplete", grade=False
    )
    data.record_scorm_attempt(
        scorm12.id,
        learners["passed_no_flag"].id,
        time=T0 + 600,
        status="passed",
        score=92,
        attempt=1,
        complete=False,
    )
    data.record_scorm_attempt(scorm12.id, learners["flagged"].id, time=T0 + 100, status="completed", score=80)
    data.record_scorm_attempt(scorm12.id, learners["failed"].id, time=T0 + 200, status="failed", score=40)
    # SCORM 2004: success_status decides; completion_status "completed" with "failed" is not a pass.
    data.record_scorm_attempt(
        scorm2004.id,
        learners["by_email"].id,
        time=T0 + 300,
        status="completed",
        score=75,
        elements={"cmi.success_status": "passed", "cmi.score.scaled": "0.75"},
        complete=False,
    )
    data.record_scorm_attempt(
        scorm2004.id,
        learners["failed"].id,
        time=T0 + 400,
        status="completed",
        score=30,
        elements={"cmi.success_status": "failed"},
        complete=False,
    )
    return course, scorm12, scorm2004, learners


def test_scorm_results_are_read_from_the_stored_tracks_where_the_flag_misses_them(
    db_app, app_session, fake_moodle, add_site, sync, make_staff, make_competence
):
    _course, scorm12, scorm2004, _learners = scorm_site(fake_moodle)
    for number in ("E1", "E2", "E3", "E5"):
        make_staff(employee_number=number)
    make_staff(employee_number="E4", email="liisa.laine@example.invalid")
    c12, c2004 = make_competence(code="S12"), make_competence(code="S2004")
    site = add_site(fake_moodle)
    map_to(db_app, app_session, site, c12, cmid=scorm12.cmid)
    map_to(db_app, app_session, site, c2004, cmid=scorm2004.cmid)

    report = sync(site)

    assert report.errors == []
    assert register(app_session) == {
        ("E1", "S12", at(T0 + 600), Decimal("92.00")),  # 1.2 passed, flag unset: from the tracks
        ("E2", "S12", at(T0 + 100), Decimal("80.00")),  # the flag, current with the grade
        ("E4", "S2004", at(T0 + 300), Decimal("75.00")),  # 2004 passed, matched by e-mail
    }
    # Tracks were read for the two graded learners whose flag is unset in each SCORM, and no one else.
    tracks = [dict(r.params) for r in fake_moodle.requests if r.function == "mod_scorm_get_scorm_sco_tracks"]
    assert sorted((int(t["userid"]), int(t["scoid"])) for t in tracks) == sorted(
        [
            (_learners["passed_no_flag"].id, fake_moodle.data.sco_ids(scorm12.id)[0]),
            (_learners["failed"].id, fake_moodle.data.sco_ids(scorm12.id)[0]),
            (_learners["by_email"].id, fake_moodle.data.sco_ids(scorm2004.id)[0]),
            (_learners["failed"].id, fake_moodle.data.sco_ids(scorm2004.id)[0]),
        ]
    )
    # "never" opened the course: no call about them at all.
    assert str(_learners["never"].id) not in {
        dict(r.params).get("userid") for r in fake_moodle.requests if r.function
    }


def test_a_re_run_on_unchanged_data_records_nothing_and_reads_only_the_course_lists(
    db_app, app_session, fake_moodle, add_site, sync, make_staff, make_competence
):
    _course, scorm12, _scorm2004, learners = scorm_site(fake_moodle)
    for number in ("E1", "E2", "E3"):
        make_staff(employee_number=number)
    site = add_site(fake_moodle)
    map_to(db_app, app_session, site, make_competence(code="S12"), cmid=scorm12.cmid)
    first = sync(site)
    before = register(app_session)
    fake_moodle.clear_requests()

    again = sync(site)

    assert (first.records_added, again.records_added) == (2, 0)
    assert register(app_session) == before
    assert sorted(r.function for r in fake_moodle.requests) == [
        "core_enrol_get_enrolled_users",
        "core_webservice_get_site_info",
        "gradereport_user_get_grade_items",
        "mod_scorm_get_scorm_scoes",
        "mod_scorm_get_scorms_by_courses",
    ]
    assert again.users_checked == 0

    # A new attempt changes the learner's grade: only that learner is read again, and recorded once more.
    fake_moodle.data.record_scorm_attempt(
        scorm12.id, learners["failed"].id, time=T0 + 9000, status="passed", score=88
    )
    fake_moodle.clear_requests()
    third = sync(site)
    assert (third.users_checked, third.records_added) == (1, 1)
    assert ("E3", "S12", at(T0 + 9000), Decimal("88.00")) in register(app_session)


def test_unmatched_learners_are_listed_for_admins_and_teachers_are_not(
    db_app, app_session, fake_moodle, add_site, sync, make_staff, make_competence
):
    data = fake_moodle.data
    course = data.add_course("C")
    data.add_scorm(course.id, "S")
    for user in (
        data.add_user("nobody", email="", idnumber=""),
        data.add_user("unknown", idnumber="E999"),
        data.add_user("twice", email="shared@example.invalid"),
        data.add_user("known", idnumber="E1"),
    ):
        data.enrol(course.id, user.id)
    data.enrol(course.id, data.add_user("teacher").id, "editingteacher")
    make_staff(employee_number="E1")
    make_staff(email="shared@example.invalid")
    make_staff(email="SHARED@example.invalid")
    site = add_site(fake_moodle)
    map_to(db_app, app_session, site, make_competence(), course=course.id)

    report = sync(site)

    listed = {(u.username, u.reason, tuple(u.course_ids)) for u in unmatched_users(app_session, site.id)}
    assert listed == {
        ("nobody", "no_identifier", (course.id,)),
        ("unknown", "not_found", (course.id,)),
        ("twice", "ambiguous", (course.id,)),
    }
    assert report.unmatched == 3
    run = app_session.scalars(select(MoodleSyncRun)).one()
    assert run.unmatched_users == 3


def test_course_completion_time_is_derived_and_a_course_without_criteria_is_reported(
    db_app, app_session, fake_moodle, add_site, sync, make_staff, make_competence
):
    data = fake_moodle.data
    course = data.add_course("WITH")
    scorm = data.add_scorm(course.id, "S", completion_criterion=True)
    empty = data.add_course("EMPTY")  # completion on, no criteria: Moodle throws nocriteriaset
    user = data.add_user("u", idnumber="E1")
    data.enrol(course.id, user.id)
    data.enrol(empty.id, user.id, lastcourseaccess=T0)
    data.record_scorm_attempt(scorm.id, user.id, time=T0 + 50, status="passed", score=90)
    make_staff(employee_number="E1")
    site = add_site(fake_moodle)
    competence = make_competence(code="K")
    map_to(db_app, app_session, site, competence, course=course.id)
    map_to(db_app, app_session, site, make_competence(code="EMPTY"), course=empty.id)

    report = sync(site)

    assert register(app_session) == {("E1", "K", at(T0 + 50), Decimal("90.00"))}
    assert len(report.errors) == 1
    assert f"Moodle-kurssi {empty.id}" in report.errors[0]
    assert "ei ole suoritusehtoja" in report.errors[0]
    run = app_session.scalars(select(MoodleSyncRun)).one()
    assert run.status == "ok"
    assert run.errors == report.errors


def test_a_course_completion_marked_later_by_moodle_s_cron_is_found_by_the_next_sync(
    db_app, app_session, fake_moodle, add_site, sync, make_staff, make_competence
):
    import time

    data = fake_moodle.data
    course = data.add_course("CRON")
    scorm = data.add_scorm(course.id, "S", completion_criterion=True)
    recent, old = data.add_user("recent", idnumber="E1"), data.add_user("old", idnumber="E2")
    now = int(time.time())
    for user, moment in ((recent, now - 3600), (old, T0)):
        data.enrol(course.id, user.id)
        # Passed, but Moodle's cron has not yet marked the activity (and so the course) complete.
        data.record_scorm_attempt(scorm.id, user.id, time=moment, status="passed", score=95, complete=False)
    make_staff(employee_number="E1")
    make_staff(employee_number="E2")
    site = add_site(fake_moodle)
    map_to(db_app, app_session, site, make_competence(code="CRON"), course=course.id)
    assert sync(site).records_added == 0

    # Cron runs: both are complete now, with nothing else changed in what the sync compares.
    data.set_completion(scorm.cmid, recent.id, now - 3000)
    data.set_completion(scorm.cmid, old.id, T0 + 60)
    fake_moodle.clear_requests()
    second = sync(site)

    # The learner active within the last day is read again and found; the one active weeks ago is not
    # read again (their course would have been marked long ago).
    assert second.records_added == 1
    assert {row[0] for row in register(app_session)} == {"E1"}
    assert fake_moodle.calls("core_completion_get_course_completion_status") == 1
