"""The garden's app factory: the Kubernetes-style garden API on the shared machinery.

Called by ``hortus up`` and by tests. Migrates the database, registers the garden's kinds, and returns the
FastAPI app together with its ``ApiServer`` (so callers can add identities).
"""

from __future__ import annotations

from fastapi import FastAPI

import migrations
from apiserver import reviews
from apiserver.auth import Authenticator
from apiserver.registry import Registry
from apiserver.server import ApiServer, build_app
from apiserver.storage import engine as engines
from apiserver.storage import migrate
from apiserver.storage.store import Store
from extensions.registry import Registry as Extensions
from garden import admission, audit, encryption, extension_schemas, kubeconfigs, metrics, resources
from garden.admission.reader import Reader
from garden.auth import authenticator as authenticators
from garden.auth import authorizer as authorizers
from garden.console import app as console
from garden.controllers import projects, registrations
from garden.settings import GardenSettings


def garden_registry() -> Registry:
    return Registry(resources.garden_types())


def create_app(
    settings: GardenSettings, *, authenticator: Authenticator | None = None, extensions: Extensions | None = None
) -> tuple[FastAPI, ApiServer]:
    """``authenticator`` defaults to the identities in the garden database (``hortus user|token ...``);
    ``extensions`` to the plugins installed (the ``hortus.extensions`` entry points; broken ones are left out)."""
    extensions = extensions if extensions is not None else Extensions.load()
    engine = engines.make_engine(settings.resolved_database_url())
    migrate.upgrade(engine, migrations.LOCATION)
    registry = garden_registry()
    # Secrets are encrypted at rest with the keys of the state directory (or HORTUS_ENCRYPTION_KEYS).
    store = Store(engine, codec=encryption.codec_for(settings.state_dir),
                  sensitive=lambda key: bool((rt := registry.by_key(key)) and rt.sensitive))
    authorizer = authorizers.for_store(store)
    admission.attach(registry, Reader(store), extensions, authorizer=authorizer)
    audit_log = audit.for_engine(engine)
    api = ApiServer(
        registry=registry,
        store=store,
        authenticator=authenticator or authenticators.for_engine(engine),
        authorizer=audit.RecordDenials(authorizer, audit_log),
        audit=audit_log,
        server_address=f"{settings.host}:{settings.port}",
        watch_retention=settings.watch_retention,
        compact_interval=settings.compact_interval,
    )
    api.metrics.registry.register(metrics.GardenCollector(store))
    reviews.install(api)
    kubeconfigs.install(api)
    project_controller = projects.ProjectController(api.service)
    project_controller.watch_creations(registry)
    api.background.append(project_controller.run_forever)
    # Installed plugins are listed as ControllerRegistrations before the first request is served.
    registration_controller = registrations.RegistrationController(api.service, extensions,
                                                                   schemas_path=extension_schemas.PATH)
    registration_controller.sync_once()
    api.background.append(registration_controller.run_forever)
    app = build_app(api, title="hortus garden")
    app.include_router(audit.router(api, audit_log))
    app.include_router(extension_schemas.install(api, extensions))
    # The operator console at /console/ on the same listener (browsers opening / are sent there).
    console.install(app, api, state_dir=settings.state_dir)
    return app, api
