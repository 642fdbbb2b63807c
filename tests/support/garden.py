"""A running garden (``garden.app.create_app``) for end-to-end tests, with an operator and helpers for users.

Used by the Gardener-example and admission tests; the database is SQLite or PostgreSQL (``db_url``).
"""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import Iterator
from pathlib import Path

from apiserver import tls
from apiserver.auth import digest
from apiserver.server import ApiServer
from extensions.registry import Registry
from garden.app import create_app
from garden.auth import identities
from garden.settings import GardenSettings
from tests.support import servers

OPERATOR_TOKEN = "operator-token-for-tests"


@dataclasses.dataclass
class Garden:
    server: servers.RunningServer
    api: ApiServer
    directory: Path

    def user_kubeconfig(self, name: str, *, groups: tuple[str, ...] = ()) -> Path:
        """A kubeconfig for a new user ``name`` (a non-operator identity with a fresh token)."""
        known = identities.for_engine(self.api.store.engine)
        if known.get(name) is None:
            known.create_user(name, groups=groups)
        token = known.issue_token(name).token
        path = self.directory / f"{name}.kubeconfig"
        ca = (self.directory / "test-ca.crt").read_bytes()
        tls.write_kubeconfig(path, tls.kubeconfig(server=self.server.url, ca_pem=ca, token=token, cluster="garden",
                                                  user=name))
        return path


@contextlib.contextmanager
def running_garden(db_url: str, directory: Path, *, extensions: Registry | None = None) -> Iterator[Garden]:
    """``extensions`` defaults to the plugins installed (the ``hortus.extensions`` entry points)."""
    state = directory / "state"
    state.mkdir(parents=True, exist_ok=True)
    app, api = create_app(GardenSettings(state_dir=state, database_url=db_url), extensions=extensions)
    identities.for_engine(api.store.engine).ensure_operator("hortus:operator", token_digest=digest(OPERATOR_TOKEN))
    try:
        with servers.serve(app, directory, token=OPERATOR_TOKEN) as server:
            yield Garden(server=server, api=api, directory=directory)
    finally:
        api.store.engine.dispose()
