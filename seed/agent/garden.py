"""The seed agent's garden client: HTTPS with the seed's own credentials, read from a kubeconfig.

Used by ``seed.agent.reconcile`` and ``seed.agent.heartbeat``. The seed identity may read and update only the
shoots scheduled to it and its own Seed (``garden.auth.seeds``), so every call here is one of those.
"""

from __future__ import annotations

import base64
import ssl
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import yaml

JSON = dict[str, Any]
CORE = "/apis/core.gardener.cloud/v1beta1"
SECURITY = "/apis/security.gardener.cloud/v1alpha1"
MERGE_PATCH = "application/merge-patch+json"


class GardenError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(f"{status}: {message}")
        self.status = status


class Reads:
    """Objects read from the garden that seldom change (CloudProfiles, the Seed, credentials), kept ``ttl``
    seconds: a flow retried every fraction of a second need not read them each time."""

    def __init__(self, *, ttl: float = 10.0, clock: Callable[[], float] = time.monotonic) -> None:
        self.ttl = ttl
        self.clock = clock
        self._kept: dict[str, tuple[float, JSON | None]] = {}
        self._lock = threading.Lock()

    def get(self, key: str, read: Callable[[], JSON | None]) -> JSON | None:
        with self._lock:
            kept = self._kept.get(key)
        if kept is not None and self.clock() - kept[0] < self.ttl:
            return kept[1]
        value = read()
        with self._lock:
            self._kept[key] = (self.clock(), value)
        return value


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

    def list_shoots(self) -> list[JSON]:
        """Every shoot this seed may see (those scheduled to it, or moving away from it)."""
        found = self._json("GET", f"{CORE}/shoots")
        return list((found or {}).get("items") or [])

    def patch_shoot(self, namespace: str, name: str, patch: JSON, *, subresource: str = "") -> JSON:
        """A JSON merge patch; pin ``metadata.resourceVersion`` in ``patch`` for optimistic concurrency."""
        path = _shoot(namespace, name) + (f"/{subresource}" if subresource else "")
        found = self._json("PATCH", path, body=patch, content_type=MERGE_PATCH)
        assert found is not None
        return found

    def get(self, path: str) -> JSON | None:
        """Any object the seed may read, by its API path (``/api/v1/namespaces/x/secrets/y``); None when absent."""
        return self._json("GET", path, missing_ok=True)

    def get_cloud_profile(self, name: str) -> JSON | None:
        return self.get(f"{CORE}/cloudprofiles/{name}")

    def get_credentials(self, shoot: JSON) -> JSON | None:
        """The Secret behind the shoot's CredentialsBinding (or SecretBinding), None when it binds none."""
        spec, namespace = shoot.get("spec") or {}, shoot["metadata"]["namespace"]
        ref: JSON = {}
        if spec.get("credentialsBindingName"):
            binding = self.get(f"{SECURITY}/namespaces/{namespace}/credentialsbindings/"
                               f"{spec['credentialsBindingName']}")
            ref = (binding or {}).get("credentialsRef") or {}
            if ref.get("kind", "Secret") != "Secret":
                return None  # a WorkloadIdentity: no static credentials to hand over
        elif spec.get("secretBindingName"):
            binding = self.get(f"{CORE}/namespaces/{namespace}/secretbindings/{spec['secretBindingName']}")
            ref = (binding or {}).get("secretRef") or {}
        if not ref.get("name"):
            return None
        return self.get(f"/api/v1/namespaces/{ref.get('namespace') or namespace}/secrets/{ref['name']}")

    def apply_config_map(self, body: JSON) -> JSON:
        """Create the ConfigMap, or replace its data and labels (a merge patch) when it exists."""
        return self._apply("configmaps", body)

    def apply_secret(self, body: JSON) -> JSON:
        """Create the Secret, or replace its data (a merge patch) when it exists."""
        return self._apply("secrets", body)

    def _apply(self, plural: str, body: JSON) -> JSON:
        md = body["metadata"]
        path = f"/api/v1/namespaces/{md['namespace']}/{plural}"
        try:
            found = self._json("POST", path, body=body)
        except GardenError as exc:
            if exc.status != 409:
                raise
            found = self._json("PATCH", f"{path}/{md['name']}", body={
                "metadata": {"labels": md.get("labels"), "ownerReferences": md.get("ownerReferences")},
                "data": body.get("data")}, content_type=MERGE_PATCH)
        assert found is not None
        return found

    def delete_secret(self, namespace: str, name: str) -> None:
        self._json("DELETE", f"/api/v1/namespaces/{namespace}/secrets/{name}", missing_ok=True)

    def delete_config_map(self, namespace: str, name: str) -> None:
        self._json("DELETE", f"/api/v1/namespaces/{namespace}/configmaps/{name}", missing_ok=True)

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
