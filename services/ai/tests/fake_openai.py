"""A local OpenAI-compatible chat-completions server for the insight tests (records what it was sent)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any

import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

ANSWER = "  A steady week: keep it up.  "


class FakeOpenAI:
    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.fail = False
        self.base_url = ""

    def app(self) -> FastAPI:
        app = FastAPI()

        @app.post("/v1/chat/completions")
        async def completions(request: Request) -> JSONResponse:
            body = await request.json()
            self.requests.append({"body": body, "auth": request.headers.get("authorization")})
            if self.fail:
                return JSONResponse({"error": {"message": "overloaded", "type": "server_error"}}, status_code=500)
            return JSONResponse({
                "id": "chatcmpl-1", "object": "chat.completion", "created": int(time.time()), "model": body["model"],
                "choices": [{"index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": ANSWER}}],
                "usage": {"prompt_tokens": 10, "completion_tokens": 8, "total_tokens": 18},
            })

        return app


def serve_fake_openai() -> Iterator[FakeOpenAI]:
    """The server on a port the system picks (no clash with another suite running at the same time)."""
    fake = FakeOpenAI()
    server = uvicorn.Server(uvicorn.Config(fake.app(), host="127.0.0.1", port=0, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert time.monotonic() < deadline, "fake OpenAI server did not start"
        time.sleep(0.05)
    port = server.servers[0].sockets[0].getsockname()[1]
    fake.base_url = f"http://127.0.0.1:{port}/v1"
    yield fake
    server.should_exit = True
    thread.join(10)
