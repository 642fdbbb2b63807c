"""The console's shoot index follows the change log (adds, status changes, deletes, a compacted log), remembers
how long operations took, and derives the dashboard's state words and triage facts from a Shoot."""

from __future__ import annotations

import time
import xml.etree.ElementTree as ET
from pathlib import Path

from apiserver.context import system_context
from garden.console import charts, summary
from garden.console.index import ShootIndex
from tests.support import console as support
from tests.support import fleet


def test_the_index_follows_creates_status_changes_deletes_and_a_compacted_log(tmp_path: Path) -> None:
    _app, api = fleet.garden_api(tmp_path)
    service = api.service
    support.add_shoot(service, "a", "garden-local")
    index = ShootIndex(api.store)
    index.refresh()
    assert set(index.rows) == {("garden-local", "a")} and index.rows[("garden-local", "a")].state == "Pending"

    now = time.time()
    support.write_status(service, "garden-local", "a", {"lastOperation": support.operation(
        "Create", "Processing", 30, now=now - 42)})
    support.add_shoot(service, "b", "garden-local")
    index.refresh()
    assert index.rows[("garden-local", "a")].progress == 30 and ("garden-local", "b") in index.rows
    support.succeed(service, "garden-local", "a", now=now)
    index.refresh()
    assert index.rows[("garden-local", "a")].state == "Succeeded"
    finished = [f for f in index.finished if f.name == "a"]
    assert [(f.type, f.state, round(f.seconds)) for f in finished] == [("Create", "Succeeded", 42)]

    shoots = support.rt(service, "shoots")
    b = service.get(shoots, "garden-local", "b")
    b["metadata"].setdefault("annotations", {})["confirmation.gardener.cloud/deletion"] = "true"
    service.update(shoots, "garden-local", "b", b, system_context())
    service.delete(shoots, "garden-local", "b", system_context())
    support.add_shoot(service, "c", "garden-local")
    api.store.compact(keep=1)  # the index's cursor is now older than the log
    index.refresh()
    assert set(index.rows) == {("garden-local", "a"), ("garden-local", "c")}
    fresh = ShootIndex(api.store)
    fresh.refresh()
    assert set(fresh.rows) == set(index.rows)
    api.store.engine.dispose()


def _shoot(**status: object) -> dict[str, object]:
    return {"metadata": {"name": "s", "namespace": "garden-p", "generation": 2},
            "spec": {"provider": {"type": "aws"}, "hibernation": {"enabled": True}}, "status": status}


def test_state_words_follow_the_dashboard() -> None:
    op = {"type": "Reconcile", "progress": 100, "lastUpdateTime": "2026-01-01T00:00:00Z"}
    assert summary.row(_shoot()).state == "Pending"
    assert summary.row(_shoot(lastOperation={**op, "state": "Processing"})).state == "Hibernating"
    assert summary.row(_shoot(lastOperation={**op, "state": "Succeeded"}, observedGeneration=2)).state == "Hibernated"
    assert summary.row(_shoot(lastOperation={**op, "state": "Succeeded"}, observedGeneration=1)).state == "Hibernating"
    woken = _shoot(lastOperation={**op, "state": "Processing"}, hibernated=True)
    woken["spec"] = {"hibernation": {"enabled": False}}
    assert summary.row(woken).state == "Waking up"
    assert summary.row(_shoot(lastOperation={**op, "state": "Failed"})).state == "Failed"


def test_errors_are_sorted_into_user_and_platform_errors() -> None:
    user = summary.row(_shoot(lastErrors=[{"description": "quota", "codes": ["ERR_INFRA_QUOTA_EXCEEDED"]}]))
    assert user.issue and user.error_kind == "user" and user.codes == ("ERR_INFRA_QUOTA_EXCEEDED",)
    mixed = summary.row(_shoot(lastErrors=[
        {"description": "quota", "codes": ["ERR_INFRA_QUOTA_EXCEEDED"]},
        {"description": "cleanup", "codes": ["ERR_CLEANUP_CLUSTER_RESOURCES"]}]))
    assert mixed.error_kind == "platform"
    uncoded = summary.row(_shoot(lastErrors=[{"description": "boom"}]))
    assert uncoded.error_kind == "platform"
    sick = summary.row(_shoot(conditions=[{"type": "EveryNodeReady", "status": "False", "message": "2 not ready"}]))
    assert sick.issue and [c.short for c in sick.chips] == ["N"]


def test_charts_are_well_formed_svg_with_escaped_labels() -> None:
    for svg in (charts.donut([("Succeeded", 3), ("Failed", 1)], title="<states>"),
                charts.bars([("<seed>", 4), ("b", 0)], title="seeds", href="/console/shoots?seed="),
                charts.capacity(90, 100, label="seed a"), charts.capacity(3, None, label="seed b"),
                charts.durations([(1.0e9, 30.0, "Succeeded"), (1.0e9 + 60, 400.0, "Failed")], title="d",
                                 now=1.0e9 + 120), charts.durations([], title="none", now=0.0)):
        root = ET.fromstring(str(svg))
        assert root.tag.endswith("svg")
    assert "&lt;seed&gt;" in str(charts.bars([("<seed>", 4)], title="s"))


def test_sorted_orders_follow_changes_in_place_or_by_sorting_again(tmp_path: Path) -> None:
    _app, api = fleet.garden_api(tmp_path)
    service = api.service
    for name in ("a", "b", "c"):
        support.add_shoot(service, name, "garden-local")
    index = ShootIndex(api.store)
    index.refresh()
    assert [r.name for r in index.ordered("issues", False)] == ["a", "b", "c"]
    now = time.time()
    support.write_status(service, "garden-local", "b", {"lastOperation": support.operation(
        "Create", "Processing", 60, now=now)})
    index.refresh()
    in_place = index.ordered("issues", False)
    assert [(r.name, r.progress) for r in in_place] == [("a", 0), ("b", 60), ("c", 0)]
    support.fail(service, "garden-local", "c", now=now, code="ERR_INFRA_QUOTA_EXCEEDED", message="quota")
    index.refresh()
    assert [r.name for r in index.ordered("issues", False)] == ["c", "a", "b"]
    assert [r.name for r in index.ordered("name", True)] == ["c", "b", "a"]
    api.store.engine.dispose()
