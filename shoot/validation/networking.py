"""Networking rules 23-25 and 27: network type and IP families, the node/pod/service CIDRs (well-formed,
canonical, disjoint, clear of the VPN's reserved ranges) and kube-controller-manager's node CIDR mask size.

Called by ``shoot.validation.validate_shoot``. Overlap with the seed's networks needs the Seed (rule 26) and
is the scheduler's and the admission's.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from typing import Any

from shoot import fielderrors
from shoot.fielderrors import FieldError
from shoot.validation import formats
from shoot.validation.formats import dig, is_int, items
from shoot.validation.provider import has_workers, immutable

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
IP_FAMILIES = ("IPv4", "IPv6")
# Ranges the VPN maps seed and shoot networks into; a shoot network inside them would be unreachable.
RESERVED_RANGES = (
    ("240.0.0.0/8", "the reserved kube-apiserver mapping range"),
    ("241.0.0.0/8", "the reserved seed pod mapping range"),
    ("242.0.0.0/8", "the reserved shoot node mapping range"),
    ("243.0.0.0/8", "the reserved shoot service mapping range"),
    ("244.0.0.0/8", "the reserved shoot pod mapping range"),
    ("fd8f:6d53:b97a:1::/96", "the reserved VPN range"),
)
_ALLOWED_FAMILY_CHANGES = ((["IPv4"], ["IPv4", "IPv6"]), (["IPv4", "IPv6"], ["IPv4"]))
_NAMES = {"pods": "pod", "services": "service", "nodes": "node"}
DEFAULT_MAX_PODS = 110
PATH = "spec.networking"


def validate(new: Mapping[str, Any], old: Mapping[str, Any] | None) -> list[FieldError]:
    networking = dig(new, "spec", "networking")
    if networking is None:
        return [fielderrors.required(PATH, "a shoot with workers needs networking")] if has_workers(new) else []
    errors = _type(new, networking) + _families(networking, old) + _immutable(networking, old)
    networks, cidr_errors = _cidrs(networking)
    errors += cidr_errors + _disjoint(networks) + _reserved(networks)
    return errors + _node_mask(new, old)


def _type(shoot: Mapping[str, Any], networking: Any) -> list[FieldError]:
    """Rule 23: a CNI for shoots with nodes; a workerless shoot has neither nodes nor pods."""
    net_type = dig(networking, "type")
    if not has_workers(shoot):
        return [
            fielderrors.forbidden(f"{PATH}.{field}", "is not supported for workerless shoots")
            for field in ("type", "pods", "nodes")
            if dig(networking, field) is not None
        ]
    if not net_type:
        return [fielderrors.required(f"{PATH}.type", "a shoot with workers needs a networking type such as calico")]
    return formats.dns_label(f"{PATH}.type", net_type)


def _families(networking: Any, old: Mapping[str, Any] | None) -> list[FieldError]:
    families = items(dig(networking, "ipFamilies"))
    errors: list[FieldError] = []
    for index, family in enumerate(families):
        if family not in IP_FAMILIES:
            errors.append(fielderrors.not_supported(f"{PATH}.ipFamilies[{index}]", family, IP_FAMILIES))
        elif family in families[:index]:
            errors.append(fielderrors.duplicate(f"{PATH}.ipFamilies[{index}]", family))
    if old is None or errors:
        return errors
    # Unset families mean the default, IPv4.
    families = families or ["IPv4"]
    old_families = items(dig(old, "spec", "networking", "ipFamilies")) or ["IPv4"]
    if old_families != families and (old_families, families) not in _ALLOWED_FAMILY_CHANGES:
        errors.append(
            fielderrors.forbidden(
                f"{PATH}.ipFamilies",
                f"unsupported IP family update from {old_families} to {families}: only IPv4 to dual-stack "
                "[IPv4, IPv6] and back are possible",
            )
        )
    return errors


def _immutable(networking: Any, old: Mapping[str, Any] | None) -> list[FieldError]:
    errors: list[FieldError] = []
    for field in ("type", "pods", "services"):
        errors += immutable(f"{PATH}.{field}", new=dig(networking, field), old=dig(old, "spec", "networking", field))
    return errors


def _cidrs(networking: Any) -> tuple[dict[str, Network], list[FieldError]]:
    """Rule 24: each CIDR parses, is canonical and (single-stack) of the shoot's IP family."""
    families = items(dig(networking, "ipFamilies")) or ["IPv4"]
    networks: dict[str, Network] = {}
    errors: list[FieldError] = []
    for field in ("nodes", "pods", "services"):
        value = dig(networking, field)
        if value is None:
            continue
        network = _parse_cidr(f"{PATH}.{field}", value)
        if isinstance(network, FieldError):
            errors.append(network)
        elif len(families) == 1 and families[0] in IP_FAMILIES and f"IPv{network.version}" != families[0]:
            errors.append(
                fielderrors.invalid(
                    f"{PATH}.{field}",
                    value,
                    f"must be an {families[0]} CIDR because the shoot's IP family is {families[0]}",
                )
            )
        else:
            networks[field] = network
    return networks, errors


def _parse_cidr(field: str, value: Any) -> Network | FieldError:
    if not isinstance(value, str) or "/" not in value:
        return fielderrors.invalid(field, value, "must be a CIDR such as 10.250.0.0/16")
    try:
        network = ipaddress.ip_network(value, strict=False)
    except ValueError:
        return fielderrors.invalid(field, value, "must be a CIDR such as 10.250.0.0/16")
    if str(network) != value:
        return fielderrors.invalid(field, value, f"must be a canonical CIDR, i.e. {network}")
    return network


def _disjoint(networks: dict[str, Network]) -> list[FieldError]:
    """Rule 25: the shoot's own networks must not overlap."""
    errors: list[FieldError] = []
    for first, second in (("pods", "services"), ("nodes", "pods"), ("services", "nodes")):
        a, b = networks.get(first), networks.get(second)
        if a is not None and b is not None and a.version == b.version and a.overlaps(b):
            errors.append(
                fielderrors.invalid(
                    f"{PATH}.{first}",
                    str(a),
                    f"shoot {_NAMES[first]} network intersects with shoot {_NAMES[second]} network ({b})",
                )
            )
    return errors


def _reserved(networks: dict[str, Network]) -> list[FieldError]:
    errors: list[FieldError] = []
    for field, network in networks.items():
        for cidr, what in RESERVED_RANGES:
            reserved = ipaddress.ip_network(cidr)
            if reserved.version == network.version and network.overlaps(reserved):
                errors.append(
                    fielderrors.invalid(
                        f"{PATH}.{field}",
                        str(network),
                        f"shoot {_NAMES[field]} network intersects with {what} ({cidr})",
                    )
                )
    return errors


# --- rule 27 ------------------------------------------------------------------------------------------------

_KCM = "spec.kubernetes.kubeControllerManager"


def max_pods(shoot: Mapping[str, Any]) -> int:
    """The largest ``maxPods`` of the shoot's kubelets (110 where none is set)."""
    values = [dig(shoot, "spec", "kubernetes", "kubelet", "maxPods")]
    values += [
        dig(pool, "kubernetes", "kubelet", "maxPods") for pool in items(dig(shoot, "spec", "provider", "workers"))
    ]
    return max([value for value in values if is_int(value)] or [DEFAULT_MAX_PODS])


def _node_mask(new: Mapping[str, Any], old: Mapping[str, Any] | None) -> list[FieldError]:
    errors: list[FieldError] = []
    ipv6_only = items(dig(new, "spec", "networking", "ipFamilies")) == ["IPv6"]
    for field, bounds in (
        ("nodeCIDRMaskSize", (64, 124) if ipv6_only else (16, 28)),
        ("nodeCIDRMaskSizeIPv6", (64, 124)),
    ):
        path, mask = f"{_KCM}.{field}", dig(new, "spec", "kubernetes", "kubeControllerManager", field)
        if mask is None:
            continue
        if not is_int(mask) or not bounds[0] <= mask <= bounds[1]:
            errors.append(fielderrors.invalid(path, mask, f"must be between {bounds[0]} and {bounds[1]}"))
            continue
        errors += immutable(path, new=mask, old=dig(old, "spec", "kubernetes", "kubeControllerManager", field))
        if field == "nodeCIDRMaskSize" and not ipv6_only:
            errors += _mask_fits_pods(path, mask, new)
    return errors


def _mask_fits_pods(path: str, mask: int, shoot: Mapping[str, Any]) -> list[FieldError]:
    pods, addresses = max_pods(shoot), 2 ** (32 - mask) - 2
    if addresses >= pods:
        return []
    return [
        fielderrors.invalid(
            path,
            mask,
            f"a /{mask} node CIDR has {addresses} pod addresses, fewer than maxPods ({pods}); use a smaller mask size",
        )
    ]
