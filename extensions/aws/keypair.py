"""The shoot's SSH key pair ``<technicalID>-ssh-publickey``, imported from the Infrastructure's
``spec.sshPublicKey`` (provider-aws's task 17); none when the shoot has no SSH key.

Called by ``extensions.aws.infrastructure``. The key is imported again when the public key in the spec changes
(its MD5 is kept in the state as ``KeyPairSpecFingerprint``).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from typing import Any

from botocore.exceptions import ClientError

from extensions.aws import tags
from extensions.aws.errors import gone, translate
from shoot import errors
from shoot.errors import ErrorCode


def name(technical_id: str) -> str:
    return f"{technical_id}-ssh-publickey"


def public_key(spec: dict[str, Any]) -> bytes:
    """``spec.sshPublicKey``: base64 of the key's text (Gardener's ``[]byte``); plain text is taken as well."""
    value = str(spec.get("sshPublicKey") or "").strip()
    if not value or value.startswith(("ssh-", "ecdsa-")):
        return value.encode()
    try:
        return base64.b64decode(value, validate=True).strip()
    except binascii.Error:
        raise errors.PermanentError("spec.sshPublicKey is neither base64 nor an OpenSSH public key",
                                    codes=[ErrorCode.CONFIGURATION_PROBLEM]) from None


def ensure(ec2: Any, technical_id: str, key: bytes, state: dict[str, str]) -> str:
    """The key pair's name ('' without a key)."""
    key_name = name(technical_id)
    if not key:
        delete(ec2, technical_id)
        for field in ("KeyPair", "KeyPairFingerprint", "KeyPairSpecFingerprint"):
            state.pop(field, None)
        return ""
    fingerprint = hashlib.md5(key, usedforsecurity=False).hexdigest()
    found = _find(ec2, key_name)
    if found is not None and state.get("KeyPairSpecFingerprint") not in (None, fingerprint):
        delete(ec2, technical_id)
        found = None
    if found is None:
        with translate("importing the SSH key pair"):
            found = ec2.import_key_pair(KeyName=key_name, PublicKeyMaterial=key,
                                        TagSpecifications=tags.specification("key-pair", technical_id, key_name))
    state.update({"KeyPair": key_name, "KeyPairFingerprint": str(found.get("KeyFingerprint", "")),
                  "KeyPairSpecFingerprint": fingerprint})
    return key_name


def delete(ec2: Any, technical_id: str) -> None:
    with translate("deleting the SSH key pair", deleting=True):
        if _find(ec2, name(technical_id)) is not None:
            ec2.delete_key_pair(KeyName=name(technical_id))


def _find(ec2: Any, key_name: str) -> dict[str, Any] | None:
    with translate("reading the SSH key pair"):
        try:
            found = ec2.describe_key_pairs(KeyNames=[key_name])["KeyPairs"]
        except ClientError as exc:
            if gone(exc):
                return None
            raise
    return found[0] if found else None
