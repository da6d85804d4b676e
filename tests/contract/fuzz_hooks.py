"""Schemathesis hooks of the contract fuzzing (loaded by `st run` through SCHEMATHESIS_HOOKS).

Every request carries a fresh access token of the fuzzing user; once the fuzzer has erased that account
(`DELETE /api/v1/me` answered 202, so its tokens are refused from then on), a new user takes over, so the
operations tested after it are still tested as someone.
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path
from typing import Any

import schemathesis
from contract_harness import mint_token

PRIVATE_PEM = Path(os.environ["FJ_FUZZ_KEY_PEM"]).read_text()
ROLES = tuple(os.environ.get("FJ_FUZZ_ROLES", "user").split(","))


class FuzzUser:
    current = uuid.UUID(os.environ["FJ_FUZZ_USER_ID"])


@schemathesis.auth(refresh_interval=None)
class BearerToken:
    def get(self, case: Any, context: Any) -> str:
        return mint_token(PRIVATE_PEM, FuzzUser.current, ROLES)

    def set(self, case: Any, data: str, context: Any) -> None:
        case.headers = {**(case.headers or {}), "Authorization": f"Bearer {data}"}


@schemathesis.hook
def after_call(context: Any, case: Any, response: Any) -> None:
    if case.method.upper() == "DELETE" and case.path == "/api/v1/me" and response.status_code == 202:
        FuzzUser.current = uuid.uuid4()


# Every answer, whatever the fuzzer sent (test_api_documents.py checks the docs, probes and TLS too).
SECURITY_HEADERS = {"x-content-type-options": "nosniff", "referrer-policy": "no-referrer", "x-frame-options": "DENY"}


@schemathesis.check
def security_headers(ctx: Any, response: Any, case: Any) -> None:
    missing = [f"{name}: {value}" for name, value in SECURITY_HEADERS.items()
               if response.headers.get(name, [None])[0] != value]
    if "frame-ancestors 'none'" not in (response.headers.get("content-security-policy") or [""])[0]:
        missing.append("content-security-policy: frame-ancestors 'none'")
    if missing:
        raise AssertionError(f"{response.status_code} without {', '.join(missing)}")
