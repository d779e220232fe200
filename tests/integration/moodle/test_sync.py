"""The sync against the fake Moodle: what it records, how few calls it makes, and what it leaves alone."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import select

from lms_bridge.moodle.models import MoodleSyncRun
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
