"""Field errors of the pure validation turned into the API's 422 Status.

Used by every plugin in ``garden.admission``.
"""

from __future__ import annotations

from typing import Any

from apiserver import errors
from apiserver.errors import Cause
from shoot.fielderrors import FieldError


def reject_if(field_errors: list[FieldError], *, kind: str, obj: dict[str, Any], group: str) -> None:
    if field_errors:
        name = obj.get("metadata", {}).get("name", "")
        causes = [Cause(field=e.field, message=e.message, reason=e.reason) for e in field_errors]
        raise errors.invalid(kind, name, causes, group=group)
