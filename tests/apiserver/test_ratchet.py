"""Validation ratcheting on plain values: which errors an update keeps, by the field paths Kubernetes uses."""

from __future__ import annotations

import dataclasses

from apiserver import ratchet


@dataclasses.dataclass(frozen=True)
class Err:
    field: str


OLD = {"metadata": {"labels": {"a": "1"}, "annotations": {"x.io/y": "v"}},
       "spec": {"networking": {"pods": "10.0.0.0/16", "ipFamilies": ["IPv6"]},
                "workers": [{"name": "w", "maximum": 2}]}}


def test_paths_parse_like_kubernetes_field_paths() -> None:
    assert ratchet.parse_path("spec.workers[0].maximum") == ["spec", "workers", 0, "maximum"]
    assert ratchet.parse_path("metadata.annotations[x.io/y]") == ["metadata", "annotations", "x.io/y"]
    assert ratchet.parse_path("quotas[1]") == ["quotas", 1]
    assert ratchet.parse_path("") == []
    assert ratchet.parse_path("spec..x") is None


def test_errors_about_unchanged_fields_are_dropped_on_update_only() -> None:
    new = {**OLD, "metadata": {"labels": {"a": "1", "b": "2"}, "annotations": {"x.io/y": "v"}}}
    found = [Err("spec.networking.pods"), Err("metadata.labels"), Err("metadata.annotations[x.io/y]"),
             Err("spec.workers[0].maximum"), Err(""), Err("spec.missing")]
    assert ratchet.changed_only(found, new=new, old=OLD) == [Err("metadata.labels"), Err("")]
    assert ratchet.changed_only(found, new=new, old=None) == found


def test_a_changed_or_removed_value_keeps_its_error() -> None:
    new = {"metadata": OLD["metadata"], "spec": {"networking": {"pods": "10.9.0.0/16"}, "workers": []}}
    found = [Err("spec.networking.pods"), Err("spec.networking.ipFamilies"), Err("spec.workers[0].maximum")]
    assert ratchet.changed_only(found, new=new, old=OLD) == found
