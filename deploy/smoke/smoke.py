"""Smoke test of a deployed FitJourney through its public entry (Kong), as CI runs it after a deployment.

    python deploy/smoke/smoke.py https://staging.example.com            # read-only checks (production)
    SMOKE_ACCOUNT=smoke@example.com:<password> \
    python deploy/smoke/smoke.py https://staging.example.com --write    # also signs up and writes (staging)

A new sign-up must not sign in before its email is confirmed, and the smoke cannot read the mail: it writes as
SMOKE_ACCOUNT (`email:password`, an account made once with `fitjourney-auth create-user`). Against `make dev`
it confirms its own sign-up with the token make dev keeps at /dev/mail instead.

Exits non-zero naming the first check that failed. Needs only httpx.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import time
import uuid
from collections.abc import Callable

import httpx


def expect(response: httpx.Response, status: int, what: str) -> httpx.Response:
    if response.status_code != status:
        raise SystemExit(f"smoke: {what}: {response.request.method} {response.request.url.path} answered "
                         f"{response.status_code}, not {status}: {response.text[:300]}")
    return response


def read_only(http: httpx.Client) -> None:
    keys = expect(http.get("/api/v1/auth/.well-known/jwks.json"), 200, "auth publishes its signing keys").json()
    if not keys.get("keys"):
        raise SystemExit("smoke: the JWKS has no key")
    refused = expect(http.get("/api/v1/workouts"), 401, "core refuses a request without a token")
    if not refused.headers.get("content-type", "").startswith("application/problem+json"):
        raise SystemExit("smoke: errors are not application/problem+json")


def write_path(http: httpx.Client, account: str | None) -> None:
    email = f"smoke+{uuid.uuid4().hex[:12]}@example.com"
    password = f"Smoke-{uuid.uuid4().hex}"
    expect(http.post("/api/v1/auth/register", json={"email": email, "password": password,
                                                    "display_name": "Smoke Test"}), 202, "sign-up")
    expect(http.post("/api/v1/auth/login", json={"email": email, "password": password}), 401,
           "a sign-up whose email is not confirmed does not sign in")
    if account:
        email, _, password = account.partition(":")
    else:
        kept = http.get("/dev/mail", params={"to": email})
        if kept.status_code != 200:
            raise SystemExit("smoke: --write needs SMOKE_ACCOUNT=email:password (a confirmed account) outside make dev")
        token = re.search(r"^Verification token: (\S+)$", kept.json()[-1]["body"], re.MULTILINE)
        if token is None:
            raise SystemExit("smoke: the sign-up's mail carries no verification token")
        expect(http.post("/api/v1/auth/verify-email", json={"token": token[1]}), 204, "the email is confirmed")
    tokens = expect(http.post("/api/v1/auth/login", json={"email": email, "password": password}), 200,
                    "sign-in").json()
    auth = {"Authorization": f"Bearer {tokens['access_token']}"}
    workout = expect(http.post("/api/v1/workouts", headers=auth, json={
        "activity": "running", "started_at": "2026-01-05T06:00:00Z", "duration_min": 30, "distance_km": 5}),
        201, "a workout is saved").json()
    listed = expect(http.get("/api/v1/workouts", headers=auth), 200, "workouts are listed").json()
    if workout["id"] not in {item["id"] for item in listed["items"]}:
        raise SystemExit("smoke: the new workout is not in the list")
    expect(http.get("/api/v1/summary/daily", headers=auth, params={"date": "2026-01-05"}), 200, "daily summary")


def retry(check: Callable[[httpx.Client], None], http: httpx.Client, seconds: float) -> None:
    """A fresh rollout may need a moment behind the load balancer: retry transport errors only."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            check(http)
            return
        except httpx.TransportError as exc:
            if time.monotonic() > deadline:
                raise SystemExit(f"smoke: {exc!r}") from exc
            time.sleep(5)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("base_url")
    parser.add_argument("--write", action="store_true", help="also sign up and write (never on production)")
    parser.add_argument("--wait", type=float, default=120, help="seconds to wait for the entry to answer")
    args = parser.parse_args(argv)
    with httpx.Client(base_url=args.base_url, timeout=30, follow_redirects=False) as http:
        retry(read_only, http, args.wait)
        if args.write:
            write_path(http, os.environ.get("SMOKE_ACCOUNT"))
    print(f"smoke: {args.base_url} ok ({'read and write' if args.write else 'read-only'})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
