"""Shoot admission: Gardener's defaults, static rules, rules against referenced objects, operations, deletion.

Attached to ``shoots`` by ``garden.admission.attach``; reads CloudProfiles, bindings, projects, seeds, quotas
and other shoots through ``garden.admission.reader``.
"""

from __future__ import annotations

import copy
import datetime as dt
import ipaddress
from collections.abc import Callable
from typing import Any

from apiserver.registry import ResourceType
from extensions.registry import Registry
from garden.admission import providerconfigs
from garden.admission import reader as keys
from garden.admission.errors import reject_if
from garden.admission.readable import SECRETS, ReadGuard, Reference
from garden.admission.reader import Reader
from shoot import defaults, fielderrors, images, validation
from shoot.fielderrors import FieldError
from shoot.validation import deletion, operations, quota, references, versions

JSON = dict[str, Any]
GROUP = "core.gardener.cloud"
OPERATION = "gardener.cloud/operation"
_ONE_SHOT = ("reconcile", "retry")
# (apiVersion, kind) -> the served kind, for ``spec.resources[].resourceRef``.
Resolve = Callable[[str, str], ResourceType | None]


class ShootAdmission:
    def __init__(self, reader: Reader, guard: ReadGuard, *, resolve: Resolve,
                 extensions: Registry | None = None) -> None:
        self.reader = reader
        self.guard = guard
        self.resolve = resolve
        # The installed extension plugins; None: types and providerConfigs are not checked (unit tests of rules).
        self.extensions = extensions

    def __call__(self, *, operation: str, new: JSON, old: JSON | None, subresource: str, user: Any) -> JSON:
        if operation == "DELETE":
            reject_if(deletion.validate_deletion(new, kind="Shoot"), kind="Shoot", obj=new, group=GROUP)
            return new
        if subresource == "status":
            return new
        if subresource == "binding":
            seed = self._seed(new)
            bound = _with_seed_defaults(new, seed)
            # Not ratcheted: placing the shoot is the change every seed-relation rule is about.
            reject_if(self._seed_errors(bound, seed, old), kind="Shoot", obj=bound, group=GROUP)
            return bound
        self.guard.check(user, self.references(new), unchanged=self.references(old), kind="Shoot",
                         qualified="shoots.core.gardener.cloud", name=new["metadata"].get("name", ""))
        return self._admit(new, old=old)

    def references(self, shoot: JSON | None) -> list[Reference]:
        """The objects of its namespace a shoot names: its binding, ``spec.resources`` and DNS provider secrets."""
        if shoot is None:
            return []
        ns = str(shoot["metadata"].get("namespace", ""))
        spec = _dict(shoot.get("spec"))
        refs = []
        for field, (group, plural) in (("secretBindingName", ("core.gardener.cloud", "secretbindings")),
                                       ("credentialsBindingName", ("security.gardener.cloud", "credentialsbindings"))):
            if isinstance(spec.get(field), str):
                refs.append(Reference("resource", group, plural, namespace=ns, name=spec[field]))
        for resource in _dicts(spec.get("resources")):
            ref = _dict(resource.get("resourceRef"))
            rt = self.resolve(str(ref.get("apiVersion") or ""), str(ref.get("kind") or ""))
            if rt is not None and rt.namespaced:
                refs.append(Reference("resource", rt.group, rt.plural, namespace=ns, name=str(ref.get("name") or "")))
        for provider in _dicts(_dict(spec.get("dns")).get("providers")):
            if isinstance(provider.get("secretName"), str):
                refs.append(Reference("resource", *SECRETS, namespace=ns, name=provider["secretName"]))
        return refs

    def _admit(self, new: JSON, *, old: JSON | None) -> JSON:
        now = dt.datetime.now(dt.UTC)
        shoot = defaults.default_shoot(new, now=now)
        profile = self._cloudprofile(shoot)
        if profile is not None:
            _complete_version(shoot, profile, now)
            images.default_machine_images(shoot, profile, now=now)
        errs = validation.validate_shoot(shoot, old=old)
        errs += _seed_change_errors(shoot, old, errs)
        errs += operations.validate_operation_annotation(shoot, old=old)
        errs += self._reference_errors(shoot, profile, old=old, now=now)
        if self.extensions is not None:
            errs += providerconfigs.check(shoot, self.extensions, self.reader.registered_extensions)
        reject_if(errs, kind="Shoot", obj=shoot, group=GROUP, old=old)
        return _consume_one_shot_operation(shoot, old)

    def _reference_errors(self, shoot: JSON, profile: JSON | None, *, old: JSON | None,
                          now: dt.datetime) -> list[FieldError]:
        ns = shoot["metadata"].get("namespace", "")
        spec = shoot.get("spec") or {}
        errs: list[FieldError] = []
        if profile is None:
            name = _cloudprofile_name(shoot)
            if name:
                errs.append(fielderrors.invalid("spec.cloudProfile.name", name, "CloudProfile not found"))
        else:
            errs += references.validate_against_cloudprofile(shoot, profile, old=old, now=now)
        errs += self._binding_errors(shoot, ns, spec)
        project = self.reader.project_of_namespace(ns)
        errs += references.validate_project_membership(shoot, project=project,
                                                       operation="CREATE" if old is None else "UPDATE")
        if project is not None:
            errs += references.validate_tolerations_whitelist(shoot, project=project)
        if spec.get("seedName"):
            errs += self._seed_errors(shoot, self._seed(shoot), old)
        errs += references.validate_dns_uniqueness(shoot, other_shoots=self._others(shoot))
        if profile is not None:
            errs += self._quota_errors(shoot, profile, old=old, now=now)
        return errs

    def _binding_errors(self, shoot: JSON, ns: str, spec: JSON) -> list[FieldError]:
        secret_binding = credentials_binding = None
        if spec.get("secretBindingName"):
            secret_binding = self.reader.get(keys.SECRETBINDINGS, ns, spec["secretBindingName"])
        if spec.get("credentialsBindingName"):
            credentials_binding = self.reader.get(keys.CREDENTIALSBINDINGS, ns, spec["credentialsBindingName"])
        return references.validate_binding(shoot, secret_binding=secret_binding,
                                           credentials_binding=credentials_binding)

    def _quota_errors(self, shoot: JSON, profile: JSON, *, old: JSON | None, now: dt.datetime) -> list[FieldError]:
        refs = self._quota_refs(shoot)
        quotas = [q for ns, name in sorted(refs) if (q := self.reader.get(keys.QUOTAS, ns, name)) is not None]
        if not quotas:
            return []
        # A quota is charged with the shoots whose binding references it (Gardener's ShootQuotaValidator), not
        # with every shoot of the garden.
        in_scope = [s for s in self.reader.list(keys.SHOOTS) if self._quota_refs(s) & refs]
        return quota.validate_quotas(shoot, quotas=quotas, shoots_in_scope=in_scope, cloudprofile=profile,
                                     old=old, now=now)

    def _quota_refs(self, shoot: JSON) -> set[tuple[str, str]]:
        """(namespace, name) of the quotas the shoot's binding references."""
        ns = shoot["metadata"].get("namespace", "")
        spec = shoot.get("spec") or {}
        binding = None
        if spec.get("credentialsBindingName"):
            binding = self.reader.get(keys.CREDENTIALSBINDINGS, ns, spec["credentialsBindingName"])
        elif spec.get("secretBindingName"):
            binding = self.reader.get(keys.SECRETBINDINGS, ns, spec["secretBindingName"])
        return {(ref.get("namespace") or ns, ref.get("name", "")) for ref in (binding or {}).get("quotas") or []}

    def _seed_errors(self, shoot: JSON, seed: JSON | None, old: JSON | None) -> list[FieldError]:
        name = (shoot.get("spec") or {}).get("seedName")
        if name and seed is None:
            return [fielderrors.invalid("spec.seedName", name, "seed not found")]
        return references.validate_seed_reference(shoot, seed=seed, old=old)

    def _seed(self, shoot: JSON) -> JSON | None:
        name = (shoot.get("spec") or {}).get("seedName")
        return self.reader.get(keys.SEEDS, "", name) if name else None

    def _cloudprofile(self, shoot: JSON) -> JSON | None:
        name = _cloudprofile_name(shoot)
        return self.reader.get(keys.CLOUDPROFILES, "", name) if name else None

    def _others(self, shoot: JSON) -> list[JSON]:
        me = (shoot["metadata"].get("namespace"), shoot["metadata"].get("name"))
        return [s for s in self.reader.list(keys.SHOOTS)
                if (s["metadata"].get("namespace"), s["metadata"]["name"]) != me]


def _dict(value: Any) -> JSON:
    return value if isinstance(value, dict) else {}


def _dicts(value: Any) -> list[JSON]:
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def _seed_change_errors(shoot: JSON, old: JSON | None, found: list[FieldError]) -> list[FieldError]:
    """Only ``shoots/binding`` assigns a seed — also the first one (rule 33); the static rule covers changes."""
    if old is None or any(e.field == "spec.seedName" for e in found):
        return []
    before, after = (old.get("spec") or {}).get("seedName"), (shoot.get("spec") or {}).get("seedName")
    if before == after:
        return []
    return [fielderrors.forbidden("spec.seedName", "spec.seedName cannot be changed by patching the shoot, "
                                                   "please use the shoots/binding subresource")]


def _with_seed_defaults(shoot: JSON, seed: JSON | None) -> JSON:
    """Pods and services CIDRs the shoot left open come from the seed's ``networks.shootDefaults`` (Gardener) —
    only defaults of the shoot's primary IP family: an IPv6 shoot is never given IPv4 ranges it would refuse."""
    defaults = (((seed or {}).get("spec") or {}).get("networks") or {}).get("shootDefaults") or {}
    networking = (shoot.get("spec") or {}).get("networking")
    if not defaults or not isinstance(networking, dict):
        return shoot
    family = (networking.get("ipFamilies") or ["IPv4"])[0]
    missing = {k: v for k, v in defaults.items()
               if k in ("pods", "services") and not networking.get(k) and _family_of(v) == family}
    if not missing:
        return shoot
    out = copy.deepcopy(shoot)
    out["spec"]["networking"].update(missing)
    return out


def _family_of(cidr: Any) -> str | None:
    try:
        return f"IPv{ipaddress.ip_network(str(cidr), strict=False).version}"
    except ValueError:
        return None


def _cloudprofile_name(shoot: JSON) -> str:
    spec = shoot.get("spec") or {}
    return str((spec.get("cloudProfile") or {}).get("name") or spec.get("cloudProfileName") or "")


def _complete_version(shoot: JSON, profile: JSON, now: dt.datetime) -> None:
    """Rule 13: ``1.33`` becomes the newest supported ``1.33.x`` of the CloudProfile."""
    k8s = shoot.setdefault("spec", {}).setdefault("kubernetes", {})
    offered = ((profile.get("spec") or {}).get("kubernetes") or {}).get("versions") or []
    completed = versions.complete_version(str(k8s.get("version") or ""), offered, now)
    if completed:
        k8s["version"] = completed


def _consume_one_shot_operation(shoot: JSON, old: JSON | None) -> JSON:
    """``reconcile``/``retry`` bump the generation (so the shoot is reconciled) and are removed, as Gardener does."""
    annotations = shoot["metadata"].get("annotations") or {}
    if annotations.get(OPERATION) not in _ONE_SHOT:
        return shoot
    if annotations[OPERATION] == "retry" and ((shoot.get("status") or {}).get("lastOperation") or {}).get(
            "state") != "Failed":
        return shoot
    out = copy.deepcopy(shoot)
    del out["metadata"]["annotations"][OPERATION]
    if old is not None:
        out["metadata"]["generation"] = int(old["metadata"].get("generation", 1)) + 1
    return out
