"""A real SMTP server for tests (aiosmtpd in a thread): auth mails through it as in production, and a
test reads what arrived (headers, body, the token a mail carries)."""

from __future__ import annotations

import asyncio
import email
import email.policy
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller

from fitjourney_common.testing.ports import free_port

# The labels auth's mails put before a token, one per line ("Reset token: …", "Verification token: …").
RESET_TOKEN, VERIFICATION_TOKEN = "Reset token", "Verification token"


def token_in(body: str, label: str) -> str | None:
    """The token a mail body carries after `label:` (None if it carries none)."""
    match = re.search(rf"^{re.escape(label)}: (\S+)\r?$", body, re.MULTILINE)  # SMTP ends lines with CRLF
    return match.group(1) if match else None


class SmtpInbox:
    """Every message the server accepted, parsed, with the envelope's recipients."""

    def __init__(self) -> None:
        self.messages: list[tuple[list[str], EmailMessage]] = []
        self._arrived = threading.Condition()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = email.message_from_bytes(envelope.original_content or envelope.content,
                                           policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        with self._arrived:
            self.messages.append(([r.lower() for r in envelope.rcpt_tos], message))
            self._arrived.notify_all()
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[EmailMessage]:
        with self._arrived:
            return [message for recipients, message in self.messages if address.lower() in recipients]

    def wait_blocking(self, address: str, label: str | None = None, timeout: float = 30.0) -> EmailMessage:
        """The latest mail to `address` (carrying a `label:` token if given), waiting for it to arrive."""
        def latest() -> EmailMessage | None:
            found = [m for recipients, m in self.messages
                     if address.lower() in recipients and (label is None or token_in(body_of(m), label))]
            return found[-1] if found else None

        with self._arrived:
            message = self._arrived.wait_for(latest, timeout)
        assert message is not None, f"no mail to {address}{f' with a {label}' if label else ''} within {timeout} s"
        return message

    async def wait_for(self, address: str, label: str | None = None, timeout: float = 30.0) -> EmailMessage:  # noqa: ASYNC109
        return await asyncio.to_thread(self.wait_blocking, address, label, timeout)

    def token_blocking(self, address: str, label: str, timeout: float = 30.0) -> str:
        """The token of the latest mail to `address` that carries one after `label`."""
        token = token_in(body_of(self.wait_blocking(address, label, timeout)), label)
        assert token is not None
        return token

    async def token(self, address: str, label: str, timeout: float = 30.0) -> str:  # noqa: ASYNC109
        return await asyncio.to_thread(self.token_blocking, address, label, timeout)


def body_of(message: EmailMessage) -> str:
    part = message.get_body(("plain",))
    assert part is not None, "the mail has no text/plain body"
    return str(part.get_content())


_running: dict[str, SmtpInbox] = {}


def inbox_at(smtp_url: str) -> SmtpInbox:
    """The inbox of the running server at `smtp_url`: a suite that starts auth as a process knows it by the
    SMTP_URL in the process's environment."""
    assert smtp_url in _running, f"no test SMTP server runs at {smtp_url}"
    return _running[smtp_url]


@contextmanager
def smtp_server(port: int | None = None) -> Iterator[tuple[str, SmtpInbox]]:
    """A plain SMTP server on 127.0.0.1; yields its SMTP_URL and the inbox."""
    inbox = SmtpInbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port or free_port())
    controller.start()
    url = f"smtp+plain://127.0.0.1:{controller.port}"
    _running[url] = inbox
    try:
        yield url, inbox
    finally:
        del _running[url]
        controller.stop()
