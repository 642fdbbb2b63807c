"""The shoot's network on EC2, as provider-aws's infrastructure flow builds it: DHCP options, VPC, internet
gateway, the main route table, per zone the workers/public/internal subnets, an Elastic IP and NAT gateway and the
zone's private route table, and the nodes security group.

Called by ``extensions.aws.infrastructure``. Each ``ensure_*`` finds its resource by the shoot's tags (adopting
what an earlier run created) before creating it, records its id in the flat ``state`` map (provider-aws's
``InfrastructureState`` keys) and returns it; ``delete_all`` removes everything tagged for the shoot in dependency
order. Calls run inside ``errors.translate``, so AWS's refusals become the retry vocabulary.
"""

from __future__ import annotations

import dataclasses
import re
from typing import Any

from extensions.aws import tags
from extensions.aws.errors import gone, translate
from shoot import errors
from shoot.errors import ErrorCode

JSON = dict[str, Any]
ANYWHERE = "0.0.0.0/0"
NODE_PORTS = (30000, 32767)
SUBNETS = {"workers": ("nodes", "SubnetWorkers", {}),
           "internal": ("private-utility", "SubnetPrivateUtility", {"kubernetes.io/role/internal-elb": "1"}),
           "public": ("public-utility", "SubnetPublicUtility", {"kubernetes.io/role/elb": "1"})}
STATUS_PURPOSE = {"workers": "nodes", "public": "public", "internal": "internal"}
_DEAD_NAT = ("deleting", "deleted", "failed")


@dataclasses.dataclass
class Net:
    """One run against one shoot's network: the EC2 client, the technical ID, and the state being recorded."""

    ec2: Any
    technical_id: str
    region: str
    state: dict[str, str]

    def describe(self, call: str, key: str, what: str, **kwargs: Any) -> list[JSON]:
        with translate(what):
            pages = self.ec2.get_paginator(call).paginate(**kwargs) if self.ec2.can_paginate(call) else [
                getattr(self.ec2, call)(**kwargs)]
            return [item for page in pages for item in page.get(key) or []]

    def find(self, call: str, key: str, what: str, name: str, **more: str) -> JSON | None:
        return tags.only(self.describe(call, key, what, Filters=tags.filters(self.technical_id, name, **more)),
                         what)

    def spec(self, resource_type: str, name: str, extra: dict[str, str] | None = None) -> list[JSON]:
        return tags.specification(resource_type, self.technical_id, name, extra)


# --- VPC -----------------------------------------------------------------------------------------------------


def ensure_dhcp_options(net: Net) -> str:
    name = net.technical_id
    found = net.find("describe_dhcp_options", "DhcpOptions", "DHCP options", name)
    if found is None:
        domain = "ec2.internal" if net.region == "us-east-1" else f"{net.region}.compute.internal"
        with translate("creating the DHCP options"):
            found = net.ec2.create_dhcp_options(DhcpConfigurations=[
                {"Key": "domain-name", "Values": [domain]},
                {"Key": "domain-name-servers", "Values": ["AmazonProvidedDNS"]}])["DhcpOptions"]
            # moto drops the TagSpecifications of CreateDhcpOptions; tagging afterwards works everywhere.
            net.ec2.create_tags(Resources=[found["DhcpOptionsId"]], Tags=tags.tag_list(net.technical_id, name))
    net.state["DHCPOptions"] = found["DhcpOptionsId"]
    return str(found["DhcpOptionsId"])


def ensure_vpc(net: Net, cidr: str, *, dedicated: bool) -> str:
    """The shoot's own VPC with both DNS attributes on and its DHCP options."""
    dhcp = ensure_dhcp_options(net)
    found = net.find("describe_vpcs", "Vpcs", "the VPC", net.technical_id)
    if found is None:
        with translate("creating the VPC"):
            found = net.ec2.create_vpc(CidrBlock=cidr, InstanceTenancy="dedicated" if dedicated else "default",
                                       TagSpecifications=net.spec("vpc", net.technical_id))["Vpc"]
    elif found.get("CidrBlock") != cidr:
        raise errors.PermanentError(f"the VPC {found['VpcId']} has the CIDR {found.get('CidrBlock')}, not {cidr}: "
                                    "a VPC's CIDR cannot change", codes=[ErrorCode.CONFIGURATION_PROBLEM])
    vpc_id = str(found["VpcId"])
    net.state["VPC"] = vpc_id
    for attribute in ("EnableDnsSupport", "EnableDnsHostnames"):
        if not _vpc_attribute(net, vpc_id, attribute):
            with translate(f"turning on {attribute} of the VPC"):
                net.ec2.modify_vpc_attribute(VpcId=vpc_id, **{attribute: {"Value": True}})
    if found.get("DhcpOptionsId") != dhcp:
        with translate("associating the DHCP options"):
            net.ec2.associate_dhcp_options(DhcpOptionsId=dhcp, VpcId=vpc_id)
    _wipe_default_security_group(net, vpc_id)
    return vpc_id


def existing_vpc(net: Net, vpc_id: str, *, needs_gateway: bool) -> tuple[str, str | None]:
    """A VPC the user brings (``networks.vpc.id``): checked as provider-aws's config validator does, never
    changed; its id and the internet gateway attached to it."""
    with translate(f"reading the VPC {vpc_id}"):
        net.ec2.describe_vpcs(VpcIds=[vpc_id])
    for attribute in ("EnableDnsSupport", "EnableDnsHostnames"):
        if not _vpc_attribute(net, vpc_id, attribute):
            raise errors.PermanentError(f"invalid VPC attributes: {attribute} of {vpc_id} must be true",
                                        codes=[ErrorCode.CONFIGURATION_PROBLEM])
    gateways = net.describe("describe_internet_gateways", "InternetGateways", "the VPC's internet gateway",
                            Filters=[{"Name": "attachment.vpc-id", "Values": [vpc_id]}])
    if needs_gateway and not gateways:
        raise errors.PermanentError(f"no attached internet gateway found for the VPC {vpc_id}, which public "
                                    "subnets need", codes=[ErrorCode.CONFIGURATION_PROBLEM])
    net.state["VPC"] = vpc_id
    return vpc_id, (str(gateways[0]["InternetGatewayId"]) if gateways else None)


def _vpc_attribute(net: Net, vpc_id: str, attribute: str) -> bool:
    with translate(f"reading {attribute} of the VPC"):
        found = net.ec2.describe_vpc_attribute(VpcId=vpc_id, Attribute=attribute[0].lower() + attribute[1:])
    return bool(found.get(attribute, {}).get("Value"))


def _wipe_default_security_group(net: Net, vpc_id: str) -> None:
    """provider-aws removes every rule of the VPC's ``default`` security group: nothing may use it by accident."""
    found = net.describe("describe_security_groups", "SecurityGroups", "the VPC's default security group",
                         Filters=[{"Name": "vpc-id", "Values": [vpc_id]},
                                  {"Name": "group-name", "Values": ["default"]}])
    for group in found:
        net.state["DefaultSecurityGroup"] = group["GroupId"]
        with translate("revoking the rules of the default security group"):
            if group.get("IpPermissions"):
                net.ec2.revoke_security_group_ingress(GroupId=group["GroupId"], IpPermissions=group["IpPermissions"])
            if group.get("IpPermissionsEgress"):
                net.ec2.revoke_security_group_egress(GroupId=group["GroupId"],
                                                     IpPermissions=group["IpPermissionsEgress"])


def ensure_internet_gateway(net: Net, vpc_id: str) -> str:
    found = net.find("describe_internet_gateways", "InternetGateways", "the internet gateway", net.technical_id)
    if found is None:
        with translate("creating the internet gateway"):
            found = net.ec2.create_internet_gateway(
                TagSpecifications=net.spec("internet-gateway", net.technical_id))["InternetGateway"]
    gateway = str(found["InternetGatewayId"])
    if not any(a.get("VpcId") == vpc_id for a in found.get("Attachments") or []):
        with translate("attaching the internet gateway"):
            net.ec2.attach_internet_gateway(InternetGatewayId=gateway, VpcId=vpc_id)
    net.state["InternetGateway"] = gateway
    return gateway


# --- route tables --------------------------------------------------------------------------------------------


def ensure_route_table(net: Net, vpc_id: str, name: str, routes: dict[str, JSON]) -> str:
    """The route table ``name`` with exactly ``routes`` (destination -> target) besides the ``local`` one and
    routes others added."""
    found = net.find("describe_route_tables", "RouteTables", f"the route table {name}", name, vpc_id=vpc_id)
    if found is None:
        with translate(f"creating the route table {name}"):
            found = net.ec2.create_route_table(VpcId=vpc_id,
                                               TagSpecifications=net.spec("route-table", name))["RouteTable"]
    table = str(found["RouteTableId"])
    current = {r.get("DestinationCidrBlock"): r for r in found.get("Routes") or [] if r.get("DestinationCidrBlock")}
    for destination, target in routes.items():
        have = current.get(destination)
        if have is not None and all(have.get(k) == v for k, v in target.items()) and have.get("State") != "blackhole":
            continue
        with translate(f"routing {destination} in {name}"):
            if have is None:
                net.ec2.create_route(RouteTableId=table, DestinationCidrBlock=destination, **target)
            else:
                net.ec2.replace_route(RouteTableId=table, DestinationCidrBlock=destination, **target)
    return table


def associate(net: Net, table: str, subnet: str, key: str) -> None:
    """``subnet`` routed through ``table``, replacing an association with another table."""
    found = net.describe("describe_route_tables", "RouteTables", "the subnet's route table",
                         Filters=[{"Name": "association.subnet-id", "Values": [subnet]}])
    for other in found:
        for association in other.get("Associations") or []:
            if association.get("SubnetId") != subnet:
                continue
            if other["RouteTableId"] == table:
                net.state[key] = association["RouteTableAssociationId"]
                return
            with translate("moving the subnet to its route table"):
                moved = net.ec2.replace_route_table_association(
                    AssociationId=association["RouteTableAssociationId"], RouteTableId=table)
            net.state[key] = moved["NewAssociationId"]
            return
    with translate("associating the subnet with its route table"):
        made = net.ec2.associate_route_table(RouteTableId=table, SubnetId=subnet)
    net.state[key] = made["AssociationId"]


# --- zones ---------------------------------------------------------------------------------------------------


def zone_suffix(net: Net, zone: str, taken: set[str]) -> str:
    """``z<N>``: kept in the state, else read from the zone's workers subnet, else the lowest number free."""
    key = f"Zones/{zone}/Suffix"
    suffix = net.state.get(key)
    if not suffix:
        pattern = re.compile(rf"^{re.escape(net.technical_id)}-nodes-(z\d+)$")
        for subnet in net.describe("describe_subnets", "Subnets", "the zone's subnets",
                                   Filters=[*tags.filters(net.technical_id), {"Name": "availability-zone",
                                                                              "Values": [zone]}]):
            match = pattern.match(tags.of(subnet).get("Name", ""))
            if match and match.group(1) not in taken:
                suffix = match.group(1)
                break
    if not suffix:
        suffix = next(f"z{n}" for n in range(len(taken) + 1) if f"z{n}" not in taken)
    net.state[key] = suffix
    taken.add(suffix)
    return suffix


def ensure_subnet(net: Net, vpc_id: str, zone: str, suffix: str, purpose: str, cidr: str) -> str:
    infix, key, extra = SUBNETS[purpose]
    name = f"{net.technical_id}-{infix}-{suffix}"
    found = net.find("describe_subnets", "Subnets", f"the subnet {name}", name, vpc_id=vpc_id)
    if found is not None and (found.get("CidrBlock") != cidr or found.get("AvailabilityZone") != zone):
        raise errors.PermanentError(
            f"the subnet {found['SubnetId']} ({name}) has {found.get('CidrBlock')} in {found.get('AvailabilityZone')}"
            f", not {cidr} in {zone}: a zone's networks cannot change", codes=[ErrorCode.CONFIGURATION_PROBLEM])
    if found is None:
        with translate(f"creating the subnet {name}"):
            found = net.ec2.create_subnet(VpcId=vpc_id, CidrBlock=cidr, AvailabilityZone=zone,
                                          TagSpecifications=net.spec("subnet", name, extra))["Subnet"]
    if found.get("State", "available") != "available":
        raise errors.TemporaryError(f"the subnet {name} is {found.get('State')}", delay=5.0)
    net.state[f"Zones/{zone}/{key}"] = found["SubnetId"]
    return str(found["SubnetId"])


def ensure_nat(net: Net, zone: str, suffix: str, public_subnet: str, allocation: str | None) -> JSON:
    """The zone's NAT gateway in its public subnet, on the user's Elastic IP or one allocated for it; a
    ``TemporaryError`` until it is ``available``."""
    eip = allocation or _ensure_address(net, f"{net.technical_id}-eip-natgw-{suffix}")
    net.state[f"Zones/{zone}/NATGatewayElasticIP"] = eip
    name = f"{net.technical_id}-natgw-{suffix}"
    nats = [n for n in tags.matching(net.describe("describe_nat_gateways", "NatGateways", "the NAT gateway",
                                                  Filters=[{"Name": "subnet-id", "Values": [public_subnet]}]),
                                     net.technical_id, name) if n.get("State") not in _DEAD_NAT]
    nat = tags.only(nats, f"the NAT gateway {name}")
    if nat is not None and eip not in [a.get("AllocationId") for a in nat.get("NatGatewayAddresses") or []]:
        with translate(f"replacing the NAT gateway {name} (its Elastic IP changed)"):
            net.ec2.delete_nat_gateway(NatGatewayId=nat["NatGatewayId"])
        raise errors.TemporaryError(f"the NAT gateway {name} is replaced for its new Elastic IP", delay=10.0)
    if nat is None:
        with translate(f"creating the NAT gateway {name}"):
            nat = net.ec2.create_nat_gateway(SubnetId=public_subnet, AllocationId=eip,
                                             TagSpecifications=net.spec("natgateway", name))["NatGateway"]
    net.state[f"Zones/{zone}/NATGateway"] = nat["NatGatewayId"]
    if nat.get("State") != "available":
        raise errors.TemporaryError(f"the NAT gateway {name} is {nat.get('State')}", delay=10.0)
    return nat


def _ensure_address(net: Net, name: str) -> str:
    found = net.find("describe_addresses", "Addresses", f"the Elastic IP {name}", name)
    if found is None:
        with translate(f"allocating the Elastic IP {name}"):
            found = net.ec2.allocate_address(Domain="vpc", TagSpecifications=net.spec("elastic-ip", name))
    return str(found["AllocationId"])


def remove_stale_zones(net: Net, vpc_id: str, keep: set[str]) -> None:
    """The resources of zones no longer configured, as provider-aws deletes subnets it no longer wants together
    with their zone's route table, NAT gateway and Elastic IP; a ``TemporaryError`` while a NAT gateway goes."""
    stale = [s for s in net.describe("describe_subnets", "Subnets", "the shoot's subnets",
                                     Filters=tags.filters(net.technical_id, vpc_id=vpc_id))
             if s.get("AvailabilityZone") not in keep]
    if not stale:
        return
    zones = sorted({str(s["AvailabilityZone"]) for s in stale})
    ids = [s["SubnetId"] for s in stale]
    nats = [n for n in tags.matching(net.describe("describe_nat_gateways", "NatGateways", "NAT gateways",
                                                  Filters=[{"Name": "vpc-id", "Values": [vpc_id]}]),
                                     net.technical_id) if n.get("SubnetId") in ids]
    for nat in nats:
        if nat.get("State") not in ("deleting", "deleted", "failed"):
            _quietly(net, "deleting a removed zone's NAT gateway", "delete_nat_gateway",
                     NatGatewayId=nat["NatGatewayId"])
    if any(n.get("State") not in ("deleted", "failed") for n in _refresh(net, nats)):
        raise errors.TemporaryError(f"waiting for the NAT gateways of removed zones {', '.join(zones)} to go",
                                    delay=10.0)
    names = {f"{net.technical_id}-private-{zone}" for zone in zones}
    suffixes = {net.state.get(f"Zones/{zone}/Suffix") for zone in zones} - {None}
    addresses = {f"{net.technical_id}-eip-natgw-{suffix}" for suffix in suffixes}
    for table in _owned(net, "describe_route_tables", "RouteTables", "route tables"):
        associations = [a for a in table.get("Associations") or [] if a.get("SubnetId") in ids]
        for association in associations:
            _quietly(net, "disassociating a removed zone's subnet", "disassociate_route_table",
                     AssociationId=association["RouteTableAssociationId"])
        if tags.of(table).get("Name") in names:
            _quietly(net, "deleting a removed zone's route table", "delete_route_table",
                     RouteTableId=table["RouteTableId"])
    for address in _owned(net, "describe_addresses", "Addresses", "Elastic IPs"):
        if tags.of(address).get("Name") in addresses:
            _quietly(net, "releasing a removed zone's Elastic IP", "release_address",
                     AllocationId=address["AllocationId"])
    for subnet in ids:
        _quietly(net, "deleting a removed zone's subnet", "delete_subnet", SubnetId=subnet)
    for key in [k for k in net.state if any(k.startswith(f"Zones/{zone}/") for zone in zones)]:
        del net.state[key]


def _refresh(net: Net, nats: list[JSON]) -> list[JSON]:
    if not nats:
        return []
    return net.describe("describe_nat_gateways", "NatGateways", "NAT gateways",
                        NatGatewayIds=[n["NatGatewayId"] for n in nats])


# --- the nodes security group --------------------------------------------------------------------------------

Rule = tuple[str, int | None, int | None, str, str]  # protocol, from, to, "cidr"|"group", source


def ensure_nodes_security_group(net: Net, vpc_id: str, extra_sources: list[str]) -> str:
    """``<technicalID>-nodes``: all traffic among the nodes, NodePorts from anywhere and from the zones' load
    balancer subnets, everything out. Rules beyond these are revoked."""
    name = f"{net.technical_id}-nodes"
    found = net.find("describe_security_groups", "SecurityGroups", "the nodes security group", name, vpc_id=vpc_id)
    if found is None:
        with translate("creating the nodes security group"):
            group = net.ec2.create_security_group(GroupName=name, Description="Security group for nodes",
                                                  VpcId=vpc_id, TagSpecifications=net.spec("security-group", name))
        found = {"GroupId": group["GroupId"], "IpPermissions": [], "IpPermissionsEgress": []}
        found["IpPermissionsEgress"] = net.describe("describe_security_groups", "SecurityGroups", "the nodes "
                                                    "security group", GroupIds=[group["GroupId"]])[0].get(
            "IpPermissionsEgress") or []
    group_id = str(found["GroupId"])
    ingress: set[Rule] = {("-1", None, None, "group", group_id)}
    for source in [ANYWHERE, *extra_sources]:
        ingress |= {(p, *NODE_PORTS, "cidr", source) for p in ("tcp", "udp")}
    egress: set[Rule] = {("-1", None, None, "cidr", ANYWHERE)}
    _converge_rules(net, group_id, ingress, _rules(found.get("IpPermissions") or []), egress=False)
    _converge_rules(net, group_id, egress, _rules(found.get("IpPermissionsEgress") or []), egress=True)
    net.state["NodesSecurityGroup"] = group_id
    return group_id


def _rules(permissions: list[JSON]) -> set[Rule]:
    out: set[Rule] = set()
    for p in permissions:
        protocol = str(p.get("IpProtocol", "-1"))
        ports = (None, None) if protocol == "-1" else (p.get("FromPort"), p.get("ToPort"))
        out |= {(protocol, *ports, "cidr", r["CidrIp"]) for r in p.get("IpRanges") or []}
        out |= {(protocol, *ports, "group", g["GroupId"]) for g in p.get("UserIdGroupPairs") or []}
    return out


def _permission(rule: Rule) -> JSON:
    protocol, low, high, kind, source = rule
    out: JSON = {"IpProtocol": protocol}
    if protocol != "-1":
        out.update(FromPort=low, ToPort=high)
    if kind == "cidr":
        out["IpRanges"] = [{"CidrIp": source}]
    else:
        out["UserIdGroupPairs"] = [{"GroupId": source}]
    return out


def _converge_rules(net: Net, group: str, wanted: set[Rule], current: set[Rule], *, egress: bool) -> None:
    revoke = [_permission(r) for r in sorted(current - wanted, key=str)]
    authorize = [_permission(r) for r in sorted(wanted - current, key=str)]
    direction = "egress" if egress else "ingress"
    with translate(f"updating the {direction} rules of the nodes security group"):
        if revoke:
            getattr(net.ec2, f"revoke_security_group_{direction}")(GroupId=group, IpPermissions=revoke)
        if authorize:
            getattr(net.ec2, f"authorize_security_group_{direction}")(GroupId=group, IpPermissions=authorize)


# --- delete --------------------------------------------------------------------------------------------------


def delete_all(net: Net) -> None:
    """Remove every network resource tagged for the shoot, in dependency order; what is gone already is fine.
    A ``TemporaryError`` while something still has to go first (instances, NAT gateways being deleted)."""
    _wait_for_instances(net)
    for table in _owned(net, "describe_route_tables", "RouteTables", "route tables"):
        for association in table.get("Associations") or []:
            if not association.get("Main") and association.get("RouteTableAssociationId"):
                _quietly(net, "disassociating a route table", "disassociate_route_table",
                         AssociationId=association["RouteTableAssociationId"])
    nats = [n for n in tags.matching(net.describe("describe_nat_gateways", "NatGateways", "NAT gateways"),
                                     net.technical_id) if n.get("State") not in ("deleted", "failed")]
    for nat in nats:
        if nat.get("State") != "deleting":
            _quietly(net, "deleting a NAT gateway", "delete_nat_gateway", NatGatewayId=nat["NatGatewayId"])
    if nats and _alive_nats(net):
        raise errors.TemporaryError(f"waiting for {len(nats)} NAT gateways to be deleted", delay=10.0)
    for address in _owned(net, "describe_addresses", "Addresses", "Elastic IPs"):
        if address.get("AssociationId"):
            _quietly(net, "disassociating an Elastic IP", "disassociate_address",
                     AssociationId=address["AssociationId"])
        _quietly(net, "releasing an Elastic IP", "release_address", AllocationId=address["AllocationId"])
    for table in _owned(net, "describe_route_tables", "RouteTables", "route tables"):
        if not any(a.get("Main") for a in table.get("Associations") or []):
            _quietly(net, "deleting a route table", "delete_route_table", RouteTableId=table["RouteTableId"])
    for subnet in _owned(net, "describe_subnets", "Subnets", "subnets"):
        _quietly(net, "deleting a subnet", "delete_subnet", SubnetId=subnet["SubnetId"])
    for group in _owned(net, "describe_security_groups", "SecurityGroups", "security groups"):
        if group.get("GroupName") != "default":
            _quietly(net, "deleting a security group", "delete_security_group", GroupId=group["GroupId"])
    for gateway in _owned(net, "describe_internet_gateways", "InternetGateways", "internet gateways"):
        for attachment in gateway.get("Attachments") or []:
            _quietly(net, "detaching the internet gateway", "detach_internet_gateway",
                     InternetGatewayId=gateway["InternetGatewayId"], VpcId=attachment["VpcId"])
        _quietly(net, "deleting the internet gateway", "delete_internet_gateway",
                 InternetGatewayId=gateway["InternetGatewayId"])
    for vpc in _owned(net, "describe_vpcs", "Vpcs", "VPCs"):
        _quietly(net, "deleting the VPC", "delete_vpc", VpcId=vpc["VpcId"])
    for options in _owned(net, "describe_dhcp_options", "DhcpOptions", "DHCP options"):
        _quietly(net, "deleting the DHCP options", "delete_dhcp_options", DhcpOptionsId=options["DhcpOptionsId"])
    net.state.clear()


def _owned(net: Net, call: str, key: str, what: str) -> list[JSON]:
    return net.describe(call, key, what, Filters=tags.filters(net.technical_id))


def _alive_nats(net: Net) -> list[JSON]:
    return [n for n in tags.matching(net.describe("describe_nat_gateways", "NatGateways", "NAT gateways"),
                                     net.technical_id) if n.get("State") not in ("deleted", "failed")]


def _wait_for_instances(net: Net) -> None:
    alive = [i for r in net.describe("describe_instances", "Reservations", "instances",
                                     Filters=[*tags.filters(net.technical_id),
                                              {"Name": "instance-state-name",
                                               "Values": ["pending", "running", "shutting-down", "stopping",
                                                          "stopped"]}])
             for i in r.get("Instances") or []]
    if alive:
        raise errors.TemporaryError(f"{len(alive)} instances of the shoot still run in its network (the Worker "
                                    "is deleted first)", delay=10.0, codes=[ErrorCode.RETRYABLE_INFRA_DEPENDENCIES])


def _quietly(net: Net, what: str, call: str, **kwargs: Any) -> None:
    """One delete call; the resource being gone already counts as done."""
    try:
        with translate(what, deleting=True):
            getattr(net.ec2, call)(**kwargs)
    except errors.FlowError as exc:
        if not gone(exc.__cause__ or exc):
            raise
