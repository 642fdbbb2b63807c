"""The retry vocabulary: which errors let an operation be retried later."""

from __future__ import annotations

from shoot import errors
from shoot.errors import ErrorCode, PermanentError, TemporaryError


def test_a_temporary_error_is_retried_after_its_delay() -> None:
    err = TemporaryError("2 of 3 machines ready", delay=10.0)
    assert errors.retryable(err)
    assert err.delay == 10.0
    assert err.message == "2 of 3 machines ready"


def test_a_permanent_error_without_codes_is_retried_later() -> None:
    assert errors.retryable(PermanentError("the seed refused the object"))


def test_credentials_and_configuration_errors_are_not_retried() -> None:
    for code in (ErrorCode.INFRA_UNAUTHORIZED, ErrorCode.CONFIGURATION_PROBLEM, ErrorCode.INFRA_QUOTA_EXCEEDED):
        assert not errors.retryable(PermanentError("refused", codes=[code]))
    assert errors.retryable(PermanentError("busy", codes=[ErrorCode.RETRYABLE_INFRA_DEPENDENCIES]))


def test_codes_are_gardeners_wire_values() -> None:
    assert str(ErrorCode.INFRA_UNAUTHORIZED) == "ERR_INFRA_UNAUTHORIZED"
    assert ErrorCode.INFRA_UNAUTHORIZED in errors.USER_ERROR_CODES
    assert ErrorCode.CLEANUP_CLUSTER_RESOURCES not in errors.USER_ERROR_CODES
