"""Password hashing (bcrypt via pwdlib, off the event loop) and the password policy."""

from __future__ import annotations

import asyncio
import functools
import os
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

import anyio
from pwdlib import PasswordHash
from pwdlib.hashers.bcrypt import BcryptHasher

from fitjourney_common.errors import ValidationFailed

T = TypeVar("T")
MIN_LENGTH = 10
# bcrypt reads at most 72 bytes (and bcrypt >= 5 refuses longer input instead of truncating it).
MAX_BYTES = 72


class PasswordHasher:
    """bcrypt at a fixed cost, off the event loop so one sign-in never stalls the other requests: at most
    `threads` checks at once, on threads of their own that run `niceness` steps below the process, so a
    burst of sign-ins waits for spare CPU instead of taking it from every other request on the machine."""

    def __init__(self, rounds: int = 12, threads: int = 1, niceness: int = 0):
        self.rounds = rounds
        self._hash = PasswordHash((BcryptHasher(rounds=rounds),))
        self._dummy: str | None = None
        self.limiter = anyio.CapacityLimiter(threads)
        self._threads = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="bcrypt",
                                           initializer=_lower_thread_priority, initargs=(niceness,))

    async def _in_thread(self, function: Callable[..., T], *args: Any) -> T:
        async with self.limiter:
            return await asyncio.get_running_loop().run_in_executor(self._threads, functools.partial(function, *args))

    def close(self) -> None:
        self._threads.shutdown(wait=False, cancel_futures=True)

    async def hash(self, password: str) -> str:
        return await self._in_thread(self._hash.hash, password)

    async def verify(self, password: str, hashed: str | None) -> tuple[bool, str | None]:
        """(matches, new hash if the stored one used another cost). With no stored hash (unknown email,
        OAuth-only account) a dummy hash is checked, so the answer takes as long as a real one."""
        # Cut by bytes, not characters: 72 characters of "é" are 144 bytes, which bcrypt >= 5 refuses (a 500).
        capped = password.encode()[:MAX_BYTES]
        if hashed is None:
            await self._in_thread(self._hash.verify, capped, await self._dummy_hash())
            return False, None
        if len(password.encode()) > MAX_BYTES:
            # No accepted password is this long; still pay for one check, so the answer takes as long.
            await self._in_thread(self._hash.verify, capped, hashed)
            return False, None
        return await self._in_thread(self._hash.verify_and_update, password, hashed)

    async def _dummy_hash(self) -> str:
        if self._dummy is None:
            self._dummy = await self.hash("dummy password nobody has")
        return self._dummy

    async def warm_up(self) -> None:
        """Compute the dummy hash at startup, so the first unknown-email sign-in is not twice as slow."""
        await self._dummy_hash()


def _lower_thread_priority(niceness: int) -> None:
    # Linux gives each thread its own nice value; raising it needs no privilege (lowering it back would).
    if niceness and hasattr(os, "setpriority"):
        thread = threading.get_native_id()
        os.setpriority(os.PRIO_PROCESS, thread, min(19, os.getpriority(os.PRIO_PROCESS, thread) + niceness))


def _character_classes(password: str) -> int:
    classes = (str.islower, str.isupper, str.isdigit)
    found = {i for ch in password for i, test in enumerate(classes) if test(ch)}
    if any(not (ch.islower() or ch.isupper() or ch.isdigit()) for ch in password):
        found.add(len(classes))  # symbols, spaces and letters without case
    return len(found)


def check_password_policy(password: str, email: str | None) -> None:
    """Raise ValidationFailed("password", <the rule broken>) for a weak password."""
    if len(password) < MIN_LENGTH:
        raise ValidationFailed("password", f"must be at least {MIN_LENGTH} characters long")
    if len(password.encode()) > MAX_BYTES:
        raise ValidationFailed("password", f"must be at most {MAX_BYTES} bytes long")
    if _character_classes(password) < 2:
        raise ValidationFailed("password", "must mix at least two kinds of characters "
                                           "(lower case, upper case, digits, symbols)")
    if email:
        lowered = password.casefold()
        address = email.strip().casefold()
        local = address.split("@", 1)[0]
        # A very short local part ("jo@…") would forbid half the dictionary; the whole address still counts.
        if address in lowered or (len(local) >= 3 and local in lowered):
            raise ValidationFailed("password", "must not be or contain your email address")
