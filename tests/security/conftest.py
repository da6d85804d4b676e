"""Fixtures of the security suite's process tests (`security_harness`): the backends every service process
shares, and the figures the tests measured."""

from __future__ import annotations

import sys
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

# pytest runs with --import-mode=importlib: the harnesses are imported by their own names (never as
# `conftest`: other suites import their own conftest by that name).
sys.path.append(str(Path(__file__).resolve().parents[1] / "contract"))
sys.path.append(str(Path(__file__).resolve().parent))

from contract_harness import make_signing_key, prepare_database
from security_harness import ROOT, SERVICES, Backends

from fitjourney_common.testing.figures import recorded_figures
from fitjourney_common.testing.postgres import temporary_database
from fitjourney_common.testing.smtp import SmtpInbox


@pytest.fixture(scope="session")
async def security_backends(s3_endpoint: str, smtp: tuple[str, SmtpInbox],
                            tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Backends]:
    async with temporary_database("fj_security") as url:
        yield Backends(url, await prepare_database(url, SERVICES), make_signing_key(tmp_path_factory.mktemp("keys")),
                       s3_endpoint, uuid.uuid4().hex[:10], tmp_path_factory.mktemp("security-services"), smtp[0])


@pytest.fixture(scope="session")
def security_figures() -> Iterator[dict[str, object]]:
    """What the tests measured (requests sent and answered, memory of a process), written to
    `.data/security/figures.json` and printed at the end of the session, for README's figures."""
    with recorded_figures(ROOT / ".data" / "security" / "figures.json", "security suite") as figures:
        yield figures
