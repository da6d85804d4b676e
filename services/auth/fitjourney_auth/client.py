"""Who is calling, as far as an audit row or a session list cares: address and user agent."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import Request

MAX_USER_AGENT = 512


@dataclass(frozen=True)
class ClientInfo:
    ip: str | None = None
    user_agent: str | None = None

    @classmethod
    async def from_request(cls, request: Request) -> ClientInfo:
        # The peer's address, or the one X-Forwarded-For names when the peer is a trusted proxy (main.py).
        ip = request.client.host if request.client else None
        user_agent = request.headers.get("user-agent")
        return cls(ip=ip[:64] if ip else None, user_agent=user_agent[:MAX_USER_AGENT] if user_agent else None)
