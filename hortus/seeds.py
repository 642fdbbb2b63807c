"""``hortus seed register`` and ``hortus seed agent``: bring a seed into the garden and run its agent.

``hortus.cli`` adds these with ``add_parsers`` and runs them with ``run``. Registration works on the garden
database directly (like the other operator commands): it creates the Seed with its capacity, the seed identity
``gardener.cloud:system:seed:<name>`` and a token, and writes the agent's garden kubeconfig.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from apiserver import tls
from garden import seeds
from garden.app import create_app
from garden.auth import identities
from garden.settings import GardenSettings

COMMANDS = ("register", "agent")


def add_parsers(seed: Any) -> None:
    """Add ``register`` and ``agent`` to the subparsers of ``hortus seed`` (``dest="seed_command"``)."""
    register = seed.add_parser("register", help="create a Seed and its identity; print what its agent needs")
    register.add_argument("--name", required=True)
    register.add_argument("--provider", required=True, help="provider type, e.g. local, aws")
    register.add_argument("--region", required=True)
    register.add_argument("--zones", default="", help="comma separated, e.g. a,b")
    register.add_argument("--pods", required=True, help="the seed's pod CIDR")
    register.add_argument("--services", required=True, help="the seed's service CIDR")
    register.add_argument("--nodes", default=None, help="the seed's node CIDR")
    register.add_argument("--capacity", type=int, default=250, help="allocatable shoots (Gardener's default 250)")
    register.add_argument("--out", type=Path, default=None,
                          help="the agent's garden kubeconfig (default <state-dir>/seeds/<name>.kubeconfig)")
    register.add_argument("--server", default=None, help="the garden URL the agent uses (default: this garden's)")
    register.add_argument("--state-dir", type=Path, default=None)
    register.add_argument("--database-url", default=None)
    agent = seed.add_parser("agent", help="run the seed agent (a worker on queue seed.<name>)")
    agent.add_argument("--seed", required=True)
    agent.add_argument("--garden-kubeconfig", type=Path, required=True)
    agent.add_argument("--seed-kubeconfig", type=Path, required=True)
    agent.add_argument("--broker", default=None, help="redis://host:6379/0 (default: the embedded broker)")
    agent.add_argument("--concurrency", type=int, default=4)
    agent.add_argument("--state-dir", type=Path, default=None)


def run(args: argparse.Namespace, settings: GardenSettings) -> int:
    if args.seed_command == "register":
        return _register(args, settings)
    return _agent(args, settings)


def _register(args: argparse.Namespace, settings: GardenSettings) -> int:
    settings.state_dir.mkdir(parents=True, exist_ok=True)
    ca_file = settings.state_dir / "garden-ca.crt"
    if not ca_file.exists():
        print(f"error: no serving CA at {ca_file}; run `hortus up` with this state directory first", file=sys.stderr)
        return 1
    _app, api = create_app(settings)
    try:
        zones = [z for z in args.zones.split(",") if z]
        manifest = seeds.seed_manifest(args.name, provider=args.provider, region=args.region, zones=zones,
                                       pods=args.pods, services=args.services, nodes=args.nodes)
        seeds.register(api.service, manifest, capacity=args.capacity)
        known = identities.for_engine(api.store.engine)
        user = known.ensure_seed(args.name).name
        issued = known.issue_token(user, description=f"seed agent {args.name}")
    finally:
        api.store.engine.dispose()
    out = args.out or settings.state_dir / "seeds" / f"{args.name}.kubeconfig"
    tls.write_kubeconfig(out, tls.kubeconfig(server=args.server or settings.server_url, ca_pem=ca_file.read_bytes(),
                                             token=issued.token, cluster="garden", user=user))
    print(f"seed {args.name} registered (capacity {args.capacity} shoots); identity {user}", file=sys.stderr)
    print(f"hortus seed agent --seed {args.name} --garden-kubeconfig {out} --seed-kubeconfig <the seed's kubeconfig>"
          " [--broker redis://...]")
    return 0


def _agent(args: argparse.Namespace, settings: GardenSettings) -> int:
    from workers import agent
    from workers.settings import WorkerSettings

    overrides: dict[str, Any] = {"garden_kubeconfig": args.garden_kubeconfig, "seed_kubeconfig": args.seed_kubeconfig,
                                 "state_dir": settings.state_dir}
    if args.broker:
        overrides["broker_url"] = args.broker
    agent.run_agent(WorkerSettings(**overrides), seed=args.seed, concurrency=args.concurrency)
    return 0
