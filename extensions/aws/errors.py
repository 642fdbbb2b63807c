"""AWS errors as the retry vocabulary: provider-aws's ``KnownCodes`` table and the translation of botocore's errors.

Used by every AWS actuator through ``translate``: a ``ClientError`` becomes a ``PermanentError`` when its text
shows a code that needs the user (credentials, permissions, quota, configuration), else a ``TemporaryError``; an
unreachable endpoint is temporary. ``gone`` tells an error that means "already deleted" (deletes tolerate it).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from botocore.exceptions import BotoCoreError, ClientError, EndpointConnectionError

from extensions.sdk.codes import CodeTable, flow_error
from shoot import errors
from shoot.errors import ErrorCode

# provider-aws ``pkg/apis/aws/helper/error_codes.go``: case-insensitive patterns over the whole error text.
CODES: CodeTable = {
    ErrorCode.INFRA_UNAUTHENTICATED: (r"AuthFailure", r"InvalidAccessKeyId", r"InvalidSecretAccessKey"),
    ErrorCode.INFRA_UNAUTHORIZED: (r"Unauthorized", r"InvalidClientTokenId", r"SignatureDoesNotMatch",
                                   r"UnauthorizedOperation", r"AccessDenied"),
    ErrorCode.INFRA_QUOTA_EXCEEDED: (r"(?<!Request)LimitExceeded", r"Quotas", r"Quota.*exceeded", r"exceeded quota",
                                     r"Quota has been met", r"QUOTA_EXCEEDED"),
    ErrorCode.INFRA_RATE_LIMITS_EXCEEDED: (r"RequestLimitExceeded", r"Throttling", r"Too many requests"),
    ErrorCode.INFRA_DEPENDENCIES: (r"PendingVerification", r"Access Not Configured", r"accessNotConfigured",
                                   r"DependencyViolation", r"OptInRequired", r"DeleteConflict", r"Conflict",
                                   r"inactive billing state", r"timeout while waiting for state to become",
                                   r"InvalidCidrBlock", r"already busy for", r"InsufficientFreeAddressesInSubnet",
                                   r"internal server error", r"A resource with the ID",
                                   r"currently associated with another service"),
    ErrorCode.RETRYABLE_INFRA_DEPENDENCIES: (r"RetryableError",),
    ErrorCode.INFRA_RESOURCES_DEPLETED: (r"not available in the current hardware cluster",
                                         r"InsufficientInstanceCapacity", r"out of stock"),
    ErrorCode.CONFIGURATION_PROBLEM: (r"not supported in your requested Availability Zone", r"InvalidParameterValue",
                                      r"notFound", r"InvalidSubnet", r"Invalid value", r"violates constraint",
                                      r"no attached internet gateway found", r"invalid VPC attributes",
                                      r"duplicate zones", r"overlapping zones"),
    ErrorCode.RETRYABLE_CONFIGURATION_PROBLEM: (r"SDK\.CanNotResolveEndpoint",
                                                r"The requested configuration is currently not supported"),
}

# Codes of errors that mean the resource is gone already (provider-aws's ``IsNotFoundError``).
_GONE_SUFFIXES = ("NotFound", "NoSuchEntity", "NotAttached")


def code(exc: BaseException) -> str:
    """The AWS error code of a ``ClientError`` (``InvalidVpcID.NotFound``), else ''."""
    if isinstance(exc, ClientError):
        return str(exc.response.get("Error", {}).get("Code", ""))
    return ""


def gone(exc: BaseException) -> bool:
    found = code(exc)
    return bool(found) and found.endswith(_GONE_SUFFIXES)


@contextlib.contextmanager
def translate(context: str, *, deleting: bool = False) -> Iterator[None]:
    """Turn botocore's errors raised inside into ``TemporaryError``/``PermanentError`` with Gardener's codes.

    While ``deleting``, a ``DependencyViolation`` is temporary (``ERR_RETRYABLE_INFRA_DEPENDENCIES``): what still
    holds the resource (an instance shutting down, a load balancer's interface) goes on its own.
    """
    try:
        yield
    except ClientError as exc:
        if deleting and code(exc) in ("DependencyViolation", "DeleteConflict"):
            raise errors.TemporaryError(f"{context}: {exc}", delay=10.0,
                                        codes=[ErrorCode.RETRYABLE_INFRA_DEPENDENCIES]) from exc
        raise flow_error(exc, CODES, context=context) from exc
    except EndpointConnectionError as exc:
        raise errors.TemporaryError(f"{context}: the AWS endpoint is unreachable: {exc}", delay=15.0) from exc
    except BotoCoreError as exc:
        raise flow_error(exc, CODES, context=context) from exc
