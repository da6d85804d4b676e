"""RS256 signing keys as PEM files in a directory: loading, rotation, the public JWKS, and a local verifier.

Each key is `{kid}.pem`; the kid starts with its creation time, so names sort oldest first and the
newest key signs. A key stays published after its successor appeared for as long as tokens it
signed may live (access TTL + leeway), then `rotate-keys` deletes it.
"""

from __future__ import annotations

import base64
import json
import logging
import os
import secrets
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import pairwise
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jose import jwk
from jose.backends.base import Key

from fitjourney_common.security import JWKSCache

log = logging.getLogger(__name__)

KEY_BITS = 2048
KID_TIME_FORMAT = "%Y%m%dT%H%M%S%fZ"
# Clock skew between replicas and verifiers: keep a retired key published a little longer.
RETIRE_LEEWAY_SECONDS = 60
JWKS_FILENAME = "jwks.json"


class MissingKeys(RuntimeError):
    """No signing key in the key directory (outside dev they must be provisioned, never invented)."""


def _b64url_uint(value: int) -> str:
    raw = value.to_bytes((value.bit_length() + 7) // 8, "big")
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _kid_time(kid: str) -> datetime:
    try:
        return datetime.strptime(kid.split("-", 1)[0], KID_TIME_FORMAT).replace(tzinfo=UTC)
    except ValueError:
        # A key someone dropped in by hand: treat it as ancient so any key we made later wins.
        return datetime.min.replace(tzinfo=UTC)


def new_kid(now: datetime | None = None) -> str:
    return f"{(now or datetime.now(UTC)).strftime(KID_TIME_FORMAT)}-{secrets.token_hex(4)}"


@dataclass(frozen=True)
class SigningKey:
    kid: str
    created_at: datetime
    signer: Key  # jose key object, built once: parsing the PEM per token would dominate signing time
    public_jwk: dict[str, Any]


def _load_key(path: Path) -> SigningKey:
    pem = path.read_bytes()
    private = serialization.load_pem_private_key(pem, password=None)
    if not isinstance(private, rsa.RSAPrivateKey):
        raise ValueError(f"{path} is not an RSA private key")
    numbers = private.public_key().public_numbers()
    kid = path.stem
    public_jwk = {"kty": "RSA", "use": "sig", "alg": "RS256", "kid": kid,
                  "n": _b64url_uint(numbers.n), "e": _b64url_uint(numbers.e)}
    return SigningKey(kid=kid, created_at=_kid_time(kid), signer=jwk.construct(pem, "RS256"),
                      public_jwk=public_jwk)


def _write_private(directory: Path, kid: str) -> Path:
    private = rsa.generate_private_key(public_exponent=65537, key_size=KEY_BITS)
    pem = private.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
    path = directory / f"{kid}.pem"
    tmp = directory / f".{kid}.pem.tmp"
    # Private key material: owner-only from the first byte written.
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(pem)
    os.replace(tmp, path)
    return path


class KeyStore:
    """The signing keys of one key directory; thread-safe, re-read when the directory's key files change."""

    def __init__(self, directory: Path, token_ttl_seconds: int, reload_seconds: float = 10.0):
        self.directory = directory
        self.retire_after = timedelta(seconds=token_ttl_seconds + RETIRE_LEEWAY_SECONDS)
        self.reload_seconds = reload_seconds
        self._keys: list[SigningKey] = []
        self._fingerprint: tuple[tuple[str, int], ...] = ()
        self._checked_at = 0.0
        self._lock = threading.Lock()

    # -- loading ---------------------------------------------------------------------------------
    def _scan(self) -> tuple[tuple[str, int], ...]:
        if not self.directory.is_dir():
            return ()
        return tuple(sorted((p.name, p.stat().st_mtime_ns) for p in self.directory.glob("*.pem")))

    def load(self, *, generate_if_missing: bool) -> None:
        """Read the key directory; create a first key if there is none and `generate_if_missing`
        (dev/test start-up, and the `init-keys` command of a first deployment)."""
        with self._lock:
            fingerprint = self._scan()
            if not fingerprint:
                if not generate_if_missing:
                    raise MissingKeys(f"No signing keys (*.pem) in {self.directory}; run `fitjourney-auth "
                                      "rotate-keys` with KEY_DIR set, or mount the keys there")
                self.directory.mkdir(parents=True, exist_ok=True, mode=0o700)
                _write_private(self.directory, new_kid())
                log.info("generated a first signing key in %s", self.directory)
                fingerprint = self._scan()
            self._read(fingerprint)
        self.write_jwks_file()

    def _read(self, fingerprint: tuple[tuple[str, int], ...]) -> None:
        keys = [_load_key(self.directory / name) for name, _ in fingerprint]
        keys.sort(key=lambda k: (k.created_at, k.kid))
        self._keys = keys
        self._fingerprint = fingerprint
        self._checked_at = time.monotonic()

    def refresh(self, *, force: bool = False) -> bool:
        """Re-read the directory if its key files changed (at most every `reload_seconds` unless forced)."""
        if not force and time.monotonic() - self._checked_at < self.reload_seconds:
            return False
        with self._lock:
            fingerprint = self._scan()
            self._checked_at = time.monotonic()
            if not fingerprint or fingerprint == self._fingerprint:
                return False
            self._read(fingerprint)
        log.info("signing keys changed on disk; now signing with %s", self._keys[-1].kid)
        self.write_jwks_file()
        return True

    # -- use -------------------------------------------------------------------------------------
    @property
    def current(self) -> SigningKey:
        self.refresh()
        if not self._keys:
            raise MissingKeys("KeyStore.load() was not called")
        return self._keys[-1]

    def published(self, now: datetime | None = None) -> list[SigningKey]:
        """The current key and every older key whose tokens may still be alive."""
        now = now or datetime.now(UTC)
        keys = self._keys
        alive = [key for key, successor in pairwise(keys)
                 if now < successor.created_at + self.retire_after]
        return [*alive, *keys[-1:]]

    def jwks(self) -> dict[str, Any]:
        self.refresh()
        return {"keys": [key.public_jwk for key in reversed(self.published())]}

    def public_jwk(self, kid: str) -> dict[str, Any] | None:
        for key in self.published():
            if key.kid == kid:
                return key.public_jwk
        # Maybe another replica (or the CLI) rotated: look at the directory before refusing the token.
        if self.refresh(force=time.monotonic() - self._checked_at > 1.0):
            return self.public_jwk(kid)
        return None

    def write_jwks_file(self) -> None:
        """Publish the JWKS next to the keys, where embedded-dev services read it (`file://` JWKS URL)."""
        path = self.directory / JWKS_FILENAME
        document = json.dumps({"keys": [k.public_jwk for k in reversed(self.published())]}, indent=2)
        try:
            tmp = path.with_name(f".{JWKS_FILENAME}.{os.getpid()}.tmp")
            tmp.write_text(document)
            os.replace(tmp, path)
        except OSError as exc:
            # Keys mounted read-only (a Kubernetes Secret): the HTTP endpoint still serves the JWKS.
            log.warning("could not write %s: %s", path, exc)

    # -- rotation --------------------------------------------------------------------------------
    def rotate(self, now: datetime | None = None) -> SigningKey:
        """Add a new signing key, delete keys whose tokens have all expired, rewrite jwks.json."""
        now = now or datetime.now(UTC)
        self.directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        with self._lock:
            _write_private(self.directory, new_kid(now))
            self._read(self._scan())
            keep = {key.kid for key in self.published(now)}
            for key in self._keys:
                if key.kid not in keep:
                    (self.directory / f"{key.kid}.pem").unlink(missing_ok=True)
                    log.info("deleted retired signing key %s", key.kid)
            self._read(self._scan())
            current = self._keys[-1]
        self.write_jwks_file()
        return current


class LocalJWKS(JWKSCache):
    """The JWKS cache the shared TokenVerifier reads, answered from auth's own key store (no HTTP)."""

    def __init__(self, store: KeyStore):
        super().__init__(url=f"file://{store.directory / JWKS_FILENAME}")
        self.store = store

    async def get_key(self, kid: str) -> dict[str, Any] | None:
        return self.store.public_jwk(kid)
