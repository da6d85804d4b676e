"""CPU, run-queue wait and memory of every process of the run (psutil and /proc, once a second, a process with its
children), the whole machine's CPU, and the database's statements from `pg_stat_statements`."""

from __future__ import annotations

import math
import os
import threading
import time
from typing import Any

import psutil

# pg_stat_statements keeps mean and standard deviation, no percentiles: p95 is estimated as mean + 1.645 sd
# (a normal tail), capped at the statement's max. Said so beside the figures.
P95_Z = 1.645


def listening_pid(port: int) -> int | None:
    """The process listening on a local TCP port (the machine's RabbitMQ: beam.smp), None when none is seen."""
    for connection in psutil.net_connections(kind="tcp"):
        if connection.status == psutil.CONN_LISTEN and connection.laddr and connection.laddr.port == port:
            return connection.pid
    return None


def runqueue_wait_seconds(pid: int) -> float:
    """Seconds the process' threads have spent runnable but waiting for a CPU (the kernel's schedstat, second
    field of /proc/<pid>/task/<tid>/schedstat, in ns): what every hop of a request to this process can wait for on
    a machine whose cores are shared. 0.0 where the kernel does not keep it."""
    total = 0
    try:
        for tid in os.listdir(f"/proc/{pid}/task"):
            try:
                with open(f"/proc/{pid}/task/{tid}/schedstat") as stat:
                    total += int(stat.read().split()[1])
            except (OSError, IndexError, ValueError):
                continue
    except OSError:
        return 0.0
    return total / 1e9


class ProcessMonitor:
    """Samples `roles` (role -> pid of the process that owns the role's processes) in a thread."""

    def __init__(self, roles: dict[str, int], interval: float = 1.0) -> None:
        self.roles = roles
        self.interval = interval
        # (time, role, summed cpu % over the role's processes, largest RSS of one process, summed RSS (MiB), summed
        # run-queue wait as % of one second: the time its processes were ready to run but found no free core)
        self.samples: list[tuple[float, str, float, float, float, float]] = []
        self.load: list[tuple[float, float]] = []  # (time, the machine's 1-minute load average)
        # (time, % of all cores busy, % stolen by the hypervisor) since the previous sample: whether the cores were
        # saturated, whoever used them (other people's jobs on a shared machine too).
        self.busy: list[tuple[float, float, float]] = []
        self._known: dict[int, psutil.Process] = {}
        self._waited: dict[int, tuple[float, float]] = {}  # pid -> (time, run-queue seconds) at its last sample
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="bench-monitor", daemon=True)

    def __enter__(self) -> ProcessMonitor:
        psutil.cpu_times_percent(None)  # the first call only sets the baseline
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=10)

    def _processes(self, pid: int) -> list[psutil.Process]:
        try:
            root = self._known.setdefault(pid, psutil.Process(pid))
            family = [root, *root.children(recursive=True)]
        except psutil.NoSuchProcess:
            return []
        return [self._known.setdefault(p.pid, p) for p in family]

    def _loop(self) -> None:
        while not self._stop.is_set():
            now = time.time()
            self.load.append((now, psutil.getloadavg()[0]))
            times = psutil.cpu_times_percent(None)
            self.busy.append((now, 100.0 - times.idle - getattr(times, "iowait", 0.0), getattr(times, "steal", 0.0)))
            for role, pid in list(self.roles.items()):  # run.py adds locust while this runs
                cpu = rss_sum = rss_max = waited = 0.0
                for process in self._processes(pid):
                    try:
                        used = process.cpu_percent(None)  # since this process' previous sample
                        rss = process.memory_info().rss / 2**20
                    except (psutil.NoSuchProcess, psutil.AccessDenied):
                        continue
                    cpu += used
                    rss_sum += rss
                    rss_max = max(rss_max, rss)
                    queued = runqueue_wait_seconds(process.pid)
                    before = self._waited.get(process.pid)
                    self._waited[process.pid] = (now, queued)
                    if before is not None and now > before[0]:
                        waited += 100.0 * (queued - before[1]) / (now - before[0])
                self.samples.append((now, role, cpu, rss_max, rss_sum, waited))
            self._stop.wait(self.interval)

    def window(self, start: float, end: float) -> dict[str, dict[str, float]]:
        """Per role between two wall-clock times: mean and peak CPU (% of one core), mean run-queue wait (% of one
        second: summed over its processes, the time they were runnable but not running) and peak memory (MiB); the
        machine's load average and busy share of all its cores (100 % = every core busy)."""
        result: dict[str, dict[str, float]] = {}
        for role in self.roles:
            picked = [s for s in self.samples if s[1] == role and start <= s[0] <= end]
            if not picked:
                continue
            result[role] = {"cpu_mean_pct": round(sum(s[2] for s in picked) / len(picked), 1),
                            "cpu_max_pct": round(max(s[2] for s in picked), 1),
                            "runqueue_wait_mean_pct": round(sum(s[5] for s in picked) / len(picked), 1),
                            "rss_max_process_mib": round(max(s[3] for s in picked), 1),
                            "rss_max_total_mib": round(max(s[4] for s in picked), 1)}
        loads = [load for at, load in self.load if start <= at <= end]
        busy = [(used, stolen) for at, used, stolen in self.busy if start <= at <= end]
        if loads:
            result["machine"] = {"load_average_mean": round(sum(loads) / len(loads), 1)}
        if busy:
            result.setdefault("machine", {}).update({
                "cpu_busy_mean_pct": round(sum(used for used, _ in busy) / len(busy), 1),
                "cpu_busy_max_pct": round(max(used for used, _ in busy), 1),
                "cpu_steal_mean_pct": round(sum(stolen for _, stolen in busy) / len(busy), 1)})
        return result


def statement_summary(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows of pg_stat_statements (query, calls, mean/stddev/max ms) with an estimated p95, slowest first."""
    result = []
    for row in rows:
        mean, sd, top = float(row["mean_exec_time"]), float(row["stddev_exec_time"]), float(row["max_exec_time"])
        result.append({"query": " ".join(str(row["query"]).split())[:300], "role": row.get("role"),
                       "calls": int(row["calls"]), "mean_ms": round(mean, 3),
                       "p95_est_ms": round(min(top, mean + P95_Z * sd) if not math.isnan(sd) else mean, 3),
                       "max_ms": round(top, 3), "total_ms": round(float(row["total_exec_time"]), 1)})
    return sorted(result, key=lambda row: row["total_ms"], reverse=True)


STATEMENTS_SQL = """
select s.query, r.rolname as role, s.calls, s.mean_exec_time, s.stddev_exec_time, s.max_exec_time,
       s.total_exec_time
from pg_stat_statements s join pg_roles r on r.oid = s.userid
where s.dbid = (select oid from pg_database where datname = current_database())
order by s.total_exec_time desc limit $1
"""
