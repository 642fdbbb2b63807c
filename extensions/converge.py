"""Driving an operation until it is done: a ``TemporaryError`` means "not yet", so call again after its delay.

Used by the conformance kit and by tests in place of the flow engine's retries (which never block a worker).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

from shoot import errors

T = TypeVar("T")


def converge(fn: Callable[[], T], *, timeout: float = 120.0, max_delay: float = 0.5) -> T:
    """``fn()`` once it no longer raises ``TemporaryError`` (waiting at most ``max_delay`` between calls); after
    ``timeout`` seconds the last ``TemporaryError`` is raised."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            return fn()
        except errors.TemporaryError as exc:
            if time.monotonic() + min(exc.delay, max_delay) > deadline:
                raise
            time.sleep(min(exc.delay, max_delay))
