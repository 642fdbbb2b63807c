"""How the seed agent reaches a shoot's own API: the seed's URL with the shoot's path, the seed's CA, the shoot's
admin token.

Built by ``workers.agent`` from the seed's kubeconfig; used by the flows (``ShootContext.shoot_api``) and the care
task. The seed serves each shoot's API under ``<seed server>/shoots/<namespace>`` (the local seed cluster does; on a
real seed this is the path its ingress routes to the shoot's kube-apiserver Service) and authenticates the token
kept in Secret ``kube-apiserver-token`` of the shoot's namespace, which the agent writes when it is missing.
Clients are cached per namespace and token (a rotated token makes a new client).
"""

from __future__ import annotations

import base64
import secrets
import threading
from pathlib import Path
from typing import Any

import yaml

from seed.kube import KubeApi
from shoot import errors

JSON = dict[str, Any]
PREFIX = "/shoots"
TOKEN_SECRET = "kube-apiserver-token"
TOKEN_KEY = "token"


class ShootAccess:
    def __init__(self, seed_kubeconfig: Path, seed: KubeApi) -> None:
        config = yaml.safe_load(seed_kubeconfig.read_text())
        contexts = {c["name"]: c["context"] for c in config.get("contexts") or ()}
        context = contexts.get(config.get("current-context")) or next(iter(contexts.values()))
        cluster = next(c["cluster"] for c in config["clusters"] if c["name"] == context["cluster"])
        self.server = str(cluster["server"]).rstrip("/")
        self.ca_data = cluster.get("certificate-authority-data")
        if self.ca_data is None and cluster.get("certificate-authority"):
            self.ca_data = base64.b64encode(Path(cluster["certificate-authority"]).read_bytes()).decode()
        self.seed = seed
        self._clients: dict[str, tuple[str, KubeApi]] = {}
        self._lock = threading.Lock()

    @property
    def ca_pem(self) -> bytes | None:
        """The seed's serving CA (PEM): what clients meet at the shoot URLs it serves."""
        return base64.b64decode(self.ca_data) if self.ca_data else None

    def url(self, namespace: str) -> str:
        return f"{self.server}{PREFIX}/{namespace}"

    def token(self, namespace: str) -> str:
        """The shoot's admin token, written first (a random one) when the namespace holds none."""
        found = self._read_token(namespace)
        if found:
            return found
        self.seed.apply({"apiVersion": "v1", "kind": "Secret", "type": "Opaque",
                         "metadata": {"name": TOKEN_SECRET, "namespace": namespace,
                                      "labels": {"app.kubernetes.io/managed-by": "hortus"}},
                         "data": {TOKEN_KEY: base64.b64encode(secrets.token_urlsafe(32).encode()).decode()}})
        found = self._read_token(namespace)
        if not found:
            raise errors.TemporaryError(f"secret {namespace}/{TOKEN_SECRET} holds no token yet", delay=0.5)
        return found

    def _read_token(self, namespace: str) -> str | None:
        secret = self.seed.get("v1", "Secret", TOKEN_SECRET, namespace=namespace)
        value = ((secret or {}).get("data") or {}).get(TOKEN_KEY)
        return base64.b64decode(value).decode() if value else None

    def kubeconfig(self, namespace: str, *, token: str) -> JSON:
        cluster: JSON = {"server": self.url(namespace)}
        if self.ca_data:
            cluster["certificate-authority-data"] = self.ca_data
        return {"apiVersion": "v1", "kind": "Config", "current-context": namespace,
                "clusters": [{"name": namespace, "cluster": cluster}],
                "contexts": [{"name": namespace, "context": {"cluster": namespace, "user": namespace}}],
                "users": [{"name": namespace, "user": {"token": token}}]}

    def api(self, namespace: str) -> KubeApi:
        token = self.token(namespace)
        with self._lock:
            cached = self._clients.get(namespace)
            if cached is not None and cached[0] == token:
                return cached[1]
            client = KubeApi.from_kubeconfig(self.kubeconfig(namespace, token=token))
            self._clients[namespace] = (token, client)
        if cached is not None:
            cached[1].close()
        return client

    def forget(self, namespace: str) -> None:
        with self._lock:
            cached = self._clients.pop(namespace, None)
        if cached is not None:
            cached[1].close()

    def close(self) -> None:
        with self._lock:
            clients, self._clients = list(self._clients.values()), {}
        for _, client in clients:
            client.close()
