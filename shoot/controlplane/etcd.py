"""etcd main and events as etcd-druid renders them from Gardener's ``Etcd`` resources: a StatefulSet with a PVC
template (etcd-wrapper + backup-restore sidecar), its ``-config`` ConfigMap, ``-client`` and ``-peer`` Services and
a PodDisruptionBudget.

Called by the seed agent's "Deploying main and events etcd" step (``manifests(cp, role)``). Sizes, images, ports
and flags are Gardener's and druid's (main: 150m/500M, 25Gi, class important; events: 30m/150M, 10Gi); the
client port speaks TLS only, with client certificates of ``ca-etcd``.
"""

from __future__ import annotations

from typing import Literal

import yaml

from shoot.controlplane import common
from shoot.controlplane.common import JSON
from shoot.controlplane.spec import ControlPlane
from shoot.pki import catalog

Role = Literal["main", "events"]
ROLES: tuple[Role, ...] = ("main", "events")
WRAPPER_IMAGE = "europe-docker.pkg.dev/gardener-project/public/gardener/etcd-wrapper:v0.6.2"
BACKUP_RESTORE_IMAGE = "europe-docker.pkg.dev/gardener-project/public/gardener/etcdbrctl:v0.41.2"
CLIENT_PORT, PEER_PORT, BACKUP_PORT, WRAPPER_PORT = 2379, 2380, 8080, 9095
QUOTA_BYTES = 8 * 1024**3
DATA_DIR = "/var/etcd/data"
_SIZES = {"main": {"cpu": "150m", "memory": "500M", "storage": "25Gi", "backup_cpu": "20m", "backup_memory": "80Mi",
                   "volume": "main-etcd", "metrics": "extensive"},
          "events": {"cpu": "30m", "memory": "150M", "storage": "10Gi", "backup_cpu": "10m", "backup_memory": "40Mi",
                     "volume": "etcd-events", "metrics": "basic"}}


def name(role: Role) -> str:
    return f"etcd-{role}"


def client_service(role: Role) -> str:
    return f"etcd-{role}-client"


def selector(role: Role) -> dict[str, str]:
    return {"app": "etcd-statefulset", "role": role}


def labels(role: Role) -> dict[str, str]:
    return {**selector(role), common.ROLE_LABEL: common.CONTROLPLANE}


def manifests(cp: ControlPlane, role: Role) -> list[JSON]:
    """ConfigMap, Services, StatefulSet and PodDisruptionBudget of the ``role`` etcd."""
    config = configuration(cp, role)
    return [
        {"apiVersion": "v1", "kind": "ConfigMap", "metadata": common.meta(cp, f"{name(role)}-config", labels(role)),
         "data": {"etcd.conf.yaml": config}},
        _client_service(cp, role),
        _peer_service(cp, role),
        _statefulset(cp, role, config),
        common.pdb(cp, name(role), selector(role), labels=labels(role), max_unavailable=None,
                   min_available=0 if cp.etcd_replicas <= 1 else cp.etcd_replicas // 2 + 1,
                   always_allow=role == "events"),
    ]


def configuration(cp: ControlPlane, role: Role) -> str:
    """``etcd.conf.yaml``: TLS with client-certificate authentication on both the client and the peer port."""
    etcd, peer = name(role), f"{name(role)}-peer"
    members = [f"{etcd}-{i}=https://{etcd}-{i}.{peer}.{cp.namespace}.svc:{PEER_PORT}"
               for i in range(max(cp.etcd_replicas, 1))]
    document = {
        "name": f"etcd-{role}",
        "data-dir": f"{DATA_DIR}/new.etcd",
        "metrics": _SIZES[role]["metrics"],
        "snapshot-count": 10000,
        "enable-v2": False,
        "quota-backend-bytes": QUOTA_BYTES,
        "listen-client-urls": f"https://0.0.0.0:{CLIENT_PORT}",
        "advertise-client-urls": f"https://{client_service(role)}.{cp.namespace}.svc:{CLIENT_PORT}",
        "listen-peer-urls": f"https://0.0.0.0:{PEER_PORT}",
        "initial-cluster": ",".join(members),
        "initial-cluster-token": "etcd-cluster",
        "initial-cluster-state": "new",
        "auto-compaction-mode": "periodic",
        "auto-compaction-retention": "30m",
        "client-transport-security": {"cert-file": "/var/etcd/ssl/server/tls.crt",
                                      "key-file": "/var/etcd/ssl/server/tls.key", "client-cert-auth": True,
                                      "trusted-ca-file": "/var/etcd/ssl/ca/bundle.crt", "auto-tls": False},
        "peer-transport-security": {"cert-file": "/var/etcd/ssl/peer/server/tls.crt",
                                    "key-file": "/var/etcd/ssl/peer/server/tls.key", "client-cert-auth": True,
                                    "trusted-ca-file": "/var/etcd/ssl/peer/ca/bundle.crt", "auto-tls": False},
    }
    return yaml.safe_dump(document, sort_keys=False)


def _client_service(cp: ControlPlane, role: Role) -> JSON:
    ports = [{"name": "client", "port": CLIENT_PORT, "protocol": "TCP", "targetPort": CLIENT_PORT},
             {"name": "server", "port": PEER_PORT, "protocol": "TCP", "targetPort": PEER_PORT},
             {"name": "backuprestore", "port": BACKUP_PORT, "protocol": "TCP", "targetPort": BACKUP_PORT}]
    return {"apiVersion": "v1", "kind": "Service", "metadata": common.meta(cp, client_service(role), labels(role)),
            "spec": {"type": "ClusterIP", "selector": selector(role), "ports": ports, "sessionAffinity": "None"}}


def _peer_service(cp: ControlPlane, role: Role) -> JSON:
    return {"apiVersion": "v1", "kind": "Service", "metadata": common.meta(cp, f"{name(role)}-peer", labels(role)),
            "spec": {"clusterIP": "None", "type": "ClusterIP", "publishNotReadyAddresses": True,
                     "selector": selector(role),
                     "ports": [{"name": "peer", "port": PEER_PORT, "protocol": "TCP", "targetPort": PEER_PORT}]}}


def _volumes(role: Role) -> list[JSON]:
    return [
        common.secret_volume("etcd-ca", catalog.bundle_name(catalog.CA_ETCD)),
        common.secret_volume("etcd-server-tls", f"etcd-server-{role}", private=True),
        common.secret_volume("etcd-client-tls", "etcd-client", private=True),
        common.secret_volume("etcd-peer-ca", catalog.bundle_name(catalog.CA_ETCD_PEER)),
        common.secret_volume("etcd-peer-server-tls", f"etcd-peer-server-{role}", private=True),
        common.config_map_volume("etcd-config-file", f"{name(role)}-config"),
    ]


def _statefulset(cp: ControlPlane, role: Role, config: str) -> JSON:
    volumes = _volumes(role)
    pod_labels = {**labels(role), common.TO_DNS: common.ALLOWED, common.TO_PUBLIC: common.ALLOWED,
                  common.TO_PRIVATE: common.ALLOWED}
    if cp.etcd_replicas > 1:
        pod_labels[common.to_service(client_service(role), PEER_PORT)] = common.ALLOWED
    annotations = common.rollout_annotations(cp, volumes, {f"{name(role)}-config": config})
    if role == "main" and not cp.high_availability:
        annotations["cluster-autoscaler.kubernetes.io/safe-to-evict"] = "false"
    pod = {
        "priorityClassName": "gardener-system-500",
        "shareProcessNamespace": True,
        "automountServiceAccountToken": False,
        "hostAliases": [{"ip": "127.0.0.1", "hostnames": [f"{name(role)}-local"]}],
        "securityContext": {**common.pod_security_context(), "fsGroupChangePolicy": "OnRootMismatch"},
        "containers": [_etcd_container(role), _backup_restore_container(role)],
        "volumes": volumes,
    }
    claim_spec: JSON = {"accessModes": ["ReadWriteOnce"],
                        "resources": {"requests": {"storage": _SIZES[role]["storage"]}}}
    if cp.storage_class:
        claim_spec["storageClassName"] = cp.storage_class
    claim = {"metadata": {"name": _SIZES[role]["volume"]}, "spec": claim_spec}
    return {
        "apiVersion": "apps/v1",
        "kind": "StatefulSet",
        "metadata": common.meta(cp, name(role), labels(role)),
        "spec": {
            "replicas": cp.etcd_replicas,
            "serviceName": f"{name(role)}-peer",
            "podManagementPolicy": "Parallel",
            "updateStrategy": {"type": "RollingUpdate"},
            "selector": {"matchLabels": selector(role)},
            "template": {"metadata": {"labels": pod_labels, "annotations": annotations}, "spec": pod},
            "volumeClaimTemplates": [claim],
        },
    }


def _etcd_container(role: Role) -> JSON:
    sizes = _SIZES[role]
    return {
        "name": "etcd",
        "image": WRAPPER_IMAGE,
        "imagePullPolicy": "IfNotPresent",
        "args": ["start-etcd", f"--backup-restore-host-port={name(role)}-local:{BACKUP_PORT}",
                 f"--etcd-server-name={name(role)}-local", "--backup-restore-tls-enabled=true",
                 "--etcd-client-cert-path=/var/etcd/ssl/client/tls.crt",
                 "--etcd-client-key-path=/var/etcd/ssl/client/tls.key",
                 "--backup-restore-ca-cert-bundle-path=/var/etcd/ssl/ca/bundle.crt"],
        "ports": [{"name": "server", "containerPort": PEER_PORT, "protocol": "TCP"},
                  {"name": "client", "containerPort": CLIENT_PORT, "protocol": "TCP"},
                  {"name": "wrapper", "containerPort": WRAPPER_PORT, "protocol": "TCP"}],
        "readinessProbe": {"httpGet": {"path": "/readyz", "port": WRAPPER_PORT, "scheme": "HTTPS"},
                           "initialDelaySeconds": 15, "periodSeconds": 5, "failureThreshold": 5},
        "resources": {"requests": {"cpu": sizes["cpu"], "memory": sizes["memory"]}},
        "securityContext": common.container_security_context(),
        "volumeMounts": [
            {"name": sizes["volume"], "mountPath": DATA_DIR},
            common.mount("etcd-ca", "/var/etcd/ssl/ca"),
            common.mount("etcd-server-tls", "/var/etcd/ssl/server"),
            common.mount("etcd-client-tls", "/var/etcd/ssl/client"),
            common.mount("etcd-peer-ca", "/var/etcd/ssl/peer/ca"),
            common.mount("etcd-peer-server-tls", "/var/etcd/ssl/peer/server"),
        ],
    }


def _backup_restore_container(role: Role) -> JSON:
    sizes, etcd = _SIZES[role], name(role)
    return {
        "name": "backup-restore",
        "image": BACKUP_RESTORE_IMAGE,
        "imagePullPolicy": "IfNotPresent",
        "args": ["server", f"--data-dir={DATA_DIR}/new.etcd", f"--restoration-temp-snapshots-dir={DATA_DIR}/restore",
                 "--insecure-transport=false", "--insecure-skip-tls-verify=false",
                 f"--endpoints=https://{etcd}-local:{CLIENT_PORT}",
                 f"--service-endpoints=https://{client_service(role)}:{CLIENT_PORT}",
                 f"--embedded-etcd-quota-bytes={QUOTA_BYTES}", "--etcd-connection-timeout=5m",
                 "--etcd-defrag-timeout=15m", "--snapshot-timeout=15m", "--defragmentation-schedule=0 3 * * *",
                 "--cert=/var/etcd/ssl/client/tls.crt", "--key=/var/etcd/ssl/client/tls.key",
                 "--cacert=/var/etcd/ssl/ca/bundle.crt", "--server-cert=/var/etcdbr/ssl/server/tls.crt",
                 "--server-key=/var/etcdbr/ssl/server/tls.key", "--use-etcd-wrapper=true",
                 "--garbage-collection-policy=Exponential", "--garbage-collection-period=12h",
                 "--compress-snapshots=true", "--compression-policy=gzip",
                 "--config-file=/var/etcd/config/etcd.conf.yaml"],
        "ports": [{"name": "backuprestore", "containerPort": BACKUP_PORT, "protocol": "TCP"}],
        "resources": {"requests": {"cpu": sizes["backup_cpu"], "memory": sizes["backup_memory"]}},
        "securityContext": common.container_security_context(),
        "volumeMounts": [
            {"name": sizes["volume"], "mountPath": DATA_DIR},
            common.mount("etcd-config-file", "/var/etcd/config"),
            common.mount("etcd-ca", "/var/etcd/ssl/ca"),
            common.mount("etcd-client-tls", "/var/etcd/ssl/client"),
            common.mount("etcd-server-tls", "/var/etcdbr/ssl/server"),
        ],
    }
