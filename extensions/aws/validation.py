"""The checks of provider-aws's configs beyond their JSON Schemas, as field errors (paths relative to the config).

Registered as the ``validator`` of the ``aws`` Infrastructure and Worker (``extensions.aws``): the garden's
admission runs them under ``spec.provider.infrastructureConfig`` / ``spec.provider.workers[i].providerConfig``,
the driver under ``spec.providerConfig``. Pure: the Shoot's networks are all they read, no AWS call. The rules are
provider-aws's ``ValidateInfrastructureConfig``: exactly one of ``vpc.id`` and ``vpc.cidr``, canonical CIDRs, the
zones' networks inside the VPC and the workers' inside the nodes network, no overlaps; features hortus's provider
does not build (IPv6, EFS, bring-your-own subnets and security group) are refused rather than ignored.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator
from typing import Any

from extensions.contract import JSON
from shoot import fielderrors
from shoot.fielderrors import FieldError

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
PURPOSES = ("workers", "public", "internal")
_BYO = ("workersSubnetID", "publicSubnetID", "internalSubnetID")


def infrastructure_config(config: JSON, shoot: JSON) -> list[FieldError]:
    networking = ((shoot.get("spec") or {}).get("networking") or {}) if shoot else {}
    return list(_unsupported(config, networking)) + list(_networks(config.get("networks") or {}, networking))


def worker_config(config: JSON, shoot: JSON) -> list[FieldError]:
    return list(_worker(config))


# --- InfrastructureConfig ------------------------------------------------------------------------------------


def _unsupported(config: JSON, networking: JSON) -> Iterator[FieldError]:
    why = "hortus's aws provider does not support it"
    if (config.get("dualStack") or {}).get("enabled"):
        yield fielderrors.forbidden("dualStack.enabled", f"IPv6 networks: {why}")
    if any("IPv6" in str(f) for f in networking.get("ipFamilies") or []):
        yield fielderrors.forbidden("networks", f"a shoot with IP family IPv6: {why}")
    if (config.get("elasticFileSystem") or {}).get("enabled") or (config.get("elasticFileSystem") or {}).get("id"):
        yield fielderrors.forbidden("elasticFileSystem", f"Elastic File System: {why}")
    if config.get("enableMTUCustomizer"):
        yield fielderrors.forbidden("enableMTUCustomizer", f"the node MTU unit: {why}")
    networks = config.get("networks") or {}
    vpc = networks.get("vpc") or {}
    if vpc.get("ipv6IpamPool"):
        yield fielderrors.forbidden("networks.vpc.ipv6IpamPool", f"IPv6 networks: {why}")
    if vpc.get("gatewayEndpoints"):
        yield fielderrors.forbidden("networks.vpc.gatewayEndpoints", f"VPC gateway endpoints: {why}")
    if networks.get("nodesSecurityGroupID"):
        yield fielderrors.forbidden("networks.nodesSecurityGroupID", f"an existing nodes security group: {why}")
    for index, zone in enumerate(networks.get("zones") or []):
        for key in _BYO:
            if zone.get(key):
                yield fielderrors.forbidden(f"networks.zones[{index}].{key}", f"existing subnets: {why}")


def _networks(networks: JSON, networking: JSON) -> Iterator[FieldError]:
    vpc = networks.get("vpc") or {}
    if vpc.get("id") and vpc.get("cidr"):
        yield fielderrors.invalid("networks.vpc", vpc, "cannot specify both a vpc id and a cidr")
    elif not vpc.get("id") and not vpc.get("cidr"):
        yield fielderrors.invalid("networks.vpc", vpc, "must specify either a vpc id or a cidr")
    zones = list(networks.get("zones") or [])
    if not zones:
        yield fielderrors.required("networks.zones", "must specify at least the networks for one zone")
    vpc_cidr = _cidr(vpc.get("cidr"), "networks.vpc.cidr") if vpc.get("cidr") else None
    nodes = _parse(networking.get("nodes"))
    shoot_networks = [(name, net) for name in ("pods", "services") if (net := _parse(networking.get(name)))]
    if isinstance(vpc_cidr, FieldError):
        yield vpc_cidr
        vpc_cidr = None
    if vpc_cidr is not None:
        if nodes is not None and not _within(nodes, vpc_cidr):
            yield fielderrors.invalid("networks.vpc.cidr", vpc.get("cidr"),
                                      f"must contain the nodes network {nodes} (spec.networking.nodes)")
        for name, net in shoot_networks:
            if net.overlaps(vpc_cidr):
                yield fielderrors.invalid("networks.vpc.cidr", vpc.get("cidr"),
                                          f"must not overlap with the {name} network {net}")
    yield from _zones(zones, vpc_cidr, nodes, shoot_networks)


def _zones(zones: list[JSON], vpc: Network | None, nodes: Network | None,
           shoot_networks: list[tuple[str, Network]]) -> Iterator[FieldError]:
    seen_names: set[str] = set()
    seen_eips: set[str] = set()
    taken: list[tuple[str, Network]] = []
    for index, zone in enumerate(zones):
        where = f"networks.zones[{index}]"
        name = str(zone.get("name", ""))
        if name in seen_names:
            yield fielderrors.duplicate(f"{where}.name", name)
        seen_names.add(name)
        if not zone.get("workers") and not zone.get("workersSubnetID"):
            yield fielderrors.required(f"{where}.workers", "a zone needs the CIDR of its workers subnet")
        eip = zone.get("elasticIPAllocationID")
        if eip:
            if eip in seen_eips:
                yield fielderrors.duplicate(f"{where}.elasticIPAllocationID", eip)
            seen_eips.add(eip)
            if not zone.get("public") or not zone.get("workers"):
                yield fielderrors.forbidden(f"{where}.elasticIPAllocationID",
                                            "needs the zone's workers and public networks")
        for purpose in PURPOSES:
            if zone.get(purpose) is None:
                continue
            yield from _zone_network(f"{where}.{purpose}", purpose, zone[purpose], vpc, nodes, shoot_networks, taken)


def _zone_network(path: str, purpose: str, value: Any, vpc: Network | None, nodes: Network | None,
                  shoot_networks: list[tuple[str, Network]], taken: list[tuple[str, Network]]) -> Iterator[FieldError]:
    parsed = _cidr(value, path)
    if isinstance(parsed, FieldError):
        yield parsed
        return
    if vpc is not None and not _within(parsed, vpc):
        yield fielderrors.invalid(path, value, f"must be a subset of the vpc network {vpc} (networks.vpc.cidr)")
    if purpose == "workers" and nodes is not None and not _within(parsed, nodes):
        yield fielderrors.invalid(path, value, f"must be a subset of the nodes network {nodes} "
                                               "(spec.networking.nodes)")
    for name, net in shoot_networks:
        if parsed.overlaps(net):
            yield fielderrors.invalid(path, value, f"must not overlap with the {name} network {net}")
    for other_path, other in taken:
        if parsed.overlaps(other):
            yield fielderrors.invalid(path, value, f"must not overlap with {other_path} ({other})")
    taken.append((path, parsed))


def _cidr(value: Any, path: str) -> Network | FieldError:
    try:
        parsed = ipaddress.ip_network(str(value), strict=False)
    except ValueError:
        return fielderrors.invalid(path, value, "must be a valid CIDR")
    if str(parsed) != str(value):
        return fielderrors.invalid(path, value, f"must be canonical ({parsed})")
    if parsed.version != 4:
        return fielderrors.invalid(path, value, "must be an IPv4 CIDR")
    return parsed


def _parse(value: Any) -> Network | None:
    try:
        return ipaddress.ip_network(str(value), strict=False) if value else None
    except ValueError:
        return None


def _within(inner: Network, outer: Network) -> bool:
    return inner.version == outer.version and inner.subnet_of(outer)  # type: ignore[arg-type]


# --- WorkerConfig --------------------------------------------------------------------------------------------


def _worker(config: JSON) -> Iterator[FieldError]:
    profile = config.get("iamInstanceProfile")
    if profile is not None and bool(profile.get("name")) == bool(profile.get("arn")):
        yield fielderrors.invalid("iamInstanceProfile", profile, "exactly one of name and arn must be given")
    cpu = config.get("cpuOptions") or {}
    if ("coreCount" in cpu) != ("threadsPerCore" in cpu):
        yield fielderrors.invalid("cpuOptions", cpu, "coreCount and threadsPerCore must be given together")
    reservation = config.get("capacityReservation") or {}
    if reservation.get("capacityReservationId") and reservation.get("capacityReservationResourceGroupArn"):
        yield fielderrors.forbidden("capacityReservation.capacityReservationId",
                                    "cannot be given together with capacityReservationResourceGroupArn")
    preference = reservation.get("capacityReservationPreference")
    if preference in ("open", "none") and (reservation.get("capacityReservationId")
                                           or reservation.get("capacityReservationResourceGroupArn")):
        yield fielderrors.forbidden("capacityReservation.capacityReservationPreference",
                                    "a reservation id or group can only be given with capacity-reservations-only")
    if config.get("networkInterfaces"):
        yield fielderrors.forbidden("networkInterfaces", "custom network interfaces (EFA): hortus's aws provider "
                                                         "does not support them")
