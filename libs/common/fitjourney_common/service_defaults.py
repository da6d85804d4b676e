"""One call gives a service its cross-cutting parts: errors, request ids, body limits, logs, metrics,
tracing, offline API docs with the documented errors, /healthz, /readyz and /metrics."""

from __future__ import annotations

import asyncio
import json
import logging
import random
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, Literal

from fastapi import FastAPI
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from fitjourney_common.errors import install_error_handlers, problem_response
from fitjourney_common.observability.logging import configure_logging, request_id_var, service_var
from fitjourney_common.observability.metrics import PrometheusMiddleware, metrics_response
from fitjourney_common.observability.tracing import configure_tracing, instrument_fastapi
from fitjourney_common.openapi import install_api_docs
from fitjourney_common.settings import CommonSettings

log = logging.getLogger(__name__)

ReadinessCheck = Callable[[], Awaitable[bool]]
READINESS_TIMEOUT_SECONDS = 2.0


class ReadinessReport(BaseModel):
    model_config = ConfigDict(json_schema_extra={
        "examples": [{"status": "ready", "checks": {"database": "ok", "redis": "ok", "broker": "ok"}}]})
    status: Literal["ready", "not ready"]
    checks: dict[str, Literal["ok", "down"]]


class Health(BaseModel):
    status: Literal["ok"]
    service: str


class RequestContextMiddleware:
    """Gives every request an id (kept from `X-Request-ID` when sane) and names the serving service."""

    def __init__(self, app: ASGIApp, service: str):
        self.app = app
        self.service = service

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        incoming = dict(scope["headers"]).get(b"x-request-id", b"").decode("latin-1")
        # A fresh id is 128 random bits as 32 hex digits, as uuid4().hex was, without its getrandom() call: it
        # names a request in logs, nothing secret (the `random` module reseeds in a forked child).
        request_id = incoming if 0 < len(incoming) <= 128 and incoming.isprintable() \
            else f"{random.getrandbits(128):032x}"
        id_token, service_token = request_id_var.set(request_id), service_var.set(self.service)

        started = False

        async def send_with_id(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], (b"x-request-id", request_id.encode())]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        except Exception:
            # Logged here, once, while the request id is known, and answered with that id: further out
            # (Starlette's last-resort handler, then the server) it would be logged twice, without the id,
            # and the client would get no X-Request-ID to quote.
            log.exception("unhandled error")
            if scope["type"] == "http" and not started:
                response = problem_response(500, "internal", "Internal error", "Something went wrong on our side",
                                            scope.get("path"))
                await response(scope, receive, send_with_id)
        finally:
            request_id_var.reset(id_token)
            service_var.reset(service_token)


# Every answer is JSON or a docs page: nothing may be sniffed as another type, framed or leak its URL.
SECURITY_HEADERS = (
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
    (b"content-security-policy", b"frame-ancestors 'none'"),
    (b"cross-origin-resource-policy", b"same-site"),
)
HSTS = (b"strict-transport-security", b"max-age=31536000; includeSubDomains")


class SecurityHeadersMiddleware:
    """Adds the security headers to every HTTP response; HSTS only when the client came over TLS
    (directly, or through Kong or a load balancer that says so in X-Forwarded-Proto)."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        forwarded_proto = dict(scope["headers"]).get(b"x-forwarded-proto", b"").split(b",")[0].strip()
        extra = [*SECURITY_HEADERS, HSTS] if b"https" in (scope.get("scheme", "").encode(), forwarded_proto) \
            else list(SECURITY_HEADERS)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {name.lower() for name, _ in message.get("headers", [])}
                message["headers"] = [*message.get("headers", []), *(h for h in extra if h[0] not in present)]
            await send(message)

        await self.app(scope, receive, send_with_headers)


def json_nesting_depth(body: bytes) -> int:
    """Deepest nesting of arrays/objects, ignoring brackets inside strings."""
    depth = deepest = 0
    in_string = escaped = False
    for byte in body:
        if in_string:
            if escaped:
                escaped = False
            elif byte == 0x5C:  # backslash
                escaped = True
            elif byte == 0x22:  # quote
                in_string = False
        elif byte == 0x22:
            in_string = True
        elif byte in (0x5B, 0x7B):  # [ {
            depth += 1
            deepest = max(deepest, depth)
        elif byte in (0x5D, 0x7D):
            depth -= 1
    return deepest


class _KeySentTwice(Exception):
    def __init__(self, key: str):
        self.key = key


def _refuse_repeated_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result = dict(pairs)
    if len(result) != len(pairs):  # rare: only then find which key it was
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise _KeySentTwice(key)
            seen.add(key)
    return result


# Built once: `json.loads` with a hook builds a decoder per call.
_PAIRS_DECODER = json.JSONDecoder(object_pairs_hook=_refuse_repeated_keys)


def key_sent_twice(body: bytes) -> str | None:
    """The first key an object of this JSON names twice, or None. JSON leaves duplicates open and parsers
    disagree (the last one wins in Python, the first in others), so a body a proxy read one way would reach
    the service meaning another: refused. A body that is not JSON is left to the route to refuse."""
    if b"{" not in body:  # no object, no key (every GET: an empty body was parsed, and failed, per request)
        return None
    try:
        _PAIRS_DECODER.decode(body.decode(json.detect_encoding(body), "surrogatepass"))  # as json.loads
    except _KeySentTwice as twice:
        return twice.key
    except (ValueError, RecursionError):  # UnicodeDecodeError is a ValueError
        pass
    return None


class BodyGuardMiddleware:
    """Refuses JSON bodies over the size limit or nested deeper than the limit, before anything parses them.

    A deeply nested document would otherwise exhaust the parser's recursion (a 500 instead of a 4xx);
    other bodies (uploads) get a generous cap here and their own, tighter limit where they are read.
    """

    def __init__(self, app: ASGIApp, max_json_bytes: int, max_depth: int, max_other_bytes: int):
        self.app = app
        self.max_json_bytes = max_json_bytes
        self.max_depth = max_depth
        self.max_other_bytes = max_other_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        # Every method: a body on DELETE (or GET) is parsed as readily as one on POST.
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        # FastAPI reads a body without a content type as JSON: it gets JSON's limits.
        content_type = headers.get(b"content-type", b"").lower()
        is_json = b"json" in content_type or not content_type
        limit = self.max_json_bytes if is_json else self.max_other_bytes
        declared = headers.get(b"content-length", b"")
        if declared.isdigit() and int(declared) > limit:
            await self._reject(scope, send, 413, "payload-too-large", "Request body too large",
                               f"The body is larger than {limit} bytes")
            return
        if not is_json:
            await self.app(scope, self._capped(receive, limit, scope, send), send)
            return

        chunks: list[bytes] = []
        size = 0
        more = True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                await self._reject(scope, send, 413, "payload-too-large", "Request body too large",
                                   f"The body is larger than {limit} bytes")
                return
            chunks.append(chunk)
            more = message.get("more_body", False)
        body = b"".join(chunks)
        # Counting brackets is cheap in C; only a body that could be too deep is scanned byte by byte.
        if body.count(b"[") + body.count(b"{") > self.max_depth and json_nesting_depth(body) > self.max_depth:
            await self._reject(scope, send, 400, "json-too-deep", "JSON nested too deeply",
                               f"JSON may nest at most {self.max_depth} levels")
            return
        if (twice := key_sent_twice(body)) is not None:
            await self._reject(scope, send, 422, "validation", "Validation failed",
                               f"{twice}: appears more than once in one object",
                               errors=[{"field": twice, "message": "appears more than once in one object"}])
            return

        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    def _capped(self, receive: Receive, limit: int, scope: Scope, send: Send) -> Receive:
        seen = 0

        async def capped() -> Message:
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > limit:
                # The handler is mid-read: ending the stream here surfaces as a 4xx from the reader.
                raise BodyTooLarge(limit)
            return message

        return capped

    @staticmethod
    async def _reject(scope: Scope, send: Send, status: int, type_: str, title: str, detail: str,
                      **extra: Any) -> None:
        response = problem_response(status, type_, title, detail, scope.get("path"), **extra)
        await response(scope, _no_receive, send)


class BodyTooLarge(Exception):
    def __init__(self, limit: int):
        super().__init__(f"The body is larger than {limit} bytes")
        self.limit = limit


async def _no_receive() -> Message:
    return {"type": "http.disconnect"}


async def _run_check(check: ReadinessCheck) -> bool:
    try:
        return bool(await asyncio.wait_for(check(), READINESS_TIMEOUT_SECONDS))
    except Exception:
        return False


def install_service_defaults(
    app: FastAPI, settings: CommonSettings, readiness: Mapping[str, ReadinessCheck] | None = None,
) -> None:
    """Add everything every service has; `readiness` maps a backend name to a check that it answers
    (default: the checks of the declared backends of `app.state.runtime`)."""
    configure_logging(settings.log_level, settings.log_json, settings.service_name)
    traced = configure_tracing(settings.service_name, settings.otlp_endpoint, settings.trace_sample_ratio)
    install_error_handlers(app)
    install_api_docs(app)

    async def body_too_large(request: Any, exc: Exception) -> JSONResponse:
        return problem_response(413, "payload-too-large", "Request body too large", str(exc), request.url.path)

    app.add_exception_handler(BodyTooLarge, body_too_large)
    # Added last runs first: request id outermost, so every log line and metric has it.
    app.add_middleware(BodyGuardMiddleware, max_json_bytes=settings.max_json_body_bytes,
                       max_depth=settings.max_json_depth, max_other_bytes=settings.max_upload_bytes)
    app.add_middleware(PrometheusMiddleware, service=settings.service_name)
    app.add_middleware(RequestContextMiddleware, service=settings.service_name)
    app.add_middleware(SecurityHeadersMiddleware)
    if traced:
        instrument_fastapi(app)

    @app.get("/healthz", tags=["health"], summary="The process is alive", response_model=Health)
    async def healthz() -> Health:
        return Health(status="ok", service=settings.service_name)

    @app.get("/readyz", tags=["health"], summary="Every backend the service needs answers",
             response_model=ReadinessReport,
             responses={503: {"model": ReadinessReport, "description": "A backend does not answer"}})
    async def readyz() -> JSONResponse:
        # Backends open in the lifespan, so their checks are looked up per call, not at install time.
        checks = dict(readiness) if readiness is not None else app.state.runtime.readiness_checks()
        names = list(checks)
        results = await asyncio.gather(*(_run_check(checks[n]) for n in names))
        status = dict(zip(names, ("ok" if r else "down" for r in results), strict=True))
        ready = all(results)
        body: dict[str, Any] = {"status": "ready" if ready else "not ready", "checks": status}
        runtime = getattr(app.state, "runtime", None)
        capabilities = runtime.capabilities() if runtime is not None and readiness is None else {}
        if capabilities:
            body["capabilities"] = capabilities
        return JSONResponse(body, status_code=200 if ready else 503)

    @app.get("/metrics", tags=["health"], summary="Prometheus metrics", include_in_schema=False)
    async def metrics() -> Any:
        return metrics_response()


