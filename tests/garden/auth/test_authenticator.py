"""The database authenticator: tokens resolve to identities, cached for a short TTL, expiry enforced at once."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from apiserver.auth import digest
from apiserver.storage import engine as engines
from apiserver.storage.identities import IdentityStore, Token
from garden.auth.authenticator import DatabaseAuthenticator
from garden.auth.identities import Identities


class Clock:
    def __init__(self) -> None:
        self.now = 5_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def setup(tmp_path: Path) -> Iterator[tuple[Identities, DatabaseAuthenticator, Clock, Clock]]:
    wall, mono = Clock(), Clock()
    store = IdentityStore(engines.make_engine(f"sqlite:///{tmp_path / 'a.db'}"))
    store.create_schema()
    known = Identities(store, clock=wall)
    known.create_user("vera", groups=["team"])
    yield known, DatabaseAuthenticator(known, ttl=5.0, monotonic=mono), wall, mono
    store.engine.dispose()


def test_a_token_authenticates_as_its_identity(setup: tuple[Identities, DatabaseAuthenticator, Clock, Clock]) -> None:
    known, auth, _, _ = setup
    user = auth.authenticate(known.issue_token("vera").token)
    assert user is not None and user.name == "vera" and user.groups == ("team", "system:authenticated")
    assert auth.authenticate("not-a-token") is None


def test_a_revoked_token_stops_working_once_the_cache_entry_is_stale(
        setup: tuple[Identities, DatabaseAuthenticator, Clock, Clock]) -> None:
    known, auth, _, mono = setup
    issued = known.issue_token("vera")
    assert auth.authenticate(issued.token) is not None
    known.revoke(token_id=issued.id)
    assert auth.authenticate(issued.token) is not None  # served from the cache, within the TTL
    mono.now += 5.0
    assert auth.authenticate(issued.token) is None


def test_forget_makes_a_revocation_hold_at_once(setup: tuple[Identities, DatabaseAuthenticator, Clock, Clock]) -> None:
    known, auth, _, _ = setup
    issued = known.issue_token("vera")
    assert auth.authenticate(issued.token) is not None
    known.revoke(token=issued.token)
    auth.forget()
    assert auth.authenticate(issued.token) is None


def test_an_expiring_token_stops_at_its_expiry_even_when_cached(
        setup: tuple[Identities, DatabaseAuthenticator, Clock, Clock]) -> None:
    known, auth, wall, _ = setup
    issued = known.issue_token("vera", expires_in=60)
    assert auth.authenticate(issued.token) is not None
    wall.now += 60
    assert auth.authenticate(issued.token) is None


def test_unknown_tokens_are_cached_only_for_the_ttl(
        setup: tuple[Identities, DatabaseAuthenticator, Clock, Clock]) -> None:
    known, auth, _, mono = setup
    assert auth.authenticate("later") is None
    known.store.add_token(Token(id="t1", identity="vera", digest=digest("later"), description="", created_at=0,
                                expires_at=None, revoked_at=None))
    assert auth.authenticate("later") is None
    mono.now += 5.0
    assert auth.authenticate("later") is not None
