"""Errors as Kubernetes ``metav1.Status`` bodies.

Raised anywhere below the HTTP layer (storage, admission, patch, selectors) and turned into a response by
``apiserver.http``. Messages follow the wording of the real API server, which kubectl prints verbatim.
"""

from __future__ import annotations

import dataclasses
from typing import Any

JSON = dict[str, Any]


@dataclasses.dataclass(frozen=True)
class Cause:
    """One entry of ``details.causes``: the field path and what is wrong with it."""

    field: str
    message: str
    reason: str = "FieldValueInvalid"

    def to_json(self) -> JSON:
        return {"reason": self.reason, "message": self.message, "field": self.field}


class ApiError(Exception):
    """An API failure with its HTTP code, Kubernetes reason and optional details."""

    def __init__(
        self,
        code: int,
        reason: str,
        message: str,
        *,
        details: JSON | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.reason = reason
        self.message = message
        self.details = details
        self.headers = headers or {}

    def status(self) -> JSON:
        body: JSON = {
            "kind": "Status",
            "apiVersion": "v1",
            "metadata": {},
            "status": "Failure",
            "message": self.message,
            "reason": self.reason,
            "code": self.code,
        }
        if self.details is not None:
            body["details"] = self.details
        return body


def _details(qualified: str, name: str) -> JSON:
    plural, _, group = qualified.partition(".")
    details: JSON = {"name": name, "kind": plural}
    if group:
        details["group"] = group
    return details


def not_found(qualified: str, name: str) -> ApiError:
    return ApiError(404, "NotFound", f'{qualified} "{name}" not found', details=_details(qualified, name))


def already_exists(qualified: str, name: str) -> ApiError:
    return ApiError(409, "AlreadyExists", f'{qualified} "{name}" already exists', details=_details(qualified, name))


def conflict(qualified: str, name: str, why: str = "") -> ApiError:
    why = why or "the object has been modified; please apply your changes to the latest version and try again"
    return ApiError(
        409, "Conflict", f'Operation cannot be fulfilled on {qualified} "{name}": {why}',
        details=_details(qualified, name),
    )


def invalid(kind: str, name: str, causes: list[Cause], *, group: str = "") -> ApiError:
    """422 Invalid; kubectl prints ``The <Kind> "<name>" is invalid: <field>: <message>`` from the causes."""
    text = "; ".join(f"{c.field}: {c.message}" for c in causes) if causes else "invalid"
    details: JSON = {"name": name, "kind": kind, "causes": [c.to_json() for c in causes]}
    if group:
        details["group"] = group
    return ApiError(422, "Invalid", f'{kind} "{name}" is invalid: {text}', details=details)


def bad_request(message: str, *, causes: list[Cause] | None = None) -> ApiError:
    details = {"causes": [c.to_json() for c in causes]} if causes else None
    return ApiError(400, "BadRequest", message, details=details)


def unauthorized(message: str = "Unauthorized") -> ApiError:
    return ApiError(401, "Unauthorized", message)


def forbidden(message: str) -> ApiError:
    return ApiError(403, "Forbidden", message)


def method_not_allowed(message: str = "the server does not allow this method on the requested resource") -> ApiError:
    return ApiError(405, "MethodNotAllowed", message)


def gone(message: str) -> ApiError:
    return ApiError(410, "Expired", message)


def unsupported_media_type(message: str) -> ApiError:
    return ApiError(415, "UnsupportedMediaType", message)


def not_acceptable(message: str) -> ApiError:
    return ApiError(406, "NotAcceptable", message)


def internal(message: str) -> ApiError:
    return ApiError(500, "InternalError", message)


def service_unavailable(message: str) -> ApiError:
    return ApiError(503, "ServiceUnavailable", message)


def storage_read_error(qualified: str, name: str, why: str) -> ApiError:
    """A stored object that cannot be read back: reason StorageReadError, as Kubernetes names it (KEP-3926), but
    409 rather than its 500: the request is fine, the stored state is in the way."""
    return ApiError(409, "StorageReadError",
                    f'{qualified} "{name}" cannot be read from storage ({why}); delete it with the DeleteOptions '
                    "ignoreStoreReadErrorWithClusterBreakingPotential=true", details=_details(qualified, name))


def path_not_found() -> ApiError:
    return ApiError(404, "NotFound", "the server could not find the requested resource", details={})
