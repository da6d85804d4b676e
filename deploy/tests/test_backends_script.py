"""deploy/scripts/backends.sh, which `make test` and .ci/run call: starts what is installed, names what is not."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "backends.sh"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def run(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["bash", str(SCRIPT)], env=env, capture_output=True, text=True, timeout=120, check=False)


def test_a_backend_that_is_not_installed_is_named_with_its_debian_package(tmp_path: Path) -> None:
    # A PATH holding only the shell tools the script needs: no redis-server on it.
    tools = tmp_path / "bin"
    tools.mkdir()
    for tool in ("bash", "seq", "ls", "sort", "tail", "pg_ctlcluster", "rabbitmq-server"):
        found = shutil.which(tool, path=os.environ.get("PATH", "") + ":/usr/sbin:/sbin")
        if found:
            (tools / tool).symlink_to(found)
    port = free_port()
    result = run({"PATH": str(tools), "FJ_TEST_REDIS_URL": f"redis://127.0.0.1:{port}"})
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        "backends: Redis is not running on 127.0.0.1 and not installed: "
        "install it with 'apt-get install -y redis-server'"
    ]


@pytest.mark.skipif(shutil.which("redis-server") is None, reason="redis-server is not installed")
def test_an_installed_backend_that_is_not_running_is_started(tmp_path: Path) -> None:
    port = free_port()
    env = {**os.environ, "FJ_TEST_REDIS_URL": f"redis://127.0.0.1:{port}/0", "TMPDIR": str(tmp_path)}
    result = run(env)
    try:
        assert result.returncode == 0, result.stderr
        assert f"starting Redis on port {port}" in result.stdout
        with socket.create_connection(("127.0.0.1", port), timeout=5) as connection:
            connection.sendall(b"PING\r\n")
            assert connection.recv(64) == b"+PONG\r\n"
        # Run again: everything answers now, so nothing is started twice.
        again = run(env)
        assert again.returncode == 0 and again.stdout == ""
    finally:
        subprocess.run(["redis-cli", "-p", str(port), "shutdown", "nosave"], capture_output=True, check=False)
