"""Valid shoots pass static validation on CREATE and on an unchanged UPDATE; the rule table is backed by tests."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from shoot import validation
from shoot.api import Shoot
from tests.shoot.validation import shoots

# The test modules of shoot.validation's static rules (other modules here test the reference-based rules).
MODULES = ["naming", "provider", "versions", "workers", "worker_settings", "kubelet", "networking", "maintenance"]
MODULES += ["controlplane", "misc", "dns", "project"]
SHOOTS = [shoots.local_shoot, shoots.botany_shoot]


@pytest.mark.parametrize("make", SHOOTS, ids=["provider-local", "crazy-botany"])
def test_accepts_valid_shoot_on_create(make: Callable[[], dict[str, Any]]) -> None:
    assert shoots.errors(make()) == []


@pytest.mark.parametrize("make", SHOOTS, ids=["provider-local", "crazy-botany"])
def test_accepts_unchanged_shoot_on_update(make: Callable[[], dict[str, Any]]) -> None:
    assert shoots.errors(make(), old=make()) == []


@pytest.mark.parametrize("make", SHOOTS, ids=["provider-local", "crazy-botany"])
def test_defaulted_valid_shoot_decodes_as_typed_shoot(make: Callable[[], dict[str, Any]]) -> None:
    assert Shoot.model_validate(make()).spec.purpose in ("evaluation", "production")


def test_accepts_workerless_shoot() -> None:
    shoot = shoots.local_shoot()
    del shoot["spec"]["provider"]["workers"], shoot["spec"]["credentialsBindingName"]
    shoot["spec"]["networking"] = {"services": "100.64.0.0/13", "ipFamilies": ["IPv4"]}
    assert shoots.errors(shoot) == []


def test_every_rule_in_the_table_has_a_test() -> None:
    names = " ".join((Path(__file__).parent / f"test_{module}.py").read_text() for module in MODULES)
    missing = [rule for rule in validation.RULES if f"def test_rule_{rule}_" not in names]
    assert missing == []
