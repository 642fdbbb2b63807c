"""The local seed in ``hortus up``: its API server, its registration as seed ``local``, and its agent.

Called by ``hortus.up``. Creates (idempotently) the objects of Gardener's local setup — CloudProfile, project
and credentials ``local`` and the Seed ``local`` — so that ``provider-local/shoot.yaml`` applies as it is, and runs
the seed agent as a child process that consumes the seed's queue on the embedded broker.
"""

from __future__ import annotations

import dataclasses
import functools
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from apiserver import tls
from apiserver.server import ApiServer
from garden import bootstrap, seeds
from garden.auth import identities
from garden.settings import GardenSettings
from hortus import seed_local, statelock
from seed.local.server import create_local_seed

NAME = "local"
CAPACITY = 250


@dataclasses.dataclass
class LocalSeed:
    app: Any
    api: ApiServer
    port: int
    kubeconfig: Path
    serving: tls.ServingFiles
    agent_command: list[str]
    log: Path
    process: subprocess.Popen[bytes] | None = None

    def start_agent(self) -> None:
        self.log.parent.mkdir(parents=True, exist_ok=True)
        with self.log.open("ab") as out:
            # The agent ends with hortus up however it ends (even SIGKILL), so no agent is ever left behind.
            self.process = subprocess.Popen(self.agent_command, stdout=out, stderr=subprocess.STDOUT,
                                            preexec_fn=functools.partial(statelock.die_with_parent, os.getpid()))
        print(f"seed agent:        pid {self.process.pid}, log {self.log}", flush=True)

    def signal_agent(self) -> None:
        """Ask the agent to finish its running tasks and stop, while the garden still answers it."""
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()

    def stop_agent(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def prepare(settings: GardenSettings, garden: ApiServer, *, garden_ca: bytes) -> LocalSeed:
    state, port = settings.state_dir, settings.port + 1
    kubeconfig, token, serving = seed_local.write_kubeconfig(state, server=f"https://{settings.host}:{port}",
                                                             host=settings.host)
    app, api = create_local_seed(state, token=token, server_address=f"{settings.host}:{port}",
                                 serving_ca=serving.ca_pem)
    bootstrap.ensure_local(garden.service)
    seeds.register(garden.service, bootstrap.SEED, capacity=CAPACITY)
    garden_kubeconfig = _agent_kubeconfig(settings, garden, garden_ca=garden_ca)
    command = [sys.executable, "-m", "hortus.cli", "seed", "agent", "--seed", NAME, "--state-dir", str(state),
               "--garden-kubeconfig", str(garden_kubeconfig), "--seed-kubeconfig", str(kubeconfig)]
    return LocalSeed(app=app, api=api, port=port, kubeconfig=kubeconfig, serving=serving, agent_command=command,
                     log=state / "logs" / f"seed-agent-{NAME}.log")


def _agent_kubeconfig(settings: GardenSettings, garden: ApiServer, *, garden_ca: bytes) -> Path:
    """The seed identity's garden kubeconfig, with a fresh token each start (older ones are revoked)."""
    known = identities.for_engine(garden.store.engine)
    user = known.ensure_seed(NAME).name
    known.revoke(identity=user)
    issued = known.issue_token(user, description="local seed agent (hortus up)")
    path = settings.state_dir / "seeds" / f"{NAME}.kubeconfig"
    tls.write_kubeconfig(path, tls.kubeconfig(server=settings.server_url, ca_pem=garden_ca, token=issued.token,
                                              cluster="garden", user=user))
    return path
