"""Retry intent as an exception vocabulary, with Gardener's error codes.

Raised by extension actuators (``extensions``) and by the seed agent's flow steps (``seed``); the flow engine turns
a ``TemporaryError`` into a retry after its delay and a ``PermanentError`` into a failed step whose codes end up in
``status.lastErrors[].codes`` of the Shoot. Pure: no I/O, importable from every layer.
"""

from __future__ import annotations

from collections.abc import Iterable

from shoot.api.meta import ErrorCode

__all__ = ["ErrorCode", "FlowError", "PermanentError", "TemporaryError", "retryable"]


# Codes that mean the user must act (credentials, quota, configuration); the rest need the platform's operators.
USER_ERROR_CODES = frozenset({
    ErrorCode.INFRA_UNAUTHENTICATED,
    ErrorCode.INFRA_UNAUTHORIZED,
    ErrorCode.INFRA_QUOTA_EXCEEDED,
    ErrorCode.INFRA_RATE_LIMITS_EXCEEDED,
    ErrorCode.INFRA_DEPENDENCIES,
    ErrorCode.INFRA_RESOURCES_DEPLETED,
    ErrorCode.CONFIGURATION_PROBLEM,
    ErrorCode.PROBLEMATIC_WEBHOOK,
})

# Gardener retries nothing of an operation that failed with one of these: the shoot turns Failed at once.
NON_RETRYABLE_CODES = frozenset({
    ErrorCode.INFRA_UNAUTHENTICATED,
    ErrorCode.INFRA_UNAUTHORIZED,
    ErrorCode.INFRA_QUOTA_EXCEEDED,
    ErrorCode.INFRA_DEPENDENCIES,
    ErrorCode.CONFIGURATION_PROBLEM,
})

# Gardener allows ``confirmation.gardener.cloud/force-deletion`` only when the last errors carry one of these.
FORCE_DELETION_CODES = frozenset({
    ErrorCode.INFRA_UNAUTHENTICATED,
    ErrorCode.INFRA_UNAUTHORIZED,
    ErrorCode.INFRA_DEPENDENCIES,
    ErrorCode.CLEANUP_CLUSTER_RESOURCES,
    ErrorCode.CONFIGURATION_PROBLEM,
})


class FlowError(Exception):
    """Base of the vocabulary: a message for ``lastError.description`` and Gardener's codes."""

    def __init__(self, message: str, *, codes: Iterable[ErrorCode] = ()) -> None:
        super().__init__(message)
        self.message = message
        self.codes: tuple[ErrorCode, ...] = tuple(codes)


class TemporaryError(FlowError):
    """Not done yet, or failed for a reason that may pass: try again after ``delay`` seconds.

    Waiting is expressed this way too ("3 of 5 machines ready"): a step never sleeps in a loop holding a worker.
    """

    def __init__(self, message: str, *, delay: float = 5.0, codes: Iterable[ErrorCode] = ()) -> None:
        super().__init__(message, codes=codes)
        self.delay = delay


class PermanentError(FlowError):
    """This run cannot succeed: the flow stops and the operation turns Error (retried later with backoff), or
    Failed at once when a code is one of ``NON_RETRYABLE_CODES`` (credentials, quota, configuration)."""


def retryable(error: FlowError) -> bool:
    """Whether the operation may be retried later: all but errors carrying a non-retryable code."""
    return not any(code in NON_RETRYABLE_CODES for code in error.codes)
