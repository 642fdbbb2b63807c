"""The loop every in-process controller runs: one synchronous round in a worker thread, then a pause.

Used by the namespace controller, the CRD controller, and the garden's controllers. A failed round is logged
and the next one retries: a controller must outlive any single error.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

import anyio

log = logging.getLogger(__name__)


async def run_forever(round_: Callable[[], object], *, interval: float, name: str) -> None:
    while True:
        try:
            await anyio.to_thread.run_sync(round_)
        except Exception:  # one failed round must not stop the controller; the next one retries
            log.exception("%s round failed", name)
        await asyncio.sleep(interval)
