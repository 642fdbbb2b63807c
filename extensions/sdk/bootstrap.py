"""Per-machine bootstrap tokens and the user data placeholders, as machine-controller-manager handles them.

Used by Worker actuators whose machines run real user data (``extensions.aws``): before a machine starts,
``<<MACHINE_NAME>>`` is replaced by its name and ``<<BOOTSTRAP_TOKEN>>`` by a token of its own, stored as a
``bootstrap.kubernetes.io/token`` Secret in the shoot's ``kube-system`` (the kubelet's first credentials; the
token id is derived from the machine name, so a machine's token is found and removed again).
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import secrets
import string

from extensions.contract import JSON, Api

MACHINE_NAME = "<<MACHINE_NAME>>"
BOOTSTRAP_TOKEN = "<<BOOTSTRAP_TOKEN>>"
_URL_ENCODED = {MACHINE_NAME: "%3C%3CMACHINE_NAME%3E%3E", BOOTSTRAP_TOKEN: "%3C%3CBOOTSTRAP_TOKEN%3E%3E"}
GROUP = "system:bootstrappers:machine-controller-manager"
LIFETIME = dt.timedelta(hours=4)
_ALPHABET = string.ascii_lowercase + string.digits


def token_id(machine: str) -> str:
    return hashlib.sha256(machine.encode()).hexdigest()[:6]


def secret_name(machine: str) -> str:
    return f"bootstrap-token-{token_id(machine)}"


def needs_token(user_data: str) -> bool:
    return BOOTSTRAP_TOKEN in user_data or _URL_ENCODED[BOOTSTRAP_TOKEN] in user_data


def fill(user_data: str, *, machine: str, token: str | None) -> str:
    """The user data with the machine's name and token in place of the placeholders (plain or URL-encoded)."""
    out = user_data.replace(MACHINE_NAME, machine).replace(_URL_ENCODED[MACHINE_NAME], machine)
    if token is not None:
        out = out.replace(BOOTSTRAP_TOKEN, token).replace(_URL_ENCODED[BOOTSTRAP_TOKEN], token)
    return out


def create_token(shoot: Api, machine: str) -> str:
    """A new bootstrap token for ``machine`` in the shoot's API (replacing an earlier one); ``<id>.<secret>``."""
    ident, secret = token_id(machine), "".join(secrets.choice(_ALPHABET) for _ in range(16))
    expiration = (dt.datetime.now(dt.UTC) + LIFETIME).strftime("%Y-%m-%dT%H:%M:%SZ")
    data = {"token-id": ident, "token-secret": secret, "expiration": expiration,
            "usage-bootstrap-authentication": "true", "usage-bootstrap-signing": "true",
            "auth-extra-groups": GROUP, "description": f"A bootstrap token for the machine {machine}"}
    shoot.apply({"apiVersion": "v1", "kind": "Secret", "type": "bootstrap.kubernetes.io/token",
                 "metadata": {"name": secret_name(machine), "namespace": "kube-system"},
                 "data": {k: base64.b64encode(v.encode()).decode() for k, v in data.items()}})
    return f"{ident}.{secret}"


def delete_token(shoot: Api, machine: str) -> None:
    shoot.delete("v1", "Secret", secret_name(machine), namespace="kube-system")


def token_of(secret: JSON) -> str:
    data = {k: base64.b64decode(str(v)).decode() for k, v in (secret.get("data") or {}).items()}
    return f"{data.get('token-id', '')}.{data.get('token-secret', '')}"
