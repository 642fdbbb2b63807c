"""Decode the protobuf request bodies that kubectl >= 1.32 sends for its ``create <generator>`` commands.

``apiserver.http`` calls ``decode`` for ``Content-Type: application/vnd.kubernetes.protobuf`` and then treats the
result exactly like a JSON body. The body is ``k8s\\x00`` and a ``runtime.Unknown`` envelope around the object's own
protobuf; the field tables below give each object the JSON form its Go type would marshal to.
"""

from __future__ import annotations

import base64
import dataclasses
import datetime
import json
from collections.abc import Iterator, Mapping
from typing import Any, Literal

from apiserver import errors

PROTOBUF = "application/vnd.kubernetes.protobuf"
MAGIC = b"k8s\x00"

JSON = dict[str, Any]
Scalar = Literal["string", "int", "bool", "bytes"]
Special = Literal["time", "int-or-string", "quantity", "raw-json"]

VARINT, FIXED64, LENGTH, FIXED32 = 0, 1, 2, 5


# --- the wire format -----------------------------------------------------------------------------------------


def read_fields(buf: bytes) -> Iterator[tuple[int, int, int | bytes]]:
    """Yield (field number, wire type, value) for each field of one message; ValueError when malformed."""
    pos = 0
    while pos < len(buf):
        key, pos = _varint(buf, pos)
        number, wire = key >> 3, key & 7
        if number == 0:
            raise ValueError("field number 0")
        value: int | bytes
        if wire == VARINT:
            value, pos = _varint(buf, pos)
        elif wire == LENGTH:
            size, pos = _varint(buf, pos)
            value, pos = _take(buf, pos, size), pos + size
        elif wire in (FIXED64, FIXED32):
            size = 8 if wire == FIXED64 else 4
            value, pos = int.from_bytes(_take(buf, pos, size), "little"), pos + size
        else:  # groups (3, 4) are not used by Kubernetes
            raise ValueError(f"unsupported wire type {wire}")
        yield number, wire, value


def _varint(buf: bytes, pos: int) -> tuple[int, int]:
    result = shift = 0
    while shift < 70:
        if pos >= len(buf):
            raise ValueError("truncated varint")
        byte = buf[pos]
        pos += 1
        result |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return result, pos
        shift += 7
    raise ValueError("varint longer than 10 bytes")


def _take(buf: bytes, pos: int, size: int) -> bytes:
    if pos + size > len(buf):
        raise ValueError("truncated field")
    return buf[pos : pos + size]


def _signed(value: int) -> int:
    # int32 and int64 are plain varints; negative numbers arrive as their 64-bit two's complement.
    return value - (1 << 64) if value >= 1 << 63 else value


# --- declarative field tables ---------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Field:
    """How one protobuf field becomes one JSON member.

    ``keep_zero`` is for Go pointer fields (sent only when set, so 0/""/false is meaningful) and members without
    ``omitempty``; other scalars are omitted when zero, as ``encoding/json`` does. A repeated field with
    ``keep_zero`` that was not sent becomes null, as a nil slice without ``omitempty`` marshals. ``inline``
    merges a message into its parent (Go embedded structs such as ``LocalObjectReference``).
    """

    name: str
    kind: Scalar | Special | Literal["message", "map"]
    table: Table | None = None
    value: Field | None = None
    repeated: bool = False
    keep_zero: bool = False
    inline: bool = False


Table = Mapping[int, Field]


def s(name: str, *, keep: bool = False) -> Field:
    return Field(name, "string", keep_zero=keep)


def i(name: str, *, keep: bool = False) -> Field:
    return Field(name, "int", keep_zero=keep)


def b(name: str, *, keep: bool = False) -> Field:
    return Field(name, "bool", keep_zero=keep)


def strings(name: str, *, keep: bool = False) -> Field:
    return Field(name, "string", repeated=True, keep_zero=keep)


def m(name: str, table: Table, *, repeated: bool = False, keep: bool = False, inline: bool = False) -> Field:
    return Field(name, "message", table=table, repeated=repeated, keep_zero=keep, inline=inline)


def special(name: str, kind: Special) -> Field:
    return Field(name, kind)


def map_of(name: str, value: Scalar | Special = "string") -> Field:
    return Field(name, "map", value=Field("value", value, keep_zero=True))


# meta/v1
LABEL_SELECTOR: Table = {
    1: map_of("matchLabels"),
    2: m(
        "matchExpressions", {1: s("key", keep=True), 2: s("operator", keep=True), 3: strings("values")}, repeated=True
    ),
}
OWNER_REFERENCE: Table = {
    1: s("kind", keep=True), 3: s("name", keep=True), 4: s("uid", keep=True), 5: s("apiVersion", keep=True),
    6: b("controller", keep=True), 7: b("blockOwnerDeletion", keep=True),
}
MANAGED_FIELDS_ENTRY: Table = {
    1: s("manager"), 2: s("operation"), 3: s("apiVersion"), 4: special("time", "time"), 6: s("fieldsType"),
    7: special("fieldsV1", "raw-json"), 8: s("subresource"),
}
OBJECT_META: Table = {
    1: s("name"), 2: s("generateName"), 3: s("namespace"), 4: s("selfLink"), 5: s("uid"), 6: s("resourceVersion"),
    7: i("generation"), 8: special("creationTimestamp", "time"), 9: special("deletionTimestamp", "time"),
    10: i("deletionGracePeriodSeconds", keep=True), 11: map_of("labels"), 12: map_of("annotations"),
    13: m("ownerReferences", OWNER_REFERENCE, repeated=True), 14: strings("finalizers"),
    17: m("managedFields", MANAGED_FIELDS_ENTRY, repeated=True),
}
CONDITION: Table = {
    1: s("type", keep=True), 2: s("status", keep=True), 3: i("observedGeneration"),
    4: special("lastTransitionTime", "time"), 5: s("reason", keep=True), 6: s("message", keep=True),
}

# core/v1
LOCAL_OBJECT_REFERENCE: Table = {1: s("name")}
OBJECT_REFERENCE: Table = {
    1: s("kind"), 2: s("namespace"), 3: s("name"), 4: s("uid"), 5: s("apiVersion"), 6: s("resourceVersion"),
    7: s("fieldPath"),
}
KEY_SELECTOR: Table = {
    1: m("", LOCAL_OBJECT_REFERENCE, inline=True), 2: s("key", keep=True), 3: b("optional", keep=True),
}
ENV_VAR_SOURCE: Table = {
    1: m("fieldRef", {1: s("apiVersion"), 2: s("fieldPath", keep=True)}),
    2: m("resourceFieldRef", {1: s("containerName"), 2: s("resource", keep=True), 3: special("divisor", "quantity")}),
    3: m("configMapKeyRef", KEY_SELECTOR),
    4: m("secretKeyRef", KEY_SELECTOR),
}
ENV_FROM_SOURCE: Table = {
    1: s("prefix"),
    2: m("configMapRef", {1: m("", LOCAL_OBJECT_REFERENCE, inline=True), 2: b("optional", keep=True)}),
    3: m("secretRef", {1: m("", LOCAL_OBJECT_REFERENCE, inline=True), 2: b("optional", keep=True)}),
}
RESOURCE_REQUIREMENTS: Table = {
    1: map_of("limits", "quantity"), 2: map_of("requests", "quantity"),
    3: m("claims", {1: s("name", keep=True), 2: s("request")}, repeated=True),
}
CONTAINER: Table = {
    1: s("name", keep=True), 2: s("image"), 3: strings("command"), 4: strings("args"), 5: s("workingDir"),
    6: m("ports", {
        1: s("name"), 2: i("hostPort"), 3: i("containerPort", keep=True), 4: s("protocol"), 5: s("hostIP"),
    }, repeated=True),
    7: m("env", {1: s("name", keep=True), 2: s("value"), 3: m("valueFrom", ENV_VAR_SOURCE)}, repeated=True),
    8: m("resources", RESOURCE_REQUIREMENTS),
    9: m("volumeMounts", {
        1: s("name", keep=True), 2: b("readOnly"), 3: s("mountPath", keep=True), 4: s("subPath"),
        5: s("mountPropagation", keep=True), 6: s("subPathExpr"), 7: s("recursiveReadOnly", keep=True),
    }, repeated=True),
    13: s("terminationMessagePath"), 14: s("imagePullPolicy"), 16: b("stdin"), 17: b("stdinOnce"), 18: b("tty"),
    19: m("envFrom", ENV_FROM_SOURCE, repeated=True), 20: s("terminationMessagePolicy"),
    24: s("restartPolicy", keep=True),
}
KEY_TO_PATH: Table = {1: s("key", keep=True), 2: s("path", keep=True), 3: i("mode", keep=True)}
VOLUME_SOURCE: Table = {
    1: m("hostPath", {1: s("path", keep=True), 2: s("type", keep=True)}),
    2: m("emptyDir", {1: s("medium"), 2: special("sizeLimit", "quantity")}),
    6: m("secret", {
        1: s("secretName"), 2: m("items", KEY_TO_PATH, repeated=True), 3: i("defaultMode", keep=True),
        4: b("optional", keep=True),
    }),
    10: m("persistentVolumeClaim", {1: s("claimName", keep=True), 2: b("readOnly")}),
    19: m("configMap", {
        1: m("", LOCAL_OBJECT_REFERENCE, inline=True), 2: m("items", KEY_TO_PATH, repeated=True),
        3: i("defaultMode", keep=True), 4: b("optional", keep=True),
    }),
}
POD_SPEC: Table = {
    1: m("volumes", {1: s("name", keep=True), 2: m("", VOLUME_SOURCE, inline=True)}, repeated=True),
    2: m("containers", CONTAINER, repeated=True), 3: s("restartPolicy"),
    4: i("terminationGracePeriodSeconds", keep=True), 5: i("activeDeadlineSeconds", keep=True),
    6: s("dnsPolicy"), 7: map_of("nodeSelector"), 8: s("serviceAccountName"), 9: s("serviceAccount"),
    10: s("nodeName"), 11: b("hostNetwork"), 12: b("hostPID"), 13: b("hostIPC"),
    15: m("imagePullSecrets", LOCAL_OBJECT_REFERENCE, repeated=True), 16: s("hostname"), 17: s("subdomain"),
    19: s("schedulerName"), 20: m("initContainers", CONTAINER, repeated=True),
    21: b("automountServiceAccountToken", keep=True),
    22: m("tolerations", {
        1: s("key"), 2: s("operator"), 3: s("value"), 4: s("effect"), 5: i("tolerationSeconds", keep=True),
    }, repeated=True),
    24: s("priorityClassName"), 25: i("priority", keep=True), 29: s("runtimeClassName", keep=True),
    30: b("enableServiceLinks", keep=True), 31: s("preemptionPolicy", keep=True),
}
POD_TEMPLATE_SPEC: Table = {1: m("metadata", OBJECT_META), 2: m("spec", POD_SPEC)}
NAMESPACE: Table = {
    1: m("metadata", OBJECT_META), 2: m("spec", {1: strings("finalizers")}),
    3: m("status", {1: s("phase"), 2: m("conditions", CONDITION, repeated=True)}),
}
SECRET: Table = {
    1: m("metadata", OBJECT_META), 2: map_of("data", "bytes"), 3: s("type"), 4: map_of("stringData"),
    5: b("immutable", keep=True),
}
CONFIG_MAP: Table = {
    1: m("metadata", OBJECT_META), 2: map_of("data"), 3: map_of("binaryData", "bytes"), 4: b("immutable", keep=True),
}
SERVICE_ACCOUNT: Table = {
    1: m("metadata", OBJECT_META), 2: m("secrets", OBJECT_REFERENCE, repeated=True),
    3: m("imagePullSecrets", LOCAL_OBJECT_REFERENCE, repeated=True),
    4: b("automountServiceAccountToken", keep=True),
}
SERVICE_PORT: Table = {
    1: s("name"), 2: s("protocol"), 3: i("port", keep=True), 4: special("targetPort", "int-or-string"),
    5: i("nodePort"), 6: s("appProtocol", keep=True),
}
LOAD_BALANCER_STATUS: Table = {
    1: m("ingress", {1: s("ip"), 2: s("hostname"), 3: s("ipMode", keep=True)}, repeated=True),
}
SERVICE: Table = {
    1: m("metadata", OBJECT_META),
    2: m("spec", {
        1: m("ports", SERVICE_PORT, repeated=True), 2: map_of("selector"), 3: s("clusterIP"), 4: s("type"),
        5: strings("externalIPs"), 7: s("sessionAffinity"), 8: s("loadBalancerIP"),
        9: strings("loadBalancerSourceRanges"), 10: s("externalName"), 11: s("externalTrafficPolicy"),
        12: i("healthCheckNodePort"), 13: b("publishNotReadyAddresses"), 17: s("ipFamilyPolicy", keep=True),
        18: strings("clusterIPs"), 19: strings("ipFamilies"), 20: b("allocateLoadBalancerNodePorts", keep=True),
        21: s("loadBalancerClass", keep=True), 22: s("internalTrafficPolicy", keep=True),
        23: s("trafficDistribution", keep=True),
    }),
    3: m("status", {1: m("loadBalancer", LOAD_BALANCER_STATUS), 2: m("conditions", CONDITION, repeated=True)}),
}
RESOURCE_QUOTA: Table = {
    1: m("metadata", OBJECT_META),
    2: m("spec", {
        1: map_of("hard", "quantity"), 2: strings("scopes"),
        3: m("scopeSelector", {1: m("matchExpressions", {
            1: s("scopeName", keep=True), 2: s("operator", keep=True), 3: strings("values"),
        }, repeated=True)}),
    }),
    3: m("status", {1: map_of("hard", "quantity"), 2: map_of("used", "quantity")}),
}

# apps/v1
DEPLOYMENT: Table = {
    1: m("metadata", OBJECT_META),
    2: m("spec", {
        1: i("replicas", keep=True), 2: m("selector", LABEL_SELECTOR), 3: m("template", POD_TEMPLATE_SPEC),
        4: m("strategy", {1: s("type"), 2: m("rollingUpdate", {
            1: special("maxUnavailable", "int-or-string"), 2: special("maxSurge", "int-or-string"),
        })}),
        5: i("minReadySeconds"), 6: i("revisionHistoryLimit", keep=True), 7: b("paused"),
        9: i("progressDeadlineSeconds", keep=True),
    }),
    3: m("status", {
        1: i("observedGeneration"), 2: i("replicas"), 3: i("updatedReplicas"), 4: i("availableReplicas"),
        5: i("unavailableReplicas"), 6: m("conditions", {
            1: s("type", keep=True), 2: s("status", keep=True), 3: s("reason"), 4: s("message"),
            5: special("lastUpdateTime", "time"), 6: special("lastTransitionTime", "time"),
        }, repeated=True), 7: i("readyReplicas"), 8: i("collisionCount", keep=True),
        9: i("terminatingReplicas", keep=True),
    }),
}

# batch/v1
JOB_SPEC: Table = {
    1: i("parallelism", keep=True), 2: i("completions", keep=True), 3: i("activeDeadlineSeconds", keep=True),
    4: m("selector", LABEL_SELECTOR), 5: b("manualSelector", keep=True), 6: m("template", POD_TEMPLATE_SPEC),
    7: i("backoffLimit", keep=True), 8: i("ttlSecondsAfterFinished", keep=True), 9: s("completionMode", keep=True),
    10: b("suspend", keep=True), 12: i("backoffLimitPerIndex", keep=True), 13: i("maxFailedIndexes", keep=True),
    14: s("podReplacementPolicy", keep=True), 15: s("managedBy", keep=True),
}
JOB_STATUS: Table = {
    2: special("startTime", "time"), 3: special("completionTime", "time"), 4: i("active"), 5: i("succeeded"),
    6: i("failed"), 7: s("completedIndexes"), 8: s("failedIndexes", keep=True), 9: i("ready", keep=True),
    11: i("terminating", keep=True),
}
JOB: Table = {1: m("metadata", OBJECT_META), 2: m("spec", JOB_SPEC), 3: m("status", JOB_STATUS)}
CRON_JOB: Table = {
    1: m("metadata", OBJECT_META),
    2: m("spec", {
        1: s("schedule", keep=True), 2: i("startingDeadlineSeconds", keep=True), 3: s("concurrencyPolicy"),
        4: b("suspend", keep=True), 5: m("jobTemplate", {1: m("metadata", OBJECT_META), 2: m("spec", JOB_SPEC)}),
        6: i("successfulJobsHistoryLimit", keep=True), 7: i("failedJobsHistoryLimit", keep=True),
        8: s("timeZone", keep=True),
    }),
    3: m("status", {
        1: m("active", OBJECT_REFERENCE, repeated=True), 4: special("lastScheduleTime", "time"),
        5: special("lastSuccessfulTime", "time"),
    }),
}

# rbac.authorization.k8s.io/v1
POLICY_RULE: Table = {
    1: strings("verbs", keep=True), 2: strings("apiGroups"), 3: strings("resources"), 4: strings("resourceNames"),
    5: strings("nonResourceURLs"),
}
ROLE: Table = {1: m("metadata", OBJECT_META), 2: m("rules", POLICY_RULE, repeated=True, keep=True)}
CLUSTER_ROLE: Table = {
    **ROLE, 3: m("aggregationRule", {1: m("clusterRoleSelectors", LABEL_SELECTOR, repeated=True)}),
}
ROLE_BINDING: Table = {
    1: m("metadata", OBJECT_META),
    2: m("subjects", {1: s("kind", keep=True), 2: s("apiGroup"), 3: s("name", keep=True), 4: s("namespace")},
         repeated=True),
    3: m("roleRef", {1: s("apiGroup", keep=True), 2: s("kind", keep=True), 3: s("name", keep=True)}),
}

# scheduling.k8s.io/v1
PRIORITY_CLASS: Table = {
    1: m("metadata", OBJECT_META), 2: i("value", keep=True), 3: b("globalDefault"), 4: s("description"),
    5: s("preemptionPolicy", keep=True),
}

# policy/v1
POD_DISRUPTION_BUDGET: Table = {
    1: m("metadata", OBJECT_META),
    2: m("spec", {
        1: special("minAvailable", "int-or-string"), 2: m("selector", LABEL_SELECTOR),
        3: special("maxUnavailable", "int-or-string"), 4: s("unhealthyPodEvictionPolicy", keep=True),
    }),
    3: m("status", {
        1: i("observedGeneration"), 2: map_of("disruptedPods", "time"), 3: i("disruptionsAllowed", keep=True),
        4: i("currentHealthy", keep=True), 5: i("desiredHealthy", keep=True), 6: i("expectedPods", keep=True),
        7: m("conditions", CONDITION, repeated=True),
    }),
}

# networking.k8s.io/v1
INGRESS_BACKEND: Table = {
    3: m("resource", {1: s("apiGroup", keep=True), 2: s("kind", keep=True), 3: s("name", keep=True)}),
    4: m("service", {1: s("name", keep=True), 2: m("port", {1: s("name"), 2: i("number")})}),
}
INGRESS: Table = {
    1: m("metadata", OBJECT_META),
    2: m("spec", {
        1: m("defaultBackend", INGRESS_BACKEND),
        2: m("tls", {1: strings("hosts"), 2: s("secretName")}, repeated=True),
        3: m("rules", {1: s("host"), 2: m("", {1: m("http", {1: m("paths", {
            1: s("path"), 2: m("backend", INGRESS_BACKEND), 3: s("pathType", keep=True),
        }, repeated=True, keep=True)})}, inline=True)}, repeated=True),
        4: s("ingressClassName", keep=True),
    }),
    3: m("status", {1: m("loadBalancer", {1: m("ingress", {
        1: s("ip"), 2: s("hostname"), 4: m("ports", {1: i("port", keep=True), 2: s("protocol", keep=True),
                                                       3: s("error", keep=True)}, repeated=True),
    }, repeated=True)})}),
}

# authentication.k8s.io/v1, sent by ``kubectl create token`` to serviceaccounts/<name>/token
TOKEN_REQUEST: Table = {
    1: m("metadata", OBJECT_META),
    2: m("spec", {
        1: strings("audiences", keep=True), 4: i("expirationSeconds", keep=True),
        3: m("boundObjectRef", {1: s("kind"), 2: s("apiVersion"), 3: s("name"), 4: s("uid")}),
    }),
    3: m("status", {1: s("token", keep=True), 2: special("expirationTimestamp", "time")}),
}

KINDS: Mapping[tuple[str, str], Table] = {
    ("v1", "Namespace"): NAMESPACE,
    ("v1", "Secret"): SECRET,
    ("v1", "ConfigMap"): CONFIG_MAP,
    ("v1", "ServiceAccount"): SERVICE_ACCOUNT,
    ("v1", "Service"): SERVICE,
    ("v1", "ResourceQuota"): RESOURCE_QUOTA,
    ("apps/v1", "Deployment"): DEPLOYMENT,
    ("batch/v1", "Job"): JOB,
    ("batch/v1", "CronJob"): CRON_JOB,
    ("rbac.authorization.k8s.io/v1", "Role"): ROLE,
    ("rbac.authorization.k8s.io/v1", "ClusterRole"): CLUSTER_ROLE,
    ("rbac.authorization.k8s.io/v1", "RoleBinding"): ROLE_BINDING,
    ("rbac.authorization.k8s.io/v1", "ClusterRoleBinding"): ROLE_BINDING,
    ("scheduling.k8s.io/v1", "PriorityClass"): PRIORITY_CLASS,
    ("policy/v1", "PodDisruptionBudget"): POD_DISRUPTION_BUDGET,
    ("networking.k8s.io/v1", "Ingress"): INGRESS,
    ("authentication.k8s.io/v1", "TokenRequest"): TOKEN_REQUEST,
}


# --- decoding ----------------------------------------------------------------------------------------------


def decode(body: bytes) -> JSON:
    """The JSON object carried by a Kubernetes protobuf body, with ``apiVersion`` and ``kind`` from its envelope."""
    if not body.startswith(MAGIC):
        raise errors.bad_request("the protobuf body does not start with the Kubernetes magic number k8s\\x00")
    try:
        api_version, kind, raw, encoding = _envelope(body[len(MAGIC) :])
    except ValueError as error:
        raise errors.bad_request(f"malformed protobuf body: {error}") from error
    if not kind:
        raise errors.bad_request("the protobuf body names no kind in its envelope")
    if encoding:
        raise errors.unsupported_media_type(f"protobuf content encoding {encoding!r} is not supported")
    table = KINDS.get((api_version, kind))
    if table is None:
        raise errors.unsupported_media_type(
            f"this server cannot decode a protobuf body for {api_version}, Kind={kind}; send it as JSON instead: "
            "kubectl create ... --dry-run=client -o yaml | kubectl apply -f -"
        )
    try:
        return {"apiVersion": api_version, "kind": kind, **_message(raw, table)}
    except (ValueError, UnicodeDecodeError) as error:
        raise errors.bad_request(f"malformed protobuf body for {kind}: {error}") from error


def _envelope(buf: bytes) -> tuple[str, str, bytes, str]:
    # runtime.Unknown {1: TypeMeta {1: apiVersion, 2: kind}, 2: raw, 3: contentEncoding, 4: contentType}
    type_meta: JSON = {}
    raw, encoding = b"", ""
    for number, wire, value in read_fields(buf):
        if number == 1:
            type_meta = _message(_bytes(wire, value), {1: s("apiVersion"), 2: s("kind")})
        elif number == 2:
            raw = _bytes(wire, value)
        elif number == 3:
            encoding = _bytes(wire, value).decode("utf-8")
    return type_meta.get("apiVersion", ""), type_meta.get("kind", ""), raw, encoding


def _message(buf: bytes, table: Table) -> JSON:
    out: JSON = {}
    for number, wire, value in read_fields(buf):
        field = table.get(number)
        if field is not None:  # unknown fields are skipped, as newer senders may add some
            _put(out, field=field, wire=wire, value=value)
    for field in table.values():
        if field.repeated and field.keep_zero:
            out.setdefault(field.name, None)
    return out


def _put(out: JSON, *, field: Field, wire: int, value: int | bytes) -> None:
    if field.kind == "map":
        assert field.value is not None
        key, item = _map_entry(_bytes(wire, value), field.value)
        out.setdefault(field.name, {})[key] = item
    elif field.repeated:
        out.setdefault(field.name, []).append(_value(field, wire=wire, value=value))
    elif field.inline:
        out.update(_value(field, wire=wire, value=value))
    else:
        item = _value(field, wire=wire, value=value)
        # Messages and the special types are Go structs, which encoding/json never omits.
        if field.keep_zero or field.kind not in ("string", "int", "bool", "bytes") or item not in ("", 0, False):
            out[field.name] = item
        else:  # a later zero overrides an earlier value, as in protobuf
            out.pop(field.name, None)


def _map_entry(buf: bytes, value_field: Field) -> tuple[str, Any]:
    # A map entry is a message {1: key, 2: value}; a missing part is the zero value of its type.
    key, item = "", _value(value_field, wire=LENGTH, value=b"")
    for number, wire, value in read_fields(buf):
        if number == 1:
            key = _bytes(wire, value).decode("utf-8")
        elif number == 2:
            item = _value(value_field, wire=wire, value=value)
    return key, item


def _value(field: Field, *, wire: int, value: int | bytes) -> Any:
    kind = field.kind
    if kind == "int":
        return _signed(_int(wire, value))
    if kind == "bool":
        return _int(wire, value) != 0
    data = _bytes(wire, value)
    if kind == "string":
        return data.decode("utf-8")
    if kind == "bytes":
        return base64.b64encode(data).decode("ascii")
    if kind == "message":
        assert field.table is not None
        return _message(data, field.table)
    return _SPECIAL[kind](data)


def _int(wire: int, value: int | bytes) -> int:
    if wire != VARINT or not isinstance(value, int):
        raise ValueError(f"expected a varint, got wire type {wire}")
    return value


def _bytes(wire: int, value: int | bytes) -> bytes:
    if wire != LENGTH or not isinstance(value, bytes):
        raise ValueError(f"expected a length-delimited field, got wire type {wire}")
    return value


def _time(buf: bytes) -> str | None:
    # metav1.Time {1: seconds, 2: nanos}; the zero time marshals to JSON null, e.g. ``creationTimestamp: null``.
    parts = _message(buf, {1: i("seconds"), 2: i("nanos")})
    seconds = parts.get("seconds", 0)
    if not seconds and not parts.get("nanos"):
        return None
    moment = datetime.datetime.fromtimestamp(seconds, tz=datetime.UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")  # RFC 3339 at second precision, as metav1.Time marshals


def _int_or_string(buf: bytes) -> int | str:
    # intstr.IntOrString {1: type (0 int, 1 string), 2: intVal, 3: strVal}
    parts = _message(buf, {1: i("type"), 2: i("intVal"), 3: s("strVal")})
    return str(parts.get("strVal", "")) if parts.get("type") == 1 else int(parts.get("intVal", 0))


def _quantity(buf: bytes) -> str:
    # resource.Quantity {1: string}, already in canonical form
    return str(_message(buf, {1: s("string")}).get("string", ""))


def _raw_json(buf: bytes) -> Any:
    # metav1.FieldsV1 {1: Raw}: the raw bytes are JSON
    raw = b"".join(_bytes(wire, value) for number, wire, value in read_fields(buf) if number == 1)
    return json.loads(raw) if raw else None


_SPECIAL = {"time": _time, "int-or-string": _int_or_string, "quantity": _quantity, "raw-json": _raw_json}
