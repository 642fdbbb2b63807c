"""Region distances for the MinimalDistance strategy, from Gardener's region-config ConfigMaps.

A ConfigMap in namespace ``garden`` labelled ``scheduling.gardener.cloud/purpose=region-config`` and annotated
``scheduling.gardener.cloud/cloudprofiles: a,b`` maps each region (a key) to a YAML map of region -> distance
(Gardener's ``example/31-scheduler-region-configmap.yaml``). Pure: called by the scheduler controller with the
ConfigMaps it listed.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

import yaml

log = logging.getLogger(__name__)
NAMESPACE = "garden"
PURPOSE_LABEL = "scheduling.gardener.cloud/purpose"
PURPOSE = "region-config"
PROFILES_ANNOTATION = "scheduling.gardener.cloud/cloudprofiles"
SELECTOR = f"{PURPOSE_LABEL}={PURPOSE}"


def distances_for(configmaps: Iterable[dict[str, Any]], cloud_profile: str) -> dict[str, dict[str, int]] | None:
    """The distance table of the first region config naming ``cloud_profile``; None when there is none."""
    for cm in configmaps:
        annotation = ((cm.get("metadata") or {}).get("annotations") or {}).get(PROFILES_ANNOTATION, "")
        if cloud_profile in (p.strip() for p in annotation.split(",")):
            return _table(cm)
    return None


def _table(cm: dict[str, Any]) -> dict[str, dict[str, int]]:
    table: dict[str, dict[str, int]] = {}
    for region, text in (cm.get("data") or {}).items():
        try:
            row = yaml.safe_load(text) or {}
        except yaml.YAMLError:
            log.warning("region config %s: distances of %s are not YAML", cm["metadata"]["name"], region)
            continue
        if isinstance(row, dict):
            table[region] = {str(k): int(v) for k, v in row.items() if isinstance(v, int)}
    return table
