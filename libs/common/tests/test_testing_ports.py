"""free_port, the ports test servers are started on: never the same one twice while servers start together."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from fitjourney_common.testing import ports


def test_servers_started_from_threads_at_once_get_different_ports_of_the_range(
        monkeypatch: pytest.MonkeyPatch) -> None:
    base = 29500
    monkeypatch.setenv(ports.PORT_BASE_VARIABLE, str(base))
    monkeypatch.setattr(ports, "_handed_out", set())
    for _ in range(12):  # 96 ports: the range of 100 is not used up, which would start it afresh
        with ThreadPoolExecutor(8) as pool:
            handed = list(pool.map(lambda _: ports.free_port(), range(8)))
        assert len(set(handed)) == len(handed), f"one port handed out twice: {sorted(handed)}"
        assert all(base <= port < base + 100 for port in handed)
