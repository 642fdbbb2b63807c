"""The extension registry: which plugin serves which (kind, type), found through the ``hortus.extensions`` entry
points.

Built by ``Registry.load()`` at start-up (the garden, to publish ControllerRegistrations and validate
providerConfigs; the seed agent, to run actuators; the conformance kit) or fresh in tests with ``register()``.
A plugin that cannot be loaded, breaks its contract or claims a (kind, type) another plugin serves already is
reported (logged, and kept in ``problems``) and left out: the others are served.
"""

from __future__ import annotations

import dataclasses
import importlib.metadata
import logging
from collections.abc import Iterable

from extensions import plugins as checks
from extensions.contract import Kind, Plugin, Registration
from extensions.plugins import ContractError

__all__ = ["GROUP", "ContractError", "NotRegistered", "Problem", "Registry"]

log = logging.getLogger(__name__)
GROUP = "hortus.extensions"
# The distribution whose entry points are the built-in extensions; on a duplicate, the built-in one is kept.
BUILTIN_DISTRIBUTION = "hortus"


class NotRegistered(LookupError):
    """No plugin serves the (kind, type) asked for."""

    def __init__(self, kind: str, type_: str) -> None:
        super().__init__(f"no extension serves {kind}/{type_}: install a plugin that registers it "
                         f"(entry point group {GROUP!r})")
        self.kind, self.type = kind, type_


@dataclasses.dataclass(frozen=True)
class Problem:
    """A plugin left out at start-up, and why."""

    plugin: str
    message: str
    # The entry point that named it ("" for a plugin registered directly).
    entry_point: str = ""


class Registry:
    """(kind, type) -> the primary Registration serving it, and the plugin it belongs to."""

    def __init__(self) -> None:
        self._plugins: dict[str, Plugin] = {}
        self._primary: dict[tuple[Kind, str], tuple[Plugin, Registration]] = {}
        self._secondary: dict[tuple[Kind, str], list[Registration]] = {}
        self.problems: list[Problem] = []
        # Entry-point name -> the plugin it loaded (``local`` -> ``provider-local``), for ``hortus extension``.
        self.entry_points: dict[str, str] = {}

    def register(self, plugin: Plugin) -> None:
        """Serve ``plugin``; ``ContractError`` (and nothing registered) when it breaks its contract or claims a
        (kind, type) that another plugin serves."""
        checks.check(plugin)
        problems = []
        if plugin.name in self._plugins:
            problems.append("a plugin of that name is registered already")
        for registration in plugin.resources:
            taken = self._primary.get((registration.kind, registration.type))
            if registration.primary and taken is not None:
                problems.append(f"{registration.id} is served already by plugin {taken[0].name!r}")
        if problems:
            raise ContractError(plugin.name, problems)
        self._plugins[plugin.name] = plugin
        for registration in plugin.resources:
            key = (registration.kind, registration.type)
            if registration.primary:
                self._primary[key] = (plugin, registration)
            else:
                self._secondary.setdefault(key, []).append(registration)

    def find(self, *, kind: Kind | str, type: str) -> Registration | None:
        found = self._primary.get((k, type)) if (k := _kind(kind)) else None
        return found[1] if found else None

    def get(self, *, kind: Kind | str, type: str) -> Registration:
        """The primary registration of (kind, type); ``NotRegistered`` when no plugin serves it."""
        found = self.find(kind=kind, type=type)
        if found is None:
            raise NotRegistered(str(kind), type)
        return found

    def secondaries(self, *, kind: Kind | str, type: str) -> list[Registration]:
        """Registrations with ``primary=False`` for (kind, type): they may add conditions, nothing else."""
        return list(self._secondary.get((k, type), [])) if (k := _kind(kind)) else []

    def plugin_of(self, *, kind: Kind | str, type: str) -> Plugin:
        found = self._primary.get((k, type)) if (k := _kind(kind)) else None
        if found is None:
            raise NotRegistered(str(kind), type)
        return found[0]

    def plugins(self) -> list[Plugin]:
        return sorted(self._plugins.values(), key=lambda p: p.name)

    def plugin(self, name: str) -> Plugin:
        """The plugin called ``name``, or loaded by the entry point called ``name``."""
        found = self._plugins.get(name) or self._plugins.get(self.entry_points.get(name, ""))
        if found is None:
            raise LookupError(f"no extension plugin named {name!r} is installed") from None
        return found

    def registrations(self) -> list[Registration]:
        """Every registration served, primaries and secondaries, ordered by kind and type."""
        found = [r for p in self._plugins.values() for r in p.resources]
        return sorted(found, key=lambda r: (str(r.kind), r.type, not r.primary))

    @classmethod
    def load(cls, entry_points: Iterable[importlib.metadata.EntryPoint] | None = None) -> Registry:
        """A registry of every plugin installed (the entry points of ``GROUP``), built-in ones first."""
        registry = cls()
        found = importlib.metadata.entry_points(group=GROUP) if entry_points is None else entry_points
        for ep in sorted(found, key=_builtin_first):
            registry._load_one(ep)
        return registry

    def _load_one(self, ep: importlib.metadata.EntryPoint) -> None:
        source = f"{ep.name} ({ep.value})"
        try:
            loaded = ep.load()
        except Exception as exc:  # a broken third-party package must not stop the garden
            self._report(source, f"cannot be imported: {type(exc).__name__}: {exc}", entry_point=ep.name)
            return
        try:
            plugin = checks.as_plugin(loaded, source=source)
            self.register(plugin)
            self.entry_points[ep.name] = plugin.name
        except ContractError as exc:
            self._report(exc.plugin if exc.plugin != source else source, "; ".join(exc.problems),
                         entry_point=ep.name)

    def _report(self, plugin: str, message: str, *, entry_point: str = "") -> None:
        log.error("extension plugin %s is left out: %s", plugin, message)
        self.problems.append(Problem(plugin=plugin, message=message, entry_point=entry_point))


def _kind(kind: Kind | str) -> Kind | None:
    try:
        return Kind(kind)
    except ValueError:
        return None


def _builtin_first(ep: importlib.metadata.EntryPoint) -> tuple[int, str, str]:
    dist = getattr(ep, "dist", None)
    name = getattr(dist, "name", "") if dist is not None else ""
    return (0 if name == BUILTIN_DISTRIBUTION else 1, ep.name, ep.value)
