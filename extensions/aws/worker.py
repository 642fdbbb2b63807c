"""Worker/aws: each pool and zone a machine deployment of EC2 instances, scaled between minimum and maximum and
rolled with maxSurge/maxUnavailable when the machine class (type, image, version, volumes, config) changes.

Called through ``extensions.driver``. The zone's subnet, the security group, the instance profile and the key come
from ``spec.infrastructureProviderStatus`` (the Infrastructure's ``InfrastructureStatus``), the AMI from the
CloudProfile's ``CloudProfileConfig`` for the Worker's region (else the images recorded in the last
``WorkerStatus``), the user data from the pool's ``userDataSecretRef`` (the OperatingSystemConfig's result) with
the machine's name and bootstrap token filled in. A machine is ready when its instance runs; until all are, a
``TemporaryError``. Delete terminates every instance of the shoot and waits until they are gone.
"""

from __future__ import annotations

import base64
import datetime as dt
from collections.abc import Iterable
from typing import Any

from extensions.aws import machines, tags
from extensions.aws.client import clients
from extensions.aws.machines import Network
from extensions.aws.schemas import API_VERSION
from extensions.contract import JSON, Context, ExtensionObject, Outcome
from extensions.sdk import BaseActuator, ShootView, bootstrap, workers
from extensions.sdk.secrets import decoded
from extensions.status import now
from shoot import errors
from shoot.errors import ErrorCode


class WorkerActuator(BaseActuator):
    def reconcile(self, ctx: Context, obj: ExtensionObject) -> Outcome:
        view = ShootView.of(ctx)
        region = str(obj.spec.get("region") or view.region)
        aws = clients(ctx.credentials, region)
        pools = list(obj.spec.get("pools") or [])
        wanted = workers.deployments(ctx.namespace, pools, region=region, kubernetes_version=view.kubernetes_version)
        by_pool = {p["name"]: p for p in pools}
        images = _images(view, obj, pools, region)
        infra = obj.spec.get("infrastructureProviderStatus") or {}
        running = machines.alive(aws.ec2, ctx.namespace)
        names = {d.name for d in wanted}
        stale = [i for i in running if _deployment(i) not in names]
        self._retire(ctx, aws.ec2, stale)
        previous = obj.state.get("replicas") if isinstance(obj.state.get("replicas"), dict) else {}
        replicas = {d.name: d.replicas((previous or {}).get(d.name)) for d in wanted}
        for deployment in wanted:
            pool = by_pool[deployment.pool]
            mine = [i for i in running if _deployment(i) == deployment.name]
            step = workers.plan(deployment, [_machine(i) for i in mine], replicas=replicas[deployment.name])
            self._retire(ctx, aws.ec2, [i for i in mine if machines.name_of(i) in step.delete])
            for _ in range(step.create):
                self._launch(ctx, aws.ec2, deployment, pool, _network(infra, deployment.zone),
                             images[_image_key(pool)]["ami"])
        waiting = self._waiting(ctx, aws.ec2, wanted, replicas)
        if waiting or stale:
            raise errors.TemporaryError("; ".join(waiting) or f"{len(stale)} machines of removed pools terminate",
                                        delay=5.0)
        return Outcome(provider_status={"apiVersion": API_VERSION, "kind": "WorkerStatus",
                                        "machineImages": _unique(images.values())},
                       state={"replicas": replicas}, status=workers.worker_status(wanted, updated=now()))

    def _waiting(self, ctx: Context, ec2: Any, wanted: list[workers.Deployment], replicas: dict[str, int]) -> list[str]:
        """What still has to happen, read afresh after this run's launches and terminations."""
        running = machines.alive(ec2, ctx.namespace)
        out = []
        for deployment in wanted:
            mine = [_machine(i) for i in running if _deployment(i) == deployment.name]
            step = workers.plan(deployment, mine, replicas=replicas[deployment.name])
            if not step.done:
                out.append(step.message)
        return out

    def _launch(self, ctx: Context, ec2: Any, deployment: workers.Deployment, pool: JSON, where: Network,
                ami: str) -> None:
        machine = deployment.machine_name()
        data = _user_data(ctx, ctx.namespace, pool)
        token = bootstrap.create_token(ctx.shoot_api(), machine) if bootstrap.needs_token(data) else None
        machines.launch(ec2, technical_id=ctx.namespace, machine=machine, deployment=deployment.name,
                        class_hash=deployment.class_hash, ami=ami, pool=pool, where=where,
                        user_data=bootstrap.fill(data, machine=machine, token=token))

    def _retire(self, ctx: Context, ec2: Any, instances: list[JSON]) -> None:
        going = [i for i in instances if i.get("State", {}).get("Name") not in ("shutting-down", "terminated")]
        machines.terminate(ec2, [i["InstanceId"] for i in going])
        _forget_tokens(ctx, [machines.name_of(i) for i in going])

    def delete(self, ctx: Context, obj: ExtensionObject) -> None:
        region = str(obj.spec.get("region") or ShootView.of(ctx).region)
        ec2 = clients(ctx.credentials, region).ec2
        running = machines.alive(ec2, ctx.namespace)
        self._retire(ctx, ec2, running)
        if running:
            raise errors.TemporaryError(f"{len(running)} instances are terminating", delay=5.0)


def _forget_tokens(ctx: Context, names: list[str]) -> None:
    """The bootstrap tokens of machines that go; without a shoot API (not yet, or no more) they expire alone."""
    if not names:
        return
    try:
        shoot = ctx.shoot_api()
        for name in names:
            bootstrap.delete_token(shoot, name)
    except errors.TemporaryError as exc:
        ctx.log.info("bootstrap tokens of %d machines left to expire: %s", len(names), exc.message)


# --- machines ------------------------------------------------------------------------------------------------


def _deployment(instance: JSON) -> str:
    return tags.of(instance).get(machines.DEPLOYMENT_TAG, "")


def _machine(instance: JSON) -> workers.Machine:
    state = str((instance.get("State") or {}).get("Name", ""))
    launched: Any = instance.get("LaunchTime")
    return workers.Machine(name=machines.name_of(instance), class_hash=tags.of(instance).get(machines.CLASS_TAG, ""),
                           ready=state == "running", terminating=state == "shutting-down",
                           failed=state in ("stopping", "stopped"),
                           created=launched.isoformat() if isinstance(launched, dt.datetime) else str(launched or ""))


def _network(infra: JSON, zone: str) -> Network:
    """The zone's nodes subnet, the nodes security group, instance profile and key from ``InfrastructureStatus``."""
    vpc = infra.get("vpc") or {}
    subnet = next((s["id"] for s in vpc.get("subnets") or [] if s.get("purpose") == "nodes"
                   and s.get("zone") == zone), None)
    group = next((g["id"] for g in vpc.get("securityGroups") or [] if g.get("purpose") == "nodes"), None)
    profile = next((p["name"] for p in (infra.get("iam") or {}).get("instanceProfiles") or []
                    if p.get("purpose") == "nodes"), "")
    if not subnet or not group:
        raise errors.PermanentError(f"the infrastructure status has no nodes subnet in zone {zone} or no nodes "
                                    "security group", codes=[ErrorCode.CONFIGURATION_PROBLEM])
    return Network(subnet=subnet, security_group=group, instance_profile=profile,
                   key_name=str((infra.get("ec2") or {}).get("keyName") or ""))


# --- images and user data ------------------------------------------------------------------------------------


def _image_key(pool: JSON) -> tuple[str, str, str]:
    image = pool.get("machineImage") or {}
    return str(image.get("name", "")), str(image.get("version", "")), str(pool.get("architecture") or "amd64")


def _images(view: ShootView, obj: ExtensionObject, pools: Iterable[JSON], region: str) -> dict[tuple[str, str, str],
                                                                                               JSON]:
    """Each pool's image as ``WorkerStatus.machineImages`` records it (name, version, ami, architecture)."""
    offered = ((view.cloud_profile.get("spec") or {}).get("providerConfig") or {}).get("machineImages") or []
    recorded = (obj.status.get("providerStatus") or {}).get("machineImages") or []
    out = {}
    for pool in pools:
        key = _image_key(pool)
        ami = _from_profile(offered, key, region) or next(
            (str(i["ami"]) for i in recorded if (i.get("name"), i.get("version"), i.get("architecture") or "amd64")
             == key and i.get("ami")), None)
        if ami is None:
            raise errors.PermanentError(f"pool {pool['name']}: machine image {key[0]}@{key[1]} ({key[2]}) has no AMI "
                                        f"for region {region} in the cloud profile",
                                        codes=[ErrorCode.CONFIGURATION_PROBLEM])
        out[key] = {"name": key[0], "version": key[1], "ami": ami, "architecture": key[2]}
    return out


def _from_profile(offered: list[JSON], key: tuple[str, str, str], region: str) -> str | None:
    name, version, architecture = key
    for image in offered:
        if image.get("name") != name:
            continue
        for v in image.get("versions") or []:
            if v.get("version") != version:
                continue
            for r in v.get("regions") or []:
                if r.get("name") == region and (r.get("architecture") or "amd64") == architecture and r.get("ami"):
                    return str(r["ami"])
    return None


def _unique(images: Iterable[JSON]) -> list[JSON]:
    out: list[JSON] = []
    for image in images:
        if image not in out:
            out.append(image)
    return out


def _user_data(ctx: Context, namespace: str, pool: JSON) -> str:
    """The pool's user data: the OperatingSystemConfig result its ``userDataSecretRef`` names, else ``userData``."""
    ref = pool.get("userDataSecretRef") or {}
    if ref.get("name"):
        secret = ctx.seed.get("v1", "Secret", ref["name"], namespace=namespace)
        if secret is None:
            raise errors.TemporaryError(f"pool {pool['name']}: user data Secret {ref['name']} does not exist (yet)")
        key = ref.get("key") or "cloud_config"
        value = decoded(secret).get(key)
        if not value:
            raise errors.PermanentError(f"pool {pool['name']}: Secret {ref['name']} has no {key} field or it's empty")
        return value
    inline = pool.get("userData")
    return base64.b64decode(str(inline)).decode() if inline else ""
