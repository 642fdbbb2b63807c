"""A seed agent process for tests: ``hortus seed agent`` with fault injection and, optionally, bare renderers.

Started by ``tests.support.agents.start_agent`` as ``python -m tests.support.agent_main``; the production agent
(``workers.agent``) has no such knobs. ``HORTUS_TEST_PAUSE_BEFORE`` names a step before which the agent sleeps
``HORTUS_TEST_PAUSE_SECONDS`` (so that a test can kill it mid-flow); ``HORTUS_TEST_BARE_CONTROL_PLANE=1`` uses
``tests.support.controlplane.BareComponents``.
"""

from __future__ import annotations

import argparse
import logging
import os
import time
from pathlib import Path

from seed.flow.engine import Hook
from tests.support.controlplane import BareComponents
from workers import agent
from workers.settings import WorkerSettings


def hook_from_env() -> Hook | None:
    step, seconds = os.environ.get("HORTUS_TEST_PAUSE_BEFORE"), float(os.environ.get("HORTUS_TEST_PAUSE_SECONDS", 0))
    if not step or seconds <= 0:
        return None

    def pause(name: str) -> None:
        if name == step:
            time.sleep(seconds)

    return pause


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seed", required=True)
    parser.add_argument("--garden-kubeconfig", type=Path, required=True)
    parser.add_argument("--seed-kubeconfig", type=Path, required=True)
    parser.add_argument("--state-dir", type=Path, required=True)
    parser.add_argument("--concurrency", type=int, default=2)
    parser.add_argument("--broker", default="")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    overrides = {"garden_kubeconfig": args.garden_kubeconfig, "seed_kubeconfig": args.seed_kubeconfig,
                 "state_dir": args.state_dir}
    if args.broker:
        overrides["broker_url"] = args.broker
    bare = os.environ.get("HORTUS_TEST_BARE_CONTROL_PLANE") == "1"
    agent.run_agent(WorkerSettings(**overrides), seed=args.seed, concurrency=args.concurrency,
                    renderers=BareComponents() if bare else None, hook=hook_from_env())


if __name__ == "__main__":
    main()
