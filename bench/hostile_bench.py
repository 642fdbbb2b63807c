"""Hostile-request soak of the garden: many generated requests (``tests.support.hostile_requests``), then figures.

Usage: ``.venv/bin/python -m bench.hostile_bench [--requests 5000]``. Prints the number of requests, the histogram of
status codes, the requests per second, and any 5xx (there must be none); exits 1 on a 5xx or an unhealthy garden.
"""

from __future__ import annotations

import argparse
import collections
import sys
import tempfile
import time
from pathlib import Path

from hypothesis import HealthCheck, given, settings

from tests.support.garden import running_garden
from tests.support.hostile import open_target
from tests.support.hostile_requests import HostileRequest, requests, target_url


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=5000)
    args = parser.parse_args()
    codes: collections.Counter[int] = collections.Counter()
    failures: list[str] = []
    with tempfile.TemporaryDirectory() as tmp, running_garden(f"sqlite:///{tmp}/garden.db", Path(tmp)) as garden, \
            open_target("garden", garden.server, garden.api) as target:

        @settings(max_examples=args.requests, deadline=None, database=None,
                  suppress_health_check=list(HealthCheck))
        @given(requests())
        def probe(req: HostileRequest) -> None:
            resp = target.client.request(req.method, target_url(req), headers=req.headers, content=req.body)
            codes[resp.status_code] += 1
            if resp.status_code >= 500:
                failures.append(f"{req.method} {req.path} {req.params} -> {resp.status_code} {resp.text[:200]}")

        started = time.perf_counter()
        probe()
        elapsed = time.perf_counter() - started
        healthy = target.healthy()
    total = sum(codes.values())
    print(f"requests: {total}  elapsed: {elapsed:.1f} s  req/s: {total / elapsed:.1f}")
    print("codes:", " ".join(f"{code}={count}" for code, count in sorted(codes.items())))
    print(f"5xx: {len(failures)}  healthy afterwards: {healthy}")
    for failure in failures[:20]:
        print("  ", failure)
    sys.exit(1 if failures or not healthy else 0)


if __name__ == "__main__":
    main()
