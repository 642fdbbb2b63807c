"""The garden authorizer on plain dicts: project namespaces, cross-namespace lists, seeds' reach over the
object graph (bindings, credentials, their own Seed's secrets, heartbeat leases) and operators."""

from __future__ import annotations

from typing import Any

import pytest

from apiserver.auth import Attributes
from apiserver.context import UserInfo
from apiserver.registry import ResourceType
from garden.auth.authorizer import GardenAuthorizer

JSON = dict[str, Any]
CORE = "core.gardener.cloud"
SEED_A = UserInfo("gardener.cloud:system:seed:seed-a", groups=("gardener.cloud:system:seeds",))
VERA = UserInfo("vera", groups=("system:authenticated",))


class World:
    def __init__(self, *objects: tuple[str, JSON]) -> None:
        self.objects: dict[tuple[str, str, str], JSON] = {}
        for key, obj in objects:
            self.put(key, obj)

    def put(self, key: str, obj: JSON) -> None:
        md = obj["metadata"]
        self.objects[(key, md.get("namespace", ""), md["name"])] = obj

    def get(self, key: str, namespace: str, name: str) -> JSON | None:
        return self.objects.get((key, namespace, name))

    def scan(self, key: str, namespace: str | None) -> list[JSON]:
        return [o for (k, ns, _), o in self.objects.items() if k == key and namespace in (None, ns)]


def _o(name: str, namespace: str = "", **rest: Any) -> JSON:
    return {"metadata": {"name": name, **({"namespace": namespace} if namespace else {})}, **rest}


def _world() -> World:
    return World(
        (f"{CORE}/projects", _o("dev", spec={"namespace": "team-dev", "members": [
            {"kind": "User", "name": "vera", "role": "viewer"}]})),
        (f"{CORE}/seeds", _o("seed-a", spec={"backup": {"credentialsRef": {
            "apiVersion": "v1", "kind": "Secret", "name": "backup", "namespace": "garden"}}})),
        (f"{CORE}/shoots", _o("s1", "team-dev", spec={"seedName": "seed-a", "credentialsBindingName": "cb",
                                                      "resources": [{"name": "r", "resourceRef": {
                                                          "kind": "Secret", "name": "extra"}}]})),
        (f"{CORE}/shoots", _o("s2", "team-dev", spec={"seedName": "seed-b", "secretBindingName": "sb"})),
        ("security.gardener.cloud/credentialsbindings", _o("cb", "team-dev", credentialsRef={
            "kind": "Secret", "name": "cloud", "namespace": "team-dev"})),
        (f"{CORE}/secretbindings", _o("sb", "team-dev", secretRef={"name": "other"})),
    )


@pytest.fixture
def world() -> World:
    w = _world()
    # An adopted namespace: not garden-<project>, found through Gardener's project label.
    w.put("core/namespaces", {"metadata": {"name": "team-dev", "labels": {"project.gardener.cloud/name": "dev"}}})
    return w


def _authz(world: World) -> GardenAuthorizer:
    return GardenAuthorizer(world.get, scan=world.scan, cache_ttl=0)


def _attrs(verb: str, resource: str, namespace: str = "", name: str = "", sub: str = "", group: str = CORE
           ) -> Attributes:
    return Attributes(verb=verb, group=group, resource=resource, subresource=sub, namespace=namespace, name=name)


def test_a_labelled_namespace_belongs_to_the_project_that_names_it(world: World) -> None:
    authz = _authz(world)
    assert authz.authorize(VERA, _attrs("get", "shoots", "team-dev", "s1")) is None
    assert authz.authorize(VERA, _attrs("get", "secrets", "team-dev", "x", group="")) is not None


def test_a_namespace_label_alone_does_not_make_a_project_namespace(world: World) -> None:
    world.put("core/namespaces", {"metadata": {"name": "stolen", "labels": {"project.gardener.cloud/name": "dev"}}})
    assert _authz(world).authorize(VERA, _attrs("get", "shoots", "stolen", "s1")) is not None


def test_a_list_across_namespaces_shows_only_what_the_user_may_list(world: World) -> None:
    authz = _authz(world)
    shoots = ResourceType(group=CORE, version="v1beta1", kind="Shoot", plural="shoots", namespaced=True)
    secrets = ResourceType(group="", version="v1", kind="Secret", plural="secrets", namespaced=True)
    assert authz.authorize(VERA, _attrs("list", "shoots")) is None
    assert authz.visible(VERA, shoots, _o("s1", "team-dev"))
    assert not authz.visible(VERA, shoots, _o("s9", "elsewhere"))
    assert not authz.visible(VERA, secrets, _o("x", "team-dev"))


def test_non_resource_paths_are_for_operators_only(world: World) -> None:
    authz = _authz(world)
    assert authz.authorize(VERA, Attributes(verb="get", path="/audit/v1/events")) is not None
    operator = UserInfo("olga", groups=("hortus:operators",))
    assert authz.authorize(operator, Attributes(verb="get", path="/audit/v1/events")) is None


@pytest.mark.parametrize(("attrs", "allowed"), [
    (_attrs("get", "shoots", "team-dev", "s1"), True),
    (_attrs("update", "shoots", "team-dev", "s1", sub="status"), True),
    (_attrs("get", "shoots", "team-dev", "s2"), False),
    (_attrs("update", "shoots", "team-dev", "s1", sub="binding"), False),
    (_attrs("create", "shoots", "team-dev"), False),
    (_attrs("delete", "shoots", "team-dev", "s1"), False),
    (_attrs("get", "credentialsbindings", "team-dev", "cb", group="security.gardener.cloud"), True),
    (_attrs("get", "secretbindings", "team-dev", "sb"), False),
    (_attrs("get", "secrets", "team-dev", "cloud", group=""), True),
    (_attrs("get", "secrets", "team-dev", "extra", group=""), True),
    (_attrs("get", "secrets", "garden", "backup", group=""), True),
    (_attrs("get", "secrets", "team-dev", "other", group=""), False),
    (_attrs("update", "secrets", "team-dev", "cloud", group=""), False),
    (_attrs("get", "seeds", name="seed-a"), True),
    (_attrs("patch", "seeds", name="seed-a", sub="status"), True),
    (_attrs("get", "seeds", name="seed-b"), False),
    (_attrs("delete", "seeds", name="seed-a"), False),
    (_attrs("list", "cloudprofiles"), True),
    (_attrs("get", "projects", name="dev"), False),
    (_attrs("update", "leases", "gardener-system-seed-lease", "seed-a", group="coordination.k8s.io"), True),
    (_attrs("update", "leases", "gardener-system-seed-lease", "seed-b", group="coordination.k8s.io"), False),
    (_attrs("create", "configmaps", "team-dev", group=""), True),
    (_attrs("create", "configmaps", "elsewhere", group=""), False),
    (_attrs("patch", "configmaps", "team-dev", "s1.ca-cluster", group=""), True),
    (_attrs("delete", "configmaps", "team-dev", "s1.ca-cluster", group=""), True),
    (_attrs("patch", "configmaps", "team-dev", "s2.ca-cluster", group=""), False),
    (_attrs("get", "configmaps", "team-dev", "s1.settings", group=""), False),
])
def test_a_seed_reaches_only_its_shoots_and_what_they_reference(world: World, attrs: Attributes,
                                                                 allowed: bool) -> None:
    assert (_authz(world).authorize(SEED_A, attrs) is None) is allowed


def test_a_seed_name_without_the_seeds_group_is_no_seed(world: World) -> None:
    impostor = UserInfo("gardener.cloud:system:seed:seed-a", groups=("system:authenticated",))
    assert _authz(world).authorize(impostor, _attrs("get", "shoots", "team-dev", "s1")) is not None


def test_without_a_scan_a_seed_gets_no_referenced_objects(world: World) -> None:
    authz = GardenAuthorizer(world.get, cache_ttl=0)
    assert authz.authorize(SEED_A, _attrs("get", "secrets", "team-dev", "cloud", group="")) is not None
    assert authz.authorize(SEED_A, _attrs("get", "shoots", "team-dev", "s1")) is None


def test_project_of_a_namespace_is_cached_for_the_ttl(world: World) -> None:
    now = [0.0]
    authz = GardenAuthorizer(world.get, scan=world.scan, cache_ttl=1.0, monotonic=lambda: now[0])
    assert authz.authorize(VERA, _attrs("get", "shoots", "team-dev", "s1")) is None
    world.put(f"{CORE}/projects", _o("dev", spec={"namespace": "team-dev", "members": []}))
    assert authz.authorize(VERA, _attrs("get", "shoots", "team-dev", "s1")) is None
    now[0] = 1.0
    assert authz.authorize(VERA, _attrs("get", "shoots", "team-dev", "s1")) is not None
