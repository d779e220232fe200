"""Weekly digests and expiry reminders, sent through a real SMTP server on 127.0.0.1, each only once."""

from __future__ import annotations

import datetime as dt

from lms_bridge.auth.accounts import update_digest_settings
from lms_bridge.reports.mail import SmtpMailer
from lms_bridge.reports.reminders import send_reminders


def send(session, inbox, *, now=None, dry_run=False):
    mailer = SmtpMailer(host=inbox.host, port=inbox.port, sender="osaaminen@satakunta.fi")
    return send_reminders(
        session,
        mailer,
        now=now or dt.datetime.now(dt.UTC),
        expiring_within_days=60,
        remind_days_before=30,
        public_url="https://osaaminen.satakunta.fi",
        dry_run=dry_run,
    )


def body(message) -> str:
    return message.get_content()


def test_a_digest_goes_only_to_supervisors_who_asked_and_names_only_their_people(
    region, session, smtp_server
):
    update_digest_settings(session, region.sup_a.id, email="a@satakunta.fi", weekly_digest=True)
    region.nurses_a[1].email = "hoitaja1@satakunta.fi"
    outcome = send(session, smtp_server)
    assert outcome.digests == 1
    digests = [m for to, m in smtp_server.messages if to == ["a@satakunta.fi"]]
    assert len(digests) == 1
    text = body(digests[0])
    assert digests[0]["Subject"].startswith("Osaamiskooste viikolta")
    assert "Hoitaja2 Aino, Ensiapu" in text  # missing in A
    assert "Ohjaaja" not in text  # area B's person is not named to A's supervisor
    assert "https://osaaminen.satakunta.fi/reports/" in text


def test_a_learner_is_reminded_before_their_competence_expires_once(region, session, smtp_server):
    region.nurses_a[1].email = "hoitaja1@satakunta.fi"  # EA-01 completed 340 days ago: expires in ~25 days
    region.nurses_a[0].email = "hoitaja0@satakunta.fi"  # completed 20 days ago: not due
    session.flush()
    first = send(session, smtp_server)
    assert first.reminders == 1
    ((to, message),) = smtp_server.messages
    assert to == ["hoitaja1@satakunta.fi"]
    assert "Ensiapu" in message["Subject"]
    assert "Hei Aino" in body(message)
    again = send(session, smtp_server)
    assert (again.digests, again.reminders) == (0, 0)
    assert len(smtp_server.messages) == 1


def test_a_dry_run_sends_and_records_nothing(region, session, smtp_server):
    region.nurses_a[1].email = "hoitaja1@satakunta.fi"
    session.flush()
    assert send(session, smtp_server, dry_run=True).reminders == 1
    assert smtp_server.messages == []
    assert send(session, smtp_server).reminders == 1


def test_the_command_refuses_without_mail_settings(db_app):
    from lms_bridge.cli import cli

    result = db_app.test_cli_runner().invoke(cli, ["reports", "send-reminders"])
    assert result.exit_code == 1
    assert "MAIL_SERVER" in result.output
