"""``hortus extension new|test|list``: the extension author's commands.

Added to the ``hortus`` command line by ``hortus.cli`` (``add_parsers``, then ``run`` for ``extension``). ``new``
writes a plugin package (``hortus.kit.skeleton``), ``test`` runs the conformance kit against an installed plugin
(``hortus.kit.conformance``), ``list`` shows the installed plugins and the broken ones with the reason.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from extensions.contract import Kind

COMMAND = "extension"


def add_parsers(sub: Any) -> None:
    parser = sub.add_parser(COMMAND, help="extension plugins: create, test and list them")
    commands = parser.add_subparsers(dest="extension_command", required=True)
    new = commands.add_parser("new", help="create ./NAME/, a working plugin package")
    new.add_argument("name", help="the plugin's name (a DNS label, e.g. demo)")
    new.add_argument("--kind", choices=[k.value for k in Kind], default=Kind.EXTENSION.value,
                     help="the kind it serves (default Extension)")
    new.add_argument("--type", dest="type_", default=None, help="the type it serves (default: NAME)")
    new.add_argument("--directory", type=Path, default=Path("."), help="where ./NAME/ goes (default: here)")
    test = commands.add_parser("test", help="run the conformance kit against the installed plugin NAME")
    test.add_argument("name", help="the plugin's name or its entry point's name")
    test.add_argument("--timeout", type=float, default=120.0, help="seconds each step may take (default 120)")
    test.add_argument("--credential", action="append", default=[], metavar="KEY=VALUE",
                      help="a key of the cloud-provider Secret the plugin gets (repeatable)")
    test.add_argument("--region", default="local", help="the kit's shoot's region (default local)")
    test.add_argument("--zone", action="append", default=[], help="a zone of that region (repeatable; default 0)")
    test.add_argument("--machine-type", default="local", help="the worker pool's machine type (default local)")
    test.add_argument("--machine-image", default="local:1.0.0", metavar="NAME:VERSION",
                      help="the worker pool's machine image (default local:1.0.0)")
    test.add_argument("--cloud-profile-config", type=Path, default=None, metavar="FILE",
                      help="YAML or JSON: the CloudProfile's spec.providerConfig (e.g. machine image to AMI mapping)")
    listing = commands.add_parser("list", help="the installed plugins, and the broken ones with the reason")
    listing.add_argument("-o", "--output", choices=["text", "json"], default="text")


def run(args: argparse.Namespace) -> int:
    if args.extension_command == "new":
        return _new(args)
    if args.extension_command == "test":
        return _test(args)
    return _list(args)


def _new(args: argparse.Namespace) -> int:
    from hortus.kit import skeleton

    try:
        target = skeleton.create(args.name, parent=args.directory, kind=Kind(args.kind), type_=args.type_)
    except skeleton.SkeletonError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"created {target}/ (plugin {args.name}: {args.kind}/{args.type_ or args.name})")
    print(f"next:    pip install -e {target} && hortus extension test {args.name}")
    return 0


def _test(args: argparse.Namespace) -> int:
    from hortus.kit import conformance, scenarios

    credentials = {}
    for item in args.credential:
        key, sep, value = item.partition("=")
        if not sep or not key:
            print(f"error: --credential {item!r} is not KEY=VALUE", file=sys.stderr)
            return 2
        credentials[key] = value
    image, _, version = args.machine_image.partition(":")
    profile_config = None
    if args.cloud_profile_config is not None:
        import yaml

        try:
            profile_config = yaml.safe_load(args.cloud_profile_config.read_text())
        except (OSError, yaml.YAMLError) as exc:
            print(f"error: --cloud-profile-config: {exc}", file=sys.stderr)
            return 2
    settings = scenarios.Settings(region=args.region, zones=tuple(args.zone) or ("0",),
                                  machine_type=args.machine_type, machine_image=(image, version or "1.0.0"),
                                  cloud_profile_config=profile_config)
    report = conformance.run(args.name, timeout=args.timeout, credentials=credentials, settings=settings)
    print(report.text(), flush=True)
    return 0 if report.passed else 1


def _list(args: argparse.Namespace) -> int:
    from extensions.registry import Registry

    registry = Registry.load()
    by_plugin = {plugin: ep for ep, plugin in registry.entry_points.items()}
    plugins: list[dict[str, Any]] = [{"name": p.name, "version": p.version, "entryPoint": by_plugin.get(p.name, ""),
                "description": p.description,
                "resources": [{"kind": str(r.kind), "type": r.type, "primary": r.primary,
                               "providerConfigSchema": r.provider_config_schema is not None}
                              for r in p.resources]} for p in registry.plugins()]
    broken = [{"plugin": p.plugin, "reason": p.message} for p in registry.problems]
    if args.output == "json":
        print(json.dumps({"plugins": plugins, "broken": broken}, indent=2))
        return 0
    rows = [("NAME", "VERSION", "ENTRY POINT", "KIND/TYPE")]
    rows += [(p["name"], p["version"], p["entryPoint"], ", ".join(f"{r['kind']}/{r['type']}" for r in p["resources"]))
             for p in plugins]
    widths = [max(len(str(row[i])) for row in rows) for i in range(3)]
    for row in rows:
        print("  ".join(str(cell).ljust(widths[i]) for i, cell in enumerate(row[:3])) + "  " + row[3])
    for b in broken:
        print(f"BROKEN {b['plugin']}: {b['reason']}")
    return 0
