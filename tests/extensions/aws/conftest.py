"""Fixtures of the aws extension's tests: one moto server process for the session, a local seed cluster per test,
and a shoot of provider aws with a technical ID of its own (so tests sharing the moto server never meet)."""

from __future__ import annotations

import base64
import dataclasses
import functools
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519

from extensions import driver
from extensions.contract import ExtensionObject, Kind, Operation
from extensions.converge import converge
from extensions.registry import Registry
from hortus.kit.harness import LocalSeedCluster
from tests.extensions.aws.moto import AMI, REGION, MotoServer

JSON = dict[str, Any]


@functools.cache
def registry() -> Registry:
    """The installed plugins, as the seed agent loads them (once: reading the entry points takes a second)."""
    return Registry.load()


@pytest.fixture(scope="session")
def moto() -> Iterator[MotoServer]:
    with MotoServer.start() as server:
        yield server


def ssh_key() -> bytes:
    key = ed25519.Ed25519PrivateKey.generate().public_key()
    return key.public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH)


def infrastructure_config(**networks: Any) -> JSON:
    base: JSON = {"vpc": {"cidr": "10.250.0.0/16"}, "zones": [
        {"name": f"{REGION}a", "workers": "10.250.0.0/19", "public": "10.250.96.0/22", "internal": "10.250.112.0/22"},
        {"name": f"{REGION}b", "workers": "10.250.32.0/19", "public": "10.250.100.0/22",
         "internal": "10.250.116.0/22"}]}
    base.update(networks)
    return {"apiVersion": "aws.provider.extensions.gardener.cloud/v1alpha1", "kind": "InfrastructureConfig",
            "networks": base}


def cloud_profile() -> JSON:
    return {"apiVersion": "core.gardener.cloud/v1beta1", "kind": "CloudProfile", "metadata": {"name": "aws"},
            "spec": {"type": "aws", "regions": [{"name": REGION}],
                     "machineTypes": [{"name": "m5.large", "cpu": "2", "memory": "8Gi"}],
                     "providerConfig": {"apiVersion": "aws.provider.extensions.gardener.cloud/v1alpha1",
                                        "kind": "CloudProfileConfig", "machineImages": [
                                            {"name": "ubuntu", "versions": [{"version": "24.4.0", "regions": [
                                                {"name": REGION, "ami": AMI}]}]}]}}}


@dataclasses.dataclass
class Shoot:
    """One aws shoot's technical ID and what its extension objects are driven with."""

    cluster: LocalSeedCluster
    moto: MotoServer
    name: str
    infrastructure_config: JSON
    credentials: dict[str, str]
    ssh_key: bytes = dataclasses.field(default_factory=ssh_key)

    @property
    def technical_id(self) -> str:
        return f"shoot--dev--{self.name}"

    def manifest(self) -> JSON:
        return {"apiVersion": "core.gardener.cloud/v1beta1", "kind": "Shoot",
                "metadata": {"name": self.name, "namespace": "garden-dev", "uid": "0b1c"},
                "spec": {"region": REGION, "cloudProfile": {"name": "aws"}, "kubernetes": {"version": "1.32.8"},
                         "networking": {"type": "calico", "nodes": "10.250.0.0/16", "pods": "100.96.0.0/11",
                                        "services": "100.64.0.0/13"},
                         "provider": {"type": "aws", "infrastructureConfig": self.infrastructure_config,
                                      "workers": []}}}

    def infrastructure_spec(self) -> JSON:
        return {"type": "aws", "region": REGION, "providerConfig": self.infrastructure_config,
                "secretRef": {"name": "cloudprovider", "namespace": self.technical_id},
                "sshPublicKey": base64.b64encode(self.ssh_key).decode()}

    def run(self, kind: Kind, spec: JSON, *, operation: Operation = Operation.RECONCILE, name: str = "",
            credentials: dict[str, str] | None = None, state: JSON | None = None) -> ExtensionObject:
        """One call of the driver, as a flow step makes it (``state``: what the garden kept from a migrate)."""
        registration = registry().get(kind=kind, type="aws")
        obj = ExtensionObject(kind=kind, name=name or self.name, namespace=self.technical_id, spec=spec,
                              status={"state": state} if state else {})
        ctx = self.cluster.context(self.technical_id, shoot=self.manifest(), cloud_profile=cloud_profile(),
                                   operation=operation, credentials=credentials or self.credentials)
        return driver.run(registration, ctx, obj)

    def converge(self, kind: Kind, spec: JSON, *, operation: Operation = Operation.RECONCILE,
                 name: str = "", state: JSON | None = None) -> ExtensionObject:
        """The driver called again after each ``TemporaryError``, as the flow retries a step, until it is done."""
        return converge(lambda: self.run(kind, spec, operation=operation, name=name, state=state), timeout=180)


@pytest.fixture
def aws_shoot(tmp_path: Path, moto: MotoServer) -> Iterator[Shoot]:
    with LocalSeedCluster.start(tmp_path / "seed") as cluster:
        shoot = Shoot(cluster=cluster, moto=moto, name=f"aws{secrets.token_hex(3)}",
                      infrastructure_config=infrastructure_config(), credentials=moto.admin)
        cluster.ensure_namespace(shoot.technical_id)
        yield shoot
