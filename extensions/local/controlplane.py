"""ControlPlane/local: the provider part of a local shoot's control plane.

Called through ``extensions.driver``. Gardener's provider-local runs a cloud-controller-manager that starts Envoy
containers for LoadBalancer Services; on the local seed cluster the cluster itself hands out LoadBalancer addresses
and binds volumes, so there is nothing to run. What this writes is the ``cloud-provider-config`` ConfigMap that says
so (the place a real provider's cloud-controller-manager reads its configuration from), and its health reports that.
"""

from __future__ import annotations

from extensions import status
from extensions.contract import JSON, Context, ExtensionObject, Outcome
from extensions.sdk import BaseActuator

CONFIG_MAP = "cloud-provider-config"
CONFIG = """\
# hortus local provider: no cloud-controller-manager runs for this shoot.
# LoadBalancer Services get their addresses and PersistentVolumeClaims their volumes from the local seed
# cluster itself.
provider: local
"""


class ControlPlaneActuator(BaseActuator):
    def reconcile(self, ctx: Context, obj: ExtensionObject) -> Outcome:
        ctx.seed.apply({"apiVersion": "v1", "kind": "ConfigMap",
                        "metadata": {"name": CONFIG_MAP, "namespace": obj.namespace,
                                     "labels": {"app.kubernetes.io/managed-by": "hortus"}},
                        "data": {"cloudprovider.conf": CONFIG}})
        return Outcome(conditions=self.health(ctx, obj))

    def delete(self, ctx: Context, obj: ExtensionObject) -> None:
        ctx.seed.delete("v1", "ConfigMap", CONFIG_MAP, namespace=obj.namespace)

    def migrate(self, ctx: Context, obj: ExtensionObject) -> Outcome:
        self.delete(ctx, obj)
        return Outcome(state=obj.state or None)

    def health(self, ctx: Context, obj: ExtensionObject) -> list[JSON]:
        old = obj.status.get("conditions") or []
        if ctx.seed.get("v1", "ConfigMap", CONFIG_MAP, namespace=obj.namespace) is None:
            return [status.condition("ControlPlaneHealthy", "False", reason="ConfigMissing",
                                     message=f"ConfigMap {CONFIG_MAP} is missing", old=old)]
        return [status.condition("ControlPlaneHealthy", "True", reason="LocalProvider",
                                 message="load balancers and volumes come from the local seed cluster", old=old)]
