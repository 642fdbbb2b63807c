"""boto3 clients for one shoot: EC2 and IAM in the region of the extension object, with the shoot's credentials.

Built by the AWS actuators from ``Context.credentials`` (the cloud-provider Secret: ``accessKeyID`` and
``secretAccessKey``, or the DNS forms ``AWS_ACCESS_KEY_ID``/``AWS_SECRET_ACCESS_KEY``). The optional key
``endpoint`` (hortus's addition) sends every call to an AWS-compatible endpoint instead of AWS: a moto server or
LocalStack in tests and demos; without it boto3's own configuration applies (``AWS_ENDPOINT_URL``, else AWS).
"""

from __future__ import annotations

import dataclasses
import functools
import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlparse

import boto3
from botocore.config import Config

from extensions.sdk.secrets import require_credentials
from shoot import errors
from shoot.errors import ErrorCode

ALTERNATIVES = {"accessKeyID": "AWS_ACCESS_KEY_ID", "secretAccessKey": "AWS_SECRET_ACCESS_KEY"}
ENDPOINT_KEY = "endpoint"
# provider-aws's region rule (``^[a-z-]+-\d+$``), e.g. eu-west-1, us-gov-east-1.
REGION = re.compile(r"[a-z]+(-[a-z]+)+-\d+")
# Few, quick retries: the flow retries a step itself, and an unreachable endpoint must not hold a worker.
_CONFIG = Config(retries={"max_attempts": 3, "mode": "standard"}, connect_timeout=5, read_timeout=60)


@dataclasses.dataclass(frozen=True)
class Clients:
    ec2: Any
    iam: Any
    region: str
    endpoint: str | None = None


def clients(credentials: Mapping[str, str], region: str) -> Clients:
    """EC2 and IAM clients; ``PermanentError`` with ``ERR_INFRA_UNAUTHENTICATED`` when keys are missing."""
    keys = require_credentials(credentials, "accessKeyID", "secretAccessKey", alternatives=ALTERNATIVES)
    if not REGION.fullmatch(region):
        raise errors.PermanentError(f"region {region!r} is not an AWS region (such as eu-west-1)",
                                    codes=[ErrorCode.CONFIGURATION_PROBLEM])
    return _clients(keys["accessKeyID"].strip(), keys["secretAccessKey"].strip(), region,
                    _endpoint(credentials.get(ENDPOINT_KEY)))


@functools.lru_cache(maxsize=64)
def _clients(access_key: str, secret_key: str, region: str, endpoint: str | None) -> Clients:
    """Kept per keys, region and endpoint: building a client reads botocore's service models (about a second);
    clients are safe to share between threads."""
    session = boto3.session.Session(aws_access_key_id=access_key, aws_secret_access_key=secret_key,
                                    region_name=region)
    extra: dict[str, Any] = {"config": _CONFIG}
    if endpoint:
        extra["endpoint_url"] = endpoint
    return Clients(ec2=session.client("ec2", **extra), iam=session.client("iam", **extra), region=region,
                   endpoint=endpoint)


def _endpoint(value: str | None) -> str | None:
    if not value:
        return None
    parsed = urlparse(value.strip())
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        raise errors.PermanentError(f"the cloud provider secret's {ENDPOINT_KEY} {value!r} is not an http(s) URL",
                                    codes=[ErrorCode.CONFIGURATION_PROBLEM])
    return value.strip().rstrip("/")
