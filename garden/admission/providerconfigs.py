"""The extension types and providerConfigs of a Shoot, checked against what the garden has registered.

Called by ``garden.admission.shoots`` on every create and update of a Shoot. Like Gardener's ``ExtensionValidator``
admission plugin, every type the shoot uses (provider, networking, machine images, container runtimes, the primary
DNS provider, extensions) must be served by some ControllerRegistration (an installed plugin's, or one an operator
applied for a controller that runs elsewhere); like the admission webhooks Gardener's extensions deploy, every
providerConfig is validated against the JSON Schema its plugin publishes (and the plugin's own checks), with field
paths into the Shoot. No webhook to deploy: the plugins are in the garden's process.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from extensions import validation
from extensions.contract import Kind
from extensions.registry import Registry
from shoot import fielderrors
from shoot.fielderrors import FieldError

JSON = dict[str, Any]
# (kind, type) pairs the stored ControllerRegistrations serve, read at each admission.
Registered = Callable[[], set[tuple[str, str]]]


def check(shoot: JSON, registry: Registry, registered: Registered) -> list[FieldError]:
    """Field errors for unregistered types and invalid providerConfigs of ``shoot``."""
    known = registered() | {(str(r.kind), r.type) for r in registry.registrations()}
    errors: list[FieldError] = []
    refused: set[str] = set()
    for use in uses(shoot):
        if (str(use.kind), use.type) not in known:
            if use.type_path in refused:
                continue  # one error for the provider type, not one per kind it lacks
            refused.add(use.type_path)
            supported = sorted({t for k, t in known if k == use.kind})
            errors.append(fielderrors.not_supported(use.type_path, use.type, supported)
                          if supported else fielderrors.invalid(
                              use.type_path, use.type, f"no installed extension serves {use.kind}/{use.type}"))
            continue
        registration = registry.find(kind=use.kind, type=use.type)
        if registration is None or use.config_path is None:
            continue  # a controller registered by hand: its providerConfig is its own business
        errors += validation.provider_config_errors(registration, use.config, path=use.config_path, shoot=shoot)
    return errors


class Use:
    """One (kind, type) the shoot uses, where its type and its providerConfig sit in the Shoot."""

    def __init__(self, kind: Kind, type_: str, type_path: str, config: Any = None,
                 config_path: str | None = None) -> None:
        self.kind, self.type, self.type_path = kind, type_, type_path
        self.config, self.config_path = config, config_path


def uses(shoot: JSON) -> Iterator[Use]:
    """Every extension use of ``shoot``, in the order of Gardener's ExtensionValidator."""
    spec = shoot.get("spec") or {}
    provider = spec.get("provider") or {}
    workers = provider.get("workers") or []
    provider_type = str(provider.get("type") or "")
    if workers and provider_type:
        yield Use(Kind.INFRASTRUCTURE, provider_type, "spec.provider.type", provider.get("infrastructureConfig"),
                  "spec.provider.infrastructureConfig")
        yield Use(Kind.CONTROL_PLANE, provider_type, "spec.provider.type", provider.get("controlPlaneConfig"),
                  "spec.provider.controlPlaneConfig")
        for i, pool in enumerate(workers):
            yield Use(Kind.WORKER, provider_type, "spec.provider.type", pool.get("providerConfig"),
                      f"spec.provider.workers[{i}].providerConfig")
        networking = spec.get("networking") or {}
        if _text(networking.get("type")):
            yield Use(Kind.NETWORK, networking["type"], "spec.networking.type", networking.get("providerConfig"),
                      "spec.networking.providerConfig")
    elif provider_type and provider.get("controlPlaneConfig") is not None:
        # A workerless shoot still has a control plane of its provider.
        yield Use(Kind.CONTROL_PLANE, provider_type, "spec.provider.type", provider.get("controlPlaneConfig"),
                  "spec.provider.controlPlaneConfig")
    for i, dns in enumerate((spec.get("dns") or {}).get("providers") or []):
        if dns.get("primary") and _text(dns.get("type")) and dns["type"] != "unmanaged":
            yield Use(Kind.DNS_RECORD, dns["type"], f"spec.dns.providers[{i}].type")
    for i, extension in enumerate(spec.get("extensions") or []):
        if _text(extension.get("type")):
            yield Use(Kind.EXTENSION, extension["type"], f"spec.extensions[{i}].type", extension.get("providerConfig"),
                      f"spec.extensions[{i}].providerConfig")
    for i, pool in enumerate(workers):
        where = f"spec.provider.workers[{i}]"
        for j, runtime in enumerate((pool.get("cri") or {}).get("containerRuntimes") or []):
            if _text(runtime.get("type")):
                yield Use(Kind.CONTAINER_RUNTIME, runtime["type"], f"{where}.cri.containerRuntimes[{j}].type",
                          runtime.get("providerConfig"), f"{where}.cri.containerRuntimes[{j}].providerConfig")
        image = (pool.get("machine") or {}).get("image") or {}
        if _text(image.get("name")):
            yield Use(Kind.OPERATING_SYSTEM_CONFIG, image["name"], f"{where}.machine.image.name",
                      image.get("providerConfig"), f"{where}.machine.image.providerConfig")


def _text(value: Any) -> bool:
    return isinstance(value, str) and bool(value)
