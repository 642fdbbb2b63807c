"""kube-controller-manager and kube-scheduler: Deployments with Gardener's flags, their kubeconfigs and serving
certificates mounted, headless metrics Services and PodDisruptionBudgets (plus the scheduler's ConfigMap).

Called by the seed agent's "Deploying Kubernetes controller manager / scheduler" steps. Both reach the shoot's
kube-apiserver at ``https://kube-apiserver`` with the client certificate in ``shoot-access-<component>``; only
the controller manager mounts signing keys (the current ``ca-client`` and ``ca-kubelet``, and the
service-account key). A workerless shoot has no scheduler.
"""

from __future__ import annotations

import yaml

from shoot.controlplane import common
from shoot.controlplane.common import JSON
from shoot.controlplane.spec import ControlPlane
from shoot.pki import catalog

KCM, SCHEDULER = "kube-controller-manager", "kube-scheduler"
KCM_PORT, SCHEDULER_PORT = 10257, 10259
KUBECONFIG_DIR = "/var/run/secrets/gardener.cloud/shoot/generic-kubeconfig"
KUBECONFIG = f"{KUBECONFIG_DIR}/kubeconfig"
SCHEDULER_CONFIG = "kube-scheduler-config"
_SELECTORS = {KCM: {"app": "kubernetes", "role": "controller-manager"},
              SCHEDULER: {"app": "kubernetes", "role": "scheduler"}}


def labels(component: str) -> dict[str, str]:
    return {**_SELECTORS[component], common.ROLE_LABEL: common.CONTROLPLANE}


def kube_controller_manager(cp: ControlPlane) -> list[JSON]:
    pairs = [
        (common.secret_volume("ca", catalog.bundle_name(catalog.CA)), "/srv/kubernetes/ca"),
        (common.secret_volume("ca-client", catalog.CA_CLIENT, private=True), "/srv/kubernetes/ca-client"),
        (common.secret_volume("service-account-key", catalog.SERVICE_ACCOUNT_KEY, private=True),
         "/srv/kubernetes/service-account-key"),
        (common.secret_volume("server", f"{KCM}-server", private=True), f"/var/lib/{KCM}-server"),
        (common.secret_volume("kubeconfig", catalog.access_name(KCM), private=True), KUBECONFIG_DIR),
    ]
    if cp.workers:
        pairs.append((common.secret_volume("ca-kubelet", catalog.CA_KUBELET, private=True),
                      "/srv/kubernetes/ca-kubelet"))
    container = _container(cp, KCM, port=KCM_PORT, args=kcm_flags(cp), pairs=pairs)
    return [_service(cp, KCM, KCM_PORT, headless=True), _deployment(cp, KCM, container, pairs, {}),
            common.pdb(cp, KCM, _SELECTORS[KCM], labels=labels(KCM))]


def kcm_flags(cp: ControlPlane) -> list[str]:
    ca_client, ca_kubelet = "/srv/kubernetes/ca-client", "/srv/kubernetes/ca-kubelet"
    signing = [f"--cluster-signing-{kind}-{part}-file={ca_client}/ca.{ext}"
               for kind in ("kubelet-client", "kube-apiserver-client", "legacy-unknown")
               for part, ext in (("cert", "crt"), ("key", "key"))]
    if cp.workers:
        signing += [f"--cluster-signing-kubelet-serving-cert-file={ca_kubelet}/ca.crt",
                    f"--cluster-signing-kubelet-serving-key-file={ca_kubelet}/ca.key"]
    return [
        f"--authentication-kubeconfig={KUBECONFIG}", f"--authorization-kubeconfig={KUBECONFIG}",
        f"--kubeconfig={KUBECONFIG}", "--kube-api-qps=100", "--kube-api-burst=200",
        "--allocate-node-cidrs=true", "--attach-detach-reconcile-sync-period=1m0s",
        f"--cluster-cidr={','.join(cp.pod_cidrs)}", *signing, "--cluster-signing-duration=720h0m0s",
        "--horizontal-pod-autoscaler-downscale-stabilization=5m0s",
        "--horizontal-pod-autoscaler-initial-readiness-delay=30s",
        "--horizontal-pod-autoscaler-cpu-initialization-period=5m0s",
        "--horizontal-pod-autoscaler-sync-period=30s", "--horizontal-pod-autoscaler-tolerance=0.1",
        "--leader-elect=true", "--node-monitor-grace-period=40s",
        "--concurrent-deployment-syncs=50", "--concurrent-replicaset-syncs=50", "--concurrent-statefulset-syncs=15",
        "--concurrent-endpoint-syncs=15", "--concurrent-gc-syncs=30", "--concurrent-service-endpoint-syncs=15",
        "--concurrent-namespace-syncs=30", "--concurrent-resource-quota-syncs=15",
        "--concurrent-serviceaccount-token-syncs=15",
        f"--cluster-name={cp.namespace}", f"--controllers={_controllers(cp)}",
        "--root-ca-file=/srv/kubernetes/ca/bundle.crt",
        "--service-account-private-key-file=/srv/kubernetes/service-account-key/id_rsa",
        f"--secure-port={KCM_PORT}", f"--service-cluster-ip-range={','.join(cp.service_cidrs)}",
        "--profiling=false",
        f"--tls-cert-file=/var/lib/{KCM}-server/tls.crt", f"--tls-private-key-file=/var/lib/{KCM}-server/tls.key",
        f"--tls-cipher-suites={common.TLS_CIPHER_SUITES}", "--use-service-account-credentials=true",
        *common.feature_gates(cp.controller_manager_feature_gates), "--v=2",
    ]


def _controllers(cp: ControlPlane) -> str:
    """Gardener's ``*,bootstrapsigner,tokencleaner``; a workerless shoot drops the node and volume controllers."""
    if cp.workers:
        return "*,bootstrapsigner,tokencleaner"
    off = ("nodeipam", "nodelifecycle", "cloud-node-lifecycle", "attachdetach", "persistentvolume-binder",
           "persistentvolume-expander", "ttl", "endpoint", "endpointslice", "endpointslicemirroring",
           "ephemeral-volume", "pv-protection", "pvc-protection")
    return ",".join(["*", "bootstrapsigner", "tokencleaner", *(f"-{c}" for c in off)])


def kube_scheduler(cp: ControlPlane) -> list[JSON]:
    """Nothing for a workerless shoot."""
    if not cp.workers:
        return []
    config = scheduler_configuration()
    pairs = [
        (common.config_map_volume("config", SCHEDULER_CONFIG), "/var/lib/kube-scheduler-config"),
        (common.secret_volume("client-ca", catalog.bundle_name(catalog.CA_CLIENT)),
         "/var/lib/kube-scheduler-client-ca"),
        (common.secret_volume("server", f"{SCHEDULER}-server", private=True), f"/var/lib/{SCHEDULER}-server"),
        (common.secret_volume("kubeconfig", catalog.access_name(SCHEDULER), private=True), KUBECONFIG_DIR),
    ]
    args = ["--config=/var/lib/kube-scheduler-config/config.yaml", f"--authentication-kubeconfig={KUBECONFIG}",
            f"--authorization-kubeconfig={KUBECONFIG}", "--client-ca-file=/var/lib/kube-scheduler-client-ca/bundle.crt",
            f"--tls-cert-file=/var/lib/{SCHEDULER}-server/tls.crt",
            f"--tls-private-key-file=/var/lib/{SCHEDULER}-server/tls.key", f"--secure-port={SCHEDULER_PORT}",
            *common.feature_gates(cp.scheduler_feature_gates), "--v=2"]
    container = _container(cp, SCHEDULER, port=SCHEDULER_PORT, args=args, pairs=pairs)
    config_map = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": common.meta(cp, SCHEDULER_CONFIG,
                                                                                   labels(SCHEDULER)),
                  "data": {"config.yaml": config}}
    return [config_map, _service(cp, SCHEDULER, SCHEDULER_PORT, headless=False),
            _deployment(cp, SCHEDULER, container, pairs, {SCHEDULER_CONFIG: config}),
            common.pdb(cp, SCHEDULER, _SELECTORS[SCHEDULER], labels=labels(SCHEDULER))]


def scheduler_configuration() -> str:
    return yaml.safe_dump({"apiVersion": "kubescheduler.config.k8s.io/v1", "kind": "KubeSchedulerConfiguration",
                           "clientConnection": {"kubeconfig": KUBECONFIG},
                           "leaderElection": {"leaderElect": True}}, sort_keys=False)


def _container(cp: ControlPlane, component: str, *, port: int, args: list[str],
               pairs: list[tuple[JSON, str]]) -> JSON:
    return {
        "name": component,
        "image": f"registry.k8s.io/{component}:v{cp.version}",
        "imagePullPolicy": "IfNotPresent",
        "command": [f"/usr/local/bin/{component}"],
        "args": args,
        "ports": [{"name": "metrics", "containerPort": port, "protocol": "TCP"}],
        "livenessProbe": {"httpGet": {"path": "/healthz", "port": port, "scheme": "HTTPS"},
                          "initialDelaySeconds": 15, "periodSeconds": 10, "timeoutSeconds": 15,
                          "successThreshold": 1, "failureThreshold": 2},
        "resources": {"requests": {"cpu": "10m", "memory": "30M"}},
        "securityContext": common.container_security_context(),
        "terminationMessagePolicy": "FallbackToLogsOnError",
        "volumeMounts": [common.mount(v["name"], path) for v, path in pairs],
    }


def _service(cp: ControlPlane, component: str, port: int, *, headless: bool) -> JSON:
    spec: JSON = {"type": "ClusterIP", "selector": _SELECTORS[component],
                  "ports": [{"name": "metrics", "port": port, "protocol": "TCP", "targetPort": port}]}
    if headless:
        spec["clusterIP"] = "None"
    return {"apiVersion": "v1", "kind": "Service", "metadata": common.meta(cp, component, labels(component)),
            "spec": spec}


def _deployment(cp: ControlPlane, component: str, container: JSON, pairs: list[tuple[JSON, str]],
                configs: dict[str, str]) -> JSON:
    volumes = [v for v, _ in pairs]
    pod_labels = {**labels(component), common.TO_DNS: common.ALLOWED, common.TO_APISERVER: common.ALLOWED}
    annotations = {**common.rollout_annotations(cp, volumes, configs)}
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": common.meta(cp, component, {**labels(component),
                                                "high-availability-config.resources.gardener.cloud/type":
                                                    "controller"}),
        "spec": {
            "replicas": cp.controller_replicas,
            "revisionHistoryLimit": 1,
            "selector": {"matchLabels": dict(_SELECTORS[component])},
            "template": {
                "metadata": {"labels": {**pod_labels, "maintenance.gardener.cloud/restart": "true"},
                             "annotations": annotations},
                "spec": {"priorityClassName": "gardener-system-300", "automountServiceAccountToken": False,
                         "securityContext": common.pod_security_context(), "containers": [container],
                         "volumes": volumes},
            },
        },
    }
