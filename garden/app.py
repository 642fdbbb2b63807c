"""The garden's app factory: the Kubernetes-style garden API on the shared machinery.

Called by ``hortus up`` and by tests. Migrates the database, registers the garden's kinds, and returns the
FastAPI app together with its ``ApiServer`` (so callers can add identities).
"""

from __future__ import annotations

from fastapi import FastAPI

import migrations
from apiserver import kinds
from apiserver.auth import Authenticator
from apiserver.registry import Registry
from apiserver.server import ApiServer, build_app
from apiserver.storage import engine as engines
from apiserver.storage import migrate
from apiserver.storage.store import Store
from garden.settings import GardenSettings


def garden_registry() -> Registry:
    return Registry([kinds.NAMESPACE, kinds.SECRET])


def create_app(settings: GardenSettings, *, authenticator: Authenticator) -> tuple[FastAPI, ApiServer]:
    engine = engines.make_engine(settings.resolved_database_url())
    migrate.upgrade(engine, migrations.LOCATION)
    registry = garden_registry()
    store = Store(engine, sensitive=lambda key: bool((rt := registry.by_key(key)) and rt.sensitive))
    api = ApiServer(
        registry=registry,
        store=store,
        authenticator=authenticator,
        server_address=f"{settings.host}:{settings.port}",
        watch_retention=settings.watch_retention,
        compact_interval=settings.compact_interval,
    )
    return build_app(api, title="hortus garden"), api
