"""``hortus up``: the all-in-one garden on the embedded default, in one command.

Called by ``hortus.cli``. Keeps every piece of state in the state directory: the SQLite database, the serving
CA and certificate, the operator token's digest, and the operator's ``garden.kubeconfig``.
"""

from __future__ import annotations

import contextlib
import secrets
import signal
from collections.abc import Iterator
from pathlib import Path

import uvicorn

from apiserver import tls
from apiserver.auth import digest
from apiserver.context import UserInfo
from garden.app import create_app
from garden.auth import identities
from garden.settings import GardenSettings

OPERATOR = UserInfo(name="hortus:operator", groups=("system:masters", "system:authenticated"))


def operator_token(state_dir: Path, *, server: str, ca_pem: bytes) -> tuple[str, Path]:
    """The operator token's digest, writing a fresh token into ``garden.kubeconfig`` when there is none."""
    digest_file = state_dir / "operator-token.sha256"
    kubeconfig = state_dir / "garden.kubeconfig"
    if not digest_file.exists() or not kubeconfig.exists():
        token = secrets.token_urlsafe(32)
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


class _Server(uvicorn.Server):
    """Uvicorn re-raises SIGINT/SIGTERM after shutting down; hortus stops with exit status 0 instead."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        previous = {sig: signal.signal(sig, self.handle_exit) for sig in (signal.SIGINT, signal.SIGTERM)}
        try:
            yield
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)


def run(settings: GardenSettings) -> None:
    state = settings.state_dir
    state.mkdir(parents=True, exist_ok=True)
    serving = tls.ensure_serving_files(state, name="garden", hosts=[settings.host, "localhost", "127.0.0.1"])
    token_digest, kubeconfig = operator_token(state, server=settings.server_url, ca_pem=serving.ca_pem)
    app, api = create_app(settings)
    # The garden's scheduler, dispatcher and seed lifecycle run in-process on the embedded broker; seed agents
    # join with `hortus seed register` + `hortus seed agent` (docs/workers.md).
    from workers import garden as garden_role
    from workers.settings import WorkerSettings

    garden_role.attach_controllers(api, WorkerSettings(state_dir=state))
    # The operator is an identity in the garden database like any other; its token exists only as a digest.
    identities.for_engine(api.store.engine).ensure_operator(OPERATOR.name, token_digest=token_digest)
    config = uvicorn.Config(
        app, host=settings.host, port=settings.port, ssl_certfile=str(serving.cert), ssl_keyfile=str(serving.key),
        log_level="warning", timeout_graceful_shutdown=2,
    )
    print(f"hortus garden API: {settings.server_url}", flush=True)
    print(f"kubeconfig:        {kubeconfig}", flush=True)
    print(f"try:               kubectl --kubeconfig {kubeconfig} get namespaces", flush=True)
    _Server(config).run()
    print("hortus stopped", flush=True)
