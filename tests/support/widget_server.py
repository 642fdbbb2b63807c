"""A standalone API server with the test kinds, in its own process.

Run by ``bench/api_bench.py`` and the multi-process watch tests.

Usage: ``python -m tests.support.widget_server --db URL --dir DIR --port N --token T``.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import uvicorn

from apiserver import tls
from apiserver.auth import TokenAuthenticator
from apiserver.context import UserInfo
from apiserver.server import ApiServer, build_app
from tests.conftest import make_registry, make_store


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", required=True)
    parser.add_argument("--dir", required=True)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--token", required=True)
    args = parser.parse_args()
    registry = make_registry()
    api = ApiServer(registry=registry, store=make_store(args.db, registry),
                    authenticator=TokenAuthenticator.from_tokens({args.token: UserInfo(name="bench")}))
    files = tls.ensure_serving_files(Path(args.dir), name="bench", hosts=["127.0.0.1"])
    uvicorn.run(build_app(api), host="127.0.0.1", port=args.port, ssl_certfile=str(files.cert),
                ssl_keyfile=str(files.key), log_level="warning")


if __name__ == "__main__":
    main()
