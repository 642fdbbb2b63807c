"""Infrastructure/aws: the shoot's network, IAM identity and SSH key on AWS, as Gardener's provider-aws builds them.

Called through ``extensions.driver``. Reconcile (``extensions.aws.network``, ``iam``, ``keypair``): the VPC (or the
user's, ``networks.vpc.id``), per zone the workers/public/internal subnets, NAT gateway and route table, the nodes
security group, role and instance profile ``<technicalID>-nodes`` and key pair ``<technicalID>-ssh-publickey``, all
tagged ``kubernetes.io/cluster/<technicalID>``. It reports provider-aws's ``InfrastructureStatus`` (what the Worker
and ControlPlane read), ``InfrastructureState`` (the resource ids), ``egressCIDRs`` and ``networking``. Delete
removes everything tagged for the shoot, in dependency order.
"""

from __future__ import annotations

from typing import Any

from extensions.aws import iam, keypair, network
from extensions.aws.client import clients
from extensions.aws.network import Net
from extensions.aws.schemas import API_VERSION
from extensions.contract import JSON, Context, ExtensionObject, Outcome
from extensions.sdk import BaseActuator, ShootView

STATE_KIND = "InfrastructureState"


class InfrastructureActuator(BaseActuator):
    def reconcile(self, ctx: Context, obj: ExtensionObject) -> Outcome:
        aws = clients(ctx.credentials, _region(ctx, obj))
        net = Net(ec2=aws.ec2, technical_id=ctx.namespace, region=aws.region, state=_state(obj))
        config = obj.provider_config
        networks = config.get("networks") or {}
        vpc_config = networks.get("vpc") or {}
        zones = list(networks.get("zones") or [])
        if vpc_config.get("id"):
            vpc_id, gateway = network.existing_vpc(net, vpc_config["id"], needs_gateway=any(z.get("public")
                                                                                           for z in zones))
        else:
            vpc_id = network.ensure_vpc(net, vpc_config["cidr"],
                                        dedicated=bool(config.get("enableDedicatedTenancyForVPC")))
            gateway = network.ensure_internet_gateway(net, vpc_id)
        main = None
        if gateway is not None and (not vpc_config.get("id") or any(z.get("public") for z in zones)):
            main = network.ensure_route_table(net, vpc_id, ctx.namespace,
                                              {network.ANYWHERE: {"GatewayId": gateway}})
            net.state["MainRouteTable"] = main
        subnets, egress = self._zones(net, vpc_id, zones, main)
        network.remove_stale_zones(net, vpc_id, {z["name"] for z in zones})
        group = network.ensure_nodes_security_group(
            net, vpc_id, [z[p] for z in zones for p in ("internal", "public") if z.get(p)])
        profile, role_arn = iam.ensure(aws.iam, ctx.namespace, net.state,
                                       ecr=config.get("enableECRAccess") is not False)
        key_name = keypair.ensure(aws.ec2, ctx.namespace, keypair.public_key(obj.spec), net.state)
        net.state["EgressCIDRs"] = ",".join(egress)
        return Outcome(provider_status=provider_status(vpc_id, subnets, group, profile, role_arn, key_name),
                       state={"apiVersion": API_VERSION, "kind": STATE_KIND, "data": dict(sorted(net.state.items()))},
                       status={"egressCIDRs": egress, "networking": _networking(ctx)})

    def _zones(self, net: Net, vpc_id: str, zones: list[JSON], main: str | None) -> tuple[list[JSON], list[str]]:
        subnets: list[JSON] = []
        egress: list[str] = []
        taken = {v for k, v in net.state.items() if k.startswith("Zones/") and k.endswith("/Suffix")}
        for zone in zones:
            name = zone["name"]
            suffix = network.zone_suffix(net, name, taken)
            ids = {purpose: network.ensure_subnet(net, vpc_id, name, suffix, purpose, zone[purpose])
                   for purpose in network.SUBNETS if zone.get(purpose)}
            routes: dict[str, JSON] = {}
            if "public" in ids:
                nat = network.ensure_nat(net, name, suffix, ids["public"], zone.get("elasticIPAllocationID"))
                routes[network.ANYWHERE] = {"NatGatewayId": nat["NatGatewayId"]}
                egress += [f"{a['PublicIp']}/32" for a in nat.get("NatGatewayAddresses") or [] if a.get("PublicIp")]
            table = network.ensure_route_table(net, vpc_id, f"{net.technical_id}-private-{name}", routes)
            net.state[f"Zones/{name}/ZoneRouteTable"] = table
            for purpose, subnet in ids.items():
                key = {"workers": "Workers", "public": "Public", "internal": "Private"}[purpose]
                target = main if purpose == "public" else table
                if target is not None:
                    network.associate(net, target, subnet, f"Zones/{name}/Subnet{key}RouteTableAssoc")
                subnets.append({"purpose": network.STATUS_PURPOSE[purpose], "id": subnet, "zone": name})
        return subnets, egress

    def delete(self, ctx: Context, obj: ExtensionObject) -> None:
        aws = clients(ctx.credentials, _region(ctx, obj))
        keypair.delete(aws.ec2, ctx.namespace)
        iam.delete(aws.iam, ctx.namespace)
        network.delete_all(Net(ec2=aws.ec2, technical_id=ctx.namespace, region=aws.region, state=_state(obj)))


def provider_status(vpc_id: str, subnets: list[JSON], group: str, profile: str, role_arn: str,
                    key_name: str) -> JSON:
    """provider-aws's ``InfrastructureStatus``, which Gardener hands to the ControlPlane and the Worker."""
    return {"apiVersion": API_VERSION, "kind": "InfrastructureStatus",
            "vpc": {"id": vpc_id, "subnets": subnets, "securityGroups": [{"purpose": "nodes", "id": group}]},
            "iam": {"instanceProfiles": [{"purpose": "nodes", "name": profile}],
                    "roles": [{"purpose": "nodes", "arn": role_arn}]},
            "ec2": {"keyName": key_name}, "elasticFileSystem": {}}


def _region(ctx: Context, obj: ExtensionObject) -> str:
    return str(obj.spec.get("region") or ShootView.of(ctx).region or "")


def _state(obj: ExtensionObject) -> dict[str, str]:
    state: Any = obj.state
    if state.get("kind") == STATE_KIND and isinstance(state.get("data"), dict):
        return {str(k): str(v) for k, v in state["data"].items() if v}
    return {}


def _networking(ctx: Context) -> JSON:
    networking = ShootView.of(ctx).networking
    return {k: v for k, v in (("nodes", networking.nodes), ("pods", networking.pods),
                              ("services", networking.services)) if v}
