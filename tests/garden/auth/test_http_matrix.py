"""Route x identity over the real HTTPS API: who may do what to project A's shoots and secrets, Project A itself,
the project list, CloudProfiles, Seeds and seed status, and the audit log.

The server is built like ``garden.app`` builds it (database identities, the garden authorizer recording denials,
the audit sink and its endpoint), with stand-in kinds so the test depends only on resource names.
"""

from __future__ import annotations

import base64
import dataclasses
import ssl
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from apiserver import kinds
from apiserver.registry import Registry, ResourceType
from apiserver.server import ApiServer, build_app
from garden import audit
from garden.auth import authenticator, authorizer, identities, shoot_ca
from tests.conftest import make_store
from tests.support import servers

CORE = "core.gardener.cloud"
G = f"/apis/{CORE}/v1beta1"
SHOOTS_A = f"{G}/namespaces/garden-a/shoots"
SECRETS_A = "/api/v1/namespaces/garden-a/secrets"


def _kind(kind: str, plural: str, *, namespaced: bool, status: bool = False, group: str = CORE) -> ResourceType:
    return ResourceType(group=group, version="v1beta1", kind=kind, plural=plural, namespaced=namespaced,
                        subresources=("status",) if status else ())


def stand_in_registry() -> Registry:
    return Registry([
        kinds.NAMESPACE, kinds.SECRET,
        _kind("Project", "projects", namespaced=False, status=True),
        _kind("Shoot", "shoots", namespaced=True, status=True),
        _kind("Seed", "seeds", namespaced=False, status=True),
        _kind("CloudProfile", "cloudprofiles", namespaced=False),
        _kind("SecretBinding", "secretbindings", namespaced=True),
    ])


def _obj(kind: str, name: str, namespace: str | None = None, **rest: Any) -> dict[str, Any]:
    api_version = "v1" if kind in ("Namespace", "Secret") else f"{CORE}/v1beta1"
    md: dict[str, Any] = {"name": name, **({"namespace": namespace} if namespace else {})}
    return {"apiVersion": api_version, "kind": kind, "metadata": md, **rest}


def _secret(name: str, value: str = "hunter2") -> dict[str, Any]:
    return _obj("Secret", name, "garden-a", data={"password": base64.b64encode(value.encode()).decode()})


def _shoot(name: str, seed: str = "seed-a", binding: str = "creds") -> dict[str, Any]:
    return _obj("Shoot", name, "garden-a", spec={"seedName": seed, "secretBindingName": binding})


class Garden:
    """The running server, a client per identity (``None`` token for anonymous)."""

    def __init__(self, url: str, ca: Path, tokens: dict[str, str | None]) -> None:
        context = ssl.create_default_context(cafile=str(ca))
        self.clients = {
            who: httpx.Client(base_url=url, verify=context, timeout=10,
                              headers={"Authorization": f"Bearer {token}"} if token else {})
            for who, token in tokens.items()
        }

    def __call__(self, who: str) -> httpx.Client:
        return self.clients[who]

    def close(self) -> None:
        for client in self.clients.values():
            client.close()


def _seed_objects(op: httpx.Client) -> None:
    members_a = [{"kind": "User", "name": "vera", "role": "viewer"}]
    for body, path in [
        (_obj("Project", "a", spec={"namespace": "garden-a", "members": members_a}), f"{G}/projects"),
        (_obj("Project", "b", spec={"namespace": "garden-b", "owner": {"kind": "User", "name": "adam"}}),
         f"{G}/projects"),
        (_obj("Namespace", "garden-a"), "/api/v1/namespaces"),
        (_obj("Namespace", "garden-b"), "/api/v1/namespaces"),
        (_obj("CloudProfile", "local"), f"{G}/cloudprofiles"),
        (_obj("Seed", "seed-a"), f"{G}/seeds"),
        (_obj("Seed", "other-seed"), f"{G}/seeds"),
        (_shoot("s1"), SHOOTS_A),
        (_shoot("elsewhere", seed="other-seed", binding="other-creds"), SHOOTS_A),
        (_obj("SecretBinding", "creds", "garden-a", secretRef={"name": "creds"}),
         f"{G}/namespaces/garden-a/secretbindings"),
        (_secret("creds"), SECRETS_A),
        (_secret("unrelated"), SECRETS_A),
    ]:
        response = op.post(path, json=body)
        assert response.status_code == 201, response.text


@pytest.fixture(scope="module")
def garden(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Garden]:
    tmp = tmp_path_factory.mktemp("matrix")
    registry = stand_in_registry()
    store = make_store(f"sqlite:///{tmp / 'garden.db'}", registry)
    # The Secret admission garden.app attaches: seeds may create only their shoots' <shoot>.ca-client there.
    registry.unregister("", "v1", "secrets")
    registry.register(dataclasses.replace(kinds.SECRET, admission=(shoot_ca.ClientCAProtection(store.get),)))
    known = identities.for_engine(store.engine)
    known.create_user("vera")
    known.create_user("adam")
    known.create_user("olga", operator=True)
    known.ensure_seed("other-seed")
    known.ensure_seed("seed-a")
    tokens: dict[str, str | None] = {
        "anonymous": None,
        "viewer-a": known.issue_token("vera").token,
        "admin-b": known.issue_token("adam").token,
        "other-seed": known.issue_token(identities.seed_user("other-seed")).token,
        "seed-a": known.issue_token(identities.seed_user("seed-a")).token,
        "operator": known.issue_token("olga").token,
    }
    audit_log = audit.for_engine(store.engine)
    api = ApiServer(registry=registry, store=store, authenticator=authenticator.for_engine(store.engine, ttl=0),
                    authorizer=audit.RecordDenials(authorizer.for_store(store), audit_log), audit=audit_log,
                    poll_interval=0.05)
    app = build_app(api)
    app.include_router(audit.router(api, audit_log))
    with servers.serve(app, tmp, token=str(tokens["operator"])) as server:
        g = Garden(server.url, tmp / "test-ca.crt", tokens)
        # The authorizer caches namespace -> project for a second; objects below exist before any user asks.
        _seed_objects(g("operator"))
        yield g
        g.close()
    store.engine.dispose()


WHO = ["anonymous", "viewer-a", "admin-b", "other-seed", "operator"]


def _expect(table: dict[str, int]) -> list[Any]:
    return [pytest.param(who, table[who], id=who) for who in WHO]


def _fresh(garden: Garden, path: str, body: dict[str, Any]) -> str:
    """A new object made by the operator, so that an allowed delete removes nothing other cases read."""
    name = f"x{uuid.uuid4().hex[:8]}"
    body = {**body, "metadata": {**body["metadata"], "name": name}}
    assert garden("operator").post(path, json=body).status_code == 201
    return name


@pytest.mark.parametrize(("who", "code"), _expect(
    {"anonymous": 401, "viewer-a": 200, "admin-b": 403, "other-seed": 403, "operator": 200}))
def test_get_shoot_of_project_a(garden: Garden, who: str, code: int) -> None:
    assert garden(who).get(f"{SHOOTS_A}/s1").status_code == code


@pytest.mark.parametrize(("who", "code"), _expect(
    {"anonymous": 401, "viewer-a": 200, "admin-b": 403, "other-seed": 200, "operator": 200}))
def test_list_shoots_of_project_a(garden: Garden, who: str, code: int) -> None:
    response = garden(who).get(SHOOTS_A)
    assert response.status_code == code
    if code == 200:
        names = {i["metadata"]["name"] for i in response.json()["items"]}
        # A seed may list, but sees only the shoots scheduled to it.
        assert ("s1" in names) == (who != "other-seed")
        assert "elsewhere" in names


@pytest.mark.parametrize(("who", "code"), _expect(
    {"anonymous": 401, "viewer-a": 403, "admin-b": 403, "other-seed": 403, "operator": 201}))
def test_create_shoot_in_project_a(garden: Garden, who: str, code: int) -> None:
    assert garden(who).post(SHOOTS_A, json=_shoot(f"new-{who}")).status_code == code


@pytest.mark.parametrize(("who", "code"), _expect(
    {"anonymous": 401, "viewer-a": 403, "admin-b": 403, "other-seed": 403, "operator": 200}))
def test_delete_shoot_of_project_a(garden: Garden, who: str, code: int) -> None:
    name = _fresh(garden, SHOOTS_A, _shoot("tmp"))
    assert garden(who).delete(f"{SHOOTS_A}/{name}").status_code == code


@pytest.mark.parametrize(("who", "code"), _expect(
    {"anonymous": 401, "viewer-a": 403, "admin-b": 403, "other-seed": 403, "operator": 200}))
def test_get_secret_of_project_a(garden: Garden, who: str, code: int) -> None:
    assert garden(who).get(f"{SECRETS_A}/creds").status_code == code


@pytest.mark.parametrize(("who", "code"), _expect(
    {"anonymous": 401, "viewer-a": 403, "admin-b": 403, "other-seed": 403, "operator": 200}))
def test_list_secrets_of_project_a(garden: Garden, who: str, code: int) -> None:
    assert garden(who).get(SECRETS_A).status_code == code


@pytest.mark.parametrize(("who", "code"), _expect(
    {"anonymous": 401, "viewer-a": 403, "admin-b": 403, "other-seed": 403, "operator": 201}))
def test_create_secret_in_project_a(garden: Garden, who: str, code: int) -> None:
    assert garden(who).post(SECRETS_A, json=_secret(f"new-{who}")).status_code == code


@pytest.mark.parametrize(("who", "code"), _expect(
    {"anonymous": 401, "viewer-a": 403, "admin-b": 403, "other-seed": 403, "operator": 200}))
def test_delete_secret_of_project_a(garden: Garden, who: str, code: int) -> None:
    name = _fresh(garden, SECRETS_A, _secret("tmp"))
    assert garden(who).delete(f"{SECRETS_A}/{name}").status_code == code


@pytest.mark.parametrize(("who", "code"), _expect(
    {"anonymous": 401, "viewer-a": 200, "admin-b": 403, "other-seed": 403, "operator": 200}))
def test_get_project_a(garden: Garden, who: str, code: int) -> None:
    assert garden(who).get(f"{G}/projects/a").status_code == code


@pytest.mark.parametrize(("who", "code"), _expect(
    {"anonymous": 401, "viewer-a": 201, "admin-b": 201, "other-seed": 403, "operator": 201}))
def test_create_project(garden: Garden, who: str, code: int) -> None:
    body = _obj("Project", f"p{uuid.uuid4().hex[:6]}")
    assert garden(who).post(f"{G}/projects", json=body).status_code == code


@pytest.mark.parametrize(("who", "code"), _expect(
    {"anonymous": 401, "viewer-a": 403, "admin-b": 403, "other-seed": 403, "operator": 200}))
def test_delete_project_a(garden: Garden, who: str, code: int) -> None:
    # The operator deletes a copy of project A (same members), so project A itself stays for the other cases.
    name = "a" if code != 200 else _fresh(garden, f"{G}/projects", _obj("Project", "tmp"))
    assert garden(who).delete(f"{G}/projects/{name}").status_code == code


@pytest.mark.parametrize(("who", "code", "names"), [
    pytest.param("anonymous", 401, None, id="anonymous"),
    pytest.param("viewer-a", 200, {"a"}, id="viewer-a"),
    pytest.param("admin-b", 200, {"b"}, id="admin-b"),
    pytest.param("other-seed", 403, None, id="other-seed"),
    pytest.param("operator", 200, {"a", "b"}, id="operator"),
])
def test_list_projects_shows_only_ones_own(garden: Garden, who: str, code: int, names: set[str] | None) -> None:
    response = garden(who).get(f"{G}/projects")
    assert response.status_code == code
    if names is not None:
        listed = {i["metadata"]["name"] for i in response.json()["items"]}
        assert names <= listed
        if who != "operator":
            assert listed == names


@pytest.mark.parametrize(("who", "code"), _expect(
    {"anonymous": 401, "viewer-a": 200, "admin-b": 200, "other-seed": 200, "operator": 200}))
def test_everyone_authenticated_reads_cloudprofiles(garden: Garden, who: str, code: int) -> None:
    assert garden(who).get(f"{G}/cloudprofiles").status_code == code
    assert garden(who).get(f"{G}/cloudprofiles/local").status_code == code


@pytest.mark.parametrize(("who", "code"), _expect(
    {"anonymous": 401, "viewer-a": 403, "admin-b": 403, "other-seed": 403, "operator": 201}))
def test_only_operators_write_cloudprofiles(garden: Garden, who: str, code: int) -> None:
    body = _obj("CloudProfile", f"c{uuid.uuid4().hex[:6]}")
    assert garden(who).post(f"{G}/cloudprofiles", json=body).status_code == code


@pytest.mark.parametrize(("who", "code", "seen"), [
    pytest.param("anonymous", 401, None, id="anonymous"),
    pytest.param("viewer-a", 200, {"seed-a", "other-seed"}, id="viewer-a"),
    pytest.param("admin-b", 200, {"seed-a", "other-seed"}, id="admin-b"),
    pytest.param("other-seed", 200, {"other-seed"}, id="other-seed"),
    pytest.param("operator", 200, {"seed-a", "other-seed"}, id="operator"),
])
def test_list_seeds(garden: Garden, who: str, code: int, seen: set[str] | None) -> None:
    response = garden(who).get(f"{G}/seeds")
    assert response.status_code == code
    if seen is not None:
        assert {i["metadata"]["name"] for i in response.json()["items"]} == seen


@pytest.mark.parametrize(("who", "read", "write"), [
    pytest.param("anonymous", 401, 401, id="anonymous"),
    pytest.param("viewer-a", 200, 403, id="viewer-a"),
    pytest.param("admin-b", 200, 403, id="admin-b"),
    pytest.param("other-seed", 403, 403, id="other-seed"),
    pytest.param("seed-a", 200, 200, id="seed-a"),
    pytest.param("operator", 200, 200, id="operator"),
])
def test_seed_status_of_seed_a(garden: Garden, who: str, read: int, write: int) -> None:
    client = garden(who)
    assert client.get(f"{G}/seeds/seed-a").status_code == read
    assert client.get(f"{G}/seeds/seed-a/status").status_code == read
    patch = client.patch(f"{G}/seeds/seed-a/status", json={"status": {"observedGeneration": 1}},
                         headers={"Content-Type": "application/merge-patch+json"})
    assert patch.status_code == write


def test_the_seed_of_a_shoot_reaches_it_its_status_its_binding_and_its_secret(garden: Garden) -> None:
    seed = garden("seed-a")
    names = {i["metadata"]["name"] for i in seed.get(SHOOTS_A).json()["items"]}
    assert "s1" in names and "elsewhere" not in names
    assert seed.get(f"{SHOOTS_A}/elsewhere").status_code == 403
    status = seed.patch(f"{SHOOTS_A}/s1/status", json={"status": {"seedName": "seed-a"}},
                        headers={"Content-Type": "application/merge-patch+json"})
    assert status.status_code == 200, status.text
    assert seed.get(f"{G}/namespaces/garden-a/secretbindings/creds").status_code == 200
    assert seed.get(f"{SECRETS_A}/creds").status_code == 200
    # Not referenced by any of its shoots, not a write it may make, not a kind it may touch.
    assert seed.get(f"{SECRETS_A}/unrelated").status_code == 403
    assert seed.get(SECRETS_A).status_code == 403
    assert seed.delete(f"{SHOOTS_A}/s1").status_code == 403
    assert seed.get(f"{G}/projects/a").status_code == 403
    assert seed.get("/api/v1/namespaces/garden-a").status_code == 403


def test_a_non_member_gets_the_same_answer_whether_or_not_the_project_exists(garden: Garden) -> None:
    client = garden("admin-b")
    existing, missing = client.get(f"{G}/projects/a"), client.get(f"{G}/projects/nope")
    assert existing.status_code == missing.status_code == 403
    assert existing.json()["message"].replace('"a"', '"nope"') == missing.json()["message"]
    in_ns, in_missing_ns = client.get(SHOOTS_A), client.get(f"{G}/namespaces/garden-nope/shoots")
    assert in_ns.status_code == in_missing_ns.status_code == 403


def test_a_project_owner_manages_its_own_namespace(garden: Garden) -> None:
    owner = garden("admin-b")
    path = "/api/v1/namespaces/garden-b/secrets"
    assert owner.post(path, json={**_secret("mine"), "metadata": {"name": "mine"}}).status_code == 201
    assert owner.get(f"{path}/mine").status_code == 200
    assert owner.get("/api/v1/namespaces/garden-b").status_code == 200
    assert {i["metadata"]["name"] for i in owner.get("/api/v1/namespaces").json()["items"]} == {"garden-b"}


@pytest.mark.parametrize(("who", "code"), _expect(
    {"anonymous": 401, "viewer-a": 403, "admin-b": 403, "other-seed": 403, "operator": 200}))
def test_only_operators_read_the_audit_log(garden: Garden, who: str, code: int) -> None:
    assert garden(who).get(audit.PATH).status_code == code


def test_audit_log_records_mutations_and_refusals_without_bodies(garden: Garden) -> None:
    assert garden("viewer-a").post(SECRETS_A, json=_secret("sneaky", "t0p-s3cret")).status_code == 403
    assert garden("operator").post(SECRETS_A, json=_secret("audited", "t0p-s3cret")).status_code == 201
    response = garden("operator").get(audit.PATH, params={"resource": "secrets", "limit": 500})
    events = response.json()["items"]
    assert {"user": "vera", "verb": "create", "resource": "secrets", "namespace": "garden-a", "code": 403}.items() \
        <= next(e for e in events if e["user"] == "vera").items()
    assert any(e["user"] == "olga" and e["code"] == 201 and e["verb"] == "create" for e in events)
    assert "t0p-s3cret" not in response.text and base64.b64encode(b"t0p-s3cret").decode() not in response.text
    reads = garden("operator").get(audit.PATH, params={"verb": "get"}).json()["items"]
    assert reads == []  # reads are not mutations
