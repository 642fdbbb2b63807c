"""The garden's admission: defaulting and Gardener's validation rules, attached to the registered kinds.

``attach`` is called by ``garden.app``; each plugin is a callable the generic handlers run on every write
(``apiserver.registry.Admission``). Rejections are 422 ``Status`` bodies whose causes name the field.
"""

from __future__ import annotations

import dataclasses

from apiserver.auth import Authorizer
from apiserver.registry import Admission, Registry
from extensions.registry import Registry as Extensions
from garden.admission import bindings, projects, protection, seeds, shoots
from garden.admission.readable import ReadGuard
from garden.admission.reader import Reader
from garden.auth import shoot_ca


def attach(registry: Registry, reader: Reader, extensions: Extensions | None = None, *,
           authorizer: Authorizer) -> None:
    """Re-register each kind that has admission plugins with those plugins attached; ``authorizer`` decides which
    objects a writer may reference (those they may read); ``extensions`` are the installed plugins whose types and
    providerConfig schemas Shoots are checked against."""
    guard = ReadGuard(authorizer)
    plugins: dict[tuple[str, str], tuple[Admission, ...]] = {
        ("core.gardener.cloud", "shoots"): (shoots.ShootAdmission(reader, guard, resolve=registry.by_kind,
                                                                  extensions=extensions),),
        ("core.gardener.cloud", "projects"): (projects.ProjectAdmission(reader),),
        ("core.gardener.cloud", "seeds"): (seeds.SeedAdmission(guard),),
        ("core.gardener.cloud", "cloudprofiles"): (protection.CloudProfileProtection(reader),),
        ("core.gardener.cloud", "secretbindings"): (bindings.SecretBindingAdmission(reader, guard),),
        ("security.gardener.cloud", "credentialsbindings"): (bindings.CredentialsBindingAdmission(reader, guard),),
        ("", "secrets"): (protection.SecretProtection(reader), shoot_ca.ClientCAProtection(reader.get)),
    }
    for rt in registry.all():
        attached = plugins.get((rt.group, rt.plural))
        if attached:
            registry.unregister(rt.group, rt.version, rt.plural)
            registry.register(dataclasses.replace(rt, admission=rt.admission + attached))
