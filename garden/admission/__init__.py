"""The garden's admission: defaulting and Gardener's validation rules, attached to the registered kinds.

``attach`` is called by ``garden.app``; each plugin is a callable the generic handlers run on every write
(``apiserver.registry.Admission``). Rejections are 422 ``Status`` bodies whose causes name the field.
"""

from __future__ import annotations

import dataclasses

from apiserver.registry import Admission, Registry
from garden.admission import bindings, projects, protection, shoots
from garden.admission.reader import Reader
from garden.auth import shoot_ca


def attach(registry: Registry, reader: Reader) -> None:
    """Re-register each kind that has admission plugins with those plugins attached."""
    plugins: dict[tuple[str, str], tuple[Admission, ...]] = {
        ("core.gardener.cloud", "shoots"): (shoots.ShootAdmission(reader),),
        ("core.gardener.cloud", "projects"): (projects.ProjectAdmission(reader),),
        ("core.gardener.cloud", "cloudprofiles"): (protection.CloudProfileProtection(reader),),
        ("core.gardener.cloud", "secretbindings"): (bindings.SecretBindingAdmission(reader),),
        ("security.gardener.cloud", "credentialsbindings"): (bindings.CredentialsBindingAdmission(reader),),
        ("", "secrets"): (protection.SecretProtection(reader), shoot_ca.ClientCAProtection(reader.get)),
    }
    for rt in registry.all():
        attached = plugins.get((rt.group, rt.plural))
        if attached:
            registry.unregister(rt.group, rt.version, rt.plural)
            registry.register(dataclasses.replace(rt, admission=rt.admission + attached))
