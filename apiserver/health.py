"""The health endpoints as Kubernetes serves them: ``/livez``, ``/readyz`` and ``/healthz``.

Added to the router by ``apiserver.discovery_routes``; probes (a Deployment's liveness and readiness, a load
balancer) call them without credentials, as Kubernetes lets anyone read them. Each endpoint runs named checks:
``ok`` when all pass; ``?verbose`` lists them (``[+]ping ok``) with ``livez check passed``; a failing check answers
500 with the list (``[-]database failed: reason withheld``) — the one 5xx the server gives on purpose. A single
check is served at ``/readyz/<name>``; ``?exclude=<name>`` leaves checks out.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

import anyio
from fastapi import APIRouter, Request, Response

from apiserver import errors
from apiserver.server import ApiServer

log = logging.getLogger(__name__)
Check = Callable[[], None]  # raises when unhealthy


def checks(api: ApiServer) -> dict[str, dict[str, Check]]:
    """The checks of each endpoint: liveness needs only the process; readiness needs the database too."""
    def ping() -> None:
        return None

    def database() -> None:
        api.store.current_rv()

    return {"livez": {"ping": ping}, "readyz": {"ping": ping, "database": database},
            "healthz": {"ping": ping, "database": database}}


def add_routes(r: APIRouter, api: ApiServer) -> None:
    for endpoint, named in checks(api).items():
        _add_endpoint(r, endpoint, named)


def _add_endpoint(r: APIRouter, endpoint: str, named: dict[str, Check]) -> None:
    async def all_checks(request: Request) -> Response:
        excluded = set(request.query_params.getlist("exclude"))
        chosen = {name: check for name, check in named.items() if name not in excluded}
        return await _answer(endpoint, chosen, verbose="verbose" in request.query_params)

    async def one_check(name: str) -> Response:
        if name not in named:
            raise errors.path_not_found()
        return await _answer(endpoint, {name: named[name]}, verbose=False)

    r.add_api_route(f"/{endpoint}", all_checks, methods=["GET"], include_in_schema=False)
    r.add_api_route(f"/{endpoint}/{{name}}", one_check, methods=["GET"], include_in_schema=False)


async def _answer(endpoint: str, chosen: dict[str, Check], *, verbose: bool) -> Response:
    results = {name: await _passes(endpoint, name, check) for name, check in chosen.items()}
    healthy = all(results.values())
    if healthy and not verbose:
        return Response("ok", media_type="text/plain; charset=utf-8")
    lines = [f"[+]{name} ok" if passed else f"[-]{name} failed: reason withheld" for name, passed in results.items()]
    lines.append(f"{endpoint} check {'passed' if healthy else 'failed'}")
    return Response("\n".join(lines) + "\n", status_code=200 if healthy else 500,
                    media_type="text/plain; charset=utf-8")


async def _passes(endpoint: str, name: str, check: Check) -> bool:
    try:
        await anyio.to_thread.run_sync(check)
    except Exception as exc:  # any failure of a check is the answer, never an error of the endpoint
        log.warning("%s check %s failed: %s", endpoint, name, exc)
        return False
    return True
