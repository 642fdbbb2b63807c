"""Field errors in Kubernetes' wording (``k8s.io/apimachinery/pkg/util/validation/field``), with no I/O.

Returned by every validation in ``shoot.validation`` and turned into 422 ``Status`` causes by the garden's
admission (``garden.admission``).
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterable
from typing import Any

REQUIRED = "FieldValueRequired"
INVALID = "FieldValueInvalid"
FORBIDDEN = "FieldValueForbidden"
NOT_SUPPORTED = "FieldValueNotSupported"
DUPLICATE = "FieldValueDuplicate"
TOO_LONG = "FieldValueTooLong"


@dataclasses.dataclass(frozen=True)
class FieldError:
    """One problem at one field path, e.g. ``spec.provider.workers[0].maximum``."""

    field: str
    reason: str
    message: str

    def __str__(self) -> str:
        return f"{self.field}: {self.message}"


def _show(value: Any) -> str:
    return json.dumps(value, default=str)


def required(field: str, detail: str = "") -> FieldError:
    return FieldError(field, REQUIRED, "Required value" + (f": {detail}" if detail else ""))


def invalid(field: str, value: Any, detail: str) -> FieldError:
    return FieldError(field, INVALID, f"Invalid value: {_show(value)}: {detail}")


def forbidden(field: str, detail: str) -> FieldError:
    return FieldError(field, FORBIDDEN, f"Forbidden: {detail}")


def not_supported(field: str, value: Any, valid: Iterable[str]) -> FieldError:
    options = ", ".join(json.dumps(v) for v in valid)
    return FieldError(field, NOT_SUPPORTED, f"Unsupported value: {_show(value)}: supported values: {options}")


def duplicate(field: str, value: Any) -> FieldError:
    return FieldError(field, DUPLICATE, f"Duplicate value: {_show(value)}")


def too_long(field: str, value: Any, limit: int) -> FieldError:
    return FieldError(field, TOO_LONG, f"Too long: may not be more than {limit} bytes (value: {_show(value)})")
