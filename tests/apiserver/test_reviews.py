"""TokenReview and SelfSubjectReview (``kubectl auth whoami``) on the garden and on the local seed cluster."""

from __future__ import annotations

import json
import ssl
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import yaml

from seed.local.server import create_local_seed
from tests.e2e.kubectl import KUBECTL, Kubectl
from tests.support import databases, servers
from tests.support.garden import OPERATOR_TOKEN, Garden, running_garden


@pytest.fixture
def garden(tmp_path: Path) -> Iterator[Garden]:
    with running_garden(f"sqlite:///{tmp_path / 'garden.db'}", tmp_path) as running:
        yield running


def _kubectl(kubeconfig: Path, tmp_path: Path) -> Kubectl:
    if not Path(KUBECTL).exists():
        databases.unavailable("kubectl", f"{KUBECTL} is not installed")
    return Kubectl(kubeconfig=kubeconfig, workdir=tmp_path / "kubectl")


def _whoami(kubectl: Kubectl) -> dict[str, object]:
    done = kubectl("auth", "whoami", "-o", "json")
    assert done.returncode == 0, done.stderr
    info: dict[str, object] = json.loads(done.stdout)["status"]["userInfo"]
    return info


def _client(url: str, ca: Path, token: str) -> httpx.Client:
    return httpx.Client(base_url=url, verify=ssl.create_default_context(cafile=str(ca)),
                        headers={"Authorization": f"Bearer {token}"})


def test_whoami_on_the_garden_names_operator_and_member(garden: Garden, tmp_path: Path) -> None:
    assert _whoami(_kubectl(garden.server.kubeconfig, tmp_path))["username"] == "hortus:operator"
    member = _whoami(_kubectl(garden.user_kubeconfig("anna", groups=("team-a",)), tmp_path))
    assert member["username"] == "anna" and "team-a" in member["groups"]  # type: ignore[operator]


def test_token_reviews_on_the_garden_are_for_operators(garden: Garden, tmp_path: Path) -> None:
    url, ca = garden.server.url, garden.server.ca_file
    review = {"apiVersion": "authentication.k8s.io/v1", "kind": "TokenReview", "spec": {"token": OPERATOR_TOKEN}}
    with _client(url, ca, OPERATOR_TOKEN) as c:
        resp = c.post("/apis/authentication.k8s.io/v1/tokenreviews", json=review)
        assert resp.status_code == 201, resp.text
        assert resp.json()["status"]["authenticated"] is True
        assert resp.json()["status"]["user"]["username"] == "hortus:operator"
        resp = c.post("/apis/authentication.k8s.io/v1/tokenreviews", json={**review, "spec": {"token": "nope"}})
        assert resp.status_code == 201 and resp.json()["status"] == {"authenticated": False}
        resp = c.post("/apis/authentication.k8s.io/v1/tokenreviews", json={**review, "spec": {}})
        assert resp.status_code == 422 and resp.json()["details"]["causes"][0]["field"] == "spec.token"
        assert c.get("/apis/authentication.k8s.io/v1/tokenreviews").status_code == 405
    kubeconfig = garden.user_kubeconfig("bert")
    token = yaml.safe_load(kubeconfig.read_text())["users"][0]["user"]["token"]
    with _client(url, ca, token) as c:
        resp = c.post("/apis/authentication.k8s.io/v1/tokenreviews", json=review)
        assert resp.status_code == 403 and resp.json()["reason"] == "Forbidden"


def test_whoami_and_token_review_on_the_local_seed(tmp_path: Path) -> None:
    token = servers.new_token()
    app, api = create_local_seed(tmp_path / "state", token=token, poll_interval=0.05)
    with servers.serve(app, tmp_path, token=token, name="seed-local") as server:
        assert _whoami(_kubectl(server.kubeconfig, tmp_path))["username"] == "hortus:seed-admin"
        with _client(server.url, server.ca_file, token) as c:
            resp = c.post("/apis/authentication.k8s.io/v1/tokenreviews",
                          json={"apiVersion": "authentication.k8s.io/v1", "kind": "TokenReview",
                                "spec": {"token": token, "audiences": ["api"]}})
            assert resp.status_code == 201
            assert resp.json()["status"]["user"]["username"] == "hortus:seed-admin"
            assert resp.json()["status"]["audiences"] == ["api"]
    api.store.engine.dispose()
