"""Creates (once) the virtualenv that holds checkov, apart from .venv, and prints the path of its `checkov`.

`make checkov` and deploy/tests/test_terraform.py call it; the venv is rebuilt only when
deploy/checks/checkov-requirements.txt changes. Its dependencies pin versions the services cannot share.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
VENV = Path(os.environ.get("CHECKOV_VENV", ROOT / ".venv-checkov"))
REQUIREMENTS = ROOT / "deploy" / "checks" / "checkov-requirements.txt"


def ensure_checkov(python: str = sys.executable) -> Path:
    """The checkov executable of the venv, creating or refreshing the venv when the requirements changed."""
    digest = hashlib.sha256(REQUIREMENTS.read_bytes()).hexdigest()[:16]
    stamp = VENV / f".installed-{digest}"
    checkov = VENV / "bin" / "checkov"
    if stamp.exists() and checkov.exists():
        return checkov
    started = time.monotonic()
    shutil.rmtree(VENV, ignore_errors=True)
    # uv (in requirements-dev.txt) installs checkov's ~90 packages in seconds; pip takes minutes.
    uv = shutil.which("uv") or str(Path(sys.executable).parent / "uv")
    if Path(uv).exists():
        commands = [[uv, "venv", "--quiet", "--python", python, str(VENV)],
                    [uv, "pip", "install", "--quiet", "--python", str(VENV / "bin" / "python"),
                     "-r", str(REQUIREMENTS)]]
    else:
        commands = [[python, "-m", "venv", str(VENV)],
                    [str(VENV / "bin" / "pip"), "install", "--quiet", "--disable-pip-version-check", "-r",
                     str(REQUIREMENTS)]]
    for command in commands:
        done = subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603 - fixed arguments
        if done.returncode != 0:
            raise RuntimeError(f"{' '.join(command)} failed:\n{done.stdout[-3000:]}{done.stderr[-3000:]}")
    stamp.touch()
    print(f"installed checkov into {VENV} in {time.monotonic() - started:.0f} s", file=sys.stderr)
    return checkov


if __name__ == "__main__":
    print(ensure_checkov())
