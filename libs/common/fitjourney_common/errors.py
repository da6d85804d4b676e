"""Typed errors that carry their status, rendered as RFC 9457 problem+json by one set of handlers."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy import exc as sa_exc
from starlette.exceptions import HTTPException as StarletteHTTPException

PROBLEM_JSON = "application/problem+json"
PROBLEM_BASE = "https://fitjourney.dev/problems/"
log = logging.getLogger(__name__)


class AppError(Exception):
    """Base of every error a client may see; `type_` is stable, `detail` is for humans."""

    status = 500
    type_ = "internal"
    title = "Internal error"
    # True for a refusal whose record must outlive it (the audit row of a failed sign-in, the revocation
    # of a reused token family): the request's session commits what was written before it was raised.
    keep_writes = False

    def __init__(self, detail: str | None = None, *, headers: dict[str, str] | None = None, **extra: Any):
        super().__init__(detail or self.title)
        self.detail = detail or self.title
        self.headers = headers or {}
        self.extra = extra


class BadRequest(AppError):
    status, type_, title = 400, "bad-request", "Bad request"


class Unauthorized(AppError):
    status, type_, title = 401, "unauthorized", "Authentication required"

    def __init__(self, detail: str | None = None, **extra: Any):
        super().__init__(detail, headers={"WWW-Authenticate": "Bearer"}, **extra)


class Forbidden(AppError):
    status, type_, title = 403, "forbidden", "Not allowed"


class ReauthenticationRequired(Forbidden):
    """An irreversible operation wants a credential checked within the last minutes: the client asks
    for the password (`POST /api/v1/auth/reauthenticate`) or a new provider sign-in, then retries."""

    type_, title = "reauthentication-required", "Confirm it is you"


class NotFound(AppError):
    status, type_, title = 404, "not-found", "Not found"


class Conflict(AppError):
    status, type_, title = 409, "conflict", "Conflict"


class PreconditionFailed(AppError):
    status, type_, title = 412, "precondition-failed", "The resource changed since you read it"


class PayloadTooLarge(AppError):
    status, type_, title = 413, "payload-too-large", "Request body too large"


class UnsupportedMediaType(AppError):
    status, type_, title = 415, "unsupported-media-type", "Unsupported media type"


class ValidationFailed(AppError):
    """A rule the schema cannot express; names the field like a 422 from pydantic does."""

    status, type_, title = 422, "validation", "Validation failed"

    def __init__(self, field: str, message: str):
        super().__init__(f"{field}: {message}", errors=[{"field": field, "message": message}])


class TooManyRequests(AppError):
    status, type_, title = 429, "rate-limited", "Too many requests"

    def __init__(self, detail: str | None = None, *, retry_after: int):
        super().__init__(detail, headers={"Retry-After": str(max(1, int(retry_after)))}, retry_after=retry_after)


class ServiceUnavailable(AppError):
    status, type_, title = 503, "unavailable", "Service unavailable"


def problem_response(
    status: int, type_: str, title: str, detail: str, instance: str | None = None,
    headers: dict[str, str] | None = None, **extra: Any,
) -> JSONResponse:
    body: dict[str, Any] = {"type": PROBLEM_BASE + type_, "title": title, "status": status, "detail": detail}
    if instance:
        body["instance"] = instance
    body.update(extra)
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def _field_name(loc: tuple[Any, ...]) -> str:
    # ("body", "email") -> "email"; ("query", "limit") -> "limit"; keep list indexes readable.
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header", "cookie")]
    return ".".join(parts) or str(loc[0] if loc else "body")


async def _app_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, AppError)
    return problem_response(exc.status, exc.type_, exc.title, exc.detail, request.url.path, exc.headers, **exc.extra)


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    raw = exc.errors()
    if any(e.get("type") == "json_invalid" for e in raw):
        return problem_response(400, "malformed-json", "Malformed JSON", "The request body is not valid JSON",
                                request.url.path)
    errors = [{"field": _field_name(tuple(e.get("loc", ()))), "message": e.get("msg", "invalid")} for e in raw]
    detail = "; ".join(f"{e['field']}: {e['message']}" for e in errors)
    return problem_response(422, "validation", "Validation failed", detail, request.url.path, errors=errors)


# What FastAPI raises (as a plain 400) for a JSON body that is not even valid UTF-8.
BODY_PARSE_ERROR = "There was an error parsing the body"


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    if exc.status_code == 400 and "json" in request.headers.get("content-type", "").lower() \
            and exc.detail == BODY_PARSE_ERROR:
        return problem_response(400, "malformed-json", "Malformed JSON", "The request body is not valid JSON",
                                request.url.path)
    if exc.status_code == 400:
        # Starlette's own 400s are all about reading the body (e.g. a multipart form without its boundary).
        return problem_response(400, "malformed-body", "Malformed body", str(exc.detail), request.url.path)
    slug = {404: "not-found", 405: "method-not-allowed", 401: "unauthorized", 403: "forbidden"}.get(
        exc.status_code, f"http-{exc.status_code}")
    return problem_response(exc.status_code, slug, str(exc.detail), str(exc.detail), request.url.path,
                            dict(exc.headers or {}))


# How soon a client may try again after the database connection was lost: the pool has replaced the
# dead connections by then (or the database is still away, and it gets another 503).
DATABASE_RETRY_AFTER_SECONDS = 1


def is_database_unavailable(exc: BaseException) -> bool:
    """A lost or refused database connection, or no pooled connection free in time: the request's
    transaction never committed (the server rolls back what a lost connection had begun), so the client
    may simply send it again; creates with a client id are idempotent even if the commit itself was cut."""
    if isinstance(exc, sa_exc.DBAPIError):
        return exc.connection_invalidated or isinstance(exc.orig, ConnectionError | OSError) or \
            type(exc.orig).__name__ in ("CannotConnectNowError", "ConnectionDoesNotExistError")
    return isinstance(exc, sa_exc.TimeoutError | ConnectionError)


async def _database_error(request: Request, exc: Exception) -> JSONResponse:
    if not is_database_unavailable(exc):
        return await _unhandled(request, exc)
    log.warning("database unavailable, answered 503: %s: %s", type(exc).__name__, exc)
    return problem_response(503, ServiceUnavailable.type_, ServiceUnavailable.title,
                            "The database connection was lost or is busy; send the request again",
                            request.url.path, {"Retry-After": str(DATABASE_RETRY_AFTER_SECONDS)})


async def _unhandled(request: Request, exc: Exception) -> JSONResponse:
    log.exception("unhandled error", exc_info=exc)
    return problem_response(500, "internal", "Internal error", "Something went wrong on our side",
                            request.url.path)


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(AppError, _app_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    for database_error in (sa_exc.DBAPIError, sa_exc.TimeoutError, ConnectionError):
        app.add_exception_handler(database_error, _database_error)
    app.add_exception_handler(Exception, _unhandled)
