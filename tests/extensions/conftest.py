"""Fixtures for extension tests: a local seed cluster served over HTTPS, spoken to through ``seed.kube.KubeApi``."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from hortus.kit.harness import LocalSeedCluster

JSON = dict[str, Any]
NAMESPACE = "shoot--dev--ext"


@pytest.fixture
def cluster(tmp_path: Path) -> Iterator[LocalSeedCluster]:
    with LocalSeedCluster.start(tmp_path / "seed") as running:
        running.ensure_namespace(NAMESPACE)
        yield running


def shoot(**spec: Any) -> JSON:
    """A shoot as the garden serves it after admission (defaults filled in)."""
    base: JSON = {
        "region": "local", "cloudProfile": {"name": "local"},
        "kubernetes": {"version": "1.32.8"},
        "networking": {"type": "calico", "nodes": "10.0.0.0/16", "pods": "10.3.0.0/16", "services": "10.4.0.0/16"},
        "provider": {"type": "local", "workers": [{
            "name": "w1", "machine": {"type": "local", "image": {"name": "local", "version": "1.0.0"}},
            "minimum": 1, "maximum": 2, "maxSurge": 1, "maxUnavailable": 0}]},
    }
    base.update(spec)
    return {"apiVersion": "core.gardener.cloud/v1beta1", "kind": "Shoot",
            "metadata": {"name": "ext", "namespace": "garden-dev", "uid": "0b1c"}, "spec": base}
