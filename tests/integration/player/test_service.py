"""Attempts, commits and the rollup into the register, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from lms_bridge import signals
from lms_bridge.catalog.models import Course
from lms_bridge.errors import Forbidden, NotFound
from lms_bridge.packages.service import current_version_id
from lms_bridge.player import attempts, commits, listing
from lms_bridge.player.errors import NotPlayable, PlayerError
from lms_bridge.player.models import Attempt
from lms_bridge.player.schemas import CommitRequest
from lms_bridge.register.models import Completion
from scorm.cmi import DataModel
from tests.factories.packages import sco_row

NOW = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
M12 = DataModel.for_version("1.2", strict=False)
M2004 = DataModel.for_version("2004", strict=False)


def course_of(session: Session, version) -> Course:
    return session.get_one(Course, version.course_id)


def launch(session: Session, staff, course, **kwargs) -> Attempt:
    return attempts.resolve_attempt(
        session, staff_id=staff.id, course=course, launched_via="dev", now=NOW, **kwargs
    ).attempt


def send(session, attempt, seq, changes, *, item=None, finish=False, now=NOW) -> commits.CommitOutcome:
    request = CommitRequest(seq, tuple((e, v) for e, v in changes), finish)
    outcome = commits.commit(
        session, attempt_id=attempt.id, staff_id=attempt.staff_id, item_id=item, commits=[request], now=now
    )
    # The test's assertions on `attempt` then read what the database stored, not the session's objects.
    session.flush()
    session.expire_all()
    return outcome


def completions(session, attempt) -> list[Completion]:
    return list(
        session.scalars(select(Completion).where(Completion.source_ref.startswith(f"attempt:{attempt.id}:")))
    )


def test_first_launch_starts_attempt_one_with_the_current_version(session, make_version, make_staff):
    version = make_version()
    staff = make_staff()
    attempt = launch(session, staff, course_of(session, version))
    assert (attempt.number, attempt.package_version_id, attempt.launched_via) == (1, version.id, "dev")
    assert attempt.completion_status == "not attempted"
    assert launch(session, staff, course_of(session, version)).id == attempt.id  # the next launch resumes it


def test_open_item_gives_the_sco_its_learner_and_mastery(session, make_version, make_staff):
    version = make_version(structure=[sco_row("sco1", href="index.html", mastery=80)])
    staff = make_staff(employee_number="E777", first_name="Aino", last_name="Mäkelä")
    opened = attempts.open_item(session, launch(session, staff, course_of(session, version)), None, now=NOW)
    assert opened.elements["cmi.core.student_id"] == "E777"
    assert opened.elements["cmi.core.student_name"] == "Mäkelä, Aino"
    assert opened.elements["cmi.core.entry"] == "ab-initio"
    assert opened.elements["cmi.student_data.mastery_score"] == "80"
    assert opened.review is False


def test_course_passing_score_reaches_a_2004_sco_as_scaled_passing_score(session, make_version, make_staff):
    version = make_version(standard="scorm2004", passing_score=75)
    opened = attempts.open_item(
        session, launch(session, make_staff(), course_of(session, version)), None, now=NOW
    )
    assert opened.elements["cmi.scaled_passing_score"] == "0.75"
    assert opened.elements["cmi.learner_id"]


def test_commit_is_idempotent_on_its_number_and_stale_numbers_change_nothing(
    session, make_version, make_staff
):
    attempt = launch(session, make_staff(), make_version().course)
    first = send(session, attempt, 100, [("cmi.core.lesson_location", "p1")])
    assert first.applied == (True,)
    again = send(session, attempt, 100, [("cmi.core.lesson_location", "other")])
    older = send(session, attempt, 50, [("cmi.core.lesson_location", "older")])
    assert again.applied == older.applied == (False,)
    (item,) = listing.item_progress(session, attempt.id).keys()
    opened = attempts.open_item(session, attempt, item, now=NOW)
    assert opened.elements["cmi.core.lesson_location"] == "p1"
    assert opened.seq == 100
    assert attempt.last_commit_seq == 100


def test_several_commits_in_one_request_apply_in_order_and_skip_the_applied(
    session, make_version, make_staff
):
    attempt = launch(session, make_staff(), make_version().course)
    send(session, attempt, 10, [("cmi.core.lesson_location", "a")])
    requests = [
        CommitRequest(10, (("cmi.core.lesson_location", "again"),), False),
        # (incomplete: a finish with no status would complete the attempt, which then takes no commits)
        CommitRequest(
            20,
            (
                ("cmi.core.lesson_location", "b"),
                ("cmi.core.lesson_status", "incomplete"),
                ("cmi.core.exit", "suspend"),
            ),
            True,
        ),
        CommitRequest(30, (("cmi.core.lesson_location", "c"),), False),
    ]
    outcome = commits.commit(
        session, attempt_id=attempt.id, staff_id=attempt.staff_id, item_id=None, commits=requests, now=NOW
    )
    assert outcome.applied == (False, True, True)
    opened = attempts.open_item(session, attempt, None, now=NOW)  # the session opened by 30 is finished now
    assert opened.elements["cmi.core.lesson_location"] == "c"
    assert opened.seq == 30


@pytest.mark.parametrize(
    ("standard", "good", "bad"),
    [
        (
            "scorm12",
            [("cmi.core.lesson_status", "incomplete"), ("cmi.core.score.raw", "55")],
            [
                ("cmi.core.lesson_status", "done"),  # not in the vocabulary
                ("cmi.core.score.raw", "lots"),  # not a number
                ("cmi.core.student_id", "X"),  # read-only
                ("cmi.core.nonsense", "1"),  # not an element
                ("cmi.core.session_time", "1 hour"),  # not a time span
            ],
        ),
        (
            "scorm2004",
            [("cmi.completion_status", "incomplete"), ("cmi.score.scaled", "0.55")],
            [
                ("cmi.completion_status", "done"),
                ("cmi.score.scaled", "2"),  # out of -1..1
                ("cmi.learner_id", "X"),  # read-only
                ("cmi.exit", "gone"),  # not in the vocabulary
                ("cmi.session_time", "1 hour"),
            ],
        ),
    ],
)
def test_invalid_values_are_refused_per_element_and_the_rest_applies(
    session, make_version, make_staff, standard, good, bad
):
    attempt = launch(session, make_staff(), make_version(standard=standard).course)
    outcome = send(session, attempt, 5, [bad[0], good[0], *bad[1:], good[1]])
    assert outcome.applied == (True,)
    assert [r.element for r in outcome.rejected] == [element for element, _ in bad]
    assert all(r.code > 0 and r.message for r in outcome.rejected)
    opened = attempts.open_item(session, attempt, None, now=NOW)
    for element, value in good:
        assert opened.elements[element] == value


def test_someone_elses_or_a_missing_attempt_is_refused(session, make_version, make_staff):
    attempt = launch(session, make_staff(), make_version().course)
    with pytest.raises(Forbidden):
        commits.commit(
            session,
            attempt_id=attempt.id,
            staff_id=make_staff().id,
            item_id=None,
            commits=[CommitRequest(1, (), False)],
            now=NOW,
        )
    with pytest.raises(NotFound):
        attempts.require_attempt(session, attempt.id + 1000, staff_id=attempt.staff_id)
    with pytest.raises(PlayerError):
        send(session, attempt, 1, [], item="no-such-item")


def test_completion_goes_into_the_register_once_per_competence(
    session, make_version, make_staff, make_competence
):
    first, second = make_competence(), make_competence()
    version = make_version(competences=[first, second])
    attempt = launch(session, make_staff(), course_of(session, version))
    called: list[tuple[int, bool]] = []

    def receiver(sender, *, session):
        called.append((sender.id, session is not None))

    with signals.attempt_completed.connected_to(receiver):
        outcome = send(
            session, attempt, 1, [("cmi.core.lesson_status", "passed"), ("cmi.core.score.raw", "92.5")]
        )
        assert outcome.newly_completed
        again = send(session, attempt, 2, [("cmi.core.lesson_location", "end")], finish=True)
        assert not again.newly_completed
    recorded = completions(session, attempt)
    assert sorted(c.competence_id for c in recorded) == sorted([first.id, second.id])
    assert {c.source for c in recorded} == {"player"}
    assert {c.source_ref for c in recorded} == {
        f"attempt:{attempt.id}:{first.code}",
        f"attempt:{attempt.id}:{second.code}",
    }
    assert {c.score for c in recorded} == {Decimal("92.50")}
    assert {c.course_id for c in recorded} == {version.course_id}
    assert called == [(attempt.id, True)]
    assert attempt.completed_at == NOW


def test_a_completed_attempt_is_read_only(session, make_version, make_staff, make_competence):
    """A later commit (a second tab, a SCO saving after it passed, a crafted request) changes nothing:
    the register and the attempt keep the result recorded at completion."""
    version = make_version(competences=[make_competence()])
    attempt = launch(session, make_staff(), course_of(session, version))
    send(session, attempt, 1, [("cmi.core.lesson_status", "passed"), ("cmi.core.score.raw", "95")])
    (item,) = listing.item_progress(session, attempt.id).keys()
    before = attempts.open_item(session, attempt, item, now=NOW).elements

    later = send(
        session, attempt, 2, [("cmi.core.lesson_status", "failed"), ("cmi.core.score.raw", "3")], finish=True
    )
    assert later.applied == (False,)
    assert later.refused == commits.ATTEMPT_COMPLETED
    assert later.as_json()["code"] == "attempt_completed"
    assert later.as_json()["applied"] is False
    assert (attempt.score, attempt.success_status) == (Decimal("95.00"), "passed")
    assert attempts.open_item(session, attempt, item, now=NOW).elements == {
        **before,
        "cmi.core.lesson_mode": "review",
        "cmi.core.credit": "no-credit",
    }
    assert {c.score for c in completions(session, attempt)} == {Decimal("95.00")}


def test_commits_after_the_completing_one_in_the_same_request_are_not_applied(
    session, make_version, make_staff
):
    attempt = launch(session, make_staff(), make_version().course)
    requests = [
        CommitRequest(10, (("cmi.core.lesson_status", "passed"), ("cmi.core.score.raw", "95")), False),
        CommitRequest(20, (("cmi.core.lesson_status", "failed"), ("cmi.core.score.raw", "3")), True),
    ]
    outcome = commits.commit(
        session, attempt_id=attempt.id, staff_id=attempt.staff_id, item_id=None, commits=requests, now=NOW
    )
    assert outcome.applied == (True, False)
    assert outcome.newly_completed
    assert outcome.refused == commits.ATTEMPT_COMPLETED
    session.flush()
    session.expire_all()
    assert (attempt.score, attempt.success_status) == (Decimal("95.00"), "passed")
    assert attempt.last_commit_seq == 10


def test_mastery_score_decides_passed_or_failed_at_finish(session, make_version, make_staff):
    version = make_version(structure=[sco_row("sco1", href="index.html", mastery=80)])
    attempt = launch(session, make_staff(), course_of(session, version))
    # the SCO says passed, but LMSFinish judges the raw score against the mastery score (RTE 3.4.2.2.3)
    send(session, attempt, 1, [("cmi.core.lesson_status", "passed"), ("cmi.core.score.raw", "60")])
    assert attempt.success_status == "failed"
    assert attempt.completed_at is None
    send(
        session, attempt, 2, [("cmi.core.lesson_status", "passed"), ("cmi.core.score.raw", "85")], finish=True
    )
    assert attempt.success_status == "passed"
    assert attempt.completed_at is not None


def test_course_passing_score_applies_where_the_package_sets_none(session, make_version, make_staff):
    version = make_version(standard="scorm2004", passing_score=80)
    attempt = launch(session, make_staff(), course_of(session, version))
    send(session, attempt, 1, [("cmi.completion_status", "completed"), ("cmi.score.scaled", "0.7")])
    assert (attempt.completion_status, attempt.success_status, attempt.completed_at) == (
        "completed",
        "failed",
        None,
    )
    send(session, attempt, 2, [("cmi.score.scaled", "0.9")])
    assert attempt.success_status == "passed"
    assert attempt.completed_at is not None
    assert attempt.score == Decimal("90.00")


def test_without_any_passing_rule_completed_is_enough(session, make_version, make_staff):
    attempt = launch(session, make_staff(), make_version(standard="scorm2004").course)
    send(session, attempt, 1, [("cmi.completion_status", "completed")])
    assert attempt.completed_at is None  # still running without a score: it may send one next
    send(session, attempt, 2, [], finish=True)
    assert attempt.completed_at is not None
    assert attempt.score is None


def test_a_status_committed_before_its_score_completes_with_the_score(session, make_version, make_staff):
    """Our modules commit the final status first, then the score (Moodle 4.3 counts them so, issue 11):
    the completion waits for the score instead of being recorded without one."""
    version = make_version(structure=[sco_row("sco1", href="index.html", mastery=80)])
    attempt = launch(session, make_staff(), course_of(session, version))
    first = send(session, attempt, 1, [("cmi.core.lesson_status", "passed")])
    assert not first.newly_completed
    second = send(session, attempt, 2, [("cmi.core.score.raw", "100"), ("cmi.core.lesson_status", "passed")])
    assert second.newly_completed
    assert attempt.score == Decimal("100.00")
    assert [c.score for c in completions(session, attempt)] == [Decimal("100.00")]


def test_multi_sco_completes_when_every_sco_is_done_and_scores_average(session, make_version, make_staff):
    structure = [
        {"item": "intro", "title": "Intro", "href": None, "sco": False, "depth": 0, "mastery_score": None},
        sco_row("a"),
        sco_row("b"),
        sco_row("glossary", sco=False),
    ]
    attempt = launch(session, make_staff(), make_version(standard="scorm2004", structure=structure).course)
    attempts.open_item(session, attempt, "glossary", now=NOW)
    send(session, attempt, 1, [("cmi.completion_status", "completed"), ("cmi.score.scaled", "0.5")], item="a")
    assert (attempt.completion_status, attempt.completed_at) == ("incomplete", None)
    assert attempt.score == Decimal("50.00")
    send(session, attempt, 2, [("cmi.completion_status", "completed"), ("cmi.score.scaled", "1")], item="b")
    assert attempt.completion_status == "completed"
    assert attempt.score == Decimal("75.00")
    assert attempt.completed_at is not None
    assert listing.item_progress(session, attempt.id) == {
        "a": "completed",
        "b": "completed",
        "glossary": "visited",
    }
    with pytest.raises(PlayerError):
        send(session, attempt, 3, [("cmi.location", "x")], item="glossary")  # an asset has no run-time data


def test_asset_only_package_is_never_completed(session, make_version, make_staff):
    structure = [sco_row("p1", sco=False), sco_row("p2", sco=False)]
    attempt = launch(session, make_staff(), make_version(structure=structure).course)
    for item in ("p1", "p2"):
        opened = attempts.open_item(session, attempt, item, now=NOW)
        assert opened.elements == {}
    session.flush()
    assert listing.item_progress(session, attempt.id) == {"p1": "visited", "p2": "visited"}
    assert attempt.completed_at is None


def test_unfinished_session_is_finished_at_the_next_launch_and_resumes(session, make_version, make_staff):
    attempt = launch(session, make_staff(), make_version().course)
    send(
        session,
        attempt,
        1,
        [
            ("cmi.core.lesson_location", "p4"),
            ("cmi.core.exit", "suspend"),
            ("cmi.core.session_time", "00:02:00"),
        ],
    )
    opened = attempts.open_item(session, attempt, None, now=NOW)  # the browser never called LMSFinish
    assert opened.elements["cmi.core.entry"] == "resume"
    assert opened.elements["cmi.core.lesson_location"] == "p4"
    assert opened.elements["cmi.core.total_time"] == "00:02:00"
    assert "cmi.core.exit" not in opened.elements


def test_completed_attempt_is_reviewed_unless_the_course_starts_a_new_one(session, make_version, make_staff):
    version = make_version(standard="scorm2004")
    staff = make_staff()
    attempt = launch(session, staff, course_of(session, version))
    send(session, attempt, 1, [("cmi.completion_status", "completed")], finish=True)
    assert launch(session, staff, course_of(session, version)).id == attempt.id
    opened = attempts.open_item(session, attempt, None, now=NOW)
    assert opened.review
    assert (opened.elements["cmi.mode"], opened.elements["cmi.credit"]) == ("review", "no-credit")

    newer = make_version(course=course_of(session, version), standard="scorm2004")
    course_of(session, version).new_attempt_after_completion = True
    second = launch(session, staff, course_of(session, version))
    assert (second.number, second.package_version_id) == (2, newer.id)
    assert attempt.package_version_id == version.id


def test_attempt_in_progress_keeps_its_version_after_a_reimport(session, make_version, make_staff):
    version = make_version()
    staff = make_staff()
    attempt = launch(session, staff, course_of(session, version))
    make_version(course=course_of(session, version))  # the admin imports a new version; it becomes current
    assert launch(session, staff, course_of(session, version)).package_version_id == version.id
    assert attempt.package_version_id == version.id


def test_course_without_a_package_cannot_be_launched(session, make_course, make_staff):
    with pytest.raises(NotPlayable):
        launch(session, make_staff(), make_course())


def test_playable_courses_show_the_latest_attempt(session, make_version, make_staff, make_course):
    staff = make_staff()
    version = make_version()
    make_course()  # no package: not listed
    attempt = launch(session, staff, course_of(session, version))
    cards = {card.course.id: card for card in listing.playable_courses(session, staff_id=staff.id)}
    assert cards[version.course_id].attempt.id == attempt.id
    assert all(current_version_id(session, card.course.id) is not None for card in cards.values())


def test_competences_added_later_record_the_courses_earlier_completions(
    db_app, session, make_version, make_staff, make_competence
):
    """db_app: the player's init_app connects it to the catalogue's course_competences_changed signal."""
    version = make_version(competences=[])  # the admin had chosen none
    course = course_of(session, version)
    attempt = launch(session, make_staff(), course)
    outcome = send(session, attempt, 1, [("cmi.core.lesson_status", "completed")], finish=True)
    assert outcome.newly_completed
    assert completions(session, attempt) == []  # nothing to record yet
    late = make_competence()
    from lms_bridge.catalog.service import set_course_rules

    set_course_rules(session, course=course, competence_codes=[late.code], passing_score=None, actor="admin")
    session.expire_all()
    recorded = completions(session, attempt)
    assert [(c.competence_id, c.source_ref) for c in recorded] == [
        (late.id, f"attempt:{attempt.id}:{late.code}")
    ]
    set_course_rules(session, course=course, competence_codes=[late.code], passing_score=None, actor="admin")
    assert len(completions(session, attempt)) == 1  # idempotent
