"""Settings of control-plane and system components that take one of a few values, fields that newer
Kubernetes versions dropped, and the alerting e-mail receivers.

Called by ``shoot.validation.validate_shoot``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from shoot import fielderrors
from shoot.fielderrors import FieldError
from shoot.validation import versions
from shoot.validation.formats import dig, items

KUBE_PROXY_MODES = ("IPTables", "IPVS", "NFTables")
SCHEDULER_PROFILES = ("balanced", "bin-packing")
COREDNS_AUTOSCALING_MODES = ("horizontal", "cluster-proportional")
# (path below spec.kubernetes, the first minor version that forbids it)
DROPPED_FIELDS = (
    (("kubeControllerManager", "podEvictionTimeout"), 33),
    (("clusterAutoscaler", "maxEmptyBulkDelete"), 33),
)
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def validate(new: Mapping[str, Any], old: Mapping[str, Any] | None) -> list[FieldError]:
    errors: list[FieldError] = []
    for path, value, allowed in (
        ("spec.kubernetes.kubeProxy.mode", dig(new, "spec", "kubernetes", "kubeProxy", "mode"), KUBE_PROXY_MODES),
        (
            "spec.kubernetes.kubeScheduler.profile",
            dig(new, "spec", "kubernetes", "kubeScheduler", "profile"),
            SCHEDULER_PROFILES,
        ),
        (
            "spec.systemComponents.coreDNS.autoscaling.mode",
            dig(new, "spec", "systemComponents", "coreDNS", "autoscaling", "mode"),
            COREDNS_AUTOSCALING_MODES,
        ),
    ):
        if value is not None and value not in allowed:
            errors.append(fielderrors.not_supported(path, value, allowed))
    return errors + _dropped_fields(new) + _email_receivers(new)


def _dropped_fields(shoot: Mapping[str, Any]) -> list[FieldError]:
    errors: list[FieldError] = []
    for keys, minor in DROPPED_FIELDS:
        if dig(shoot, "spec", "kubernetes", *keys) is not None and versions.at_least(shoot, 1, minor):
            errors.append(
                fielderrors.forbidden(
                    "spec.kubernetes." + ".".join(keys), f"is no longer supported for Kubernetes >= 1.{minor}"
                )
            )
    return errors


def _email_receivers(shoot: Mapping[str, Any]) -> list[FieldError]:
    errors: list[FieldError] = []
    receivers = items(dig(shoot, "spec", "monitoring", "alerting", "emailReceivers"))
    for index, email in enumerate(receivers):
        path = f"spec.monitoring.alerting.emailReceivers[{index}]"
        if not isinstance(email, str) or not _EMAIL.match(email):
            errors.append(fielderrors.invalid(path, email, "must be an e-mail address such as john.doe@example.com"))
        elif email in receivers[:index]:
            errors.append(fielderrors.duplicate(path, email))
    return errors
