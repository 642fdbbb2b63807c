"""The JSON Schemas of provider-aws's configs (``aws.provider.extensions.gardener.cloud/v1alpha1``), published by
the ``aws`` plugin for the garden's admission, the console's forms and ``kubectl explain``.

Field for field Gardener's ``InfrastructureConfig``, ``ControlPlaneConfig`` and ``WorkerConfig`` (strict, as
provider-aws decodes them): a Shoot written for Gardener's AWS provider validates as it is. What the schema cannot
say (CIDRs inside the VPC, no overlaps, exactly one of two fields, features hortus does not build) is checked by
``extensions.aws.validation`` with field paths.
"""

from __future__ import annotations

from extensions.contract import JSON
from extensions.networking import schemas as s

API_VERSION = "aws.provider.extensions.gardener.cloud/v1alpha1"

_CIDR = s.text("An IPv4 CIDR (canonical, e.g. 10.250.0.0/16).", pattern=s.CIDR_V4)
_TAG_KEY = {"type": "string", "minLength": 1, "maxLength": 128, "pattern": r"^[\w +\-=\.:/@]+$"}

_VPC = s.strict({
    "id": s.text("The ID of an existing VPC to create the shoot's subnets in.", pattern=r"^vpc-[a-z0-9]+$",
                 maxLength=255),
    "cidr": {**_CIDR, "description": "The CIDR of a VPC created for the shoot."},
    "gatewayEndpoints": {"type": "array", "description": "Services reached through VPC gateway endpoints (s3).",
                         "items": s.text(pattern=r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")},
    "ipv6IpamPool": s.strict({"id": s.text(), "cidrBlock": s.text()}),
}, description="Either the id of an existing VPC or the cidr of a new one.")

_ZONE = s.strict({
    "name": s.text("The availability zone.", pattern=r"^[a-z0-9-]+$", maxLength=255),
    "workers": {**_CIDR, "description": "The CIDR of the zone's subnet for the nodes (inside the nodes network)."},
    "public": {**_CIDR, "description": "The CIDR of the zone's subnet for public load balancers and the NAT."},
    "internal": {**_CIDR, "description": "The CIDR of the zone's subnet for internal load balancers."},
    "workersSubnetID": s.text("An existing subnet for the nodes.", pattern=r"^subnet-[a-z0-9]+$"),
    "publicSubnetID": s.text("An existing subnet for public load balancers.", pattern=r"^subnet-[a-z0-9]+$"),
    "internalSubnetID": s.text("An existing subnet for internal load balancers.", pattern=r"^subnet-[a-z0-9]+$"),
    "elasticIPAllocationID": s.text("The Elastic IP the zone's NAT gateway uses.", pattern=r"^eipalloc-[a-z0-9]+$"),
}, required=["name"])

INFRASTRUCTURE_CONFIG: JSON = s.kind(API_VERSION, "InfrastructureConfig", {
    "networks": s.strict({
        "vpc": _VPC,
        "zones": {"type": "array", "items": _ZONE, "description": "The networks of each availability zone."},
        "nodesSecurityGroupID": s.text("An existing security group for the nodes.", pattern=r"^sg-[a-z0-9]+$"),
    }, required=["vpc", "zones"]),
    "enableECRAccess": {"type": "boolean", "description": "Whether the nodes may pull from ECR (default true)."},
    "dualStack": s.switch("Whether the VPC and subnets get IPv6 as well.", required=False),
    "ignoreTags": s.strict({"keys": {"type": "array", "items": _TAG_KEY},
                            "keyPrefixes": {"type": "array", "items": _TAG_KEY}}),
    "enableDedicatedTenancyForVPC": {"type": "boolean", "description": "Whether the created VPC is dedicated."},
    "elasticFileSystem": s.strict({"enabled": {"type": "boolean"}, "id": s.text()}),
    "enableMTUCustomizer": {"type": "boolean"},
}, required=["networks"], description="Gardener's AWS infrastructure of a shoot (spec.provider.infrastructureConfig).")
INFRASTRUCTURE_CONFIG["examples"] = [{
    "apiVersion": API_VERSION, "kind": "InfrastructureConfig", "enableECRAccess": True,
    "networks": {"vpc": {"cidr": "10.250.0.0/16"}, "zones": [
        {"name": "eu-west-1a", "workers": "10.250.0.0/19", "public": "10.250.96.0/22",
         "internal": "10.250.112.0/22"}]}}]

CONTROL_PLANE_CONFIG: JSON = s.kind(API_VERSION, "ControlPlaneConfig", {
    "cloudControllerManager": s.strict({
        "featureGates": {"type": "object", "additionalProperties": {"type": "boolean"}},
        "useCustomRouteController": {"type": "boolean"},
    }),
    "loadBalancerController": s.strict({
        "enabled": {"type": "boolean"},
        "ingressClassName": s.text(pattern=r"^[a-z0-9.-]+$", maxLength=253),
    }, required=["enabled"]),
    "storage": s.strict({"managedDefaultClass": {"type": "boolean"}}),
}, description="Gardener's AWS control plane of a shoot (spec.provider.controlPlaneConfig).")
CONTROL_PLANE_CONFIG["examples"] = [{"apiVersion": API_VERSION, "kind": "ControlPlaneConfig",
                                     "cloudControllerManager": {"featureGates": {"RotateKubeletServerCertificate":
                                                                                 True}}}]

_POSITIVE = {"type": "integer", "minimum": 1}
_RESOURCES = {"type": "object", "additionalProperties": {"anyOf": [{"type": "string"}, {"type": "number"}]}}
WORKER_CONFIG: JSON = s.kind(API_VERSION, "WorkerConfig", {
    "volume": s.strict({"iops": _POSITIVE, "throughput": _POSITIVE}),
    "dataVolumes": {"type": "array", "items": s.strict({
        "name": s.text(), "iops": _POSITIVE, "throughput": _POSITIVE,
        "snapshotID": s.text(pattern=r"^snap-[a-z0-9]+$")}, required=["name"])},
    "iamInstanceProfile": s.strict({"name": s.text(pattern=r"^[\w+=,.@-]+$", maxLength=128),
                                    "arn": s.text(pattern=r"^arn:[\w +=,.@\-/:]+$", maxLength=255)}),
    "instanceMetadataOptions": s.strict({"httpTokens": s.one_of("required", "optional"),
                                         "httpPutResponseHopLimit": {"type": "integer", "minimum": 1,
                                                                     "maximum": 64}}),
    "nodeTemplate": s.strict({"capacity": _RESOURCES, "virtualCapacity": _RESOURCES}),
    "cpuOptions": s.strict({"coreCount": _POSITIVE, "threadsPerCore": {"type": "integer", "enum": [1, 2]},
                            "amdSevSnp": s.one_of("enabled", "disabled")}),
    "capacityReservation": s.strict({
        "capacityReservationPreference": s.one_of("capacity-reservations-only", "open", "none"),
        "capacityReservationId": s.text(pattern=r"^cr-[a-z0-9]+$"),
        "capacityReservationResourceGroupArn": s.text()}),
    "networkInterfaces": {"type": "array", "items": s.strict({
        "networkCardIndex": {"type": "integer", "minimum": 0},
        "networkCardIndexRange": s.strict({"from": {"type": "integer", "minimum": 0},
                                           "to": {"type": "integer", "minimum": 0}}),
        "deviceIndex": {"type": "integer", "minimum": 0},
        "type": s.one_of("interface", "efa", "efa-only"), "description": s.text(), "subnetID": s.text()})},
    "placement": s.strict({"groupId": s.text(), "tenancy": s.one_of("default", "dedicated", "host"),
                           "hostId": s.text(), "partitionNumber": _POSITIVE, "affinity": s.text()}),
    "instanceMarketOptions": s.strict({"marketType": s.one_of("spot", "capacity-block",
                                                              "interruptible-capacity-reservation")}),
}, description="Gardener's AWS settings of a worker pool (spec.provider.workers[].providerConfig).")
WORKER_CONFIG["examples"] = [{"apiVersion": API_VERSION, "kind": "WorkerConfig",
                              "instanceMetadataOptions": {"httpTokens": "required", "httpPutResponseHopLimit": 2}}]
