"""Component settings and version-dropped fields (``shoot.validation.components``)."""

from __future__ import annotations

from tests.shoot.validation import shoots


def test_rejects_unknown_kube_proxy_mode() -> None:
    shoot = shoots.local_shoot()
    shoot["spec"]["kubernetes"]["kubeProxy"]["mode"] = "userspace"
    shoots.assert_only(shoots.errors(shoot), "spec.kubernetes.kubeProxy.mode", '"IPTables"')


def test_rejects_unknown_scheduler_profile() -> None:
    shoot = shoots.local_shoot()
    shoot["spec"]["kubernetes"]["kubeScheduler"]["profile"] = "spread"
    shoots.assert_only(shoots.errors(shoot), "spec.kubernetes.kubeScheduler.profile", '"bin-packing"')


def test_forbids_pod_eviction_timeout_from_kubernetes_1_33() -> None:
    shoot = shoots.local_shoot()
    shoot["spec"]["kubernetes"]["kubeControllerManager"]["podEvictionTimeout"] = "2m0s"
    shoots.assert_only(
        shoots.errors(shoot), "spec.kubernetes.kubeControllerManager.podEvictionTimeout", "Kubernetes >= 1.33"
    )


def test_rejects_invalid_and_duplicate_alert_receivers() -> None:
    shoot = shoots.botany_shoot()
    shoot["spec"]["monitoring"]["alerting"]["emailReceivers"].append("john.doe@example.com")
    shoots.assert_only(shoots.errors(shoot), "spec.monitoring.alerting.emailReceivers[1]", "Duplicate value")
    shoot["spec"]["monitoring"]["alerting"]["emailReceivers"][1] = "john"
    shoots.assert_only(shoots.errors(shoot), "spec.monitoring.alerting.emailReceivers[1]", "e-mail address")
