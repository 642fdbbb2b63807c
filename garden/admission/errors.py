"""Field errors of the pure validation turned into the API's 422 Status, ratcheted: on an update, only errors about
fields the request changed refuse it (``apiserver.ratchet``), so a rule newer than a stored object never blocks its
labels, status or deletion.

Used by every plugin in ``garden.admission``.
"""

from __future__ import annotations

from typing import Any

from apiserver import errors, ratchet
from apiserver.errors import Cause
from shoot.fielderrors import FieldError


def reject_if(field_errors: list[FieldError], *, kind: str, obj: dict[str, Any], group: str,
              old: dict[str, Any] | None = None) -> None:
    """422 for the errors of ``field_errors``; with ``old`` (an update), only those about fields that changed."""
    field_errors = ratchet.changed_only(field_errors, new=obj, old=old)
    if field_errors:
        name = obj.get("metadata", {}).get("name", "")
        causes = [Cause(field=e.field, message=e.message, reason=e.reason) for e in field_errors]
        raise errors.invalid(kind, name, causes, group=group)
