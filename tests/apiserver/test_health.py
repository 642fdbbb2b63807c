"""``/livez``, ``/readyz`` and ``/healthz`` as Kubernetes serves them, over HTTPS without credentials (as probes
call them): ``ok``; ``?verbose`` lists the checks; one check at ``/readyz/<name>``; ``?exclude``; and a failing
database check answers 500 with the failed check named.
"""

from __future__ import annotations

import ssl
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from apiserver.server import ApiServer
from tests.support import fleet
from tests.support.servers import RunningServer


@pytest.fixture
def probe(running: tuple[RunningServer, ApiServer]) -> Iterator[httpx.Client]:
    server, _ = running
    with httpx.Client(base_url=server.url, verify=ssl.create_default_context(cafile=str(server.ca_file))) as client:
        yield client


@pytest.mark.parametrize("endpoint", ["/livez", "/readyz", "/healthz"])
def test_answers_ok_to_an_anonymous_probe(probe: httpx.Client, endpoint: str) -> None:
    response = probe.get(endpoint)
    assert (response.status_code, response.text) == (200, "ok")
    assert response.headers["content-type"].startswith("text/plain")


def test_verbose_lists_each_check(probe: httpx.Client) -> None:
    assert probe.get("/readyz?verbose").text == "[+]ping ok\n[+]database ok\nreadyz check passed\n"
    assert probe.get("/livez?verbose").text == "[+]ping ok\nlivez check passed\n"
    assert probe.get("/readyz?verbose&exclude=database").text == "[+]ping ok\nreadyz check passed\n"


def test_serves_one_check_and_refuses_an_unknown_one(probe: httpx.Client) -> None:
    assert probe.get("/readyz/database").text == "ok"
    unknown = probe.get("/readyz/nothing")
    assert unknown.status_code == 404
    assert unknown.json()["kind"] == "Status"


def test_a_lost_database_fails_readiness_but_not_liveness(tmp_path: Path) -> None:
    with fleet.seed_cluster(tmp_path / "server") as (server, api):
        context = ssl.create_default_context(cafile=str(server.ca_file))
        with httpx.Client(base_url=server.url, verify=context) as client:
            database = tmp_path / "server" / "seed.db"
            database.rename(tmp_path / "moved.db")
            api.store.engine.dispose()  # new connections open an empty file, without the server's tables
            try:
                failed = client.get("/readyz")
                assert failed.status_code == 500
                assert failed.text == "[+]ping ok\n[-]database failed: reason withheld\nreadyz check failed\n"
                assert client.get("/readyz?verbose&exclude=database").status_code == 200
                assert client.get("/livez").text == "ok"
            finally:
                api.store.engine.dispose()
                (tmp_path / "moved.db").replace(database)
