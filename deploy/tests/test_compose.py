"""docker-compose.yml is a valid Compose file whose long-running services all have health checks."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = ROOT / "docker-compose.yml"


def compose() -> dict:
    return yaml.safe_load(COMPOSE.read_text())


def test_compose_file_matches_the_compose_spec() -> None:
    checker = shutil.which("check-jsonschema") or str(Path(sys.executable).parent / "check-jsonschema")
    result = subprocess.run([checker, "--builtin-schema", "vendor.compose-spec", str(COMPOSE)],
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_long_running_service_has_a_healthcheck() -> None:
    for name, service in compose()["services"].items():
        one_shot = service.get("restart") == "no"
        assert one_shot or "healthcheck" in service, f"{name} has no healthcheck"


def test_services_start_after_their_migrations_and_backends() -> None:
    services = compose()["services"]
    for name in ("auth", "core"):
        depends = services[name]["depends_on"]
        assert depends[f"{name}-migrate"]["condition"] == "service_completed_successfully"
        assert depends["redis"]["condition"] == "service_healthy"


def test_prometheus_scrapes_every_service_with_metrics() -> None:
    scraped = yaml.safe_load((ROOT / "deploy/prometheus/prometheus.yml").read_text())
    targets = {t for job in scraped["scrape_configs"] for cfg in job["static_configs"] for t in cfg["targets"]}
    for name, service in compose()["services"].items():
        if "dockerfile" in str(service.get("build", "")) and service.get("restart") != "no":
            assert f"{name}:8000" in targets, f"prometheus does not scrape {name}"
