"""Writes .env from .env.example, filling every empty value with a fresh random secret.

`make .env` runs it; docker compose reads the file, and the real stack of README exports it (`set -a; . ./.env`).
`python deploy/compose/make_env.py other.env` writes another file. An existing file is never overwritten
(delete it to start over, with new volumes).
"""

from __future__ import annotations

import base64
import secrets
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OPTIONAL = "optional"


def secret_for(name: str) -> str:
    if name == "JOURNAL_ENCRYPTION_KEY":
        return base64.b64encode(secrets.token_bytes(32)).decode()
    # Hex: safe inside the URLs that carry these passwords (postgresql://, redis://, amqp://).
    return secrets.token_hex(24)


def render(example: str) -> str:
    lines = []
    for line in example.splitlines():
        name, sep, value = line.partition("=")
        if sep and not line.lstrip().startswith("#"):
            if value == "":
                line = f"{name}={secret_for(name)}"
            elif value == OPTIONAL:
                line = f"{name}="
        lines.append(line)
    return "\n".join(lines) + "\n"


def main(target: Path = ROOT / ".env", example: Path = ROOT / ".env.example") -> int:
    if target.exists():
        print(f"{target.name} exists; left as it is")
        return 0
    target.write_text(render(example.read_text()))
    target.chmod(0o600)
    print(f"wrote {target.name} with fresh secrets")
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1])) if len(sys.argv) > 1 else main())
