"""Benchmark of the API machinery: CREATE, GET, LIST (500 per page) and PATCH through HTTPS, against a bare
baseline (the same SQL through SQLAlchemy Core via the store, no API layer) measured in the same run.

Usage: ``.venv/bin/python -m bench.api_bench [--db sqlite|postgres|both] [--objects 10000] [--ops 2000]``.
Prints p50, p99 and throughput per operation and the ratio API/baseline.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import random
import ssl
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx

from apiserver.storage.store import Store
from tests.conftest import make_registry, make_store
from tests.support import databases, servers

NS = "bench"
URL = "/apis/test.hortus.dev/v1alpha1/namespaces/bench/widgets"


def _widget(i: int) -> dict[str, object]:
    return {"apiVersion": "test.hortus.dev/v1alpha1", "kind": "Widget",
            "metadata": {"name": f"w{i:05d}", "namespace": NS, "labels": {"idx": str(i % 10)}},
            "spec": {"color": "red", "size": i, "tags": ["a", "b"]}}


def _timed(fn: Callable[[int], object], n: int) -> list[float]:
    out = []
    for i in range(n):
        t0 = time.perf_counter()
        fn(i)
        out.append(time.perf_counter() - t0)
    return out


def _stats(samples: list[float]) -> tuple[float, float, float]:
    ordered = sorted(samples)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    return statistics.median(ordered) * 1000, p99 * 1000, len(samples) / sum(samples)


class _Client:
    """A keep-alive HTTPS client with little overhead of its own (http.client), so the server is what is timed."""

    def __init__(self, url: str, ca: Path, token: str) -> None:
        host, port = url.removeprefix("https://").split(":")
        self.conn = http.client.HTTPSConnection(host, int(port), context=ssl.create_default_context(cafile=str(ca)))
        self.headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}

    def call(self, method: str, path: str, body: object = None, content_type: str = "application/json") -> Any:
        data = None if body is None else json.dumps(body)
        self.conn.request(method, path, data, {**self.headers, "Content-Type": content_type})
        resp = self.conn.getresponse()
        payload = resp.read()
        if resp.status >= 300:
            raise RuntimeError(f"{method} {path}: {resp.status} {payload[:200]!r}")
        return json.loads(payload)


def run_api(url: str, ca: Path, token: str, objects: int, ops: int) -> dict[str, list[float]]:
    client = _Client(url, ca, token)
    client.call("POST", "/api/v1/namespaces", {"metadata": {"name": NS}})
    res: dict[str, list[float]] = {}
    res["CREATE"] = _timed(lambda i: client.call("POST", URL, _widget(i)), objects)
    names = [f"w{random.randrange(objects):05d}" for _ in range(ops)]
    res["GET"] = _timed(lambda i: client.call("GET", f"{URL}/{names[i]}"), ops)
    tokens: list[str | None] = [None]

    def page(_i: int) -> None:
        query = "?limit=500" + (f"&continue={tokens[-1]}" if tokens[-1] else "")
        tokens.append(client.call("GET", URL + query)["metadata"].get("continue"))

    res["LIST"] = _timed(page, 3 * (objects // 500))
    res["PATCH"] = _timed(lambda i: client.call("PATCH", f"{URL}/{names[i]}", {"spec": {"size": i}},
                                                "application/merge-patch+json"), ops)
    client.conn.close()
    return res


def run_baseline(store: Store, objects: int, ops: int) -> dict[str, list[float]]:
    key = "test.hortus.dev/widgets"
    res: dict[str, list[float]] = {}

    def create(i: int) -> None:
        with store.write() as txn:
            txn.create(key, _widget(i))

    res["CREATE"] = _timed(create, objects)
    names = [f"w{random.randrange(objects):05d}" for _ in range(ops)]
    res["GET"] = _timed(lambda i: store.get(key, NS, names[i]), ops)
    after: list[tuple[str, str] | None] = [None]

    def page(_i: int) -> None:
        items, _ = store.list(key, NS, after=after[-1], limit=500)
        after.append((NS, items[-1]["metadata"]["name"]) if len(items) == 500 else None)

    res["LIST"] = _timed(page, 3 * (objects // 500))

    def patch(i: int) -> None:
        with store.write() as txn:
            obj = txn.get(key, NS, names[i])
            assert obj is not None
            obj["spec"]["size"] = i
            txn.update(key, obj, expect_rv=obj["metadata"]["resourceVersion"])

    res["PATCH"] = _timed(patch, ops)
    return res


def bench(kind: str, objects: int, ops: int) -> None:
    with tempfile.TemporaryDirectory() as tmp_dir:
        tmp = Path(tmp_dir)
        with _database(kind, tmp / "base") as base_url:
            store = make_store(base_url, make_registry())
            baseline = run_baseline(store, objects, ops)
            store.engine.dispose()
        with _database(kind, tmp / "api") as api_url:
            api = _api(api_url, tmp, objects, ops)
        _report(kind, api, baseline)


@contextlib.contextmanager
def _database(kind: str, path: Path) -> Iterator[str]:
    path.mkdir(parents=True, exist_ok=True)
    if kind == "sqlite":
        yield f"sqlite:///{path / 'bench.db'}"
        return
    with databases.postgres_database() as url:
        yield url


def _api(db_url: str, tmp: Path, objects: int, ops: int) -> dict[str, list[float]]:
    token, port = servers.new_token(), servers.free_port()
    proc = subprocess.Popen([sys.executable, "-m", "tests.support.widget_server", "--db", db_url, "--dir", str(tmp),
                             "--port", str(port), "--token", token])
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                ca = ssl.create_default_context(cafile=str(tmp / "bench-ca.crt"))
                httpx.get(f"https://127.0.0.1:{port}/healthz", verify=ca).raise_for_status()
                break
            except (httpx.HTTPError, OSError):
                time.sleep(0.2)
        return run_api(f"https://127.0.0.1:{port}", tmp / "bench-ca.crt", token, objects, ops)
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def _report(kind: str, api: dict[str, list[float]], base: dict[str, list[float]]) -> None:
    print(f"\n== {kind} ==")
    print(f"{'op':7} {'api p50 ms':>10} {'api p99 ms':>10} {'api ops/s':>10} | {'base p50':>9} {'base p99':>9} "
          f"{'base ops/s':>10} | {'ratio':>6}")
    for op in ("CREATE", "GET", "LIST", "PATCH"):
        a50, a99, at = _stats(api[op])
        b50, b99, bt = _stats(base[op])
        print(f"{op:7} {a50:10.2f} {a99:10.2f} {at:10.0f} | {b50:9.2f} {b99:9.2f} {bt:10.0f} | {at / bt:6.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--objects", type=int, default=10_000)
    parser.add_argument("--ops", type=int, default=2_000)
    args = parser.parse_args()
    for kind in (["sqlite", "postgres"] if args.db == "both" else [args.db]):
        bench(kind, args.objects, args.ops)


if __name__ == "__main__":
    main()
