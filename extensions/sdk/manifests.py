"""A set of manifests kept applied in a cluster: applied in order, and what an earlier set had but this one lacks
removed (what Gardener's ManagedResources do for extensions).

Used by the networking extensions (Calico, Cilium: objects in the shoot's own API). The references of what was
applied are returned for the extension object's ``status.state`` and handed back on the next call, so that a
component switched off (Typha, Hubble) is deleted and a delete removes exactly what was made.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from extensions.contract import JSON, Api

Ref = dict[str, str]


def ref(obj: JSON) -> Ref:
    md = obj["metadata"]
    out = {"apiVersion": obj["apiVersion"], "kind": obj["kind"], "name": md["name"]}
    if md.get("namespace"):
        out["namespace"] = md["namespace"]
    return out


def apply_all(api: Api, manifests: Sequence[JSON], *, previous: Iterable[Ref] = ()) -> list[Ref]:
    """Apply ``manifests`` (CRDs and namespaces first, as listed), then delete what ``previous`` has beyond them;
    the references of what is applied now."""
    applied = [ref(m) for m in manifests]
    for manifest in manifests:
        api.apply(manifest)
    keep = {_key(r) for r in applied}
    stale = [r for r in previous if _key(r) not in keep]
    delete_all(api, stale)
    return applied


def delete_all(api: Api, refs: Iterable[Ref]) -> None:
    """Delete the objects of ``refs``, last applied first."""
    for r in reversed(list(refs)):
        api.delete(r["apiVersion"], r["kind"], r["name"], namespace=r.get("namespace"))


def _key(r: Ref) -> tuple[str, ...]:
    return r["apiVersion"], r["kind"], r.get("namespace", ""), r["name"]
