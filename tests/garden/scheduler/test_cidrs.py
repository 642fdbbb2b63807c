"""CIDRs as integer ranges: parsing, the overlap test, and the reason the network filter reports."""

from __future__ import annotations

from garden.scheduler import cidrs


def _net(text: str) -> cidrs.Net:
    net = cidrs.parse_net(text)
    assert net is not None
    return net


def test_parses_a_host_cidr_to_its_network_range() -> None:
    assert cidrs.parse_net("10.0.0.5/24") == cidrs.Net(4, 0x0A000000, 0x0A0000FF, "10.0.0.5/24")


def test_rejects_missing_and_malformed_cidrs() -> None:
    assert cidrs.parse_net(None) is None
    assert cidrs.parse_net("") is None
    assert cidrs.parse_net("10.0.0.0/33") is None


def test_touching_ranges_intersect_and_adjacent_or_other_family_ranges_do_not() -> None:
    assert cidrs.intersects(_net("10.0.0.0/24"), _net("10.0.0.255/32"))
    assert not cidrs.intersects(_net("10.0.0.0/24"), _net("10.0.1.0/24"))
    assert not cidrs.intersects(_net("::/0"), _net("0.0.0.0/0"))


def test_overlap_reason_names_every_intersecting_pair() -> None:
    ours = [("pod", _net("10.1.0.0/16")), ("node", _net("10.2.0.0/16"))]
    theirs = [("pod", _net("10.0.0.0/8")), ("service", _net("192.168.0.0/16"))]
    assert cidrs.overlap_reason(ours, theirs) == (
        "has networks intersecting the shoot's: shoot pod network 10.1.0.0/16 intersects with seed pod network; "
        "shoot node network 10.2.0.0/16 intersects with seed pod network"
    )
    assert cidrs.overlap_reason(ours, [("service", _net("192.168.0.0/16"))]) is None
