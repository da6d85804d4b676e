"""Outgoing mail behind a small protocol; the dev sender writes messages to the log."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Protocol

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class MailMessage:
    to: str
    subject: str
    body: str
    sender: str = ""


class MailSender(Protocol):
    async def send(self, message: MailMessage) -> None: ...


class LoggingMailSender:
    """Dev and test: the message goes to the log. Outside dev the body (it holds reset tokens) is left
    out, so a deployment without a real mail backend never leaks a token into its logs."""

    def __init__(self, include_body: bool = True):
        self.include_body = include_body

    async def send(self, message: MailMessage) -> None:
        if self.include_body:
            log.info("mail to %s: %s\n%s", message.to, message.subject, message.body)
        else:
            log.warning("no mail backend configured; dropped mail to %s: %s", message.to, message.subject)
