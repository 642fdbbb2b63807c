"""``garden.app.create_app`` serves with the database authenticator, the garden authorizer, the audit log and
Secrets encrypted with the state directory's keys."""

from __future__ import annotations

import base64
import ssl
from pathlib import Path

import httpx
import pytest

from apiserver.auth import digest
from garden import audit, encryption
from garden.app import create_app
from garden.auth import identities
from garden.settings import GardenSettings
from tests.support import servers


def test_the_garden_app_authenticates_authorizes_audits_and_encrypts(tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(encryption.ENV, raising=False)
    state = tmp_path / "state"
    state.mkdir()
    app, api = create_app(GardenSettings(state_dir=state))
    known = identities.for_engine(api.store.engine)
    known.ensure_operator("hortus:operator", token_digest=digest("operator-token"))
    known.create_user("vera")
    vera = known.issue_token("vera").token
    value = base64.b64encode(b"wired-secret-value").decode()
    with servers.serve(app, tmp_path, token="operator-token") as server:
        context = ssl.create_default_context(cafile=str(server.ca_file))
        with httpx.Client(base_url=server.url, verify=context, headers={"Authorization": "Bearer operator-token"},
                          timeout=10) as op, httpx.Client(base_url=server.url, verify=context, timeout=10,
                                                          headers={"Authorization": f"Bearer {vera}"}) as user:
            assert op.post("/api/v1/namespaces", json={"metadata": {"name": "garden-x"}}).status_code == 201
            created = op.post("/api/v1/namespaces/garden-x/secrets",
                              json={"metadata": {"name": "creds"}, "data": {"v": value}})
            assert created.status_code == 201, created.text
            assert user.get("/api/v1/namespaces/garden-x/secrets/creds").status_code == 403
            assert user.delete("/api/v1/namespaces/garden-x/secrets/creds").status_code == 403
            assert httpx.get(f"{server.url}/api/v1/namespaces", verify=context).status_code == 401
            events = op.get(audit.PATH).json()["items"]
            assert [(e["user"], e["verb"], e["code"]) for e in events[:2]] == [
                ("vera", "delete", 403), ("hortus:operator", "create", 201)]
            assert user.get(audit.PATH).status_code == 403
    at_rest = "".join(p.read_bytes().decode("latin-1") for p in state.glob("garden.db*"))
    assert "creds" in at_rest and value not in at_rest
    assert oct((state / encryption.KEYS_FILE).stat().st_mode & 0o777) == "0o600"
    api.store.engine.dispose()
