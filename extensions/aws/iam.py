"""The nodes' IAM identity: role ``<technicalID>-nodes`` (trusted by EC2), its inline policy, and the instance
profile of the same name that the Worker's instances run with (provider-aws's tasks 14-16).

Called by ``extensions.aws.infrastructure``. IAM has no tag filters: the names are the identity, and the role and
profile carry the shoot's cluster tag as well. ``delete`` removes the role from the profile first, as IAM demands.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import unquote

from botocore.exceptions import ClientError

from extensions.aws import tags
from extensions.aws.errors import gone, translate

JSON = dict[str, Any]
TRUST = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]}
ECR = ["ecr:GetAuthorizationToken", "ecr:BatchCheckLayerAvailability", "ecr:GetDownloadUrlForLayer",
       "ecr:GetRepositoryPolicy", "ecr:DescribeRepositories", "ecr:ListImages", "ecr:BatchGetImage"]


def name(technical_id: str) -> str:
    return f"{technical_id}-nodes"


def policy(*, ecr: bool) -> JSON:
    statements: list[JSON] = [{"Effect": "Allow", "Action": ["ec2:DescribeInstances"], "Resource": ["*"]}]
    if ecr:
        statements.append({"Effect": "Allow", "Action": ECR, "Resource": ["*"]})
    return {"Version": "2012-10-17", "Statement": statements}


def ensure(iam: Any, technical_id: str, state: dict[str, str], *, ecr: bool) -> tuple[str, str]:
    """The role and the instance profile holding it; ``(profile name, role ARN)``."""
    role_name = name(technical_id)
    marks = [{"Key": tags.cluster_key(technical_id), "Value": tags.OWNED}]
    role = _get(iam, "get_role", "Role", RoleName=role_name)
    with translate("creating the nodes' IAM role"):
        if role is None:
            role = iam.create_role(RoleName=role_name, Path="/", AssumeRolePolicyDocument=json.dumps(TRUST),
                                   Tags=marks)["Role"]
        elif _document(role.get("AssumeRolePolicyDocument")) != TRUST:
            iam.update_assume_role_policy(RoleName=role_name, PolicyDocument=json.dumps(TRUST))
    wanted = policy(ecr=ecr)
    current = _get(iam, "get_role_policy", "PolicyDocument", RoleName=role_name, PolicyName=role_name)
    if _document(current) != wanted:
        with translate("writing the nodes' IAM policy"):
            iam.put_role_policy(RoleName=role_name, PolicyName=role_name, PolicyDocument=json.dumps(wanted))
    profile = _get(iam, "get_instance_profile", "InstanceProfile", InstanceProfileName=role_name)
    with translate("creating the nodes' instance profile"):
        if profile is None:
            profile = iam.create_instance_profile(InstanceProfileName=role_name, Path="/",
                                                  Tags=marks)["InstanceProfile"]
        held = [r["RoleName"] for r in profile.get("Roles") or []]
        for other in held:
            if other != role_name:
                iam.remove_role_from_instance_profile(InstanceProfileName=role_name, RoleName=other)
        if role_name not in held:
            iam.add_role_to_instance_profile(InstanceProfileName=role_name, RoleName=role_name)
    state.update({"IAMRoleName": role_name, "IAMRoleARN": str(role["Arn"]), "IAMInstanceProfileName": role_name,
                  "IAMRolePolicyName": role_name})
    return role_name, str(role["Arn"])


def delete(iam: Any, technical_id: str) -> None:
    role_name = name(technical_id)
    _quietly(iam, "remove_role_from_instance_profile", InstanceProfileName=role_name, RoleName=role_name)
    _quietly(iam, "delete_instance_profile", InstanceProfileName=role_name)
    _quietly(iam, "delete_role_policy", RoleName=role_name, PolicyName=role_name)
    _quietly(iam, "delete_role", RoleName=role_name)


def _get(iam: Any, call: str, key: str, **kwargs: Any) -> Any:
    """The ``key`` of what ``call`` answers, None when the entity does not exist."""
    with translate(f"reading the nodes' IAM identity ({call})"):
        try:
            return getattr(iam, call)(**kwargs)[key]
        except ClientError as exc:
            if gone(exc):
                return None
            raise


def _document(value: Any) -> Any:
    """A policy document as IAM returns it (parsed already by boto3, or URL-encoded JSON text)."""
    if isinstance(value, str):
        return json.loads(unquote(value))
    return value


def _quietly(iam: Any, call: str, **kwargs: Any) -> None:
    with translate(f"deleting the nodes' IAM identity ({call})", deleting=True):
        try:
            getattr(iam, call)(**kwargs)
        except ClientError as exc:
            if not gone(exc):
                raise
