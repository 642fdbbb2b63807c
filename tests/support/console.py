"""A garden for the console tests: projects with members, shoots in given states, and a logged-in HTTP client.

Used by ``tests/garden/console`` (over real HTTPS, like a browser) and the browser tests. Status is written as a
seed agent writes it (``shoots/status``); nothing of the console is bypassed.
"""

from __future__ import annotations

import copy
import re
import ssl
from pathlib import Path
from typing import Any

import httpx

from apiserver.context import system_context
from apiserver.registry import ResourceType
from apiserver.server import ApiServer
from apiserver.service import ResourceService
from garden import bootstrap
from garden.auth import identities
from shoot import conditions
from tests.support import fleet

JSON = dict[str, Any]
GROUP = "core.gardener.cloud"


def rt(service: ResourceService, plural: str, group: str = GROUP, version: str = "v1beta1") -> ResourceType:
    found = service.registry.get(group, version, plural)
    assert found is not None
    return found


def add_project(service: ResourceService, name: str, *, members: list[JSON] | None = None) -> str:
    """Project ``name`` (namespace ``garden-<name>``) with ``members`` and the local credentials; its namespace."""
    namespace = f"garden-{name}"
    project = copy.deepcopy(bootstrap.PROJECT)
    project["metadata"]["name"] = name
    project["spec"]["namespace"] = namespace
    project["spec"]["members"] = members or []
    bootstrap.ensure(service, project)
    bootstrap.ensure_namespace(service, namespace, project=name)
    for template in (bootstrap.SECRET, bootstrap.CREDENTIALS_BINDING):
        obj = copy.deepcopy(template)
        obj["metadata"]["namespace"] = namespace
        if "credentialsRef" in obj:
            obj["credentialsRef"]["namespace"] = namespace
        bootstrap.ensure(service, obj)
    return namespace


def set_members(service: ResourceService, project: str, members: list[JSON]) -> None:
    projects = rt(service, "projects")
    body = service.get(projects, "", project)
    body["spec"]["members"] = members
    service.update(projects, "", project, body, system_context())


def member(name: str, role: str) -> JSON:
    return {"apiGroup": "rbac.authorization.k8s.io", "kind": "User", "name": name, "role": role}


def add_shoot(service: ResourceService, name: str, namespace: str, **spec: Any) -> JSON:
    return fleet.create_shoot(service, fleet.shoot_manifest(name, namespace=namespace, **spec))


def write_status(service: ResourceService, namespace: str, name: str, status: JSON) -> JSON:
    shoots = rt(service, "shoots")
    body = service.get(shoots, namespace, name)
    body["status"] = {**(body.get("status") or {}), **status}
    return service.update(shoots, namespace, name, body, system_context(), subresource="status")


def operation(op: str, state: str, progress: int, *, now: float, description: str = "") -> JSON:
    return {"type": op, "state": state, "progress": progress, "description": description or f"{op} {state}",
            "lastUpdateTime": conditions.timestamp(now)}


def fail(service: ResourceService, namespace: str, name: str, *, now: float, code: str, message: str) -> JSON:
    """The shoot's Create failed the way an agent reports a permanent error."""
    return write_status(service, namespace, name, {
        "lastOperation": operation("Create", "Failed", 40, now=now, description="Create failed"),
        "lastErrors": [{"description": message, "codes": [code], "lastUpdateTime": conditions.timestamp(now)}],
        "observedGeneration": 1,
        "conditions": [
            {"type": "APIServerAvailable", "status": "False", "reason": "NotCreated", "message": message,
             "lastTransitionTime": conditions.timestamp(now), "lastUpdateTime": conditions.timestamp(now)},
            {"type": "ControlPlaneHealthy", "status": "Progressing", "lastUpdateTime": conditions.timestamp(now)}],
    })


def succeed(service: ResourceService, namespace: str, name: str, *, now: float) -> JSON:
    shoot = service.get(rt(service, "shoots"), namespace, name)
    return write_status(service, namespace, name, {
        "lastOperation": operation("Create", "Succeeded", 100, now=now),
        "observedGeneration": shoot["metadata"]["generation"], "lastErrors": None})


def user_token(api: ApiServer, name: str, *, operator: bool = False) -> str:
    known = identities.for_engine(api.store.engine)
    if known.get(name) is None:
        known.create_user(name, operator=operator)
    return known.issue_token(name).token


class Browserless:
    """An HTTP client that logs into the console as a browser does (cookies, the login form's CSRF nonce)."""

    def __init__(self, url: str, ca_file: Path) -> None:
        self.url = url
        self.http = httpx.Client(base_url=url, verify=ssl.create_default_context(cafile=str(ca_file)), timeout=30,
                                 follow_redirects=False, headers={"accept": "text/html"})
        self.csrf = ""

    def login(self, token: str | None = None, *, kubeconfig: bytes | None = None) -> httpx.Response:
        form = self.http.get("/console/login")
        nonce = _find(r'name="csrf" value="([^"]+)"', form.text)
        files = {"kubeconfig": ("garden.kubeconfig", kubeconfig or b"", "application/yaml")}
        answer = self.http.post("/console/login", data={"csrf": nonce, "token": token or "", "next": "/console/"},
                                files=files)
        if answer.status_code == 303:
            self.csrf = _find(r'"X-CSRF-Token": "([^"]+)"', self.http.get("/console/").text)
        return answer

    def get(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.http.get(path, **kwargs)

    def post(self, path: str, *, csrf: bool = True, htmx: bool = True, data: JSON | None = None,
             headers: dict[str, str] | None = None) -> httpx.Response:
        sent = dict(headers or {})
        if csrf:
            sent["x-csrf-token"] = self.csrf
        if htmx:
            sent["hx-request"] = "true"
        return self.http.post(path, data=data or {}, headers=sent)

    def close(self) -> None:
        self.http.close()


def _find(pattern: str, text: str) -> str:
    found = re.search(pattern, text)
    assert found is not None, f"{pattern} not in the page"
    return found.group(1)
