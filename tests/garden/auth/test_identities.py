"""Identities and tokens on the garden database: names and groups as Kubernetes and Gardener spell them,
tokens shown once and stored only as digests, expiry and revocation."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from apiserver.auth import digest
from apiserver.context import UserInfo
from apiserver.storage import engine as engines
from apiserver.storage.identities import IdentityStore
from garden.auth import identities
from garden.auth.identities import Identities, IdentityError


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


def _user(known: Identities, token: str) -> UserInfo:
    found = known.resolve(digest(token))
    assert found is not None
    return found[0]


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def known(db_url: str, clock: Clock) -> Iterator[Identities]:
    store = IdentityStore(engines.make_engine(db_url))
    store.create_schema()
    yield Identities(store, clock=clock)
    store.engine.dispose()


def test_service_accounts_and_seeds_carry_kubernetes_and_gardener_names_and_groups(known: Identities) -> None:
    known.create_service_account("garden-dev", "robot")
    known.ensure_seed("aws-eu1")
    sa_user = _user(known, known.issue_token("system:serviceaccount:garden-dev:robot").token)
    seed_user = _user(known, known.issue_token("gardener.cloud:system:seed:aws-eu1").token)
    assert sa_user.groups == ("system:serviceaccounts", "system:serviceaccounts:garden-dev", "system:authenticated")
    assert seed_user.groups == ("gardener.cloud:system:seeds", "system:authenticated")
    assert identities.seed_of(seed_user) == "aws-eu1"
    assert identities.parse_service_account(sa_user.name) == ("garden-dev", "robot")


def test_operators_are_users_in_the_operators_group(known: Identities) -> None:
    known.create_user("olga", groups=["team-x"], operator=True)
    user = _user(known, known.issue_token("olga").token)
    assert user.groups == ("team-x", identities.OPERATORS, "system:authenticated")
    assert identities.is_operator(user)


@pytest.mark.parametrize("name", ["system:serviceaccount:garden-dev:robot", "gardener.cloud:system:seed:x", "", "a b"])
def test_rejects_user_names_that_would_pass_for_another_kind_of_identity(known: Identities, name: str) -> None:
    with pytest.raises(IdentityError):
        known.create_user(name)


def test_rejects_a_reserved_group_for_a_user(known: Identities) -> None:
    with pytest.raises(IdentityError):
        known.create_user("mallory", groups=["gardener.cloud:system:seeds"])


def test_a_token_is_stored_only_as_its_digest(known: Identities, db_url: str) -> None:
    known.create_user("vera")
    issued = known.issue_token("vera")
    with known.store.engine.connect() as conn:
        rows = [tuple(str(v) for v in r) for r in conn.execute(sa.text("SELECT * FROM tokens")).all()]
    assert len(rows) == 1
    assert not any(issued.token in value for value in rows[0])
    assert digest(issued.token) in rows[0]


def test_an_expired_token_resolves_to_nobody(known: Identities, clock: Clock) -> None:
    known.create_user("vera")
    issued = known.issue_token("vera", expires_in=identities.parse_duration("24h"))
    assert known.resolve(digest(issued.token)) is not None
    clock.now += 24 * 3600
    assert known.resolve(digest(issued.token)) is None


def test_revokes_by_id_by_token_and_by_identity(known: Identities) -> None:
    known.create_user("vera")
    first, second, third = (known.issue_token("vera") for _ in range(3))
    assert known.revoke(token_id=first.id) == 1
    assert known.revoke(token=second.token) == 1
    assert known.resolve(digest(third.token)) is not None
    assert known.revoke(identity="vera") == 1
    assert all(known.resolve(digest(t.token)) is None for t in (first, second, third))


def test_cannot_issue_a_token_for_nobody(known: Identities) -> None:
    with pytest.raises(IdentityError):
        known.issue_token("ghost")


def test_the_operator_of_hortus_up_keeps_one_valid_token(known: Identities) -> None:
    known.ensure_operator("hortus:operator", token_digest=digest("one"))
    known.ensure_operator("hortus:operator", token_digest=digest("one"))
    assert known.resolve(digest("one")) is not None
    known.ensure_operator("hortus:operator", token_digest=digest("two"))
    assert known.resolve(digest("one")) is None
    user = _user(known, "two")
    assert identities.is_operator(user)


@pytest.mark.parametrize(("text", "seconds"), [("90", 90), ("90s", 90), ("30m", 1800), ("24h", 86400), ("7d", 604800)])
def test_parses_durations(text: str, seconds: float) -> None:
    assert identities.parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["", "0h", "1w", "-1h", "h"])
def test_rejects_bad_durations(text: str) -> None:
    with pytest.raises(IdentityError):
        identities.parse_duration(text)


def test_tables_come_from_the_migrations(tmp_path: Path) -> None:
    import migrations
    from apiserver.storage import migrate

    engine = engines.make_engine(f"sqlite:///{tmp_path / 'm.db'}")
    migrate.upgrade(engine, migrations.LOCATION)
    known = identities.for_engine(engine)
    known.create_user("vera")
    assert known.resolve(digest(known.issue_token("vera").token)) is not None
    engine.dispose()
