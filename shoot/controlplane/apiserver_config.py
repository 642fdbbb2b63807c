"""The kube-apiserver's generated configuration files: audit policy, admission, structured authentication and
authorization.

Pure; used by ``shoot.controlplane.apiserver`` (one ConfigMap each, as Gardener generates them). Authorization is
Node then RBAC (Gardener's ``node-agent-authorizer`` webhook needs gardener-resource-manager, which hortus does not
run); anonymous requests are refused unless the shoot enables them.
"""

from __future__ import annotations

import yaml

from shoot.controlplane.spec import ControlPlane

AUDIT_POLICY = "audit-policy-config"
ADMISSION = "kube-apiserver-admission-config"
AUTHENTICATION = "kube-apiserver-authentication-config"
AUTHORIZATION = "kube-apiserver-authorization-config"


def _dump(document: object) -> str:
    return yaml.safe_dump(document, sort_keys=False)


def audit_policy() -> str:
    """Gardener's default policy: record nothing."""
    return _dump({"apiVersion": "audit.k8s.io/v1", "kind": "Policy", "rules": [{"level": "None"}]})


def admission_configuration() -> str:
    """``PodSecurity`` (on by default in every supported version) always exempts ``kube-system``: the shoot's
    system components run privileged."""
    pod_security = {
        "apiVersion": "pod-security.admission.config.k8s.io/v1", "kind": "PodSecurityConfiguration",
        "defaults": {"enforce": "privileged", "enforce-version": "latest", "audit": "privileged",
                     "audit-version": "latest", "warn": "privileged", "warn-version": "latest"},
        "exemptions": {"usernames": [], "runtimeClasses": [], "namespaces": ["kube-system"]}}
    return _dump({"apiVersion": "apiserver.config.k8s.io/v1", "kind": "AdmissionConfiguration",
                  "plugins": [{"name": "PodSecurity", "configuration": pod_security}]})


# ``anonymous`` in AuthenticationConfiguration: behind AnonymousAuthConfigurableEndpoints, on by default from 1.32.
ANONYMOUS_IN_CONFIG = 32


def authentication_configuration(cp: ControlPlane, *, anonymous: bool = False) -> str:
    """Structured authentication; before 1.32 the ``anonymous`` field does not decode, and ``--anonymous-auth``
    says it instead (``apiserver.flags``)."""
    document: dict[str, object] = {"apiVersion": "apiserver.config.k8s.io/v1beta1",
                                   "kind": "AuthenticationConfiguration"}
    if cp.minor >= ANONYMOUS_IN_CONFIG:
        document["anonymous"] = {"enabled": anonymous}
    return _dump(document)


def authorization_configuration(cp: ControlPlane) -> str:
    authorizers = ([{"type": "Node", "name": "node"}] if cp.workers else []) + [{"type": "RBAC", "name": "rbac"}]
    return _dump({"apiVersion": "apiserver.config.k8s.io/v1beta1", "kind": "AuthorizationConfiguration",
                  "authorizers": authorizers})
