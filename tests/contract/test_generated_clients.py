"""A typed Python client generated from each service's OpenAPI document imports and talks to the service.

openapi-python-client is what a client team would run; if a document stops being usable by it (an
unsupported construct, a name clash), this fails before they notice.
"""

from __future__ import annotations

import importlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from contract_harness import SERVICES, RunningService


@pytest.mark.timeout(300)
@pytest.mark.parametrize("name", SERVICES)
def test_a_generated_client_imports_and_calls_the_service(
    name: str, running_services: dict[str, RunningService], tmp_path: Path,
) -> None:
    service = running_services[name]
    document = service.openapi()
    (tmp_path / "openapi.json").write_text(json.dumps(document))
    package = f"fj_{name}_client"
    bin_dir = Path(sys.executable).parent
    generated = subprocess.run(
        [str(bin_dir / "openapi-python-client"), "generate", "--path", "openapi.json", "--meta", "none",
         "--output-path", package, "--fail-on-warning"],
        cwd=tmp_path, capture_output=True, text=True, timeout=240, check=False,
        env={**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}"},
    )
    assert generated.returncode == 0, generated.stdout + generated.stderr

    sys.path.insert(0, str(tmp_path))
    try:
        client_module = importlib.import_module(f"{package}.client")
        operations = [op["operationId"] for methods in document["paths"].values() for op in methods.values()]
        for operation_id in operations:
            tag = next(op.get("tags", ["default"])[0] for methods in document["paths"].values()
                       for op in methods.values() if op["operationId"] == operation_id)
            module = importlib.import_module(f"{package}.api.{tag.replace(' ', '_')}.{operation_id}")
            assert callable(module.sync_detailed), operation_id
        healthz = importlib.import_module(f"{package}.api.health.healthz")
        with client_module.Client(base_url=service.base_url) as client:
            health = healthz.sync(client=client)
        assert health is not None and health.status == "ok" and health.service == name
    finally:
        sys.path.remove(str(tmp_path))
        for module_name in [m for m in sys.modules if m.startswith(package)]:
            del sys.modules[module_name]
