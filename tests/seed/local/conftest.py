"""Fixtures for the local seed cluster: a running HTTPS server, kubectl and the official client bound to it."""

from __future__ import annotations

import dataclasses
import gc
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from kubernetes import config

from apiserver.server import ApiServer
from seed.local.server import create_local_seed
from seed.local.shoots import endpoints
from seed.local.sim import Delays
from tests.e2e.kubectl import KUBECTL, Kubectl
from tests.support import databases, servers
from tests.support.servers import RunningServer

# A simulation so slow that nothing it does happens within a test: for tests of what the API server itself
# answers (a new Pod is Pending, a LoadBalancer has no address yet), with no controller writing meanwhile.
STILL = Delays(**{f.name: 3600.0 for f in dataclasses.fields(Delays)})


@pytest.fixture
def seed(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[RunningServer, ApiServer]]:
    """A running local seed cluster with its state in ``tmp_path/state`` (``@pytest.mark.still``: see STILL)."""
    token = servers.new_token()
    delays = STILL if request.node.get_closest_marker("still") else None
    app, api = create_local_seed(tmp_path / "state", token=token, poll_interval=0.05, delays=delays)
    with servers.serve(app, tmp_path, token=token, name="seed-local",
                       options=endpoints.uvicorn_options(api)) as server:
        yield server, api
    api.store.engine.dispose()


@pytest.fixture
def kubectl(seed: tuple[RunningServer, ApiServer], tmp_path: Path) -> Kubectl:
    if not Path(KUBECTL).exists():
        databases.unavailable("kubectl", f"{KUBECTL} is not installed")  # skips, or fails under CI=true
    return Kubectl(kubeconfig=seed[0].kubeconfig, workdir=tmp_path / "kubectl")


@pytest.fixture
def api_client(seed: tuple[RunningServer, ApiServer]) -> Iterator[Any]:
    client = config.new_client_from_config(config_file=str(seed[0].kubeconfig))
    try:
        yield client
    finally:
        close(client)


def close(api_client: Any) -> None:
    """Close the client's kept-alive connections, so that the server's shutdown finds none open (see
    ``tests/e2e/test_python_client.py``: a response still referenced keeps its socket open)."""
    api_client.close()
    api_client.last_response = None
    gc.collect()
    api_client.rest_client.pool_manager.clear()
