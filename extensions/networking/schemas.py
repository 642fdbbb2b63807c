"""JSON Schema building blocks for Gardener's strictly decoded provider configs: a ``kind`` of a versioned group,
objects that refuse unknown fields, ``{enabled: bool}`` switches.

Used by the built-in plugins' providerConfig schemas (networking, OS, AWS).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from extensions.contract import JSON

DURATION = r"^([0-9]+(\.[0-9]+)?(ns|us|µs|ms|s|m|h))+$"
CIDR_V4 = (r"^((25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])\.){3}(25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])"
           r"/(3[0-2]|[12]?[0-9])$")


def strict(properties: dict[str, Any], *, required: Sequence[str] = (), description: str = "") -> JSON:
    """An object of exactly these fields (Gardener decodes provider configs strictly)."""
    out: JSON = {"type": "object", "properties": properties, "additionalProperties": False}
    if required:
        out["required"] = list(required)
    if description:
        out["description"] = description
    return out


def kind(api_version: str, kind_name: str, properties: dict[str, Any], *, required: Sequence[str] = (),
         description: str = "", typed: bool = True) -> JSON:
    """The schema of one kind of a provider's API group, with ``apiVersion`` and ``kind`` fixed.

    ``typed=False``: both may be left out (the extension decodes into its one kind, as Gardener's networking
    extensions do — its own ``provider-local/shoot-ipv6.yaml`` gives calico's config without them).
    """
    fields = {"apiVersion": {"const": api_version, "description": "The provider's API group and version."},
              "kind": {"const": kind_name}, **properties}
    out = strict(fields, required=[*(("apiVersion", "kind") if typed else ()), *required], description=description)
    out["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    out["title"] = f"{kind_name} ({api_version})"
    return out


def switch(description: str = "", *, required: bool = True) -> JSON:
    return strict({"enabled": {"type": "boolean", "description": description}},
                  required=["enabled"] if required else ())


def one_of(*values: str, description: str = "") -> JSON:
    out: JSON = {"type": "string", "enum": list(values)}
    if description:
        out["description"] = description
    return out


def text(description: str = "", **extra: Any) -> JSON:
    return {"type": "string", "description": description, **extra}
