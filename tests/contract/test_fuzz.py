"""Schemathesis against every service's OpenAPI, on the real backends, authenticated.

`make test` runs a fixed, derandomised budget (FJ_FUZZ_MAX_EXAMPLES, default 8 per operation and phase);
`make fuzz` runs the same with a larger one. Checks: no server errors, and every response's status,
content type and body conform to the document. The stateful phase follows the links schemathesis infers
(create → get → update → delete by the ids and Location headers the API answers).
"""

from __future__ import annotations

import asyncio
import os
import sys
import uuid
from pathlib import Path

import httpx
import pytest
from contract_harness import SERVICES, RunningService, SigningKey, register_account, sign_in

HERE = Path(__file__).resolve().parent
CHECKS = ("not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance,"
          "security_headers")  # the last one is ours (fuzz_hooks.py)
# `make test`'s budget; `make fuzz` raises it and adds the coverage phase (every boundary and invalid
# value the schema defines: thorough, and minutes per service).
PHASES = os.environ.get("FJ_FUZZ_PHASES", "examples,fuzzing,stateful")
MODE = os.environ.get("FJ_FUZZ_MODE", "all")
MAX_EXAMPLES = int(os.environ.get("FJ_FUZZ_MAX_EXAMPLES", "10"))
# Operations left out of the fuzzing, with the reason (README lists them too).
EXCLUDED: dict[str, list[str]] = {}


async def fuzz_user(service: RunningService) -> tuple[str, tuple[str, ...]]:
    """The user the fuzzer acts as: a registered account where the service keeps accounts, else a new id."""
    paths = service.openapi()["paths"]
    if "/api/v1/auth/register" in paths:
        email = await register_account(service, "fuzz")  # names no account: its id comes from a sign-in
        async with httpx.AsyncClient(base_url=service.base_url, timeout=30) as http:
            tokens = await sign_in(http, email)
            me = await http.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {tokens['access_token']}"})
        return me.json()["id"], ("user", "admin")
    return str(uuid.uuid4()), ("user", "admin")


@pytest.mark.timeout(3600)
@pytest.mark.parametrize("name", SERVICES)
async def test_service_conforms_to_its_openapi_under_fuzzing(
    name: str, running_services: dict[str, RunningService], signing_key: SigningKey, tmp_path: Path,
) -> None:
    service = running_services[name]
    user_id, roles = await fuzz_user(service)
    # A 503 is a designed answer (an optional capability such as ai's photo recognition without torch, or a
    # backend that is down), not a crash; status_code_conformance still requires it to be documented.
    config = tmp_path / "schemathesis.toml"
    config.write_text('[checks.not_a_server_error]\nexpected-statuses = ["1XX", "2XX", "3XX", "4XX", 503]\n')
    command = [
        str(Path(sys.executable).parent / "st"), "--config-file", str(config), "run",
        f"{service.base_url}/openapi.json",
        "--checks", CHECKS, "--phases", PHASES, "--max-examples", str(MAX_EXAMPLES), "--mode", MODE,
        "--generation-deterministic", "--workers", "1",
        "--suppress-health-check", "all", "--request-timeout", "30", "--no-color",
        "--output-truncate", "false",
    ]
    for operation in EXCLUDED.get(name, []):
        method, _, path = operation.partition(" ")
        command += ["--exclude-by", f'method == "{method}" and path == "{path}"']
    env = {**os.environ, "SCHEMATHESIS_HOOKS": "fuzz_hooks",
           "PYTHONPATH": os.pathsep.join([str(HERE), os.environ.get("PYTHONPATH", "")]),
           "FJ_FUZZ_KEY_PEM": str(signing_key.pem_path), "FJ_FUZZ_USER_ID": user_id,
           "FJ_FUZZ_ROLES": ",".join(roles)}
    # The report goes to a file as it is written, so a long `make fuzz` can be followed with `tail -f`.
    report_path = Path(os.environ.get("FJ_FUZZ_REPORT_DIR") or tmp_path) / f"{name}.txt"
    with report_path.open("w") as report_file:
        # Awaited, not run blocking: other suites' session fixtures (broker connections with heartbeats)
        # live on this event loop and must keep being served for the minutes the fuzzing takes.
        process = await asyncio.create_subprocess_exec(*command, cwd=tmp_path, env=env, stdout=report_file,
                                                       stderr=asyncio.subprocess.STDOUT)
        returncode = await process.wait()
    report = report_path.read_text()[-30000:]
    print(report)
    assert returncode == 0, f"schemathesis found problems in {name}:\n{report}\n{service.log_tail()}"
