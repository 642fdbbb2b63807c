"""``hortus up``: the all-in-one garden on the embedded default, in one command.

Called by ``hortus.cli``. Keeps every piece of state in the state directory: the SQLite database, the serving
CA and certificate, the operator token's digest, and the operator's ``garden.kubeconfig``.
"""

from __future__ import annotations

import socket
import sys
from pathlib import Path
from typing import Any

import uvicorn

from apiserver import tls
from apiserver.auth import digest, new_token
from apiserver.context import UserInfo
from garden.app import create_app
from garden.auth import identities
from garden.settings import GardenSettings
from hortus import local_seed, statelock
from hortus import serving as serving_module
from seed.local.shoots import endpoints

OPERATOR = UserInfo(name="hortus:operator", groups=("system:masters", "system:authenticated"))


def operator_token(state_dir: Path, *, server: str, ca_pem: bytes) -> tuple[str, Path]:
    """The operator token's digest, writing a fresh token into ``garden.kubeconfig`` when there is none."""
    digest_file = state_dir / "operator-token.sha256"
    kubeconfig = state_dir / "garden.kubeconfig"
    if not digest_file.exists() or not kubeconfig.exists():
        token = new_token()
        digest_file.write_text(digest(token) + "\n")
        digest_file.chmod(0o600)
    else:
        token = ""
    if token:
        config = tls.kubeconfig(server=server, ca_pem=ca_pem, token=token, cluster="garden", user="operator")
        tls.write_kubeconfig(kubeconfig, config)
    else:
        # Keep the kubeconfig (its token matches the digest) but point it at the current address and CA.
        _refresh_kubeconfig(kubeconfig, server=server, ca_pem=ca_pem)
    return digest_file.read_text().strip(), kubeconfig


def _refresh_kubeconfig(path: Path, *, server: str, ca_pem: bytes) -> None:
    import yaml

    config = yaml.safe_load(path.read_text())
    token = config["users"][0]["user"]["token"]
    tls.write_kubeconfig(path, tls.kubeconfig(server=server, ca_pem=ca_pem, token=token, cluster="garden",
                                              user="operator"))


def run(settings: GardenSettings) -> int:
    """Serve until SIGINT/SIGTERM; 1 at once, changing nothing, when the directory or a port is taken."""
    try:
        with statelock.hold(settings.state_dir, command="hortus up"):
            sockets = [serving_module.bind(settings.host, settings.port),
                       serving_module.bind(settings.host, settings.port + 1)]
            _serve(settings, sockets)
    except (statelock.StateInUse, serving_module.PortInUse) as exc:
        print(f"hortus up: {exc}", file=sys.stderr, flush=True)
        return 1
    return 0


def _serve(settings: GardenSettings, sockets: list[socket.socket]) -> None:
    state = settings.state_dir
    serving = tls.ensure_serving_files(state, name="garden", hosts=[settings.host, "localhost", "127.0.0.1"])
    token_digest, kubeconfig = operator_token(state, server=settings.server_url, ca_pem=serving.ca_pem)
    app, api = create_app(settings)
    # The garden's scheduler, dispatcher and seed lifecycle run in-process (with a periodic resync standing in for
    # beat) and publish on the embedded broker in the state directory; the local seed's agent consumes from it.
    from workers import garden as garden_role
    from workers.settings import WorkerSettings

    garden_role.attach_controllers(api, WorkerSettings(state_dir=state))
    # The operator is an identity in the garden database like any other; its token exists only as a digest.
    identities.for_engine(api.store.engine).ensure_operator(OPERATOR.name, token_digest=token_digest)
    local = local_seed.prepare(settings, api, garden_ca=serving.ca_pem)
    servers = [
        serving_server(app, files=serving, sock=sockets[0]),
        serving_server(local.app, files=local.serving, sock=sockets[1], options=endpoints.uvicorn_options(local.api)),
    ]
    print(f"hortus garden API: {settings.server_url}", flush=True)
    print(f"kubeconfig:        {kubeconfig}", flush=True)
    print(f"local seed:        https://{settings.host}:{local.port} ({local.kubeconfig})", flush=True)
    print(f"try:               kubectl --kubeconfig {kubeconfig} get namespaces", flush=True)
    try:
        serving_module.serve_all(servers, on_started=local.start_agent, on_stopping=local.signal_agent)
    finally:
        local.stop_agent()
    print("hortus stopped", flush=True)


def serving_server(app: Any, *, files: tls.ServingFiles, sock: socket.socket,
                   options: dict[str, Any] | None = None) -> serving_module.Server:
    """``options``: more ``uvicorn.Config`` settings (the local seed's client certificates)."""
    host, port = sock.getsockname()[:2]
    return serving_module.Server(uvicorn.Config(
        app, host=host, port=port, ssl_certfile=str(files.cert), ssl_keyfile=str(files.key), log_level="warning",
        timeout_graceful_shutdown=2, **(options or {})), sock)
