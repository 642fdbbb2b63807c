"""Rule 20: a worker pool's own settings — priority, container runtime, architecture, CA bundle, node labels,
annotations and taints, and its update strategy (which cannot switch between rolling and in-place).

Called by ``shoot.validation.validate_shoot``.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Mapping
from typing import Any

from shoot import fielderrors
from shoot.fielderrors import FieldError
from shoot.validation import formats
from shoot.validation.formats import dig, is_int, items

CRI_NAMES = ("containerd",)
ARCHITECTURES = ("amd64", "arm64")
UPDATE_STRATEGIES = ("AutoRollingUpdate", "AutoInPlaceUpdate", "ManualInPlaceUpdate")
TAINT_EFFECTS = ("NoSchedule", "PreferNoSchedule", "NoExecute")
_PEM_BLOCK = re.compile(r"-----BEGIN CERTIFICATE-----\s*([A-Za-z0-9+/=\s]+?)\s*-----END CERTIFICATE-----")


def validate(new: Mapping[str, Any], old: Mapping[str, Any] | None) -> list[FieldError]:
    old_pools = {dig(pool, "name"): pool for pool in items(dig(old, "spec", "provider", "workers"))}
    errors: list[FieldError] = []
    for index, pool in enumerate(items(dig(new, "spec", "provider", "workers"))):
        path = f"spec.provider.workers[{index}]"
        errors += _priority(path, pool) + _cri(path, pool) + _architecture(path, pool) + _ca_bundle(path, pool)
        errors += formats.label_map(f"{path}.labels", dig(pool, "labels"))
        errors += formats.annotation_map(f"{path}.annotations", dig(pool, "annotations"))
        errors += _taints(f"{path}.taints", items(dig(pool, "taints")))
        errors += _update_strategy(path, pool, old_pool=old_pools.get(dig(pool, "name")))
    return errors


def _priority(path: str, pool: Any) -> list[FieldError]:
    priority = dig(pool, "priority")
    if priority is None or (is_int(priority) and priority >= -1):
        return []
    return [fielderrors.invalid(f"{path}.priority", priority, "must be greater than or equal to -1")]


def _cri(path: str, pool: Any) -> list[FieldError]:
    cri = dig(pool, "cri")
    if cri is None:
        return []
    errors: list[FieldError] = []
    if dig(cri, "name") not in CRI_NAMES:
        errors.append(fielderrors.not_supported(f"{path}.cri.name", dig(cri, "name"), CRI_NAMES))
    seen: set[Any] = set()
    for index, runtime in enumerate(items(dig(cri, "containerRuntimes"))):
        field = f"{path}.cri.containerRuntimes[{index}].type"
        runtime_type = dig(runtime, "type")
        if not runtime_type:
            errors.append(fielderrors.required(field, "must specify a container runtime type"))
        elif runtime_type in seen:
            errors.append(fielderrors.duplicate(field, runtime_type))
        seen.add(runtime_type)
    return errors


def _architecture(path: str, pool: Any) -> list[FieldError]:
    architecture = dig(pool, "machine", "architecture")
    if architecture is None or architecture in ARCHITECTURES:
        return []
    return [fielderrors.not_supported(f"{path}.machine.architecture", architecture, ARCHITECTURES)]


def _ca_bundle(path: str, pool: Any) -> list[FieldError]:
    bundle = dig(pool, "caBundle")
    if bundle is None or (isinstance(bundle, str) and _is_pem_bundle(bundle)):
        return []
    return [fielderrors.invalid(f"{path}.caBundle", "<bundle>", "caBundle must hold PEM-encoded certificates")]


def _is_pem_bundle(bundle: str) -> bool:
    blocks = _PEM_BLOCK.findall(bundle)
    # Nothing but certificates may be in the bundle; the nodes trust every one of them.
    if not blocks or _PEM_BLOCK.sub("", bundle).strip():
        return False
    try:
        return all(base64.b64decode("".join(block.split()), validate=True)[:1] == b"\x30" for block in blocks)
    except (binascii.Error, ValueError):
        return False


def _taints(path: str, taints: list[Any]) -> list[FieldError]:
    errors: list[FieldError] = []
    seen: set[tuple[Any, Any]] = set()
    for index, taint in enumerate(taints):
        item = f"{path}[{index}]"
        key, effect = dig(taint, "key"), dig(taint, "effect")
        errors += formats.qualified_name(f"{item}.key", key)
        if dig(taint, "value") is not None:
            errors += formats.label_value(f"{item}.value", dig(taint, "value"))
        if effect not in TAINT_EFFECTS:
            errors.append(fielderrors.not_supported(f"{item}.effect", effect, TAINT_EFFECTS))
        if (key, effect) in seen:
            errors.append(fielderrors.duplicate(item, f"{key}:{effect}"))
        seen.add((key, effect))
    return errors


def _update_strategy(path: str, pool: Any, *, old_pool: Any) -> list[FieldError]:
    strategy = dig(pool, "updateStrategy")
    if strategy is not None and strategy not in UPDATE_STRATEGIES:
        return [fielderrors.not_supported(f"{path}.updateStrategy", strategy, UPDATE_STRATEGIES)]
    if old_pool is None:
        return []
    old_strategy = dig(old_pool, "updateStrategy") or "AutoRollingUpdate"
    if (old_strategy == "AutoRollingUpdate") != ((strategy or "AutoRollingUpdate") == "AutoRollingUpdate"):
        return [
            fielderrors.forbidden(
                f"{path}.updateStrategy",
                f"cannot switch the update strategy from {old_strategy} to {strategy or 'AutoRollingUpdate'}: "
                "a pool is either rolled or updated in place for its whole life",
            )
        ]
    return []
