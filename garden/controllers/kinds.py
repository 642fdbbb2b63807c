"""The garden kinds the controllers read and write, looked up once per service.

Used by ``garden.controllers.scheduling``, ``dispatch``, ``seedlifecycle`` and ``loop``.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from apiserver.registry import ResourceType
from apiserver.service import ResourceService

JSON = dict[str, Any]
GROUP = "core.gardener.cloud"


@dataclasses.dataclass(frozen=True)
class GardenKinds:
    shoots: ResourceType
    seeds: ResourceType
    cloudprofiles: ResourceType


def lookup(service: ResourceService) -> GardenKinds:
    def get(plural: str) -> ResourceType:
        rt = service.registry.get(GROUP, "v1beta1", plural)
        if rt is None:
            raise LookupError(f"{plural}.{GROUP} is not served")
        return rt

    return GardenKinds(shoots=get("shoots"), seeds=get("seeds"), cloudprofiles=get("cloudprofiles"))


def key(obj: JSON) -> tuple[str, str]:
    md = obj["metadata"]
    return md.get("namespace") or "", md["name"]
