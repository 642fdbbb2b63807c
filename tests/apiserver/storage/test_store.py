"""The SQL store: global resourceVersion, change log, compaction and encryption at rest — on both databases."""

from __future__ import annotations

import threading

import pytest
import sqlalchemy as sa

from apiserver.storage.store import AlreadyStored, StaleResourceVersion, Store


def _obj(name: str, ns: str = "default", **spec: object) -> dict[str, object]:
    return {"metadata": {"name": name, "namespace": ns}, "spec": dict(spec)}


def test_every_write_gets_the_next_global_resource_version(store: Store) -> None:
    with store.write() as txn:
        a = txn.create("test/widgets", _obj("a"))
        b = txn.create("test/other", _obj("b"))
    with store.write() as txn:
        a2 = txn.update("test/widgets", {**a, "spec": {"x": 1}}, expect_rv=a["metadata"]["resourceVersion"])
    rvs = [int(o["metadata"]["resourceVersion"]) for o in (a, b, a2)]
    assert rvs == sorted(rvs) and len(set(rvs)) == 3
    assert store.current_rv() == rvs[-1]


def test_change_log_records_type_object_and_previous_state(store: Store) -> None:
    start = store.current_rv()
    with store.write() as txn:
        a = txn.create("test/widgets", _obj("a", color="red"))
    with store.write() as txn:
        txn.update("test/widgets", {**a, "spec": {"color": "blue"}}, expect_rv=None)
    with store.write() as txn:
        txn.delete("test/widgets", "default", "a")
    changes = store.changes_since(start)
    assert [c.type for c in changes] == ["ADDED", "MODIFIED", "DELETED"]
    assert changes[1].prev is not None and changes[1].prev["spec"] == {"color": "red"}
    assert changes[1].object["spec"] == {"color": "blue"}
    assert changes[2].object["metadata"]["resourceVersion"] == str(changes[2].resource_version)


def test_create_of_existing_name_and_stale_update_are_refused(store: Store) -> None:
    with store.write() as txn:
        a = txn.create("test/widgets", _obj("a"))
    with pytest.raises(AlreadyStored), store.write() as txn:
        txn.create("test/widgets", _obj("a"))
    with store.write() as txn:
        txn.update("test/widgets", a, expect_rv=a["metadata"]["resourceVersion"])
    with pytest.raises(StaleResourceVersion), store.write() as txn:
        txn.update("test/widgets", a, expect_rv=a["metadata"]["resourceVersion"])


def test_failed_transaction_leaves_no_trace(store: Store) -> None:
    before = store.current_rv()
    with pytest.raises(RuntimeError), store.write() as txn:
        txn.create("test/widgets", _obj("ghost"))
        raise RuntimeError("boom")
    assert store.get("test/widgets", "default", "ghost") is None
    assert store.current_rv() == before
    assert store.changes_since(before) == []


def test_list_pages_by_namespace_and_name(store: Store) -> None:
    with store.write() as txn:
        for ns in ("b", "a"):
            for name in ("y", "x"):
                txn.create("test/widgets", _obj(name, ns))
    page, _ = store.list("test/widgets", None, limit=3)
    keys = [(o["metadata"]["namespace"], o["metadata"]["name"]) for o in page]
    assert keys == [("a", "x"), ("a", "y"), ("b", "x")]
    rest, _ = store.list("test/widgets", None, after=keys[-1])
    assert [(o["metadata"]["namespace"], o["metadata"]["name"]) for o in rest] == [("b", "y")]


def test_compaction_drops_old_changes_and_records_the_mark(store: Store) -> None:
    for i in range(5):
        with store.write() as txn:
            txn.create("test/widgets", _obj(f"w{i}"))
    mark = store.compact(keep=2)
    assert mark == store.current_rv() - 2
    assert store.compacted_rv() == mark
    assert [c.resource_version for c in store.changes_since(0)] == [mark + 1, mark + 2]


class _Reverse:
    def encode(self, plaintext: str) -> str:
        return "enc:" + plaintext[::-1]

    def decode(self, stored: str) -> str:
        return stored.removeprefix("enc:")[::-1]


def test_sensitive_kinds_pass_through_the_codec_at_rest(db_url: str) -> None:
    from tests.conftest import make_registry, make_store

    plain = make_store(db_url, make_registry())
    store = Store(plain.engine, codec=_Reverse(), sensitive=lambda key: key == "core/secrets")
    with store.write() as txn:
        txn.create("core/secrets", {"metadata": {"name": "s", "namespace": "d"}, "data": {"k": "c2VjcmV0"}})
    assert store.get("core/secrets", "d", "s") == {
        "metadata": {"name": "s", "namespace": "d", "resourceVersion": "1"}, "data": {"k": "c2VjcmV0"}}
    with store.engine.connect() as conn:
        stored = [r[0] for r in conn.execute(sa.text("SELECT data FROM objects UNION ALL SELECT data FROM changes"))]
    assert stored and all(s.startswith("enc:") and "c2VjcmV0" not in s for s in stored)
    store.engine.dispose()


def test_concurrent_conditional_updates_let_exactly_one_win(store: Store) -> None:
    with store.write() as txn:
        a = txn.create("test/widgets", _obj("a"))
    outcomes: list[str] = []
    barrier = threading.Barrier(4)

    def writer(i: int) -> None:
        barrier.wait()
        try:
            with store.write() as txn:
                txn.update("test/widgets", {**a, "spec": {"i": i}}, expect_rv=a["metadata"]["resourceVersion"])
            outcomes.append("won")
        except StaleResourceVersion:
            outcomes.append("conflict")

    threads = [threading.Thread(target=writer, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["conflict", "conflict", "conflict", "won"]
