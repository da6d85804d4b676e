"""A free TCP port on the loopback interface for a server a test starts."""

from __future__ import annotations

import os
import socket

# Unset: any free port. Set (e.g. 8200): a free port among the 100 from there, on a machine where each
# engineer's test servers keep to a port range of their own.
PORT_BASE_VARIABLE = "FJ_TEST_PORT_BASE"


def free_port() -> int:
    base = int(os.environ.get(PORT_BASE_VARIABLE) or 0)
    for candidate in range(base, base + 100) if base else (0,):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            try:
                sock.bind(("127.0.0.1", candidate))
            except OSError:
                continue
            return int(sock.getsockname()[1])
    raise RuntimeError(f"no free port in {base}-{base + 99} ({PORT_BASE_VARIABLE})")
