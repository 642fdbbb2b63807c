"""How provider-aws marks what it creates: ``kubernetes.io/cluster/<technicalID>`` plus ``Name``, and finding a
resource again by those tags (so that a reconcile adopts what an earlier one created and never duplicates it).

Used by ``extensions.aws.network``, ``keypair``, ``iam`` and ``worker``; tests query the same tags to prove a
delete left nothing behind.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from shoot import errors

JSON = dict[str, Any]
OWNED = "owned"
# Instances carry the legacy value ``1`` (machine-controller-manager's); both mean "created for this shoot".
OWNED_VALUES = ("owned", "1")


def cluster_key(technical_id: str) -> str:
    return f"kubernetes.io/cluster/{technical_id}"


def tag_list(technical_id: str, name: str, extra: Mapping[str, str] | None = None, *,
             value: str = OWNED) -> list[JSON]:
    found = {cluster_key(technical_id): value, "Name": name, **(extra or {})}
    return [{"Key": k, "Value": v} for k, v in found.items()]


def specification(resource_type: str, technical_id: str, name: str, extra: Mapping[str, str] | None = None, *,
                  value: str = OWNED) -> list[JSON]:
    """``TagSpecifications`` of a create call."""
    return [{"ResourceType": resource_type, "Tags": tag_list(technical_id, name, extra, value=value)}]


def filters(technical_id: str, name: str | None = None, **more: str) -> list[JSON]:
    """Describe filters selecting what belongs to the shoot (and is called ``name``; ``vpc_id=`` and the like
    become ``vpc-id`` filters)."""
    out: list[JSON] = [{"Name": f"tag:{cluster_key(technical_id)}", "Values": list(OWNED_VALUES)}]
    if name is not None:
        out.append({"Name": "tag:Name", "Values": [name]})
    out += [{"Name": key.replace("_", "-"), "Values": [value]} for key, value in more.items()]
    return out


def of(resource: JSON) -> dict[str, str]:
    return {str(t["Key"]): str(t.get("Value", "")) for t in resource.get("Tags") or []}


def owned(resource: JSON, technical_id: str, name: str | None = None) -> bool:
    found = of(resource)
    return found.get(cluster_key(technical_id)) in OWNED_VALUES and (name is None or found.get("Name") == name)


def only(found: Sequence[JSON], what: str) -> JSON | None:
    """The one resource found, None for none; more than one is provider-aws's "multiple matches" error."""
    if len(found) > 1:
        ids = ", ".join(str(_id(r)) for r in found)
        raise errors.PermanentError(f"{what}: error multiple matches ({ids}); remove the extra ones")
    return found[0] if found else None


def _id(resource: JSON) -> Any:
    return next((v for k, v in resource.items() if k.endswith("Id") and isinstance(v, str)), "?")


def matching(resources: Iterable[JSON], technical_id: str, name: str | None = None) -> list[JSON]:
    """Client-side tag filtering, for calls whose filters moto ignores (DescribeNatGateways)."""
    return [r for r in resources if owned(r, technical_id, name)]
