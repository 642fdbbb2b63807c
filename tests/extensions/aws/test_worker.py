"""Worker/aws against a moto server: EC2 instances per pool and zone in the shoot's network, running the
OperatingSystemConfig's user data with their own name and bootstrap token; scaled, rolled, terminated."""

from __future__ import annotations

import base64
import copy
import dataclasses
from pathlib import Path
from typing import Any

import pytest

from extensions.contract import Kind, Operation
from extensions.sdk import bootstrap
from hortus.kit.harness import LocalSeedCluster
from shoot import errors
from shoot.errors import ErrorCode
from tests.extensions.aws.conftest import Shoot
from tests.extensions.aws.moto import AMI, REGION

JSON = dict[str, Any]
USER_DATA = """#cloud-config
write_files:
- path: /var/lib/gardener-node-agent/machine-name
  content: <<MACHINE_NAME>>
- path: /var/lib/gardener-node-agent/credentials/bootstrap-token
  content: <<BOOTSTRAP_TOKEN>>
"""


@pytest.fixture
def infrastructure(aws_shoot: Shoot) -> JSON:
    aws_shoot.cluster.serve_shoot_api(aws_shoot.technical_id)
    aws_shoot.cluster.kube.apply({
        "apiVersion": "v1", "kind": "Secret",
        "metadata": {"name": "osc-result-w1", "namespace": aws_shoot.technical_id},
        "data": {"cloud_config": base64.b64encode(USER_DATA.encode()).decode()}})
    done = aws_shoot.converge(Kind.INFRASTRUCTURE, aws_shoot.infrastructure_spec())
    status: JSON = done.status["providerStatus"]
    return status


def worker_spec(infra: JSON, **pool: Any) -> JSON:
    base: JSON = {"name": "w1", "machineType": "m5.large", "machineImage": {"name": "ubuntu", "version": "24.4.0"},
                  "minimum": 3, "maximum": 4, "maxSurge": 1, "maxUnavailable": 0,
                  "zones": [f"{REGION}a", f"{REGION}b"], "labels": {"team": "a"},
                  "volume": {"type": "gp3", "size": "20Gi"},
                  "userDataSecretRef": {"name": "osc-result-w1", "key": "cloud_config"}}
    base.update(pool)
    return {"type": "aws", "region": REGION, "infrastructureProviderStatus": infra, "pools": [base],
            "secretRef": {"name": "cloudprovider", "namespace": "x"}}


def instances(shoot: Shoot) -> list[JSON]:
    ec2 = shoot.moto.client("ec2")
    found = ec2.describe_instances(Filters=[
        {"Name": f"tag:kubernetes.io/cluster/{shoot.technical_id}", "Values": ["1"]},
        {"Name": "instance-state-name", "Values": ["pending", "running", "shutting-down", "stopping", "stopped"]}])
    return [i for r in found["Reservations"] for i in r["Instances"]]


def _tags(instance: JSON) -> dict[str, str]:
    return {t["Key"]: t["Value"] for t in instance.get("Tags") or []}


def test_machines_are_instances_in_the_shoots_network_with_their_user_data(aws_shoot: Shoot,
                                                                           infrastructure: JSON) -> None:
    done = aws_shoot.converge(Kind.WORKER, worker_spec(infrastructure))
    ns = aws_shoot.technical_id
    assert done.status["lastOperation"]["state"] == "Succeeded"
    assert done.status["machineDeployments"] == [{"name": f"{ns}-w1-z1", "minimum": 2, "maximum": 2},
                                                 {"name": f"{ns}-w1-z2", "minimum": 1, "maximum": 2}]
    assert done.status["providerStatus"]["machineImages"] == [
        {"name": "ubuntu", "version": "24.4.0", "ami": AMI, "architecture": "amd64"}]

    found = instances(aws_shoot)
    assert len(found) == 3 and {i["State"]["Name"] for i in found} == {"running"}
    nodes = {s["zone"]: s["id"] for s in infrastructure["vpc"]["subnets"] if s["purpose"] == "nodes"}
    assert sorted(i["SubnetId"] for i in found) == sorted([nodes[f"{REGION}a"]] * 2 + [nodes[f"{REGION}b"]])
    ec2 = aws_shoot.moto.client("ec2")
    shoot_api = aws_shoot.cluster.shoot_api(ns)
    for instance in found:
        tags = _tags(instance)
        machine = tags["Name"]
        assert machine.startswith(f"{ns}-w1-z")
        assert tags["kubernetes.io/role/node"] == "1" and tags["team"] == "a"
        assert instance["ImageId"] == AMI and instance["InstanceType"] == "m5.large"
        (interface,) = instance["NetworkInterfaces"]
        assert [g["GroupId"] for g in interface["Groups"]] == [infrastructure["vpc"]["securityGroups"][0]["id"]]
        assert interface["SubnetId"] == instance["SubnetId"] and not interface.get("Association")
        assert instance["IamInstanceProfile"]["Arn"].endswith(f"/{ns}-nodes")
        assert instance["KeyName"] == infrastructure["ec2"]["keyName"]
        assert instance["MetadataOptions"]["HttpTokens"] == "required"
        (root,) = instance["BlockDeviceMappings"]
        volume = ec2.describe_volumes(VolumeIds=[root["Ebs"]["VolumeId"]])["Volumes"][0]
        assert (root["DeviceName"], volume["Size"], volume["VolumeType"], volume["Encrypted"]) == (
            "/dev/sda1", 20, "gp3", True)
        data = base64.b64decode(ec2.describe_instance_attribute(
            InstanceId=instance["InstanceId"], Attribute="userData")["UserData"]["Value"]).decode()
        assert f"content: {machine}\n" in data and "<<" not in data
        token = shoot_api.get("v1", "Secret", bootstrap.secret_name(machine), namespace="kube-system")
        assert token is not None and token["type"] == "bootstrap.kubernetes.io/token"
        assert f"content: {bootstrap.token_of(token)}\n" in data

    again = aws_shoot.run(Kind.WORKER, worker_spec(infrastructure))
    assert again.status["lastOperation"]["type"] == "Reconcile"
    assert sorted(i["InstanceId"] for i in instances(aws_shoot)) == sorted(i["InstanceId"] for i in found)


def test_pools_scale_roll_and_go(aws_shoot: Shoot, infrastructure: JSON) -> None:
    spec = worker_spec(infrastructure, minimum=1, maximum=4, zones=[f"{REGION}a"])
    aws_shoot.converge(Kind.WORKER, spec)
    (first,) = instances(aws_shoot)

    aws_shoot.converge(Kind.WORKER, worker_spec(infrastructure, minimum=2, maximum=4, zones=[f"{REGION}a"]))
    scaled = instances(aws_shoot)
    assert len(scaled) == 2 and first["InstanceId"] in {i["InstanceId"] for i in scaled}

    rolled_spec = worker_spec(infrastructure, minimum=2, maximum=4, zones=[f"{REGION}a"], machineType="m5.xlarge")
    aws_shoot.converge(Kind.WORKER, rolled_spec)
    rolled = instances(aws_shoot)
    assert len(rolled) == 2 and {i["InstanceType"] for i in rolled} == {"m5.xlarge"}
    assert not {i["InstanceId"] for i in scaled} & {i["InstanceId"] for i in rolled}
    shoot_api = aws_shoot.cluster.shoot_api(aws_shoot.technical_id)
    tokens = {t["metadata"]["name"] for t in shoot_api.list("v1", "Secret", namespace="kube-system")
              if t.get("type") == "bootstrap.kubernetes.io/token"}
    assert tokens == {bootstrap.secret_name(_tags(i)["Name"]) for i in rolled}

    aws_shoot.converge(Kind.WORKER, rolled_spec, operation=Operation.DELETE)
    assert instances(aws_shoot) == []
    aws_shoot.converge(Kind.INFRASTRUCTURE, aws_shoot.infrastructure_spec(), operation=Operation.DELETE)
    assert aws_shoot.moto.tagged(aws_shoot.technical_id) == {}


def test_an_image_without_an_ami_for_the_region_is_a_configuration_problem(aws_shoot: Shoot,
                                                                             infrastructure: JSON) -> None:
    spec = worker_spec(copy.deepcopy(infrastructure), machineImage={"name": "ubuntu", "version": "1.0.0"})
    with pytest.raises(errors.PermanentError, match="has no AMI for region eu-west-1") as raised:
        aws_shoot.run(Kind.WORKER, spec)
    assert raised.value.codes == (ErrorCode.CONFIGURATION_PROBLEM,)
    assert instances(aws_shoot) == []


def test_migrate_leaves_the_machines_running_and_restore_on_another_seed_adopts_them(aws_shoot: Shoot,
                                                                                     infrastructure: JSON,
                                                                                     tmp_path: Path) -> None:
    spec = worker_spec(infrastructure, minimum=2, maximum=3, zones=[f"{REGION}a"])
    done = aws_shoot.converge(Kind.WORKER, spec)
    running = sorted(i["InstanceId"] for i in instances(aws_shoot))
    migrated = aws_shoot.run(Kind.WORKER, spec, operation=Operation.MIGRATE)
    assert migrated.status["state"] == done.status["state"] == {"replicas": {f"{aws_shoot.technical_id}-w1-z1": 2}}
    assert sorted(i["InstanceId"] for i in instances(aws_shoot)) == running

    with LocalSeedCluster.start(tmp_path / "destination") as destination:
        destination.ensure_namespace(aws_shoot.technical_id)
        moved = dataclasses.replace(aws_shoot, cluster=destination)
        restored = moved.converge(Kind.WORKER, spec, operation=Operation.RESTORE, state=migrated.status["state"])
        assert restored.status["lastOperation"]["type"] == "Restore"
        assert sorted(i["InstanceId"] for i in instances(aws_shoot)) == running
        moved.converge(Kind.WORKER, spec, operation=Operation.DELETE)
    assert instances(aws_shoot) == []
