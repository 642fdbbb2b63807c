"""Benchmark of the operator console at fleet scale: server time of its pages with 10,000 shoots, against the raw
API list of the same shoots (the baseline) measured in the same run.

Usage: ``.venv/bin/python -m bench.console_bench [--shoots 10000] [--projects 50] [--requests 40]``.
Requests go to the garden app in-process (ASGI, no TLS or network), so the figures are the server's time to answer:
authentication, authorization, the index catch-up with the change log, filtering, sorting and rendering. Prints
p50 and p99 per page, and the time of the first request (which builds the index from the database).
"""

from __future__ import annotations

import argparse
import asyncio
import copy
import random
import re
import statistics
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
import yaml

from apiserver.context import system_context
from apiserver.server import ApiServer
from garden import bootstrap
from garden import seeds as garden_seeds
from garden.app import create_app
from garden.auth import identities
from garden.settings import GardenSettings
from shoot import conditions

JSON = dict[str, Any]
EXAMPLE = Path(__file__).resolve().parents[1] / "tests" / "data" / "gardener-examples" / "provider-local" / "shoot.yaml"
SHOOTS = "core.gardener.cloud/shoots"
CONDITIONS = ("APIServerAvailable", "ControlPlaneHealthy", "ObservabilityComponentsHealthy", "EveryNodeReady",
              "SystemComponentsHealthy")
CODES = ("ERR_INFRA_QUOTA_EXCEEDED", "ERR_INFRA_UNAUTHORIZED", "ERR_CONFIGURATION_PROBLEM",
         "ERR_CLEANUP_CLUSTER_RESOURCES", "ERR_INFRA_RESOURCES_DEPLETED")


def _shoot(template: JSON, i: int, namespace: str, seed: str, rng: random.Random, now: float) -> JSON:
    doc = copy.deepcopy(template)
    created = now - rng.uniform(60, 86400 * 90)
    doc["metadata"] = {"name": f"shoot-{i:05d}", "namespace": namespace, "uid": str(uuid.uuid4()), "generation": 2,
                       "creationTimestamp": conditions.timestamp(created), "finalizers": ["gardener"]}
    doc["spec"].update(seedName=seed, region="local")
    doc["spec"]["kubernetes"]["version"] = rng.choice(["1.33.4", "1.32.8", "1.31.12"])
    doc["spec"]["provider"]["type"] = rng.choice(["local", "local", "aws"])
    roll = rng.random()
    op: JSON = {"type": "Reconcile", "state": "Succeeded", "progress": 100, "description": "Shoot cluster reconciled",
                "lastUpdateTime": conditions.timestamp(now - rng.uniform(0, 3600))}
    status: JSON = {"observedGeneration": 2, "technicalID": f"shoot--{namespace[7:]}--{doc['metadata']['name']}"}
    healthy = True
    if roll < 0.05:
        op.update(state="Processing", progress=rng.randint(0, 99), description="Waiting for the control plane")
    elif roll < 0.10:
        op.update(state="Failed", progress=rng.randint(10, 90), description="Reconcile failed")
        status["lastErrors"] = [{"description": "infrastructure: the provider refused the request",
                                 "codes": [rng.choice(CODES)], "lastUpdateTime": op["lastUpdateTime"]}]
        healthy = False
    elif roll < 0.13:
        op.update(state="Error", progress=rng.randint(10, 90), description="Retrying: the seed is busy")
    elif roll < 0.17:
        doc["spec"]["hibernation"] = {"enabled": True}
    status["lastOperation"] = op
    status["conditions"] = [{"type": c, "status": "True" if healthy or c != "APIServerAvailable" else "False",
                             "lastTransitionTime": op["lastUpdateTime"], "lastUpdateTime": op["lastUpdateTime"],
                             "reason": "HealthCheck", "message": "ok" if healthy else "the API server is down"}
                            for c in CONDITIONS]
    doc["status"] = status
    return doc


def populate(api: ApiServer, *, shoots: int, projects: int, seeds: int) -> None:
    service = api.service
    bootstrap.ensure_local(service)
    for s in range(seeds):
        manifest = copy.deepcopy(bootstrap.SEED)
        manifest["metadata"]["name"] = f"seed-{s}"
        garden_seeds.register(service, manifest, capacity=max(1, shoots // seeds + 200))
    project_template = copy.deepcopy(bootstrap.PROJECT)
    for p in range(projects):
        project = copy.deepcopy(project_template)
        project["metadata"]["name"] = f"p{p:02d}"
        project["spec"]["namespace"] = f"garden-p{p:02d}"
        project["spec"]["members"] = [{"apiGroup": "rbac.authorization.k8s.io", "kind": "User", "name": "vera",
                                       "role": "viewer"}] if p == 7 else []
        bootstrap.ensure(service, project)
        bootstrap.ensure_namespace(service, f"garden-p{p:02d}", project=f"p{p:02d}")
    template: JSON = yaml.safe_load(EXAMPLE.read_text())
    rng, now = random.Random(7), time.time()
    batch = 500
    for start in range(0, shoots, batch):
        with api.store.write() as txn:
            for i in range(start, min(shoots, start + batch)):
                namespace = f"garden-p{i % projects:02d}"
                txn.create(SHOOTS, _shoot(template, i, namespace, f"seed-{i % seeds}", rng, now))


def _stats(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered) * 1000, ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000


async def _login(client: httpx.AsyncClient, token: str) -> None:
    form = await client.get("/console/login")
    found = re.search(r'name="csrf" value="([^"]+)"', form.text)
    assert found is not None
    answer = await client.post("/console/login", data={"csrf": found.group(1), "token": token})
    assert answer.status_code == 303, answer.text


async def _time(client: httpx.AsyncClient, path: str, n: int, *, headers: dict[str, str] | None = None) -> list[float]:
    out = []
    for _ in range(n):
        t0 = time.perf_counter()
        answer = await client.get(path, headers=headers)
        out.append(time.perf_counter() - t0)
        assert answer.status_code == 200, (path, answer.status_code, answer.text[:300])
    return out


async def run(args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory() as directory:
        state = Path(directory)
        app, api = create_app(GardenSettings(state_dir=state))
        t0 = time.perf_counter()
        populate(api, shoots=args.shoots, projects=args.projects, seeds=args.seeds)
        print(f"stored {args.shoots} shoots in {args.projects} projects on {args.seeds} seeds "
              f"in {time.perf_counter() - t0:.1f} s (SQLite)")
        known = identities.for_engine(api.store.engine)
        known.create_user("olga", operator=True)
        known.create_user("vera")
        operator, viewer = known.issue_token("olga").token, known.issue_token("vera").token
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="https://garden", timeout=120) as olga, \
                    httpx.AsyncClient(transport=transport, base_url="https://garden", timeout=120) as vera, \
                    httpx.AsyncClient(transport=transport, base_url="https://garden", timeout=120) as raw:
                await _login(olga, operator)
                await _login(vera, viewer)
                first = await _time(olga, "/console/shoots", 1)
                print(f"first console request (builds the index from {args.shoots} shoots): {first[0] * 1000:.0f} ms")
                bearer = {"Authorization": f"Bearer {operator}"}
                api_path = "/apis/core.gardener.cloud/v1beta1/shoots"
                n = args.requests
                rows: list[tuple[str, list[float]]] = [
                    ("baseline: API list, 50 shoots (limit=50)", await _time(raw, f"{api_path}?limit=50", n,
                                                                            headers=bearer)),
                    ("baseline: API list, all shoots", await _time(raw, api_path, max(3, n // 8), headers=bearer)),
                    ("console: shoots page (issues first, 50/page)", await _time(olga, "/console/shoots", n)),
                    ("console: shoots table, issues only", await _time(olga, "/console/shoots/table?issues=1", n)),
                    ("console: shoots table, search+sort+page 7",
                     await _time(olga, "/console/shoots/table?q=1.33 -aws&sort=age&page=7", n)),
                    ("console: shoots page as a one-project viewer", await _time(vera, "/console/shoots", n)),
                    ("console: overview (charts, issues, seeds)", await _time(olga, "/console/", n)),
                    ("console: seeds page", await _time(olga, "/console/seeds", n)),
                ]
                shoots_rt = api.registry.get("core.gardener.cloud", "v1beta1", "shoots")
                assert shoots_rt is not None
                after_write = []
                for i in range(n):
                    shoot = api.service.get(shoots_rt, "garden-p00", f"shoot-{i * args.projects:05d}")
                    shoot["status"]["lastOperation"]["progress"] = 50
                    shoot["status"]["lastOperation"]["state"] = "Processing"
                    api.service.update(shoots_rt, "garden-p00", shoot["metadata"]["name"], shoot, system_context(),
                                       subresource="status")
                    after_write += await _time(olga, "/console/shoots/table", 1)
                rows.append(("console: shoots table right after a write", after_write))
        api.store.engine.dispose()
    width = max(len(name) for name, _ in rows)
    print(f"{'page':<{width}}  {'p50 ms':>8}  {'p99 ms':>8}  requests")
    for name, samples in rows:
        p50, p99 = _stats(samples)
        print(f"{name:<{width}}  {p50:8.1f}  {p99:8.1f}  {len(samples)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--shoots", type=int, default=10_000)
    parser.add_argument("--projects", type=int, default=50)
    parser.add_argument("--seeds", type=int, default=8)
    parser.add_argument("--requests", type=int, default=40)
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
