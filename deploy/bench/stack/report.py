"""Turns a stack run's raw samples into its results: per stage, per endpoint and overall p50/p95/p99/max,
throughput and error rate, `max_sustained_rps`, event pipeline latency, database statements, processes;
and writes them as NEW timestamped files (JSON and a markdown table) under deploy/bench/results/.

Standard library only, so the tests import it without the load tool.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from stages import broke, latency_summary, max_sustained_rps, percentile, sustained

RESULTS_DIR = Path(__file__).resolve().parents[1] / "results"


def stage_results(raw: dict[str, Any]) -> list[dict[str, Any]]:
    """The load tool's samples per stage (as the locustfile dumps them) summarised."""
    results = []
    for stage in raw["stages"]:
        seconds = stage["seconds"] - stage["warmup"]
        names = sorted(set(stage["samples"]) | set(stage["errors"]))
        endpoints = {name: latency_summary(stage["samples"].get(name, []), stage["errors"].get(name, 0), seconds)
                     for name in names}
        every = [ms for name in names for ms in stage["samples"].get(name, [])]
        overall = latency_summary(every, sum(stage["errors"].values()), seconds)
        results.append({"rate": stage["rate"], "users": stage["users"], "seconds_measured": seconds,
                        "window": [stage["measured_from"], stage["measured_to"]], "overall": overall,
                        "sustained": sustained(stage["rate"], overall), "broke": broke(stage["rate"], overall),
                        "endpoints": endpoints})
    return results


def pipeline_summary(samples: Sequence[tuple[float, float | None, str]],
                     window: tuple[float, float] | None = None) -> dict[str, Any]:
    """p50/p95/p99/max of the latencies of samples sent inside `window` (all when None); timeouts counted."""
    picked = [s for s in samples if window is None or window[0] <= s[0] <= window[1]]
    done = [ms for _, ms, _ in picked if ms is not None]
    statuses: dict[str, int] = {}
    for _, _, status in picked:
        statuses[status] = statuses.get(status, 0) + 1
    return {"n": len(picked), "timeouts": len(picked) - len(done), "statuses": statuses,
            "p50_ms": round(percentile(done, 50), 1), "p95_ms": round(percentile(done, 95), 1),
            "p99_ms": round(percentile(done, 99), 1), "max_ms": round(max(done), 1) if done else None}


def assemble(*, meta: dict[str, Any], stages: list[dict[str, Any]], stopped_because: str | None,
             logins: dict[str, Any], pipelines: dict[str, Any], processes: dict[str, Any],
             statements: list[dict[str, Any]], examples: dict[str, list[str]],
             during_logins: dict[str, Any] | None = None,
             hops: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    return {**meta, "max_sustained_rps": max_sustained_rps((s["rate"], s["overall"]) for s in stages),
            "stopped_because": stopped_because, "stages": stages, "logins": logins, "during_logins": during_logins,
            "event_pipelines": pipelines, "pipeline_hops": hops or [], "processes": processes,
            "db_statements": statements, "error_examples": examples}


def _ms(value: Any) -> str:
    return "-" if value is None or value != value else f"{value:,.1f}"


def _rate(value: float | None) -> str:
    return "none (not even the first stage)" if value is None else f"{value:.0f} requests/s"


def markdown(result: dict[str, Any]) -> str:
    """The run as tables: stages, endpoints of the last sustained stage (else the first), pipelines,
    logins, processes, slowest statements."""
    lines = [f"# Stack benchmark {result['started_at']}", "",
             f"`{result['command']}` on {result['machine']}. {result.get('note', '')}".rstrip(), "",
             f"Data: {result['data']}.", "",
             *([f"uvicorn processes per API: {', '.join(f'{k} {v}' for k, v in result['api_workers'].items())}.", ""]
               if result.get("api_workers") else []),
             *([f"Phases (s): {', '.join(f'{k} {v}' for k, v in result['phases_seconds'].items())}.", ""]
               if result.get("phases_seconds") else []),
             f"**max_sustained_rps: {_rate(result['max_sustained_rps'])}** (p99 < 100 ms, no errors, offered rate "
             "reached)"
             + (f"; stepping stopped after the {result['stopped_because']}" if result["stopped_because"] else ""),
             "", "| offered req/s | people | achieved req/s | p50 ms | p95 ms | p99 ms | max ms | errors | held |",
             "|---:|---:|---:|---:|---:|---:|---:|---:|:--|"]
    for stage in result["stages"]:
        o = stage["overall"]
        lines.append(f"| {stage['rate']:.0f} | {stage['users']} | {o['rps']:.1f} | {_ms(o['p50_ms'])} | "
                     f"{_ms(o['p95_ms'])} | {_ms(o['p99_ms'])} | {_ms(o['max_ms'])} | "
                     f"{o['errors']} ({o['error_rate']:.2%}) | {'yes' if stage['sustained'] else 'no'} |")
    lines += _waits(result)
    shown = next((s for s in reversed(result["stages"]) if s["sustained"]), result["stages"][0] if result["stages"]
                 else None)
    if shown is not None:
        lines += ["", f"Per endpoint at {shown['rate']:.0f} requests/s offered:", "",
                  "| endpoint | req/s | p50 ms | p95 ms | p99 ms | max ms | errors |",
                  "|---|---:|---:|---:|---:|---:|---:|"]
        for name, e in sorted(shown["endpoints"].items(), key=lambda item: -item[1]["requests"]):
            lines.append(f"| `{name}` | {e['rps']:.1f} | {_ms(e['p50_ms'])} | {_ms(e['p95_ms'])} | "
                         f"{_ms(e['p99_ms'])} | {_ms(e['max_ms'])} | {e['errors']} |")
    lines += ["", "| event pipeline (request → user notified) | n | p50 ms | p95 ms | p99 ms | max ms | timeouts "
              "| results |", "|---|---:|---:|---:|---:|---:|---:|---|"]
    for name, p in result["event_pipelines"].items():
        overall = p["overall"]
        lines.append(f"| {name} | {overall['n']} | {_ms(overall['p50_ms'])} | {_ms(overall['p95_ms'])} | "
                     f"{_ms(overall['p99_ms'])} | {_ms(overall['max_ms'])} | {overall['timeouts']} | "
                     f"{', '.join(f'{k}: {v}' for k, v in overall['statuses'].items())} |")
    if result.get("pipeline_hops"):
        lines += ["", "Every workout and photo of the load, hop by hop (the pipelines' own timestamps):", "",
                  "| pipeline | hop | n | p50 ms | p95 ms | p99 ms |", "|---|---|---:|---:|---:|---:|"]
        lines += [f"| {h.get('pipeline', 'workout → calories')} | {h['hop']} | {h['n']} | {_ms(h['p50_ms'])} | "
                  f"{_ms(h['p95_ms'])} | {_ms(h['p99_ms'])} |" for h in result["pipeline_hops"]]
    recognition = result.get("food_recognition")
    if recognition and not recognition.get("available"):
        lines += ["", f"**Photo recognition was not measured**: the ai worker had no food model "
                  f"({recognition.get('reason')}). A photo was answered `unavailable` without any classification; "
                  "those answers are counted apart, never as recognitions."]
    elif recognition:
        lines += ["", f"Photos recognised by the food model {recognition.get('model_version')} "
                  f"({recognition.get('model_uri') or 'FOOD_MODEL_URI'})."]
    login = result["logins"]
    lines += ["", f"Logins (bcrypt cost 12, {login['concurrency']} at once, before the load): "
              f"{login['logins_per_s']} per second, {login.get('per_core_s', '-')} per second per busy core "
              f"of auth; p50 {_ms(login['p50_ms'])} ms, p95 {_ms(login['p95_ms'])} ms; {login['failures']} failed."]
    lines += _during_logins(result)
    lines += _processes(result)
    lines += ["", "Slowest statements by total time (pg_stat_statements over the load; p95 estimated as "
              "mean + 1.645 sd, capped at max):", "", "| calls | mean ms | p95 ms (est.) | max ms | statement |",
              "|---:|---:|---:|---:|---|"]
    for row in result["db_statements"][:12]:
        query = row["query"][:120].replace("|", "\\|")
        lines.append(f"| {row['calls']} | {row['mean_ms']} | {row['p95_est_ms']} | {row['max_ms']} | `{query}` |")
    return "\n".join(lines) + "\n"


def _processes(result: dict[str, Any]) -> list[str]:
    """Each process' CPU and memory in the last stage, its CPU time per answered request, their sum, and how busy
    the whole machine was (the sum is the stack's; the rest of the busy share is anyone else's)."""
    last = dict(result["processes"].get("last_stage", {}))
    machine = last.pop("machine", None)
    rps = float(result["stages"][-1]["overall"]["rps"]) if result["stages"] else 0.0
    lines = ["", "| process | CPU mean % (last stage) | CPU ms per request | waiting for a core, ms per request "
             "| CPU max % | RSS max of one process MiB | RSS total MiB |", "|---|---:|---:|---:|---:|---:|---:|"]
    for role, figures in last.items():
        waited = figures.get("runqueue_wait_mean_pct", 0.0)
        lines.append(f"| {role} | {figures['cpu_mean_pct']} | {cpu_ms_per_request(figures['cpu_mean_pct'], rps)} | "
                     f"{cpu_ms_per_request(waited, rps)} | {figures['cpu_max_pct']} | "
                     f"{figures['rss_max_process_mib']} | {figures['rss_max_total_mib']} |")
    cpu = round(sum(figures["cpu_mean_pct"] for figures in last.values()), 1)
    waited = round(sum(figures.get("runqueue_wait_mean_pct", 0.0) for figures in last.values()), 1)
    # No memory sum: RSS counts PostgreSQL's shared buffers once per backend.
    lines.append(f"| **all of them** | **{cpu}** | **{cpu_ms_per_request(cpu, rps)}** | "
                 f"**{cpu_ms_per_request(waited, rps)}** | | | |")
    cores = result.get("nproc", 2)
    if machine and "cpu_busy_mean_pct" in machine:
        lines.append(f"\nThe whole machine during the last stage: {machine['cpu_busy_mean_pct']} % of its {cores} "
                     f"cores busy on average ({machine['cpu_busy_max_pct']} % at most in a second; the processes "
                     f"above: {cpu / cores:.1f} %), {machine['cpu_steal_mean_pct']} % stolen by the hypervisor; load "
                     f"average (1 min) {machine.get('load_average_mean', '-')}.")
    elif machine:
        lines.append(f"\nThe machine's load average (1 min) during the last stage: {machine['load_average_mean']} "
                     f"on {cores} cores.")
    return lines


def _waits(result: dict[str, Any]) -> list[str]:
    """Per stage, the stack's CPU per request beside the time its processes spent ready to run with no core free
    (the kernel's run-queue wait), and how busy the machine was: a request crosses Locust, an API, Redis and
    PostgreSQL several times, and every crossing can wait for a core."""
    rows = []
    for stage in result["stages"]:
        figures = dict(result["processes"].get(f"{stage['rate']:.0f}", {}))
        machine = figures.pop("machine", {})
        rps = float(stage["overall"]["rps"])
        if not figures or not rps:
            continue
        cpu = sum(f["cpu_mean_pct"] for f in figures.values())
        waited = sum(f.get("runqueue_wait_mean_pct", 0.0) for f in figures.values())
        rows.append(f"| {stage['rate']:.0f} | {_ms(stage['overall']['p50_ms'])} | {cpu_ms_per_request(cpu, rps)} | "
                    f"{cpu_ms_per_request(waited, rps)} | {machine.get('cpu_busy_mean_pct', '-')} | "
                    f"{machine.get('load_average_mean', '-')} |")
    if not rows:
        return []
    return ["", "Per stage, the run's processes (Locust included) summed: CPU, and time ready to run but waiting for "
            "a core (/proc schedstat), per answered request:", "",
            "| offered req/s | p50 ms | CPU ms per request | waiting for a core, ms per request | machine busy % "
            "| load average |", "|---:|---:|---:|---:|---:|---:|", *rows]


def cpu_ms_per_request(cpu_pct: float, rps: float) -> str:
    """CPU time a process spent per answered request: % of one core over requests a second."""
    return f"{cpu_pct * 10 / rps:.2f}" if rps else "-"


def _during_logins(result: dict[str, Any]) -> list[str]:
    """The stage run again while people signed in nonstop, endpoint by endpoint beside the plain stage."""
    during = result.get("during_logins")
    plain = next((s for s in result["stages"] if during and s["rate"] == during["rate"]), None)
    if not during or not during.get("stage") or plain is None:
        return []
    storm, loaded = during["logins"], during["stage"]
    lines = ["", f"The {during['rate']:.0f} requests/s stage again while people signed in nonstop "
             f"({storm['concurrency']} at once: {storm['logins']} logins, {storm['logins_per_s']} per second, "
             f"p50 {_ms(storm['p50_ms'])} ms, {storm['failures']} failed):", "",
             "| endpoint | p50 ms | p50 ms with sign-ins | p99 ms | p99 ms with sign-ins | errors with sign-ins |",
             "|---|---:|---:|---:|---:|---:|"]
    rows = [("all", plain["overall"], loaded["overall"]),
            *((name, e, loaded["endpoints"].get(name)) for name, e in
              sorted(plain["endpoints"].items(), key=lambda item: -item[1]["requests"]))]
    for name, before, after in rows:
        if after is None:
            continue
        lines.append(f"| {'**all**' if name == 'all' else f'`{name}`'} | {_ms(before['p50_ms'])} | "
                     f"{_ms(after['p50_ms'])} | {_ms(before['p99_ms'])} | {_ms(after['p99_ms'])} | "
                     f"{after['errors']} |")
    return lines


def write(result: dict[str, Any], name: str, directory: Path = RESULTS_DIR) -> tuple[Path, Path]:
    """New files `<name>-<UTC time>.json` and `.md`; an existing file is never touched."""
    directory.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    for attempt in range(100):
        stem = f"{name}-{stamp}" + (f"-{attempt}" if attempt else "")
        json_path, md_path = directory / f"{stem}.json", directory / f"{stem}.md"
        if not json_path.exists() and not md_path.exists():
            break
    else:
        raise FileExistsError(f"no free name for {name}-{stamp} in {directory}")
    with json_path.open("x") as handle:
        handle.write(json.dumps(result, indent=1, default=str) + "\n")
    with md_path.open("x") as handle:
        handle.write(markdown(result))
    return json_path, md_path
