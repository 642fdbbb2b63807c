"""ControlPlane/aws: the configuration Gardener's aws cloud-controller-manager reads, in ConfigMap
``cloud-provider-config`` of the shoot's seed namespace.

Called through ``extensions.driver``. The cloud config names the shoot's VPC, a nodes subnet and its zone (from
``spec.infrastructureProviderStatus``) and the cluster tag ``kubernetes.io/cluster/<technicalID>`` the controller
manages load balancers and routes under; the ControlPlaneConfig's feature gates and route-controller switch go
alongside as the controller's flags. hortus does not run the aws cloud-controller-manager itself (no such image
runs on the local seed): no health is claimed for it, and Services of type LoadBalancer get no AWS load balancer.
"""

from __future__ import annotations

from extensions.contract import JSON, Context, ExtensionObject, Outcome
from extensions.sdk import BaseActuator

CONFIG_MAP = "cloud-provider-config"


def cloud_config(technical_id: str, infra: JSON) -> str:
    vpc = infra.get("vpc") or {}
    nodes = [s for s in vpc.get("subnets") or [] if s.get("purpose") == "nodes"]
    lines = ["[Global]"]
    if vpc.get("id"):
        lines.append(f'VPC="{vpc["id"]}"')
    if nodes:
        lines += [f'SubnetID="{nodes[0]["id"]}"', f'Zone="{nodes[0].get("zone", "")}"']
    lines += ["DisableSecurityGroupIngress=true", f'KubernetesClusterTag="{technical_id}"',
              f'KubernetesClusterID="{technical_id}"']
    return "\n".join(lines) + "\n"


def flags(technical_id: str, config: JSON) -> list[str]:
    ccm = config.get("cloudControllerManager") or {}
    out = ["--cloud-provider=aws", "--cloud-config=/etc/kubernetes/cloudprovider/cloudprovider.conf",
           f"--cluster-name={technical_id}", "--allocate-node-cidrs=" + str(bool(ccm.get(
               "useCustomRouteController"))).lower(), "--configure-cloud-routes=false"]
    gates = ccm.get("featureGates") or {}
    if gates:
        out.append("--feature-gates=" + ",".join(f"{k}={str(v).lower()}" for k, v in sorted(gates.items())))
    return out


class ControlPlaneActuator(BaseActuator):
    def reconcile(self, ctx: Context, obj: ExtensionObject) -> Outcome:
        infra = obj.spec.get("infrastructureProviderStatus") or {}
        ctx.seed.apply({"apiVersion": "v1", "kind": "ConfigMap",
                        "metadata": {"name": CONFIG_MAP, "namespace": obj.namespace,
                                     "labels": {"app.kubernetes.io/managed-by": "hortus",
                                                "app": "cloud-controller-manager"}},
                        "data": {"cloudprovider.conf": cloud_config(ctx.namespace, infra),
                                 "flags": "\n".join(flags(ctx.namespace, obj.provider_config)) + "\n"}})
        return Outcome(provider_status={"apiVersion": "aws.provider.extensions.gardener.cloud/v1alpha1",
                                        "kind": "ControlPlaneStatus"})

    def delete(self, ctx: Context, obj: ExtensionObject) -> None:
        ctx.seed.delete("v1", "ConfigMap", CONFIG_MAP, namespace=obj.namespace)

    def migrate(self, ctx: Context, obj: ExtensionObject) -> Outcome:
        """The ConfigMap is seed-side: it goes, and the destination seed writes its own."""
        self.delete(ctx, obj)
        return Outcome(state=obj.state or None)
