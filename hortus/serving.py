"""Serving several uvicorn servers in one process, stopping all of them cleanly on SIGINT or SIGTERM.

Used by ``hortus up`` (garden API + local seed cluster) and ``hortus seed local``. Uvicorn re-raises the signal
after shutting down, which would end the process with a signal status; hortus exits with 0 instead.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
from collections.abc import Callable, Iterator

from apiserver import server as apiserver_server


class Server(apiserver_server.Server):
    """A uvicorn server that leaves signal handling to ``serve_all`` (and ends open watches on shutdown)."""

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
    tasks = [asyncio.create_task(s.serve()) for s in servers]
    while not all(s.started for s in servers):
        if any(t.done() for t in tasks):
            break
        await asyncio.sleep(0.05)
    else:
        on_started()
    await asyncio.gather(*tasks)
