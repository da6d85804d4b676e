"""CI/CD in .github/workflows: valid against GitHub's workflow schema, tests on every push with real backends,
an image per service, staging deployed and smoke-tested automatically, production only after approval."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
WORKFLOWS = ROOT / ".github" / "workflows"
SERVICES = sorted(yaml.safe_load((ROOT / "helm/fitjourney/values.yaml").read_text())["services"])


def load(name: str) -> dict[str, Any]:
    # YAML 1.1 reads the key `on` as True; GitHub reads it as "on".
    document = yaml.safe_load((WORKFLOWS / name).read_text())
    document["on"] = document.pop(True, document.get("on"))
    return document


def schema_check(*paths: Path) -> subprocess.CompletedProcess[str]:
    checker = shutil.which("check-jsonschema") or str(Path(sys.executable).parent / "check-jsonschema")
    return subprocess.run([checker, "--builtin-schema", "vendor.github-workflows", *map(str, paths)],
                          capture_output=True, text=True, check=False)


def pipeline_problems(deploy: dict[str, Any]) -> list[str]:
    jobs = deploy["jobs"]
    problems = []
    order = [("images", "tests"), ("staging", "images"), ("production", "staging")]
    for job, before in order:
        needs = jobs.get(job, {}).get("needs", [])
        if before not in ([needs] if isinstance(needs, str) else needs):
            problems.append(f"{job} does not wait for {before}")
    if (jobs.get("production", {}).get("environment") or {}).get("name") != "production":
        problems.append("production is not behind the production environment's approval")
    staging_steps = " ".join(step.get("run", "") for step in jobs.get("staging", {}).get("steps", []))
    if "smoke.py" not in staging_steps or "values-staging.yaml" not in staging_steps:
        problems.append("staging is not deployed with its values and smoke-tested")
    production_steps = " ".join(step.get("run", "") for step in jobs.get("production", {}).get("steps", []))
    if "rollout status" not in production_steps or "smoke.py" not in production_steps:
        problems.append("production's health is not checked after the deployment")
    if "--write" in production_steps:
        problems.append("the production smoke test writes data")
    return problems


def test_workflows_match_githubs_schema() -> None:
    files = sorted(WORKFLOWS.glob("*.yml"))
    assert {f.name for f in files} >= {"ci.yml", "deploy.yml"}
    result = schema_check(*files)
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_malformed_workflow_is_caught(tmp_path: Path) -> None:
    broken = tmp_path / "ci.yml"
    broken.write_text((WORKFLOWS / "ci.yml").read_text().replace("runs-on: ubuntu-24.04", "runs_on: ubuntu-24.04", 1))
    assert schema_check(broken).returncode != 0


def test_every_push_runs_lint_and_tests_against_real_backends() -> None:
    ci = load("ci.yml")
    assert "push" in ci["on"] and "pull_request" in ci["on"]
    test = ci["jobs"]["test"]
    assert {"postgres", "redis", "rabbitmq"} <= set(test["services"])
    commands = [step.get("run", "") for step in test["steps"]]
    assert "make lint" in commands and "make test" in commands
    chart = " ".join(step.get("run", "") for step in ci["jobs"]["chart"]["steps"])
    assert "helm lint" in chart and "--strict" in chart


def test_an_image_is_built_for_every_service_from_its_dockerfile() -> None:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]
    matrix = {entry["name"]: entry for entry in load("deploy.yml")["jobs"]["images"]["strategy"]["matrix"]["include"]}
    for name in SERVICES:
        assert matrix[name]["dockerfile"] == compose[name]["build"]["dockerfile"]
    assert matrix["backup"]["dockerfile"] == "deploy/backup/Dockerfile"


def test_staging_then_approval_then_production() -> None:
    deploy = load("deploy.yml")
    assert deploy["on"]["push"]["branches"] == ["main"]
    assert pipeline_problems(deploy) == []


def test_a_production_deploy_without_approval_is_caught() -> None:
    deploy = load("deploy.yml")
    del deploy["jobs"]["production"]["environment"]
    deploy["jobs"]["production"]["needs"] = "images"
    problems = pipeline_problems(deploy)
    assert "production does not wait for staging" in problems
    assert "production is not behind the production environment's approval" in problems
