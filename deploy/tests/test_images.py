"""The images carry no dev backends: fakeredis and aiosqlite are the `dev` extra of fitjourney-common,
installed by `make install`, left out of every Dockerfile, and no service needs them to start on real
backends."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DEV_ONLY = ("fakeredis", "aiosqlite")
SERVICES = sorted(p.parent for p in (ROOT / "services").glob("*/pyproject.toml"))


def _names(requirements: list[str]) -> set[str]:
    return {r.split("[")[0].split(">")[0].split("=")[0].split("<")[0].strip().lower() for r in requirements}


def test_the_dev_backends_are_an_extra_of_common_only() -> None:
    project = tomllib.loads((ROOT / "libs/common/pyproject.toml").read_text())["project"]
    assert not _names(project["dependencies"]) & set(DEV_ONLY)
    assert _names(project["optional-dependencies"]["dev"]) >= set(DEV_ONLY)
    for service in SERVICES:
        dependencies = tomllib.loads((service / "pyproject.toml").read_text())["project"]["dependencies"]
        assert not _names(dependencies) & set(DEV_ONLY), service.name
        assert not any("fitjourney-common[" in d for d in dependencies), f"{service.name} pulls an extra of common"


@pytest.mark.parametrize("service", [s.name for s in SERVICES if (s / "Dockerfile").exists()])
def test_no_dockerfile_installs_the_dev_extra(service: str) -> None:
    dockerfile = (ROOT / "services" / service / "Dockerfile").read_text()
    installs = [line for line in dockerfile.splitlines() if "pip install" in line]
    assert installs, "the image installs the service with pip"
    for line in installs:
        assert "[dev]" not in line and not any(name in line for name in DEV_ONLY), line


BLOCKED_START = """
import importlib.abc, sys
class Block(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in {blocked!r}:
            raise ModuleNotFoundError(f"No module named {{name!r}}", name=name)
sys.meta_path.insert(0, Block())
import importlib, os, pathlib
os.environ.update(DATABASE_URL="postgresql+asyncpg://fj@db/fj", REDIS_URL="redis://redis:6379/0",
                  BROKER_URL="amqp://guest:guest@mq:5672/", OBJECT_STORE_URL="s3://fitjourney")
for service in {services!r}:
    package = "fitjourney_" + service
    for module in ("main", "worker"):
        if (pathlib.Path({root!r}) / "services" / service / package / (module + ".py")).exists():
            loaded = importlib.import_module(package + "." + module)
    main = importlib.import_module(package + ".main")
    main.create_app()  # builds the app on real backend URLs; opening them happens in the lifespan
from fitjourney_common.cache import create_redis
try:
    create_redis("memory://")
except RuntimeError as exc:
    print("REFUSED:", exc)
"""


def test_services_start_without_the_dev_extra() -> None:
    services = [s.name for s in SERVICES if (s / f"fitjourney_{s.name}" / "main.py").exists()]
    assert {"auth", "core"} <= set(services)
    code = BLOCKED_START.format(blocked=DEV_ONLY, services=services, root=str(ROOT))
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False, timeout=120,
                            cwd=ROOT)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "REFUSED: REDIS_URL=memory:// is an in-process dev backend" in result.stdout
    assert "fitjourney-common[dev]" in result.stdout


@pytest.mark.parametrize("dockerfile", sorted(str(p.relative_to(ROOT)) for p in ROOT.glob("services/*/Dockerfile")))
def test_every_api_image_hides_the_server_header(dockerfile: str) -> None:
    """`server: uvicorn` tells an attacker what to look up; every image that serves HTTP turns it off."""
    text = (ROOT / dockerfile).read_text()
    command = text[text.rindex("CMD"):]
    if "uvicorn" in command:
        assert "--no-server-header" in command, dockerfile


@pytest.mark.parametrize("dockerfile", sorted(str(p.relative_to(ROOT)) for p in ROOT.glob("services/*/Dockerfile")))
def test_no_api_image_believes_any_clients_forwarded_headers(dockerfile: str) -> None:
    """uvicorn's `--forwarded-allow-ips *` takes the client address and scheme from X-Forwarded-* headers that
    any client can write, so logs and anything keyed on the address would show what a client chose. Kong sets
    them; a service that needs the address reads it from TRUSTED_PROXIES only (auth's `client.py`)."""
    text = (ROOT / dockerfile).read_text()
    command = text[text.rindex("CMD"):]
    if "uvicorn" in command:
        assert "--no-proxy-headers" in command, dockerfile
        assert "--forwarded-allow-ips" not in command, dockerfile
