"""Shared fixtures: databases (SQLite and PostgreSQL), a store, and a running HTTPS API server."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

import migrations
from apiserver import kinds
from apiserver.auth import TokenAuthenticator
from apiserver.context import UserInfo
from apiserver.registry import Registry
from apiserver.server import ApiServer, build_app
from apiserver.storage import engine as engines
from apiserver.storage import migrate
from apiserver.storage.store import Store
from tests.support import databases, servers, widgets


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    with databases.database(request.param, tmp_path) as url:
        yield url


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'test.db'}"


def make_registry() -> Registry:
    return Registry([kinds.NAMESPACE, kinds.SECRET, widgets.widget_type(), widgets.gadget_type()])


def make_store(url: str, registry: Registry) -> Store:
    engine = engines.make_engine(url)
    migrate.upgrade(engine, migrations.LOCATION)
    return Store(engine, sensitive=lambda key: bool((rt := registry.by_key(key)) and rt.sensitive))


@pytest.fixture
def store(db_url: str) -> Iterator[Store]:
    s = make_store(db_url, make_registry())
    yield s
    s.engine.dispose()


@pytest.fixture
def running(db_url: str, tmp_path: Path) -> Iterator[tuple[servers.RunningServer, ApiServer]]:
    """A real HTTPS API server with Namespace, Secret, Widget and Gadget, on SQLite and on PostgreSQL."""
    registry = make_registry()
    token = servers.new_token()
    user = UserInfo(name="tester", groups=("system:masters", "system:authenticated"))
    api = ApiServer(registry=registry, store=make_store(db_url, registry),
                    authenticator=TokenAuthenticator.from_tokens({token: user}), poll_interval=0.05)
    with servers.serve(build_app(api), tmp_path, token=token) as server:
        yield server, api
    api.store.engine.dispose()
