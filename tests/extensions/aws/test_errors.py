"""AWS's refusals as Gardener's error codes and retry intent: wrong keys, missing permissions, quota, dependencies,
through the driver into ``lastError`` and as the exception the flow sees."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from extensions.aws import errors as aws_errors
from extensions.contract import API_VERSION, Kind, Operation
from shoot import errors
from shoot.errors import ErrorCode
from tests.extensions.aws.conftest import Shoot

JSON = dict[str, Any]


@pytest.fixture
def aws_shoot(aws_shoot: Shoot) -> Shoot:
    """One zone is enough to see how errors surface."""
    aws_shoot.infrastructure_config["networks"]["zones"] = aws_shoot.infrastructure_config["networks"]["zones"][:1]
    return aws_shoot


def _stored(shoot: Shoot) -> JSON:
    found = shoot.cluster.kube.get(API_VERSION, "Infrastructure", shoot.name, namespace=shoot.technical_id)
    assert found is not None
    status: JSON = found["status"]
    return status


def test_wrong_keys_fail_at_once_as_unauthenticated(aws_shoot: Shoot) -> None:
    wrong = {**aws_shoot.credentials, "secretAccessKey": "not-the-secret-of-this-key-0123456789abcd"}
    with pytest.raises(errors.PermanentError, match="AuthFailure") as raised:
        aws_shoot.run(Kind.INFRASTRUCTURE, aws_shoot.infrastructure_spec(), credentials=wrong)
    assert raised.value.codes == (ErrorCode.INFRA_UNAUTHENTICATED,)
    assert not errors.retryable(raised.value)
    status = _stored(aws_shoot)
    assert status["lastError"]["codes"] == ["ERR_INFRA_UNAUTHENTICATED"]
    assert status["lastOperation"]["state"] == "Error"
    assert aws_shoot.moto.tagged(aws_shoot.technical_id) == {}


def test_keys_without_permissions_fail_as_unauthorized(aws_shoot: Shoot) -> None:
    nobody = aws_shoot.moto.user(f"nobody-{aws_shoot.name}")
    with pytest.raises(errors.PermanentError, match="not authorized") as raised:
        aws_shoot.run(Kind.INFRASTRUCTURE, aws_shoot.infrastructure_spec(), credentials=nobody)
    assert raised.value.codes == (ErrorCode.INFRA_UNAUTHORIZED,)
    assert _stored(aws_shoot)["lastError"]["codes"] == ["ERR_INFRA_UNAUTHORIZED"]


def test_keys_allowed_ec2_but_not_iam_fail_as_unauthorized_at_the_iam_step(aws_shoot: Shoot) -> None:
    ec2_only = aws_shoot.moto.user(f"ec2-{aws_shoot.name}", {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "ec2:*", "Resource": "*"}]})
    with pytest.raises(errors.PermanentError, match="iam:GetRole") as raised:
        aws_shoot.run(Kind.INFRASTRUCTURE, aws_shoot.infrastructure_spec(), credentials=ec2_only)
    assert raised.value.codes == (ErrorCode.INFRA_UNAUTHORIZED,)
    aws_shoot.converge(Kind.INFRASTRUCTURE, aws_shoot.infrastructure_spec(), operation=Operation.DELETE)
    assert aws_shoot.moto.tagged(aws_shoot.technical_id) == {}


def test_a_secret_without_keys_is_unauthenticated(aws_shoot: Shoot) -> None:
    with pytest.raises(errors.PermanentError, match="lacks secretAccessKey") as raised:
        aws_shoot.run(Kind.INFRASTRUCTURE, aws_shoot.infrastructure_spec(),
                      credentials={"accessKeyID": "AKIAIOSFODNN7EXAMPLE"})
    assert raised.value.codes == (ErrorCode.INFRA_UNAUTHENTICATED,)


def test_a_foreign_subnet_in_the_vpc_holds_the_delete_as_a_temporary_dependency(aws_shoot: Shoot) -> None:
    done = aws_shoot.converge(Kind.INFRASTRUCTURE, aws_shoot.infrastructure_spec())
    ec2 = aws_shoot.moto.client("ec2")
    foreign = ec2.create_subnet(VpcId=done.status["providerStatus"]["vpc"]["id"], CidrBlock="10.250.200.0/24",
                                AvailabilityZone="eu-west-1c")["Subnet"]["SubnetId"]
    with pytest.raises(errors.TemporaryError, match="DependencyViolation") as raised:
        aws_shoot.run(Kind.INFRASTRUCTURE, aws_shoot.infrastructure_spec(), operation=Operation.DELETE)
    assert raised.value.codes == (ErrorCode.RETRYABLE_INFRA_DEPENDENCIES,)
    assert {"vpcs", "dhcp options"} <= set(aws_shoot.moto.tagged(aws_shoot.technical_id)) <= {
        "vpcs", "dhcp options", "tagging api"}
    ec2.delete_subnet(SubnetId=foreign)
    aws_shoot.converge(Kind.INFRASTRUCTURE, aws_shoot.infrastructure_spec(), operation=Operation.DELETE)
    assert aws_shoot.moto.tagged(aws_shoot.technical_id) == {}


def _client_error(code: str, message: str) -> ClientError:
    return ClientError({"Error": {"Code": code, "Message": message}}, "RunInstances")


@pytest.mark.parametrize(("code", "message", "expected", "permanent"), [
    ("VcpuLimitExceeded", "You have requested more vCPU capacity", ErrorCode.INFRA_QUOTA_EXCEEDED, True),
    ("AddressLimitExceeded", "The maximum number of addresses has been reached.", ErrorCode.INFRA_QUOTA_EXCEEDED,
     True),
    ("RequestLimitExceeded", "Request limit exceeded.", ErrorCode.INFRA_RATE_LIMITS_EXCEEDED, False),
    ("AuthFailure", "AWS was not able to validate the provided access credentials",
     ErrorCode.INFRA_UNAUTHENTICATED, True),
    ("UnauthorizedOperation", "You are not authorized to perform this operation.", ErrorCode.INFRA_UNAUTHORIZED,
     True),
    ("InsufficientInstanceCapacity", "We currently do not have sufficient capacity",
     ErrorCode.INFRA_RESOURCES_DEPLETED, False),
    ("DependencyViolation", "The vpc has dependencies and cannot be deleted.", ErrorCode.INFRA_DEPENDENCIES, True),
    ("InvalidParameterValue", "Value (eu-west-1z) for parameter availabilityZone is invalid",
     ErrorCode.CONFIGURATION_PROBLEM, True),
])
def test_aws_codes_map_to_gardeners_as_provider_aws_does(code: str, message: str, expected: ErrorCode,
                                                           permanent: bool) -> None:
    with pytest.raises(errors.FlowError) as raised, aws_errors.translate("launching"):
        raise _client_error(code, message)
    assert raised.value.codes == (expected,)
    assert isinstance(raised.value, errors.PermanentError if permanent else errors.TemporaryError)
    assert raised.value.message.startswith("launching: An error occurred (" + code)


def test_a_dependency_violation_while_deleting_is_retried() -> None:
    with pytest.raises(errors.TemporaryError) as raised, aws_errors.translate("deleting", deleting=True):
        raise _client_error("DependencyViolation", "The subnet has dependencies and cannot be deleted.")
    assert raised.value.codes == (ErrorCode.RETRYABLE_INFRA_DEPENDENCIES,)
