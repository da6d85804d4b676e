"""The stack benchmark's cheap parts (deploy/bench/stack): the stepping plan and its verdicts, and the results
writer (new files every run, never an existing one touched). The load run itself is `make bench`."""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench" / "stack"))
import report
import stages


def overall(p99: float, errors: int = 0, rps: float = 100.0) -> dict[str, float | int]:
    requests = int(rps * 50)
    return {"requests": requests, "errors": errors, "error_rate": errors / requests, "rps": rps, "p50_ms": 5.0,
            "p95_ms": p99 / 2, "p99_ms": p99, "max_ms": p99 * 2, "mean_ms": 6.0}


def test_the_plan_rises_and_each_stage_gets_the_people_its_rate_needs():
    plan = stages.plan([50, 100, 200], seconds=60, warmup=10)
    assert [stage.users for stage in plan] == [46, 92, 184]  # 1.09 requests/s a person
    assert stages.stage_at(plan, 0) == 0 and stages.stage_at(plan, 61) == 1 and stages.stage_at(plan, 180) is None
    with pytest.raises(ValueError, match="rise"):
        stages.plan([100, 50], seconds=60, warmup=10)
    with pytest.raises(ValueError, match="warm-up"):
        stages.plan([100], seconds=10, warmup=10)


def test_percentiles_interpolate_between_ranks():
    samples = list(range(1, 101))
    assert stages.percentile(samples, 50) == pytest.approx(50.5)
    assert stages.percentile(samples, 99) == pytest.approx(99.01)
    assert math.isnan(stages.percentile([], 50))
    summary = stages.latency_summary([10.0, 20.0, 30.0], errors=1, seconds=2)
    assert summary["requests"] == 4 and summary["error_rate"] == 0.25 and summary["rps"] == 2.0


def test_a_stage_is_sustained_only_under_100_ms_p99_without_errors_at_the_offered_rate():
    assert stages.sustained(100, overall(p99=80))
    assert not stages.sustained(100, overall(p99=120))
    assert not stages.sustained(100, overall(p99=80, errors=1))
    assert not stages.sustained(100, overall(p99=80, rps=70))  # the people waited: less was sent
    assert stages.max_sustained_rps([(50, overall(40)), (100, overall(90)), (150, overall(300))]) == 100
    assert stages.max_sustained_rps([(50, overall(400))]) is None


def test_stepping_stops_on_errors_on_a_p99_past_a_second_or_on_a_rate_not_reached():
    assert stages.broke(100, overall(p99=300)) is None  # slow, not yet broken: step on
    assert "error rate" in stages.broke(100, overall(p99=50, errors=60))
    assert "p99" in stages.broke(100, overall(p99=1500))
    assert "reached" in stages.broke(100, overall(p99=50, rps=60))


def raw_run() -> dict:
    def stage(rate: float, ms: float) -> dict:
        return {"rate": rate, "users": stages.users_for(rate), "seconds": 20, "warmup": 5, "measured_from": 1.0,
                "measured_to": 16.0, "samples": {"GET /summary/daily": [ms] * int(rate * 15)},
                "errors": {"POST /workouts": 0}}
    return {"stages": [stage(10, 20.0), stage(20, 150.0)], "stopped_because": None}


def test_the_writer_makes_new_files_with_the_figures_and_never_touches_old_ones(tmp_path):
    results = report.stage_results(raw_run())
    pipelines = {"workout → calories visible": {"overall": report.pipeline_summary([(2.0, 120.0, "estimated"),
                                                                                  (3.0, None, "timeout")])}}
    result = report.assemble(
        meta={"started_at": "2026-12-07T08:00:00+00:00", "command": "make bench-quick", "machine": "2 cores",
              "data": "3 people"}, stages=results, stopped_because=None, pipelines=pipelines, statements=[],
        logins={"concurrency": 8, "logins_per_s": 7.5, "per_core_s": 4.0, "p50_ms": 250.0, "p95_ms": 300.0,
                "failures": 0}, processes={"last_stage": {
                    "core api": {"cpu_mean_pct": 50.0, "cpu_max_pct": 80.0, "rss_max_process_mib": 150.0,
                                 "rss_max_total_mib": 300.0, "runqueue_wait_mean_pct": 8.0},
                    "rabbitmq (the machine's, shared)": {"cpu_mean_pct": 10.0, "cpu_max_pct": 20.0,
                                                         "rss_max_process_mib": 120.0, "rss_max_total_mib": 125.0},
                    "machine": {"load_average_mean": 3.5, "cpu_busy_mean_pct": 90.0, "cpu_busy_max_pct": 100.0,
                                "cpu_steal_mean_pct": 1.5}},
                    "20": {"core api": {"cpu_mean_pct": 50.0, "cpu_max_pct": 80.0, "rss_max_process_mib": 150.0,
                                        "rss_max_total_mib": 300.0, "runqueue_wait_mean_pct": 8.0},
                           "machine": {"load_average_mean": 3.5, "cpu_busy_mean_pct": 90.0}}}, examples={})
    assert result["max_sustained_rps"] == 10.0
    assert results[0]["endpoints"]["GET /summary/daily"]["p99_ms"] == 20.0 and results[1]["sustained"] is False

    first = report.write(result, "stack-quick", tmp_path)
    second = report.write(result, "stack-quick", tmp_path)
    assert len({*first, *second}) == 4  # same second, still new files
    assert json.loads(first[0].read_text())["max_sustained_rps"] == 10.0
    table = first[1].read_text()
    # CPU and time waiting for a core per answered request (the last stage answered 20 a second), the processes
    # together (a process without the kernel's figure counts as 0 waited), the machine's cores
    assert "| core api | 50.0 | 25.00 | 4.00 | 80.0 | 150.0 | 300.0 |" in table
    assert "| rabbitmq (the machine's, shared) | 10.0 | 5.00 | 0.00 |" in table
    assert "| **all of them** | **60.0** | **30.00** | **4.00** | | | |" in table
    assert "| 20 | 150.0 | 25.00 | 4.00 | 90.0 | 3.5 |" in table  # per stage: p50, CPU, waited, machine busy, load
    assert "90.0 % of its 2 cores busy on average" in table and "the processes above: 30.0 %" in table
    assert "**max_sustained_rps: 10 requests/s**" in table and "| `GET /summary/daily` |" in table
    assert "| workout → calories visible | 2 | 120.0 | 120.0 | 120.0 | 120.0 | 1 | estimated: 1, timeout: 1 |" in table


def test_the_stage_under_sign_ins_is_shown_endpoint_by_endpoint_beside_the_plain_one():
    plain = report.stage_results(raw_run())
    loaded_run = raw_run()
    loaded_run["stages"][0]["samples"]["GET /summary/daily"] = [35.0] * 150
    loaded = report.stage_results({"stages": loaded_run["stages"][:1]})[0]
    storm = {"concurrency": 4, "logins": 40, "logins_per_s": 3.9, "p50_ms": 1010.0, "p95_ms": 1200.0, "failures": 0}
    result = report.assemble(
        meta={"started_at": "2026-12-07T11:00:00+00:00", "command": "make bench-quick", "machine": "2 cores",
              "data": "3 people"}, stages=plain, stopped_because=None, pipelines={}, statements=[],
        logins={"concurrency": 8, "logins_per_s": 7.5, "per_core_s": 4.0, "p50_ms": 250.0, "p95_ms": 300.0,
                "failures": 0}, processes={}, examples={},
        during_logins={"rate": 10.0, "stage": loaded, "logins": storm})
    table = report.markdown(result)
    assert "The 10 requests/s stage again while people signed in nonstop (4 at once: 40 logins, 3.9 per second" in table
    assert "| `GET /summary/daily` | 20.0 | 35.0 | 20.0 | 35.0 | 0 |" in table
    assert json.loads(json.dumps(result, default=str))["during_logins"]["logins"]["logins"] == 40


def test_a_second_run_takes_every_port_from_its_own_hundred():
    import processes

    assert processes.Ports.from_base(9400, redis=6414) == processes.Ports()  # the defaults are the 94xx layout
    ports = processes.Ports.from_base(9600)
    every = [ports.postgres, ports.redis, ports.moto, ports.smtp, ports.rabbitmq, ports.rabbitmq + 1,
             *ports.api.values(), *ports.worker_metrics.values()]
    assert len(set(every)) == len(every) and all(9600 < port < 9700 for port in every)


def test_each_api_runs_the_uvicorn_processes_asked_for_and_a_misspelt_service_is_refused():
    import processes

    assert processes.api_workers("core=3, auth=1") == {"core": 3, "auth": 1}
    for wrong in ("cor=2", "core=0", "core", "core=two"):
        with pytest.raises(ValueError, match="<service>=<processes>"):
            processes.api_workers(wrong)


def test_photos_answered_without_a_model_are_never_reported_as_recognitions():
    unavailable = [(2.0, 300.0, "unavailable")]
    result = report.assemble(
        meta={"started_at": "2026-12-07T08:00:00+00:00", "command": "make bench-quick", "machine": "2 cores",
              "data": "3 people", "food_recognition": {"available": False, "reason": "no model here"}},
        stages=[], stopped_because=None, statements=[], examples={}, processes={},
        logins={"concurrency": 8, "logins_per_s": 7.5, "p50_ms": 250.0, "p95_ms": 300.0, "failures": 0},
        pipelines={"photo → recognition visible": {"overall": report.pipeline_summary([])},
                   "photo → answer without a recognition": {"overall": report.pipeline_summary(unavailable)}},
        hops=[{"pipeline": "workout → calories", "hop": "core outbox → ai consumer starts", "n": 1, "p50_ms": 20.0,
               "p95_ms": 30.0, "p99_ms": 40.0}])
    table = report.markdown(result)
    assert "| photo → recognition visible | 0 | - | - | - | - | 0 |  |" in table
    assert "| photo → answer without a recognition | 1 | 300.0 |" in table
    assert "**Photo recognition was not measured**: the ai worker had no food model (no model here)" in table
    assert "| workout → calories | core outbox → ai consumer starts | 1 | 20.0 | 30.0 | 40.0 |" in table


def test_the_time_a_process_waited_for_a_core_is_read_from_the_kernel_and_a_gone_process_waited_none():
    import os

    import monitor

    waited = monitor.runqueue_wait_seconds(os.getpid())
    assert waited >= 0.0 and math.isfinite(waited)
    assert monitor.runqueue_wait_seconds(2**22 + 1) == 0.0  # above the kernel's pid_max: no such process
