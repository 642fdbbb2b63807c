"""Encryption at rest of sensitive kinds (Secrets): a Fernet ``Codec`` for the store, its keys and their rotation.

``garden.app.create_app`` builds the store with ``codec_for(state_dir)``; ``hortus secrets rotate-key`` calls
``rotate``. Keys live in ``<state_dir>/encryption-keys`` (mode 0600), one ``<id>:<fernet key>`` per line, the
first being the primary; ``HORTUS_ENCRYPTION_KEYS`` (same entries, comma or newline separated) overrides the
file. Stored text is ``enc:<id>:<fernet token>``, so the key that decrypts a row is known without trying all.
"""

from __future__ import annotations

import dataclasses
import os
import re
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken

from apiserver.storage.store import Store

KEYS_FILE = "encryption-keys"
ENV = "HORTUS_ENCRYPTION_KEYS"
PREFIX = "enc:"
_ID = re.compile(r"^[A-Za-z0-9_.-]{1,32}$")


class EncryptionKeyError(Exception):
    """A key set that cannot be used, or stored text no key decrypts."""


@dataclasses.dataclass(frozen=True)
class Key:
    id: str
    secret: str  # a Fernet key: 32 bytes, urlsafe base64

    def __repr__(self) -> str:  # never print the secret by accident
        return f"Key(id={self.id!r})"


class FernetCodec:
    """Encrypts with the primary (first) key; decrypts with whichever key the stored text names.

    ``reload`` is asked once for a fresh key set when stored text names an unknown key: another process
    (``hortus secrets rotate-key``) may have added and used it since this one started.
    """

    def __init__(self, keys: Sequence[Key], *, reload: Callable[[], Sequence[Key]] | None = None) -> None:
        self._set(keys)
        self._reload = reload

    def _set(self, keys: Sequence[Key]) -> None:
        if not keys:
            raise EncryptionKeyError("no encryption key")
        self.primary = keys[0].id
        self._fernets = {k.id: Fernet(k.secret.encode()) for k in keys}

    def encode(self, plaintext: str) -> str:
        token = self._fernets[self.primary].encrypt(plaintext.encode()).decode()
        return f"{PREFIX}{self.primary}:{token}"

    def decode(self, stored: str) -> str:
        if not stored.startswith(PREFIX):
            return stored  # written before encryption was enabled; re-encrypted by the next rotation
        key_id, _, token = stored.removeprefix(PREFIX).partition(":")
        if key_id not in self._fernets and self._reload is not None:
            self._set(self._reload())
        fernet = self._fernets.get(key_id)
        if fernet is None:
            raise EncryptionKeyError(f"stored data is encrypted with key {key_id!r}, which is not in the key set")
        try:
            return fernet.decrypt(token.encode()).decode()
        except InvalidToken:
            raise EncryptionKeyError(f"stored data does not decrypt with key {key_id!r}") from None


def parse_keys(text: str) -> list[Key]:
    keys = []
    for entry in re.split(r"[\s,]+", text):
        if not entry or entry.startswith("#"):
            continue
        key_id, sep, secret = entry.partition(":")
        if not sep or not _ID.match(key_id):
            raise EncryptionKeyError(f"an encryption key entry must read <id>:<fernet key>, not {key_id!r}...")
        try:
            Fernet(secret.encode())
        except ValueError:
            raise EncryptionKeyError(f"encryption key {key_id!r} is not a Fernet key") from None
        keys.append(Key(id=key_id, secret=secret))
    if len({k.id for k in keys}) != len(keys):
        raise EncryptionKeyError("encryption key ids must be unique")
    return keys


def format_keys(keys: Sequence[Key]) -> str:
    return "".join(f"{k.id}:{k.secret}\n" for k in keys)


def new_key(existing: Sequence[Key]) -> Key:
    """A fresh key whose id ``k<n>`` follows the highest ``k<n>`` id in ``existing``."""
    numbers = [int(k.id[1:]) for k in existing if re.fullmatch(r"k\d+", k.id)]
    return Key(id=f"k{max(numbers, default=0) + 1}", secret=Fernet.generate_key().decode())


def load_keys(state_dir: Path, *, env: Mapping[str, str] | None = None) -> list[Key]:
    """The key set from ``HORTUS_ENCRYPTION_KEYS`` or the key file, creating the file with one key if absent."""
    environ = os.environ if env is None else env
    if environ.get(ENV, "").strip():
        return parse_keys(environ[ENV])
    path = state_dir / KEYS_FILE
    if not path.exists():
        _write_keys(path, [new_key([])])
    return parse_keys(path.read_text())


def codec_for(state_dir: Path, *, env: Mapping[str, str] | None = None) -> FernetCodec:
    return FernetCodec(load_keys(state_dir, env=env), reload=lambda: load_keys(state_dir, env=env))


@dataclasses.dataclass(frozen=True)
class Rotation:
    primary: str
    rows: int
    added: bool  # False when the keys come from the environment: the operator put the new key first there


def rotate(store: Store, state_dir: Path, *, env: Mapping[str, str] | None = None) -> Rotation:
    """Make a new primary key (file-based key sets) and re-encrypt every sensitive row with the primary.

    The key file is written first and keeps every old key, so a crash half way leaves rows that still decrypt.
    """
    environ = os.environ if env is None else env
    keys = load_keys(state_dir, env=environ)
    added = not environ.get(ENV, "").strip()
    if added:
        keys = [new_key(keys), *keys]
        _write_keys(state_dir / KEYS_FILE, keys)
    store.codec = FernetCodec(keys)
    rows = store.reencode_sensitive()
    return Rotation(primary=keys[0].id, rows=rows, added=added)


def _write_keys(path: Path, keys: Sequence[Key]) -> None:
    # Written beside the target with mode 0600 from the start and renamed over it: never readable by others,
    # never half written.
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as file:
        os.fchmod(fd, 0o600)
        file.write(format_keys(keys))
    os.replace(tmp, path)
