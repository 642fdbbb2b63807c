"""The kube-apiserver's etcd encryption at rest: a persisted key and the EncryptionConfiguration built from it.

Pure. Used by ``shoot.pki.plan``: the key (``key<unix-time>`` and 32 random bytes) is made once and kept; the
configuration is derived from it, so rendering it again gives the same bytes. As in Gardener, ``aescbc`` comes
first (it encrypts every write) and ``identity`` last (data written before encryption stays readable).
"""

from __future__ import annotations

import base64
import datetime as dt
import secrets
from collections.abc import Mapping, Sequence

import yaml

KEY_BYTES = 32
NAME, SECRET = "key", "secret"
CONFIG_KEY = "encryption-configuration.yaml"
PROVIDER = "aescbc"


def new_key(*, now: dt.datetime) -> dict[str, bytes]:
    """A fresh key: its name ``key<unix-time>`` and its 32 random bytes."""
    return {NAME: f"key{int(now.timestamp())}".encode(), SECRET: secrets.token_bytes(KEY_BYTES)}


def is_key(data: Mapping[str, bytes]) -> bool:
    name, secret = data.get(NAME), data.get(SECRET)
    return bool(name) and secret is not None and len(secret) == KEY_BYTES


def configuration(key: Mapping[str, bytes], *, resources: Sequence[str]) -> bytes:
    """``encryption-configuration.yaml`` for ``resources`` with ``key``."""
    document = {
        "apiVersion": "apiserver.config.k8s.io/v1",
        "kind": "EncryptionConfiguration",
        "resources": [{
            "resources": list(resources),
            "providers": [
                {PROVIDER: {"keys": [{"name": key[NAME].decode(), "secret": base64.b64encode(key[SECRET]).decode()}]}},
                {"identity": {}},
            ],
        }],
    }
    return yaml.dump(document, Dumper=getattr(yaml, "CSafeDumper", yaml.SafeDumper), sort_keys=False).encode("utf-8")
