"""The garden's kinds: Gardener's resource model served on the shared API machinery.

``garden_types()`` turns the pure domain's kind facts (``shoot.api``) into ``apiserver`` resource types;
``garden.app`` registers them (with admission attached by ``garden.admission``).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

from apiserver import kinds, schema
from apiserver.registry import PrinterColumn, ResourceType
from shoot import api as gardener

# Writes through ``shoots/binding`` set the seed and nothing else (Gardener's binding strategy).
_SUBRESOURCE_FIELDS: Mapping[str, Mapping[str, tuple[str, ...]]] = {
    "Shoot": {"binding": ("spec.seedName",)},
}
# Gardener's kubeconfig subresources take and answer requests of the authentication group.
_SUBRESOURCE_KINDS: Mapping[str, Mapping[str, tuple[str, str, str]]] = {
    "Shoot": {"adminkubeconfig": ("authentication.gardener.cloud", "v1alpha1", "AdminKubeconfigRequest"),
              "viewerkubeconfig": ("authentication.gardener.cloud", "v1alpha1", "ViewerKubeconfigRequest")},
}
# Gardener's API server is an aggregated server with built-in types: strategic merge patch works for all.
_CATEGORIES: Mapping[str, tuple[str, ...]] = {"Shoot": ("all",)}


def _resource_type(info: gardener.KindInfo, model: type[gardener.ApiModel]) -> ResourceType:
    return ResourceType(
        group=info.group,
        version=info.version,
        kind=info.kind,
        plural=info.plural,
        namespaced=info.namespaced,
        short_names=info.short_names,
        categories=_CATEGORIES.get(info.kind, ()),
        subresources=info.subresources,
        printer_columns=tuple(PrinterColumn(**dataclasses.asdict(c)) for c in info.printer_columns),
        field_selectors=dict(info.field_selectors),
        schema=schema.model_schema(model),
        model=model,
        subresource_fields=_SUBRESOURCE_FIELDS.get(info.kind, {}),
        subresource_kinds=_SUBRESOURCE_KINDS.get(info.kind, {}),
        unconditional_update=info.unconditional_update,
    )


def garden_types() -> list[ResourceType]:
    """Namespace, Secret and ConfigMap (the scheduler's region config) from the machinery, then every Gardener
    kind with its typed model."""
    types = [kinds.NAMESPACE, kinds.SECRET, kinds.CONFIGMAP]
    for info, model in gardener.ALL_KINDS:
        if info.group == "":
            continue  # core v1 Namespace and Secret come from apiserver.kinds (normalisation, encryption)
        types.append(_resource_type(info, model))
    return types
