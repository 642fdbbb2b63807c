"""The audit log: events stored and read newest first with filters, refused mutations recorded by the
authorizer wrapper, reads never recorded, and a failing sink never failing a request."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from apiserver.auth import Attributes, AuditEvent
from apiserver.context import UserInfo
from apiserver.registry import ResourceType
from apiserver.storage import engine as engines
from apiserver.storage.audit import AuditFilter, AuditStore
from garden import audit


def _event(user: str = "vera", verb: str = "create", namespace: str = "garden-dev", code: int = 201) -> AuditEvent:
    return AuditEvent(user=user, verb=verb, group="core.gardener.cloud", resource="shoots", subresource="",
                      namespace=namespace, name="s1", code=code, timestamp="2026-11-23T10:00:00Z")


@pytest.fixture
def log(db_url: str) -> Iterator[audit.AuditLog]:
    store = AuditStore(engines.make_engine(db_url))
    store.create_schema()
    yield audit.AuditLog(store)
    store.engine.dispose()


def test_recent_returns_the_newest_first_up_to_the_limit(log: audit.AuditLog) -> None:
    for i in range(5):
        log(_event(user=f"u{i}"))
    assert [e.user for e in log.recent(3)] == ["u4", "u3", "u2"]
    assert log.recent(1)[0] == _event(user="u4")


def test_recent_filters_by_user_namespace_verb_and_failure(log: audit.AuditLog) -> None:
    log(_event(user="vera", verb="create"))
    log(_event(user="adam", verb="delete", code=403))
    log(_event(user="adam", verb="patch", namespace="garden-b"))
    assert [e.verb for e in log.recent(10, AuditFilter(user="adam"))] == ["patch", "delete"]
    assert [e.user for e in log.recent(10, AuditFilter(namespace="garden-dev"))] == ["adam", "vera"]
    assert [e.verb for e in log.recent(10, AuditFilter(min_code=400))] == ["delete"]
    assert log.recent(10, AuditFilter(user="adam", verb="create")) == []


def test_prune_keeps_the_newest(log: audit.AuditLog) -> None:
    for i in range(5):
        log(_event(user=f"u{i}"))
    assert log.store.prune(keep=2) == 3
    assert [e.user for e in log.recent(10)] == ["u4", "u3"]
    assert log.store.prune(keep=2) == 0


class Deny:
    def authorize(self, user: UserInfo, attrs: Attributes) -> str | None:
        return "no"

    def visible(self, user: UserInfo, rt: ResourceType, obj: dict[str, Any]) -> bool:
        return False


def test_refused_mutations_are_recorded_and_refused_reads_are_not(log: audit.AuditLog) -> None:
    authz = audit.RecordDenials(Deny(), log)
    user = UserInfo("mallory")
    assert authz.authorize(user, Attributes(verb="delete", group="", resource="secrets", namespace="garden-a",
                                            name="creds")) == "no"
    assert authz.authorize(user, Attributes(verb="get", group="", resource="secrets", namespace="garden-a",
                                            name="creds")) == "no"
    (event,) = log.recent(10)
    assert (event.user, event.verb, event.resource, event.name, event.code) == ("mallory", "delete", "secrets",
                                                                                "creds", 403)


def test_a_failing_store_never_fails_the_request(caplog: pytest.LogCaptureFixture) -> None:
    class Broken(AuditStore):
        def append(self, event: AuditEvent) -> None:
            raise RuntimeError("disk full")

    sink = audit.AuditLog(Broken(engines.make_engine("sqlite://")))
    sink(_event())
    assert "audit event could not be stored" in caplog.text
