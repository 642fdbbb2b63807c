"""What ``kubectl get shoots`` shows in the cells a JSONPath cannot express, as Gardener's table convertor does.

``shoot_cells`` is the Shoot kind's computed cells (``garden.resources``): ``LAST OPERATION`` reads
``Create Succeeded (100%)`` (``<pending>`` before the first operation) and ``HIBERNATION`` one of ``Awake``,
``Hibernating``, ``Hibernated`` and ``Waking Up``. Pure.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def hibernation(shoot: Mapping[str, Any]) -> str:
    wanted = bool(((shoot.get("spec") or {}).get("hibernation") or {}).get("enabled"))
    done = bool((shoot.get("status") or {}).get("hibernated"))
    if wanted:
        return "Hibernated" if done else "Hibernating"
    return "Waking Up" if done else "Awake"


def last_operation(shoot: Mapping[str, Any]) -> str:
    last = (shoot.get("status") or {}).get("lastOperation") or {}
    if not last:
        return "<pending>"
    return f"{last.get('type', '')} {last.get('state', '')} ({int(last.get('progress') or 0)}%)"


def shoot_cells(shoot: Mapping[str, Any]) -> dict[str, str]:
    return {"Hibernation": hibernation(shoot), "Last Operation": last_operation(shoot)}
