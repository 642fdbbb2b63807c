"""The ``hortus`` command line: ``up``, ``db upgrade``, ``seed local``, and (in later work) seeds, projects and
kubeconfigs.

Entry point of the console script declared in pyproject.toml.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from garden.settings import GardenSettings
from hortus import admin, extension_cli, seeds


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="hortus", description="Kubernetes clusters as a service.")
    sub = parser.add_subparsers(dest="command", required=True)
    up = sub.add_parser("up", help="start the all-in-one garden on the embedded default")
    up.add_argument("--state-dir", type=Path, default=None, help="where all state lives (default ~/.hortus)")
    up.add_argument("--port", type=int, default=None, help="HTTPS port of the garden API (default 6443)")
    up.add_argument("--host", default=None, help="address to listen on (default 127.0.0.1)")
    db = sub.add_parser("db", help="database maintenance")
    db_sub = db.add_subparsers(dest="db_command", required=True)
    upgrade = db_sub.add_parser("upgrade", help="migrate the database to the newest schema")
    upgrade.add_argument("--state-dir", type=Path, default=None)
    upgrade.add_argument("--database-url", default=None, help="default: SQLite in the state directory")
    admin.add_parsers(sub)
    extension_cli.add_parsers(sub)
    garden = sub.add_parser("garden", help="garden roles")
    garden_sub = garden.add_subparsers(dest="garden_command", required=True)
    worker = garden_sub.add_parser("worker", help="run the garden-role worker (queue garden) with its beat")
    worker.add_argument("--state-dir", type=Path, default=None)
    worker.add_argument("--database-url", default=None, help="default: SQLite in the state directory")
    worker.add_argument("--broker", default=None, help="redis://host:6379/0 (default: the embedded broker)")
    seed = sub.add_parser("seed", help="seed clusters")
    seed_sub = seed.add_subparsers(dest="seed_command", required=True)
    seeds.add_parsers(seed_sub)
    local = seed_sub.add_parser("local", help="run the local seed cluster's API server standalone")
    local.add_argument("--state-dir", type=Path, default=None, help="where its state lives (default ~/.hortus)")
    local.add_argument("--port", type=int, default=None, help="HTTPS port (default 6444)")
    local.add_argument("--host", default=None, help="address to listen on (default 127.0.0.1)")
    return parser


def _settings(args: argparse.Namespace) -> GardenSettings:
    overrides = {k: v for k in ("state_dir", "port", "host", "database_url")
                 if (v := getattr(args, k, None)) is not None}
    return GardenSettings(**overrides)


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == extension_cli.COMMAND:
        return extension_cli.run(args)
    if args.command == "garden":
        return _garden_worker(args, _settings(args))
    if args.command == "seed" and args.seed_command in seeds.COMMANDS:
        return seeds.run(args, _settings(args))
    if args.command == "seed":
        return _seed(args)
    settings = _settings(args)
    if args.command == "up":
        from hortus import up

        return up.run(settings)
    if args.command == "db":
        import migrations
        from apiserver.storage import engine as engines
        from apiserver.storage import migrate

        settings.state_dir.mkdir(parents=True, exist_ok=True)
        engine = engines.make_engine(settings.resolved_database_url())
        migrate.upgrade(engine, migrations.LOCATION)
        print(f"database at revision {migrate.current(engine)}")
        return 0
    if args.command in admin.COMMANDS:
        return admin.run(args, settings)
    return 2


def _garden_worker(args: argparse.Namespace, settings: GardenSettings) -> int:
    """The production shape of the garden role: scheduler, dispatcher and lifecycle run by beat's resync."""
    from garden.app import create_app
    from workers import garden as garden_role
    from workers.settings import WorkerSettings

    _app, api = create_app(settings)
    overrides: dict[str, Any] = {"state_dir": settings.state_dir}
    if args.broker:
        overrides["broker_url"] = args.broker
    garden_role.run_garden_worker(api, WorkerSettings(**overrides))
    return 0


def _seed(args: argparse.Namespace) -> int:
    from hortus import seed_local

    return seed_local.run(args.state_dir or Path.home() / ".hortus", port=args.port or seed_local.DEFAULT_PORT,
                          host=args.host or "127.0.0.1")


def entry() -> int:
    """The console script: Ctrl-C before the servers run ends quietly with 130, as shells expect."""
    try:
        return main()
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(entry())
