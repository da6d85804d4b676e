"""The embedded stack of `make dev` in its own process, shared by the gateway's end-to-end tests."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from fitjourney_common.testing.smtp import VERIFICATION_TOKEN, token_in

# Tests import this file's helpers as `gateway_conftest` (every suite has a conftest.py; `import conftest`
# would find whichever came first).
sys.modules.setdefault("gateway_conftest", sys.modules[__name__])

STARTUP_SECONDS = 90


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass(frozen=True)
class DevStack:
    base_url: str
    workdir: Path
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text()


def dev_env(**extra: str) -> dict[str, str]:
    """The environment of a newcomer's shell: no backend URLs, no ENVIRONMENT, no data folder."""
    env = {k: v for k, v in os.environ.items()
           if not k.endswith("_URL") and k not in ("ENVIRONMENT", "DATA_DIR")}
    env["LOG_JSON"] = "false"
    env.update(extra)
    return env


@contextmanager
def running_dev_server(workdir: Path, env: dict[str, str], python_args: tuple[str, ...] = (
        "-m", "fitjourney_gateway.dev")) -> Iterator[DevStack]:
    """`python <python_args> --port <free port>` in `workdir`, once /healthz answers; stopped on exit."""
    port = free_port()
    log_path = workdir / "server.log"
    log = log_path.open("w")
    process = subprocess.Popen(
        [sys.executable, *python_args, "--port", str(port)],
        cwd=workdir, env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    stack = DevStack(base_url=f"http://127.0.0.1:{port}", workdir=workdir, log_path=log_path)
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while True:
            if process.poll() is not None:
                pytest.fail(f"dev server exited: {stack.log()[-3000:]}")
            try:
                if httpx.get(f"{stack.base_url}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"dev server did not start: {stack.log()[-3000:]}")
            time.sleep(0.3)
        yield stack
    finally:
        process.terminate()
        process.wait(timeout=20)
        log.close()


def register_confirmed(http: httpx.Client, email: str, password: str, display_name: str = "Test User") -> None:
    """Register through `make dev` and confirm the email as README's curl session does: make dev sends no mail,
    it logs each one and keeps the latest at /dev/mail, where the verification token is read."""
    created = http.post("/api/v1/auth/register", json={"email": email, "password": password,
                                                        "display_name": display_name})
    assert created.status_code == 202, created.text
    tokens = [token for mail in http.get("/dev/mail", params={"to": email}).json()
              if (token := token_in(mail["body"], VERIFICATION_TOKEN))]
    assert tokens, f"make dev kept no verification mail to {email}"
    confirmed = http.post("/api/v1/auth/verify-email", json={"token": tokens[-1]})
    assert confirmed.status_code == 204, confirmed.text


@pytest.fixture(scope="session")
def dev_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DevStack]:
    """`make dev` with `DEMO=1`, as a newcomer starts it: its own folder, port and process."""
    workdir = tmp_path_factory.mktemp("dev")
    with running_dev_server(workdir, dev_env(DEMO="1")) as stack:
        yield stack
    assert Path(workdir / ".data").is_dir(), "embedded mode keeps its state in ./.data"


@pytest.fixture(scope="session")
def dev_server(dev_stack: DevStack) -> str:
    return dev_stack.base_url
