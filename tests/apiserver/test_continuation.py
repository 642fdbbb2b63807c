"""Continue tokens over the real HTTPS server: they read as ciphertext, page only what the caller may see, open only
for the list and the caller they were issued to, and a tampered one is a 400 that changes nothing.
"""

from __future__ import annotations

import base64
import ssl
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from apiserver import continuation
from apiserver.auth import Attributes, TokenAuthenticator
from apiserver.context import UserInfo
from apiserver.registry import ResourceType
from apiserver.server import ApiServer, build_app
from tests.conftest import make_registry, make_store
from tests.support import servers

URL = "/apis/test.hortus.dev/v1alpha1/namespaces/shared/widgets"
ALL_URL = "/apis/test.hortus.dev/v1alpha1/widgets"


class OwnersOnly:
    """Everyone may list; each caller sees only the widgets labelled ``owner=<their name>``."""

    def authorize(self, user: UserInfo, attrs: Attributes) -> str | None:
        return None

    def visible(self, user: UserInfo, rt: ResourceType, obj: dict[str, Any]) -> bool:
        return rt.kind != "Widget" or (obj["metadata"].get("labels") or {}).get("owner") == user.name


@pytest.fixture
def clients(db_url: str, tmp_path: Path) -> Iterator[dict[str, httpx.Client]]:
    registry = make_registry()
    tokens = {name: servers.new_token() for name in ("anna", "bob")}
    authenticator = TokenAuthenticator.from_tokens({t: UserInfo(name=n) for n, t in tokens.items()})
    api = ApiServer(registry=registry, store=make_store(db_url, registry), authenticator=authenticator,
                    authorizer=OwnersOnly())
    with servers.serve(build_app(api), tmp_path, token=tokens["anna"]) as server:
        context = ssl.create_default_context(cafile=str(server.ca_file))
        made = {n: httpx.Client(base_url=server.url, verify=context, headers={"Authorization": f"Bearer {t}"})
                for n, t in tokens.items()}
        anna = made["anna"]
        anna.post("/api/v1/namespaces", json={"metadata": {"name": "shared"}}).raise_for_status()
        # Interleaved: bob's widgets sit between anna's in the scan order.
        for i, owner in enumerate(["bob", "anna", "bob", "bob", "anna", "bob", "anna"]):
            body = {"metadata": {"name": f"w{i}-{owner}-secret-name", "labels": {"owner": owner}},
                    "spec": {"color": "red"}}
            anna.post(URL, json=body).raise_for_status()
        yield made
        for client in made.values():
            client.close()
    api.store.engine.dispose()


def page_all(client: httpx.Client, url: str, **params: str) -> tuple[list[str], list[str]]:
    names: list[str] = []
    tokens: list[str] = []
    token = None
    while True:
        page = client.get(url, params={"limit": "1", **params, **({"continue": token} if token else {})})
        assert page.status_code == 200, page.text
        assert len(page.json()["items"]) == 1  # never an empty page that would count hidden objects
        names += [item["metadata"]["name"] for item in page.json()["items"]]
        token = page.json()["metadata"].get("continue")
        if token is None:
            return names, tokens
        tokens.append(token)


def test_paging_shows_only_own_objects_and_tokens_reveal_no_names(clients: dict[str, httpx.Client]) -> None:
    names, tokens = page_all(clients["anna"], URL)
    assert names == ["w1-anna-secret-name", "w4-anna-secret-name", "w6-anna-secret-name"]
    for token in tokens:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        for hidden in (b"bob", b"shared", b"secret-name", b"anna"):
            assert hidden not in raw and hidden.decode() not in token


def test_a_tampered_token_is_refused_with_400(clients: dict[str, httpx.Client]) -> None:
    anna = clients["anna"]
    token = anna.get(URL, params={"limit": "1"}).json()["metadata"]["continue"]
    flipped = token[:20] + ("A" if token[20] != "A" else "B") + token[21:]
    for bad in (flipped, "eyJydiI6MSwibnMiOiJzaGFyZWQiLCJuYW1lIjoidzAifQ==", "%%%", token[:-4]):
        response = anna.get(URL, params={"limit": "1", "continue": bad})
        assert response.status_code == 400, bad
        assert response.json()["reason"] == "BadRequest"
        assert response.json()["message"] == continuation.INVALID


def test_a_token_opens_only_for_its_own_list_and_caller(clients: dict[str, httpx.Client]) -> None:
    anna, bob = clients["anna"], clients["bob"]
    token = anna.get(URL, params={"limit": "1"}).json()["metadata"]["continue"]
    elsewhere = [
        (bob, URL, {}),  # another caller
        (anna, ALL_URL, {}),  # another namespace (all of them)
        (anna, URL, {"labelSelector": "owner=anna"}),  # other selectors
        (anna, URL, {"fieldSelector": "metadata.name=w1-anna-secret-name"}),
        (anna, "/api/v1/namespaces", {}),  # another resource
    ]
    for client, url, params in elsewhere:
        response = client.get(url, params={"limit": "1", "continue": token, **params})
        assert response.status_code == 400, (url, params)
        assert response.json()["message"] == continuation.INVALID
    assert len(anna.get(URL).json()["items"]) == 3  # nothing changed


def test_cluster_wide_paging_counts_only_visible_objects(clients: dict[str, httpx.Client]) -> None:
    names, _ = page_all(clients["bob"], ALL_URL)
    assert names == [f"w{i}-bob-secret-name" for i in (0, 2, 3, 5)]


def test_a_token_older_than_the_compacted_change_log_has_expired(clients: dict[str, httpx.Client],
                                                                 db_url: str) -> None:
    anna = clients["anna"]
    token = anna.get(URL, params={"limit": "1"}).json()["metadata"]["continue"]
    anna.post(URL, json={"metadata": {"name": "later", "labels": {"owner": "anna"}}, "spec": {"color": "red"}})
    store = make_store(db_url, make_registry())
    try:
        store.compact(keep=0)
    finally:
        store.engine.dispose()
    response = anna.get(URL, params={"limit": "1", "continue": token})
    assert response.status_code == 410
    assert response.json()["reason"] == "Expired"
    assert response.json()["message"].startswith("The provided continue parameter is too old")
