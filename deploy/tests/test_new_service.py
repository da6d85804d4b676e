"""The service template works: a service generated from services/_template passes its own tests (app
starts, /healthz and /readyz answer, its example domain and erasure work) and its worker stops on SIGTERM."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "deploy"))

from new_service import create_service  # noqa: E402


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return create_service("probe", tmp_path_factory.mktemp("repo"))


def test_the_copy_names_the_new_service_everywhere(generated: Path) -> None:
    assert (generated / "fitjourney_probe" / "main.py").is_file()
    leftovers = [str(p) for p in generated.rglob("*") if p.is_file() and "skeleton" in p.read_text().lower()]
    assert leftovers == []
    with pytest.raises(FileExistsError):
        create_service("probe", generated.parents[1])
    with pytest.raises(ValueError, match="lowercase"):
        create_service("Bad-Name", generated.parents[1])


def test_the_generated_service_passes_its_own_tests(generated: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(generated)}
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-c", str(ROOT / "pyproject.toml"),
         "--rootdir", str(generated), str(generated / "tests")],
        cwd=generated, env=env, capture_output=True, text=True, timeout=300, check=False)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "5 passed" in result.stdout


async def test_the_generated_worker_runs_until_sigterm(generated: Path, tmp_path: Path) -> None:
    database_url = f"sqlite+aiosqlite:///{tmp_path}/probe.db"
    env = {**os.environ, "PYTHONPATH": str(generated), "DATABASE_URL": database_url, "LOG_JSON": "false",
           "ENVIRONMENT": "test", "REDIS_URL": "memory://", "BROKER_URL": "memory://"}
    # Migrated by the generated service's own code, on its own import path.
    await asyncio.to_thread(subprocess.run, [sys.executable, "-c",
                            f"from fitjourney_common.db.migrations import upgrade_to_head; "
                            f"upgrade_to_head(__import__('pathlib').Path({str(generated)!r}), {database_url!r})"],
                            env=env, check=True, timeout=120)
    process = await asyncio.create_subprocess_exec(sys.executable, "-m", "fitjourney_probe.worker", env=env,
                                                   stderr=asyncio.subprocess.PIPE)
    try:
        assert process.stderr is not None
        async with asyncio.timeout(60):
            while b"probe worker running" not in await process.stderr.readline():
                pass
        process.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(process.wait(), 30) == 0
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
