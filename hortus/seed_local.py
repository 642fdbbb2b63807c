"""``hortus seed local``: the local seed cluster's API server, standalone.

Called by ``hortus.cli``. Keeps its state in the state directory: the SQLite database, its own serving CA and
certificate, and ``seed-local.kubeconfig`` (HTTPS, admin token) — all a seed agent needs to use it.
"""

from __future__ import annotations

import contextlib
import socket
import sys
from pathlib import Path

import uvicorn
import yaml

from apiserver import tls
from apiserver.auth import new_token
from hortus import serving as serving_module
from hortus import statelock
from seed.local.server import create_local_seed
from seed.local.shoots import endpoints

NAME = "seed-local"
DEFAULT_PORT = 6444


def admin_token(kubeconfig: Path) -> str:
    """The admin token of an earlier run (kept in its kubeconfig, mode 0600), or a fresh one."""
    if kubeconfig.exists():
        with contextlib.suppress(OSError, yaml.YAMLError, KeyError, IndexError, TypeError):
            token = yaml.safe_load(kubeconfig.read_text())["users"][0]["user"]["token"]
            if isinstance(token, str) and token:
                return token
    return new_token()


def write_kubeconfig(state_dir: Path, *, server: str, host: str) -> tuple[Path, str, tls.ServingFiles]:
    """Serving files for ``host`` and ``DIR/seed-local.kubeconfig`` pointing at ``server``."""
    serving = tls.ensure_serving_files(state_dir, name=NAME, hosts=[host, "localhost", "127.0.0.1"])
    path = state_dir / f"{NAME}.kubeconfig"
    token = admin_token(path)
    tls.write_kubeconfig(path, tls.kubeconfig(server=server, ca_pem=serving.ca_pem, token=token, cluster=NAME,
                                              user="admin"))
    return path, token, serving


def run(state_dir: Path, *, port: int = DEFAULT_PORT, host: str = "127.0.0.1") -> int:
    """Serve until SIGINT/SIGTERM; 1 at once, changing nothing, when the directory or the port is taken."""
    try:
        with statelock.hold(state_dir, command="hortus seed local"):
            _serve(state_dir, serving_module.bind(host, port))
    except (statelock.StateInUse, serving_module.PortInUse) as exc:
        print(f"hortus seed local: {exc}", file=sys.stderr, flush=True)
        return 1
    return 0


def _serve(state_dir: Path, sock: socket.socket) -> None:
    host, port = sock.getsockname()[:2]
    server = f"https://{host}:{port}"
    kubeconfig, token, serving = write_kubeconfig(state_dir, server=server, host=host)
    app, api = create_local_seed(state_dir, token=token, server_address=f"{host}:{port}")
    config = uvicorn.Config(app, host=host, port=port, ssl_certfile=str(serving.cert), ssl_keyfile=str(serving.key),
                            log_level="warning", timeout_graceful_shutdown=2, **endpoints.uvicorn_options(api))
    uvicorn_server = serving_module.Server(config, sock)
    print(f"hortus local seed API: {server}", flush=True)
    print(f"kubeconfig:            {kubeconfig}", flush=True)
    print(f"try:                   kubectl --kubeconfig {kubeconfig} get namespaces", flush=True)
    serving_module.serve_all([uvicorn_server])
    print("hortus local seed stopped", flush=True)
