"""The garden's authenticator: bearer tokens looked up by digest in the database, with a short TTL cache.

Built by ``garden.app.create_app``; ``apiserver.routes`` calls ``authenticate`` on every request. A revoked
token stops working within ``ttl`` seconds; an expired one at once (its expiry is cached with it).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from apiserver.auth import digest
from apiserver.context import UserInfo
from garden.auth import identities
from garden.auth.identities import Identities

# (identity or None, when the entry goes stale on the monotonic clock, the token's wall-clock expiry)
_Entry = tuple[UserInfo | None, float, float | None]


class DatabaseAuthenticator:
    def __init__(self, known: Identities, *, ttl: float = 5.0, max_entries: int = 10_000,
                 monotonic: Callable[[], float] = time.monotonic) -> None:
        self.identities = known
        self.ttl = ttl
        self.max_entries = max_entries
        self._monotonic = monotonic
        self._cache: dict[str, _Entry] = {}
        self._lock = threading.Lock()

    def authenticate(self, token: str) -> UserInfo | None:
        key = digest(token)
        now = self._monotonic()
        with self._lock:
            entry = self._cache.get(key)
        if entry is None or entry[1] <= now:
            entry = self._fetch(key, now)
        user, _stale_at, expires_at = entry
        if user is not None and expires_at is not None and expires_at <= self.identities.clock():
            return None
        return user

    def forget(self) -> None:
        """Drop the cache (after a revocation in this process, so it holds at once)."""
        with self._lock:
            self._cache.clear()

    def _fetch(self, key: str, now: float) -> _Entry:
        found = self.identities.resolve(key)
        entry: _Entry = (None, now + self.ttl, None) if found is None else (found[0], now + self.ttl, found[1])
        with self._lock:
            # Unknown tokens are cached too (a client retrying a bad token costs no query), so bound the size.
            if len(self._cache) >= self.max_entries:
                self._cache.clear()
            self._cache[key] = entry
        return entry


def for_engine(engine: Any, *, ttl: float = 5.0) -> DatabaseAuthenticator:
    """The authenticator of the garden database behind ``engine`` (what ``garden.app`` serves with)."""
    return DatabaseAuthenticator(identities.for_engine(engine), ttl=ttl)
