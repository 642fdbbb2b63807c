"""What makes a plugin keep its contract: the checks the registry runs on every plugin before it serves it.

Called by ``extensions.registry`` (at start-up, for each entry point of ``hortus.extensions``) and by the
conformance kit. Every check gives a sentence naming the plugin and what is wrong with it, so an operator reading
the garden's log knows which package to fix.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import jsonschema

from extensions.contract import Kind, Plugin, Registration

# A plugin's name becomes a ControllerRegistration's name; its types are Gardener's (``aws``, ``aws-route53``).
NAME = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?")
TYPE = re.compile(r"[a-z0-9]([-a-z0-9.]*[a-z0-9])?")
ACTUATOR_METHODS = ("reconcile", "delete", "migrate", "restore", "health")


class ContractError(Exception):
    """A plugin breaks its contract; ``problems`` says how, one sentence each."""

    def __init__(self, plugin: str, problems: list[str]) -> None:
        super().__init__(f"extension plugin {plugin!r}: " + "; ".join(problems))
        self.plugin = plugin
        self.problems = problems


def as_plugin(loaded: Any, *, source: str) -> Plugin:
    """The ``Plugin`` an entry point names: the object itself, or what a zero-argument factory returns."""
    if callable(loaded) and not isinstance(loaded, Plugin):
        try:
            loaded = loaded()
        except Exception as exc:  # a third-party factory may fail in any way; it is reported, not raised
            raise ContractError(source, [f"its factory raised {type(exc).__name__}: {exc}"]) from exc
    if not isinstance(loaded, Plugin):
        raise ContractError(source, [f"the entry point names a {type(loaded).__name__}, not an "
                                     "extensions.contract.Plugin (or a function returning one)"])
    return loaded


def check(plugin: Plugin) -> None:
    """Raise ``ContractError`` listing every breach of the contract ``plugin`` commits."""
    problems = list(_problems(plugin))
    if problems:
        raise ContractError(str(plugin.name) or "<unnamed>", problems)


def _problems(plugin: Plugin) -> Iterator[str]:
    if not isinstance(plugin.name, str) or not NAME.fullmatch(plugin.name) or len(plugin.name) > 63:
        yield f"name {plugin.name!r} is not a DNS label (lower-case letters, digits and '-', at most 63)"
    if not isinstance(plugin.version, str) or not plugin.version.strip():
        yield "it declares no version"
    if not isinstance(plugin.resources, tuple | list) or not plugin.resources:
        yield "it serves no (kind, type): resources is empty"
        return
    seen: set[tuple[str, str]] = set()
    for index, registration in enumerate(plugin.resources):
        if not isinstance(registration, Registration):
            yield f"resources[{index}] is a {type(registration).__name__}, not an extensions.contract.Registration"
            continue
        where = f"{registration.kind}/{registration.type}"
        yield from (f"{where}: {p}" for p in _registration_problems(registration))
        key = (str(registration.kind), registration.type)
        if key in seen and registration.primary:
            yield f"{where} is declared twice"
        seen.add(key)


def _registration_problems(registration: Registration) -> Iterator[str]:
    if not isinstance(registration.kind, Kind):
        yield f"kind {registration.kind!r} is not one of {', '.join(k.value for k in Kind)}"
    if not isinstance(registration.type, str) or not TYPE.fullmatch(registration.type):
        yield f"type {registration.type!r} is not a lower-case name (letters, digits, '-' and '.')"
    missing = [m for m in ACTUATOR_METHODS if not callable(getattr(registration.actuator, m, None))]
    if missing:
        yield f"its actuator ({type(registration.actuator).__name__}) lacks {', '.join(missing)}"
    schema = registration.provider_config_schema
    if schema is not None:
        yield from _schema_problems(schema)


def _schema_problems(schema: Any) -> Iterator[str]:
    if not isinstance(schema, dict):
        yield f"its providerConfig schema is a {type(schema).__name__}, not a JSON Schema object"
        return
    try:
        jsonschema.Draft202012Validator.check_schema(schema)
    except jsonschema.SchemaError as exc:
        at = "/".join(str(p) for p in exc.path) or "the root"
        yield f"its providerConfig schema is not a valid JSON Schema (at {at}: {exc.message})"
