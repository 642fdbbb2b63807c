"""EC2 instances as machines, the way machine-controller-manager-provider-aws launches them: one ``RunInstances``
per machine in the zone's nodes subnet with the nodes security group and instance profile, the pool's image, volume
and WorkerConfig, the user data with its placeholders filled in, and the machine's tags.

Used by ``extensions.aws.worker``. ``alive`` lists a shoot's instances that are not terminated; ``launch``
starts one machine; ``terminate`` ends them. Images are looked up once per process (DescribeImages is slow on moto).
"""

from __future__ import annotations

import dataclasses
import math
import re
from collections.abc import Iterable, Mapping
from typing import Any

from extensions.aws import tags
from extensions.aws.errors import gone, translate
from shoot import errors
from shoot.errors import ErrorCode

JSON = dict[str, Any]
DEPLOYMENT_TAG = "machine.hortus.dev/deployment"
CLASS_TAG = "machine.hortus.dev/class"
ROLE_TAG = "kubernetes.io/role/node"
ALIVE = ("pending", "running", "stopping", "stopped", "shutting-down")
DATA_DEVICES = [f"/dev/sd{c}" for c in "fghijklmnop"]
_QUANTITY = re.compile(r"^([0-9.]+)([KMGTPE]i?)?$")
_BINARY = {"Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40, "Pi": 2**50, "Ei": 2**60}
_DECIMAL = {"K": 10**3, "M": 10**6, "G": 10**9, "T": 10**12, "P": 10**15, "E": 10**18}
_ROOT_DEVICES: dict[tuple[str, str, str], str] = {}


@dataclasses.dataclass(frozen=True)
class Network:
    """Where a machine of one zone runs: from the Infrastructure's ``InfrastructureStatus``."""

    subnet: str
    security_group: str
    instance_profile: str
    key_name: str


def alive(ec2: Any, technical_id: str) -> list[JSON]:
    with translate("listing the shoot's instances"):
        pages = ec2.get_paginator("describe_instances").paginate(Filters=[
            *tags.filters(technical_id), {"Name": "instance-state-name", "Values": list(ALIVE)}])
        return [i for page in pages for r in page.get("Reservations") or [] for i in r.get("Instances") or []]


def launch(ec2: Any, *, technical_id: str, machine: str, deployment: str, class_hash: str, ami: str, pool: JSON,
           where: Network, user_data: str) -> JSON:
    config = pool.get("providerConfig") or {}
    labels = {str(k): str(v) for k, v in (pool.get("labels") or {}).items()}
    marks = {**labels, ROLE_TAG: "1", DEPLOYMENT_TAG: deployment, CLASS_TAG: class_hash}
    request: JSON = {
        "ImageId": ami, "InstanceType": str(pool.get("machineType", "")), "MinCount": 1, "MaxCount": 1,
        "UserData": user_data,
        "NetworkInterfaces": [{"DeviceIndex": 0, "SubnetId": where.subnet, "Groups": [where.security_group],
                               "AssociatePublicIpAddress": False, "DeleteOnTermination": True}],
        "BlockDeviceMappings": block_devices(ec2, ami, pool, config),
        "MetadataOptions": _metadata_options(config),
        "IamInstanceProfile": _profile(config, where),
        "TagSpecifications": [spec for kind in ("instance", "volume", "network-interface")
                              for spec in tags.specification(kind, technical_id, machine, marks, value="1")],
    }
    if where.key_name:
        request["KeyName"] = where.key_name
    request.update(_options(config))
    with translate(f"launching the instance of machine {machine}"):
        found: JSON = ec2.run_instances(**request)["Instances"][0]
    return found


def terminate(ec2: Any, instance_ids: Iterable[str]) -> None:
    ids = sorted(set(instance_ids))
    if not ids:
        return
    with translate("terminating instances", deleting=True):
        try:
            ec2.terminate_instances(InstanceIds=ids)
        except Exception as exc:
            if not gone(exc):
                raise


def name_of(instance: JSON) -> str:
    return tags.of(instance).get("Name") or str(instance.get("InstanceId", ""))


def provider_id(region: str, instance: JSON) -> str:
    return f"aws:///{region}/{instance['InstanceId']}"


# --- the request ---------------------------------------------------------------------------------------------


def block_devices(ec2: Any, ami: str, pool: JSON, config: JSON) -> list[JSON]:
    """The root volume (on the image's root device) and the data volumes on ``/dev/sdf``...``/dev/sdp``."""
    volume = pool.get("volume") or {}
    root = root_device(ec2, ami)
    by_name = {d.get("name"): d for d in config.get("dataVolumes") or []}
    data = []
    for device, spec in zip(DATA_DEVICES, sorted(pool.get("dataVolumes") or [], key=lambda d: str(d.get("name"))),
                            strict=False):
        extra = by_name.get(spec.get("name")) or {}
        ebs = _ebs(spec, extra)
        if extra.get("snapshotID"):
            ebs["SnapshotId"] = extra["snapshotID"]
        data.append({"DeviceName": device, "Ebs": ebs})
    if not volume and not data:
        return []  # the image's own block devices
    return [{"DeviceName": root, "Ebs": _ebs(volume, config.get("volume") or {})}, *data]


def _ebs(volume: JSON, extra: JSON) -> JSON:
    out: JSON = {"DeleteOnTermination": True, "Encrypted": volume.get("encrypted", True) is not False}
    if volume.get("size"):
        out["VolumeSize"] = gibibytes(str(volume["size"]))
    if volume.get("type"):
        out["VolumeType"] = str(volume["type"])
    if extra.get("iops"):
        out["Iops"] = int(extra["iops"])
    if extra.get("throughput"):
        out["Throughput"] = int(extra["throughput"])
    return out


def gibibytes(quantity: str) -> int:
    """A Kubernetes quantity (``20Gi``, ``50G``) in whole GiB, rounded up."""
    match = _QUANTITY.match(quantity.strip())
    if not match:
        raise errors.PermanentError(f"volume size {quantity!r} is not a quantity",
                                    codes=[ErrorCode.CONFIGURATION_PROBLEM])
    number, unit = float(match.group(1)), match.group(2) or ""
    scale = _BINARY.get(unit) or _DECIMAL.get(unit) or 1
    return max(1, math.ceil(number * scale / 2**30))


def root_device(ec2: Any, ami: str) -> str:
    """The image's root device (DescribeImages, as the driver calls it, once per process and image): a missing
    image is a configuration problem."""
    key = (str(ec2.meta.endpoint_url), str(ec2.meta.region_name), ami)
    if key not in _ROOT_DEVICES:
        with translate(f"reading the image {ami}"):
            images = ec2.describe_images(ImageIds=[ami])["Images"]
        if not images:
            raise errors.PermanentError(f"image {ami} not found in {key[1]}", codes=[ErrorCode.CONFIGURATION_PROBLEM])
        _ROOT_DEVICES[key] = str(images[0].get("RootDeviceName") or "/dev/xvda")
    return _ROOT_DEVICES[key]


def _metadata_options(config: JSON) -> JSON:
    given = config.get("instanceMetadataOptions")
    if not given:
        return {"HttpTokens": "required", "HttpPutResponseHopLimit": 2}
    out: JSON = {}
    if given.get("httpTokens"):
        out["HttpTokens"] = given["httpTokens"]
    if given.get("httpPutResponseHopLimit"):
        out["HttpPutResponseHopLimit"] = int(given["httpPutResponseHopLimit"])
    return out


def _profile(config: JSON, where: Network) -> JSON:
    given = config.get("iamInstanceProfile") or {}
    if given.get("arn"):
        return {"Arn": given["arn"]}
    return {"Name": given.get("name") or where.instance_profile}


def _options(config: JSON) -> JSON:
    out: JSON = {}
    cpu = config.get("cpuOptions") or {}
    if cpu:
        out["CpuOptions"] = _pascal(cpu, {"coreCount": "CoreCount", "threadsPerCore": "ThreadsPerCore",
                                          "amdSevSnp": "AmdSevSnp"})
    reservation = config.get("capacityReservation") or {}
    if reservation:
        spec: JSON = {}
        if reservation.get("capacityReservationPreference"):
            spec["CapacityReservationPreference"] = reservation["capacityReservationPreference"]
        target = _pascal(reservation, {"capacityReservationId": "CapacityReservationId",
                                       "capacityReservationResourceGroupArn": "CapacityReservationResourceGroupArn"})
        if target:
            spec["CapacityReservationTarget"] = target
        out["CapacityReservationSpecification"] = spec
    placement = config.get("placement") or {}
    if placement:
        out["Placement"] = _pascal(placement, {"groupId": "GroupId", "tenancy": "Tenancy", "hostId": "HostId",
                                               "partitionNumber": "PartitionNumber", "affinity": "Affinity"})
    market = config.get("instanceMarketOptions") or {}
    if market.get("marketType"):
        out["InstanceMarketOptions"] = {"MarketType": market["marketType"]}
    return out


def _pascal(values: Mapping[str, Any], names: Mapping[str, str]) -> JSON:
    return {names[k]: v for k, v in values.items() if k in names and v not in (None, "")}
