"""Process-wide logging setup: JSON (or plain) lines carrying service, request id and trace ids."""

from __future__ import annotations

import logging
import sys
import threading
import time
from contextvars import ContextVar
from typing import IO

from opentelemetry import trace

try:
    from pythonjsonlogger.json import JsonFormatter
except ImportError:  # python-json-logger < 3.1 only has the old module path
    from pythonjsonlogger.jsonlogger import JsonFormatter  # type: ignore[no-redef]

# Set per request by the service middleware; read by the filter so every line names its request.
request_id_var: ContextVar[str | None] = ContextVar("request_id", default=None)
# Embedded dev mode runs four services in one process, so the configured name alone cannot tell them apart.
service_var: ContextVar[str | None] = ContextVar("service", default=None)

CONTEXT_FIELDS = ("service", "request_id", "trace_id", "span_id")
UVICORN_LOGGERS = ("uvicorn", "uvicorn.error", "uvicorn.access")
_JSON_FIELDS = " ".join(f"%({f})s" for f in ("asctime", "levelname", "name", "message", *CONTEXT_FIELDS))
_TEXT_FORMAT = ("%(asctime)s %(levelname)-7s [%(service)s] %(name)s "
                "rid=%(request_id)s trace=%(trace_id)s: %(message)s")


class ContextFilter(logging.Filter):
    """Adds service, request_id, trace_id and span_id to every record that reaches our handler."""

    def __init__(self, service: str) -> None:
        super().__init__()
        self.service = service

    def filter(self, record: logging.LogRecord) -> bool:
        # An explicit `extra=` value wins over the context.
        if not hasattr(record, "service"):
            record.service = service_var.get() or self.service
        if not hasattr(record, "request_id"):
            record.request_id = request_id_var.get()
        span_context = trace.get_current_span().get_span_context()
        if span_context.is_valid:
            record.trace_id = format(span_context.trace_id, "032x")
            record.span_id = format(span_context.span_id, "016x")
        else:
            record.trace_id = getattr(record, "trace_id", None)
            record.span_id = getattr(record, "span_id", None)
        return True


class _FitJourneyHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Marks the one handler we own, so a second `configure_logging` replaces it instead of adding one."""


def configure_logging(level: str, json: bool, service: str, *, stream: IO[str] | None = None) -> None:
    """Route the root logger (and uvicorn's) to one handler; a second call reconfigures, never duplicates."""
    root = logging.getLogger()
    for old in [h for h in root.handlers if isinstance(h, _FitJourneyHandler)]:
        root.removeHandler(old)
        old.close()

    handler = _FitJourneyHandler(stream or sys.stderr)
    handler.addFilter(ContextFilter(service))
    formatter: logging.Formatter
    if json:
        formatter = JsonFormatter(
            _JSON_FIELDS,
            rename_fields={"asctime": "timestamp", "levelname": "level", "name": "logger"},
        )
    else:
        formatter = logging.Formatter(_TEXT_FORMAT)
    handler.setFormatter(formatter)
    root.addHandler(handler)
    root.setLevel(level.upper())

    # uvicorn installs its own handlers; send its records through ours so they get the same shape and context.
    for name in UVICORN_LOGGERS:
        uvicorn_logger = logging.getLogger(name)
        uvicorn_logger.handlers.clear()
        uvicorn_logger.propagate = True
        uvicorn_logger.setLevel(level.upper())


class ThrottledLogger:
    """Logs a recurring warning at most once per interval, so an outage does not flood the logs."""

    def __init__(self, logger: logging.Logger, interval_seconds: float = 10.0) -> None:
        self.logger = logger
        self.interval = interval_seconds
        self._last: dict[str, float] = {}
        self._suppressed: dict[str, int] = {}
        self._lock = threading.Lock()

    def reset(self) -> None:
        """Forget what was logged, so the next warning of every key is logged again."""
        with self._lock:
            self._last.clear()
            self._suppressed.clear()

    def warning(self, key: str, msg: str, *args: object) -> None:
        now = time.monotonic()
        with self._lock:
            last = self._last.get(key)
            if last is not None and now - last < self.interval:
                self._suppressed[key] = self._suppressed.get(key, 0) + 1
                return
            self._last[key] = now
            suppressed = self._suppressed.pop(key, 0)
        if suppressed:
            msg += " (%d similar warnings suppressed)"
            args = (*args, suppressed)
        self.logger.warning(msg, *args)
