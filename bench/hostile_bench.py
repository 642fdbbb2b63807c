"""Hostile-request soak of the garden (or the local seed): many generated requests
(``tests.support.hostile_requests``), then figures.

Usage: ``.venv/bin/python -m bench.hostile_bench [--requests 5000] [--server garden|seed]``. Prints the number of
requests, the histogram of status codes, the requests per second, and any 5xx (there must be none); exits 1 on a
5xx or an unhealthy server.
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from hypothesis import HealthCheck, given, settings

from seed.local.server import create_local_seed
from tests.support import servers
from tests.support.garden import running_garden
from tests.support.hostile import Target, open_target
from tests.support.hostile_requests import HostileRequest, requests, target_url


@contextlib.contextmanager
def _server(kind: str, directory: Path) -> Iterator[Target]:
    if kind == "garden":
        with running_garden(f"sqlite:///{directory}/garden.db", directory) as garden, \
                open_target("garden", garden.server, garden.api) as target:
            yield target
        return
    token = servers.new_token()
    app, api = create_local_seed(directory / "state", token=token, poll_interval=0.05)
    with servers.serve(app, directory, token=token, name="seed-local") as server, \
            open_target("seed", server, api) as target:
        yield target
    api.store.engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=5000)
    parser.add_argument("--server", choices=("garden", "seed"), default="garden")
    args = parser.parse_args()
    codes: collections.Counter[int] = collections.Counter()
    failures: list[str] = []
    with tempfile.TemporaryDirectory() as tmp, _server(args.server, Path(tmp)) as target:

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
