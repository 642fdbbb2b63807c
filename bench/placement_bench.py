"""Benchmark of placement: 10,000 pending shoots over 200 seeds through ``choose_seed``, as the scheduler
controller runs it (seeds prepared once, shoot counts updated after each decision).

Usage: ``.venv/bin/python -m bench.placement_bench [--shoots 10000] [--seeds 200] [--strategy SameRegion]``.
Prints the wall time, decisions per second, and how many shoots were placed.
"""

from __future__ import annotations

import argparse
import collections
import random
import time
from typing import Any

from garden.scheduler import placement

PROVIDERS = ("aws", "gcp", "local")
REGIONS = ("eu-1", "eu-2", "us-1", "us-2", "ap-1")
JSON = dict[str, Any]


def seed(i: int, rng: random.Random) -> JSON:
    return {"metadata": {"name": f"seed-{i}", "labels": {"tier": rng.choice(("gold", "silver"))}},
            "spec": {"provider": {"type": PROVIDERS[i % 3], "region": REGIONS[i % 5], "zones": ["a", "b", "c"]},
                     "networks": {"pods": f"10.{i // 128}.{(i % 128) * 2}.0/23",
                                  "services": f"10.{100 + i // 128}.{(i % 128) * 2}.0/23"},
                     "settings": {"scheduling": {"visible": True}},
                     **({"taints": [{"key": "dedicated", "value": "ml"}]} if i % 10 == 0 else {})},
            "status": {"conditions": [{"type": "GardenletReady", "status": "True"}],
                       "allocatable": {"shoots": 250}}}


def shoot(i: int, rng: random.Random) -> JSON:
    spec: JSON = {"provider": {"type": rng.choice(PROVIDERS), "workers": [{"name": "w", "zones": ["a"]}]},
                  "region": rng.choice(REGIONS), "cloudProfile": {"name": "p"},
                  "networking": {"pods": "100.96.0.0/11", "services": "100.64.0.0/13", "nodes": "172.16.0.0/16"}}
    if i % 7 == 0:
        spec["tolerations"] = [{"key": "dedicated", "value": "ml"}]
    if i % 11 == 0:
        spec["seedSelector"] = {"matchLabels": {"tier": "gold"}}
    return {"metadata": {"name": f"shoot-{i}", "namespace": "garden-p", "uid": str(i)}, "spec": spec}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--shoots", type=int, default=10_000)
    parser.add_argument("--seeds", type=int, default=200)
    parser.add_argument("--strategy", default="SameRegion")
    args = parser.parse_args()
    rng = random.Random(7)
    seeds = [seed(i, rng) for i in range(args.seeds)]
    shoots = [shoot(i, rng) for i in range(args.shoots)]
    profile: JSON = {"metadata": {"name": "p"}, "spec": {}}
    start = time.perf_counter()
    prepared = placement.prepare_seeds(seeds)
    counts: collections.Counter[str] = collections.Counter()
    placed = 0
    for s in shoots:
        decision = placement.choose_seed(s, prepared, cloud_profile=profile, strategy=args.strategy,
                                         shoot_counts=counts)
        if decision.seed:
            counts[decision.seed] += 1
            placed += 1
    elapsed = time.perf_counter() - start
    print(f"{args.shoots} shoots over {args.seeds} seeds ({args.strategy}): {elapsed:.2f} s, "
          f"{args.shoots / elapsed:,.0f} decisions/s, {placed} placed, {args.shoots - placed} unschedulable")


if __name__ == "__main__":
    main()
