"""A server shutting down ends its open watches cleanly instead of waiting on them until it has to cut them."""

from __future__ import annotations

import json
import ssl
import threading
from pathlib import Path

import httpx

from apiserver.auth import TokenAuthenticator
from apiserver.context import UserInfo
from apiserver.server import ApiServer, build_app
from tests.conftest import make_registry, make_store
from tests.support import servers


def test_open_watches_end_cleanly_when_the_server_stops(sqlite_url: str, tmp_path: Path) -> None:
    registry = make_registry()
    token = servers.new_token()
    user = UserInfo(name="tester", groups=("system:masters",))
    api = ApiServer(registry=registry, store=make_store(sqlite_url, registry),
                    authenticator=TokenAuthenticator.from_tokens({token: user}), poll_interval=0.05)
    watching, ended = threading.Event(), threading.Event()
    outcome: list[object] = []

    def watch(url: str, ca: Path) -> None:
        context = ssl.create_default_context(cafile=str(ca))
        with httpx.Client(base_url=url, verify=context, timeout=60,
                          headers={"Authorization": f"Bearer {token}"}) as c:
            try:
                with c.stream("GET", "/api/v1/namespaces?watch=true&allowWatchBookmarks=true") as r:
                    watching.set()
                    outcome.extend(json.loads(line)["type"] for line in r.iter_lines() if line)
            except httpx.HTTPError as exc:  # a stream cut off in the middle
                outcome.append(exc)
            ended.set()

    with servers.serve(build_app(api), tmp_path, token=token) as server:
        client = threading.Thread(target=watch, args=(server.url, server.ca_file), daemon=True)
        client.start()
        assert watching.wait(30)
    assert ended.wait(30)
    assert all(isinstance(item, str) for item in outcome), outcome  # ended by the server, not cut off
    api.store.engine.dispose()
