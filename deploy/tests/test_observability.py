"""Grafana dashboards and alert rules ask only for metrics the services really export (read from the Prometheus
registry after importing every service module), alert rules behave on real series (promtool), and the
OpenTelemetry Collector's pipelines are wired; each check is shown catching its mistake."""

from __future__ import annotations

import importlib
import json
import pkgutil
import re
import shutil
import subprocess
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml
from prometheus_client import REGISTRY

ROOT = Path(__file__).resolve().parents[2]
DASHBOARDS = ROOT / "deploy" / "grafana" / "dashboards"
PROMETHEUS = ROOT / "deploy" / "prometheus"
OTEL = ROOT / "deploy" / "otel-collector" / "config.yaml"
# Metrics of the exporters that are not ours, by the Prometheus job that scrapes them (prometheus.yml).
EXTERNAL = {
    "up": None,  # Prometheus' own per-target series
    "kong_http_requests_total": "kong",  # Kong's prometheus plugin
    "rabbitmq_detailed_queue_messages_ready": "rabbitmq",  # RabbitMQ's rabbitmq_prometheus plugin
    "rabbitmq_detailed_queue_messages_unacked": "rabbitmq",
}
SUFFIXES = {"counter": ("_total", "_created"), "histogram": ("_bucket", "_count", "_sum", "_created"),
            "summary": ("", "_count", "_sum", "_created"), "gauge": ("",), "info": ("_info",),
            "stateset": ("",), "gaugehistogram": ("_bucket", "_gcount", "_gsum"), "unknown": ("",)}
PROMQL_WORDS = {"by", "without", "on", "ignoring", "group_left", "group_right", "and", "or", "unless", "offset",
                "bool", "inf", "nan"}


@cache
def exported_metrics() -> frozenset[str]:
    """Every series name the platform's code registers, found by importing each module of each package."""
    services = sorted(p.name for service in (ROOT / "services").iterdir() if not service.name.startswith("_")
                      for p in service.glob("fitjourney_*") if (p / "__init__.py").exists())
    packages = ["fitjourney_common", *services]
    for package in packages:
        root = importlib.import_module(package)
        for module in pkgutil.walk_packages(root.__path__, f"{package}."):
            if module.name.rsplit(".", 1)[-1] != "__main__":
                try:
                    importlib.import_module(module.name)
                except ImportError:
                    continue  # an optional extra (torch) that is not installed: its metrics are not counted
    names = set()
    for family in REGISTRY.collect():
        names |= {family.name + suffix for suffix in SUFFIXES.get(family.type, ("",))}
    return frozenset(names)


def metric_names(expr: str) -> set[str]:
    """The metric names a PromQL expression selects (not functions, keywords, labels or durations)."""
    stripped = re.sub(r'"(?:[^"\\]|\\.)*"', '""', expr)  # label values
    stripped = re.sub(r"\{[^}]*\}", " ", stripped)  # label matchers
    stripped = re.sub(r"\[[^\]]*\]", " ", stripped)  # ranges
    stripped = re.sub(r"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", " ", stripped)
    names = set()
    for match in re.finditer(r"[a-zA-Z_:][a-zA-Z0-9_:]*", stripped):
        followed_by = stripped[match.end():].lstrip()[:1]
        word = match.group()
        if followed_by != "(" and word.lower() not in PROMQL_WORDS and not word.startswith("$"):
            names.add(word)
    return names


def dashboard_files() -> list[Path]:
    return sorted(DASHBOARDS.glob("*.json"))


def panel_queries(dashboard: dict[str, Any]) -> list[tuple[str, str]]:
    return [(panel["title"], target["expr"]) for panel in dashboard["panels"] for target in panel.get("targets", [])]


def unknown_metric_problems(queries: list[tuple[str, str]]) -> list[str]:
    known = exported_metrics() | set(EXTERNAL)
    return [f"{where}: {name} is exported by nothing" for where, expr in queries
            for name in sorted(metric_names(expr) - known)]


def alert_queries() -> list[tuple[str, str]]:
    rules = yaml.safe_load((PROMETHEUS / "alerts.yml").read_text())
    return [(rule["alert"], rule["expr"]) for group in rules["groups"] for rule in group["rules"]]


# --- dashboards -------------------------------------------------------------------------------------------------

def test_the_metric_parser_finds_metrics_and_skips_the_rest() -> None:
    expr = ('histogram_quantile(0.95, sum by (service, le) (rate(http_request_duration_seconds_bucket'
            '{service=~"$service", route!="/healthz"}[$__rate_interval]))) / on (service) group_left db_pool_size')
    assert metric_names(expr) == {"http_request_duration_seconds_bucket", "db_pool_size"}


def test_the_services_export_what_the_design_asks_for() -> None:
    assert {"http_requests_total", "http_request_duration_seconds_bucket", "event_lag_seconds_bucket",
            "outbox_pending", "db_pool_checked_out", "cache_requests_total", "events_consumed_total",
            "business_events_total"} <= exported_metrics()


def test_every_dashboard_panel_asks_for_exported_metrics() -> None:
    assert len(dashboard_files()) >= 3
    for path in dashboard_files():
        queries = panel_queries(json.loads(path.read_text()))
        assert queries, f"{path.name} has no queries"
        assert unknown_metric_problems(queries) == [], path.name


def test_a_misspelled_metric_in_a_panel_is_caught() -> None:
    queries = [("Requests", 'sum(rate(http_request_total{service="core"}[5m]))')]
    assert unknown_metric_problems(queries) == ["Requests: http_request_total is exported by nothing"]


def test_external_metrics_come_from_scraped_exporters() -> None:
    scraped = {job["job_name"] for job in yaml.safe_load((PROMETHEUS / "prometheus.yml").read_text())["scrape_configs"]}
    for name, job in EXTERNAL.items():
        assert job is None or job in scraped, f"{name} needs the {job} exporter scraped"


def test_dashboards_cover_the_design_and_are_well_formed() -> None:
    uids, everything = set(), ""
    datasource = yaml.safe_load((ROOT / "deploy/grafana/provisioning/datasources/prometheus.yml").read_text())
    source_uid = datasource["datasources"][0]["uid"]
    for path in dashboard_files():
        dashboard = json.loads(path.read_text())
        assert dashboard["uid"] not in uids
        uids.add(dashboard["uid"])
        ids = [panel["id"] for panel in dashboard["panels"]]
        assert len(ids) == len(set(ids)), f"{path.name}: duplicate panel ids"
        for panel in dashboard["panels"]:
            assert panel["datasource"]["uid"] == source_uid, f"{path.name}: {panel['title']} has another source"
            assert {"x", "y", "w", "h"} <= set(panel["gridPos"])
        everything += json.dumps(dashboard)
    # request rate/latency/errors per service and route, event lag and queue depth, DB pool, cache, business
    for metric in ("http_requests_total", "http_request_duration_seconds_bucket", "event_lag_seconds_bucket",
                   "rabbitmq_detailed_queue_messages_ready", "outbox_pending", "db_pool_checked_out",
                   "cache_requests_total", "fitjourney_active_users", "business_events_total"):
        assert metric in everything, f"no dashboard shows {metric}"
    assert "by (service, route)" in everything


def test_grafana_in_compose_is_provisioned_from_the_repository() -> None:
    grafana = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]["grafana"]
    mounts = " ".join(grafana["volumes"])
    assert "./deploy/grafana/provisioning:/etc/grafana/provisioning" in mounts
    provider = yaml.safe_load((ROOT / "deploy/grafana/provisioning/dashboards/fitjourney.yml").read_text())
    assert f"./deploy/grafana/dashboards:{provider['providers'][0]['options']['path']}" in mounts


# --- alert rules ------------------------------------------------------------------------------------------------

def test_every_alert_asks_for_exported_metrics() -> None:
    assert unknown_metric_problems(alert_queries()) == []
    alerts = {name for name, _ in alert_queries()}
    assert {"HighErrorRate", "SlowResponses", "DatabasePoolSaturated", "ServiceDown"} <= alerts


def promtool() -> str:
    found = shutil.which("promtool")
    if found is None:
        pytest.skip("promtool is not installed: `make promtool` (Debian's prometheus package)")
    return found


def test_alert_rules_fire_on_the_right_series() -> None:
    result = subprocess.run([promtool(), "test", "rules", "alerts.test.yml"], cwd=PROMETHEUS, capture_output=True,
                            text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_broken_alert_rule_is_caught(tmp_path: Path) -> None:
    tool = promtool()
    shutil.copy(PROMETHEUS / "alerts.test.yml", tmp_path)
    # A threshold typo: 50 % instead of 5 % would let core's 10 % errors pass silently.
    (tmp_path / "alerts.yml").write_text((PROMETHEUS / "alerts.yml").read_text().replace("> 0.05", "> 0.5"))
    result = subprocess.run([tool, "test", "rules", "alerts.test.yml"], cwd=tmp_path, capture_output=True,
                            text=True, check=False)
    assert result.returncode != 0 and "HighErrorRate" in result.stdout + result.stderr


# --- OpenTelemetry Collector ------------------------------------------------------------------------------------

def collector_problems(config: dict[str, Any]) -> list[str]:
    problems = []
    service = config["service"]
    for name, pipeline in service["pipelines"].items():
        for kind in ("receivers", "processors", "exporters"):
            for component in pipeline.get(kind, []):
                if component not in (config.get(kind) or {}):
                    problems.append(f"pipeline {name} uses {kind[:-1]} {component}, which is not defined")
        processors = pipeline.get("processors", [])
        if processors[:1] != ["memory_limiter"] or processors[-1:] != ["batch"]:
            problems.append(f"pipeline {name}: memory_limiter must come first and batch last")
    for extension in service.get("extensions", []):
        if extension not in (config.get("extensions") or {}):
            problems.append(f"extension {extension} is not defined")
    return problems


def test_collector_pipelines_are_wired_to_what_compose_runs() -> None:
    config = yaml.safe_load(OTEL.read_text())
    assert collector_problems(config) == []
    assert "traces" in config["service"]["pipelines"]
    services = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]
    assert services["core"]["environment"]["OTLP_ENDPOINT"] == "http://otel-collector:4318"
    assert config["receivers"]["otlp"]["protocols"]["http"]["endpoint"].endswith(":4318")
    jaeger_host = config["exporters"]["otlp/jaeger"]["endpoint"].split(":")[0]
    assert jaeger_host in services and services[jaeger_host]["environment"]["COLLECTOR_OTLP_ENABLED"] == "true"


def test_a_miswired_collector_is_caught() -> None:
    config = yaml.safe_load(OTEL.read_text())
    config["service"]["pipelines"]["traces"]["processors"] = ["batch", "tail_sampling"]
    problems = collector_problems(config)
    assert "pipeline traces uses processor tail_sampling, which is not defined" in problems
    assert "pipeline traces: memory_limiter must come first and batch last" in problems
