"""Reminders by e-mail: a weekly digest for supervisors who asked for one, and a notice to each learner
before their own competence expires. Run by `lms-bridge reports send-reminders` (daily, from cron).

Privacy: a digest names only people in the recipient's own units; a learner's notice speaks of the
learner alone. Each message is recorded (DigestSent, ReminderSent) in the same transaction as it is
sent, so a re-run sends nothing twice; a failure rolls the run back and the next run tries again.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from email.message import EmailMessage

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from lms_bridge.auth.models import Account
from lms_bridge.catalog.models import Competence
from lms_bridge.catalog.service import courses_by_competence
from lms_bridge.db import REGION_TIMEZONE
from lms_bridge.register.models import Holding, Staff
from lms_bridge.register.scopes import top_units, units_of_account
from lms_bridge.reports.mail import Mailer
from lms_bridge.reports.models import DigestSent, ReminderSent
from lms_bridge.reports.queries import status_list

logger = logging.getLogger(__name__)

NAMES_PER_LIST = 30  # a digest lists at most this many people per list; the reports have the rest


@dataclass(frozen=True)
class ReminderOutcome:
    digests: int
    reminders: int


def _date(moment: dt.datetime | None) -> str:
    if moment is None:
        return ""
    local = moment.astimezone(REGION_TIMEZONE)
    return f"{local.day}.{local.month}.{local.year}"


def iso_week(now: dt.datetime) -> str:
    year, week, _day = now.astimezone(REGION_TIMEZONE).isocalendar()
    return f"{year}-W{week:02d}"


def send_reminders(
    session: Session,
    mailer: Mailer,
    *,
    now: dt.datetime,
    expiring_within_days: int,
    remind_days_before: int,
    public_url: str,
    dry_run: bool = False,
) -> ReminderOutcome:
    """Send what is due now: this week's digests not yet sent, and learners' notices not yet sent."""
    digests = _digests(session, now=now, expiring_within_days=expiring_within_days, public_url=public_url)
    reminders = _learner_reminders(session, now=now, days_before=remind_days_before, public_url=public_url)
    messages = [message for message, _record in digests + reminders]
    if not dry_run:
        for _message, record in digests + reminders:
            session.add(record)
        session.flush()
        mailer.send(messages)
    logger.info(
        "Reminders: %s digests, %s learner notices (dry run %s)", len(digests), len(reminders), dry_run
    )
    return ReminderOutcome(len(digests), len(reminders))


def _digests(
    session: Session, *, now: dt.datetime, expiring_within_days: int, public_url: str
) -> list[tuple[EmailMessage, DigestSent]]:
    week = iso_week(now)
    sent = set(session.scalars(select(DigestSent.account_id).where(DigestSent.week == week)))
    recipients = session.scalars(
        select(Account).where(
            Account.weekly_digest.is_(True),
            Account.active.is_(True),
            Account.role == "supervisor",
            Account.email.is_not(None),
        )
    )
    result = []
    for account in recipients:
        if account.id in sent or not account.email:
            continue
        units = top_units(
            session, units_of_account(session, account_id=account.id, employee_number=account.employee_number)
        )
        if not units:
            continue
        body = [_("Hei,"), "", _("viikon %(week)s tilanne yksiköissäsi:", week=week), ""]
        for unit in units:
            body.append(unit.name)
            for kind, title in (
                ("missing", _("Puuttuvat pakolliset osaamiset")),
                ("expiring", _("Vanhenee %(days)s päivän kuluessa", days=expiring_within_days)),
                ("expired", _("Vanhentuneet")),
            ):
                rows = status_list(
                    session, unit, kind=kind, within_days=expiring_within_days, now=now, job_title=None
                )
                body.append(f"  {title}: {len(rows)}")
                for row in rows[:NAMES_PER_LIST]:
                    expires = f" ({_date(row.status.expires_at)})" if row.status.expires_at else ""
                    person = f"{row.staff.last_name} {row.staff.first_name}"
                    body.append(f"    - {person}, {row.competence.name_fi}{expires}")
                if len(rows) > NAMES_PER_LIST:
                    body.append("    " + _("... ja %(n)s muuta", n=len(rows) - NAMES_PER_LIST))
            body.append("")
        if public_url:
            body.append(_("Raportit: %(url)s", url=public_url.rstrip("/") + "/reports/"))
        body += [
            "",
            _("Saat tämän viestin, koska olet tilannut viikkokoosteen. Tilauksen voi perua raporteista."),
        ]
        message = EmailMessage()
        message["To"] = account.email
        message["Subject"] = _("Osaamiskooste viikolta %(week)s", week=week)
        message.set_content("\n".join(body))
        result.append((message, DigestSent(account_id=account.id, week=week, sent_at=now)))
    return result


def _learner_reminders(
    session: Session, *, now: dt.datetime, days_before: int, public_url: str
) -> list[tuple[EmailMessage, ReminderSent]]:
    soon = now + dt.timedelta(days=days_before)
    due = session.execute(
        select(Staff, Competence, Holding.expires_at)
        .join(Holding, Holding.staff_id == Staff.id)
        .join(Competence, Competence.id == Holding.competence_id)
        .outerjoin(
            ReminderSent,
            (ReminderSent.staff_id == Holding.staff_id)
            & (ReminderSent.competence_id == Holding.competence_id)
            & (ReminderSent.expires_at == Holding.expires_at),
        )
        .where(
            Staff.active.is_(True),
            Staff.email.is_not(None),
            Holding.permanent.is_(False),
            Holding.expires_at > now,
            Holding.expires_at <= soon,
            ReminderSent.staff_id.is_(None),
        )
        .order_by(Staff.id, Competence.code)
    ).all()
    courses = courses_by_competence(session)
    result = []
    for staff, competence, expires_at in due:
        if not staff.email:
            continue
        body = [
            _("Hei %(name)s,", name=staff.first_name),
            "",
            _(
                "osaamisesi %(competence)s on voimassa %(date)s asti. Uusi se ennen sitä.",
                competence=competence.name_fi,
                date=_date(expires_at),
            ),
        ]
        for course in courses.get(competence.id, []):
            link = f": {public_url.rstrip('/')}/play/{course.slug}" if public_url else ""
            body.append(_("Kurssi: %(title)s", title=course.title) + link)
        message = EmailMessage()
        message["To"] = staff.email
        message["Subject"] = _("Osaamisesi %(competence)s vanhenee pian", competence=competence.name_fi)
        message.set_content("\n".join(body))
        record = ReminderSent(
            staff_id=staff.id, competence_id=competence.id, expires_at=expires_at, sent_at=now
        )
        result.append((message, record))
    return result
