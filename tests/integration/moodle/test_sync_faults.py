"""The sync when Moodle misbehaves: timeouts, 500s, a bad token, a function taken out of the service, and
a sync stopped half-way that the next run resumes to the same register as one clean run."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from lms_bridge.moodle import lock
from lms_bridge.moodle.models import MoodleSyncRun
from lms_bridge.moodle.problems import SyncRunning
from lms_bridge.moodle.tokens import TokenUnreadable
from tests.fakes.moodle import FakeMoodle
from tests.integration.moodle.test_sync import T0, map_to, register


def many_learners(fake: FakeMoodle, count: int, make_staff, prefix: str = "E"):
    """One SCORM course, `count` learners who all passed, each a staff member."""
    data = fake.data
    course = data.add_course("BIG")
    scorm = data.add_scorm(course.id, "S")
    for n in range(count):
        user = data.add_user(f"u{n}", idnumber=f"{prefix}{n}")
        data.enrol(course.id, user.id)
        # Every other one needs the tracks (flag unset), so the run makes more than one call per learner.
        data.record_scorm_attempt(
            scorm.id, user.id, time=T0 + n, status="passed", score=50 + n % 50, complete=n % 2 == 0
        )
        if make_staff is not None:
            make_staff(employee_number=f"{prefix}{n}")
    return course, scorm


def last_run(session) -> MoodleSyncRun:
    return session.scalars(select(MoodleSyncRun).order_by(MoodleSyncRun.id.desc())).first()


def of(competence: str, rows) -> set:
    """The register rows of one competence, without the competence (two sites compared)."""
    return {(n, t, score) for n, c, t, score in rows if c == competence}


def refs(session, competence: str) -> set[str]:
    """The source_refs of a competence's records, site id and competence code left out."""
    from lms_bridge.register.models import Completion

    rows = session.scalars(
        select(Completion.source_ref).where(Completion.source_ref.endswith(f":{competence}"))
    )
    return {re.sub(r"^moodle:\d+:(.*):[^:]+$", r"\1", ref) for ref in rows}


def test_an_interrupted_sync_resumed_gives_the_register_of_one_clean_run(
    db_app, app_session, make_staff, make_competence, add_site, sync
):
    clean_competence, resumed_competence = make_competence(code="CLEAN"), make_competence(code="RESUMED")
    with FakeMoodle() as clean, FakeMoodle() as broken:
        _c, clean_scorm = many_learners(clean, 45, make_staff)
        _c, broken_scorm = many_learners(broken, 45, None)  # the same people on a second site
        clean_site = add_site(clean, name="clean")
        map_to(db_app, app_session, clean_site, clean_competence, cmid=clean_scorm.cmid)
        assert sync(clean_site, batch_size=10).errors == []
        broken_site = add_site(broken, name="broken")
        map_to(db_app, app_session, broken_site, resumed_competence, cmid=broken_scorm.cmid)
        db_app.config["MOODLE_RETRIES"] = 0
        # Half-way through the learners Moodle starts failing; the batches done so far are committed.
        broken.pass_next(40)
        broken.fail_next(500, status=503)
        stopped = sync(broken_site, batch_size=10)
        assert last_run(app_session).status == "failed"
        assert any("HTTP-tilalla 503" in e for e in stopped.errors)
        partial = of("RESUMED", register(app_session))
        assert 0 < len(partial) < 45

        with broken._lock:
            broken._faults.clear()  # Moodle is back
        resumed = sync(broken_site, batch_size=10)

    assert resumed.errors == []
    assert last_run(app_session).status == "ok"
    assert of("RESUMED", register(app_session)) == of("CLEAN", register(app_session))
    assert refs(app_session, "RESUMED") == refs(app_session, "CLEAN")
    assert len(refs(app_session, "CLEAN")) == 45
    # The resumed run read only the learners whose batch had not been committed.
    assert resumed.users_checked == 45 - len(partial)
    assert resumed.records_added == 45 - len(partial)


@pytest.mark.parametrize(
    ("fault", "message"),
    [
        (lambda fake: fake.delay_next(10, seconds=5), "Moodle ei vastannut ajoissa"),
        (lambda fake: fake.fail_next(10, status=500), "Moodle vastasi HTTP-tilalla 500"),
        (lambda fake: fake.tokens.clear(), "Moodle ei tunne tokenia (invalidtoken)"),
        (
            lambda fake: fake.missing_capabilities.add("moodle/grade:viewall"),
            "Tokenin käyttäjältä puuttuu oikeus, jota gradereport_user_get_grade_items vaatii",
        ),
    ],
    ids=["timeout", "http-500", "invalid-token", "missing-capability"],
)
def test_moodle_failures_end_the_run_with_a_finnish_message(
    db_app, app_session, fake_moodle, make_staff, make_competence, add_site, sync, fault, message
):
    _course, scorm = many_learners(fake_moodle, 3, make_staff)
    site = add_site(fake_moodle)
    map_to(db_app, app_session, site, make_competence(), cmid=scorm.cmid)
    db_app.config.update(MOODLE_RETRIES=1, MOODLE_READ_TIMEOUT_SECONDS=1)
    fault(fake_moodle)

    report = sync(site)

    run = last_run(app_session)
    assert run.status == "failed"
    assert any(message in e for e in run.errors), run.errors
    assert report.errors == run.errors
    assert fake_moodle.token not in " ".join(run.errors)
    app_session.refresh(site)
    assert site.lock_owner is None  # released for the next run


def test_a_function_taken_out_of_the_service_is_named_before_any_learner_is_read(
    db_app, app_session, fake_moodle, make_staff, make_competence, add_site, sync
):
    _course, scorm = many_learners(fake_moodle, 3, make_staff)
    site = add_site(fake_moodle)
    map_to(db_app, app_session, site, make_competence(), cmid=scorm.cmid)
    fake_moodle.remove_function("mod_scorm_get_scorm_sco_tracks")
    fake_moodle.clear_requests()

    report = sync(site)

    assert "mod_scorm_get_scorm_sco_tracks" in report.errors[0]
    assert "puuttuu funktiot" in report.errors[0]
    assert fake_moodle.calls() == 1  # site info only


def test_a_learner_without_idnumber_or_email_is_listed_not_a_crash(
    db_app, app_session, fake_moodle, make_staff, make_competence, add_site, sync
):
    _course, scorm = many_learners(fake_moodle, 2, make_staff)
    fake_moodle.data.update_user(fake_moodle.data.users_by["username"]["u1"][0], idnumber="", email="")

    site = add_site(fake_moodle)
    map_to(db_app, app_session, site, make_competence(code="S"), cmid=scorm.cmid)
    report = sync(site)

    assert report.errors == []
    assert report.unmatched == 1
    assert {row[0] for row in register(app_session)} == {"E0"}


def test_a_second_sync_of_a_site_is_refused_while_the_first_holds_the_lock(
    db_app, app_session, fake_moodle, make_staff, make_competence, add_site, sync
):
    _course, scorm = many_learners(fake_moodle, 2, make_staff)
    site = add_site(fake_moodle)
    map_to(db_app, app_session, site, make_competence(), cmid=scorm.cmid)
    lock.acquire(app_session, site, "other-host:123:abcd")
    app_session.commit()
    fake_moodle.clear_requests()

    with pytest.raises(SyncRunning, match="synkronointi on jo käynnissä"):
        sync(site)
    assert fake_moodle.calls() == 0
    assert last_run(app_session) is None

    # A lease nobody renewed (a crashed sync) is taken over.
    site.lock_heartbeat_at = site.lock_heartbeat_at - lock.LEASE * 2
    app_session.commit()
    assert sync(site).errors == []


def test_a_site_whose_token_no_longer_decrypts_says_to_store_it_again(
    db_app, app_session, fake_moodle, add_site, sync
):
    site = add_site(fake_moodle)
    db_app.config["SECRET_KEY"] = "rotated"

    with pytest.raises(TokenUnreadable, match="SECRET_KEY on vaihtunut"):
        sync(site)
