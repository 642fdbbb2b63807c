"""CIDRs as inclusive integer ranges, and the overlap test and reason the scheduler's network filter reports.

``filters.prepare_seed`` parses a seed's networks once into ``Net`` values; ``filters.networks`` compares them
with the shoot's on every decision, so the overlap test is kept to integer comparisons.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence
from typing import Any, NamedTuple


class Net(NamedTuple):
    """A CIDR as an inclusive integer range, so that an overlap test is two comparisons."""

    version: int
    first: int
    last: int
    text: str


def parse_net(text: Any) -> Net | None:
    """Parse a CIDR; None for a missing or malformed one (static validation reports those, not the scheduler)."""
    if not isinstance(text, str) or not text:
        return None
    try:
        network = ipaddress.ip_network(text, strict=False)
    except ValueError:
        return None
    return Net(network.version, int(network.network_address), int(network.broadcast_address), text)


def intersects(a: Net, b: Net) -> bool:
    return a.version == b.version and a.first <= b.last and b.first <= a.last


def overlap_reason(ours: Sequence[tuple[str, Net]], theirs: Sequence[tuple[str, Net]]) -> str | None:
    """Why a seed's (kind, net) pairs clash with the shoot's, naming every intersecting pair; None when apart."""
    if not _any_intersection(ours, theirs):
        return None
    problems = [
        f"shoot {kind} network {net.text} intersects with seed {their_kind} network"
        for kind, net in ours
        for their_kind, their_net in theirs
        if intersects(net, their_net)
    ]
    return "has networks intersecting the shoot's: " + "; ".join(problems)


def _any_intersection(ours: Sequence[tuple[str, Net]], theirs: Sequence[tuple[str, Net]]) -> bool:
    """``intersects`` over all pairs, inlined: this runs for every seed in every decision."""
    for _, (version, first, last, _text) in ours:
        for _, (their_version, their_first, their_last, _their_text) in theirs:
            if version == their_version and first <= their_last and their_first <= last:
                return True
    return False
