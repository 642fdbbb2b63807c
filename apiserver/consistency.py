"""The resourceVersion semantics of lists and watches, and streaming lists (KEP-3157), as Kubernetes serves them.

``apiserver.routes`` calls ``list_options``/``watch_options`` to check a request's parameters (422 ``ListOptions``
Invalid, with Kubernetes' wording) and ``await_fresh`` before serving at a resourceVersion the store may not
have reached yet (504 "Too large resource version" after a short wait, as the real server answers).
"""

from __future__ import annotations

import asyncio
import dataclasses
import time
from collections.abc import Callable, Mapping
from typing import Any

from apiserver import errors
from apiserver.errors import Cause

JSON = dict[str, Any]
NOT_OLDER_THAN = "NotOlderThan"
EXACT = "Exact"
# The annotation of the BOOKMARK that ends a streaming list's initial events.
INITIAL_EVENTS_END = "k8s.io/initial-events-end"
# How long a read at a resourceVersion newer than the store waits for it (the real server's cacher waits 3 s).
FRESHNESS_WAIT = 3.0


@dataclasses.dataclass(frozen=True)
class ReadOptions:
    """What a list or watch asked for about versions: ``resource_version`` "" means "the most recent"."""

    resource_version: str
    match: str
    send_initial_events: bool | None

    @property
    def minimum(self) -> int:
        """The resourceVersion the answer must be at least as new as (0: any)."""
        return int(self.resource_version) if self.resource_version not in ("", "0") else 0


def list_options(query: Mapping[str, str]) -> ReadOptions:
    """The options of a plain list; refuses what Kubernetes' ``ValidateListOptions`` refuses."""
    opts = _parse(query)
    causes: list[Cause] = []
    if opts.send_initial_events is not None:
        causes.append(_forbidden("sendInitialEvents", "sendInitialEvents is forbidden for list"))
    if opts.match:
        if not opts.resource_version:
            causes.append(_forbidden("resourceVersionMatch", "resourceVersionMatch is forbidden unless resourceVersion "
                                                             "is provided"))
        if query.get("continue"):
            causes.append(_forbidden("resourceVersionMatch", "resourceVersionMatch is forbidden when continue is "
                                                             "provided"))
        if opts.match not in (NOT_OLDER_THAN, EXACT):
            causes.append(_unsupported(opts.match, [EXACT, NOT_OLDER_THAN]))
        if opts.match == EXACT and opts.resource_version == "0":
            causes.append(_forbidden("resourceVersionMatch", 'resourceVersionMatch "exact" is forbidden for '
                                                             'resourceVersion "0"'))
    _raise(causes)
    return opts


def watch_options(query: Mapping[str, str]) -> ReadOptions:
    """The options of a watch; refuses what Kubernetes' ``ValidateListOptions`` refuses for ``watch=true``."""
    opts = _parse(query)
    causes: list[Cause] = []
    if opts.send_initial_events is not None and opts.match != NOT_OLDER_THAN:
        causes.append(_forbidden("resourceVersionMatch", "sendInitialEvents requires setting resourceVersionMatch "
                                                         f"to {NOT_OLDER_THAN}"))
    if opts.match:
        if opts.send_initial_events is None:
            causes.append(_forbidden("resourceVersionMatch", "resourceVersionMatch is forbidden for watch unless "
                                                             "sendInitialEvents is provided"))
        if opts.match != NOT_OLDER_THAN:
            causes.append(_unsupported(opts.match, [NOT_OLDER_THAN]))
    _raise(causes)
    return opts


async def await_fresh(current: Callable[[], int], minimum: int) -> int:
    """The store's resourceVersion once it is at least ``minimum``; 504 after ``FRESHNESS_WAIT`` seconds."""
    deadline = time.monotonic() + FRESHNESS_WAIT
    while True:
        rv = await asyncio.to_thread(current)
        if rv >= minimum:
            return rv
        if time.monotonic() >= deadline:
            raise too_large(minimum, rv)
        await asyncio.sleep(0.05)


def too_large(asked: int, current: int) -> errors.ApiError:
    """Kubernetes' answer to a read at a resourceVersion the storage has not reached."""
    details = {"causes": [{"reason": "ResourceVersionTooLarge", "message": "Too large resource version"}],
               "retryAfterSeconds": 1}
    return errors.ApiError(504, "Timeout", f"Too large resource version: {asked}, current: {current}",
                           details=details, headers={"Retry-After": "1"})


def end_of_initial_events(kind: str, api_version: str, rv: int) -> JSON:
    """The BOOKMARK object that tells an informer its streaming list is complete at ``rv``."""
    return {"kind": kind, "apiVersion": api_version,
            "metadata": {"resourceVersion": str(rv), "annotations": {INITIAL_EVENTS_END: "true"}}}


def _parse(query: Mapping[str, str]) -> ReadOptions:
    rv = query.get("resourceVersion", "")
    if rv not in ("", "0") and not (rv.isascii() and rv.isdigit() and len(rv) <= 19 and int(rv) < 2**63):
        raise errors.bad_request(f'resourceVersion: Invalid value: "{rv}": must be a non-negative integer')
    send = query.get("sendInitialEvents")
    return ReadOptions(resource_version=rv, match=query.get("resourceVersionMatch", ""),
                       send_initial_events=None if send is None else _bool(send, "sendInitialEvents"))


def _bool(value: str, name: str) -> bool:
    if value.lower() in ("true", "1"):
        return True
    if value.lower() in ("false", "0", ""):
        return False
    raise errors.bad_request(f'{name}: Invalid value: "{value}": must be true or false')


def _forbidden(field: str, message: str) -> Cause:
    return Cause(field=field, message=f"Forbidden: {message}", reason="FieldValueForbidden")


def _unsupported(value: str, supported: list[str]) -> Cause:
    listed = ", ".join(f'"{s}"' for s in supported)
    return Cause(field="resourceVersionMatch", message=f'Unsupported value: "{value}": supported values: {listed}',
                 reason="FieldValueNotSupported")


def _raise(causes: list[Cause]) -> None:
    if causes:
        raise errors.invalid("ListOptions", "", causes, group="meta.k8s.io")
