"""The request body limit: bodies over 3 MiB are refused with 413 before they are read whole.

Installed by ``apiserver.server.build_app`` around the whole app (the garden's extra routes and the shoot APIs
mounted on the local seed included). A ``Content-Length`` over the limit is answered at once, without reading the
body; a body without one (chunked) is counted as it arrives and refused as soon as it passes the limit, so no more
than the limit and one chunk is ever held in memory.
"""

from __future__ import annotations

from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from apiserver import errors, limits
from apiserver.responses import JSONResponse


def too_large(limit: int) -> errors.ApiError:
    return errors.ApiError(413, "RequestEntityTooLarge", f"Request entity too large: limit is {limit}")


class BodyLimit:
    """ASGI middleware: ``limit`` bytes at most in an HTTP request's body."""

    def __init__(self, app: ASGIApp, *, limit: int = limits.MAX_REQUEST_BODY_BYTES) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        length = _content_length(scope)
        if length is not None and length > self.limit:
            await _refuse(self.limit, scope, receive, send)
            return
        received = 0

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.limit:
                    raise too_large(self.limit)
            return message

        await self.app(scope, counted, send)


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


async def _refuse(limit: int, scope: Scope, receive: Receive, send: Send) -> None:
    err = too_large(limit)
    response: Any = JSONResponse(err.status(), status_code=err.code)
    await response(scope, receive, send)
