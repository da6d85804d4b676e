"""docker-compose.yml is the real stack: valid Compose, every service with its worker and migration, a real S3
store, no secret that silently falls back to a default, services on non-owner roles, start order by health."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from fitjourney_common.db.roles import password_variables

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = ROOT / "docker-compose.yml"
SERVICES = sorted(yaml.safe_load((ROOT / "helm/fitjourney/values.yaml").read_text())["services"])
SECRETISH = re.compile(r"PASSWORD|SECRET|_KEY|TOKEN")
# ${NAME:-x}, ${NAME-x}: a value used when NAME is unset, which for a secret means a known password.
DEFAULTED = re.compile(r"\$\{(?P<name>[A-Z0-9_]+):?-[^}]*\}")
# ${NAME:?message}, ${NAME?message}: compose stops with the message when NAME is missing.
REQUIRED = re.compile(r"\$\{(?P<name>[A-Z0-9_]+):?\?[^}]*\}")
DB_USER = re.compile(r"postgresql\+asyncpg://(?P<user>[^:@/]+)[:@]")


def compose(text: str | None = None) -> dict[str, Any]:
    return yaml.safe_load(text if text is not None else COMPOSE.read_text())


def check_jsonschema() -> str:
    return shutil.which("check-jsonschema") or str(Path(sys.executable).parent / "check-jsonschema")


def secret_defaults(text: str) -> list[str]:
    return [m["name"] for m in DEFAULTED.finditer(text) if SECRETISH.search(m["name"])]


def role_problems(services: dict[str, Any]) -> list[str]:
    """Migrations connect as the schema's owner role; everything else as a non-owner role, never the superuser."""
    problems = []
    for name, service in services.items():
        for var, value in (service.get("environment") or {}).items():
            match = DB_USER.search(str(value))
            if not match:
                continue
            user = match["user"]
            if name.endswith("-migrate"):
                if user != f"fitjourney_{name.removesuffix('-migrate')}_owner":
                    problems.append(f"{name}: migrates as {user}, not its schema's owner role")
            elif service.get("restart") == "no" and user.endswith("_owner"):
                continue  # another one-shot run by an owner (analytics' reader role on core)
            elif user in ("postgres", "fitjourney") or user.endswith("_owner"):
                problems.append(f"{name}: {var} connects as {user}, which row-level security does not hold back")
    return problems


def start_order_problems(services: dict[str, Any]) -> list[str]:
    """Every dependency is waited for: healthy if it has a health check, finished if it is a one-shot."""
    problems = []
    for name, service in services.items():
        depends = service.get("depends_on") or {}
        if isinstance(depends, list):
            problems.append(f"{name}: depends_on without conditions starts before its dependencies are ready")
            continue
        for dependency, how in depends.items():
            target = services[dependency]
            wanted = "service_completed_successfully" if target.get("restart") == "no" else "service_healthy"
            if how.get("condition") != wanted:
                problems.append(f"{name}: waits for {dependency} with {how.get('condition')}, not {wanted}")
    return problems


def test_compose_file_matches_the_compose_spec() -> None:
    result = subprocess.run([check_jsonschema(), "--builtin-schema", "vendor.compose-spec", str(COMPOSE)],
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_malformed_compose_file_is_caught(tmp_path: Path) -> None:
    broken = tmp_path / "docker-compose.yml"
    broken.write_text(COMPOSE.read_text().replace("    healthcheck:\n      test: [\"CMD\", \"redis-cli\", \"ping\"]",
                                                  "    healthcheck:\n      test: 42", 1))
    result = subprocess.run([check_jsonschema(), "--builtin-schema", "vendor.compose-spec", str(broken)],
                            capture_output=True, text=True, check=False)
    assert result.returncode != 0


def test_every_long_running_service_has_a_healthcheck() -> None:
    for name, service in compose()["services"].items():
        one_shot = service.get("restart") == "no"
        assert one_shot or "healthcheck" in service, f"{name} has no healthcheck"


def test_services_start_after_what_they_need_is_ready() -> None:
    assert start_order_problems(compose()["services"]) == []
    services = compose()["services"]
    for name in SERVICES:
        depends = services[name]["depends_on"]
        assert depends[f"{name}-migrate"]["condition"] == "service_completed_successfully"
        assert {"redis", "rabbitmq", "s3-buckets"} <= set(depends)


def test_a_dependency_started_too_early_is_caught() -> None:
    services = compose()["services"]
    services["core"]["depends_on"]["redis"] = {"condition": "service_started"}
    services["kong"]["depends_on"] = ["auth"]
    problems = start_order_problems(services)
    assert "core: waits for redis with service_started, not service_healthy" in problems
    assert any(p.startswith("kong: depends_on without conditions") for p in problems)


def test_every_service_runs_with_its_worker_and_migration() -> None:
    services = compose()["services"]
    for name in SERVICES:
        assert services[name]["environment"]["RUN_EVENT_WORKER"] == "false", f"{name} API also consumes events"
        worker = services[f"{name}-worker"]
        assert worker["command"] == ["python", "-m", f"fitjourney_{name}.worker"]
        assert worker["environment"]["RUN_EVENT_WORKER"] == "true"
        assert worker["build"]["dockerfile"] == services[name]["build"]["dockerfile"] == f"services/{name}/Dockerfile"
        assert services[f"{name}-migrate"]["command"] == ["alembic", "upgrade", "head"]


def test_each_api_runs_the_uvicorn_processes_the_stack_bench_measured() -> None:
    """docker-compose.yml is the 2-core shape `make bench` runs: a process per core, ai one."""
    sys.path.insert(0, str(ROOT / "deploy" / "bench" / "stack"))
    import processes

    services = compose()["services"]
    assert {name: int(services[name]["environment"]["WEB_CONCURRENCY"]) for name in SERVICES} == \
        processes.default_api_workers(cores=2)


def test_every_export_waits_for_the_part_of_every_other_service() -> None:
    """Core assembles the export; each other service holds some of the user's data (fitjourney_common.gdpr)."""
    services = compose()["services"]
    for name in ("core", "core-worker"):
        participants = services[name]["environment"]["EXPORT_PARTICIPANTS"].split(",")
        assert sorted(participants) == [s for s in SERVICES if s != "core"], name


@pytest.mark.parametrize("name", SERVICES)
def test_each_services_image_is_buildable_from_the_repository(name: str) -> None:
    dockerfile = ROOT / "services" / name / "Dockerfile"
    if not dockerfile.exists():
        pytest.skip(f"services/{name}/Dockerfile is not written yet (the {name} service is still being built)")
    text = dockerfile.read_text()
    assert re.search(r"^USER\s+(?!root|0\b)", text, re.MULTILINE), f"{name}'s image runs as root"
    assert f"services/{name}/alembic" in text, f"{name}'s image lacks its migrations for the migrate one-shot"


def test_s3_is_a_real_store_with_its_buckets_made_at_start() -> None:
    services = compose()["services"]
    assert "moto" not in services["s3"]["image"]
    assert "seaweedfs" in services["s3"]["image"]
    made = services["s3-buckets"]["command"][0]
    assert "fitjourney" in made and "fitjourney-backups" in made
    for name in SERVICES:
        assert services[name]["depends_on"]["s3-buckets"]["condition"] == "service_completed_successfully"


def test_no_secret_falls_back_to_a_default() -> None:
    text = COMPOSE.read_text()
    assert secret_defaults(text) == []
    required = {m["name"] for m in REQUIRED.finditer(text)}
    assert {"POSTGRES_PASSWORD", "REDIS_PASSWORD", "RABBITMQ_PASSWORD", "JOURNAL_ENCRYPTION_KEY"} <= required


def test_a_default_password_is_caught() -> None:
    text = COMPOSE.read_text().replace("${REDIS_PASSWORD:?", "${REDIS_PASSWORD:-fitjourney-local}${X:?", 1)
    assert secret_defaults(text) == ["REDIS_PASSWORD"]


def test_every_required_variable_is_documented_in_env_example_and_make_env_fills_it(tmp_path: Path) -> None:
    example = (ROOT / ".env.example").read_text()
    documented = {line.split("=", 1)[0] for line in example.splitlines() if "=" in line and not line.startswith("#")}
    required = {m["name"] for m in REQUIRED.finditer(COMPOSE.read_text())}
    assert required <= documented, f"not in .env.example: {required - documented}"
    sys.path.insert(0, str(ROOT / "deploy" / "compose"))
    import make_env

    target = tmp_path / ".env"
    make_env.main(target=target)
    values = dict(line.split("=", 1) for line in target.read_text().splitlines() if "=" in line and line[0] != "#")
    assert all(values[name] for name in required - {"OPENAI_API_KEY"}), "an empty secret in the generated .env"
    assert values["OPENAI_API_KEY"] == ""
    assert len(set(values[n] for n in required - {"OPENAI_API_KEY"})) == len(required) - 1, "a secret was reused"
    assert target.stat().st_mode & 0o077 == 0
    before = target.read_text()
    make_env.main(target=target)
    assert target.read_text() == before, "make .env overwrote an existing .env"


def test_services_connect_as_non_owner_roles_and_migrate_as_owners() -> None:
    services = compose()["services"]
    assert role_problems(services) == []


def test_the_roles_are_made_by_the_module_make_migrate_runs_before_any_migration() -> None:
    services = compose()["services"]
    roles = services["db-roles"]
    assert roles["command"][:4] == ["python", "-m", "fitjourney_common.db.roles", "create"]
    assert sorted(roles["command"][4:]) == SERVICES
    assert set(password_variables(SERVICES)) <= set(roles["environment"])
    assert roles["environment"]["MIGRATE_ADMIN_URL"].startswith("postgresql://postgres:${POSTGRES_PASSWORD:?")
    superuser = [name for name, service in services.items()
                 if "postgres:${POSTGRES_PASSWORD" in json.dumps(service.get("environment") or {})]
    assert superuser == ["db-roles"], "only db-roles may connect as the superuser"
    for name in SERVICES:
        assert services[f"{name}-migrate"]["depends_on"]["db-roles"]["condition"] == "service_completed_successfully"


def test_a_service_on_the_superuser_is_caught() -> None:
    services = compose()["services"]
    services["core"]["environment"]["DATABASE_URL"] = "postgresql+asyncpg://postgres:x@postgres:5432/fitjourney"
    services["auth-migrate"]["environment"]["DATABASE_URL"] = "postgresql+asyncpg://fitjourney_auth:x@postgres/f"
    problems = role_problems(services)
    assert "core: DATABASE_URL connects as postgres, which row-level security does not hold back" in problems
    assert "auth-migrate: migrates as fitjourney_auth, not its schema's owner role" in problems


def test_prometheus_scrapes_every_service_and_worker() -> None:
    scraped = yaml.safe_load((ROOT / "deploy/prometheus/prometheus.yml").read_text())
    targets = {t for job in scraped["scrape_configs"] for cfg in job["static_configs"] for t in cfg["targets"]}
    services = compose()["services"]
    for name, service in services.items():
        if "dockerfile" not in str(service.get("build", "")) or service.get("restart") == "no":
            continue
        port = service["environment"].get("WORKER_METRICS_PORT", "8000")
        assert f"{name}:{port}" in targets, f"prometheus does not scrape {name}"
