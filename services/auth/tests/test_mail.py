"""Outgoing mail: over SMTP when SMTP_URL is set (a real SMTP server here), to the log in dev, and outside
dev no start without it (registration and password reset would silently never finish)."""

from __future__ import annotations

import logging

import pytest
from asgi_lifespan import LifespanManager
from auth_helpers import PREFIX, asgi_client, register
from pydantic import ValidationError

from fitjourney_auth.mail import MailMessage, MailNotConfigured, SmtpMailSender, SmtpServer
from fitjourney_auth.main import create_app
from fitjourney_auth.settings import AuthSettings
from fitjourney_common.testing.ports import free_port
from fitjourney_common.testing.postgres import create_app_role
from fitjourney_common.testing.smtp import RESET_TOKEN, body_of, smtp_server

SENDER = "FitJourney <hello@fitjourney.example>"


def _logged(caplog: pytest.LogCaptureFixture) -> str:
    return "\n".join(record.getMessage() for record in caplog.records)


async def test_a_reset_mail_reaches_the_smtp_server_and_its_token_never_the_logs(app, make_settings, database_url,
                                                                                  caplog):
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="fitjourney_auth")  # below the suite's WARNING: every line is searched
    # `app` made the signing keys this one (staging: never generates keys) starts with; outside dev the
    # service connects as a role row-level security binds.
    role_url = await create_app_role(database_url, "fitjourney_auth_app", "auth")
    with smtp_server() as (smtp_url, inbox):
        settings = make_settings(environment="staging", object_url_secret="not-the-dev-secret", run_event_worker=False,
                                 database_url=role_url, smtp_url=smtp_url, mail_from=SENDER)
        service = create_app(settings)
        async with LifespanManager(service), asgi_client(service) as http:
            account = await register(http, verify=False)  # its mail went over SMTP, not to a test mailbox
            assert (await http.post(f"{PREFIX}/password/forgot", json={"email": account.email})).status_code == 202
            token = await inbox.token(account.email, RESET_TOKEN)
    message = inbox.to(account.email)[-1]
    assert (message["To"], message["From"], message["Subject"]) == (account.email, SENDER,
                                                                     "Reset your FitJourney password")
    assert message["Message-ID"].endswith("@fitjourney.example>") and message["Date"]
    assert f"reset-password?token={token}" in body_of(message)
    logged = _logged(caplog)
    assert f"mail to {account.email} sent: Reset your FitJourney password" in logged
    assert token not in logged


async def test_outside_dev_the_service_refuses_to_start_without_smtp_url(make_settings):
    settings = make_settings(environment="production", object_url_secret="set-in-production")
    with pytest.raises(MailNotConfigured, match="SMTP_URL must be set with ENVIRONMENT=production"):
        async with LifespanManager(create_app(settings)):
            pass


async def test_smtp_url_requires_starttls_so_a_server_without_it_gets_nothing_in_clear_text(caplog):
    caplog.set_level(logging.DEBUG)
    with smtp_server() as (smtp_url, inbox):
        sender = SmtpMailSender(smtp_url.replace("smtp+plain://", "smtp://"), timeout=5)
        await sender.send(MailMessage(to="ada@example.com", subject="Reset", body="Reset token: t0k3n-123",
                                      sender=SENDER))
    assert inbox.messages == []
    logged = _logged(caplog)
    assert "mail to ada@example.com not sent (Reset)" in logged and "t0k3n-123" not in logged


async def test_an_unreachable_smtp_server_is_logged_without_the_body_and_raises_nothing(caplog):
    # Mail goes out after the response: a failure is logged for operators, the user can ask again.
    sender = SmtpMailSender(f"smtp+plain://127.0.0.1:{free_port()}", timeout=5)
    await sender.send(MailMessage(to="ada@example.com", subject="Reset", body="Reset token: t0k3n-456", sender=SENDER))
    logged = _logged(caplog)
    assert "mail to ada@example.com not sent (Reset)" in logged and "t0k3n-456" not in logged


def test_smtp_url_names_the_transport_security_and_decodes_credentials():
    assert SmtpServer.parse("smtp://us%40er:p%3Ass@mail.example.com") == SmtpServer(
        host="mail.example.com", port=587, security="starttls", username="us@er", password="p:ss")
    assert SmtpServer.parse("smtps://mail.example.com").port == 465
    assert SmtpServer.parse("smtp+plain://relay:2525") == SmtpServer("relay", 2525, "none", None, None)
    with pytest.raises(ValidationError, match="SMTP_URL must look like"):
        AuthSettings(smtp_url="http://mail.example.com")
