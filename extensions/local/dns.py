"""DNSRecord/local: a DNS provider for the local seed cluster — zones kept as ConfigMaps on the seed.

Called through ``extensions.driver``; ``lookup`` is for the flow and for tests. Gardener's provider-local sends
RFC 2136 updates to a BIND server; here nothing answers DNS queries: a zone is the ConfigMap named after it in
namespace ``hortus-local-dns``, one key per record (``<name>.<TYPE>``, ``*`` written as ``_``) holding
``{name, type, values, ttl, owner}``. Records are validated as Gardener's DNSRecord is (A: IPv4, AAAA: IPv6,
CNAME: one name) and owned by the extension object that wrote them: another owner's record is not overwritten.
"""

from __future__ import annotations

import ipaddress
import json
import re

from extensions.contract import JSON, Api, Context, ExtensionObject, Outcome
from extensions.sdk import BaseActuator
from shoot import errors
from shoot.errors import ErrorCode

NAMESPACE = "hortus-local-dns"
DEFAULT_ZONE = "local.gardener.cloud"
DEFAULT_TTL = 120
TYPES = ("A", "AAAA", "CNAME", "TXT")


def zone_of(spec: JSON) -> str:
    """``spec.zone``, else the local zone for names below it, else the name's parent domain."""
    name = str(spec.get("name", "")).rstrip(".")
    if spec.get("zone"):
        return str(spec["zone"]).rstrip(".")
    if name == DEFAULT_ZONE or name.endswith(f".{DEFAULT_ZONE}"):
        return DEFAULT_ZONE
    return name.partition(".")[2] or name


def record_key(name: str, record_type: str) -> str:
    return f"{re.sub(r'[^-._a-zA-Z0-9]', '_', name.rstrip('.'))}.{record_type}"


def lookup(api: Api, name: str, record_type: str = "A", *, zone: str | None = None) -> list[str]:
    """The values of a record, [] when there is none."""
    zone = zone or zone_of({"name": name})
    config_map = api.get("v1", "ConfigMap", zone, namespace=NAMESPACE)
    raw = ((config_map or {}).get("data") or {}).get(record_key(name, record_type))
    return list(json.loads(raw)["values"]) if raw else []


def _checked(spec: JSON) -> tuple[str, str, list[str], int]:
    name, kind = str(spec.get("name", "")).rstrip("."), str(spec.get("recordType", ""))
    values = [str(v) for v in spec.get("values") or []]
    problems = []
    if not name:
        problems.append("spec.name: Required value")
    if kind not in TYPES:
        problems.append(f"spec.recordType: Unsupported value: {kind!r}: supported values: {', '.join(TYPES)}")
    if not values:
        problems.append("spec.values: Required value")
    for value in values:
        if kind in ("A", "AAAA") and not _ip(value, 4 if kind == "A" else 6):
            problems.append(f"spec.values: Invalid value: {value!r}: must be an IPv{4 if kind == 'A' else 6} address")
    if kind == "CNAME" and len(values) != 1:
        problems.append("spec.values: Invalid value: a CNAME record has exactly one value")
    if problems:
        raise errors.PermanentError("; ".join(problems), codes=[ErrorCode.CONFIGURATION_PROBLEM])
    if kind == "CNAME":
        values = [values[0].rstrip(".") + "."]
    return name, kind, values, int(spec.get("ttl") or DEFAULT_TTL)


def _ip(value: str, version: int) -> bool:
    try:
        return ipaddress.ip_address(value).version == version
    except ValueError:
        return False


class DNSRecordActuator(BaseActuator):
    def reconcile(self, ctx: Context, obj: ExtensionObject) -> Outcome:
        name, kind, values, ttl = _checked(obj.spec)
        zone, owner = zone_of(obj.spec), f"{obj.namespace}/{obj.name}"
        key = record_key(name, kind)
        ctx.seed.apply({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": NAMESPACE}})
        zone_map = ctx.seed.get("v1", "ConfigMap", zone, namespace=NAMESPACE)
        held = ((zone_map or {}).get("data") or {}).get(key)
        if held and json.loads(held).get("owner") != owner:
            raise errors.PermanentError(f"{kind} record {name} is owned by {json.loads(held)['owner']}",
                                        codes=[ErrorCode.CONFIGURATION_PROBLEM])
        record = json.dumps({"name": name, "type": kind, "values": values, "ttl": ttl, "owner": owner},
                            sort_keys=True)
        # A merge patch of one key: records of other shoots in the same zone are not touched.
        ctx.seed.apply({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {
            "name": zone, "namespace": NAMESPACE, "labels": {"app.kubernetes.io/managed-by": "hortus"}},
            "data": {key: record}})
        return Outcome(status={"zone": zone})

    def delete(self, ctx: Context, obj: ExtensionObject) -> None:
        name, kind = str(obj.spec.get("name", "")).rstrip("."), str(obj.spec.get("recordType", ""))
        zone, key = zone_of(obj.spec), record_key(name, kind)
        zone_map = ctx.seed.get("v1", "ConfigMap", zone, namespace=NAMESPACE)
        held = ((zone_map or {}).get("data") or {}).get(key)
        if not held or json.loads(held).get("owner") != f"{obj.namespace}/{obj.name}":
            return
        ctx.seed.apply({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": zone, "namespace": NAMESPACE},
                        "data": {key: None}})

    def migrate(self, ctx: Context, obj: ExtensionObject) -> Outcome:
        """The zone lives on this seed: the record goes, the destination seed writes it into its own."""
        self.delete(ctx, obj)
        return Outcome(state=obj.state or None)
