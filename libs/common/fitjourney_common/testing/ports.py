"""A free TCP port on the loopback interface for a server a test starts."""

from __future__ import annotations

import os
import socket
import threading
from collections.abc import Iterable

# Unset: any free port. Set (e.g. 8200): a free port among the 100 from there, on a machine where each
# engineer's test servers keep to a port range of their own.
PORT_BASE_VARIABLE = "FJ_TEST_PORT_BASE"
# Ports of the range already handed out by this process: a server started with one may not be listening yet,
# so two servers started together would otherwise both be given the first free port.
_handed_out: set[int] = set()
# Services are started from threads at once (asyncio.to_thread): without it two could both see a port as unused.
_handing_out = threading.Lock()


def free_port() -> int:
    base = int(os.environ.get(PORT_BASE_VARIABLE) or 0)
    if not base:
        return _bind_any((0,))
    with _handing_out:
        try:
            return _bind_any(port for port in range(base, base + 100) if port not in _handed_out)
        except RuntimeError:
            _handed_out.clear()  # all 100 handed out once: the servers of the earliest are long gone
            return _bind_any(range(base, base + 100))


def _bind_any(candidates: Iterable[int]) -> int:
    for candidate in candidates:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            try:
                sock.bind(("127.0.0.1", candidate))
            except OSError:
                continue
            port = int(sock.getsockname()[1])
            _handed_out.add(port)
            return port
    base = os.environ.get(PORT_BASE_VARIABLE)
    raise RuntimeError(f"no free port in {base}-{int(base or 0) + 99} ({PORT_BASE_VARIABLE})")
