"""The cluster's secrets: decoded Secret data, and the credentials an actuator needs, refused with Gardener's code
when missing.

Used by actuators on ``Context.credentials`` (the cloud-provider Secret of the shoot's binding) and on Secrets they
read from the seed (a worker pool's user data).
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping

from extensions.contract import JSON
from shoot import errors
from shoot.errors import ErrorCode


def decoded(secret: JSON | None) -> dict[str, str]:
    """A Secret's ``data`` (base64) and ``stringData`` as text; an undecodable value is left out."""
    if not secret:
        return {}
    out: dict[str, str] = {}
    for key, value in (secret.get("data") or {}).items():
        try:
            out[key] = base64.b64decode(str(value), validate=True).decode()
        except (binascii.Error, UnicodeDecodeError):
            continue
    out.update({k: str(v) for k, v in (secret.get("stringData") or {}).items()})
    return out


def require_credentials(credentials: Mapping[str, str], *keys: str,
                        alternatives: Mapping[str, str] | None = None) -> dict[str, str]:
    """The values of ``keys`` (or of their alternative names, e.g. ``AWS_ACCESS_KEY_ID`` for ``accessKeyID``);
    a ``PermanentError`` with ``ERR_INFRA_UNAUTHENTICATED`` naming the missing ones."""
    found, missing = {}, []
    for key in keys:
        value = credentials.get(key) or credentials.get((alternatives or {}).get(key, ""))
        if value:
            found[key] = value
        else:
            missing.append(key)
    if missing:
        raise errors.PermanentError(f"the cloud provider secret lacks {', '.join(missing)}",
                                    codes=[ErrorCode.INFRA_UNAUTHENTICATED])
    return found
