"""Operator commands on the garden database: users, service accounts, tokens, kubeconfigs, the audit log and
the encryption key.

``hortus.cli`` adds these subcommands with ``add_parsers`` and runs them with ``run``. A new token is printed
once, on stdout (all else goes to stderr), and only its digest is stored.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path
from typing import Any

import migrations
from apiserver import tls
from apiserver.storage import engine as engines
from apiserver.storage import migrate
from apiserver.storage.audit import AuditFilter
from apiserver.storage.store import Store
from garden import audit, encryption, resources
from garden.auth import identities
from garden.auth.identities import IdentityError
from garden.settings import GardenSettings

COMMANDS = ("user", "serviceaccount", "token", "kubeconfig", "audit", "secrets")


def add_parsers(sub: Any) -> None:
    """Add the admin subcommands to ``hortus``'s subparsers."""
    user = sub.add_parser("user", help="garden users").add_subparsers(dest="action", required=True)
    create = _common(user.add_parser("create", help="create (or add groups to) a user"))
    create.add_argument("name")
    create.add_argument("--group", action="append", default=[], help="a group of the user (repeatable)")
    create.add_argument("--operator", action="store_true", help="a garden operator: may do everything")
    _common(user.add_parser("list", help="list identities"))

    sa = sub.add_parser("serviceaccount", help="project service accounts").add_subparsers(dest="action", required=True)
    sa_create = _common(sa.add_parser("create", help="create a service account"))
    sa_create.add_argument("--namespace", "-n", required=True, help="the project namespace, e.g. garden-dev")
    sa_create.add_argument("name")

    token = sub.add_parser("token", help="bearer tokens").add_subparsers(dest="action", required=True)
    token_create = _who(_common(token.add_parser("create", help="issue a token; printed once")))
    token_create.add_argument("--expires-in", default=None, help="e.g. 30m, 24h, 7d (default: no expiry)")
    token_create.add_argument("--description", default="")
    token_list = _common(token.add_parser("list", help="list tokens (never the tokens themselves)"))
    token_list.add_argument("--user", default=None)
    revoke = _common(token.add_parser("revoke", help="revoke tokens by id, by value, or all of a user"))
    revoke.add_argument("id", nargs="?", default=None)
    revoke.add_argument("--token", default=None, help="the token itself")
    revoke.add_argument("--user", default=None, help="every token of this identity")

    kubeconfig = _who(_common(sub.add_parser("kubeconfig", help="write a garden kubeconfig with a fresh token")))
    kubeconfig.add_argument("--out", type=Path, required=True)
    kubeconfig.add_argument("--expires-in", default=None)
    kubeconfig.add_argument("--server", default=None, help="default: the garden's https://host:port")
    kubeconfig.add_argument("--namespace", default=None, help="the context's default namespace")

    audit_cmd = _common(sub.add_parser("audit", help="the newest audit events"))
    audit_cmd.add_argument("--limit", type=int, default=50)
    audit_cmd.add_argument("--user", default=None)
    audit_cmd.add_argument("--namespace", default=None)
    audit_cmd.add_argument("--failed", action="store_true", help="only refused or failed requests")

    secrets = sub.add_parser("secrets", help="encryption at rest").add_subparsers(dest="action", required=True)
    _common(secrets.add_parser("rotate-key", help="new primary key; re-encrypt every secret with it"))


def _common(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    parser.add_argument("--state-dir", type=Path, default=None)
    parser.add_argument("--database-url", default=None, help="default: SQLite in the state directory")
    return parser


def _who(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    who = parser.add_mutually_exclusive_group(required=True)
    who.add_argument("--user", help="a user (or any identity by its full name)")
    who.add_argument("--serviceaccount", metavar="NAMESPACE:NAME")
    who.add_argument("--seed", help="a seed; its identity is created when missing")
    return parser


def run(args: argparse.Namespace, settings: GardenSettings) -> int:
    settings.state_dir.mkdir(parents=True, exist_ok=True)
    engine = engines.make_engine(settings.resolved_database_url())
    try:
        migrate.upgrade(engine, migrations.LOCATION)
        handler = _HANDLERS[(args.command, getattr(args, "action", ""))]
        return handler(args, settings, engine)
    except (IdentityError, encryption.EncryptionKeyError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    finally:
        engine.dispose()


def _user_create(args: argparse.Namespace, _settings: GardenSettings, engine: Any) -> int:
    made = identities.for_engine(engine).create_user(args.name, groups=args.group, operator=args.operator)
    _err(f"user {made.name} groups={','.join(made.groups) or '-'}")
    return 0


def _user_list(_args: argparse.Namespace, _settings: GardenSettings, engine: Any) -> int:
    for found in identities.for_engine(engine).store.list_identities():
        print(f"{found.kind:<15} {found.name}  {','.join(found.groups)}")
    return 0


def _sa_create(args: argparse.Namespace, _settings: GardenSettings, engine: Any) -> int:
    made = identities.for_engine(engine).create_service_account(args.namespace, args.name)
    _err(f"service account {made.name}")
    return 0


def _identity(args: argparse.Namespace, known: identities.Identities) -> str:
    if args.seed:
        return known.ensure_seed(args.seed).name
    if args.serviceaccount:
        namespace, _, name = args.serviceaccount.partition(":")
        return identities.service_account_user(namespace, name)
    return str(args.user)


def _issue(args: argparse.Namespace, engine: Any) -> identities.IssuedToken:
    known = identities.for_engine(engine)
    expires_in = None if args.expires_in is None else identities.parse_duration(args.expires_in)
    return known.issue_token(_identity(args, known), expires_in=expires_in,
                             description=getattr(args, "description", "") or f"hortus {args.command}")


def _token_create(args: argparse.Namespace, _settings: GardenSettings, engine: Any) -> int:
    issued = _issue(args, engine)
    _err(f"token id {issued.id} for {issued.identity}, expires {_when(issued.expires_at)}; shown only now:")
    print(issued.token)
    return 0


def _token_list(args: argparse.Namespace, _settings: GardenSettings, engine: Any) -> int:
    for t in identities.for_engine(engine).store.list_tokens(identity=args.user):
        state = "revoked" if t.revoked_at is not None else f"expires {_when(t.expires_at)}"
        print(f"{t.id}  {t.identity}  {state}  {t.description}")
    return 0


def _token_revoke(args: argparse.Namespace, _settings: GardenSettings, engine: Any) -> int:
    if not (args.id or args.token or args.user):
        raise IdentityError("name a token id, --token or --user")
    count = identities.for_engine(engine).revoke(token_id=args.id, token=args.token, identity=args.user)
    _err(f"revoked {count} token(s)")
    return 0 if count else 1


def _kubeconfig(args: argparse.Namespace, settings: GardenSettings, engine: Any) -> int:
    ca_file = settings.state_dir / "garden-ca.crt"
    if not ca_file.exists():
        raise IdentityError(f"no serving CA at {ca_file}; run `hortus up` with this state directory first")
    issued = _issue(args, engine)
    config = tls.kubeconfig(server=args.server or settings.server_url, ca_pem=ca_file.read_bytes(),
                            token=issued.token, cluster="garden", user=issued.identity, namespace=args.namespace)
    tls.write_kubeconfig(args.out, config)
    _err(f"wrote {args.out} for {issued.identity} (token id {issued.id}, expires {_when(issued.expires_at)})")
    return 0


def _audit(args: argparse.Namespace, _settings: GardenSettings, engine: Any) -> int:
    filters = AuditFilter(user=args.user, namespace=args.namespace, min_code=400 if args.failed else None)
    for e in audit.for_engine(engine).recent(args.limit, filters):
        target = "/".join(p for p in (e.namespace, e.name) if p)
        what = f"{e.resource}/{e.subresource}" if e.subresource else e.resource
        who = f"{e.user} (as {e.impersonated_user})" if e.impersonated_user else e.user
        print(f"{e.timestamp}  {e.code}  {who}  {e.verb}  {what}.{e.group or 'core'}  {target}")
    return 0


def _rotate_key(_args: argparse.Namespace, settings: GardenSettings, engine: Any) -> int:
    sensitive = {rt.key for rt in resources.garden_types() if rt.sensitive}
    store = Store(engine, sensitive=sensitive.__contains__)
    result = encryption.rotate(store, settings.state_dir)
    if not result.added:
        _err(f"keys come from ${encryption.ENV}: re-encrypted with its first key")
    _err(f"primary key {result.primary}; re-encrypted {result.rows} row(s)")
    return 0


def _when(timestamp: float | None) -> str:
    return "never" if timestamp is None else dt.datetime.fromtimestamp(timestamp, dt.UTC).isoformat(timespec="seconds")


def _err(message: str) -> None:
    print(message, file=sys.stderr)


_HANDLERS = {
    ("user", "create"): _user_create,
    ("user", "list"): _user_list,
    ("serviceaccount", "create"): _sa_create,
    ("token", "create"): _token_create,
    ("token", "list"): _token_list,
    ("token", "revoke"): _token_revoke,
    ("kubeconfig", ""): _kubeconfig,
    ("audit", ""): _audit,
    ("secrets", "rotate-key"): _rotate_key,
}
