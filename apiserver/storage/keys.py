"""Secret keys an API server keeps in its database, so that every process serving that database shares them.

``ServerKeys.get(name)`` returns the key, creating it (256 random bits, urlsafe base64) on first use; two processes
racing to create it both end up with the one that was stored first. Used by ``apiserver.continuation`` (the key
that seals continue tokens). The table is created by migration 0003.
"""

from __future__ import annotations

import base64
import secrets

import sqlalchemy as sa

metadata = sa.MetaData()

server_keys = sa.Table(
    "server_keys",
    metadata,
    sa.Column("name", sa.String(64), primary_key=True),
    sa.Column("value", sa.Text, nullable=False),
)


class ServerKeys:
    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine

    def create_schema(self) -> None:
        metadata.create_all(self.engine)

    def get(self, name: str) -> bytes:
        found = self._read(name)
        if found is not None:
            return found
        fresh = base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()
        try:
            with self.engine.begin() as conn:
                conn.execute(sa.insert(server_keys).values(name=name, value=fresh))
        except sa.exc.IntegrityError:
            pass  # another process stored its key first: use that one
        stored = self._read(name)
        if stored is None:
            raise RuntimeError(f"server key {name!r} could not be stored")
        return stored

    def _read(self, name: str) -> bytes | None:
        with self.engine.connect() as conn:
            value = conn.execute(sa.select(server_keys.c.value).where(server_keys.c.name == name)).scalar()
        return None if value is None else str(value).encode()
