"""The Kubernetes types kubectl sends as protobuf, as declarative field tables: field number -> JSON member.

Each table gives an object the JSON form its Go type would marshal to; ``KINDS`` names the table for each
(apiVersion, kind). Read by ``apiserver.protobuf``'s decoder; the tables hold no decoding logic.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Literal

Scalar = Literal["string", "int", "bool", "bytes"]
Special = Literal["time", "int-or-string", "quantity", "raw-json"]


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
