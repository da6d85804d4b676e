"""Outgoing mail behind a small protocol: SMTP when SMTP_URL is set, else (dev and test only) the log."""

from __future__ import annotations

import logging
from collections import deque
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr
from typing import TYPE_CHECKING, Protocol
from urllib.parse import unquote, urlsplit

import aiosmtplib

if TYPE_CHECKING:
    from fitjourney_auth.settings import AuthSettings

log = logging.getLogger(__name__)

# The scheme picks the transport security: STARTTLS on the submission port, TLS from the first byte
# (SMTPS), or none at all (a relay on a network you trust: compose's mail catcher, a node-local relay).
SMTP_SCHEMES = {"smtp": ("starttls", 587), "smtps": ("implicit", 465), "smtp+plain": ("none", 25)}


@dataclass(frozen=True)
class MailMessage:
    to: str
    subject: str
    body: str
    sender: str = ""


class MailSender(Protocol):
    async def send(self, message: MailMessage) -> None: ...


class MailNotConfigured(RuntimeError):
    """Outside dev and test without SMTP_URL: registration and password reset could never finish."""


class LoggingMailSender:
    """Dev and test only: the message, body and tokens included, goes to the log, so a developer can copy
    a verification or reset token from `make dev`'s output; the latest are also kept (`make dev` shows them
    at /dev/mail)."""

    def __init__(self, keep: int = 100):
        self.recent: deque[MailMessage] = deque(maxlen=keep)

    async def send(self, message: MailMessage) -> None:
        self.recent.append(message)
        log.info("mail to %s: %s\n%s", message.to, message.subject, message.body)


@dataclass(frozen=True)
class SmtpServer:
    """Where SMTP_URL points: `smtp://user:password@host:587` (STARTTLS required), `smtps://…:465`,
    `smtp+plain://host:25`. User and password are percent-decoded; both are optional."""

    host: str
    port: int
    security: str
    username: str | None
    password: str | None

    @classmethod
    def parse(cls, url: str) -> SmtpServer:
        parts = urlsplit(url)
        if parts.scheme not in SMTP_SCHEMES or not parts.hostname:
            raise ValueError(f"SMTP_URL must look like smtp://user:password@host:587 (schemes: "
                             f"{', '.join(SMTP_SCHEMES)})")
        security, default_port = SMTP_SCHEMES[parts.scheme]
        return cls(host=parts.hostname, port=parts.port or default_port, security=security,
                   username=unquote(parts.username) if parts.username else None,
                   password=unquote(parts.password) if parts.password else None)


class SmtpMailSender:
    """Production: each message over its own SMTP connection (mail is rare: registrations, resets).
    A failure is logged without the body (it holds tokens) and not raised: the mail is sent after the
    response, and the user can ask again (reset, resend verification)."""

    def __init__(self, url: str, timeout: float = 10.0):
        self.server = SmtpServer.parse(url)
        self.timeout = timeout

    async def send(self, message: MailMessage) -> None:
        email = EmailMessage()
        email["From"] = message.sender
        email["To"] = message.to
        email["Subject"] = message.subject
        email["Date"] = formatdate(localtime=False)
        domain = parseaddr(message.sender)[1].rpartition("@")[2] or None
        email["Message-ID"] = make_msgid(domain=domain)
        email.set_content(message.body)
        server = self.server
        try:
            await aiosmtplib.send(email, hostname=server.host, port=server.port, username=server.username,
                                  password=server.password, use_tls=server.security == "implicit",
                                  start_tls=server.security == "starttls", timeout=self.timeout)
        except (aiosmtplib.SMTPException, OSError) as exc:
            log.error("mail to %s not sent (%s): %s: %s", message.to, message.subject, type(exc).__name__, exc)
            return
        log.info("mail to %s sent: %s", message.to, message.subject)


def mail_sender_for(settings: AuthSettings) -> MailSender:
    """SMTP when SMTP_URL is set; the log in dev and test; elsewhere the service refuses to start (the
    check runs when the service or its worker starts, so the CLI's jobs need no mail settings)."""
    if settings.smtp_url:
        return SmtpMailSender(settings.smtp_url, settings.smtp_timeout_seconds)
    if not settings.is_dev:
        raise MailNotConfigured(f"SMTP_URL must be set with ENVIRONMENT={settings.environment}: registration "
                                f"and password reset mail their links (e.g. smtp://user:password@smtp.example.com:587)")
    return LoggingMailSender()
