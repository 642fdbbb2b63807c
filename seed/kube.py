"""The seed agent's only door to its seed cluster: the official ``kubernetes`` client on a kubeconfig.

Used by ``seed.agent`` (reconcile, per-shoot lock). Nothing else in hortus imports ``kubernetes`` (an
import-linter contract); the seed may be a real cluster or the local seed cluster, it is only a kubeconfig.
Objects come back as plain JSON dicts; API failures as ``KubeError`` with the HTTP status.
"""

from __future__ import annotations

import gc
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from kubernetes import client, config
from kubernetes.client.rest import ApiException

JSON = dict[str, Any]
T = TypeVar("T")


class KubeError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(f"{status}: {message}")
        self.status = status


class SeedKube:
    def __init__(self, kubeconfig: Path) -> None:
        self.api_client = config.new_client_from_config(config_file=str(kubeconfig))
        self.core = client.CoreV1Api(self.api_client)
        self.coordination = client.CoordinationV1Api(self.api_client)

    def close(self) -> None:
        """Close kept-alive connections too: a server shutting down would otherwise wait for them."""
        self.api_client.close()
        # The client's last response holds its socket's file object past ``pool_manager.clear()``.
        self.api_client.last_response = None
        gc.collect()
        self.api_client.rest_client.pool_manager.clear()

    # --- namespaces -----------------------------------------------------------------------------------------

    def get_namespace(self, name: str) -> JSON | None:
        return _or_none(lambda: _raw(self.core.read_namespace(name, _preload_content=False)))

    def ensure_namespace(self, name: str, *, labels: dict[str, str]) -> bool:
        """Create the namespace unless it exists; True when this call created it."""
        body = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name, "labels": labels}}
        try:
            self.core.create_namespace(body)
        except ApiException as exc:
            if exc.status == 409:
                return False
            raise _error(exc) from None
        return True

    def delete_namespace(self, name: str) -> None:
        """Start deleting the namespace (it lingers Terminating while its content goes); gone is fine."""
        _or_none(lambda: self.core.delete_namespace(name))

    # --- leases ---------------------------------------------------------------------------------------------

    def get_lease(self, namespace: str, name: str) -> JSON | None:
        return _or_none(lambda: _raw(self.coordination.read_namespaced_lease(name, namespace,
                                                                              _preload_content=False)))

    def create_lease(self, namespace: str, body: JSON) -> JSON:
        return _call(lambda: _raw(self.coordination.create_namespaced_lease(namespace, body,
                                                                             _preload_content=False)))

    def replace_lease(self, namespace: str, body: JSON) -> JSON:
        """Replace at ``body``'s resourceVersion (409 when someone else wrote it first)."""
        name = body["metadata"]["name"]
        return _call(lambda: _raw(self.coordination.replace_namespaced_lease(name, namespace, body,
                                                                              _preload_content=False)))

    def delete_lease(self, namespace: str, name: str, *, resource_version: str) -> None:
        options = client.V1DeleteOptions(preconditions=client.V1Preconditions(resource_version=resource_version))
        _or_none(lambda: self.coordination.delete_namespaced_lease(name, namespace, body=options))


def _raw(response: Any) -> JSON:
    try:
        loaded: JSON = json.loads(response.data)
    finally:
        response.release_conn()
    return loaded


def _error(exc: ApiException) -> KubeError:
    try:
        message = json.loads(exc.body or "{}").get("message") or exc.reason
    except ValueError:
        message = exc.reason
    return KubeError(int(exc.status or 0), str(message))


def _call(fn: Callable[[], T]) -> T:
    try:
        return fn()
    except ApiException as exc:
        raise _error(exc) from None


def _or_none(fn: Callable[[], T]) -> T | None:
    """The call's result, or None when the object is not there (404)."""
    try:
        return fn()
    except ApiException as exc:
        if exc.status == 404:
            return None
        raise _error(exc) from None
