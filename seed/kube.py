"""The seed agent's only door to its seed cluster: the official ``kubernetes`` client on a kubeconfig.

Used by ``seed.agent`` (reconcile, per-shoot lock) and, as ``KubeApi``, by the flows and the extensions they call
(any kind, through the dynamic client). Nothing else in hortus imports ``kubernetes`` (an
import-linter contract); the seed may be a real cluster or the local seed cluster, it is only a kubeconfig.
Objects come back as plain JSON dicts; API failures as ``KubeError`` with the HTTP status.
"""

from __future__ import annotations

import contextlib
import gc
import json
import os
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import urllib3
from kubernetes import client, config
from kubernetes.client.rest import ApiException
from kubernetes.dynamic import DynamicClient
from kubernetes.dynamic.exceptions import ResourceNotFoundError

from extensions import status
from shoot import errors

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
        close_client(self.api_client)

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


def close_client(api_client: Any) -> None:
    """Close kept-alive connections too: a server shutting down would otherwise wait for them."""
    api_client.close()
    # The client's last response holds its socket's file object past ``pool_manager.clear()``.
    api_client.last_response = None
    gc.collect()
    api_client.rest_client.pool_manager.clear()


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


class KubeApi:
    """``extensions.contract.Api`` over the official client's dynamic client: any kind, as plain dicts.

    Used by the seed agent's flows (control-plane objects on the seed, system components in a shoot) and by the
    extension actuators they call. API failures become ``shoot.errors``: what may pass (unavailable, throttled,
    conflicting, timed out) is a ``TemporaryError``, a refusal of the object a ``PermanentError``.
    """

    def __init__(self, api_client: Any) -> None:
        self.api_client = api_client
        fd, self._cache_file = tempfile.mkstemp(prefix="hortus-discovery-", suffix=".json")
        os.close(fd)
        os.unlink(self._cache_file)  # the discoverer writes it; a stale one from another server must never be read
        self._dynamic: DynamicClient | None = None
        self._resources: dict[tuple[str, str], Any] = {}
        # Discovery is not thread-safe (its cache is rebuilt in place); flows call from several threads at once.
        self._discovery = threading.Lock()

    @classmethod
    def from_kubeconfig(cls, kubeconfig: Path | JSON) -> KubeApi:
        """From a kubeconfig file, or a kubeconfig already loaded as a dict (a shoot's admin kubeconfig)."""
        if isinstance(kubeconfig, Path):
            return cls(config.new_client_from_config(config_file=str(kubeconfig)))
        return cls(config.new_client_from_config_dict(kubeconfig))

    def close(self) -> None:
        self._dynamic = None
        self._resources.clear()
        close_client(self.api_client)
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self._cache_file)

    def get(self, api_version: str, kind: str, name: str, *, namespace: str | None = None) -> JSON | None:
        resource = self._resource(api_version, kind)
        return _api_call(lambda: _plain(resource.get(name=name, namespace=namespace)), missing_ok=True)

    def list(
        self, api_version: str, kind: str, *, namespace: str | None = None, label_selector: str = ""
    ) -> list[JSON]:
        resource = self._resource(api_version, kind)
        found = _api_call(lambda: _plain(resource.get(namespace=namespace, label_selector=label_selector or None)))
        return list((found or {}).get("items") or [])

    def apply(self, obj: JSON) -> JSON:
        md = obj["metadata"]
        resource = self._resource(obj["apiVersion"], obj["kind"])
        namespace = md.get("namespace") if resource.namespaced else None
        for _ in range(5):
            live = self.get(obj["apiVersion"], obj["kind"], md["name"], namespace=namespace)
            if live is None:
                created = _api_call(lambda: _plain(resource.create(body=obj, namespace=namespace)), exists_ok=True)
                if created is not None:
                    return created
                continue  # created meanwhile: update it instead
            if _carries(live, obj):
                return live
            return self._merge(resource, obj, namespace)
        raise errors.TemporaryError(f"{obj['kind']} {md['name']} kept being created and deleted")

    def _merge(self, resource: Any, obj: JSON, namespace: str | None) -> JSON:
        patch = {k: v for k, v in obj.items() if k not in ("apiVersion", "kind", "status")}
        merged = _api_call(lambda: _plain(resource.patch(body=patch, name=obj["metadata"]["name"],
                                                         namespace=namespace,
                                                         content_type="application/merge-patch+json")))
        assert merged is not None
        return merged

    def delete(self, api_version: str, kind: str, name: str, *, namespace: str | None = None) -> bool:
        resource = self._resource(api_version, kind)
        return _api_call(lambda: resource.delete(name=name, namespace=namespace), missing_ok=True) is not None

    def apply_status(self, obj: JSON) -> JSON:
        md = obj["metadata"]
        resource = self._resource(obj["apiVersion"], obj["kind"])
        namespace = md.get("namespace") if resource.namespaced else None
        live = self.get(obj["apiVersion"], obj["kind"], md["name"], namespace=namespace)
        if live is None:
            raise errors.PermanentError(f"{obj['kind']} {md['name']} does not exist: its status cannot be written")
        patch = status.merge_patch(live.get("status") or {}, obj.get("status") or {})
        if not patch:
            return live
        # A merge patch of the status alone: it never conflicts with writers of spec or metadata.
        target = resource.subresources.get("status") or resource
        written = _api_call(lambda: _plain(target.patch(body={"status": patch}, name=md["name"], namespace=namespace,
                                                        content_type="application/merge-patch+json")))
        assert written is not None
        return written

    def _resource(self, api_version: str, kind: str) -> Any:
        key = (api_version, kind)
        found = self._resources.get(key)
        if found is not None:
            return found
        with self._discovery:
            return self._discover(key)

    def _discover(self, key: tuple[str, str]) -> Any:
        api_version, kind = key
        if key not in self._resources:
            def find() -> Any:
                if self._dynamic is None:
                    self._dynamic = DynamicClient(self.api_client, cache_file=self._cache_file)
                return self._dynamic.resources.get(api_version=api_version, kind=kind)

            try:
                self._resources[key] = _api_call(find)
            except ResourceNotFoundError:
                # Discovery is cached: a CRD created a moment ago (by us) is served, but not in the cache yet.
                assert self._dynamic is not None
                self._dynamic.resources.invalidate_cache()
                try:
                    self._resources[key] = _api_call(find)
                except ResourceNotFoundError:
                    raise errors.PermanentError(f"the server does not serve {kind} in {api_version}") from None
        return self._resources[key]


def _plain(found: Any) -> JSON:
    return found.to_dict() if hasattr(found, "to_dict") else dict(found)


def _carries(live: Any, wanted: Any, *, top: bool = True) -> bool:
    """Whether ``live`` already holds every field ``wanted`` sets: lists item by item (same length), so that fields
    the server defaults inside list items (a container's ``imagePullPolicy``) do not count as a difference."""
    if isinstance(wanted, dict):
        return isinstance(live, dict) and all(
            (top and k in ("apiVersion", "kind", "status")) or (k in live and _carries(live[k], v, top=False))
            for k, v in wanted.items()
        )
    if isinstance(wanted, list):
        return (isinstance(live, list) and len(live) == len(wanted)
                and all(_carries(a, b, top=False) for a, b in zip(live, wanted, strict=True)))
    return bool(live == wanted)


def _api_call(fn: Callable[[], T], *, missing_ok: bool = False, exists_ok: bool = False) -> T | None:
    """``fn()``; None for a 404 with ``missing_ok`` or a 409 with ``exists_ok``; other failures as ``shoot.errors``."""
    try:
        return fn()
    except ApiException as exc:
        status = int(exc.status or 0)
        if (status == 404 and missing_ok) or (status == 409 and exists_ok):
            return None
        message = str(_error(exc))
        if status in (0, 409, 429) or status >= 500:
            raise errors.TemporaryError(message, delay=2.0) from None
        raise errors.PermanentError(message) from None
    except (urllib3.exceptions.HTTPError, OSError) as exc:
        raise errors.TemporaryError(f"the API server is not reachable: {exc}", delay=2.0) from None
