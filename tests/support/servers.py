"""Run a real HTTPS API server (uvicorn in a thread) for end-to-end tests, with a kubeconfig for clients.

Used by the fixtures in ``tests/conftest.py``; kubectl only sends bearer tokens over TLS, so every test server
serves HTTPS with its own CA.
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import secrets
import socket
import ssl
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import uvicorn
from fastapi import FastAPI

from apiserver import tls
from apiserver.server import Server


@dataclasses.dataclass(frozen=True)
class RunningServer:
    url: str
    kubeconfig: Path
    token: str
    ca_file: Path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@contextlib.contextmanager
def serve(app: FastAPI, directory: Path, *, token: str, name: str = "test",
          options: dict[str, Any] | None = None) -> Iterator[RunningServer]:
    """``options``: more ``uvicorn.Config`` settings (a local seed's client certificates)."""
    files = tls.ensure_serving_files(directory, name=name, hosts=["127.0.0.1", "localhost"])
    # Bound here and handed to uvicorn: a port picked first and bound later can be taken meanwhile by another
    # test run on the same machine.
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(app, host="127.0.0.1", port=port, ssl_certfile=str(files.cert),
                            ssl_keyfile=str(files.key), log_level="warning", timeout_graceful_shutdown=1,
                            lifespan="on", **(options or {}))
    server = Server(config)
    thread = threading.Thread(target=_run, args=(server, sock), name=f"uvicorn-{name}", daemon=True)
    thread.start()
    url = f"https://127.0.0.1:{port}"
    _wait_ready(url, files.ca_pem)
    kubeconfig = directory / f"{name}.kubeconfig"
    tls.write_kubeconfig(kubeconfig, tls.kubeconfig(server=url, ca_pem=files.ca_pem, token=token, cluster=name,
                                                    user="tester"))
    ca_file = directory / f"{name}-ca.crt"
    try:
        yield RunningServer(url=url, kubeconfig=kubeconfig, token=token, ca_file=ca_file)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


def _run(server: uvicorn.Server, sock: socket.socket) -> None:
    """Serve; an OS error while the test is already tearing the server down (a socket the client still holds,
    seen as EBUSY once) is logged rather than failing the test that is over."""
    try:
        server.run(sockets=[sock])
    except OSError:
        if not server.should_exit:
            raise
        logging.getLogger(__name__).warning("test server raised while shutting down", exc_info=True)


def _wait_ready(url: str, ca_pem: bytes, timeout: float = 60.0) -> None:
    context = ssl.create_default_context(cadata=ca_pem.decode())
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/healthz", context=context, timeout=1) as resp:
                if resp.status == 200:
                    return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"server at {url} did not become ready")


def new_token() -> str:
    return "t" + secrets.token_urlsafe(24)  # never starts with "-" (argparse would read an option)
