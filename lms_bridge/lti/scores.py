"""Grades back to the platform (LTI Assignment and Grade Services): the outbox and its sender.

A completed attempt queues one score per line item it was launched from (lti_grade_target), in the
transaction that completed it; a later attempt queues again only when its score beats the best already
queued or sent for that line item and user. Each score is posted with `gradingProgress: FullyGraded`
(Moodle keeps no grade otherwise) and a timestamp strictly newer, in whole seconds, than the last one
for the same line item and user (Moodle answers 409 to an older or equal one). Failures stay in the
outbox and are retried with backoff; a 401/403 (services not switched on for the tool) is noted on the
platform for admins; a 400/404 (the user cannot be graded, the line item is gone) is not retried.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import requests
from flask import Flask
from flask_babel import gettext as _
from pylti1p3.assignments_grades import AssignmentsGradesService
from pylti1p3.exception import LtiServiceException
from pylti1p3.grade import Grade
from pylti1p3.service_connector import ServiceConnector
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from lms_bridge.lti import keys
from lms_bridge.lti.models import LtiGradeTarget, LtiPlatform, LtiScore, LtiUser, ToolKey
from lms_bridge.lti.toolconf import HTTP_TIMEOUT, ToolRegistration
from lms_bridge.player.models import Attempt

logger = logging.getLogger(__name__)

SCORE_SCOPE = "https://purl.imsglobal.org/spec/lti-ags/scope/score"
MAX_BACKOFF = dt.timedelta(hours=6)
OPEN = ("pending", "failing")


# ------------------------------------------------------------------------------------ the connector

_tokens: dict[tuple[str, str, str], tuple[str, float]] = {}
_tokens_lock = threading.Lock()


class ToolServiceConnector(ServiceConnector):
    """pylti1p3's connector with access tokens kept for their lifetime across calls (and a timeout)."""

    def __init__(self, registration: ToolRegistration, http: requests.Session) -> None:
        super().__init__(registration, http)
        self._token_key = (registration.get_issuer() or "", registration.get_client_id() or "")

    def get_access_token(self, scopes: Any) -> str:
        key = (*self._token_key, " ".join(sorted(scopes)))
        with _tokens_lock:
            cached = _tokens.get(key)
        if cached and cached[1] > time.monotonic():
            return cached[0]
        token = str(super().get_access_token(scopes))
        with _tokens_lock:
            _tokens[key] = (token, time.monotonic() + 3000)  # Moodle's live 3600 s
        return token


def forget_tokens() -> None:
    with _tokens_lock:
        _tokens.clear()


class _TimeoutSession(requests.Session):
    def request(self, *args: Any, **kwargs: Any) -> requests.Response:
        kwargs.setdefault("timeout", HTTP_TIMEOUT)
        return super().request(*args, **kwargs)


def http_session() -> requests.Session:
    session = _TimeoutSession()
    session.headers["User-Agent"] = "lms-bridge LTI tool"
    return session


def connector(
    session: Session, platform: LtiPlatform, *, now: dt.datetime, http: requests.Session, secret_key: str
) -> ToolServiceConnector:
    registration = ToolRegistration.signed_now(session, platform, now=now, secret_key=secret_key)
    return ToolServiceConnector(registration, http)


def explain_refusal(platform: LtiPlatform, status: int, url: str) -> str:
    """What an admin must switch on in Moodle when a service call is refused."""
    if url.startswith(platform.auth_token_url):
        return str(
            _(
                "Moodle kieltäytyi antamasta pääsytunnusta (HTTP %(status)s). Tarkista Moodlen "
                "työkaluasetuksista (Site administration → Plugins → Activity modules → External tool → "
                "Manage tools → työkalu): "
                "Client ID on oikea, Public key type on Keyset URL ja osoite on työkalun /lti/jwks.json, ja "
                "palvelut IMS LTI Assignment and Grade Services sekä IMS LTI Names and Role Provisioning on "
                "otettu käyttöön.",
                status=status,
            )
        )
    return str(
        _(
            "Moodle kieltäytyi palvelukutsusta (HTTP %(status)s, %(url)s). Ota työkalun asetuksissa käyttöön "
            'IMS LTI Assignment and Grade Services ("Use this service for grade sync and column management") '
            "ja IMS LTI Names and Role Provisioning (\"Use this service to retrieve members' information "
            'as per privacy settings"), ja aseta tietosuoja-asetus Accept grades from the tool: Always.',
            status=status,
            url=url.split("?", 1)[0],
        )
    )


def note_service_problem(platform: LtiPlatform, message: str | None, *, now: dt.datetime) -> None:
    platform.service_problem = message
    platform.service_problem_at = now if message else None


# ------------------------------------------------------------------------------------ queueing


def _whole_second(moment: dt.datetime) -> dt.datetime:
    return moment.replace(microsecond=0)


def queue_score(
    session: Session,
    *,
    user: LtiUser,
    lineitem_url: str,
    score: Decimal,
    attempt_id: int | None,
    now: dt.datetime,
) -> LtiScore | None:
    """Queue a score for the line item unless one as good is already queued or sent; older queued ones
    are superseded by it."""
    best, last = session.execute(
        select(func.max(LtiScore.score_given), func.max(LtiScore.timestamp)).where(
            LtiScore.lti_user_id == user.id,
            LtiScore.lineitem_url == lineitem_url,
            LtiScore.status.in_(("pending", "failing", "sent")),
        )
    ).one()
    if best is not None and Decimal(best) >= score:
        return None
    session.execute(
        update(LtiScore)
        .where(
            LtiScore.lti_user_id == user.id,
            LtiScore.lineitem_url == lineitem_url,
            LtiScore.status.in_(OPEN),
        )
        .values(status="superseded")
    )
    timestamp = _whole_second(now)
    if last is not None and timestamp <= last:
        timestamp = last + dt.timedelta(seconds=1)
    row = LtiScore(
        platform_id=user.platform_id,
        lti_user_id=user.id,
        attempt_id=attempt_id,
        lineitem_url=lineitem_url,
        score_given=score,
        score_maximum=100,
        timestamp=timestamp,
        status="pending",
        tries=0,
        next_try_at=now,
        created_at=now,
    )
    session.add(row)
    session.flush()
    logger.info("LTI score %s queued (attempt %s, user %s)", row.id, attempt_id, user.id)
    return row


def attempt_score(attempt: Attempt) -> Decimal:
    """The score a completed attempt sends: its rolled-up score, or full marks when the package reports
    none (completing it is what counts)."""
    return Decimal(attempt.score) if attempt.score is not None else Decimal(100)


def queue_attempt(session: Session, attempt: Attempt, *, now: dt.datetime) -> list[LtiScore]:
    """Queue the completed attempt's score for every line item it was launched from."""
    if attempt.completed_at is None:
        return []
    queued = []
    targets = session.scalars(select(LtiGradeTarget).where(LtiGradeTarget.attempt_id == attempt.id))
    for target in targets:
        user = session.get_one(LtiUser, target.lti_user_id)
        row = queue_score(
            session,
            user=user,
            lineitem_url=target.lineitem_url,
            score=attempt_score(attempt),
            attempt_id=attempt.id,
            now=now,
        )
        if row is not None:
            queued.append(row)
    return queued


# ------------------------------------------------------------------------------------ sending


@dataclass
class SendSummary:
    sent: int = 0
    failed: int = 0
    rejected: int = 0


def _backoff(tries: int) -> dt.timedelta:
    return min(dt.timedelta(minutes=2 ** max(tries - 1, 0)), MAX_BACKOFF)


@dataclass
class _Outgoing:
    """One score to post, read from the database before any network call (no lock held meanwhile)."""

    row: LtiScore
    platform: LtiPlatform
    registration: ToolRegistration
    grade: Grade


@dataclass
class _Answer:
    status: int | None  # None: the platform could not be reached
    url: str = ""
    text: str = ""


def _prepare(session: Session, row: LtiScore, *, now: dt.datetime, signing: tuple[ToolKey, str]) -> _Outgoing:
    platform = session.get_one(LtiPlatform, row.platform_id)
    user = session.get_one(LtiUser, row.lti_user_id)
    if row.last_error and row.last_error.startswith("HTTP 409"):
        # The platform held a newer or equal timestamp (a clock step, a grade set there): a newer one.
        row.timestamp = max(_whole_second(now), row.timestamp + dt.timedelta(seconds=1))
    row.tries += 1
    grade = (
        Grade()
        .set_user_id(user.sub)
        .set_score_given(float(row.score_given))
        .set_score_maximum(row.score_maximum)
        .set_activity_progress("Completed")
        .set_grading_progress("FullyGraded")
        .set_timestamp(row.timestamp.astimezone(dt.UTC).isoformat())
    )
    key, pem = signing
    return _Outgoing(row, platform, ToolRegistration(platform, key.kid, pem, key.public_jwk), grade)


def _post(outgoing: _Outgoing, http: requests.Session) -> _Answer:
    service = AssignmentsGradesService(
        ToolServiceConnector(outgoing.registration, http),
        {"scope": [SCORE_SCOPE], "lineitem": outgoing.row.lineitem_url},  # type: ignore[list-item]
    )
    try:
        service.put_grade(outgoing.grade)
    except LtiServiceException as error:
        return _Answer(error.response.status_code, error.response.url or "", error.response.text[:300])
    except (requests.RequestException, ValueError) as error:
        return _Answer(None, text=type(error).__name__)
    return _Answer(200)


def _record(outgoing: _Outgoing, answer: _Answer, *, now: dt.datetime) -> str:
    row, platform, status = outgoing.row, outgoing.platform, answer.status
    if status == 200:
        row.status, row.sent_at, row.last_error = "sent", now, None
        if platform.service_problem:
            note_service_problem(platform, None, now=now)
    elif status is None:
        row.last_error = answer.text
        row.status, row.next_try_at = "failing", now + _backoff(row.tries)
    else:
        row.last_error = f"HTTP {status}: {answer.text}"
        if status in (401, 403) or answer.url.startswith(platform.auth_token_url):
            note_service_problem(platform, explain_refusal(platform, status, answer.url), now=now)
            row.status, row.next_try_at = "failing", now + _backoff(row.tries)
        elif status in (400, 404, 422):
            row.status = "rejected"  # the user cannot be graded, the line item is gone: retrying cannot help
        else:  # 409 (retried with a newer timestamp), 5xx
            row.status, row.next_try_at = "failing", now + _backoff(row.tries)
    logger.info("LTI score %s: %s (try %s)", row.id, row.status, row.tries)
    return row.status


def send_due(
    session: Session,
    *,
    now: dt.datetime,
    http: requests.Session,
    secret_key: str,
    ids: list[int] | None = None,
    limit: int = 100,
    between: Callable[[], None] | None = None,
) -> SendSummary:
    """Send queued scores that are due (or just these ids), oldest first; commits nothing itself.

    `between` runs after the scores are read and before the platform is called: pass the session's
    commit, so no database lock is held while the platform (which may fetch our JWKS) answers.
    """
    query = select(LtiScore).where(LtiScore.status.in_(OPEN)).order_by(LtiScore.id).limit(limit)
    query = query.where(LtiScore.id.in_(ids)) if ids is not None else query.where(LtiScore.next_try_at <= now)
    rows = session.scalars(query).all()
    prepared: list[_Outgoing] = []
    if rows:
        signing = keys.signer(session, now=now, secret_key=secret_key)  # one key read for the batch
        prepared = [_prepare(session, row, now=now, signing=signing) for row in rows]
    session.flush()
    if between is not None:
        between()
    answers = [_post(outgoing, http) for outgoing in prepared]
    summary = SendSummary()
    for outgoing, answer in zip(prepared, answers, strict=True):
        status = _record(outgoing, answer, now=now)
        if status == "sent":
            summary.sent += 1
        elif status == "rejected":
            summary.rejected += 1
        else:
            summary.failed += 1
    session.flush()
    return summary


def send_in_background(app: Flask, ids: list[int]) -> threading.Thread:
    """Send these freshly committed scores from a thread, so the learner's commit does not wait on Moodle."""

    def work() -> None:
        from lms_bridge.db import transaction, utcnow

        try:
            with app.app_context(), transaction() as session:
                send_due(
                    session,
                    now=utcnow(),
                    http=http_session(),
                    secret_key=app.config["SECRET_KEY"],
                    ids=ids,
                    between=session.commit,
                )
        except Exception:  # an outer edge: what failed stays queued for the retry worker
            logger.exception("Sending LTI scores %s failed; the retry worker sends them", ids)

    thread = threading.Thread(target=work, name="lti-scores", daemon=True)
    thread.start()
    return thread


def outbox(session: Session, *, limit: int = 200) -> list[LtiScore]:
    """Scores not (yet) taken by the platform, newest first: pending, failing and rejected."""
    return list(
        session.scalars(
            select(LtiScore)
            .where(LtiScore.status.in_(("pending", "failing", "rejected")))
            .order_by(LtiScore.id.desc())
            .limit(limit)
        )
    )


def retry_now(session: Session, *, now: dt.datetime) -> int:
    """Make every pending, failing or rejected score due now (an admin fixed the cause)."""
    result = session.execute(
        update(LtiScore)
        .where(LtiScore.status.in_(("pending", "failing", "rejected")))
        .values(status="pending", next_try_at=now)
    )
    return int(result.rowcount)  # type: ignore[attr-defined]
