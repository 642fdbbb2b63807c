"""Fixtures for the local seed cluster: a running HTTPS server, kubectl and the official client bound to it."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from kubernetes import config

from apiserver.server import ApiServer
from seed.local.server import create_local_seed
from tests.e2e.kubectl import KUBECTL, Kubectl
from tests.support import databases, servers
from tests.support.servers import RunningServer


@pytest.fixture
def seed(tmp_path: Path) -> Iterator[tuple[RunningServer, ApiServer]]:
    """A running local seed cluster with its state in ``tmp_path/state``."""
    token = servers.new_token()
    app, api = create_local_seed(tmp_path / "state", token=token, poll_interval=0.05)
    with servers.serve(app, tmp_path, token=token, name="seed-local") as server:
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
