"""The local seed's ``/metrics``: its admin scrapes the request latencies of the seed's own API."""

from __future__ import annotations

import ssl

import httpx
from prometheus_client.parser import text_string_to_metric_families

from apiserver.server import ApiServer
from tests.support.servers import RunningServer


def test_the_local_seed_counts_its_requests(seed: tuple[RunningServer, ApiServer]) -> None:
    server, _ = seed
    context = ssl.create_default_context(cafile=str(server.ca_file))
    with httpx.Client(base_url=server.url, verify=context, headers={"Authorization": f"Bearer {server.token}"}) as c:
        assert c.get("/api/v1/namespaces").status_code == 200
        response = c.get("/metrics")
    assert response.status_code == 200
    families = {f.name: f for f in text_string_to_metric_families(response.text)}
    counts = [s for s in families["hortus_apiserver_request_duration_seconds"].samples
              if s.name.endswith("_count") and s.labels["resource"] == "namespaces"]
    assert [(s.labels["verb"], s.labels["code"], s.value) for s in counts] == [("LIST", "200", 1.0)]
