"""Pytest fixtures every package's tests share: `pytest_plugins = ["fitjourney_common.testing.pytest_plugin"]`."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from fitjourney_common.testing.s3 import run_moto_server
from fitjourney_common.testing.smtp import SmtpInbox, smtp_server


@pytest.fixture(scope="session")
def s3_endpoint() -> Iterator[str]:
    """URL of a moto S3 server running for the whole test session."""
    with run_moto_server() as endpoint:
        yield endpoint


@pytest.fixture(scope="session")
def smtp() -> Iterator[tuple[str, SmtpInbox]]:
    """A real SMTP server for the whole test session: its SMTP_URL for auth, and the inbox to read."""
    with smtp_server() as server:
        yield server
