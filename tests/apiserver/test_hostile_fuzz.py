"""Property: no generated hostile request gets a 5xx from the garden, and the garden is healthy afterwards.

At least 1,000 requests per run (``tests.support.hostile_requests``): odd paths, verbs, query parameters, headers
and bodies (deep, large, oddly typed). ``bench/hostile_bench.py`` runs longer and prints figures.
"""

from __future__ import annotations

import collections

from hypothesis import HealthCheck, given, settings

from tests.support.hostile import Target
from tests.support.hostile_requests import HostileRequest, requests, target_url

# At least 1,000 per run on SQLite; PostgreSQL's driver refuses more (NUL bytes), so it gets its share too.
EXAMPLES = {"garden-sqlite": 1000, "garden-postgres": 400}


def test_no_hostile_request_gets_a_5xx(garden_on: Target) -> None:
    garden_target = garden_on
    examples = EXAMPLES[garden_target.name]
    codes: collections.Counter[int] = collections.Counter()
    failures: list[str] = []

    @settings(max_examples=examples, deadline=None, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example])
    @given(requests())
    def probe(req: HostileRequest) -> None:
        resp = garden_target.client.request(req.method, target_url(req), headers=req.headers, content=req.body)
        codes[resp.status_code] += 1
        if resp.status_code >= 500:
            failures.append(f"{req.method} {req.path} {req.params} {req.headers} {req.body[:200]!r} -> "
                            f"{resp.status_code} {resp.text[:300]}")
        assert resp.status_code < 500, failures[-1]
        if resp.status_code >= 400 and resp.headers.get("content-type", "").startswith("application/json"):
            assert resp.json().get("kind") == "Status", resp.text[:300]

    probe()
    assert sum(codes.values()) >= examples, codes
    assert not failures, failures
    assert garden_target.healthy()
    print("hostile requests:", sum(codes.values()), "codes:", dict(sorted(codes.items())))
