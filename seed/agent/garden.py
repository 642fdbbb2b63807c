"""The seed agent's garden client: HTTPS with the seed's own credentials, read from a kubeconfig.

Used by ``seed.agent.reconcile`` and ``seed.agent.heartbeat``. The seed identity may read and update only the
shoots scheduled to it and its own Seed (``garden.auth.seeds``), so every call here is one of those.
"""

from __future__ import annotations

import base64
import ssl
from pathlib import Path
from typing import Any

import httpx
import yaml

JSON = dict[str, Any]
CORE = "/apis/core.gardener.cloud/v1beta1"
MERGE_PATCH = "application/merge-patch+json"


class GardenError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(f"{status}: {message}")
        self.status = status


class GardenClient:
    def __init__(self, kubeconfig: Path, *, timeout: float = 15.0) -> None:
        server, ca_pem, token = _read_kubeconfig(kubeconfig)
        context = ssl.create_default_context(cadata=ca_pem) if ca_pem else ssl.create_default_context()
        self.http = httpx.Client(base_url=server, verify=context, timeout=timeout,
                                 headers={"Authorization": f"Bearer {token}"})

    def close(self) -> None:
        self.http.close()

    def get_shoot(self, namespace: str, name: str) -> JSON | None:
        return self._json("GET", _shoot(namespace, name), missing_ok=True)

    def patch_shoot(self, namespace: str, name: str, patch: JSON, *, subresource: str = "") -> JSON:
        """A JSON merge patch; pin ``metadata.resourceVersion`` in ``patch`` for optimistic concurrency."""
        path = _shoot(namespace, name) + (f"/{subresource}" if subresource else "")
        found = self._json("PATCH", path, body=patch, content_type=MERGE_PATCH)
        assert found is not None
        return found

    def get_seed(self, name: str) -> JSON | None:
        return self._json("GET", f"{CORE}/seeds/{name}", missing_ok=True)

    def replace_seed_status(self, seed: JSON) -> JSON:
        found = self._json("PUT", f"{CORE}/seeds/{seed['metadata']['name']}/status", body=seed)
        assert found is not None
        return found

    def _json(self, method: str, path: str, *, body: JSON | None = None, content_type: str = "application/json",
              missing_ok: bool = False) -> JSON | None:
        try:
            response = self.http.request(method, path, json=body, headers={"Content-Type": content_type})
        except httpx.HTTPError as exc:
            raise GardenError(0, f"garden unreachable: {exc}") from None
        if response.status_code == 404 and missing_ok:
            return None
        if response.status_code >= 400:
            raise GardenError(response.status_code, _message(response))
        found: JSON = response.json()
        return found


def _shoot(namespace: str, name: str) -> str:
    return f"{CORE}/namespaces/{namespace}/shoots/{name}"


def _message(response: httpx.Response) -> str:
    try:
        return str(response.json().get("message") or response.text)
    except ValueError:
        return response.text


def _read_kubeconfig(path: Path) -> tuple[str, str | None, str]:
    """(server, CA PEM, bearer token) of the current context."""
    config = yaml.safe_load(path.read_text())
    current = config.get("current-context")
    contexts = {c["name"]: c["context"] for c in config.get("contexts") or ()}
    context = contexts.get(current) or next(iter(contexts.values()))
    cluster = next(c["cluster"] for c in config["clusters"] if c["name"] == context["cluster"])
    user = next(u["user"] for u in config["users"] if u["name"] == context["user"])
    ca_data = cluster.get("certificate-authority-data")
    ca_pem = base64.b64decode(ca_data).decode() if ca_data else None
    if ca_pem is None and cluster.get("certificate-authority"):
        ca_pem = Path(cluster["certificate-authority"]).read_text()
    return str(cluster["server"]), ca_pem, str(user["token"])
