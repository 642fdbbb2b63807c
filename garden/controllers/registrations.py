"""Installed extension plugins as ControllerRegistrations, and the ControllerInstallations each seed needs.

Built by ``garden.app.create_app`` with the garden's extension registry: ``sync_once`` runs at start-up (so a fresh
garden lists its plugins at once) and then periodically in the API server's background. Each plugin is one
``core.gardener.cloud/v1beta1`` ControllerRegistration named after it, its (kind, type) pairs in
``spec.resources[]``; registrations of plugins no longer installed are removed. Per seed the controller computes the
``<Kind>/<type>`` ids the seed needs (``garden.controllers.required``, Gardener's rules) and keeps one
ControllerInstallation ``<registration>-<seed>`` per registration serving them; ids no plugin serves are logged
(and kept in ``missing``). An installation no longer needed goes unless its ``Required`` condition is True.
Broken plugins never get here: the registry left them out (``registry.problems``).
"""

from __future__ import annotations

import copy
import logging
import time
from typing import Any

from apiserver import errors, rounds
from apiserver.context import system_context
from apiserver.registry import ResourceType
from apiserver.service import ResourceService
from extensions.contract import Plugin
from extensions.registry import Registry
from garden.controllers import required
from shoot import conditions

log = logging.getLogger(__name__)
JSON = dict[str, Any]
GROUP, VERSION = "core.gardener.cloud", "v1beta1"
API_VERSION = f"{GROUP}/{VERSION}"
MANAGED_BY = "extensions.hortus.dev/managed-by"
MANAGER = "hortus-extension-registry"
VERSION_ANNOTATION = "extensions.hortus.dev/version"
DESCRIPTION_ANNOTATION = "extensions.hortus.dev/description"
# Where the schemas of a registration's providerConfigs are served (``garden.extension_schemas``).
SCHEMAS_ANNOTATION = "extensions.hortus.dev/schemas"


def registration_object(plugin: Plugin, *, schemas_path: str = "") -> JSON:
    """The ControllerRegistration of ``plugin``."""
    resources = []
    for r in sorted(plugin.resources, key=lambda r: (str(r.kind), r.type)):
        resource: JSON = {"kind": str(r.kind), "type": r.type}
        if not r.primary:
            resource["primary"] = False
        resources.append(resource)
    annotations = {VERSION_ANNOTATION: plugin.version}
    if plugin.description:
        annotations[DESCRIPTION_ANNOTATION] = plugin.description
    if schemas_path:
        annotations[SCHEMAS_ANNOTATION] = schemas_path
    return {"apiVersion": API_VERSION, "kind": "ControllerRegistration",
            "metadata": {"name": plugin.name, "labels": {MANAGED_BY: MANAGER}, "annotations": annotations},
            # The plugins run inside the seed agent: nothing to deploy, installed where a seed needs them.
            "spec": {"resources": resources, "deployment": {"policy": "OnDemand"}}}


def installation_name(registration: str, seed: str) -> str:
    return f"{registration}-{seed}"[:253]


class RegistrationController:
    def __init__(self, service: ResourceService, registry: Registry, *, interval: float = 2.0,
                 schemas_path: str = "") -> None:
        self.service = service
        self.registry = registry
        self.interval = interval
        self.schemas_path = schemas_path
        self.registrations = _kind(service, "controllerregistrations")
        self.installations = _kind(service, "controllerinstallations")
        self.seeds = _kind(service, "seeds")
        self.shoots = _kind(service, "shoots")
        # Seed name -> the ids it needs that no installed plugin serves.
        self.missing: dict[str, list[str]] = {}

    async def run_forever(self) -> None:
        await rounds.run_forever(self.sync_once, interval=self.interval, name="controllerregistration controller")

    def sync_once(self) -> None:
        try:
            self.sync_registrations()
            self.sync_installations()
        except errors.ApiError as exc:
            if exc.code not in (404, 409):
                raise  # a conflict or a vanished object: the next round sees the new state

    # --- ControllerRegistrations --------------------------------------------------------------------------

    def sync_registrations(self) -> None:
        wanted = {p.name: registration_object(p, schemas_path=self.schemas_path) for p in self.registry.plugins()}
        stored = {o["metadata"]["name"]: o for o in self.service.list(self.registrations, None).items}
        for name, body in wanted.items():
            self._ensure(self.registrations, stored.get(name), body)
        for name, obj in stored.items():
            if name not in wanted and (obj["metadata"].get("labels") or {}).get(MANAGED_BY) == MANAGER:
                log.info("extension plugin %s is no longer installed: removing its ControllerRegistration", name)
                self.service.delete(self.registrations, "", name, system_context())

    def _ensure(self, rt: ResourceType, live: JSON | None, body: JSON) -> None:
        name = body["metadata"]["name"]
        if live is None:
            self.service.create(rt, "", body, system_context())
            return
        md = live["metadata"]
        labels = {**(md.get("labels") or {}), **(body["metadata"].get("labels") or {})}
        annotations = {**(md.get("annotations") or {}), **(body["metadata"].get("annotations") or {})}
        if live.get("spec") == body["spec"] and labels == md.get("labels") and annotations == md.get("annotations"):
            return
        updated = copy.deepcopy(live)
        updated["metadata"].update(labels=labels, annotations=annotations)
        updated["spec"] = body["spec"]
        self.service.update(rt, "", name, updated, system_context())

    # --- ControllerInstallations --------------------------------------------------------------------------

    def sync_installations(self) -> None:
        shoots = self.service.list(self.shoots, None).items
        stored = {o["metadata"]["name"]: o for o in self.service.list(self.installations, None).items}
        wanted: dict[str, JSON] = {}
        serving = self._serving()
        for seed in self.service.list(self.seeds, None).items:
            for registration in self._needed(seed, shoots, serving):
                body = _installation(registration, seed["metadata"]["name"])
                wanted[body["metadata"]["name"]] = body
        for name, body in wanted.items():
            live = stored.get(name)
            if live is None:
                live = self.service.create(self.installations, "", body, system_context())
            self._set_valid(live)
        for name, obj in stored.items():
            if name not in wanted and (obj["metadata"].get("labels") or {}).get(MANAGED_BY) == MANAGER:
                still = conditions.find((obj.get("status") or {}).get("conditions"), "Required")
                if still is None or still.get("status") != "True":
                    self.service.delete(self.installations, "", name, system_context())

    def _serving(self) -> dict[str, str]:
        """``<Kind>/<type>`` -> the ControllerRegistration serving it (primary first): the plugins' and those an
        operator applied for controllers that run elsewhere."""
        found: dict[str, str] = {}
        for reg in sorted(self.service.list(self.registrations, None).items, key=lambda r: r["metadata"]["name"]):
            for resource in (reg.get("spec") or {}).get("resources") or []:
                ident = required.extension_id(str(resource.get("kind")), str(resource.get("type")))
                if resource.get("primary", True) is not False or ident not in found:
                    found[ident] = reg["metadata"]["name"]
        return found

    def _needed(self, seed: JSON, shoots: list[JSON], serving: dict[str, str]) -> list[str]:
        """The registrations serving what ``seed`` needs."""
        names: set[str] = set()
        missing = []
        for ident in sorted(required.for_seed_and_shoots(seed, shoots)):
            if ident not in serving:
                missing.append(ident)
                continue
            names.add(serving[ident])
        seed_name = seed["metadata"]["name"]
        if missing and missing != self.missing.get(seed_name):
            log.warning("seed %s needs an extension controller for %s but no appropriate ControllerRegistration "
                        "was found", seed_name, ", ".join(missing))
        self.missing[seed_name] = missing
        return sorted(names)

    def _set_valid(self, live: JSON) -> None:
        found = conditions.find((live.get("status") or {}).get("conditions"), "Valid")
        if found is not None and found.get("status") == "True":
            return
        body = copy.deepcopy(live)
        status = body.setdefault("status", {})
        status["conditions"] = conditions.with_condition(
            status.get("conditions"), kind="Valid", status="True", reason="RegistrationValid",
            message="The extension plugin is installed in the garden and served by the seed agent.", now=time.time())
        self.service.update(self.installations, "", live["metadata"]["name"], body, system_context(),
                            subresource="status")


def _installation(registration: str, seed: str) -> JSON:
    return {"apiVersion": API_VERSION, "kind": "ControllerInstallation",
            "metadata": {"name": installation_name(registration, seed), "labels": {MANAGED_BY: MANAGER}},
            "spec": {"registrationRef": {"apiVersion": API_VERSION, "kind": "ControllerRegistration",
                                         "name": registration},
                     "seedRef": {"apiVersion": API_VERSION, "kind": "Seed", "name": seed}}}


def _kind(service: ResourceService, plural: str) -> ResourceType:
    rt = service.registry.get(GROUP, VERSION, plural)
    if rt is None:
        raise LookupError(f"{plural}.{GROUP} is not served")
    return rt
