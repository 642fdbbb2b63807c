"""One shoot as the console lists it: a small, flat row derived from the Shoot object, and its triage facts.

Pure. Built by ``garden.console.index`` for every shoot it holds (so a page of 10,000 shoots never decodes a Shoot);
read by ``garden.console.query`` (filters, sorting) and the templates. State words follow Gardener's dashboard:
the last operation's state, with Hibernated / Hibernating / Waking up / Deleting where they say more.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from shoot import conditions as shoot_conditions
from shoot.errors import USER_ERROR_CODES

JSON = Mapping[str, Any]
# The five shoot conditions, in the order the dashboard's readiness chips show them.
CONDITION_TYPES = ("APIServerAvailable", "ControlPlaneHealthy", "ObservabilityComponentsHealthy", "EveryNodeReady",
                   "SystemComponentsHealthy")
SHORT_NAMES = {"APIServerAvailable": "API", "ControlPlaneHealthy": "CP", "ObservabilityComponentsHealthy": "OC",
               "EveryNodeReady": "N", "SystemComponentsHealthy": "SC"}
_USER_CODES = frozenset(str(code) for code in USER_ERROR_CODES)
STATES = ("Pending", "Processing", "Hibernating", "Waking up", "Deleting", "Succeeded", "Hibernated", "Error",
          "Failed", "Aborted")


@dataclasses.dataclass(frozen=True)
class Chip:
    """A readiness chip: one condition's status, message and codes."""

    type: str
    status: str
    message: str
    codes: tuple[str, ...]

    @property
    def short(self) -> str:
        return SHORT_NAMES.get(self.type, self.type[:3])

    @property
    def healthy(self) -> bool:
        return self.status == "True"


@dataclasses.dataclass(frozen=True)
class ErrorLine:
    description: str
    codes: tuple[str, ...]
    user: bool  # every code says the user must act (credentials, quota, configuration)


@dataclasses.dataclass(frozen=True)
class ShootRow:
    namespace: str
    name: str
    project: str
    uid: str
    created: float
    provider: str
    region: str
    version: str
    seed: str
    purpose: str
    workers: int
    network: str
    images: tuple[str, ...]
    operation: str
    op_state: str
    progress: int
    description: str
    updated: float
    state: str
    errors: tuple[ErrorLine, ...]
    chips: tuple[Chip, ...]
    issue: bool
    issue_since: float | None
    generation: int
    observed_generation: int

    @property
    def key(self) -> tuple[str, str]:
        return self.namespace, self.name

    @property
    def error_kind(self) -> str:
        """``user`` when every error is the user's to fix, ``platform`` when any needs the operators, else ''."""
        if not self.errors and not any(c.codes for c in self.chips):
            return ""
        lines = [*self.errors, *(ErrorLine(c.message, c.codes, _all_user(c.codes)) for c in self.chips if c.codes)]
        return "user" if lines and all(line.user for line in lines) else "platform"

    @property
    def codes(self) -> tuple[str, ...]:
        seen: dict[str, None] = {}
        for line in self.errors:
            seen.update(dict.fromkeys(line.codes))
        for chip in self.chips:
            seen.update(dict.fromkeys(chip.codes))
        return tuple(seen)

    def text(self) -> str:
        """What a search matches: names, placement, version, state and error text, lower case."""
        parts = [self.project, self.name, self.provider, self.region, self.version, self.seed, self.state,
                 self.operation, self.purpose, *self.codes, *(e.description for e in self.errors)]
        return " ".join(parts).lower()


def project_of(namespace: str) -> str:
    return "garden" if namespace == "garden" else namespace.removeprefix("garden-")


def row(shoot: JSON) -> ShootRow:
    md = shoot.get("metadata") or {}
    spec = shoot.get("spec") or {}
    status = shoot.get("status") or {}
    last = status.get("lastOperation") or {}
    namespace = str(md.get("namespace") or "")
    errors = tuple(_error(e) for e in status.get("lastErrors") or () if isinstance(e, Mapping))
    chips = _chips(status.get("conditions") or ())
    generation = int(md.get("generation") or 1)
    observed = int(status.get("observedGeneration") or 0)
    op_state = str(last.get("state") or "")
    state = _state(md, spec, status, op_state, generation=generation, observed=observed)
    issue = state in ("Error", "Failed", "Aborted") or bool(errors) or any(
        c.status in ("False", "Unknown") for c in chips)
    return ShootRow(
        namespace=namespace,
        name=str(md.get("name") or ""),
        project=project_of(namespace),
        uid=str(md.get("uid") or ""),
        created=shoot_conditions.parse_timestamp(md.get("creationTimestamp")) or 0.0,
        provider=str((spec.get("provider") or {}).get("type") or ""),
        region=str(spec.get("region") or ""),
        version=str((spec.get("kubernetes") or {}).get("version") or ""),
        seed=str(spec.get("seedName") or ""),
        purpose=str(spec.get("purpose") or ""),
        workers=sum(int(w.get("maximum") or 0) for w in (spec.get("provider") or {}).get("workers") or ()
                    if isinstance(w, Mapping)),
        network=str((spec.get("networking") or {}).get("type") or ""),
        images=tuple(sorted({str(((w.get("machine") or {}).get("image") or {}).get("name") or "")
                             for w in (spec.get("provider") or {}).get("workers") or ()
                             if isinstance(w, Mapping)} - {""})),
        operation=str(last.get("type") or ""),
        op_state=op_state,
        progress=_progress(last),
        description=str(last.get("description") or ""),
        updated=shoot_conditions.parse_timestamp(last.get("lastUpdateTime")) or 0.0,
        state=state,
        errors=errors,
        chips=chips,
        issue=issue,
        issue_since=(shoot_conditions.parse_timestamp(last.get("lastUpdateTime")) or None) if issue else None,
        generation=generation,
        observed_generation=observed,
    )


def hibernation_enabled(spec: JSON) -> bool:
    return bool((spec.get("hibernation") or {}).get("enabled"))


def _state(md: JSON, spec: JSON, status: JSON, op_state: str, *, generation: int, observed: int) -> str:
    if op_state in ("Failed", "Error", "Aborted"):
        return op_state
    if md.get("deletionTimestamp"):
        return "Deleting"
    if not op_state:
        return "Pending"
    wanted = hibernation_enabled(spec)
    # Gardener's gardenlet sets status.hibernated; where an agent does not, a succeeded operation of the current
    # generation has brought the cluster to what the spec asks.
    current = op_state == "Succeeded" and observed >= generation
    hibernated = bool(status["hibernated"]) if "hibernated" in status else (wanted and current)
    if op_state in ("Processing", "Pending") or not current:
        if wanted and not hibernated:
            return "Hibernating"
        if hibernated and not wanted:
            return "Waking up"
        return "Processing" if op_state == "Succeeded" else op_state
    return "Hibernated" if hibernated else "Succeeded"


def _progress(last: JSON) -> int:
    try:
        value = int(last.get("progress") or 0)
    except (TypeError, ValueError):
        return 0
    return max(0, min(100, value))


def _all_user(codes: tuple[str, ...]) -> bool:
    return bool(codes) and all(code in _USER_CODES for code in codes)


def _error(error: JSON) -> ErrorLine:
    codes = tuple(str(c) for c in error.get("codes") or ())
    return ErrorLine(description=str(error.get("description") or ""), codes=codes, user=_all_user(codes))


def _chips(found: Any) -> tuple[Chip, ...]:
    by_type = {str(c.get("type")): c for c in found if isinstance(c, Mapping)}
    chips = []
    for kind in (*CONDITION_TYPES, *sorted(set(by_type) - set(CONDITION_TYPES))):
        condition = by_type.get(kind)
        if condition is None:
            continue
        chips.append(Chip(type=kind, status=str(condition.get("status") or "Unknown"),
                          message=str(condition.get("message") or ""),
                          codes=tuple(str(c) for c in condition.get("codes") or ())))
    return tuple(chips)

