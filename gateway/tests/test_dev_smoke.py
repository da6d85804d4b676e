"""End-to-end smoke test of `make dev`: the embedded stack in its own process, driven over HTTP like curl."""

from __future__ import annotations

import io
import shutil
import subprocess
import time
import zipfile
from pathlib import Path
from typing import Any

import httpx
import pytest
from gateway_conftest import register_confirmed

from fitjourney_common.testing.api_docs import assert_assets_served_locally
from fitjourney_common.testing.smtp import VERIFICATION_TOKEN, token_in


def test_newcomer_registers_logs_in_refreshes_and_logs_out(dev_server: str) -> None:
    with httpx.Client(base_url=dev_server, timeout=30) as http:
        email = "newcomer@example.com"
        password = "Correct-horse-42"
        created = http.post("/api/v1/auth/register",
                            json={"email": email, "password": password, "display_name": "New Comer"})
        # The same 202 whether or not the email had an account (registration reveals none).
        assert created.status_code == 202, created.text
        assert created.json()["status"] == "accepted"
        # Until the mailed token is used, the right password answers as a wrong one.
        early = http.post("/api/v1/auth/login", json={"email": email, "password": password})
        assert early.status_code == 401, early.text
        mails = http.get("/dev/mail", params={"to": email}).json()
        assert [m["subject"] for m in mails] == ["Confirm your FitJourney email"]
        token = token_in(mails[0]["body"], VERIFICATION_TOKEN)
        assert http.post("/api/v1/auth/verify-email", json={"token": token}).status_code == 204

        tokens = http.post("/api/v1/auth/login", json={"email": email, "password": password})
        assert tokens.status_code == 200, tokens.text
        pair = tokens.json()
        assert pair["token_type"] == "bearer"

        me = http.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {pair['access_token']}"})
        assert me.status_code == 200 and me.json()["email"] == email

        refreshed = http.post("/api/v1/auth/refresh", json={"refresh_token": pair["refresh_token"]})
        assert refreshed.status_code == 200, refreshed.text
        new_pair = refreshed.json()
        assert new_pair["refresh_token"] != pair["refresh_token"]

        # The core service, reached through the same gateway, accepts auth's token (JWKS from the data folder).
        profile = http.get("/api/v1/profile", headers={"Authorization": f"Bearer {new_pair['access_token']}"})
        assert profile.status_code == 200, profile.text

        out = http.post("/api/v1/auth/logout", json={"refresh_token": new_pair["refresh_token"]})
        assert out.status_code == 204, out.text
        again = http.post("/api/v1/auth/refresh", json={"refresh_token": new_pair["refresh_token"]})
        assert again.status_code == 401
        assert again.headers["content-type"].startswith("application/problem+json")


def test_each_service_documents_its_api_with_assets_served_here(dev_server: str) -> None:
    with httpx.Client(base_url=dev_server, timeout=30) as http:
        for service, path in (("auth", "/api/v1/auth/login"), ("core", "/api/v1/workouts")):
            document = http.get(f"/openapi/{service}.json").json()
            assert path in document["paths"]
            assert "bearerAuth" in document["components"]["securitySchemes"]
            assets = assert_assets_served_locally(http, f"/docs/{service}")
            assert "/docs/assets/swagger-ui-bundle.js" in assets
            assert f"/openapi/{service}.json" in http.get(f"/docs/{service}").text
            assert "/docs/assets/redoc.standalone.js" in assert_assets_served_locally(http, f"/redoc/{service}")


def test_docs_render_in_a_headless_browser_without_the_internet(dev_server: str, tmp_path: Path) -> None:
    """Chromium runs the page's scripts: the rendered page lists the operations and the Authorize button."""
    browser = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
    if browser is None:
        pytest.skip("no Chromium on this machine (apt-get install chromium); the HTML asset check above still ran")
    screenshot = tmp_path / "docs-core.png"
    common = [browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
              "--no-first-run", "--virtual-time-budget=15000", "--window-size=1280,2400",
              # Only this machine: a page that tried to reach a CDN would find nothing.
              "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1", f"--user-data-dir={tmp_path / 'profile'}"]
    dom = subprocess.run([*common, "--dump-dom", f"{dev_server}/docs/core"], capture_output=True, text=True,
                         timeout=120, check=False)
    assert "/api/v1/workouts" in dom.stdout, dom.stderr[-2000:]
    assert "authorize" in dom.stdout.lower() and "opblock" in dom.stdout  # Swagger UI rendered operations
    subprocess.run([*common, f"--screenshot={screenshot}", f"{dev_server}/docs/core"], capture_output=True,
                   timeout=120, check=False)
    assert screenshot.exists() and screenshot.stat().st_size > 20_000  # a rendered page, not a blank one


def test_unknown_path_is_a_problem_json_404(dev_server: str) -> None:
    response = httpx.get(f"{dev_server}/nope")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/problem+json")


def test_readyz_asks_every_service_and_metrics_cover_the_process(dev_server: str) -> None:
    ready = httpx.get(f"{dev_server}/readyz")
    assert ready.status_code == 200, ready.text
    body = ready.json()
    assert body["status"] == "ready"
    assert set(body["services"]) >= {"auth", "core"}
    assert body["services"]["core"]["checks"] == {"database": "ok", "redis": "ok", "broker": "ok",
                                                  "object_store": "ok"}
    httpx.get(f"{dev_server}/api/v1/activities")  # a request core answers (401), to be counted
    metrics = httpx.get(f"{dev_server}/metrics")
    assert metrics.status_code == 200
    assert metrics.headers["content-type"].startswith("text/plain")
    assert 'service="core"' in metrics.text and 'service="auth"' in metrics.text


def test_the_start_prints_no_deprecation_warning(dev_stack: Any) -> None:
    log = dev_stack.log()
    assert "Application startup complete" in log
    assert "DeprecationWarning" not in log and "Warning:" not in log, log


def test_dev_mode_has_analytics_and_one_export_across_services(dev_server: str) -> None:
    with httpx.Client(base_url=dev_server, timeout=30) as http:
        email, password = "exporter@example.com", "Correct-horse-42"
        register_confirmed(http, email, password, "Ex")
        token = http.post("/api/v1/auth/login", json={"email": email, "password": password}).json()["access_token"]
        auth = {"Authorization": f"Bearer {token}"}
        dashboard = http.get("/api/v1/analytics/dashboard", params={"period": "week"}, headers=auth)
        assert dashboard.status_code == 200, dashboard.text
        assert len(dashboard.json()["days"]) == 7
        export_id = http.post("/api/v1/me/export", headers=auth).json()["export_id"]
        deadline = time.monotonic() + 60
        while (export := http.get(f"/api/v1/me/export/{export_id}", headers=auth).json())["status"] == "pending":
            assert time.monotonic() < deadline, "the export stayed pending"
            time.sleep(0.2)
        assert export["status"] == "ready", export
        # The local store signs URLs for the default port; this server runs on another one.
        url = httpx.URL(export["url"])
        download = http.get(url.raw_path.decode())
        assert download.status_code == 200, download.text
        names = zipfile.ZipFile(io.BytesIO(download.content)).namelist()
        assert {"auth/account.json", "ai/calorie_estimates.json", "ai/insights.json",
                "analytics/reports.json"} <= set(names)


def test_make_dev_answers_cors_as_kong_does(dev_server: str) -> None:
    """CORS is Kong's job; `make dev` applies kong.yml's cors plugin so browser clients see no difference."""
    with httpx.Client(base_url=dev_server, timeout=30) as http:
        preflight = http.options("/api/v1/workouts", headers={
            "Origin": "https://app.example", "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization, content-type, if-match"})
        assert preflight.status_code == 200, preflight.text
        assert preflight.headers["access-control-allow-origin"] == "*"
        assert "POST" in preflight.headers["access-control-allow-methods"]
        assert "if-match" in preflight.headers["access-control-allow-headers"].lower()
        assert preflight.headers["access-control-max-age"] == "3600"
        simple = http.get("/healthz", headers={"Origin": "https://app.example"})
        assert simple.headers["access-control-allow-origin"] == "*"
        assert "x-request-id" in simple.headers["access-control-expose-headers"].lower()
