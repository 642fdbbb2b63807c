"""Rule 22, static part (``shoot.validation.kubelet``)."""

from __future__ import annotations

from tests.shoot.validation import shoots

KUBELET = "spec.kubernetes.kubelet"
POOL_KUBELET = "spec.provider.workers[0].kubernetes.kubelet"


def test_rule_22_rejects_pod_pids_limit_below_100() -> None:
    shoot = shoots.botany_shoot()
    shoot["spec"]["provider"]["workers"][0]["kubernetes"]["kubelet"]["podPidsLimit"] = 10
    shoots.assert_only(shoots.errors(shoot), f"{POOL_KUBELET}.podPidsLimit", "must be 100 or higher")


def test_rule_22_rejects_image_gc_low_not_below_high() -> None:
    shoot = shoots.botany_shoot()
    shoot["spec"]["kubernetes"]["kubelet"]["imageGCLowThresholdPercent"] = 50
    shoots.assert_only(
        shoots.errors(shoot), f"{KUBELET}.imageGCLowThresholdPercent", "must be less than imageGCHighThresholdPercent"
    )


def test_rule_22_rejects_image_gc_threshold_above_100() -> None:
    shoot = shoots.botany_shoot()
    shoot["spec"]["kubernetes"]["kubelet"]["imageGCHighThresholdPercent"] = 101
    shoots.assert_only(shoots.errors(shoot), f"{KUBELET}.imageGCHighThresholdPercent", "between 0 and 100")


def test_rule_22_rejects_container_log_max_files_below_2() -> None:
    shoot = shoots.local_shoot()
    shoot["spec"]["kubernetes"]["kubelet"]["containerLogMaxFiles"] = 1
    shoots.assert_only(shoots.errors(shoot), f"{KUBELET}.containerLogMaxFiles", "at least 2")


def test_rule_22_image_pull_credential_policy_needs_kubernetes_1_35() -> None:
    shoot = shoots.local_shoot()
    shoot["spec"]["kubernetes"]["kubelet"]["imagePullCredentialsVerificationPolicy"] = "NeverVerifyPreloadedImages"
    shoots.assert_only(
        shoots.errors(shoot),
        f"{KUBELET}.imagePullCredentialsVerificationPolicy",
        "only supported for Kubernetes >= 1.35",
    )
    shoot["spec"]["kubernetes"]["version"] = "1.35.0"
    assert shoots.errors(shoot) == []
