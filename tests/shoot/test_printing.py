"""The Shoot cells of ``kubectl get shoots`` that Gardener's table convertor computes."""

from __future__ import annotations

from typing import Any

import pytest

from shoot import printing


def _shoot(**status: Any) -> dict[str, Any]:
    return {"spec": {"hibernation": {"enabled": status.pop("wanted", False)}}, "status": status}


def test_last_operation_reads_type_state_and_progress() -> None:
    shoot = _shoot(lastOperation={"type": "Create", "state": "Succeeded", "progress": 100})
    assert printing.last_operation(shoot) == "Create Succeeded (100%)"
    assert printing.last_operation(_shoot()) == "<pending>"


@pytest.mark.parametrize(("wanted", "hibernated", "shown"), [
    (False, False, "Awake"), (True, False, "Hibernating"), (True, True, "Hibernated"), (False, True, "Waking Up")])
def test_hibernation_names_the_state_and_where_it_is_going(wanted: bool, hibernated: bool, shown: str) -> None:
    assert printing.hibernation(_shoot(wanted=wanted, hibernated=hibernated)) == shown
