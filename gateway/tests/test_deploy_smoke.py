"""deploy/smoke/smoke.py, the check CI runs after each deployment, passes against `make dev`'s gateway and
fails when the platform misbehaves."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

SMOKE = Path(__file__).resolve().parents[2] / "deploy" / "smoke" / "smoke.py"


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(SMOKE), *args], capture_output=True, text=True, timeout=120,
                          check=False)


def test_smoke_passes_read_only_and_with_writes(dev_server: str) -> None:
    for extra in ((), ("--write",)):
        result = run(dev_server, *extra)
        assert result.returncode == 0, result.stdout + result.stderr
        assert "ok" in result.stdout


def test_smoke_fails_when_the_entry_does_not_answer_as_expected(dev_server: str) -> None:
    result = run(f"{dev_server}/not-the-gateway", "--wait", "0")
    assert result.returncode != 0
    assert "smoke: auth publishes its signing keys" in result.stderr
