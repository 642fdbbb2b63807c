"""``hortus extension new NAME``: a working, installable extension plugin package in ``./NAME/``.

Called by ``hortus.extension_cli``. The package serves one (kind, type) — ``Extension/NAME`` unless told otherwise —
with an actuator that keeps a ConfigMap in the shoot's seed namespace (so every step of the lifecycle is visible),
a JSON Schema for its providerConfig with an example (which the conformance kit reconciles with), tests (the
schema's, and the conformance kit through the ``hortus_conformance`` fixture) and a README. It passes
``hortus extension test NAME`` unmodified.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from extensions.contract import SHOOT_PROVIDER_CONFIG, Kind
from extensions.plugins import NAME as NAME_PATTERN

_IDENTIFIER = re.compile(r"[a-z][a-z0-9-]*")


class SkeletonError(ValueError):
    """The name or directory cannot hold a new plugin; the message says why."""


def package_name(name: str) -> str:
    return "hortus_ext_" + name.replace("-", "_")


def create(name: str, *, parent: Path, kind: Kind = Kind.EXTENSION, type_: str | None = None) -> Path:
    """Write the package into ``parent / name``; returns that directory."""
    if not NAME_PATTERN.fullmatch(name) or not _IDENTIFIER.fullmatch(name) or len(name) > 40:
        raise SkeletonError(f"{name!r} is not a plugin name: lower-case letters, digits and '-', starting with a "
                            "letter, at most 40 characters")
    target = parent / name
    if target.exists() and any(target.iterdir()):
        raise SkeletonError(f"{target} exists and is not empty")
    type_ = type_ or name
    package = package_name(name)
    files = {
        "pyproject.toml": _PYPROJECT,
        "README.md": _README,
        f"src/{package}/__init__.py": _INIT,
        f"src/{package}/actuator.py": _ACTUATOR,
        f"src/{package}/schema.json": json.dumps(_schema(name), indent=2) + "\n",
        f"tests/test_{package}.py": _TESTS,
        ".gitignore": "__pycache__/\n*.egg-info/\nbuild/\ndist/\n",
    }
    values = {"name": name, "package": package, "kind": kind.value, "kind_member": kind.name, "type": type_,
              "api_group": _api_group(name), "config_kind": _config_kind(name),
              "shoot_field": SHOOT_PROVIDER_CONFIG.get(kind, f"the {kind.value} object's spec.providerConfig")}
    for relative, template in files.items():
        path = target / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(_fill(template, values))
    return target


def _fill(template: str, values: dict[str, str]) -> str:
    out = template
    for key, value in values.items():
        out = out.replace("{{" + key + "}}", value)
    return out


def _api_group(name: str) -> str:
    return f"{name}.extensions.hortus.dev/v1alpha1"


def _config_kind(name: str) -> str:
    return "".join(part.capitalize() for part in name.split("-")) + "Config"


def _schema(name: str) -> dict[str, object]:
    api_version, kind = _api_group(name), _config_kind(name)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": f"{kind} ({api_version})",
        "description": f"The providerConfig of the {name} extension.",
        "type": "object",
        "additionalProperties": False,
        "required": ["apiVersion", "kind"],
        "properties": {
            "apiVersion": {"const": api_version, "description": "The API group and version of this config."},
            "kind": {"const": kind},
            "greeting": {"type": "string", "minLength": 1, "maxLength": 253,
                         "description": "What the extension writes into its ConfigMap."},
            "replicas": {"type": "integer", "minimum": 0, "maximum": 10,
                         "description": "An example of a bounded number."},
        },
        "examples": [{"apiVersion": api_version, "kind": kind, "greeting": "hello from the skeleton"}],
    }


_PYPROJECT = '''[build-system]
requires = ["setuptools>=68"]
build-backend = "setuptools.build_meta"

[project]
name = "hortus-extension-{{name}}"
version = "0.1.0"
description = "The {{name}} extension for hortus: {{kind}}/{{type}}"
readme = "README.md"
requires-python = ">=3.11"
dependencies = ["hortus>=0.1"]

[project.optional-dependencies]
test = ["pytest>=8"]

# How hortus finds the plugin: the entry point group hortus.extensions, named after the plugin.
[project.entry-points."hortus.extensions"]
{{name}} = "{{package}}:plugin"

[tool.setuptools.package-data]
{{package}} = ["schema.json"]

[tool.pytest.ini_options]
testpaths = ["tests"]
'''

_INIT = '''"""The {{name}} extension plugin.

It serves {{kind}}/{{type}}.

hortus loads ``plugin`` through an entry point of the group ``hortus.extensions``
(pyproject.toml). The garden lists it as a ControllerRegistration and validates
the providerConfig of every Shoot that uses it against ``schema.json``; the seed
agent calls the actuator.
"""

from __future__ import annotations

import json
from importlib import resources

from extensions.contract import Kind, Plugin, Registration

from {{package}}.actuator import Actuator

TYPE = "{{type}}"
VERSION = "0.1.0"
SCHEMA = json.loads(resources.files(__package__).joinpath("schema.json").read_text())

plugin = Plugin(
    name="{{name}}",
    version=VERSION,
    description="keeps a ConfigMap with the configured greeting in the shoot's seed namespace",
    resources=(
        Registration(
            kind=Kind.{{kind_member}},
            type=TYPE,
            actuator=Actuator(),
            provider_config_schema=SCHEMA,
        ),
    ),
)
'''

_ACTUATOR = '''"""The actuator of {{kind}}/{{type}}: what the extension does.

Every method is idempotent (called again with the same object it changes nothing). "Not done yet" is a
``shoot.errors.TemporaryError`` with a delay, never a sleep; a mistake of the user is a ``PermanentError`` with
Gardener's error codes (see ``extensions.sdk.codes``).
"""

from __future__ import annotations

from extensions.contract import JSON, Context, ExtensionObject, Outcome
from extensions.sdk import BaseActuator

API_VERSION = "{{api_group}}"


def config_map_name(obj: ExtensionObject) -> str:
    return f"{{name}}-{obj.name}"


class Actuator(BaseActuator):
    def reconcile(self, ctx: Context, obj: ExtensionObject) -> Outcome:
        greeting = str(obj.provider_config.get("greeting") or obj.state.get("greeting") or "hello")
        ctx.seed.apply({
            "apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": config_map_name(obj), "namespace": ctx.namespace,
                         "labels": {"app.kubernetes.io/managed-by": "{{name}}"}},
            "data": {"greeting": greeting},
        })
        status = {
            "apiVersion": API_VERSION,
            "kind": "{{config_kind}}Status",
            "configMap": config_map_name(obj),
        }
        return Outcome(provider_status=status, state={"greeting": greeting})

    def delete(self, ctx: Context, obj: ExtensionObject) -> None:
        ctx.seed.delete("v1", "ConfigMap", config_map_name(obj), namespace=ctx.namespace)

    def migrate(self, ctx: Context, obj: ExtensionObject) -> Outcome:
        """Source seed: keep the state in the object's status, remove what lives on this seed (nothing outside)."""
        ctx.seed.delete("v1", "ConfigMap", config_map_name(obj), namespace=ctx.namespace)
        return Outcome(provider_status=obj.status.get("providerStatus"), state=obj.state or None)

    def restore(self, ctx: Context, obj: ExtensionObject) -> Outcome:
        """Destination seed: ``obj.state`` holds what the source seed kept; reconciling rebuilds from it."""
        return self.reconcile(ctx, obj)

    def health(self, ctx: Context, obj: ExtensionObject) -> list[JSON]:
        found = ctx.seed.get("v1", "ConfigMap", config_map_name(obj), namespace=ctx.namespace)
        healthy = found is not None
        return [{"type": "{{config_kind}}Healthy",
                 "status": "True" if healthy else "False",
                 "reason": "ConfigMapPresent" if healthy else "ConfigMapMissing",
                 "message": f"ConfigMap {config_map_name(obj)} is {'there' if healthy else 'missing'}"}]
'''

_TESTS = '''"""Tests of the {{name}} extension: its schema, and the conformance kit."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from extensions import validation
from extensions.contract import Kind

from {{package}} import SCHEMA, plugin

ROOT = "spec.providerConfig"


def registration() -> Any:
    return next(r for r in plugin.resources if r.kind is Kind.{{kind_member}})


def test_the_example_config_is_valid() -> None:
    (example,) = SCHEMA["examples"]
    assert validation.provider_config_errors(registration(), example, path=ROOT) == []


def test_mistakes_are_refused_with_their_field_paths() -> None:
    (example,) = SCHEMA["examples"]
    wrong = {**example, "greeting": "", "replicas": 99, "colour": "red"}
    fields = {e.field for e in validation.provider_config_errors(registration(), wrong, path=ROOT)}
    assert fields == {f"{ROOT}.greeting", f"{ROOT}.replicas", f"{ROOT}.colour"}


def test_the_plugin_passes_the_conformance_kit(hortus_conformance: Callable[[str], Any]) -> None:
    report = hortus_conformance("{{name}}")
    assert report.passed
'''

_README = '''# hortus-extension-{{name}}

A hortus extension plugin serving `{{kind}}/{{type}}`, created by
`hortus extension new {{name}}`.

- `src/{{package}}/__init__.py` declares the plugin (its name, version and the (kind, type) it serves);
  `pyproject.toml` registers it under the entry-point group `hortus.extensions`.
- `src/{{package}}/actuator.py` is the lifecycle: reconcile, delete, migrate, restore, health.
- `src/{{package}}/schema.json` is the JSON Schema of the providerConfig; the garden validates every Shoot against it
  (at `{{shoot_field}}`) and serves it for `kubectl explain`. Its `examples`
  entry is what the conformance kit reconciles with.

## Develop

    pip install -e '.[test]'
    hortus extension list            # {{name}} is listed with {{kind}}/{{type}}
    hortus extension test {{name}}   # the conformance kit on a local seed cluster
    pytest                           # the schema tests and the kit (fixture hortus_conformance)

## Use

Install the package next to the hortus garden and seed agent and restart them: the garden lists the
ControllerRegistration `{{name}}` (`kubectl get controllerregistrations`). A Shoot uses the plugin through the type
`{{type}}` of its {{kind}} and gives the providerConfig at `{{shoot_field}}`:

    apiVersion: {{api_group}}
    kind: {{config_kind}}
    greeting: hello

## Publish

    python -m build && twine upload dist/*
'''
