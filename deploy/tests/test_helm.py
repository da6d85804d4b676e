"""The Helm chart, rendered by the real Helm engine (helm-python-sdk), linted, validated against the Kubernetes
schemas and held to the platform's settings; each rule is also shown to catch the mistake it is there for."""

from __future__ import annotations

import copy
import math
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import helm_python
import kubernetes_validate
import pytest
import yaml

from fitjourney_common.db.roles import password_variables

ROOT = Path(__file__).resolve().parents[2]
CHART = ROOT / "helm" / "fitjourney"
KONG_YML = ROOT / "gateway" / "kong" / "kong.yml"
KUBE_VERSION = "1.31.0"
RELEASE, NAMESPACE = "fitjourney", "fitjourney"
# Kinds of custom resources (their operators' CRDs are not in kubernetes-validate's schemas).
CUSTOM_KINDS = {"ServiceMonitor", "PrometheusRule", "ExternalSecret"}
POD_KINDS = {"Deployment", "Job", "CronJob"}
ALL_ON = {"serviceMonitor": {"enabled": True}, "prometheusRule": {"enabled": True},
          "secrets": {"externalSecrets": {"enabled": True}}}

Objects = list[dict[str, Any]]


def values_file(name: str) -> dict[str, Any]:
    return yaml.safe_load((CHART / name).read_text())


def render(values: dict[str, Any] | None = None, chart: Path = CHART) -> Objects:
    loaded = helm_python.Chart.load(chart)
    try:
        manifests = loaded.render(values or {}, name=RELEASE, namespace=NAMESPACE, is_install=True)
    finally:
        loaded.close()
    objects: Objects = []
    for path, text in manifests.items():
        if path.endswith(".yaml"):
            objects += [doc for doc in yaml.safe_load_all(text) if doc]
    return objects


def merged(*layers: dict[str, Any]) -> dict[str, Any]:
    """Deep-merge values layers the way `-f a.yaml -f b.yaml` does (null deletes a key)."""
    result: dict[str, Any] = {}
    for layer in layers:
        _merge_into(result, copy.deepcopy(layer))
    return result


def _merge_into(target: dict[str, Any], layer: dict[str, Any]) -> None:
    for key, value in layer.items():
        if isinstance(value, dict) and isinstance(target.get(key), dict):
            _merge_into(target[key], value)
        else:
            target[key] = value


def by_kind(objects: Objects, kind: str) -> dict[str, dict[str, Any]]:
    return {o["metadata"]["name"]: o for o in objects if o["kind"] == kind}


def pod_spec(obj: dict[str, Any]) -> dict[str, Any]:
    if obj["kind"] == "CronJob":
        return obj["spec"]["jobTemplate"]["spec"]["template"]["spec"]
    return obj["spec"]["template"]["spec"]


def containers(obj: dict[str, Any]) -> Iterator[dict[str, Any]]:
    spec = pod_spec(obj)
    yield from spec.get("initContainers", [])
    yield from spec["containers"]


def env_of(container: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {e["name"]: e for e in container.get("env", [])}


def cores(quantity: str | int | float) -> float:
    """A Kubernetes CPU quantity ("500m", "2", 1) in cores."""
    text = str(quantity)
    return int(text[:-1]) / 1000 if text.endswith("m") else float(text)


def enabled_services(values: dict[str, Any]) -> list[str]:
    defaults = values_file("values.yaml")
    all_values = merged(defaults, values)
    return [name for name, svc in all_values["services"].items()
            if merged(all_values["serviceDefaults"], svc or {}).get("enabled", True)]


# --- the rules ------------------------------------------------------------------------------------------------

def security_problems(objects: Objects) -> list[str]:
    """Every pod non-root with seccomp RuntimeDefault; every container without privilege escalation, on a
    read-only root filesystem, with all capabilities dropped and cpu/memory requests and limits."""
    problems = []
    for obj in objects:
        if obj["kind"] not in POD_KINDS:
            continue
        name = f"{obj['kind']}/{obj['metadata']['name']}"
        pod = pod_spec(obj).get("securityContext", {})
        if pod.get("runAsNonRoot") is not True:
            problems.append(f"{name}: pod does not set runAsNonRoot")
        for c in containers(obj):
            where = f"{name} container {c['name']}"
            sc = c.get("securityContext", {})
            seccomp = (sc.get("seccompProfile") or pod.get("seccompProfile") or {}).get("type")
            if seccomp != "RuntimeDefault":
                problems.append(f"{where}: seccomp profile is {seccomp}, not RuntimeDefault")
            if sc.get("allowPrivilegeEscalation") is not False:
                problems.append(f"{where}: privilege escalation not disabled")
            if sc.get("readOnlyRootFilesystem") is not True:
                problems.append(f"{where}: root filesystem is writable")
            if sc.get("privileged"):
                problems.append(f"{where}: privileged")
            if "ALL" not in (sc.get("capabilities") or {}).get("drop", []):
                problems.append(f"{where}: capabilities not all dropped")
            resources = c.get("resources") or {}
            for section in ("requests", "limits"):
                for resource in ("cpu", "memory"):
                    if resource not in (resources.get(section) or {}):
                        problems.append(f"{where}: no {resource} {section}")
    return problems


def service_problems(objects: Objects, services: list[str], *, max_replicas: int = 10) -> list[str]:
    """Per service: API Deployment with probes, Service on 8000, HPA, PDB, ServiceAccount, worker, migration."""
    problems = []
    deployments, svcs = by_kind(objects, "Deployment"), by_kind(objects, "Service")
    hpas, pdbs, jobs = by_kind(objects, "HorizontalPodAutoscaler"), by_kind(objects, "PodDisruptionBudget"), \
        by_kind(objects, "Job")
    accounts = by_kind(objects, "ServiceAccount")
    for name in services:
        api = deployments.get(name)
        if api is None:
            problems.append(f"{name}: no Deployment")
            continue
        labels = api["spec"]["template"]["metadata"]["labels"]
        container = api["spec"]["template"]["spec"]["containers"][0]
        ports = {p["name"]: p["containerPort"] for p in container.get("ports", [])}
        for kind, path in (("startupProbe", "/healthz"), ("livenessProbe", "/healthz"), ("readinessProbe", "/readyz")):
            probe = container.get(kind)
            if probe is None:
                problems.append(f"{name}: no {kind}")
            elif probe.get("httpGet", {}).get("path") != path:
                problems.append(f"{name}: {kind} asks {probe.get('httpGet', {}).get('path')}, not {path}")
            elif probe["httpGet"]["port"] not in ports and probe["httpGet"]["port"] not in ports.values():
                problems.append(f"{name}: {kind} names port {probe['httpGet']['port']}, which the container lacks")
        if env_of(container).get("RUN_EVENT_WORKER", {}).get("value") != "false":
            problems.append(f"{name}: API replicas must run with RUN_EVENT_WORKER=false")
        processes = int(env_of(container).get("WEB_CONCURRENCY", {}).get("value", "1"))  # uvicorn's --workers
        if processes > max(1, math.ceil(cores(container["resources"]["limits"]["cpu"]))):
            problems.append(f"{name}: {processes} uvicorn processes on a pod limited to "
                            f"{container['resources']['limits']['cpu']} CPU (more pods scale it, not processes)")
        service = svcs.get(name)
        if service is None or service["spec"]["ports"][0]["port"] != 8000:
            problems.append(f"{name}: no Service {name}:8000 (kong.yml calls http://{name}:8000)")
        elif any(labels.get(k) != v for k, v in service["spec"]["selector"].items()):
            problems.append(f"{name}: its Service selects no API pod")
        hpa = hpas.get(name)
        if hpa is None:
            problems.append(f"{name}: no HorizontalPodAutoscaler")
        else:
            spec = hpa["spec"]
            targets = {m["resource"]["name"]: m["resource"]["target"]["averageUtilization"] for m in spec["metrics"]}
            if hpa["apiVersion"] != "autoscaling/v2" or spec["scaleTargetRef"]["name"] != name:
                problems.append(f"{name}: HPA is not autoscaling/v2 on Deployment {name}")
            if (spec["minReplicas"], spec["maxReplicas"]) != (2, max_replicas):
                problems.append(f"{name}: HPA scales {spec['minReplicas']}-{spec['maxReplicas']}, not 2-{max_replicas}")
            if targets != {"cpu": 70, "memory": 80}:
                problems.append(f"{name}: HPA targets {targets}, not cpu 70 % / memory 80 %")
        pdb = pdbs.get(name)
        if pdb is None or any(labels.get(k) != v for k, v in pdb["spec"]["selector"]["matchLabels"].items()):
            problems.append(f"{name}: no PodDisruptionBudget covering its pods")
        account = api["spec"]["template"]["spec"].get("serviceAccountName")
        if account not in accounts:
            problems.append(f"{name}: runs as ServiceAccount {account}, which is not rendered")
        worker = deployments.get(f"{name}-worker")
        command = worker and worker["spec"]["template"]["spec"]["containers"][0].get("command")
        if command != ["python", "-m", f"fitjourney_{name}.worker"]:
            problems.append(f"{name}: no worker Deployment running python -m fitjourney_{name}.worker")
        elif "WORKER_METRICS_PORT" not in env_of(worker["spec"]["template"]["spec"]["containers"][0]):
            problems.append(f"{name}: its worker serves no metrics (WORKER_METRICS_PORT)")
        migrate = jobs.get(f"{name}-migrate")
        if migrate is None:
            problems.append(f"{name}: no migration Job")
        else:
            hooks = set(migrate["metadata"]["annotations"]["helm.sh/hook"].split(","))
            job_container = migrate["spec"]["template"]["spec"]["containers"][0]
            if hooks != {"pre-install", "pre-upgrade"}:
                problems.append(f"{name}: migration Job is not a pre-install/pre-upgrade hook")
            if job_container["command"] != ["alembic", "upgrade", "head"]:
                problems.append(f"{name}: migration Job does not run alembic upgrade head")
            if not env_of(job_container)["DATABASE_USER"]["value"].endswith("_owner"):
                problems.append(f"{name}: migrations must run as the schema's owner role")
    return problems


def secret_problems(objects: Objects, secret_name: str = "fitjourney") -> list[str]:
    """No Secret is rendered from values, and every credential is read from the one existing Secret."""
    problems = [f"Secret/{o['metadata']['name']} rendered from values" for o in objects if o["kind"] == "Secret"]
    secretish = ("PASSWORD", "SECRET", "TOKEN", "_KEY")
    for obj in objects:
        if obj["kind"] not in POD_KINDS:
            continue
        for c in containers(obj):
            for var in c.get("env", []):
                ref = var.get("valueFrom", {}).get("secretKeyRef")
                if any(word in var["name"] for word in secretish) and var["name"] != "KEY_DIR":
                    if ref is None:
                        problems.append(f"{obj['metadata']['name']}: {var['name']} is a literal value, not a secret")
                    elif ref["name"] != secret_name:
                        problems.append(f"{obj['metadata']['name']}: {var['name']} read from Secret {ref['name']}")
                netloc = var.get("value", "").partition("://")[2].partition("/")[0]
                password = netloc.rpartition("@")[0].partition(":")[2]
                if password and not re.fullmatch(r"\$\([A-Z_]+\)", password):
                    problems.append(f"{obj['metadata']['name']}: {var['name']} has credentials written into it")
    return problems


def network_problems(objects: Objects, services: list[str], monitoring: str = "monitoring") -> list[str]:
    """APIs reachable only from Kong's pods, and from the monitoring namespace for /metrics."""
    problems = []
    policies = by_kind(objects, "NetworkPolicy")
    deny = [p for p in policies.values() if not p["spec"].get("ingress") and "Ingress" in p["spec"]["policyTypes"]]
    if not deny:
        problems.append("no default-deny ingress NetworkPolicy")
    kong = by_kind(objects, "Deployment").get(f"{RELEASE}-kong")
    kong_labels = kong["spec"]["template"]["metadata"]["labels"] if kong else {}
    for name in services:
        policy = policies.get(f"{name}-api")
        if policy is None:
            problems.append(f"{name}: no NetworkPolicy")
            continue
        for rule in policy["spec"].get("ingress", []):
            for peer in rule.get("from", [{}]):
                pods = peer.get("podSelector", {}).get("matchLabels")
                namespace = peer.get("namespaceSelector", {}).get("matchLabels", {})
                if pods is not None and all(kong_labels.get(k) == v for k, v in pods.items()):
                    continue
                if namespace.get("kubernetes.io/metadata.name") == monitoring and "podSelector" not in peer:
                    continue
                problems.append(f"{name}: NetworkPolicy admits {peer or 'everyone'}, not only Kong and {monitoring}")
    return problems


def kong_problems(objects: Objects) -> list[str]:
    """Kong 3.9 DB-less from the chart, its kong.yml equal to the gateway's, every upstream a rendered Service."""
    problems = []
    kong = by_kind(objects, "Deployment").get(f"{RELEASE}-kong")
    config = by_kind(objects, "ConfigMap").get(f"{RELEASE}-kong-config")
    if kong is None or config is None:
        return ["Kong Deployment or its kong.yml ConfigMap is missing"]
    container = kong["spec"]["template"]["spec"]["containers"][0]
    if not container["image"].startswith("kong:3.9"):
        problems.append(f"Kong image is {container['image']}, not kong:3.9")
    if env_of(container).get("KONG_DATABASE", {}).get("value") != "off":
        problems.append("Kong is not DB-less")
    if config["data"]["kong.yml"].strip() != KONG_YML.read_text().strip():
        problems.append("helm/fitjourney/files/kong.yml differs from gateway/kong/kong.yml: run `make helm-sync`")
    services = {name: o["spec"]["ports"][0]["port"] for name, o in by_kind(objects, "Service").items()}
    for upstream in yaml.safe_load(config["data"]["kong.yml"])["services"]:
        host_port = upstream["url"].split("://", 1)[1].rstrip("/")
        host, _, port = host_port.partition(":")
        if services.get(host) != int(port or 80):
            problems.append(f"kong.yml service {upstream['name']} calls {host_port}, which no rendered Service serves")
    return problems


def backup_problems(objects: Objects, retention_days: int = 30, data_bucket: str = "fitjourney-data") -> list[str]:
    cron = by_kind(objects, "CronJob").get(f"{RELEASE}-postgres-backup")
    if cron is None:
        return ["no PostgreSQL backup CronJob"]
    problems = []
    if (cron["spec"]["schedule"], cron["spec"].get("timeZone")) != ("0 3 * * *", "Etc/UTC"):
        problems.append(f"backup runs at {cron['spec']['schedule']} {cron['spec'].get('timeZone')}, not 03:00 UTC")
    container = pod_spec(cron)["containers"][0]
    env = env_of(container)
    if env.get("BACKUP_RETENTION_DAYS", {}).get("value") != str(retention_days):
        problems.append(f"backup keeps {env.get('BACKUP_RETENTION_DAYS')} days, not {retention_days}")
    if not env.get("BACKUP_URL", {}).get("value", "").startswith("s3://"):
        problems.append("backup does not go to S3")
    elif env["BACKUP_URL"]["value"].startswith(f"s3://{data_bucket}/"):
        problems.append("backups go to the services' data bucket, which the backup role cannot write")
    script = Path(container["command"][-1]).name
    if not (ROOT / "deploy" / "backup" / script).exists():
        problems.append(f"backup runs {script}, which is not in deploy/backup/")
    return problems


def all_problems(objects: Objects, services: list[str], **kwargs: Any) -> list[str]:
    return [*security_problems(objects), *service_problems(objects, services, **kwargs), *secret_problems(objects),
            *network_problems(objects, services), *kong_problems(objects), *backup_problems(objects)]


# --- the chart as shipped ---------------------------------------------------------------------------------------

def test_chart_lints_clean() -> None:
    report = helm_python.lint(CHART, strict=True, namespace=NAMESPACE)
    serious = [m for m in report["messages"] if m["severity"] >= 2]
    assert not report["errors"] and not serious, report


@pytest.mark.parametrize("values_name", ["values.yaml", "values-staging.yaml", "values-production.yaml"])
def test_every_manifest_is_valid_kubernetes(values_name: str) -> None:
    values = merged(values_file(values_name), ALL_ON) if values_name != "values.yaml" else ALL_ON
    objects = render(values)
    errors = []
    for obj in objects:
        if obj["kind"] in CUSTOM_KINDS:
            continue
        try:
            kubernetes_validate.validate(obj, KUBE_VERSION, strict=True)
        except kubernetes_validate.ValidationError as exc:
            errors.append(f"{obj['kind']}/{obj['metadata']['name']}: {exc.message} at {list(exc.path)}")
    assert not errors, errors
    assert {o["kind"] for o in objects} >= {"Deployment", "Service", "HorizontalPodAutoscaler", "PodDisruptionBudget",
                                             "NetworkPolicy", "ServiceAccount", "Job", "CronJob", "ConfigMap",
                                             "ServiceMonitor", "PrometheusRule", "ExternalSecret"}


@pytest.mark.parametrize(("values_name", "max_replicas"),
                         [("values.yaml", 10), ("values-production.yaml", 10), ("values-staging.yaml", 4)])
def test_chart_meets_the_platform_settings(values_name: str, max_replicas: int) -> None:
    values = values_file(values_name) if values_name != "values.yaml" else {}
    objects = render(values)
    services = enabled_services(values)
    assert {"auth", "core", "ai", "analytics"} <= set(services)
    assert all_problems(objects, services, max_replicas=max_replicas) == []


def test_production_pods_use_their_own_iam_role_and_the_managed_backends() -> None:
    values = values_file("values-production.yaml")
    objects = render(values)
    accounts = by_kind(objects, "ServiceAccount")
    for name in ("auth", "core", "ai", "analytics"):
        role = accounts[name]["metadata"]["annotations"]["eks.amazonaws.com/role-arn"]
        assert role.endswith(f":role/fitjourney-production-{name}")
    env = env_of(by_kind(objects, "Deployment")["analytics"]["spec"]["template"]["spec"]["containers"][0])
    assert values["postgresql"]["readHost"] in env["READ_DATABASE_URL"]["value"]
    assert env["REDIS_URL"]["value"].startswith("rediss://") and env["BROKER_URL"]["value"].startswith("amqps://")
    assert by_kind(objects, "ExternalSecret")["fitjourney"]["spec"]["target"]["name"] == "fitjourney"


def test_every_export_waits_for_the_part_of_every_other_service() -> None:
    """Core's API (which starts the export job) and worker both know the services whose part an export needs."""
    objects = render()
    others = sorted(name for name in values_file("values.yaml")["services"] if name != "core")
    for name in ("core", "core-worker"):
        env = env_of(by_kind(objects, "Deployment")[name]["spec"]["template"]["spec"]["containers"][0])
        assert sorted(env["EXPORT_PARTICIPANTS"]["value"].split(",")) == others, name


def test_ai_reads_food_photos_where_core_stores_them() -> None:
    """`food.photo_uploaded` names a key in core's store: ai's object store must be core's prefix."""
    deployments = by_kind(render(), "Deployment")
    core = env_of(deployments["core-worker"]["spec"]["template"]["spec"]["containers"][0])
    for name in ("ai", "ai-worker"):
        env = env_of(deployments[name]["spec"]["template"]["spec"]["containers"][0])
        assert env["OBJECT_STORE_URL"]["value"] == core["OBJECT_STORE_URL"]["value"], name


def test_analytics_reader_role_is_granted_by_cores_owner_after_migrations() -> None:
    job = by_kind(render(), "Job")["analytics-reader-role"]
    assert job["metadata"]["annotations"]["helm.sh/hook-weight"] == "1"  # after the migrations (weight 0)
    container = job["spec"]["template"]["spec"]["containers"][0]
    assert container["command"] == ["fitjourney-analytics", "grant-reader"]
    assert env_of(container)["DATABASE_USER"]["value"] == "fitjourney_core_owner"
    assert env_of(container)["DATABASE_PASSWORD"]["valueFrom"]["secretKeyRef"]["key"] == "core-db-owner-password"


def test_the_database_roles_are_made_before_any_migration_by_the_module_make_migrate_runs() -> None:
    values = values_file("values-production.yaml")
    objects = render(merged(values_file("values.yaml"), values, {
        "secrets": {"externalSecrets": {"postgresAdminRemoteKey": "arn:aws:secretsmanager:rds-master"}}}))
    jobs = by_kind(objects, "Job")
    job = jobs["db-roles"]
    weight = int(job["metadata"]["annotations"]["helm.sh/hook-weight"])
    assert all(weight < int(jobs[f"{name}-migrate"]["metadata"]["annotations"]["helm.sh/hook-weight"])
               for name in enabled_services(values_file("values.yaml")))
    container = job["spec"]["template"]["spec"]["containers"][0]
    assert container["command"][:4] == ["python", "-m", "fitjourney_common.db.roles", "create"]
    assert sorted(container["command"][4:]) == sorted(enabled_services(values_file("values.yaml")))
    env = env_of(container)
    assert set(password_variables(container["command"][4:])) <= set(env)
    assert env["MIGRATE_ADMIN_URL"]["value"].startswith("postgresql://fitjourney_admin:$(POSTGRES_ADMIN_PASSWORD)@")
    assert env["POSTGRES_ADMIN_PASSWORD"]["valueFrom"]["secretKeyRef"]["key"] == "postgres-admin-password"
    # The admin password comes straight from the secret RDS rotates, beside the JSON secret of the rest.
    external = by_kind(objects, "ExternalSecret")["fitjourney"]["spec"]
    assert external["data"] == [{"secretKey": "postgres-admin-password",
                                 "remoteRef": {"key": "arn:aws:secretsmanager:rds-master", "property": "password"}}]
    admin_users = [o["metadata"]["name"] for o in objects if o["kind"] in POD_KINDS for c in containers(o)
                   if any(v.get("valueFrom", {}).get("secretKeyRef", {}).get("key") == "postgres-admin-password"
                          for v in c.get("env", []))]
    assert admin_users == ["db-roles"], "only the db-roles Job may connect as the admin user"


def test_signing_keys_are_made_by_a_hook_and_mounted_read_only_into_auth() -> None:
    objects = render()
    job = by_kind(objects, "Job")[f"{RELEASE}-auth-init-keys"]
    assert set(job["metadata"]["annotations"]["helm.sh/hook"].split(",")) == {"pre-install", "pre-upgrade"}
    steps = [c.get("command") for c in containers(job)]
    assert ["fitjourney-auth", "init-keys"] in steps
    auth = by_kind(objects, "Deployment")["auth"]["spec"]["template"]["spec"]
    mount = next(m for m in auth["containers"][0]["volumeMounts"] if m["name"] == "signing-keys")
    assert mount["readOnly"] is True
    assert next(v for v in auth["volumes"] if v["name"] == "signing-keys")["secret"]["secretName"] == \
        f"{RELEASE}-auth-signing-keys"


def test_kong_yml_copy_in_the_chart_equals_the_gateways() -> None:
    copy_in_chart = CHART / "files" / "kong.yml"
    assert copy_in_chart.read_bytes() == KONG_YML.read_bytes(), \
        "helm/fitjourney/files/kong.yml differs from gateway/kong/kong.yml: run `make helm-sync`"
    alerts = CHART / "files" / "alerts.yml"
    assert alerts.read_bytes() == (ROOT / "deploy/prometheus/alerts.yml").read_bytes(), \
        "helm/fitjourney/files/alerts.yml differs from deploy/prometheus/alerts.yml: run `make helm-sync`"


def test_kong_routes_never_expose_metrics() -> None:
    for upstream in yaml.safe_load(KONG_YML.read_text())["services"]:
        for route in upstream["routes"]:
            for path in route["paths"]:
                assert path.startswith("/api/"), f"route {route['name']} {path} would reach /metrics or /healthz"


# --- each rule catches its mistake ------------------------------------------------------------------------------

@pytest.mark.parametrize(("override", "expected"), [
    ({"serviceDefaults": {"probes": {"readiness": None}}}, "core: no readinessProbe"),
    ({"serviceDefaults": {"probes": {"liveness": {"httpGet": {"path": "/readyz"}}}}},
     "livenessProbe asks /readyz, not /healthz"),
    ({"services": {"core": {"autoscaling": {"maxReplicas": 5}}}}, "core: HPA scales 2-5, not 2-10"),
    ({"services": {"ai": {"autoscaling": {"targetCPUUtilizationPercentage": 90}}}}, "ai: HPA targets"),
    ({"services": {"analytics": {"worker": {"enabled": False}}}}, "analytics: API replicas must run with"),
    ({"services": {"auth": {"migrations": {"enabled": False}}}}, "auth: no migration Job"),
    ({"services": {"core": {"env": {"WEB_CONCURRENCY": "2"}}}}, "core: 2 uvicorn processes on a pod limited to 1 CPU"),
    ({"services": {"core": {"database": {"ownerUser": "fitjourney_core"}}}}, "core: migrations must run as"),
    ({"networkPolicy": {"enabled": False}}, "no default-deny ingress NetworkPolicy"),
    ({"networkPolicy": {"monitoringNamespace": "default"}}, "not only Kong and monitoring"),
    ({"backup": {"schedule": "0 15 * * *"}}, "backup runs at 0 15 * * *"),
    ({"backup": {"retentionDays": 7}}, "backup keeps"),
    ({"backup": {"bucket": "fitjourney-data"}}, "backups go to the services' data bucket"),
    ({"postgresql": {"host": "admin:hunter2@db"}}, "has credentials written into it"),
])
def test_a_broken_setting_is_caught(override: dict[str, Any], expected: str) -> None:
    objects = render(override)
    problems = all_problems(objects, enabled_services(override))
    assert any(expected in p for p in problems), problems


@pytest.mark.parametrize(("field", "value", "expected"), [
    ("readOnlyRootFilesystem", False, "root filesystem is writable"),
    ("allowPrivilegeEscalation", True, "privilege escalation not disabled"),
    ("capabilities", {"drop": ["NET_RAW"]}, "capabilities not all dropped"),
    ("seccompProfile", {"type": "Unconfined"}, "seccomp profile is Unconfined"),
])
def test_an_unsafe_container_is_caught(field: str, value: Any, expected: str) -> None:
    objects = render()
    core = by_kind(objects, "Deployment")["core"]
    core["spec"]["template"]["spec"]["containers"][0]["securityContext"][field] = value
    assert any(expected in p for p in security_problems(objects))


def test_a_container_without_a_memory_limit_is_caught() -> None:
    objects = render()
    del by_kind(objects, "CronJob")[f"{RELEASE}-postgres-backup"]["spec"]["jobTemplate"]["spec"]["template"]["spec"][
        "containers"][0]["resources"]["limits"]["memory"]
    assert f"CronJob/{RELEASE}-postgres-backup container backup: no memory limits" in security_problems(objects)


def test_a_broken_kong_route_is_caught(tmp_path: Path) -> None:
    chart = tmp_path / "fitjourney"
    shutil.copytree(CHART, chart)
    broken = KONG_YML.read_text().replace("url: http://core:8000", "url: http://kore:8000")
    (chart / "files" / "kong.yml").write_text(broken)
    problems = kong_problems(render(chart=chart))
    assert "helm/fitjourney/files/kong.yml differs from gateway/kong/kong.yml: run `make helm-sync`" in problems
    assert any("calls kore:8000, which no rendered Service serves" in p for p in problems), problems


@pytest.mark.parametrize("override", [
    {"services": {"core": {"env": {"JOURNAL_ENCRYPTION_KEY": "c2VjcmV0"}}}},
    {"services": {"auth": {"env": {"FACEBOOK_APP_SECRET": "x"}}}},
    {"serviceDefaults": {"autoscaling": {"minReplicas": 1}}},
    {"kong": {"image": "kong:2.8"}},
    {"services": {"core": {"resources": {"requests": {"cpu": "1", "memory": "1Gi"}, "limits": {"cpu": "1"}}}}},
    {"environment": "dev"},
])
def test_values_schema_refuses_secrets_and_unsafe_settings(override: dict[str, Any]) -> None:
    with pytest.raises(helm_python.HelmValuesError):
        render(override)
