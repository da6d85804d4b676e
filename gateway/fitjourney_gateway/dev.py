"""Embedded dev mode: all services in one process on SQLite, fakeredis, an in-process bus and a folder.

Each service app is built by its own `create_app()` and receives requests at the paths its Kong routes
give; the dev gateway only dispatches, it never rewrites a path (Kong uses strip_path: false too).
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import importlib.util
import logging
import os
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from importlib import resources
from pathlib import Path
from typing import Any

import httpx
from fastapi import FastAPI
from fastapi.responses import HTMLResponse, JSONResponse
from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Receive, Scope, Send

from fitjourney_common.db.engine import is_sqlite
from fitjourney_common.db.migrations import upgrade_to_head
from fitjourney_common.errors import problem_response
from fitjourney_common.observability.metrics import metrics_response
from fitjourney_common.openapi import docs_page, mount_docs_assets, redoc_page
from fitjourney_common.settings import CommonSettings
from fitjourney_common.storage import LocalObjectStore, create_object_store, local_objects_router
from fitjourney_gateway.routes import Route, load_plugin_config, load_routes, match

log = logging.getLogger("fitjourney.gateway")

# Service name (as in kong.yml) → its app factory. Auth comes first: it creates the signing keys
# whose JWKS the other services read.
SERVICE_FACTORIES = {
    "auth": "fitjourney_auth.main:create_app",
    "core": "fitjourney_core.main:create_app",
    "ai": "fitjourney_ai.main:create_app",
    "analytics": "fitjourney_analytics.main:create_app",
}


# Services that answer `user.export_requested` with a part of the user's data (fitjourney_common.gdpr).
EXPORT_PARTICIPANTS = ("auth", "ai", "analytics")


def load_service_apps(names: list[str]) -> dict[str, tuple[FastAPI, Path]]:
    """Build each service's app; a service that is not installed yet is skipped with a warning."""
    apps: dict[str, tuple[FastAPI, Path]] = {}
    for name in names:
        module_name, _, factory = SERVICE_FACTORIES[name].partition(":")
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name and exc.name.startswith(module_name.split(".")[0]):
                log.warning("service %s is not installed; its routes answer 503", name)
                continue
            raise
        service_dir = Path(module.__file__ or ".").resolve().parent.parent
        apps[name] = (getattr(module, factory)(), service_dir)
    return apps


class DevGateway:
    """ASGI app: longest-prefix dispatch over kong.yml routes to in-process service apps."""

    def __init__(self, routes: list[Route], apps: dict[str, FastAPI], fallback: FastAPI):
        self.routes = routes
        self.apps = apps
        self.fallback = fallback

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self.fallback(scope, receive, send)
            return
        route = match(self.routes, scope["path"])
        if route is None:
            await self.fallback(scope, receive, send)
            return
        app = self.apps.get(route.service)
        if app is None:
            if scope["type"] == "http":
                response = problem_response(503, "unavailable", "Service unavailable",
                                            f"The {route.service} service is not running in this process")
                await response(scope, receive, send)
            return
        await app(scope, receive, send)


def migrate_embedded(apps: dict[str, tuple[FastAPI, Path]], database_url: str) -> None:
    """Dev convenience: bring every service's SQLite schema to head before serving."""
    if not is_sqlite(database_url):
        log.info("DATABASE_URL is not SQLite: run `make migrate` for the real stack")
        return
    for name, (_app, service_dir) in apps.items():
        if (service_dir / "alembic.ini").exists():
            log.info("migrating %s", name)
            upgrade_to_head(service_dir, database_url)


async def service_readiness(app: FastAPI) -> dict[str, Any]:
    """What the service's own GET /readyz answers, asked over ASGI without a network hop."""
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://embedded") as client:
        response = await client.get("/readyz")
    body: dict[str, Any] = response.json()
    return body


def prepare_embedded(names: list[str]) -> None:
    """Migrate the named services' SQLite files, as `make dev` does on start (`make demo` runs before it)."""
    os.environ.setdefault("LOG_JSON", "false")
    migrate_embedded(load_service_apps(names), CommonSettings(service_name="gateway").database_url)


def create_dev_app(service_names: list[str] | None = None) -> ASGIApp:
    # Readable log lines on a developer's terminal unless asked otherwise (LOG_JSON=true).
    os.environ.setdefault("LOG_JSON", "false")
    settings = CommonSettings(service_name="gateway")
    routes = load_routes()
    names = service_names or list(dict.fromkeys(r.service for r in reversed(routes)))
    names = sorted(names, key=lambda n: list(SERVICE_FACTORIES).index(n) if n in SERVICE_FACTORIES else 99)
    loaded = load_service_apps([n for n in names if n in SERVICE_FACTORIES])
    migrate_embedded(loaded, settings.database_url)
    apps = {name: app for name, (app, _dir) in loaded.items()}

    @asynccontextmanager
    async def lifespan(_gateway: FastAPI) -> AsyncIterator[None]:
        async with AsyncExitStack() as stack:
            for name, app in apps.items():
                await stack.enter_async_context(app.router.lifespan_context(app))
                log.info("service %s started", name)
            yield

    fallback = FastAPI(title="FitJourney dev gateway", lifespan=lifespan, docs_url=None, redoc_url=None)

    @fallback.get("/healthz")
    async def healthz() -> dict[str, Any]:
        return {"status": "ok", "services": sorted(apps)}

    @fallback.get("/readyz")
    async def readyz() -> JSONResponse:
        # Each service answers its own /readyz (no Kong route reaches it): asked in-process, all at once.
        answers = await asyncio.gather(*(service_readiness(app) for app in apps.values()))
        services = dict(zip(apps, answers, strict=True))
        ready = all(answer.get("status") == "ready" for answer in answers)
        return JSONResponse({"status": "ready" if ready else "not ready", "services": services},
                            status_code=200 if ready else 503)

    @fallback.get("/metrics", include_in_schema=False)
    async def metrics() -> Any:
        # One process, one registry: every service's series, labelled by service.
        return metrics_response()

    # Services keep /docs and /openapi.json at their own root, which no Kong route reaches.
    @fallback.get("/openapi/{service}.json", include_in_schema=False)
    async def service_openapi(service: str) -> Any:
        if service not in apps:
            return problem_response(404, "not-found", "Not found", f"No service {service!r} in this process")
        return apps[service].openapi()

    # Swagger UI and ReDoc from the packaged assets, served here: the docs work without the internet.
    mount_docs_assets(fallback)

    @fallback.get("/docs/{service}", include_in_schema=False)
    async def service_docs(service: str) -> Any:
        if service not in apps:
            return problem_response(404, "not-found", "Not found", f"No service {service!r} in this process")
        return docs_page(f"/openapi/{service}.json", f"FitJourney {service} - API")

    @fallback.get("/redoc/{service}", include_in_schema=False)
    async def service_redoc(service: str) -> Any:
        if service not in apps:
            return problem_response(404, "not-found", "Not found", f"No service {service!r} in this process")
        return redoc_page(f"/openapi/{service}.json", f"FitJourney {service} - API reference")

    @fallback.get("/dev/mail", include_in_schema=False)
    async def dev_mail(to: str | None = None) -> list[dict[str, str]]:
        # make dev sends no mail: auth logs each one and keeps the latest, read here (verification and reset
        # tokens for a curl session). Outside dev auth mails over SMTP and keeps nothing.
        runtime = getattr(apps["auth"].state, "runtime", None) if "auth" in apps else None
        kept = getattr(getattr(runtime, "mail", None), "recent", ())
        return [{"to": m.to, "subject": m.subject, "body": m.body} for m in kept
                if to is None or m.to.lower() == to.strip().lower()]

    @fallback.get("/dev/notifications", include_in_schema=False)
    async def notifications_page() -> HTMLResponse:
        # A newcomer's window on the WebSocket: sign in, listen, see notifications arrive.
        return HTMLResponse(resources.files("fitjourney_gateway").joinpath("static/notifications.html")
                            .read_text("utf-8"))

    store = create_object_store(settings)
    if isinstance(store, LocalObjectStore):
        fallback.include_router(local_objects_router(store))

    @fallback.api_route("/{path:path}", methods=["GET", "POST", "PUT", "PATCH", "DELETE"], include_in_schema=False)
    async def not_routed(path: str) -> Any:
        return problem_response(404, "not-found", "Not found", f"No route for /{path}", f"/{path}")

    return with_kongs_cors(DevGateway(routes, apps, fallback))


def with_kongs_cors(app: ASGIApp) -> ASGIApp:
    """CORS lives at the edge: Kong's `cors` plugin in production, the same settings from kong.yml here, so
    a browser client behaves the same against `make dev` as behind Kong (the services send none)."""
    cors = load_plugin_config("cors")
    if cors is None:
        return app
    return CORSMiddleware(
        app, allow_origins=cors.get("origins", ["*"]), allow_methods=cors.get("methods", ["*"]),
        allow_headers=cors.get("headers", []), expose_headers=cors.get("exposed_headers", []),
        allow_credentials=bool(cors.get("credentials", False)), max_age=int(cors.get("max_age", 600)),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    args = parser.parse_args()
    # One export across the services of this process: core waits for the parts of those holding user data.
    # (Set here, in the `make dev` process only, never as a side effect of building the app.)
    os.environ.setdefault("EXPORT_PARTICIPANTS", ",".join(
        n for n in EXPORT_PARTICIPANTS if importlib.util.find_spec(f"fitjourney_{n}") is not None))
    import uvicorn

    from fitjourney_gateway.demo import create_demo, demo_requested

    app = create_dev_app()
    if demo_requested():
        print(asyncio.run(create_demo()), flush=True)
    uvicorn.run(app, host=args.host, port=args.port, log_config=None,
                # The sans-I/O websockets protocol: uvicorn's older `websockets` one is deprecated.
                ws="websockets-sansio", server_header=False)


if __name__ == "__main__":
    main()
