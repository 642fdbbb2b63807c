"""A real moto server for the aws extension's tests, with IAM authentication on, and what it holds for a shoot.

``MotoServer.start()`` runs ``tests.extensions.aws.moto_process`` as a child process, turns on moto's request
authentication (every call after the first three needs valid keys of an IAM user) and creates an administrator
whose keys the tests give the extension as its cloud-provider Secret. ``tagged`` lists every resource that still
carries a shoot's cluster tag, across all resource types the extension creates.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import json
import os
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3

REGION = "eu-west-1"
ROOT = Path(__file__).resolve().parents[3]
ALLOW_ALL = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
AMI = "ami-1e749f67"  # one of moto's default images (root device /dev/sda1)


@dataclasses.dataclass
class MotoServer:
    url: str
    process: subprocess.Popen[str]
    admin: dict[str, str]

    @classmethod
    @contextlib.contextmanager
    def start(cls) -> Iterator[MotoServer]:
        env = {**os.environ, "MOTO_ENABLE_AMI_VALIDATION": "true", "PYTHONPATH": str(ROOT)}
        process = subprocess.Popen([sys.executable, "-m", "tests.extensions.aws.moto_process"], cwd=ROOT, env=env,
                                   stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        try:
            assert process.stdout is not None
            port = process.stdout.readline().strip()
            if not port:
                raise RuntimeError(f"the moto server did not start (exit code {process.wait()})")
            url = f"http://127.0.0.1:{port}"
            server = cls(url=url, process=process, admin={})
            server.admin = server._administrator()
            server.client("ec2").describe_vpcs()  # moto loads its EC2 region (~10 s) on the first call
            yield server
        finally:
            process.kill()
            process.wait()
            if process.stdout is not None:
                process.stdout.close()

    def _administrator(self) -> dict[str, str]:
        """Authentication on after three calls: those create the administrator and its keys."""
        request = urllib.request.Request(f"{self.url}/moto-api/reset-auth", data=b"3", method="POST",
                                         headers={"Content-Type": "text/plain"})
        with urllib.request.urlopen(request, timeout=60) as answer:
            json.load(answer)
        iam = self.client("iam", {"accessKeyID": "AKIAIOSFODNN7EXAMPLE", "secretAccessKey": "x" * 40})
        iam.create_user(UserName="hortus-admin")
        key = iam.create_access_key(UserName="hortus-admin")["AccessKey"]
        iam.put_user_policy(UserName="hortus-admin", PolicyName="all", PolicyDocument=json.dumps(ALLOW_ALL))
        return self.credentials(key)

    def credentials(self, key: dict[str, Any]) -> dict[str, str]:
        """The cloud-provider Secret's data for an IAM access key, pointing at this server."""
        return {"accessKeyID": key["AccessKeyId"], "secretAccessKey": key["SecretAccessKey"], "endpoint": self.url}

    def user(self, name: str, policy: dict[str, Any] | None = None) -> dict[str, str]:
        """Keys of a new IAM user allowed what ``policy`` says (nothing when None)."""
        iam = self.client("iam")
        iam.create_user(UserName=name)
        if policy is not None:
            iam.put_user_policy(UserName=name, PolicyName="given", PolicyDocument=json.dumps(policy))
        return self.credentials(iam.create_access_key(UserName=name)["AccessKey"])

    def client(self, service: str, credentials: dict[str, str] | None = None) -> Any:
        keys = credentials or self.admin
        return _client(self.url, service, keys["accessKeyID"], keys["secretAccessKey"])

    def tagged(self, technical_id: str) -> dict[str, list[str]]:
        """Every live resource carrying ``kubernetes.io/cluster/<technicalID>``, by type (empty lists left out)."""
        ec2, iam = self.client("ec2"), self.client("iam")
        selector = [{"Name": "tag-key", "Values": [f"kubernetes.io/cluster/{technical_id}"]}]
        found = {
            "vpcs": [v["VpcId"] for v in ec2.describe_vpcs(Filters=selector)["Vpcs"]],
            "subnets": [s["SubnetId"] for s in ec2.describe_subnets(Filters=selector)["Subnets"]],
            "internet gateways": [g["InternetGatewayId"] for g in
                                  ec2.describe_internet_gateways(Filters=selector)["InternetGateways"]],
            "route tables": [t["RouteTableId"] for t in ec2.describe_route_tables(Filters=selector)["RouteTables"]],
            "security groups": [g["GroupId"] for g in
                                ec2.describe_security_groups(Filters=selector)["SecurityGroups"]],
            "elastic ips": [a["AllocationId"] for a in ec2.describe_addresses(Filters=selector)["Addresses"]],
            "nat gateways": [n["NatGatewayId"] for n in ec2.describe_nat_gateways()["NatGateways"]
                             if _carries(n, technical_id) and n["State"] not in ("deleted", "deleting")],
            "key pairs": [k["KeyName"] for k in ec2.describe_key_pairs(Filters=selector)["KeyPairs"]],
            "dhcp options": [d["DhcpOptionsId"] for d in ec2.describe_dhcp_options(Filters=selector)["DhcpOptions"]],
            "instances": [i["InstanceId"] for r in ec2.describe_instances(Filters=selector)["Reservations"]
                          for i in r["Instances"] if i["State"]["Name"] != "terminated"],
            "volumes": [v["VolumeId"] for v in ec2.describe_volumes(Filters=selector)["Volumes"]],
            "network interfaces": [n["NetworkInterfaceId"] for n in
                                   ec2.describe_network_interfaces(Filters=selector)["NetworkInterfaces"]],
            "iam roles": [r["RoleName"] for r in iam.list_roles()["Roles"] if r["RoleName"].startswith(technical_id)],
            "instance profiles": [p["InstanceProfileName"] for p in iam.list_instance_profiles()["InstanceProfiles"]
                                  if p["InstanceProfileName"].startswith(technical_id)],
        }
        tagging = self.client("resourcegroupstaggingapi")
        found["tagging api"] = [r["ResourceARN"] for r in tagging.get_resources(
            TagFilters=[{"Key": f"kubernetes.io/cluster/{technical_id}"}])["ResourceTagMappingList"]
            if not _dead_arn(ec2, r["ResourceARN"])]
        return {k: v for k, v in found.items() if v}


@functools.cache
def _client(url: str, service: str, access_key: str, secret_key: str) -> Any:
    """Clients kept for the session: building one takes about a second."""
    return boto3.session.Session(aws_access_key_id=access_key, aws_secret_access_key=secret_key,
                                 region_name=REGION).client(service, endpoint_url=url)


def _carries(resource: dict[str, Any], technical_id: str) -> bool:
    return any(t["Key"] == f"kubernetes.io/cluster/{technical_id}" for t in resource.get("Tags") or [])


def _dead_arn(ec2: Any, arn: str) -> bool:
    """Terminated instances and deleted NAT gateways stay listed for a while on AWS and moto alike."""
    resource = arn.rsplit("/", 1)[-1]
    if resource.startswith("i-"):
        found = ec2.describe_instances(InstanceIds=[resource])["Reservations"]
        return all(i["State"]["Name"] == "terminated" for r in found for i in r["Instances"])
    if resource.startswith("nat-"):
        return all(n["State"] in ("deleted", "deleting") for n in
                   ec2.describe_nat_gateways(NatGatewayIds=[resource])["NatGateways"])
    return False
