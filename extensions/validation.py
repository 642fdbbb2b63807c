"""A providerConfig checked against its plugin's JSON Schema (and the plugin's own checks), as field errors.

Called by the garden's admission (``extensions.admission``, paths into the Shoot such as
``spec.provider.infrastructureConfig.networks.vpc.cidr``) and by ``extensions.driver`` before an actuator runs
(paths into the extension object). Messages are Kubernetes' field-error wording; a schema may give its own message
for a subschema in ``errorMessage`` (the convention of ajv-errors).
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

import jsonschema
from jsonschema.exceptions import ValidationError

from extensions.contract import JSON, Registration
from shoot import fielderrors
from shoot.fielderrors import FieldError


def provider_config_errors(registration: Registration, config: Any, *, path: str,
                           shoot: JSON | None = None) -> list[FieldError]:
    """What is wrong with ``config`` (None: not given) as the providerConfig of ``registration``."""
    schema = registration.provider_config_schema
    if config is None:
        if registration.provider_config_required:
            return [fielderrors.required(path, f"{registration.id} needs a providerConfig")]
        return []
    if schema is None:
        return [fielderrors.forbidden(path, f"{registration.id} takes no providerConfig")]
    found = schema_errors(schema, config, path=path)
    if not found and registration.validator is not None:
        found = [_under(path, e) for e in registration.validator(config, shoot or {})]
    return found


def schema_errors(schema: JSON, value: Any, *, path: str) -> list[FieldError]:
    """Every violation of ``schema`` by ``value``, each at the field it concerns, in field order."""
    validator = _validator(json.dumps(schema, sort_keys=True))
    found = [e for error in validator.iter_errors(value) for e in _field_errors(error, path)]
    return sorted(set(found), key=lambda e: (e.field, e.message))


@functools.lru_cache(maxsize=256)
def _validator(schema_text: str) -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(json.loads(schema_text),
                                           format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)


def field_path(root: str, parts: Iterable[str | int]) -> str:
    """``root`` extended by keys (``.key``) and list indices (``[i]``)."""
    out = root
    for part in parts:
        out = f"{out}[{part}]" if isinstance(part, int) else (f"{out}.{part}" if out else str(part))
    return out


def _under(root: str, error: FieldError) -> FieldError:
    if not error.field:
        return FieldError(root, error.reason, error.message)
    joiner = "" if error.field.startswith("[") else "."
    return FieldError(f"{root}{joiner}{error.field}", error.reason, error.message)


def _field_errors(error: ValidationError, root: str) -> Iterator[FieldError]:
    where = field_path(root, list(error.absolute_path))
    schema: Any = error.schema if isinstance(error.schema, dict) else {}
    custom = schema.get("errorMessage")
    kind, detail = error.validator, error.validator_value
    if kind == "required":
        for name in _missing(error):
            yield fielderrors.required(f"{where}.{name}", str(custom) if custom else "")
    elif kind in ("additionalProperties", "unevaluatedProperties") and isinstance(error.instance, dict):
        allowed = set((schema.get("properties") or {}).keys())
        for name in sorted(k for k in error.instance if k not in allowed):
            yield fielderrors.forbidden(f"{where}.{name}", str(custom) if custom else "unknown field")
    elif custom:
        yield fielderrors.invalid(where, error.instance, str(custom))
    elif kind in ("enum", "const"):
        options: Sequence[Any] = list(detail) if kind == "enum" and isinstance(detail, list) else [detail]
        yield fielderrors.not_supported(where, error.instance, [str(o) for o in options])
    elif kind == "type":
        yield fielderrors.invalid(where, error.instance, f"must be of type {_types(detail)}")
    elif kind == "pattern":
        yield fielderrors.invalid(where, error.instance, f"must match the regular expression {detail!r}")
    elif kind == "format":
        yield fielderrors.invalid(where, error.instance, f"must be a valid {detail}")
    else:
        yield fielderrors.invalid(where, error.instance, _plain(error))


def _missing(error: ValidationError) -> list[str]:
    present = error.instance if isinstance(error.instance, dict) else {}
    names: Any = error.validator_value
    return [str(n) for n in names if n not in present]


def _types(detail: Any) -> str:
    return " or ".join(detail) if isinstance(detail, list) else str(detail)


def _plain(error: ValidationError) -> str:
    """jsonschema's message without the repeated value (the field error shows it already)."""
    message = error.message
    shown = repr(error.instance)
    if message.startswith(shown):
        message = message[len(shown):].strip()
    return message.removeprefix("is ").strip() or message
