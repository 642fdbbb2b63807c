"""Tests for apiserver.protobuf: the wire-facts body, hand-encoded bodies, and bodies recorded from kubectl."""

from __future__ import annotations

import contextlib
import http.server
import json
import os
import shutil
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from apiserver import errors, protobuf
from tests.support import databases

# --- a small encoder for the tests ------------------------------------------------------------------------------


def _varint(value: int) -> bytes:
    value &= (1 << 64) - 1  # negative int32/int64 are sent as 64-bit two's complement
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        out.append(byte | (0x80 if value else 0))
        if not value:
            return bytes(out)


def num(number: int, value: int | bool) -> bytes:
    return _varint(number << 3) + _varint(int(value))


def string(number: int, value: str | bytes) -> bytes:
    data = value.encode() if isinstance(value, str) else value
    return _varint(number << 3 | 2) + _varint(len(data)) + data


def msg(number: int, *parts: bytes) -> bytes:
    return string(number, b"".join(parts))


def entry(number: int, key: str, value: str | bytes) -> bytes:
    return msg(number, string(1, key), string(2, value))


def envelope(api_version: str, kind: str, *parts: bytes) -> bytes:
    type_meta = msg(1, string(1, api_version), string(2, kind))
    return b"k8s\x00" + type_meta + msg(2, *parts) + string(3, "") + string(4, "")


def meta(name: str | bytes, *extra: bytes) -> bytes:
    # Go always sends its non-pointer fields, so the empty creationTimestamp {} arrives as in the real bodies.
    return msg(1, string(1, name), string(2, ""), string(3, ""), num(7, 0), msg(8), *extra)


# --- the wire-facts body ---------------------------------------------------------------------------------------

# kubectl 1.32 `create secret generic my-secret --from-literal=a=b` (kubectl-wire-facts.md §6.9)
SECRET_BODY = bytes.fromhex(
    "6b387300"
    "0a0c0a0276311206536563726574"
    "1225"
    "0a190a096d792d7365637265741200 1a00 2200 2a00 3200 3800 4200"
    "12060a0161120162"
    "1a00"
    "1a00 2200".replace(" ", "")
)


def test_decodes_the_secret_kubectl_sends() -> None:
    assert protobuf.decode(SECRET_BODY) == {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {"name": "my-secret", "creationTimestamp": None},
        "data": {"a": "Yg=="},
    }


def test_omits_the_empty_secret_type_so_the_server_defaults_it() -> None:
    # kubectl sends type "" for a generic secret; Secret.type is `omitempty`, so JSON has no type at all.
    assert "type" not in protobuf.decode(SECRET_BODY)


# --- hand-encoded bodies --------------------------------------------------------------------------------------


def test_decodes_a_namespace_with_labels_and_finalizers() -> None:
    body = envelope(
        "v1", "Namespace",
        meta("dev", entry(11, "team", "a"), entry(11, "env", "dev"), entry(12, "note", "")),
        msg(2, string(1, "kubernetes")),
        msg(3),
    )
    assert protobuf.decode(body) == {
        "apiVersion": "v1",
        "kind": "Namespace",
        "metadata": {
            "name": "dev", "creationTimestamp": None,
            "labels": {"team": "a", "env": "dev"}, "annotations": {"note": ""},
        },
        "spec": {"finalizers": ["kubernetes"]},
        "status": {},
    }


def test_decodes_a_configmap_with_text_and_binary_data() -> None:
    body = envelope(
        "v1", "ConfigMap",
        meta("cm"), entry(2, "a", "b"), entry(2, "empty", ""), entry(3, "bin", b"\x00\xff"), num(4, True),
    )
    assert protobuf.decode(body) == {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": "cm", "creationTimestamp": None},
        "data": {"a": "b", "empty": ""},
        "binaryData": {"bin": "AP8="},
        "immutable": True,
    }


def _container(name: str, image: str) -> bytes:
    return msg(
        2, string(1, name), string(2, image), string(3, "sh"), string(3, "-c"), string(4, "sleep 1"),
        msg(6, string(1, ""), num(2, 0), num(3, 80), string(4, "TCP")),
        msg(7, string(1, "MODE"), string(2, "dev")),
        msg(8, entry(1, "cpu", string(1, "500m")), entry(2, "memory", string(1, "64Mi"))),
        string(14, "IfNotPresent"),
    )


def test_decodes_a_deployment_with_template_selector_and_replicas() -> None:
    selector = msg(2, entry(1, "app", "web"))
    template = msg(3, meta("", entry(11, "app", "web")), msg(2, _container("nginx", "nginx:1.27"), string(3, "")))
    strategy = msg(4, string(1, "RollingUpdate"), msg(2, msg(1, num(1, 1), string(3, "25%")), msg(2, num(2, 2))))
    body = envelope("apps/v1", "Deployment", meta("web", entry(11, "app", "web")),
                    msg(2, num(1, 3), selector, template, strategy, num(5, 0)), msg(3))
    assert protobuf.decode(body) == {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "web", "creationTimestamp": None, "labels": {"app": "web"}},
        "spec": {
            "replicas": 3,
            "selector": {"matchLabels": {"app": "web"}},
            "template": {
                "metadata": {"creationTimestamp": None, "labels": {"app": "web"}},
                "spec": {
                    "containers": [{
                        "name": "nginx",
                        "image": "nginx:1.27",
                        "command": ["sh", "-c"],
                        "args": ["sleep 1"],
                        "ports": [{"containerPort": 80, "protocol": "TCP"}],
                        "env": [{"name": "MODE", "value": "dev"}],
                        "resources": {"limits": {"cpu": "500m"}, "requests": {"memory": "64Mi"}},
                        "imagePullPolicy": "IfNotPresent",
                    }],
                },
            },
            "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": "25%", "maxSurge": 2}},
        },
        "status": {},
    }


def test_keeps_zero_replicas_because_the_field_is_a_pointer() -> None:
    body = envelope("apps/v1", "Deployment", meta("web"), msg(2, num(1, 0)))
    assert protobuf.decode(body)["spec"] == {"replicas": 0}


def test_decodes_a_service_with_ports_and_selector() -> None:
    ports = [
        msg(1, string(1, "http"), string(2, "TCP"), num(3, 80), msg(4, num(1, 0), num(2, 8080), string(3, ""))),
        msg(1, string(1, "web"), string(2, "TCP"), num(3, 443), msg(4, num(1, 1), num(2, 0), string(3, "https")),
            num(5, 30443)),
    ]
    spec = msg(2, *ports, entry(2, "app", "web"), string(3, "None"), string(4, "NodePort"), string(10, ""))
    body = envelope("v1", "Service", meta("svc", msg(9, num(1, 1_700_000_000), num(2, 0))), spec, msg(3, msg(1)))
    assert protobuf.decode(body) == {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": "svc", "creationTimestamp": None, "deletionTimestamp": "2023-11-14T22:13:20Z"},
        "spec": {
            "ports": [
                {"name": "http", "protocol": "TCP", "port": 80, "targetPort": 8080},
                {"name": "web", "protocol": "TCP", "port": 443, "targetPort": "https", "nodePort": 30443},
            ],
            "selector": {"app": "web"},
            "clusterIP": "None",
            "type": "NodePort",
        },
        "status": {"loadBalancer": {}},
    }


def test_decodes_negative_integers() -> None:
    body = envelope("scheduling.k8s.io/v1", "PriorityClass", meta("low"), num(2, -5))
    assert protobuf.decode(body)["value"] == -5


def test_skips_unknown_fields_of_every_wire_type() -> None:
    fixed64 = _varint(90 << 3 | 1) + b"\x01" * 8
    fixed32 = _varint(91 << 3 | 5) + b"\x02" * 4
    body = envelope("v1", "Namespace", meta("ns", num(92, 7), string(93, "future"), fixed64, fixed32), num(94, 1))
    assert protobuf.decode(body) == {
        "apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "ns", "creationTimestamp": None},
    }


def test_rejects_a_kind_without_table_with_the_dry_run_workaround() -> None:
    with pytest.raises(errors.ApiError) as caught:
        protobuf.decode(envelope("v1", "Pod", meta("p")))
    assert caught.value.code == 415
    assert caught.value.reason == "UnsupportedMediaType"
    assert "kubectl create ... --dry-run=client -o yaml | kubectl apply -f -" in caught.value.message


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(b'{"kind":"Secret"}', id="json-not-protobuf"),
        pytest.param(SECRET_BODY[:-5], id="truncated"),
        pytest.param(b"k8s\x00" + b"\xff" * 11, id="overlong-varint"),
        pytest.param(envelope("v1", "Secret", num(1, 5)), id="metadata-as-varint"),
        pytest.param(envelope("v1", "Secret", meta(b"\xff\xfe")), id="invalid-utf8"),
        pytest.param(b"k8s\x00", id="empty-envelope"),
    ],
)
def test_rejects_a_malformed_body_as_bad_request(body: bytes) -> None:
    with pytest.raises(errors.ApiError) as caught:
        protobuf.decode(body)
    assert caught.value.code == 400


# --- bodies recorded from kubectl --------------------------------------------------------------------------------

KUBECTL_DIR = Path("/usr/lib/google-cloud-sdk/bin")

GROUPS: dict[str, list[tuple[str, str, bool]]] = {
    "v1": [
        ("namespaces", "Namespace", False), ("secrets", "Secret", True), ("configmaps", "ConfigMap", True),
        ("services", "Service", True), ("serviceaccounts", "ServiceAccount", True),
        ("resourcequotas", "ResourceQuota", True), ("pods", "Pod", True),
    ],
    "apps/v1": [("deployments", "Deployment", True)],
    "batch/v1": [("jobs", "Job", True), ("cronjobs", "CronJob", True)],
    "rbac.authorization.k8s.io/v1": [
        ("roles", "Role", True), ("rolebindings", "RoleBinding", True), ("clusterroles", "ClusterRole", False),
        ("clusterrolebindings", "ClusterRoleBinding", False),
    ],
    "scheduling.k8s.io/v1": [("priorityclasses", "PriorityClass", False)],
    "policy/v1": [("poddisruptionbudgets", "PodDisruptionBudget", True)],
    "networking.k8s.io/v1": [("ingresses", "Ingress", True)],
}

# A CronJob whose job template uses most PodSpec fields: `create job --from=cronjob/rich` copies it into a Job
# that kubectl encodes itself, which checks the field numbers that no generator flag reaches.
RICH_CRONJOB: dict[str, Any] = {
    "apiVersion": "batch/v1", "kind": "CronJob",
    "metadata": {"name": "rich", "namespace": "default", "uid": "u-1"},
    "spec": {"schedule": "* * * * *", "jobTemplate": {"metadata": {"labels": {"t": "1"}}, "spec": {
        "parallelism": 2, "completions": 4, "activeDeadlineSeconds": 100, "backoffLimit": 0,
        "ttlSecondsAfterFinished": 30, "completionMode": "Indexed", "suspend": False, "backoffLimitPerIndex": 1,
        "maxFailedIndexes": 2, "podReplacementPolicy": "Failed", "manualSelector": True,
        "managedBy": "kubernetes.io/job-controller",
        "selector": {"matchLabels": {"a": "b"}, "matchExpressions": [{"key": "k", "operator": "In", "values": ["v"]}]},
        "template": {"metadata": {"labels": {"a": "b"}, "annotations": {"x": "y"}}, "spec": {
            "volumes": [
                {"name": "v1", "emptyDir": {"medium": "Memory", "sizeLimit": "1Gi"}},
                {"name": "v2", "secret": {"secretName": "s", "items": [{"key": "k", "path": "p", "mode": 256}],
                                          "defaultMode": 420, "optional": True}},
                {"name": "v3", "configMap": {"name": "cm", "items": [{"key": "k", "path": "p"}], "optional": False}},
                {"name": "v4", "hostPath": {"path": "/x", "type": "Directory"}},
                {"name": "v5", "persistentVolumeClaim": {"claimName": "c", "readOnly": True}},
            ],
            "initContainers": [{"name": "init", "image": "busybox", "restartPolicy": "Always"}],
            "containers": [{
                "name": "c", "image": "img", "command": ["a"], "args": ["b", "c"], "workingDir": "/w",
                "ports": [
                    {"name": "http", "hostPort": 8080, "containerPort": 80, "protocol": "UDP", "hostIP": "1.2.3.4"},
                ],
                "env": [
                    {"name": "A", "value": "1"},
                    {"name": "B", "valueFrom": {"fieldRef": {"apiVersion": "v1", "fieldPath": "metadata.name"}}},
                    {"name": "C", "valueFrom": {"resourceFieldRef": {"resource": "limits.cpu", "divisor": "1m"}}},
                    {"name": "D", "valueFrom": {"configMapKeyRef": {"name": "cm", "key": "k", "optional": True}}},
                    {"name": "E", "valueFrom": {"secretKeyRef": {"name": "s", "key": "k"}}},
                ],
                "envFrom": [{"prefix": "P_", "configMapRef": {"name": "cm"}}, {"secretRef": {"name": "s"}}],
                "resources": {"limits": {"cpu": "500m"}, "requests": {"cpu": "250m"}, "claims": [{"name": "gpu"}]},
                "volumeMounts": [
                    {"name": "v1", "readOnly": True, "mountPath": "/m", "subPath": "sp", "mountPropagation": "None",
                     "recursiveReadOnly": "Disabled"},
                    {"name": "v2", "mountPath": "/n", "subPathExpr": "$(A)"},
                ],
                "terminationMessagePath": "/dev/tl", "terminationMessagePolicy": "FallbackToLogsOnError",
                "imagePullPolicy": "Always", "stdin": True, "stdinOnce": True, "tty": True,
            }],
            "restartPolicy": "Never", "terminationGracePeriodSeconds": 5, "activeDeadlineSeconds": 60,
            "dnsPolicy": "ClusterFirst", "nodeSelector": {"disk": "ssd"}, "serviceAccountName": "sa",
            "serviceAccount": "sa", "nodeName": "n1", "hostNetwork": True, "hostPID": True, "hostIPC": True,
            "imagePullSecrets": [{"name": "reg"}], "hostname": "h", "subdomain": "sd", "schedulerName": "sched",
            "automountServiceAccountToken": False,
            "tolerations": [{"key": "k", "operator": "Equal", "value": "v", "effect": "NoExecute",
                             "tolerationSeconds": 30}, {"operator": "Exists"}],
            "priorityClassName": "pc", "priority": 7, "runtimeClassName": "rc", "enableServiceLinks": False,
            "preemptionPolicy": "Never",
        }},
    }}},
}


class _RecordingApiServer(http.server.BaseHTTPRequestHandler):
    """Legacy discovery, GET of the fixtures in ``objects``, and a 415 for each POST after recording its body."""

    posts: list[tuple[str, bytes]]
    objects: dict[str, dict[str, Any]]

    def do_GET(self) -> None:
        path = self.path.split("?")[0]
        if path == "/api":
            return self._send(200, {"kind": "APIVersions", "versions": ["v1"]})
        if path == "/apis":
            return self._send(200, {"kind": "APIGroupList", "apiVersion": "v1", "groups": [
                {"name": gv.split("/")[0], "versions": [{"groupVersion": gv, "version": "v1"}],
                 "preferredVersion": {"groupVersion": gv, "version": "v1"}} for gv in GROUPS if gv != "v1"]})
        for gv, resources in GROUPS.items():
            if path == ("/api/v1" if gv == "v1" else f"/apis/{gv}"):
                return self._send(200, {"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": gv,
                                        "resources": [{"name": plural, "singularName": kind.lower(),
                                                       "namespaced": namespaced, "kind": kind,
                                                       "verbs": ["create", "get", "list"]}
                                                      for plural, kind, namespaced in resources]})
        if path in self.objects:
            return self._send(200, self.objects[path])
        return self._send(404, {"kind": "Status", "apiVersion": "v1", "status": "Failure", "reason": "NotFound",
                                "code": 404, "message": "not found"})

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        self.posts.append((self.headers.get("Content-Type", ""), body))
        self._send(415, {"kind": "Status", "apiVersion": "v1", "status": "Failure",
                         "reason": "UnsupportedMediaType", "code": 415, "message": "recorded"})

    def _send(self, code: int, body: dict[str, Any]) -> None:
        data = json.dumps(body).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: object) -> None:
        pass


class Kubectl:
    """Runs one kubectl version against a recording server, for the protobuf body and the dry-run JSON."""

    def __init__(self, binary: Path, *, url: str, posts: list[tuple[str, bytes]], home: Path) -> None:
        self.binary, self.url, self.posts, self.home = binary, url, posts, home

    def _run(self, args: list[str]) -> subprocess.CompletedProcess[str]:
        env = {"HOME": str(self.home), "KUBECACHEDIR": str(self.home / "cache"), "PATH": os.environ.get("PATH", "")}
        return subprocess.run([str(self.binary), f"--server={self.url}", "-n", "default", *args],
                              capture_output=True, text=True, timeout=60, check=False, env=env)

    def body(self, args: list[str]) -> bytes:
        self.posts.clear()
        result = self._run(args)
        assert len(self.posts) == 1, result.stderr
        content_type, body = self.posts[0]
        assert content_type == protobuf.PROTOBUF
        return body

    def dry_run(self, args: list[str]) -> dict[str, Any]:
        cut = args.index("--") if "--" in args else len(args)
        result = self._run([*args[:cut], "--dry-run=client", "-o", "json", *args[cut:]])
        assert result.returncode == 0, result.stderr
        return dict(json.loads(result.stdout))


@contextlib.contextmanager
def _kubectl(version: str, tmp_path: Path) -> Iterator[Kubectl]:
    binary = KUBECTL_DIR / f"kubectl.{version}"
    if not binary.exists() and shutil.which(binary.name) is None:
        databases.unavailable(binary.name, "not installed")  # skips, or fails under CI=true
    posts: list[tuple[str, bytes]] = []
    objects = {"/apis/batch/v1/namespaces/default/cronjobs/rich": RICH_CRONJOB}
    handler = type("Handler", (_RecordingApiServer,), {"posts": posts, "objects": objects})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}"
        yield Kubectl(binary if binary.exists() else Path(binary.name), url=url, posts=posts, home=tmp_path)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


GENERATORS = [
    "create namespace foo",
    "create secret generic my-secret --from-literal=a=b --from-literal=empty=",
    "create secret generic auth --type=kubernetes.io/basic-auth --from-literal=username=u --from-literal=password=p",
    "create secret docker-registry reg --docker-server=r.io --docker-username=u --docker-password=p",
    "create configmap cm --from-literal=a=b --from-literal=x=yz",
    "create deployment web --image=nginx:1.27 --port=80 --replicas=3 -- sh -c sleep",
    "create deployment two --image=a --image=b --replicas=0",
    "create service clusterip svc --tcp=5678:8080 --tcp=443",
    "create service clusterip headless --clusterip=None",
    "create service nodeport np --tcp=80:8080 --node-port=30080",
    "create service loadbalancer lb --tcp=80:http",
    "create service externalname ext --external-name=example.com",
    "create serviceaccount sa",
    "create role r --verb=get,list --resource=pods,deployments.apps --resource-name=x",
    "create rolebinding rb --role=r --user=bob --group=devs --serviceaccount=ns1:sa1",
    "create clusterrole cr --verb=get --non-resource-url=/healthz",
    "create clusterrole agg --aggregation-rule=rbac.example.com/aggregate=true",
    "create clusterrolebinding crb --clusterrole=cr --user=alice",
    "create job j --image=busybox -- echo hi",
    "create job copy --from=cronjob/rich",
    "create cronjob cj --image=busybox --schedule=*/5 --restart=OnFailure -- date",
    "create priorityclass pc --value=1000 --description=high --global-default=true --preemption-policy=Never",
    "create priorityclass zero --value=0",
    "create quota q --hard=cpu=1,memory=1G,pods=2 --scopes=BestEffort",
    "create poddisruptionbudget pdb --selector=app=x --min-available=50%",
    "create poddisruptionbudget pdb2 --selector=app=x --max-unavailable=1",
    "create ingress ing --class=nginx --rule=foo.com/bar*=svc:8080,tls=sec --default-backend=defsvc:http",
]


@pytest.mark.kubectl
@pytest.mark.parametrize("command", GENERATORS)
def test_decodes_what_kubectl_sends_as_its_own_dry_run_json(command: str, tmp_path: Path) -> None:
    args = command.split()
    with _kubectl("1.32", tmp_path) as kubectl:
        body = kubectl.body(args)
        assert protobuf.decode(body) == kubectl.dry_run(args)


@pytest.mark.kubectl
def test_decodes_what_kubectl_1_33_sends(tmp_path: Path) -> None:
    args = ["create", "secret", "generic", "s", "--from-literal=k=v"]
    with _kubectl("1.33", tmp_path) as kubectl:
        assert protobuf.decode(kubectl.body(args)) == kubectl.dry_run(args)


@pytest.mark.kubectl
def test_decodes_the_token_request_of_kubectl_create_token(tmp_path: Path) -> None:
    args = ["create", "token", "sa", "--duration=1h", "--audience=x", "--bound-object-kind=Secret",
            "--bound-object-name=s", "--bound-object-uid=123"]
    with _kubectl("1.32", tmp_path) as kubectl:
        decoded = protobuf.decode(kubectl.body(args))
    assert decoded == {
        "apiVersion": "authentication.k8s.io/v1",
        "kind": "TokenRequest",
        "metadata": {"creationTimestamp": None},
        "spec": {
            "audiences": ["x"],
            "expirationSeconds": 3600,
            "boundObjectRef": {"kind": "Secret", "apiVersion": "v1", "name": "s", "uid": "123"},
        },
        "status": {"token": "", "expirationTimestamp": None},
    }
