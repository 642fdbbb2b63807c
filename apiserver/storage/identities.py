"""Identities and the SHA-256 digests of their bearer tokens, in SQL.

Generic storage for any API server that authenticates by token: an identity is a name, a kind and groups;
a token is a public id, a digest, an optional expiry and a revocation time. The token itself is never
stored. Used by ``garden.auth.identities``; the tables are created by migration 0002.
"""

from __future__ import annotations

import dataclasses
import json

import sqlalchemy as sa

metadata = sa.MetaData()

identities = sa.Table(
    "identities",
    metadata,
    sa.Column("name", sa.String(253), primary_key=True),
    sa.Column("kind", sa.String(32), nullable=False),
    sa.Column("groups", sa.Text, nullable=False, server_default="[]"),
    sa.Column("created_at", sa.Float, nullable=False),
)

tokens = sa.Table(
    "tokens",
    metadata,
    sa.Column("id", sa.String(32), primary_key=True),
    sa.Column("identity", sa.String(253), sa.ForeignKey("identities.name", ondelete="CASCADE"), nullable=False,
              index=True),
    sa.Column("digest", sa.String(64), nullable=False, unique=True),
    sa.Column("description", sa.Text, nullable=False, server_default=""),
    sa.Column("created_at", sa.Float, nullable=False),
    sa.Column("expires_at", sa.Float, nullable=True),
    sa.Column("revoked_at", sa.Float, nullable=True),
)


@dataclasses.dataclass(frozen=True)
class Identity:
    name: str
    kind: str
    groups: tuple[str, ...]
    created_at: float


@dataclasses.dataclass(frozen=True)
class Token:
    """A token's record; ``digest`` is SHA-256 of the token, never the token."""

    id: str
    identity: str
    digest: str
    description: str
    created_at: float
    expires_at: float | None
    revoked_at: float | None

    def valid_at(self, now: float) -> bool:
        return self.revoked_at is None and (self.expires_at is None or now < self.expires_at)


class IdentityStore:
    """Reads and writes of identities and token digests; each call is its own transaction."""

    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine

    def create_schema(self) -> None:
        """Create the tables directly (tests; servers use the Alembic migrations)."""
        metadata.create_all(self.engine)

    def put_identity(self, identity: Identity) -> Identity:
        """Insert ``identity``, or update its kind and groups when the name exists (keeping its tokens)."""
        i = identities
        values = {"kind": identity.kind, "groups": json.dumps(list(identity.groups))}
        with self.engine.begin() as conn:
            exists = conn.execute(sa.select(i.c.name).where(i.c.name == identity.name)).first()
            if exists:
                conn.execute(sa.update(i).where(i.c.name == identity.name).values(**values))
            else:
                conn.execute(sa.insert(i).values(name=identity.name, created_at=identity.created_at, **values))
        found = self.get_identity(identity.name)
        assert found is not None
        return found

    def get_identity(self, name: str) -> Identity | None:
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(identities).where(identities.c.name == name)).first()
        return None if row is None else _identity(row)

    def list_identities(self, *, kind: str | None = None) -> list[Identity]:
        query = sa.select(identities).order_by(identities.c.name)
        if kind is not None:
            query = query.where(identities.c.kind == kind)
        with self.engine.connect() as conn:
            return [_identity(r) for r in conn.execute(query).all()]

    def delete_identity(self, name: str) -> bool:
        with self.engine.begin() as conn:
            conn.execute(sa.delete(tokens).where(tokens.c.identity == name))
            return conn.execute(sa.delete(identities).where(identities.c.name == name)).rowcount > 0

    def add_token(self, token: Token) -> None:
        with self.engine.begin() as conn:
            conn.execute(sa.insert(tokens).values(**dataclasses.asdict(token)))

    def token_by_digest(self, digest: str) -> tuple[Token, Identity] | None:
        """The token with this digest and its identity, whether or not still valid."""
        query = sa.select(tokens, identities.c.kind, identities.c.groups, identities.c.created_at.label("ic")).join(
            identities, identities.c.name == tokens.c.identity).where(tokens.c.digest == digest)
        with self.engine.connect() as conn:
            row = conn.execute(query).first()
        if row is None:
            return None
        identity = Identity(name=row.identity, kind=row.kind, groups=tuple(json.loads(row.groups)),
                            created_at=row.ic)
        return _token(row), identity

    def list_tokens(self, *, identity: str | None = None) -> list[Token]:
        query = sa.select(tokens).order_by(tokens.c.created_at)
        if identity is not None:
            query = query.where(tokens.c.identity == identity)
        with self.engine.connect() as conn:
            return [_token(r) for r in conn.execute(query).all()]

    def revoke(self, *, now: float, token_id: str | None = None, digest: str | None = None,
               identity: str | None = None) -> int:
        """Revoke the tokens matching every given criterion; returns how many were still unrevoked."""
        t = tokens
        query = sa.update(t).where(t.c.revoked_at.is_(None))
        if token_id is None and digest is None and identity is None:
            raise ValueError("revoke needs a token id, a digest or an identity")
        if token_id is not None:
            query = query.where(t.c.id == token_id)
        if digest is not None:
            query = query.where(t.c.digest == digest)
        if identity is not None:
            query = query.where(t.c.identity == identity)
        with self.engine.begin() as conn:
            return conn.execute(query.values(revoked_at=now)).rowcount


def _identity(row: sa.Row[tuple[object, ...]]) -> Identity:
    return Identity(name=row.name, kind=row.kind, groups=tuple(json.loads(row.groups)), created_at=row.created_at)


def _token(row: sa.Row[tuple[object, ...]]) -> Token:
    return Token(id=row.id, identity=row.identity, digest=row.digest, description=row.description,
                 created_at=row.created_at, expires_at=row.expires_at, revoked_at=row.revoked_at)
