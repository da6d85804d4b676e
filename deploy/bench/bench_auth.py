"""Auth costs: bcrypt cost-12 verification, a full `POST /login` through the ASGI app, and access-token
verification as every service does it (TokenVerifier on a warm JWKS cache).

    .venv/bin/python deploy/bench/bench_auth.py [--logins 20] [--verifications 2000]

Runs the auth app embedded (SQLite file, in-process Redis and bus, in a temporary directory), prints one
JSON line and appends it to deploy/bench/results/auth.jsonl.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
from asgi_lifespan import LifespanManager
from benchlib import record, summary_ms
from pwdlib import PasswordHash
from pwdlib.hashers.bcrypt import BcryptHasher

from fitjourney_auth.main import create_app
from fitjourney_auth.settings import AuthSettings
from fitjourney_common.db.migrations import upgrade_to_head
from fitjourney_common.security import JWKSCache, TokenVerifier
from fitjourney_common.testing.smtp import VERIFICATION_TOKEN, token_in

AUTH_DIR = Path(__file__).resolve().parents[2] / "services" / "auth"
PASSWORD = "Bench-Password-2024"  # noqa: S105 (a throwaway bench account)
PREFIX = "/api/v1/auth"


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--logins", type=int, default=20, help="bcrypt verifications and sequential logins")
    parser.add_argument("--verifications", type=int, default=2000, help="access-token verifications")
    parser.add_argument("--rounds", type=int, default=12, help="bcrypt cost (production: 12)")
    return parser.parse_args()


def bench_bcrypt(rounds: int, count: int) -> dict[str, float]:
    hasher = PasswordHash((BcryptHasher(rounds=rounds),))
    hashed = hasher.hash(PASSWORD)
    samples = []
    for _ in range(count):
        started = time.perf_counter()
        assert hasher.verify(PASSWORD, hashed)
        samples.append(time.perf_counter() - started)
    return summary_ms(samples)


async def bench_app(args: argparse.Namespace, workdir: Path) -> dict[str, Any]:
    database_url = f"sqlite+aiosqlite:///{workdir}/fitjourney.db"
    await asyncio.to_thread(upgrade_to_head, AUTH_DIR, database_url)
    tag = uuid.uuid4().hex[:8]
    settings = AuthSettings(environment="dev", data_dir=workdir, database_url=database_url,
                            redis_url=f"memory://bench-{tag}", broker_url=f"memory://bench-{tag}",
                            bcrypt_rounds=args.rounds, log_json=False, log_level="WARNING")
    app = create_app(settings)
    async with LifespanManager(app), httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                                        base_url="http://bench") as http:
        # bcrypt runs in worker threads and releases the GIL: concurrent logins use every core. Each
        # concurrent login is another person's (the lockout counts attempts in flight per email).
        concurrency = max(2, (os.cpu_count() or 1) * 2)
        emails = [f"bench-{tag}-{n}@example.com" for n in range(concurrency * 2)]
        email = emails[0]
        mails = app.state.runtime.mail.recent  # dev mode: auth logs its mails and keeps the latest
        for address in emails:
            response = await http.post(f"{PREFIX}/register",
                                       json={"email": address, "password": PASSWORD, "display_name": "Bench"})
            response.raise_for_status()
            token = token_in(mails[-1].body, VERIFICATION_TOKEN)
            (await http.post(f"{PREFIX}/verify-email", json={"token": token})).raise_for_status()

        async def one_login(address: str = email) -> float:
            started = time.perf_counter()
            answer = await http.post(f"{PREFIX}/login", json={"email": address, "password": PASSWORD})
            answer.raise_for_status()
            return time.perf_counter() - started

        await one_login()  # warm-up: first queries, first key use
        sequential = [await one_login() for _ in range(args.logins)]

        started = time.perf_counter()
        await asyncio.gather(*(one_login(address) for address in emails))
        concurrent_seconds = time.perf_counter() - started

        login = (await http.post(f"{PREFIX}/login", json={"email": email, "password": PASSWORD})).json()
        token = login["access_token"]

        # As another service verifies: JWKS read from auth's published file, cached after the first call.
        # cache_size=0: the full signature check every time, not the per-token cache of a service.
        verifier = TokenVerifier(JWKSCache(f"file://{settings.jwks_path}"), settings.jwt_issuer, settings.jwt_audience,
                                 cache_size=0)
        await verifier.verify(token)
        samples = []
        for _ in range(args.verifications):
            started = time.perf_counter()
            await verifier.verify(token)
            samples.append(time.perf_counter() - started)
        verify = summary_ms(samples)

        issuer = app.state.runtime.issuer
        user_id = uuid.uuid4()
        started = time.perf_counter()
        for _ in range(args.verifications):
            issuer.issue(user_id, ["user"], user_id)
        sign_ms = (time.perf_counter() - started) / args.verifications * 1000

    return {
        "login_request": summary_ms(sequential),
        "login_concurrency": concurrency,
        "login_concurrent_per_s": round(concurrency * 2 / concurrent_seconds, 1),
        "token_verify": {**verify, "per_s": round(1000 / verify["mean_ms"])},
        "token_sign_mean_ms": round(sign_ms, 3),
    }


async def main() -> dict[str, Any]:
    args = parse_args()
    logging.disable(logging.WARNING)
    bcrypt_verify = await asyncio.to_thread(bench_bcrypt, args.rounds, args.logins)
    with tempfile.TemporaryDirectory(prefix="fj-bench-auth-") as workdir:
        app_results = await bench_app(args, Path(workdir))
    return {
        "bcrypt_rounds": args.rounds,
        "bcrypt_verify": bcrypt_verify,
        **app_results,
        "backends": "SQLite file, in-process Redis (fakeredis), in-process bus",
    }


if __name__ == "__main__":
    record("auth", asyncio.run(main()))
