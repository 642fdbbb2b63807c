"""``hortus user|serviceaccount|token|kubeconfig|audit|secrets`` against a garden database in a state directory."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest
import yaml

from apiserver import tls
from apiserver.auth import AuditEvent, digest
from apiserver.storage import engine as engines
from apiserver.storage.audit import AuditStore
from garden import encryption
from garden.auth import identities
from hortus import cli


def _run(state: Path, *args: str) -> int:
    return cli.main([*args, "--state-dir", str(state)])


def _resolve(state: Path, token: str) -> tuple[str, tuple[str, ...]] | None:
    engine = engines.make_engine(f"sqlite:///{state / 'garden.db'}")
    try:
        found = identities.for_engine(engine).resolve(digest(token))
    finally:
        engine.dispose()
    return None if found is None else (found[0].name, found[0].groups)


def _token(state: Path, capsys: pytest.CaptureFixture[str], *args: str) -> str:
    assert _run(state, "token", "create", *args) == 0
    out = capsys.readouterr().out.strip()
    assert "\n" not in out  # stdout holds the token and nothing else
    return out


def test_creates_an_operator_and_issues_a_token_printed_once(tmp_path: Path, capsys: pytest.CaptureFixture[str]
                                                             ) -> None:
    assert _run(tmp_path, "user", "create", "olga", "--group", "sre", "--operator") == 0
    token = _token(tmp_path, capsys, "--user", "olga", "--expires-in", "24h")
    assert _resolve(tmp_path, token) == ("olga", ("sre", identities.OPERATORS, "system:authenticated"))
    assert token not in (tmp_path / "garden.db").read_bytes().decode("latin-1")
    assert _run(tmp_path, "token", "list", "--user", "olga") == 0
    assert token not in capsys.readouterr().out


def test_service_account_and_seed_tokens(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert _run(tmp_path, "serviceaccount", "create", "--namespace", "garden-dev", "robot") == 0
    sa_token = _token(tmp_path, capsys, "--serviceaccount", "garden-dev:robot")
    seed_token = _token(tmp_path, capsys, "--seed", "aws-eu1")
    sa = _resolve(tmp_path, sa_token)
    seed = _resolve(tmp_path, seed_token)
    assert sa is not None and sa[0] == "system:serviceaccount:garden-dev:robot"
    assert seed is not None and seed[0] == "gardener.cloud:system:seed:aws-eu1"


def test_revokes_a_token_by_value_and_all_tokens_of_a_user(tmp_path: Path, capsys: pytest.CaptureFixture[str]
                                                           ) -> None:
    _run(tmp_path, "user", "create", "vera")
    first, second, third = (_token(tmp_path, capsys, "--user", "vera") for _ in range(3))
    assert _run(tmp_path, "token", "revoke", "--token", first) == 0
    assert _resolve(tmp_path, first) is None and _resolve(tmp_path, second) is not None
    assert _run(tmp_path, "token", "revoke", "--user", "vera") == 0
    assert _resolve(tmp_path, second) is None and _resolve(tmp_path, third) is None
    assert _run(tmp_path, "token", "revoke", "--user", "vera") == 1  # nothing left to revoke


def test_refuses_reserved_names_and_unknown_identities(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert _run(tmp_path, "user", "create", "system:serviceaccount:garden-dev:x") == 1
    assert _run(tmp_path, "token", "create", "--user", "ghost") == 1
    assert "error:" in capsys.readouterr().err


def test_writes_a_kubeconfig_with_the_serving_ca_and_a_fresh_token(tmp_path: Path) -> None:
    serving = tls.ensure_serving_files(tmp_path, name="garden", hosts=["127.0.0.1"])
    _run(tmp_path, "user", "create", "vera")
    out = tmp_path / "vera.kubeconfig"
    assert _run(tmp_path, "kubeconfig", "--user", "vera", "--out", str(out), "--namespace", "garden-dev") == 0
    config = yaml.safe_load(out.read_text())
    assert base64.b64decode(config["clusters"][0]["cluster"]["certificate-authority-data"]) == serving.ca_pem
    assert config["clusters"][0]["cluster"]["server"] == "https://127.0.0.1:6443"
    assert config["contexts"][0]["context"]["namespace"] == "garden-dev"
    assert _resolve(tmp_path, config["users"][0]["user"]["token"]) is not None
    assert oct(out.stat().st_mode & 0o777) == "0o600"


def test_kubeconfig_needs_the_serving_ca(tmp_path: Path) -> None:
    _run(tmp_path, "user", "create", "vera")
    assert _run(tmp_path, "kubeconfig", "--user", "vera", "--out", str(tmp_path / "k")) == 1


def test_audit_prints_the_newest_events(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _run(tmp_path, "user", "list")  # creates and migrates the database
    engine = engines.make_engine(f"sqlite:///{tmp_path / 'garden.db'}")
    for user, code in (("vera", 201), ("adam", 403)):
        AuditStore(engine).append(AuditEvent(user=user, verb="delete", group="", resource="secrets", subresource="",
                                             namespace="garden-a", name="creds", code=code,
                                             timestamp="2026-11-23T10:00:00Z"))
    engine.dispose()
    capsys.readouterr()
    assert _run(tmp_path, "audit", "--limit", "1") == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 1 and "adam" in lines[0] and "403" in lines[0] and "garden-a/creds" in lines[0]
    assert _run(tmp_path, "audit", "--failed", "--user", "vera") == 0
    assert capsys.readouterr().out == ""


def test_rotate_key_adds_a_primary_key(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(encryption.ENV, raising=False)
    assert _run(tmp_path, "secrets", "rotate-key") == 0
    assert _run(tmp_path, "secrets", "rotate-key") == 0
    assert [k.id for k in encryption.load_keys(tmp_path, env={})] == ["k3", "k2", "k1"]
    assert "primary key k3" in capsys.readouterr().err
