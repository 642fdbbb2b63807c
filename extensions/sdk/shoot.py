"""Typed access to the shoot an actuator works for: ``ShootView.of(ctx)``.

Reads ``Context.cluster`` (Gardener's ``Cluster``: the Shoot, its CloudProfile and Seed as the garden serves
them); the spec comes typed as ``shoot.api.shoot.ShootSpec``. Used by the built-in actuators and the skeleton.
"""

from __future__ import annotations

import dataclasses
import functools

from extensions.contract import JSON, Context
from shoot.api.shoot import Networking, ShootSpec, Worker


@dataclasses.dataclass(frozen=True)
class ShootView:
    raw: JSON
    # The control-plane namespace on the seed (``shoot--<project>--<name>``).
    technical_id: str
    cloud_profile: JSON = dataclasses.field(default_factory=dict)

    @classmethod
    def of(cls, ctx: Context) -> ShootView:
        return cls(raw=ctx.cluster.shoot, technical_id=ctx.namespace, cloud_profile=ctx.cluster.cloud_profile)

    @functools.cached_property
    def spec(self) -> ShootSpec:
        return ShootSpec.model_validate(self.raw.get("spec") or {})

    @property
    def name(self) -> str:
        return str((self.raw.get("metadata") or {}).get("name", ""))

    @property
    def project_namespace(self) -> str:
        return str((self.raw.get("metadata") or {}).get("namespace", ""))

    @property
    def uid(self) -> str:
        return str((self.raw.get("metadata") or {}).get("uid", ""))

    @property
    def region(self) -> str:
        return self.spec.region

    @property
    def provider_type(self) -> str:
        return self.spec.provider.type

    @property
    def kubernetes_version(self) -> str:
        return (self.spec.kubernetes.version if self.spec.kubernetes else None) or ""

    @property
    def kubernetes_minor(self) -> tuple[int, int]:
        """``(1, 32)`` for ``1.32.8``; ``(0, 0)`` when the version is not set."""
        parts = self.kubernetes_version.split(".")
        try:
            return int(parts[0]), int(parts[1])
        except (IndexError, ValueError):
            return 0, 0

    @property
    def workers(self) -> list[Worker]:
        return list(self.spec.provider.workers or [])

    @property
    def networking(self) -> Networking:
        return self.spec.networking or Networking()

    @property
    def purpose(self) -> str:
        return self.spec.purpose or "evaluation"

    @property
    def hibernated(self) -> bool:
        return bool(self.spec.hibernation and self.spec.hibernation.enabled)

    def machine_image(self, name: str, version: str | None) -> JSON:
        """The CloudProfile's entry for an image version (``{}`` when it offers none), for its providerConfig."""
        for image in (self.cloud_profile.get("spec") or {}).get("machineImages") or []:
            if image.get("name") == name:
                for offered in image.get("versions") or []:
                    if version is None or offered.get("version") == version:
                        return dict(offered)
        return {}
