"""Infrastructure/aws against a moto server: the network, IAM identity and key a shoot gets, idempotently, and
nothing tagged for the shoot left after delete."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pytest

from extensions.contract import Kind, Operation
from hortus.kit.harness import LocalSeedCluster
from shoot import errors
from shoot.errors import ErrorCode
from tests.extensions.aws.conftest import Shoot
from tests.extensions.aws.moto import REGION

JSON = dict[str, Any]


def _by_id(items: list[JSON], key: str) -> dict[str, JSON]:
    return {i[key]: i for i in items}


def test_reconcile_builds_the_network_iam_and_key_a_shoot_needs(aws_shoot: Shoot) -> None:
    done = aws_shoot.converge(Kind.INFRASTRUCTURE, aws_shoot.infrastructure_spec())
    ns = aws_shoot.technical_id
    assert done.status["lastOperation"]["state"] == "Succeeded"
    status = done.status["providerStatus"]
    assert status["apiVersion"] == "aws.provider.extensions.gardener.cloud/v1alpha1"
    assert status["kind"] == "InfrastructureStatus"
    ec2, iam = aws_shoot.moto.client("ec2"), aws_shoot.moto.client("iam")

    vpc_id = status["vpc"]["id"]
    (vpc,) = ec2.describe_vpcs(VpcIds=[vpc_id])["Vpcs"]
    assert vpc["CidrBlock"] == "10.250.0.0/16"
    assert ec2.describe_vpc_attribute(VpcId=vpc_id, Attribute="enableDnsHostnames")["EnableDnsHostnames"]["Value"]
    assert {"Key": f"kubernetes.io/cluster/{ns}", "Value": "owned"} in vpc["Tags"]

    subnets = _by_id(ec2.describe_subnets(SubnetIds=[s["id"] for s in status["vpc"]["subnets"]])["Subnets"],
                     "SubnetId")
    got = {(s["purpose"], s["zone"], subnets[s["id"]]["CidrBlock"]) for s in status["vpc"]["subnets"]}
    assert got == {("nodes", f"{REGION}a", "10.250.0.0/19"), ("public", f"{REGION}a", "10.250.96.0/22"),
                   ("internal", f"{REGION}a", "10.250.112.0/22"), ("nodes", f"{REGION}b", "10.250.32.0/19"),
                   ("public", f"{REGION}b", "10.250.100.0/22"), ("internal", f"{REGION}b", "10.250.116.0/22")}
    assert all(subnets[s["id"]]["AvailabilityZone"] == s["zone"] for s in status["vpc"]["subnets"])
    names = {s["purpose"] + s["zone"][-1]: {t["Key"]: t["Value"] for t in subnets[s["id"]]["Tags"]}
             for s in status["vpc"]["subnets"]}
    assert names["nodesa"]["Name"] == f"{ns}-nodes-z0" and names["nodesb"]["Name"] == f"{ns}-nodes-z1"
    assert names["publica"]["kubernetes.io/role/elb"] == "1"
    assert names["internalb"]["kubernetes.io/role/internal-elb"] == "1"

    (gateway,) = ec2.describe_internet_gateways(Filters=[{"Name": "attachment.vpc-id", "Values": [vpc_id]}])[
        "InternetGateways"]
    nats = [n for n in ec2.describe_nat_gateways(Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])["NatGateways"]
            if n["State"] == "available"]
    public = {s["zone"]: s["id"] for s in status["vpc"]["subnets"] if s["purpose"] == "public"}
    assert sorted(n["SubnetId"] for n in nats) == sorted(public.values())
    assert sorted(done.status["egressCIDRs"]) == sorted(f"{n['NatGatewayAddresses'][0]['PublicIp']}/32"
                                                        for n in nats)

    tables = ec2.describe_route_tables(Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])["RouteTables"]
    routed = {a["SubnetId"]: t for t in tables for a in t.get("Associations") or [] if a.get("SubnetId")}
    for s in status["vpc"]["subnets"]:
        default = next(r for r in routed[s["id"]]["Routes"] if r.get("DestinationCidrBlock") == "0.0.0.0/0")
        if s["purpose"] == "public":
            assert default["GatewayId"] == gateway["InternetGatewayId"]
        else:
            nat = next(n for n in nats if n["SubnetId"] == public[s["zone"]])
            assert default["NatGatewayId"] == nat["NatGatewayId"]

    (group,) = ec2.describe_security_groups(GroupIds=[status["vpc"]["securityGroups"][0]["id"]])["SecurityGroups"]
    assert group["GroupName"] == f"{ns}-nodes" and group["VpcId"] == vpc_id
    ingress = group["IpPermissions"]
    assert any(p["IpProtocol"] == "-1" and p["UserIdGroupPairs"][0]["GroupId"] == group["GroupId"] for p in ingress)
    node_ports = {(p["IpProtocol"], r["CidrIp"]) for p in ingress if p.get("FromPort") == 30000
                  for r in p.get("IpRanges") or []}
    assert {("tcp", "0.0.0.0/0"), ("udp", "0.0.0.0/0"), ("tcp", "10.250.112.0/22"),
            ("udp", "10.250.100.0/22")} <= node_ports

    (profile_status,) = status["iam"]["instanceProfiles"]
    profile = iam.get_instance_profile(InstanceProfileName=profile_status["name"])["InstanceProfile"]
    assert profile_status["name"] == f"{ns}-nodes"
    assert [r["Arn"] for r in profile["Roles"]] == [status["iam"]["roles"][0]["arn"]]
    assert status["ec2"]["keyName"] == f"{ns}-ssh-publickey"
    assert ec2.describe_key_pairs(KeyNames=[status["ec2"]["keyName"]])["KeyPairs"]
    assert done.status["state"]["kind"] == "InfrastructureState"
    assert done.status["state"]["data"]["VPC"] == vpc_id


def test_reconciling_again_creates_nothing_and_delete_leaves_nothing_tagged(aws_shoot: Shoot) -> None:
    first = aws_shoot.converge(Kind.INFRASTRUCTURE, aws_shoot.infrastructure_spec())
    before = aws_shoot.moto.tagged(aws_shoot.technical_id)
    assert set(before) >= {"vpcs", "subnets", "internet gateways", "route tables", "security groups",
                           "elastic ips", "nat gateways", "key pairs", "dhcp options", "iam roles",
                           "instance profiles"}
    again = aws_shoot.run(Kind.INFRASTRUCTURE, aws_shoot.infrastructure_spec())
    assert again.status["lastOperation"]["type"] == "Reconcile"
    assert aws_shoot.moto.tagged(aws_shoot.technical_id) == before
    assert again.status["providerStatus"] == first.status["providerStatus"]
    assert again.status["state"] == first.status["state"]

    gone = aws_shoot.converge(Kind.INFRASTRUCTURE, aws_shoot.infrastructure_spec(), operation=Operation.DELETE)
    assert gone.status["lastOperation"]["state"] == "Succeeded"
    assert aws_shoot.moto.tagged(aws_shoot.technical_id) == {}
    # Deleting what is gone is fine.
    aws_shoot.converge(Kind.INFRASTRUCTURE, aws_shoot.infrastructure_spec(), operation=Operation.DELETE)


def test_an_existing_vpc_gets_the_shoots_subnets_and_is_left_standing(aws_shoot: Shoot) -> None:
    ec2 = aws_shoot.moto.client("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.250.0.0/16")["Vpc"]["VpcId"]
    for attribute in ("EnableDnsSupport", "EnableDnsHostnames"):
        ec2.modify_vpc_attribute(VpcId=vpc, **{attribute: {"Value": True}})
    gateway = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=gateway, VpcId=vpc)
    aws_shoot.infrastructure_config["networks"]["vpc"] = {"id": vpc}
    aws_shoot.infrastructure_config["networks"]["zones"] = aws_shoot.infrastructure_config["networks"]["zones"][:1]

    done = aws_shoot.converge(Kind.INFRASTRUCTURE, aws_shoot.infrastructure_spec())
    status = done.status["providerStatus"]
    assert status["vpc"]["id"] == vpc
    assert {s["purpose"] for s in status["vpc"]["subnets"]} == {"nodes", "public", "internal"}
    created = aws_shoot.moto.tagged(aws_shoot.technical_id)
    assert "vpcs" not in created and "internet gateways" not in created and "dhcp options" not in created
    public = next(s["id"] for s in status["vpc"]["subnets"] if s["purpose"] == "public")
    (table,) = ec2.describe_route_tables(Filters=[{"Name": "association.subnet-id", "Values": [public]}])[
        "RouteTables"]
    assert {"DestinationCidrBlock": "0.0.0.0/0", "GatewayId": gateway} in [
        {k: r[k] for k in ("DestinationCidrBlock", "GatewayId") if k in r} for r in table["Routes"]]

    aws_shoot.converge(Kind.INFRASTRUCTURE, aws_shoot.infrastructure_spec(), operation=Operation.DELETE)
    assert aws_shoot.moto.tagged(aws_shoot.technical_id) == {}
    assert ec2.describe_vpcs(VpcIds=[vpc])["Vpcs"][0]["State"] == "available"
    assert ec2.describe_internet_gateways(InternetGatewayIds=[gateway])["InternetGateways"][0]["Attachments"]


def test_an_existing_vpc_without_an_internet_gateway_is_a_configuration_problem(aws_shoot: Shoot) -> None:
    ec2 = aws_shoot.moto.client("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.250.0.0/16")["Vpc"]["VpcId"]
    for attribute in ("EnableDnsSupport", "EnableDnsHostnames"):
        ec2.modify_vpc_attribute(VpcId=vpc, **{attribute: {"Value": True}})
    aws_shoot.infrastructure_config["networks"]["vpc"] = {"id": vpc}
    with pytest.raises(errors.PermanentError, match="no attached internet gateway found") as raised:
        aws_shoot.run(Kind.INFRASTRUCTURE, aws_shoot.infrastructure_spec())
    assert raised.value.codes == (ErrorCode.CONFIGURATION_PROBLEM,)


def test_migrate_keeps_the_cloud_resources_and_restore_on_another_seed_adopts_them(aws_shoot: Shoot,
                                                                                   tmp_path: Path) -> None:
    done = aws_shoot.converge(Kind.INFRASTRUCTURE, aws_shoot.infrastructure_spec())
    before = aws_shoot.moto.tagged(aws_shoot.technical_id)
    migrated = aws_shoot.run(Kind.INFRASTRUCTURE, aws_shoot.infrastructure_spec(), operation=Operation.MIGRATE)
    assert migrated.status["state"] == done.status["state"]
    assert aws_shoot.moto.tagged(aws_shoot.technical_id) == before

    with LocalSeedCluster.start(tmp_path / "destination") as destination:
        destination.ensure_namespace(aws_shoot.technical_id)
        moved = dataclasses.replace(aws_shoot, cluster=destination)
        spec = aws_shoot.infrastructure_spec()
        restored = moved.converge(Kind.INFRASTRUCTURE, spec, operation=Operation.RESTORE,
                                  state=migrated.status["state"])
        assert restored.status["lastOperation"] == {**restored.status["lastOperation"], "type": "Restore",
                                                    "state": "Succeeded"}
        assert restored.status["providerStatus"] == done.status["providerStatus"]
        assert aws_shoot.moto.tagged(aws_shoot.technical_id) == before
        moved.converge(Kind.INFRASTRUCTURE, spec, operation=Operation.DELETE)
    assert aws_shoot.moto.tagged(aws_shoot.technical_id) == {}


def test_a_zone_taken_out_of_the_config_loses_its_subnets_nat_and_route_table(aws_shoot: Shoot) -> None:
    both = aws_shoot.converge(Kind.INFRASTRUCTURE, aws_shoot.infrastructure_spec())
    kept = {(s["purpose"], s["id"]) for s in both.status["providerStatus"]["vpc"]["subnets"]
            if s["zone"] == f"{REGION}a"}
    aws_shoot.infrastructure_config["networks"]["zones"] = aws_shoot.infrastructure_config["networks"]["zones"][:1]
    one = aws_shoot.converge(Kind.INFRASTRUCTURE, aws_shoot.infrastructure_spec())
    assert {(s["purpose"], s["id"]) for s in one.status["providerStatus"]["vpc"]["subnets"]} == kept
    left = aws_shoot.moto.tagged(aws_shoot.technical_id)
    assert len(left["subnets"]) == 3 and len(left["nat gateways"]) == 1 and len(left["elastic ips"]) == 1
    assert len(left["route tables"]) == 2  # the main one and zone a's
    assert not [k for k in one.status["state"]["data"] if k.startswith(f"Zones/{REGION}b/")]
    (group,) = aws_shoot.moto.client("ec2").describe_security_groups(
        GroupIds=[one.status["providerStatus"]["vpc"]["securityGroups"][0]["id"]])["SecurityGroups"]
    sources = {r["CidrIp"] for p in group["IpPermissions"] for r in p.get("IpRanges") or []}
    assert "10.250.116.0/22" not in sources and "10.250.112.0/22" in sources
    aws_shoot.converge(Kind.INFRASTRUCTURE, aws_shoot.infrastructure_spec(), operation=Operation.DELETE)
    assert aws_shoot.moto.tagged(aws_shoot.technical_id) == {}
