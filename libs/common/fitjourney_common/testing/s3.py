"""A real S3 endpoint for tests: moto's server in a subprocess, speaking S3 over HTTP."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from fitjourney_common.testing.ports import free_port
from fitjourney_common.testing.processes import stop_process

STARTUP_TIMEOUT_SECONDS = 30.0
# Fake credentials for every boto3 client the tests create; real ones must never be picked up.
TEST_AWS_ENV = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
}


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=1):  # noqa: S310 - a fixed http:// URL on localhost
            return True
    except urllib.error.HTTPError:
        return True  # any HTTP answer means the server is up
    except OSError:
        return False


@contextmanager
def run_moto_server() -> Iterator[str]:
    """Start `moto_server` on a free local port, yield its endpoint URL, stop it afterwards."""
    for name, value in TEST_AWS_ENV.items():
        os.environ.setdefault(name, value)
    executable = Path(sys.executable).parent / "moto_server"
    if not executable.exists():
        raise RuntimeError(f"{executable} not found: install moto[server] in this virtualenv")
    port = free_port()
    endpoint = f"http://127.0.0.1:{port}"
    # A file, not a pipe: nobody drains a pipe while tests run, and a full one would stall the server.
    log_file = tempfile.TemporaryFile()  # noqa: SIM115 - closed in the finally below
    process = subprocess.Popen(  # noqa: S603 - our own venv's executable, fixed arguments
        [str(executable), "-H", "127.0.0.1", "-p", str(port)],
        stdout=log_file,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + STARTUP_TIMEOUT_SECONDS
        while not _answers(endpoint + "/moto-api/"):
            if process.poll() is not None:
                log_file.seek(0)
                output = log_file.read().decode(errors="replace")
                raise RuntimeError(f"moto_server exited with {process.returncode}: {output[-2000:]}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"moto_server gave no answer on {endpoint} in {STARTUP_TIMEOUT_SECONDS} s")
            time.sleep(0.1)
        yield endpoint
    finally:
        stop_process(process)
        log_file.close()
