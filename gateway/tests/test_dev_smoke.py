"""End-to-end smoke test of `make dev`: the embedded stack in its own process, driven over HTTP like curl."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

STARTUP_SECONDS = 90


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def dev_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    workdir = tmp_path_factory.mktemp("dev")
    port = free_port()
    env = {k: v for k, v in os.environ.items()
           if not k.endswith("_URL") and k not in ("ENVIRONMENT", "DATA_DIR")}
    env["LOG_JSON"] = "false"
    log = (workdir / "server.log").open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "fitjourney_gateway.dev", "--port", str(port)],
        cwd=workdir, env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while True:
            if process.poll() is not None:
                pytest.fail(f"dev server exited: {(workdir / 'server.log').read_text()[-3000:]}")
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"dev server did not start: {(workdir / 'server.log').read_text()[-3000:]}")
            time.sleep(0.3)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=20)
        log.close()
    assert Path(workdir / ".data").is_dir(), "embedded mode keeps its state in ./.data"


def test_newcomer_registers_logs_in_refreshes_and_logs_out(dev_server: str) -> None:
    with httpx.Client(base_url=dev_server, timeout=30) as http:
        email = "newcomer@example.com"
        password = "Correct-horse-42"
        created = http.post("/api/v1/auth/register",
                            json={"email": email, "password": password, "display_name": "New Comer"})
        assert created.status_code == 201, created.text
        assert created.json()["email"] == email

        tokens = http.post("/api/v1/auth/login", json={"email": email, "password": password})
        assert tokens.status_code == 200, tokens.text
        pair = tokens.json()
        assert pair["token_type"] == "bearer"

        me = http.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {pair['access_token']}"})
        assert me.status_code == 200 and me.json()["email"] == email

        refreshed = http.post("/api/v1/auth/refresh", json={"refresh_token": pair["refresh_token"]})
        assert refreshed.status_code == 200, refreshed.text
        new_pair = refreshed.json()
        assert new_pair["refresh_token"] != pair["refresh_token"]

        # The core service, reached through the same gateway, accepts auth's token (JWKS from the data folder).
        profile = http.get("/api/v1/profile", headers={"Authorization": f"Bearer {new_pair['access_token']}"})
        assert profile.status_code == 200, profile.text

        out = http.post("/api/v1/auth/logout", json={"refresh_token": new_pair["refresh_token"]})
        assert out.status_code in (200, 204), out.text
        again = http.post("/api/v1/auth/refresh", json={"refresh_token": new_pair["refresh_token"]})
        assert again.status_code == 401
        assert again.headers["content-type"].startswith("application/problem+json")


def test_each_service_documents_its_api(dev_server: str) -> None:
    for service, path in (("auth", "/api/v1/auth/login"), ("core", "/api/v1/workouts")):
        document = httpx.get(f"{dev_server}/openapi/{service}.json").json()
        assert path in document["paths"]
        assert "swagger" in httpx.get(f"{dev_server}/docs/{service}").text.lower()


def test_unknown_path_is_a_problem_json_404(dev_server: str) -> None:
    response = httpx.get(f"{dev_server}/nope")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/problem+json")
