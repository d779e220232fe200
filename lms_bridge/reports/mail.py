"""Sending e-mail over SMTP (the standard library's smtplib), from the MAIL_* settings."""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Any, Protocol

from lms_bridge.errors import DomainError


class MailNotConfigured(DomainError):
    code = "mail_not_configured"


class Mailer(Protocol):
    def send(self, messages: list[EmailMessage]) -> None: ...


@dataclass(frozen=True)
class SmtpMailer:
    host: str
    port: int
    sender: str
    starttls: bool = False
    username: str = ""
    password: str = ""
    timeout: float = 30.0

    @classmethod
    def from_config(cls, config: Any) -> SmtpMailer:
        """Raises MailNotConfigured when MAIL_SERVER or MAIL_FROM is empty."""
        if not config["MAIL_SERVER"] or not config["MAIL_FROM"]:
            raise MailNotConfigured("Sähköposti ei ole käytössä: aseta MAIL_SERVER ja MAIL_FROM.")
        return cls(
            host=config["MAIL_SERVER"],
            port=config["MAIL_PORT"],
            sender=config["MAIL_FROM"],
            starttls=config["MAIL_STARTTLS"],
            username=config["MAIL_USERNAME"],
            password=config["MAIL_PASSWORD"],
        )

    def send(self, messages: list[EmailMessage]) -> None:
        """Send every message over one connection."""
        if not messages:
            return
        with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as smtp:
            if self.starttls:
                smtp.starttls(context=ssl.create_default_context())
            if self.username:
                smtp.login(self.username, self.password)
            for message in messages:
                if "From" not in message:
                    message["From"] = self.sender
                smtp.send_message(message)
