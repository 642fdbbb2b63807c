"""Encryption at rest: no Secret value is readable in the database (SQLite file or PostgreSQL dump) before or
after key rotation, old keys still decrypt, and the rotated key set reads everything back."""

from __future__ import annotations

import base64
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from apiserver.storage.store import Store
from garden import encryption
from garden.encryption import EncryptionKeyError, FernetCodec
from tests.conftest import make_registry, make_store

SECRET_VALUE = "correct-horse-battery-staple"
SECRETS = "core/secrets"


def _secret(name: str, value: str) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": name, "namespace": "garden-dev"},
            "data": {"password": base64.b64encode(value.encode()).decode()}}


@pytest.fixture
def state(tmp_path: Path) -> Path:
    return tmp_path / "state"


@pytest.fixture
def store(db_url: str, state: Path) -> Iterator[Store]:
    s = make_store(db_url, make_registry())
    s.codec = encryption.codec_for(state, env={})
    with s.write() as txn:
        txn.create(SECRETS, _secret("creds", "first-value"))
    with s.write() as txn:
        txn.update(SECRETS, _secret("creds", SECRET_VALUE), expect_rv=None)  # the change log holds prev too
    yield s
    s.engine.dispose()


def _at_rest(store: Store, db_url: str) -> str:
    """Everything the database holds, as an attacker with the files or a dump would see it."""
    if db_url.startswith("sqlite"):
        path = Path(db_url.removeprefix("sqlite:///"))
        return "".join(p.read_bytes().decode("latin-1") for p in path.parent.glob(path.name + "*"))
    url = db_url.replace("postgresql+psycopg://", "postgresql://")
    return subprocess.run(["pg_dump", "--data-only", url], capture_output=True, text=True, check=True,
                          timeout=60).stdout


def _text_columns(store: Store) -> list[str]:
    with store.engine.connect() as conn:
        rows = [*conn.execute(sa.text("SELECT data, prev FROM changes WHERE resource = :r"), {"r": SECRETS}),
                *conn.execute(sa.text("SELECT data, NULL FROM objects WHERE resource = :r"), {"r": SECRETS})]
    return [v for r in rows for v in r if v is not None]


def _plaintexts(value: str) -> list[str]:
    return [value, base64.b64encode(value.encode()).decode()]


def _assert_nothing_readable(store: Store, db_url: str) -> None:
    dump = _at_rest(store, db_url)
    assert "creds" in dump  # the dump is real: names are not secret
    for secret in (*_plaintexts(SECRET_VALUE), *_plaintexts("first-value")):
        assert secret not in dump


def test_secret_values_are_never_stored_in_plaintext(store: Store, db_url: str) -> None:
    _assert_nothing_readable(store, db_url)
    assert all(v.startswith("enc:k1:") for v in _text_columns(store))
    got = store.get(SECRETS, "garden-dev", "creds")
    assert got is not None and got["data"]["password"] == base64.b64encode(SECRET_VALUE.encode()).decode()


def test_rotation_re_encrypts_every_row_with_a_new_primary_key(store: Store, db_url: str, state: Path) -> None:
    rv = store.current_rv()
    result = encryption.rotate(store, state, env={})
    assert (result.primary, result.added) == ("k2", True)
    assert result.rows == 3  # one object, two change-log rows
    assert len(_text_columns(store)) == 4  # ... the second of which holds the previous object too
    assert all(v.startswith("enc:k2:") for v in _text_columns(store))
    _assert_nothing_readable(store, db_url)
    assert store.current_rv() == rv  # watches see nothing
    assert [k.id for k in encryption.load_keys(state, env={})] == ["k2", "k1"]
    assert oct((state / encryption.KEYS_FILE).stat().st_mode & 0o777) == "0o600"
    fresh = Store(store.engine, codec=encryption.codec_for(state, env={}), sensitive=store.sensitive)
    got = fresh.get(SECRETS, "garden-dev", "creds")
    assert got is not None and base64.b64decode(got["data"]["password"]).decode() == SECRET_VALUE
    change = fresh.changes_since(0)[-1]
    assert change.prev is not None and base64.b64decode(change.prev["data"]["password"]).decode() == "first-value"


def test_a_process_started_before_a_rotation_reloads_the_key_file(store: Store, state: Path) -> None:
    before = encryption.codec_for(state, env={})
    encryption.rotate(store, state, env={})
    assert before.primary == "k1"
    encoded = _plaintexts(SECRET_VALUE)[1]
    assert {encoded in before.decode(v) for v in _text_columns(store)} == {True, False}
    assert before.primary == "k2"  # it met a row written with k2 and took the new key set


def test_old_keys_decrypt_and_the_primary_encrypts() -> None:
    old = encryption.new_key([])
    new = encryption.new_key([old])
    written_with_old = FernetCodec([old]).encode("{}")
    codec = FernetCodec([new, old])
    assert codec.decode(written_with_old) == "{}"
    assert codec.encode("{}").startswith(f"enc:{new.id}:")
    with pytest.raises(EncryptionKeyError):
        FernetCodec([new]).decode(written_with_old)


def test_a_wrong_key_with_a_known_id_does_not_decrypt() -> None:
    key = encryption.new_key([])
    impostor = encryption.Key(id=key.id, secret=encryption.new_key([]).secret)
    with pytest.raises(EncryptionKeyError):
        FernetCodec([impostor]).decode(FernetCodec([key]).encode("{}"))


def test_rows_written_before_encryption_was_enabled_are_read_and_then_encrypted(db_url: str, state: Path) -> None:
    plain = make_store(db_url, make_registry())
    with plain.write() as txn:
        txn.create(SECRETS, _secret("old", SECRET_VALUE))
    assert _plaintexts(SECRET_VALUE)[1] in _at_rest(plain, db_url)  # the check above would see a leak
    plain.codec = encryption.codec_for(state, env={})
    assert plain.get(SECRETS, "garden-dev", "old") is not None
    encryption.rotate(plain, state, env={})
    assert all(v.startswith("enc:") for v in _text_columns(plain))
    plain.engine.dispose()


def test_keys_from_the_environment_override_the_file_and_are_not_rewritten(tmp_path: Path) -> None:
    key = encryption.new_key([])
    env = {encryption.ENV: f"{key.id}:{key.secret}"}
    assert encryption.load_keys(tmp_path, env=env) == [key]
    assert not (tmp_path / encryption.KEYS_FILE).exists()


def test_the_key_file_is_created_owner_only(tmp_path: Path) -> None:
    keys = encryption.load_keys(tmp_path / "s", env={})
    assert [k.id for k in keys] == ["k1"]
    assert oct((tmp_path / "s" / encryption.KEYS_FILE).stat().st_mode & 0o777) == "0o600"
    assert encryption.load_keys(tmp_path / "s", env={}) == keys


@pytest.mark.parametrize("text", ["k1", "k1:not-a-key", "bad id:x", "k1:{k},k1:{k}"])
def test_rejects_malformed_key_sets(text: str) -> None:
    with pytest.raises(EncryptionKeyError):
        encryption.parse_keys(text.format(k=encryption.new_key([]).secret))


def test_a_key_never_prints_its_secret() -> None:
    key = encryption.new_key([])
    assert key.secret not in repr(key)
