"""The shoot's kube-apiserver: generated ConfigMaps, the Deployment with Gardener's flags, mounts, probes and
requests, its Service and PodDisruptionBudget.

Called by the seed agent's "Deploying Kubernetes API server" step (``manifests(cp)``); the Service alone
(``service(cp)``) comes earlier, when the advertised addresses are determined. Image
``registry.k8s.io/kube-apiserver:v<version>``; etcd is reached at ``etcd-main-client`` (events at
``etcd-events-client``) with the ``etcd-client`` certificate; clients are authenticated by ``ca-client``.
"""

from __future__ import annotations

from collections.abc import Sequence

from shoot.controlplane import apiserver_config, common, etcd
from shoot.controlplane.common import JSON
from shoot.controlplane.spec import ControlPlane
from shoot.pki import catalog

NAME = "kube-apiserver"
PORT = 443
SELECTOR = {"app": "kubernetes", "role": "apiserver"}
LABELS = {**SELECTOR, common.ROLE_LABEL: common.CONTROLPLANE}
SRV = "/srv/kubernetes"


def image(cp: ControlPlane) -> str:
    return f"registry.k8s.io/kube-apiserver:v{cp.version}"


def manifests(cp: ControlPlane) -> list[JSON]:
    """ConfigMaps, Deployment and PodDisruptionBudget (the Service comes from ``service``)."""
    configs = _configs(cp)
    maps = [{"apiVersion": "v1", "kind": "ConfigMap", "metadata": common.meta(cp, name, LABELS),
             "data": {key: text}} for name, (key, text) in configs.items()]
    return [*maps, deployment(cp, {name: text for name, (_, text) in configs.items()}),
            common.pdb(cp, NAME, SELECTOR, labels=LABELS)]


def service(cp: ControlPlane) -> JSON:
    return {"apiVersion": "v1", "kind": "Service",
            "metadata": common.meta(cp, NAME, {**SELECTOR, "metrics-scrape-target": "true"}),
            "spec": {"type": cp.apiserver_service_type, "ipFamilyPolicy": "PreferDualStack", "selector": SELECTOR,
                     "ports": [{"name": NAME, "port": PORT, "protocol": "TCP", "targetPort": PORT}]}}


def _configs(cp: ControlPlane) -> dict[str, tuple[str, str]]:
    """ConfigMap name -> (key, content)."""
    return {
        apiserver_config.AUDIT_POLICY: ("audit-policy.yaml", apiserver_config.audit_policy()),
        apiserver_config.ADMISSION: ("admission-configuration.yaml", apiserver_config.admission_configuration()),
        apiserver_config.AUTHENTICATION: ("config.yaml", apiserver_config.authentication_configuration(cp)),
        apiserver_config.AUTHORIZATION: ("config.yaml", apiserver_config.authorization_configuration(cp)),
    }


def flags(cp: ControlPlane) -> list[str]:
    """The command line, in Gardener's order."""
    return [
        "--api-audiences=kubernetes,gardener",
        f"--client-ca-file={SRV}/ca-client/bundle.crt",
        "--enable-aggregator-routing=true",
        "--enable-bootstrap-token-auth=true",
        "--bind-address=::",
        f"--etcd-servers-overrides=/events#https://{etcd.client_service('events')}:{etcd.CLIENT_PORT},"
        f"events.k8s.io/events#https://{etcd.client_service('events')}:{etcd.CLIENT_PORT}",
        f"--external-hostname={cp.api_hostname}",
        "--default-not-ready-toleration-seconds=300",
        "--default-unreachable-toleration-seconds=300",
        f"--event-ttl={cp.event_ttl}",
        f"--proxy-client-cert-file={SRV}/aggregator/tls.crt",
        f"--proxy-client-key-file={SRV}/aggregator/tls.key",
        f"--requestheader-client-ca-file={SRV}/ca-front-proxy/bundle.crt",
        "--requestheader-extra-headers-prefix=X-Remote-Extra-",
        "--requestheader-group-headers=X-Remote-Group",
        "--requestheader-username-headers=X-Remote-User",
        f"--service-account-issuer=https://{cp.api_hostname}",
        f"--service-cluster-ip-range={','.join(cp.service_cidrs)}",
        f"--secure-port={PORT}",
        f"--token-auth-file={SRV}/token/static_tokens.csv",
        "--http2-max-streams-per-connection=1000",
        f"--etcd-cafile={SRV}/etcd/ca/bundle.crt",
        f"--etcd-certfile={SRV}/etcd/client/tls.crt",
        f"--etcd-keyfile={SRV}/etcd/client/tls.key",
        f"--etcd-servers=https://{etcd.client_service('main')}:{etcd.CLIENT_PORT}",
        "--livez-grace-period=1m",
        "--profiling=false",
        "--shutdown-delay-duration=15s",
        f"--tls-cert-file={SRV}/apiserver/tls.crt",
        f"--tls-private-key-file={SRV}/apiserver/tls.key",
        f"--tls-cipher-suites={common.TLS_CIPHER_SUITES}",
        *common.feature_gates(cp.apiserver_feature_gates),
        "--audit-policy-file=/etc/kubernetes/audit/audit-policy.yaml",
        f"--enable-admission-plugins={','.join(dict.fromkeys(['NodeRestriction', *cp.admission_plugins]))}",
        *([f"--disable-admission-plugins={','.join(cp.disabled_admission_plugins)}"]
          if cp.disabled_admission_plugins else []),
        "--admission-control-config-file=/etc/kubernetes/admission/admission-configuration.yaml",
        "--encryption-provider-config=/etc/kubernetes/etcd-encryption-secret/encryption-configuration.yaml",
        f"--service-account-signing-key-file={SRV}/service-account-key/id_rsa",
        f"--service-account-key-file={SRV}/service-account-key-bundle/bundle.key",
        "--authentication-config=/etc/kubernetes/structured/authentication/config.yaml",
        *([] if cp.minor >= apiserver_config.ANONYMOUS_IN_CONFIG else ["--anonymous-auth=false"]),
        "--authorization-config=/etc/kubernetes/structured/authorization/config.yaml",
        *_kubelet_flags(cp),
    ]


def _kubelet_flags(cp: ControlPlane) -> list[str]:
    if not cp.workers:
        return []
    return ["--allow-privileged=true", "--kubelet-preferred-address-types=InternalIP,Hostname,ExternalIP",
            f"--kubelet-certificate-authority={SRV}/ca-kubelet/bundle.crt",
            f"--kubelet-client-certificate={SRV}/apiserver-kubelet/tls.crt",
            f"--kubelet-client-key={SRV}/apiserver-kubelet/tls.key"]


def _volumes(cp: ControlPlane) -> list[tuple[JSON, str]]:
    """(volume, mount path) pairs."""
    bundle, secret = catalog.bundle_name, common.secret_volume
    pairs = [
        (secret("ca", bundle(catalog.CA)), f"{SRV}/ca"),
        (secret("ca-client", bundle(catalog.CA_CLIENT)), f"{SRV}/ca-client"),
        (secret("ca-front-proxy", bundle(catalog.CA_FRONT_PROXY)), f"{SRV}/ca-front-proxy"),
        (secret("ca-etcd", bundle(catalog.CA_ETCD)), f"{SRV}/etcd/ca"),
        (secret("service-account-key", catalog.SERVICE_ACCOUNT_KEY, private=True), f"{SRV}/service-account-key"),
        (secret("service-account-key-bundle", catalog.SERVICE_ACCOUNT_KEY_BUNDLE), f"{SRV}/service-account-key-bundle"),
        (secret("static-token", catalog.STATIC_TOKEN, private=True), f"{SRV}/token"),
        (secret("kube-aggregator", "kube-aggregator", private=True), f"{SRV}/aggregator"),
        (secret("server", catalog.KUBE_APISERVER, private=True), f"{SRV}/apiserver"),
        (secret("etcd-client", "etcd-client", private=True), f"{SRV}/etcd/client"),
        (common.config_map_volume("audit-policy-config", apiserver_config.AUDIT_POLICY), "/etc/kubernetes/audit"),
        (common.config_map_volume("admission-config", apiserver_config.ADMISSION), "/etc/kubernetes/admission"),
        (secret("etcd-encryption-secret", catalog.ENCRYPTION_CONFIGURATION, private=True),
         "/etc/kubernetes/etcd-encryption-secret"),
        (common.config_map_volume("authentication-config", apiserver_config.AUTHENTICATION),
         "/etc/kubernetes/structured/authentication"),
        (common.config_map_volume("authorization-config", apiserver_config.AUTHORIZATION),
         "/etc/kubernetes/structured/authorization"),
    ]
    if cp.workers:
        pairs += [(secret("ca-kubelet", bundle(catalog.CA_KUBELET)), f"{SRV}/ca-kubelet"),
                  (secret("kubelet-client", "kube-apiserver-kubelet", private=True), f"{SRV}/apiserver-kubelet")]
    return pairs


def _probe(cp: ControlPlane, path: str, delay: int) -> JSON:
    headers = [{"name": "Authorization", "value": f"Bearer {cp.health_check_token}"}] if cp.health_check_token else []
    return {"httpGet": {"path": path, "port": PORT, "scheme": "HTTPS", "httpHeaders": headers},
            "initialDelaySeconds": delay, "periodSeconds": 10, "timeoutSeconds": 15, "successThreshold": 1,
            "failureThreshold": 3}


def deployment(cp: ControlPlane, configs: dict[str, str] | None = None) -> JSON:
    pairs = _volumes(cp)
    volumes = [v for v, _ in pairs]
    pod_labels = {**LABELS, common.TO_DNS: common.ALLOWED, common.TO_PUBLIC: common.ALLOWED,
                  common.TO_PRIVATE: common.ALLOWED,
                  common.to_service(etcd.client_service("main"), etcd.CLIENT_PORT): common.ALLOWED,
                  common.to_service(etcd.client_service("events"), etcd.CLIENT_PORT): common.ALLOWED}
    container = {
        "name": NAME,
        "image": image(cp),
        "imagePullPolicy": "IfNotPresent",
        "command": ["/usr/local/bin/kube-apiserver"],
        "args": flags(cp),
        "ports": [{"name": "https", "containerPort": PORT, "protocol": "TCP"}],
        "livenessProbe": _probe(cp, "/livez", 15),
        "readinessProbe": _probe(cp, "/readyz", 10),
        "resources": {"requests": {"cpu": "250m", "memory": "500Mi"}},
        "securityContext": common.container_security_context(),
        "terminationMessagePolicy": "FallbackToLogsOnError",
        "volumeMounts": [common.mount(v["name"], path) for v, path in pairs],
    }
    return _deployment(cp, pod_labels, container, volumes, configs or {})


def _deployment(cp: ControlPlane, pod_labels: dict[str, str], container: JSON, volumes: Sequence[JSON],
                configs: dict[str, str]) -> JSON:
    labels = {**LABELS, "high-availability-config.resources.gardener.cloud/type": "server"}
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": common.meta(cp, NAME, labels),
        "spec": {
            "replicas": cp.apiserver_replicas,
            "revisionHistoryLimit": 2,
            "minReadySeconds": 30,
            "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": "100%", "maxUnavailable": 0}},
            "selector": {"matchLabels": dict(SELECTOR)},
            "template": {
                "metadata": {"labels": pod_labels, "annotations": common.rollout_annotations(cp, volumes, configs)},
                "spec": {"priorityClassName": "gardener-system-500", "automountServiceAccountToken": False,
                         "terminationGracePeriodSeconds": 30, "securityContext": common.pod_security_context(),
                         "containers": [container], "volumes": list(volumes)},
            },
        },
    }
