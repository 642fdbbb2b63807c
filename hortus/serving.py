"""Serving several uvicorn servers in one process, stopping all of them cleanly on SIGINT or SIGTERM.

Used by ``hortus up`` (garden API + local seed cluster) and ``hortus seed local``. Uvicorn re-raises the signal
after shutting down, which would end the process with a signal status; hortus exits with 0 instead.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import signal
import socket
from collections.abc import Callable, Iterator
from typing import Any

from apiserver import server as apiserver_server


class PortInUse(Exception):
    """The address to serve on is taken (or not ours to bind)."""


def bind(host: str, port: int) -> socket.socket:
    """A listening socket on ``host:port``, bound before anything else starts so a taken port fails at once."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        why = "is already in use" if exc.errno == errno.EADDRINUSE else f"cannot be bound ({exc.strerror})"
        raise PortInUse(f"address {host}:{port} {why}; choose another with --port") from None
    sock.listen(2048)
    sock.set_inheritable(True)
    return sock


class Server(apiserver_server.Server):
    """A uvicorn server that leaves signal handling to ``serve_all`` (and ends open watches on shutdown).

    ``sock``, when given, is the socket it serves on (see ``bind``).
    """

    def __init__(self, config: Any, sock: socket.socket | None = None) -> None:
        super().__init__(config)
        self.sock = sock

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


def serve_all(servers: list[Server], *, on_started: Callable[[], None] = lambda: None,
              on_stopping: Callable[[], None] = lambda: None) -> None:
    """Run ``servers`` until SIGINT/SIGTERM; ``on_started`` runs once every server accepts connections,
    ``on_stopping`` as soon as a signal arrives (before the servers go)."""

    def stop(_sig: int, _frame: object) -> None:
        on_stopping()
        for server in servers:
            server.should_exit = True

    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        asyncio.run(_serve(servers, on_started))
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


async def _serve(servers: list[Server], on_started: Callable[[], None]) -> None:
    tasks = [asyncio.create_task(s.serve(sockets=[s.sock] if s.sock else None)) for s in servers]
    while not all(s.started for s in servers):
        if any(t.done() for t in tasks):
            break
        await asyncio.sleep(0.05)
    else:
        on_started()
    await asyncio.gather(*tasks)
