"""A local seed cluster in this process, and contexts for extension actuators that act on it.

Used by the conformance kit (``hortus extension test``, its pytest plugin) and by the tests of the built-in
extensions: ``LocalSeedCluster.start(directory)`` serves the local seed cluster over HTTPS on a free loopback port
(in a thread) and speaks to it with ``seed.kube.KubeApi``, as the seed agent does; ``context()`` builds the
``Context`` an actuator gets, its ``shoot_api`` the shoot's own API once a kube-apiserver Deployment is ready.
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import secrets
import socket
import threading
import time
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import uvicorn

from apiserver import tls
from apiserver.server import ApiServer
from extensions.contract import JSON, Cluster, Context, Operation
from seed.kube import KubeApi
from seed.local.server import create_local_seed
from seed.local.shoots import endpoints
from seed.local.sim import Delays

log = logging.getLogger(__name__)


@dataclasses.dataclass
class LocalSeedCluster:
    api: ApiServer
    kube: KubeApi
    url: str
    kubeconfig: Path
    ca_pem: bytes
    _server: uvicorn.Server
    _thread: threading.Thread
    _shoot_apis: dict[str, KubeApi] = dataclasses.field(default_factory=dict)

    @classmethod
    @contextlib.contextmanager
    def start(cls, directory: Path, *, delays: Delays | None = None) -> Iterator[LocalSeedCluster]:
        directory.mkdir(parents=True, exist_ok=True)
        token, port = secrets.token_urlsafe(24), _free_port()
        files = tls.ensure_serving_files(directory, name="seed", hosts=["127.0.0.1", "localhost"])
        app, api = create_local_seed(directory / "state", token=token, server_address=f"127.0.0.1:{port}",
                                     poll_interval=0.05, serving_ca=files.ca_pem, delays=delays)
        server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, ssl_certfile=str(files.cert),
                                               ssl_keyfile=str(files.key), log_level="warning", lifespan="on",
                                               timeout_graceful_shutdown=1, **endpoints.uvicorn_options(api)))
        thread = threading.Thread(target=server.run, name="kit-local-seed", daemon=True)
        thread.start()
        url = f"https://127.0.0.1:{port}"
        kubeconfig = directory / "seed.kubeconfig"
        tls.write_kubeconfig(kubeconfig, tls.kubeconfig(server=url, ca_pem=files.ca_pem, token=token,
                                                        cluster="seed", user="admin"))
        _wait_started(server, thread)
        cluster = cls(api=api, kube=KubeApi.from_kubeconfig(kubeconfig), url=url, kubeconfig=kubeconfig,
                      ca_pem=files.ca_pem, _server=server, _thread=thread)
        try:
            yield cluster
        finally:
            cluster.close()

    def close(self) -> None:
        for shoot in self._shoot_apis.values():
            shoot.close()
        self._shoot_apis.clear()
        self.kube.close()
        self._server.should_exit = True
        self._thread.join(timeout=15)
        self.api.store.engine.dispose()

    def shoot_api(self, namespace: str) -> KubeApi:
        """The shoot's own API (``TemporaryError`` on use while its kube-apiserver is not ready)."""
        if namespace not in self._shoot_apis:
            config = endpoints.shoot_kubeconfig(self.api, namespace, seed_url=self.url, ca_pem=self.ca_pem)
            self._shoot_apis[namespace] = KubeApi.from_kubeconfig(config)
        return self._shoot_apis[namespace]

    def context(self, namespace: str, *, shoot: JSON, cloud_profile: JSON | None = None, seed: JSON | None = None,
                operation: Operation = Operation.RECONCILE, credentials: Mapping[str, str] | None = None) -> Context:
        """What an actuator gets for a shoot whose control-plane namespace on this seed is ``namespace``."""
        return Context(cluster=Cluster(shoot=shoot, cloud_profile=cloud_profile or {}, seed=seed or {}),
                       namespace=namespace, seed=self.kube, shoot_api=lambda: self.shoot_api(namespace),
                       credentials=dict(credentials or {}), operation=operation,
                       log=logging.getLogger(f"hortus.extension.{namespace}"))

    def ensure_namespace(self, name: str) -> None:
        self.kube.apply({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}})

    def serve_shoot_api(self, namespace: str, *, version: str = "1.32.8") -> None:
        """A ready kube-apiserver Deployment in ``namespace``, so that the local seed serves the shoot's API (what
        the flow's control plane does before workers join)."""
        labels = {"app": "kubernetes", "role": "apiserver"}
        self.kube.apply({"apiVersion": "apps/v1", "kind": "Deployment",
                         "metadata": {"name": endpoints.DEPLOYMENT, "namespace": namespace, "labels": labels},
                         "spec": {"replicas": 1, "selector": {"matchLabels": labels},
                                  "template": {"metadata": {"labels": labels}, "spec": {"containers": [
                                      {"name": endpoints.DEPLOYMENT,
                                       "image": f"registry.k8s.io/kube-apiserver:v{version}"}]}}}})


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _wait_started(server: Any, thread: threading.Thread, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the local seed cluster did not start")
        time.sleep(0.02)
