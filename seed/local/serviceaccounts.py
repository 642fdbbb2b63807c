"""ServiceAccounts on the local seed cluster, as the real control plane keeps them.

Wired by ``seed.local.server.local_api``: every namespace gets its ``default`` ServiceAccount the moment it is
created (the ServiceAccount controller's job; done in the writer's thread so a Pod created right after finds it),
``serviceaccounts/token`` issues TokenRequest tokens — ES256 JWTs signed with the cluster's key, bound to the
account's uid and, if asked, to a Pod or Secret — and ``TokenAuthenticator`` accepts them while the account (and
the bound object) still exists with that uid, as the API server's service-account authenticator does.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import time
from pathlib import Path
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from fastapi import Request, Response

from apiserver import bodies, errors, meta
from apiserver.auth import Authenticator
from apiserver.context import RequestContext, UserInfo, system_context
from apiserver.errors import Cause
from apiserver.paths import Target
from apiserver.registry import ResourceType
from apiserver.responses import JSONResponse
from apiserver.server import ApiServer

JSON = dict[str, Any]
ISSUER = "https://kubernetes.default.svc.cluster.local"
DEFAULT_SECONDS = 3600
MIN_SECONDS = 600
ACCOUNTS = "core/serviceaccounts"
_BOUND = {"Pod": "core/pods", "Secret": "core/secrets"}


class KeyPair:
    """The cluster's service-account signing key, kept in a PEM file (mode 0600) across restarts."""

    def __init__(self, path: Path) -> None:
        if not path.exists():
            key = ec.generate_private_key(ec.SECP256R1())
            pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                    serialization.NoEncryption())
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as out:
                out.write(pem)
        loaded = serialization.load_pem_private_key(path.read_bytes(), password=None)
        assert isinstance(loaded, ec.EllipticCurvePrivateKey)
        self.private = loaded


def default_account_hook(api: ApiServer) -> Any:
    """An ``after_write`` for Namespaces: the new namespace's ``default`` ServiceAccount."""

    def after(operation: str, namespace: JSON) -> None:
        if operation == "CREATE":
            ensure_default(api, namespace["metadata"]["name"])

    return after


def ensure_default(api: ApiServer, namespace: str) -> None:
    rt = api.registry.by_key(ACCOUNTS)
    if rt is None or api.store.get(ACCOUNTS, namespace, "default") is not None:
        return
    with contextlib.suppress(errors.ApiError):  # created meanwhile, or the namespace is terminating
        api.service.create(rt, namespace, {"metadata": {"name": "default"}}, system_context())


def ensure_all(api: ApiServer) -> None:
    """A ``default`` ServiceAccount in every namespace stored by an earlier run."""
    for ns in api.store.list("core/namespaces", None)[0]:
        if not ns["metadata"].get("deletionTimestamp"):
            ensure_default(api, ns["metadata"]["name"])


def token_request(keys: KeyPair) -> Any:
    """The raw handler of ``serviceaccounts/<name>/token`` (POST a TokenRequest, get it back with a token)."""

    async def handle(api: ApiServer, request: Request, target: Target, _ctx: RequestContext) -> Response:
        if request.method != "POST":
            raise errors.method_not_allowed()
        account = api.service.get(target.rt, target.namespace or "", target.name)
        body = bodies.decode_object(await request.body(), request.headers.get("content-type"))
        spec = _spec(body)
        bound = _bound(api, target.namespace or "", spec.get("boundObjectRef"))
        now = int(time.time())
        expires = now + int(spec["expirationSeconds"])
        claims = {"iss": ISSUER, "sub": f"system:serviceaccount:{target.namespace}:{target.name}",
                  "aud": spec["audiences"], "iat": now, "nbf": now, "exp": expires,
                  "kubernetes.io": {"namespace": target.namespace,
                                    "serviceaccount": {"name": target.name, "uid": account["metadata"]["uid"]},
                                    **bound}}
        token = jwt.encode(claims, keys.private, algorithm="ES256")
        md = {"name": target.name, "namespace": target.namespace, "creationTimestamp": meta.now()}
        return JSONResponse({"kind": "TokenRequest", "apiVersion": "authentication.k8s.io/v1", "metadata": md,
                             "spec": spec, "status": {"token": token, "expirationTimestamp": _rfc3339(expires)}},
                            status_code=201)

    return handle


@dataclasses.dataclass
class TokenAuthenticator:
    """Bearer tokens that are this cluster's service-account JWTs, for an account that still exists."""

    api: ApiServer
    keys: KeyPair

    def authenticate(self, token: str) -> UserInfo | None:
        if token.count(".") != 2:
            return None
        try:
            claims = jwt.decode(token, self.keys.private.public_key(), algorithms=["ES256"], audience=ISSUER,
                                issuer=ISSUER, options={"require": ["exp", "iat", "sub"]})
        except jwt.PyJWTError:
            return None
        info = claims.get("kubernetes.io") or {}
        namespace, account = info.get("namespace", ""), info.get("serviceaccount") or {}
        stored = self.api.store.get(ACCOUNTS, namespace, account.get("name", ""))
        if stored is None or stored["metadata"].get("uid") != account.get("uid") or not self._bound_alive(info):
            return None
        extra = {f"authentication.kubernetes.io/{kind.lower()}-{field}": [str(info[kind.lower()][field])]
                 for kind in ("Pod", "Secret") if kind.lower() in info for field in ("name", "uid")}
        return UserInfo(name=claims["sub"], uid=str(account.get("uid")), extra=extra, groups=(
            "system:serviceaccounts", f"system:serviceaccounts:{namespace}", "system:authenticated"))

    def _bound_alive(self, info: JSON) -> bool:
        for kind, key in _BOUND.items():
            ref = info.get(kind.lower())
            if ref:
                obj = self.api.store.get(key, info.get("namespace", ""), ref.get("name", ""))
                if obj is None or obj["metadata"].get("uid") != ref.get("uid"):
                    return False
        return True


@dataclasses.dataclass
class Either:
    """The first of several authenticators that knows the token."""

    first: Authenticator
    second: Authenticator

    def authenticate(self, token: str) -> UserInfo | None:
        return self.first.authenticate(token) or self.second.authenticate(token)


def _spec(body: JSON) -> JSON:
    spec = dict(body.get("spec") or {}) if isinstance(body.get("spec") or {}, dict) else None
    if spec is None:
        raise errors.bad_request("spec: must be an object")
    seconds = spec.get("expirationSeconds", DEFAULT_SECONDS)
    if not isinstance(seconds, int) or isinstance(seconds, bool) or seconds < MIN_SECONDS or seconds > 2**32:
        raise _invalid("spec.expirationSeconds", "may not specify a duration less than 10 minutes"
                       if isinstance(seconds, int) and seconds < MIN_SECONDS else "must be an integer of seconds")
    audiences = spec.get("audiences") or [ISSUER]
    if not isinstance(audiences, list) or not all(isinstance(a, str) and a for a in audiences):
        raise _invalid("spec.audiences", "must be a list of non-empty strings")
    spec.update(expirationSeconds=seconds, audiences=audiences)
    spec.setdefault("boundObjectRef", None)
    return spec


def _bound(api: ApiServer, namespace: str, ref: Any) -> JSON:
    if ref is None:
        return {}
    kind = ref.get("kind") if isinstance(ref, dict) else None
    if kind not in _BOUND:
        raise _invalid("spec.boundObjectRef.kind", f'Unsupported value: "{kind}": supported values: "Pod", "Secret"')
    obj = api.store.get(_BOUND[kind], namespace, str(ref.get("name", "")))
    if obj is None or (ref.get("uid") and ref["uid"] != obj["metadata"].get("uid")):
        raise errors.not_found(_BOUND[kind].split("/")[1], str(ref.get("name", "")))
    return {kind.lower(): {"name": obj["metadata"]["name"], "uid": obj["metadata"]["uid"]}}


def _invalid(field: str, message: str) -> errors.ApiError:
    return errors.invalid("TokenRequest", "", [Cause(field=field, message=message)], group="authentication.k8s.io")


def _rfc3339(seconds: int) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(seconds))


def with_default_accounts(rt: ResourceType, api: ApiServer) -> ResourceType:
    """Namespaces that get their ``default`` ServiceAccount on creation; other kinds unchanged."""
    if rt.key != "core/namespaces":
        return rt
    return dataclasses.replace(rt, after_write=default_account_hook(api))
