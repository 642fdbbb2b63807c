"""Tests for shoot.validation.references (and cloudprofile_refs): rules checked against referenced objects.

Each test starts from a valid shoot with its CloudProfile, binding, project or seed and breaks one rule.
"""

from __future__ import annotations

import copy
from typing import Any

from shoot import fielderrors
from shoot.fielderrors import FieldError
from shoot.validation import references
from tests.shoot.validation import reference_objects as objects

NOW = objects.NOW
WORKER = "spec.provider.workers[0]"


def _local(shoot: dict[str, Any], *, old: dict[str, Any] | None = None, **profile: Any) -> list[FieldError]:
    cloudprofile = objects.local_cloudprofile()
    cloudprofile["spec"].update(profile)
    return references.validate_against_cloudprofile(shoot, cloudprofile, old=old, now=NOW)


def _example(shoot: dict[str, Any], *, old: dict[str, Any] | None = None) -> list[FieldError]:
    return references.validate_against_cloudprofile(shoot, objects.example_cloudprofile(), old=old, now=NOW)


def _only(errors: list[FieldError]) -> FieldError:
    assert len(errors) == 1, errors
    return errors[0]


# --- CloudProfile: valid inputs --------------------------------------------------------------------------


def test_accepts_the_local_shoot_on_the_local_cloudprofile() -> None:
    assert _local(objects.local_shoot()) == []


def test_accepts_the_example_cloudprofile_with_a_matching_shoot() -> None:
    assert _example(objects.example_shoot()) == []


# --- rule 5, 6 -------------------------------------------------------------------------------------------


def test_rejects_a_region_the_cloudprofile_does_not_offer() -> None:
    shoot = objects.example_shoot()
    shoot["spec"]["region"] = "mars-1"
    shoot["spec"]["provider"]["workers"][0].pop("zones")

    error = _only(_example(shoot))

    assert error.field == "spec.region"
    assert error.reason == fielderrors.NOT_SUPPORTED
    assert error.message == 'Unsupported value: "mars-1": supported values: "europe-central-1"'


def test_rejects_a_provider_type_other_than_the_cloudprofiles_and_stops_there() -> None:
    shoot = objects.local_shoot()
    shoot["spec"]["provider"]["type"] = "aws"

    error = _only(_local(shoot))

    assert error.field == "spec.provider.type"
    assert "must equal provider type of referenced CloudProfile: 'local'" in error.message


# --- rule 10, 12 -----------------------------------------------------------------------------------------


def test_rejects_an_unlisted_kubernetes_version_and_lists_valid_ones_with_preview_marks() -> None:
    shoot = objects.local_shoot()
    shoot["spec"]["kubernetes"]["version"] = "1.31.0"

    error = _only(_local(shoot))

    assert error.field == "spec.kubernetes.version"
    assert error.message == ('Unsupported value: "1.31.0": supported values: "1.36.0 (preview)", "1.35.0", "1.34.3"')


def test_rejects_an_expired_kubernetes_version_on_create() -> None:
    shoot = objects.example_shoot()
    shoot["spec"]["kubernetes"]["version"] = "1.32.13"  # expired 2025-11-30

    error = _only(_example(shoot))

    assert error.field == "spec.kubernetes.version"
    assert "1.32.13" not in error.message.split(": supported values: ")[1]


def test_accepts_an_update_to_an_expired_version_but_keeps_an_unchanged_one() -> None:
    old = objects.local_shoot()
    old["spec"]["kubernetes"]["version"] = "1.33.0"  # no longer listed at all
    new = copy.deepcopy(old)

    assert _local(new, old=old) == []
    new["spec"]["kubernetes"]["version"] = "1.33.5"  # expired, but maintenance may step through it
    assert _local(new, old=old) == []


def test_rejects_an_expired_worker_version_for_a_new_pool() -> None:
    old = objects.local_shoot()
    new = copy.deepcopy(old)
    pool = copy.deepcopy(new["spec"]["provider"]["workers"][0]) | {"name": "second"}
    pool["kubernetes"] = {"version": "1.33.5"}
    new["spec"]["provider"]["workers"].append(pool)

    error = _only(_local(new, old=old))

    assert error.field == "spec.provider.workers[1].kubernetes.version"
    assert error.reason == fielderrors.NOT_SUPPORTED


def test_rejects_an_unlisted_worker_kubernetes_version() -> None:
    shoot = objects.local_shoot()
    shoot["spec"]["provider"]["workers"][0]["kubernetes"] = {"version": "1.30.1"}

    assert _only(_local(shoot)).field == f"{WORKER}.kubernetes.version"


# --- rule 16: machine types ------------------------------------------------------------------------------


def test_rejects_an_unknown_machine_type_listing_the_usable_ones() -> None:
    shoot = objects.local_shoot()
    shoot["spec"]["provider"]["workers"][0]["machine"]["type"] = "huge"

    error = _only(_local(shoot))

    assert error.field == f"{WORKER}.machine.type"
    assert error.message == 'Unsupported value: "huge": supported values: "local"'


def test_rejects_an_unusable_machine_type() -> None:
    profile = objects.local_cloudprofile()["spec"]
    profile["machineTypes"][0]["usable"] = False

    error = _only(_local(objects.local_shoot(), machineTypes=profile["machineTypes"]))

    assert error.field == f"{WORKER}.machine.type"
    assert "machine type 'local' is unusable" in error.message


def test_rejects_a_machine_type_unavailable_in_a_selected_zone() -> None:
    profile = objects.example_cloudprofile()
    profile["spec"]["regions"][0]["zones"][1]["unavailableMachineTypes"] = ["m5.large"]

    errors = references.validate_against_cloudprofile(objects.example_shoot(), profile, old=None, now=NOW)

    error = _only(errors)
    assert error.field == f"{WORKER}.machine.type"
    assert "is unavailable in at least one of the selected zones" in error.message


def test_rejects_a_machine_type_of_another_architecture() -> None:
    shoot = objects.local_shoot()
    shoot["spec"]["provider"]["workers"][0]["machine"]["architecture"] = "arm64"

    error = _only(_local(shoot))

    assert error.field == f"{WORKER}.machine.type"
    assert "does not support CPU architecture 'arm64'" in error.message


# --- rule 16: machine images -----------------------------------------------------------------------------


def test_rejects_a_machine_image_version_the_cloudprofile_does_not_offer() -> None:
    shoot = objects.local_shoot()
    shoot["spec"]["provider"]["workers"][0]["machine"]["image"]["version"] = "2.0.0"

    error = _only(_local(shoot))

    assert error.field == f"{WORKER}.machine.image"
    assert error.message.startswith('Invalid value: "local:2.0.0": machine image version is not offered')
    assert "['local:1.0.0']" in error.message


def test_rejects_an_expired_machine_image_for_a_new_shoot() -> None:
    shoot = objects.example_shoot()
    shoot["spec"]["provider"]["workers"][0]["machine"]["image"]["version"] = "15.4.20220620"

    error = _only(_example(shoot))

    assert error.field == f"{WORKER}.machine.image"
    assert "'gardenlinux:15.4.20220620' is expired" in error.message


def test_accepts_an_upgrade_of_an_existing_pool_to_an_expired_image_but_not_a_downgrade() -> None:
    profile_images = objects.local_cloudprofile()["spec"]["machineImages"]
    profile_images[0]["versions"].append({"version": "0.8.0"})
    old = objects.local_shoot()
    old["spec"]["provider"]["workers"][0]["machine"]["image"]["version"] = "0.8.0"
    upgraded = copy.deepcopy(old)
    upgraded["spec"]["provider"]["workers"][0]["machine"]["image"]["version"] = "0.9.0"

    assert _local(upgraded, old=old, machineImages=profile_images) == []
    downgraded = copy.deepcopy(old)
    old["spec"]["provider"]["workers"][0]["machine"]["image"]["version"] = "1.0.0"
    downgraded["spec"]["provider"]["workers"][0]["machine"]["image"]["version"] = "0.9.0"
    assert _only(_local(downgraded, old=old, machineImages=profile_images)).field == f"{WORKER}.machine.image"


def test_rejects_a_machine_image_without_the_pools_architecture() -> None:
    profile = objects.local_cloudprofile()["spec"]
    profile["machineTypes"].append(
        {"name": "arm", "cpu": "2", "memory": "4Gi", "usable": True, "architecture": "arm64"}
    )
    shoot = objects.local_shoot()
    machine = shoot["spec"]["provider"]["workers"][0]["machine"]
    machine.update(type="arm", architecture="arm64", image={"name": "local", "version": "0.9.0"})
    profile["machineImages"][0]["versions"][1].pop("expirationDate")

    error = _only(_local(shoot, machineTypes=profile["machineTypes"], machineImages=profile["machineImages"]))

    assert error.field == f"{WORKER}.machine.image"
    assert "does not support CPU architecture 'arm64'" in error.message


def test_rejects_an_in_place_update_strategy_with_an_image_that_cannot_do_it() -> None:
    shoot = objects.local_shoot()
    shoot["spec"]["provider"]["workers"][0]["updateStrategy"] = "AutoInPlaceUpdate"

    error = _only(_local(shoot))

    assert error.field == f"{WORKER}.machine.image"
    assert "does not support in-place updates" in error.message


# --- rule 16: volumes ------------------------------------------------------------------------------------


def test_rejects_an_unknown_volume_type() -> None:
    shoot = objects.example_shoot()
    shoot["spec"]["provider"]["workers"][0]["volume"]["type"] = "gp9"

    error = _only(_example(shoot))

    assert error.field == f"{WORKER}.volume.type"
    assert error.message == 'Unsupported value: "gp9": supported values: "gp3", "io1"'


def test_rejects_an_unusable_volume_type_of_a_data_volume() -> None:
    profile = objects.example_cloudprofile()
    profile["spec"]["volumeTypes"][1]["usable"] = False
    shoot = objects.example_shoot()
    shoot["spec"]["provider"]["workers"][0]["dataVolumes"] = [{"name": "data", "type": "io1", "size": "20Gi"}]

    error = _only(references.validate_against_cloudprofile(shoot, profile, old=None, now=NOW))

    assert error.field == f"{WORKER}.dataVolumes[0].type"
    assert "volume type 'io1' is unusable" in error.message


def test_rejects_a_volume_below_the_minimum_size_of_its_type() -> None:
    shoot = objects.local_shoot()
    shoot["spec"]["provider"]["workers"][0]["volume"] = {"type": "default", "size": "5Gi"}

    error = _only(_local(shoot))

    assert error.field == f"{WORKER}.volume.size"
    assert error.message == "Invalid value: \"5Gi\": volume size must be at least 10Gi for volume type 'default'"


# --- rule 18 ---------------------------------------------------------------------------------------------


def test_rejects_a_zone_outside_the_region() -> None:
    shoot = objects.example_shoot()
    shoot["spec"]["provider"]["workers"][0]["zones"] = ["europe-central-1a", "europe-west-1a"]

    error = _only(_example(shoot))

    assert error.field == f"{WORKER}.zones[1]"
    assert error.reason == fielderrors.NOT_SUPPORTED
    assert '"europe-central-1a", "europe-central-1b", "europe-central-1c"' in error.message


def test_rejects_zones_in_a_region_without_zones() -> None:
    shoot = objects.local_shoot()
    shoot["spec"]["provider"]["workers"][0]["zones"] = ["a"]

    error = _only(_local(shoot))

    assert error.field == f"{WORKER}.zones[0]"
    assert "region 'local' has no availability zones" in error.message


# --- rule 21, 22 -----------------------------------------------------------------------------------------


def test_rejects_a_total_minimum_above_the_cloudprofiles_node_limit() -> None:
    shoot = objects.local_shoot()
    shoot["spec"]["provider"]["workers"][0]["minimum"] = 2
    pool = copy.deepcopy(shoot["spec"]["provider"]["workers"][0]) | {"name": "second"}
    shoot["spec"]["provider"]["workers"].append(pool)  # minimums 2 + 2, maximums 2 each

    assert _local(shoot, limits={"maxNodesTotal": 4}) == []
    error = _only(_local(shoot, limits={"maxNodesTotal": 3}))

    assert error.field == "spec.provider.workers"
    assert error.message == (
        "Invalid value: 4: the total minimum node count of all pools must not exceed the limit of 3 nodes "
        "configured in the CloudProfile"
    )


def test_rejects_a_pool_maximum_above_the_cloudprofiles_node_limit() -> None:
    error = _only(_local(objects.local_shoot(), limits={"maxNodesTotal": 1}))

    assert error.field == f"{WORKER}.maximum"


def test_rejects_kube_reserved_cpu_at_the_machine_capacity() -> None:
    shoot = objects.local_shoot()
    shoot["spec"]["kubernetes"]["kubelet"]["kubeReserved"] = {"cpu": "1500m"}
    shoot["spec"]["kubernetes"]["kubelet"]["systemReserved"] = {"cpu": "500m"}

    error = _only(_local(shoot))

    assert error.field == "spec.kubernetes.kubelet.kubeReserved.cpu"
    assert "must be less than the cpu capacity 2 of machine type 'local'" in error.message


def test_rejects_worker_kube_reserved_memory_above_the_machine_capacity() -> None:
    shoot = objects.local_shoot()
    shoot["spec"]["provider"]["workers"][0]["kubernetes"] = {"kubelet": {"kubeReserved": {"memory": "5Gi"}}}

    assert _only(_local(shoot)).field == f"{WORKER}.kubernetes.kubelet.kubeReserved.memory"


# --- bindings --------------------------------------------------------------------------------------------


def test_accepts_a_binding_for_the_shoots_provider() -> None:
    binding = objects.credentials_binding()

    assert references.validate_binding(objects.local_shoot(), secret_binding=None, credentials_binding=binding) == []


def test_rejects_a_missing_credentials_binding() -> None:
    error = _only(references.validate_binding(objects.local_shoot(), secret_binding=None, credentials_binding=None))

    assert error.field == "spec.credentialsBindingName"
    assert error.message == "Invalid value: \"local\": CredentialsBinding 'local' not found in namespace 'garden-local'"


def test_rejects_a_binding_for_another_provider() -> None:
    binding = objects.credentials_binding(provider_type="aws")

    error = _only(references.validate_binding(objects.local_shoot(), secret_binding=None, credentials_binding=binding))

    assert error.field == "spec.provider.type"
    assert "must match provider type of referenced CredentialsBinding 'local': 'aws'" in error.message


def test_accepts_a_secret_binding_listing_several_providers() -> None:
    shoot = objects.example_shoot()
    shoot["spec"].pop("credentialsBindingName")
    shoot["spec"]["secretBindingName"] = "my-provider-account"

    ok = references.validate_binding(shoot, secret_binding=objects.secret_binding("gcp,aws"), credentials_binding=None)
    wrong = references.validate_binding(shoot, secret_binding=objects.secret_binding("gcp"), credentials_binding=None)

    assert ok == []
    assert _only(wrong).field == "spec.provider.type"


# --- rule 2: project membership --------------------------------------------------------------------------


def _custom_namespace(shoot: dict[str, Any]) -> dict[str, Any]:
    """A project whose namespace does not follow ``garden-<name>``: only the project tells its name."""
    shoot["metadata"]["namespace"] = "team-space"
    project = objects.project()
    project.setdefault("spec", {})["namespace"] = "team-space"
    return project


def test_rejects_project_and_shoot_names_longer_than_21_characters_on_create() -> None:
    shoot = objects.local_shoot()
    project = _custom_namespace(shoot)
    shoot["metadata"]["name"] = "a-very-long-name"  # 16 + "local" 5 = 21 is fine, one more is not
    assert references.validate_project_membership(shoot, project=project, operation="CREATE") == []
    shoot["metadata"]["name"] += "x"

    error = _only(references.validate_project_membership(shoot, project=project, operation="CREATE"))

    assert error.field == "metadata.name"
    assert "must not exceed 21 characters (project: local; shoot: a-very-long-namex)" in error.message
    assert references.validate_project_membership(shoot, project=project, operation="UPDATE") == []


def test_leaves_the_name_budget_of_conventional_namespaces_to_the_static_rule() -> None:
    shoot = objects.local_shoot()
    shoot["metadata"]["name"] = "a-very-long-name-x"
    assert references.validate_project_membership(shoot, project=objects.project(), operation="CREATE") == []


def test_rejects_a_generate_name_longer_than_16_characters_with_the_project_name() -> None:
    shoot = objects.local_shoot()
    project = _custom_namespace(shoot)
    shoot["metadata"].pop("name")
    shoot["metadata"]["generateName"] = "abcdefghijkl"  # 12 + 5 > 16

    error = _only(references.validate_project_membership(shoot, project=project, operation="CREATE"))

    assert error.field == "metadata.generateName"
    assert "must not exceed 16 characters" in error.message


def test_rejects_creating_a_shoot_in_a_project_marked_for_deletion() -> None:
    project = objects.project()
    project["metadata"]["deletionTimestamp"] = "2026-01-01T00:00:00Z"

    error = _only(references.validate_project_membership(objects.local_shoot(), project=project, operation="CREATE"))

    assert error.field == "metadata.namespace"
    assert error.message == (
        "Forbidden: cannot create shoot 'local' in project 'local' that is already marked for deletion"
    )


# --- rules 26, 31: seed ----------------------------------------------------------------------------------


def _scheduled(**networking: str) -> dict[str, Any]:
    shoot = objects.local_shoot()
    shoot["spec"]["seedName"] = "local"
    shoot["spec"]["networking"].update(networking)
    return shoot


def test_accepts_a_shoot_whose_networks_are_disjoint_from_the_seeds() -> None:
    assert references.validate_seed_reference(_scheduled(), seed=objects.local_seed(), old=None) == []


def test_rejects_shoot_pods_overlapping_the_seed_pod_network() -> None:
    shoot = _scheduled(pods="10.1.128.0/17")

    error = _only(references.validate_seed_reference(shoot, seed=objects.local_seed(), old=None))

    assert error.field == "spec.networking.pods"
    assert error.message == (
        'Invalid value: "10.1.128.0/17": shoot pod network intersects with seed pod network 10.1.0.0/16'
    )


def test_rejects_shoot_nodes_overlapping_the_seed_service_network_only_when_scheduled() -> None:
    shoot = _scheduled(nodes="10.2.0.0/24")

    error = _only(references.validate_seed_reference(shoot, seed=objects.local_seed(), old=None))

    assert error.field == "spec.networking.nodes"
    assert "shoot node network intersects with seed service network" in error.message
    assert references.validate_seed_reference(shoot, seed=objects.local_seed(), old=shoot) == []


def test_requires_pods_and_services_when_the_seed_has_no_defaults() -> None:
    seed = objects.local_seed()
    seed["spec"]["networks"].pop("shootDefaults")

    errors = references.validate_seed_reference(_scheduled(), seed=seed, old=None)

    assert [(e.field, e.reason) for e in errors] == [
        ("spec.networking.services", fielderrors.REQUIRED),
        ("spec.networking.pods", fielderrors.REQUIRED),
    ]


def test_rejects_zone_failure_tolerance_on_a_seed_with_fewer_than_three_zones() -> None:
    shoot = _scheduled()
    shoot["spec"]["controlPlane"] = {"highAvailability": {"failureTolerance": {"type": "zone"}}}
    seed = objects.local_seed()
    assert references.validate_seed_reference(shoot, seed=seed, old=None) == []
    seed["spec"]["provider"]["zones"] = ["0", "1"]

    error = _only(references.validate_seed_reference(shoot, seed=seed, old=None))

    assert error.field == "spec.controlPlane.highAvailability.failureTolerance.type"
    assert "on seed 'local' with only 2 zones, at least 3 zones are required" in error.message


def test_rejects_a_missing_seed() -> None:
    error = _only(references.validate_seed_reference(_scheduled(), seed=None, old=None))

    assert error.field == "spec.seedName"


# --- rule 34: tolerations --------------------------------------------------------------------------------


def test_rejects_a_toleration_outside_the_project_whitelist() -> None:
    project = objects.project(tolerations={"whitelist": [{"key": "gpu"}], "defaults": [{"key": "team", "value": "a"}]})
    shoot = objects.local_shoot()
    shoot["spec"]["tolerations"] = [
        {"key": "gpu", "value": "any"},
        {"key": "team", "value": "a"},
        {"key": "team", "value": "b"},
    ]

    error = _only(references.validate_tolerations_whitelist(shoot, project=project))

    assert error.field == "spec.tolerations[2]"
    assert error.message == "Forbidden: toleration team=b is not allowed by the project; allowed: gpu, team=a"


def test_keeps_tolerations_a_shoot_already_had_on_update() -> None:
    shoot = objects.local_shoot()
    shoot["spec"]["tolerations"] = [{"key": "legacy"}]

    assert references.validate_tolerations_whitelist(shoot, project=objects.project(), old=shoot) == []
    assert _only(references.validate_tolerations_whitelist(shoot, project=objects.project())).field == (
        "spec.tolerations[0]"
    )


# --- rule 35: DNS ----------------------------------------------------------------------------------------


def _with_domain(name: str, domain: str) -> dict[str, Any]:
    shoot = objects.local_shoot()
    shoot["metadata"]["name"] = name
    shoot["spec"]["dns"] = {"domain": domain}
    return shoot


def test_rejects_a_domain_another_shoot_uses() -> None:
    other = _with_domain("other", "local.example.com")

    error = _only(references.validate_dns_uniqueness(_with_domain("local", "local.example.com"), other_shoots=[other]))

    assert error.field == "spec.dns.domain"
    assert error.reason == fielderrors.DUPLICATE
    assert error.message == (
        'Duplicate value: "local.example.com": the domain is already used by shoot garden-local/other'
    )


def test_rejects_sub_and_super_domains_of_another_shoots_domain() -> None:
    other = _with_domain("other", "local.example.com")

    sub = references.validate_dns_uniqueness(_with_domain("a", "api.local.example.com"), other_shoots=[other])
    parent = references.validate_dns_uniqueness(_with_domain("b", "example.com"), other_shoots=[other])

    assert _only(sub).reason == fielderrors.FORBIDDEN
    assert _only(parent).field == "spec.dns.domain"
    assert "intersects with the domain 'local.example.com' of shoot garden-local/other" in _only(parent).message


def test_accepts_a_similar_but_distinct_domain_and_ignores_the_shoot_itself() -> None:
    me = _with_domain("local", "local.example.com")
    others = [me, _with_domain("other", "otherlocal.example.com")]

    assert references.validate_dns_uniqueness(me, other_shoots=others) == []
